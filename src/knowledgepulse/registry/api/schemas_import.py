"""Wire models of `/v1/import` (Notion, Confluence → ParseResult), for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ConfluenceIn", "NotionIn", "ParseResultOut"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class NotionIn(_Doc):
    """Body of `POST /v1/import/notion`."""

    pageId: str
    token: str = Field(description="a Notion integration token; used once, never stored")


class ConfluenceIn(_Doc):
    """Body of `POST /v1/import/confluence`; `baseUrl` must pass the SSRF guard."""

    pageId: str
    baseUrl: str = Field(
        description="https only; public addresses unless KP_IMPORT_ALLOWED_HOSTS lists the host"
    )
    token: str = Field(description="`email:api_token`, sent as HTTP Basic; never stored")


class _Section(_Doc):
    heading: str
    content: str


class ParseResultOut(_Doc):
    """All text, the headed sections, and `metadata.format` (`notion` or `confluence`)."""

    text: str
    sections: list[_Section]
    metadata: dict[str, Any]
