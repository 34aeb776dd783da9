"""Wire models used to document the API in the OpenAPI spec (bodies are parsed by hand)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AuditEntryOut",
    "AuditPage",
    "EraseOut",
    "ErrorOut",
    "FlaggedSkillPage",
    "HealthOut",
    "KnowledgeOut",
    "KnowledgePage",
    "QuarantineEntry",
    "QuarantineList",
    "RegisterIn",
    "RegisterOut",
    "ReportIn",
    "ReportOut",
    "ResolveIn",
    "ResolveOut",
    "RevokeIn",
    "RevokeOut",
    "SkillCreatedOut",
    "SkillIn",
    "SkillOut",
    "SkillPage",
    "StoredKnowledgeUnit",
    "StoredSkill",
    "ValidateIn",
    "ValidateOut",
]

Visibility = Literal["private", "org", "network"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class HealthOut(_Doc):
    """Body of `GET /health`."""

    status: str = Field(examples=["ok"])
    version: str = Field(examples=["0.1.0"])


class ErrorOut(_Doc):
    """Every JSON error carries a string `error`; some add fields (`issues`, `details`…)."""

    error: str = Field(examples=["Knowledge unit not found"])


class RegisterIn(_Doc):
    """Body of `POST /v1/auth/register`."""

    agent_id: str
    scopes: list[Literal["read", "write", "admin"]] = ["read"]
    tier: Literal["free", "pro", "enterprise"] = "free"


class _KeyData(_Doc):
    api_key: str = Field(pattern=r"^kp_[0-9a-f]{64}$")
    key_prefix: str
    scopes: list[str]
    tier: str
    created_at: str


class RegisterOut(_Doc):
    """201 body of `POST /v1/auth/register`."""

    data: _KeyData
    message: str


class RevokeIn(_Doc):
    """Body of `POST /v1/auth/revoke`."""

    key_prefix: str


class _Revoked(_Doc):
    revoked: bool
    key_prefix: str


class RevokeOut(_Doc):
    """200 body of `POST /v1/auth/revoke`."""

    data: _Revoked


class StoredSkill(_Doc):
    """A stored skill (`files` only on single reads and the create response)."""

    id: str = Field(examples=["kp:skill:35fb9454-8a4e-4a4c-9a43-25f1b3e3f3a1"])
    name: str
    description: str
    version: str | None = None
    author: str | None = None
    tags: list[str]
    content: str
    files: dict[str, str] | None = None
    visibility: str
    quality_score: float
    created_at: str
    updated_at: str


class SkillIn(_Doc):
    """Body of `POST /v1/skills`."""

    skill_md_content: str
    visibility: Visibility = "network"
    files: dict[str, str] | None = None
    quality_score: float | None = Field(default=None, description="honoured for admins only")


class SkillOut(_Doc):
    """`{"data": StoredSkill}`."""

    data: StoredSkill


class SkillCreatedOut(_Doc):
    """201 body of `POST /v1/skills`; `warnings` only when the sanitizer changed something."""

    data: StoredSkill
    warnings: list[str] | None = None


class SkillPage(_Doc):
    """A page of skills."""

    data: list[StoredSkill]
    total: int
    offset: int
    limit: int
    total_capped: bool | None = Field(
        None,
        description="Present (true) when `q` matched more items than the search ranks "
        "(KP_SEARCH_MAX_TOTAL): `total` is then a lower bound.",
    )


class StoredKnowledgeUnit(_Doc):
    """A stored knowledge unit."""

    id: str
    unit: dict[str, Any]
    visibility: str
    created_at: str
    updated_at: str


class KnowledgeOut(_Doc):
    """`{"data": StoredKnowledgeUnit}` (plus `quality_score` on create)."""

    data: StoredKnowledgeUnit
    quality_score: float | None = None


class KnowledgePage(_Doc):
    """A page of knowledge units."""

    data: list[StoredKnowledgeUnit]
    total: int
    offset: int
    limit: int
    total_capped: bool | None = Field(
        None,
        description="Present (true) when `q` matched more items than the search ranks "
        "(KP_SEARCH_MAX_TOTAL): `total` is then a lower bound.",
    )


class ValidateIn(_Doc):
    """Body of `POST /v1/knowledge/{id}/validate`."""

    valid: bool = True
    feedback: Any = None


class _Validated(_Doc):
    id: str
    validated: bool
    feedback: Any = None


class ValidateOut(_Doc):
    """200 body of a validation."""

    data: _Validated


class EraseOut(_Doc):
    """200 body of `DELETE /v1/knowledge/{id}`."""

    deleted: bool
    unit_id: str
    deleted_at: str
    deleted_by: str


class ReportIn(_Doc):
    """Body of `POST /v1/knowledge/{id}/report` (optional)."""

    reason: str = ""


class _Report(_Doc):
    id: str
    unit_id: str
    reporter_id: str
    reason: str
    created_at: str


class ReportOut(_Doc):
    """200 body of a report."""

    data: _Report
    report_count: int
    threshold: int
    quarantine_status: Literal["flagged", "quarantined"]


class QuarantineEntry(_Doc):
    """One reported unit."""

    unit_id: str
    count: int
    status: Literal["flagged", "quarantined", "cleared"] | None


class QuarantineList(_Doc):
    """Body of `GET /v1/admin/quarantine`."""

    data: list[QuarantineEntry]
    total: int


class ResolveIn(_Doc):
    """Body of `POST /v1/admin/quarantine/{id}/resolve`."""

    verdict: Literal["keep", "remove"]


class ResolveOut(_Doc):
    """200 body of a quarantine verdict."""

    unit_id: str
    verdict: str
    resolved: bool


class AuditEntryOut(_Doc):
    """One audit log entry."""

    id: str
    action: str
    agentId: str
    resourceType: str
    resourceId: str
    ip: str
    timestamp: str
    details: dict[str, Any] | None = Field(
        default=None, description="operation, method, status and duration of the request"
    )


class AuditPage(_Doc):
    """Body of `GET /v1/admin/audit`."""

    data: list[AuditEntryOut]
    total: int
    offset: int
    limit: int


class Finding(_Doc):
    """One security-scanner finding."""

    rule_id: str
    severity: str
    line: int | None
    message: str


class FlaggedSkill(_Doc):
    """A skill accepted with findings, as an admin reviews it."""

    id: str
    name: str
    contributor_id: str | None = None
    verdict: Literal["suspicious", "reject"]
    score: float
    findings: list[Finding]
    created_at: str


class FlaggedSkillPage(_Doc):
    """Body of `GET /v1/admin/skills/flagged`."""

    data: list[FlaggedSkill]
    total: int
    offset: int
    limit: int
