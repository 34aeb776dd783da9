"""Wire models of `/v1/providers` for the OpenAPI document (bodies are parsed by hand)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HeartbeatIn", "HeartbeatOut", "ProviderIn", "ProviderList", "ProviderOut"]

Status = Literal["active", "inactive", "unknown"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Provider(_Doc):
    id: str = Field(examples=["kp:provider:0b7c2f4e-1d2a-4a57-9a0e-6c1f0e9d2b11"])
    url: str
    name: str
    status: Status = Field(description="`active` turns `inactive` when heartbeats stop")
    last_heartbeat: str | None
    registered_at: str


class ProviderList(_Doc):
    """Every provider in registration order."""

    data: list[_Provider]
    total: int


class ProviderIn(_Doc):
    """Body of `POST /v1/providers`; the URL must not be registered yet."""

    url: str
    name: str
    status: Status = "unknown"


class ProviderOut(_Doc):
    """201 body of a registration."""

    data: _Provider


class HeartbeatIn(_Doc):
    """No body is needed; anything sent is ignored."""


class _Heartbeat(_Doc):
    id: str
    heartbeat: str


class HeartbeatOut(_Doc):
    """200 body of a heartbeat."""

    data: _Heartbeat
