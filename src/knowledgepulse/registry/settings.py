"""The one settings object of the registry, read from `KP_*` environment variables.

Built once by the composition root (`create_app`, the `kp-registry` CLI), never at import
time, and passed down explicitly. Nothing else in the package reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConfigError", "Settings", "load_settings"]

StoreBackend = Literal["sqlite", "memory", "postgres"]
SearchMode = Literal["hybrid", "sql"]
EmbedderKind = Literal["minilm", "hashing"]


class ConfigError(Exception):
    """The configuration cannot be used; the message says which variable and why."""


class Settings(BaseSettings):
    """Registry configuration (registry-api.md §10 plus our extensions)."""

    model_config = SettingsConfigDict(
        env_prefix="KP_", env_ignore_empty=True, extra="ignore", frozen=True
    )

    host: str = "127.0.0.1"
    port: int = Field(default=3000, ge=0, le=65535)
    data_dir: Path = Path(".kp-data")
    store_backend: StoreBackend = "sqlite"
    sqlite_path: Path | None = None
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "kp:"
    search: SearchMode = "hybrid"
    embedder: EmbedderKind = "minilm"
    # Semantic matches need at least this cosine similarity (measured on the relevance set
    # of tests/data/search; see bench/search_quality.py).
    search_min_similarity: float = Field(default=0.35, ge=-1.0, le=1.0)
    # Matches a `q` search counts and pages through (lexical candidates asked of the index;
    # 1,000 instead of 200 costs ~9 ms more per search at 100k items).
    search_max_total: int = Field(default=200, ge=10, le=100_000)
    search_sync_interval: float = Field(default=1.0, gt=0)
    # The MiniLM graph compiled from the installed weights; shared by every data dir.
    model_cache_dir: Path = Path.home() / ".cache" / "knowledgepulse" / "models"

    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None

    quarantine_threshold: int = Field(default=3, ge=1)
    marketplace_revenue_share: float = 0.7
    subscription_default_credits: int = 50
    retention_network_days: int = -1
    retention_org_days: int = 730
    retention_private_days: int = 365
    retention_sweep_interval_hours: float = Field(default=24.0, gt=0)
    min_rep_for_write: float = 0.1

    allow_open_admin_registration: bool = False
    trust_proxy: bool = True
    import_allowed_hosts: str = ""

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("store_backend", mode="before")
    @classmethod
    def _lower_backend(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_backend_requirements(self) -> Settings:
        if self.store_backend == "postgres" and not self.database_url:
            raise ValueError("KP_DATABASE_URL is required when KP_STORE_BACKEND=postgres")
        return self

    @property
    def database_url_resolved(self) -> str:
        """The SQLAlchemy-style URL of the configured store."""
        if self.store_backend == "postgres":
            assert self.database_url is not None  # guaranteed by the validator
            return self.database_url
        if self.store_backend == "memory":
            return "sqlite:///:memory:"
        path = self.sqlite_path or (self.data_dir / "knowledgepulse.db")
        return f"sqlite:///{path}"

    @property
    def oidc_enabled(self) -> bool:
        """JWT sign-in is on only when issuer, audience and JWKS URL are all set (§9.2)."""
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @property
    def import_allowed_host_list(self) -> list[str]:
        """`KP_IMPORT_ALLOWED_HOSTS` split on commas, blanks dropped, lower-cased."""
        return [h.strip().lower() for h in self.import_allowed_hosts.split(",") if h.strip()]


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides.

    Raises:
        ConfigError: a variable is missing or invalid; the message names it.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        if loc:
            var = "KP_" + loc[0].upper()
            value = err.get("input")
            lines.append(f"{var}={value!r} is invalid: {err['msg']}")
        else:
            lines.append(str(err["msg"]).removeprefix("Value error, "))
    return "; ".join(lines)
