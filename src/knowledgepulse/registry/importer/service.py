"""Import proxy rules (registry-api.md §8.12 with [FIX-S9]); no database.

Bodies are optional (a missing or invalid body counts as `{}`). Upstream failures answer
502 with `<Provider> import failed: <reason>`; a Confluence `baseUrl` (or a redirect from
it) that the `UrlPolicy` refuses answers 400 `baseUrl is not allowed`.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, ClassVar
from urllib.parse import quote

from knowledgepulse.registry.auth.models import AuthContext
from knowledgepulse.registry.bodies import optional_object_body
from knowledgepulse.registry.errors import Invalid, RegistryError, Unauthorized
from knowledgepulse.registry.importer.client import GuardedClient, UpstreamError
from knowledgepulse.registry.importer.convert import ParseResult, adf_to_result, notion_to_result
from knowledgepulse.registry.importer.guard import ResolveFailed, TargetNotAllowed

__all__ = [
    "IMPORT_DEADLINE",
    "NOTION_API_URL",
    "NOTION_VERSION",
    "ImportFailed",
    "ImportService",
]

NOTION_API_URL = "https://api.notion.com/v1"
NOTION_VERSION = "2025-09-03"
NOTION_PAGE_SIZE = 100
MAX_NOTION_PAGES = 100  # 10,000 blocks
IMPORT_DEADLINE = 60.0  # seconds for a whole import, all requests included


class ImportFailed(RegistryError):
    """The upstream failed or answered something unusable (HTTP 502)."""

    status: ClassVar[int] = 502


class ImportService:
    """Fetches through a `GuardedClient`; stateless, shared by all requests."""

    def __init__(
        self,
        client: GuardedClient,
        *,
        notion_api_url: str = NOTION_API_URL,
        deadline: float = IMPORT_DEADLINE,
    ) -> None:
        self._client = client
        self._notion_api_url = notion_api_url.rstrip("/")
        self._deadline = deadline

    async def notion(self, caller: AuthContext, payload: Any) -> ParseResult:
        """Read a Notion page's direct children (all pages of them) and convert them."""
        _require_auth(caller)
        body = optional_object_body(payload)
        page_id, token = body.get("pageId"), body.get("token")
        if not (_text(page_id) and _text(token)):
            raise Invalid("pageId and token are required")
        url = f"{self._notion_api_url}/blocks/{quote(page_id, safe='')}/children"
        headers = {"Authorization": f"Bearer {token}", "Notion-Version": NOTION_VERSION}
        try:
            async with asyncio.timeout(self._deadline):
                blocks = await self._notion_blocks(url, headers)
        except (TargetNotAllowed, UpstreamError, ResolveFailed) as exc:
            raise ImportFailed(f"Notion import failed: {exc}") from None
        except TimeoutError:
            raise ImportFailed("Notion import failed: the import took too long") from None
        return notion_to_result(blocks)

    async def confluence(self, caller: AuthContext, payload: Any) -> ParseResult:
        """Read one Confluence page (ADF body) and convert it."""
        _require_auth(caller)
        body = optional_object_body(payload)
        page_id, base_url, token = body.get("pageId"), body.get("baseUrl"), body.get("token")
        if not (_text(page_id) and _text(base_url) and _text(token)):
            raise Invalid("pageId, baseUrl, and token are required")
        url = f"{base_url.rstrip('/')}/wiki/api/v2/pages/{quote(page_id, safe='')}"
        credentials = base64.b64encode(token.encode("utf-8")).decode("ascii")
        headers = {"Authorization": f"Basic {credentials}", "Accept": "application/json"}
        try:
            async with asyncio.timeout(self._deadline):
                page = await self._client.get_json(
                    url, headers=headers, params={"body-format": "atlas_doc_format"}
                )
        except TargetNotAllowed:
            raise Invalid("baseUrl is not allowed") from None
        except UpstreamError as exc:
            reason = str(exc)
            if reason[:3].isdigit():
                reason = f"Confluence API error: {reason}"
            raise ImportFailed(f"Confluence import failed: {reason}") from None
        except ResolveFailed as exc:
            raise ImportFailed(f"Confluence import failed: {exc}") from None
        except TimeoutError:
            raise ImportFailed("Confluence import failed: the import took too long") from None
        document = _adf_document(page)
        title = page.get("title") if isinstance(page, dict) else None
        return adf_to_result(document, page_id=page_id, title=title)

    async def _notion_blocks(self, url: str, headers: dict[str, str]) -> list[Any]:
        blocks: list[Any] = []
        cursor: str | None = None
        for _ in range(MAX_NOTION_PAGES):
            params = {"page_size": str(NOTION_PAGE_SIZE)}
            if cursor:
                params["start_cursor"] = cursor
            try:
                page = await self._client.get_json(url, headers=headers, params=params)
            except UpstreamError as exc:
                reason = str(exc)
                raise UpstreamError(
                    f"Notion API error: {reason}" if reason[:3].isdigit() else reason
                ) from None
            if not isinstance(page, dict):
                raise UpstreamError("unexpected response from the Notion API")
            results = page.get("results")
            blocks.extend(results if isinstance(results, list) else [])
            next_cursor = page.get("next_cursor")
            if page.get("has_more") is not True or not isinstance(next_cursor, str):
                return blocks
            cursor = next_cursor
        raise UpstreamError(f"the page has more than {MAX_NOTION_PAGES * NOTION_PAGE_SIZE} blocks")


def _adf_document(page: Any) -> Any:
    value = None
    if isinstance(page, dict):
        body = page.get("body")
        adf = body.get("atlas_doc_format") if isinstance(body, dict) else None
        value = adf.get("value") if isinstance(adf, dict) else None
    if not isinstance(value, str):
        raise ImportFailed("Confluence import failed: the page has no atlas_doc_format body")
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise ImportFailed("Confluence import failed: the page body is not valid ADF") from None


def _require_auth(caller: AuthContext) -> None:
    # Unreachable for anonymous callers in the full pipeline (their POSTs get 429 first);
    # kept so the proxy is never open when the rate limiter is configured away.
    if not caller.authenticated:
        raise Unauthorized("Authentication required")


def _text(value: object) -> bool:
    return isinstance(value, str) and value != ""
