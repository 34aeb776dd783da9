"""Wire models of `/v1/sop` and its collaboration endpoints, for the OpenAPI document.

Bodies are parsed by hand (registry-api.md §13); these classes only document them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledgepulse.sdk.models.expert_sop import ExpertSOP

__all__ = [
    "CollabInfoOut",
    "EmptyIn",
    "ExpertSOP",
    "PresenceOut",
    "RoomsOut",
    "SopDeletedOut",
    "SopExportOut",
    "SopOut",
    "SopPage",
    "SopVersionsOut",
    "StoredSop",
    "expert_sop_body",
]

Status = Literal["draft", "pending_review", "approved", "rejected"]


def expert_sop_body(example: Any) -> dict[str, Any]:
    """`openapi_extra` documenting an ExpertSOP request body, nested models inlined."""
    schema = ExpertSOP.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _inline(schema, definitions), "example": example}
            },
        }
    }


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    # The SOP models are not recursive, so replacing every local `$ref` terminates.
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class EmptyIn(_Doc):
    """No body is needed; anything sent is ignored."""


class StoredSop(_Doc):
    """A stored SOP: the latest ExpertSOP body and its lifecycle fields."""

    id: str = Field(examples=["kp:sop:4b1e9c2e-0000-4000-8000-000000000003"])
    sop: dict[str, Any] = Field(description="the latest ExpertSOP body, unknown keys stripped")
    version: int = Field(ge=1)
    previous_version_id: str | None = Field(
        default=None, description="present after the first update; equals `id`"
    )
    status: Status
    visibility: Literal["private", "org", "network"]
    approved_by: str | None = None
    created_at: str
    updated_at: str


class SopOut(_Doc):
    """`{"data": StoredSOP}`."""

    data: StoredSop


class SopPage(_Doc):
    """A page of SOPs, quality descending."""

    data: list[StoredSop]
    total: int
    offset: int
    limit: int
    total_capped: bool | None = Field(
        None,
        description="Present (true) when `q` matched more items than the search ranks "
        "(KP_SEARCH_MAX_TOTAL): `total` is then a lower bound.",
    )


class _Version(_Doc):
    sop_id: str
    version: int
    diff_summary: str = Field(examples=["Updated to version 2"])
    created_at: str


class SopVersionsOut(_Doc):
    """The version summaries, oldest first."""

    data: list[_Version]


class _Export(_Doc):
    skill_id: str = Field(examples=["kp:skill:27bda564-1d2a-4a57-9a0e-6c1f0e9d2b11"])
    skill_md: str
    sop_id: str
    sop_version: int


class SopExportOut(_Doc):
    """200 body of export-skill: the new skill's id and its SKILL.md."""

    data: _Export


class SopDeletedOut(_Doc):
    """Delete receipt (no `data` wrapper)."""

    deleted: bool
    sop_id: str
    deleted_at: str
    deleted_by: str


class _Peer(_Doc):
    agentId: str
    connectedAt: str


class PresenceOut(_Doc):
    """Who is connected to one SOP's room."""

    sopId: str
    peers: list[_Peer]
    count: int


class CollabInfoOut(PresenceOut):
    """How to connect to a room, and who is in it."""

    wsPath: str = Field(examples=["/v1/sop/kp:sop:1/collaborate"])
    protocol: str = Field(examples=["knowledgepulse-collab-v1"])


class RoomsOut(_Doc):
    """Every open room, in creation order."""

    rooms: list[PresenceOut]
    totalRooms: int
