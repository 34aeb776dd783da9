"""Wire model of `GET /v1/export/{agent_id}` for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ExportOut"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Export(_Doc):
    context: str = Field(alias="@context", examples=["https://openknowledgepulse.org/export/v1"])
    agent_id: str
    exported_at: str
    total_contributions: int
    knowledge_units: list[dict[str, Any]] = Field(description="raw KnowledgeUnit documents")
    reputation: dict[str, Any]
    api_keys: list[dict[str, Any]] = Field(description="ApiKeySummary objects; never a hash")
    sops: list[dict[str, Any]]
    marketplace_listings: list[dict[str, Any]]
    credit_transactions: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    badges: list[dict[str, Any]]
    security_reports: list[dict[str, Any]]


class ExportOut(_Doc):
    """Everything the registry holds about one agent (GDPR Art. 20)."""

    data: _Export
