"""`/v1/import` (registry-api.md §8.12 with [FIX-S9]) against a fake upstream on 127.0.0.1.

The fake listens on loopback, so every test that reaches it lists `127.0.0.1` (or
`localhost`) in `KP_IMPORT_ALLOWED_HOSTS`: the explicit operator choice the guard requires.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from knowledgepulse.registry.auth.models import ANONYMOUS, AuthContext
from knowledgepulse.registry.errors import Unauthorized
from knowledgepulse.registry.importer.client import GuardedClient
from knowledgepulse.registry.importer.convert import adf_to_result, notion_to_result
from knowledgepulse.registry.importer.guard import (
    ResolveFailed,
    TargetNotAllowed,
    UrlPolicy,
    is_public_address,
)
from knowledgepulse.registry.importer.service import NOTION_API_URL, ImportFailed, ImportService
from tests.registry.api._api import Api

CALLER = AuthContext(authenticated=True, tier="free", agent_id="kp:agent:a", scopes=("read",))
Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class FakeUpstream:
    """A tiny HTTP/1.1 server: one request per connection, answers from `reply(seen)`."""

    reply: Callable[[Seen], Reply] = lambda seen: (404, {}, b"{}")
    delay: float = 0.0
    tls: ssl.SSLContext | None = None
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:  # e.g. one still delaying its answer
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            request_line, *lines = head.split("\r\n")
            method, target, _ = request_line.split(" ")
            headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines if line)}
            parts = urlsplit(target)
            seen = Seen(method, parts.path, parse_qs(parts.query), headers)
            self.seen.append(seen)
            status, extra, body = self.reply(seen)
            if self.delay:
                await asyncio.sleep(self.delay)
            reason = httpx.codes.get_reason_phrase(status)
            out = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
            out += ["Connection: close", *(f"{k}: {v}" for k, v in extra.items())]
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            self._handlers.discard(task)


def ok(payload: Any) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()


@pytest.fixture
async def upstream() -> AsyncIterator[FakeUpstream]:
    fake = FakeUpstream()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def loopback_api(make_api: Any, upstream: FakeUpstream) -> Api:
    """The app with 127.0.0.1 allowed and the Notion API pointed at the fake upstream."""
    api = await make_api(import_allowed_hosts="127.0.0.1")
    client = GuardedClient(UrlPolicy(["127.0.0.1"]))
    api.app.state.container.importer = ImportService(client, notion_api_url=f"{upstream.url}/v1")
    return api


def block(kind: str, *texts: str) -> dict[str, Any]:
    rich = [{"type": "text", "plain_text": text} for text in texts]
    return {"object": "block", "type": kind, kind: {"rich_text": rich}}


def adf(*content: dict[str, Any]) -> str:
    return json.dumps({"type": "doc", "version": 1, "content": list(content)})


def node(kind: str, *children: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "content": list(children)}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


async def expect(response: Any, status: int, error: str) -> None:
    assert (response.status_code, response.json()) == (status, {"error": error}), response.text


async def test_notion_pages_through_the_children_and_converts_them(
    loopback_api: Api, upstream: FakeUpstream
) -> None:
    first = [
        block("paragraph", "Before any heading"),
        block("heading_1", "Setup"),
        block("paragraph", "Install ", "the CLI"),
        {"object": "block", "type": "divider", "divider": {}},
        block("paragraph"),
    ]
    second = [
        block("heading_2", "Use"),
        block("bulleted_list_item", "Run it"),
        block("heading_3"),  # an empty heading closes "Use" and opens nothing
        block("paragraph", "Orphan"),
    ]

    def reply(seen: Seen) -> Reply:
        if "start_cursor" not in seen.query:
            return ok({"results": first, "has_more": True, "next_cursor": "c2"})
        return ok({"results": second, "has_more": False, "next_cursor": None})

    upstream.reply = reply
    key = await loopback_api.key("kp:agent:alice")
    body = {"pageId": "abc/../def", "token": "secret_1"}
    response = await loopback_api.request("POST", "/v1/import/notion", key, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "text": "Before any heading\nSetup\nInstall the CLI\nUse\nRun it\nOrphan",
        "sections": [
            {"heading": "Setup", "content": "Install the CLI"},
            {"heading": "Use", "content": "Run it"},
        ],
        "metadata": {"format": "notion"},
    }
    assert [s.path for s in upstream.seen] == ["/v1/blocks/abc%2F..%2Fdef/children"] * 2
    assert [s.query for s in upstream.seen] == [
        {"page_size": ["100"]},
        {"page_size": ["100"], "start_cursor": ["c2"]},
    ]
    assert upstream.seen[0].headers["authorization"] == "Bearer secret_1"
    assert upstream.seen[0].headers["notion-version"] == "2025-09-03"


async def test_notion_failures_are_502(loopback_api: Api, upstream: FakeUpstream) -> None:
    key = await loopback_api.key("kp:agent:alice")
    body = {"pageId": "p1", "token": "bad"}
    upstream.reply = lambda seen: (401, {}, b'{"message":"API token is invalid."}')
    await expect(
        await loopback_api.request("POST", "/v1/import/notion", key, json=body),
        502,
        "Notion import failed: Notion API error: 401 Unauthorized",
    )
    upstream.reply = lambda seen: (200, {}, b"<html>")
    await expect(
        await loopback_api.request("POST", "/v1/import/notion", key, json=body),
        502,
        "Notion import failed: the response is not valid JSON",
    )


async def test_notion_needs_a_page_id_and_a_token(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    url = "/v1/import/notion"
    for kwargs in (
        {"content": b"not json"},
        {"content": b"null"},
        {},
        {"json": {"pageId": "p1"}},
        {"json": {"pageId": "", "token": "t"}},
        {"json": {"pageId": "p1", "token": 5}},
    ):
        await expect(
            await api.request("POST", url, key, **kwargs), 400, "pageId and token are required"
        )


async def test_confluence_reads_the_adf_body(loopback_api: Api, upstream: FakeUpstream) -> None:
    document = adf(
        node("paragraph", text("Intro "), {"type": "text", "text": "text", "marks": []}),
        node("heading", text("Steps")),
        node("bulletList", node("listItem", node("paragraph", text("One"))), node("listItem")),
        node("paragraph", text("Two")),
        node("heading", text("Notes")),
        node("rule"),
    )
    upstream.reply = lambda seen: ok(
        {"id": "42", "title": "Runbook", "body": {"atlas_doc_format": {"value": document}}}
    )
    key = await loopback_api.key("kp:agent:alice")
    body = {"pageId": "42", "baseUrl": upstream.url + "/", "token": "me@example.com:tok"}
    response = await loopback_api.request("POST", "/v1/import/confluence", key, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "text": "Intro text\nSteps\nOne\nTwo\nNotes",
        "sections": [
            {"heading": "Steps", "content": "One\nTwo"},
            {"heading": "Notes", "content": ""},
        ],
        "metadata": {"format": "confluence", "pageId": "42", "title": "Runbook"},
    }
    [seen] = upstream.seen
    assert (seen.path, seen.query) == (
        "/wiki/api/v2/pages/42",
        {"body-format": ["atlas_doc_format"]},
    )
    expected = base64.b64encode(b"me@example.com:tok").decode()
    assert seen.headers["authorization"] == f"Basic {expected}"
    assert seen.headers["accept"] == "application/json"
    assert seen.headers["host"] == f"127.0.0.1:{upstream.port}"


async def test_confluence_failures_are_502(loopback_api: Api, upstream: FakeUpstream) -> None:
    key = await loopback_api.key("kp:agent:alice")
    body = {"pageId": "42", "baseUrl": upstream.url, "token": "t"}
    cases: list[tuple[Reply, str]] = [
        ((404, {}, b"{}"), "Confluence API error: 404 Not Found"),
        (ok({"title": "x"}), "the page has no atlas_doc_format body"),
        (ok({"body": {"atlas_doc_format": {"value": "{oops"}}}), "the page body is not valid ADF"),
    ]
    for reply, reason in cases:
        upstream.reply = lambda seen, reply=reply: reply
        await expect(
            await loopback_api.request("POST", "/v1/import/confluence", key, json=body),
            502,
            f"Confluence import failed: {reason}",
        )


async def test_confluence_needs_three_fields(api: Api) -> None:
    key = await api.key("kp:agent:alice")
    for payload in ({}, {"pageId": "1", "baseUrl": "https://x.example.com"}, {"pageId": 1}):
        await expect(
            await api.request("POST", "/v1/import/confluence", key, json=payload),
            400,
            "pageId, baseUrl, and token are required",
        )


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:{port}",
        "https://127.0.0.1:{port}",
        "https://localhost:{port}",
        "https://10.1.2.3",
        "https://192.168.0.1",
        "https://169.254.169.254",
        "https://[::1]",
        "https://[::ffff:127.0.0.1]",
        "https://0.0.0.0",
        "https://224.0.0.1",
        "http://example.com",
        "ftp://example.com",
        "https://user:pw@example.com",
        "file:///etc/passwd",
        "not a url",
    ],
)
async def test_confluence_refuses_unsafe_base_urls(
    api: Api, upstream: FakeUpstream, base_url: str
) -> None:
    key = await api.key("kp:agent:alice")
    body = {"pageId": "42", "baseUrl": base_url.format(port=upstream.port), "token": "t"}
    await expect(
        await api.request("POST", "/v1/import/confluence", key, json=body),
        400,
        "baseUrl is not allowed",
    )
    assert upstream.seen == []


async def test_with_an_allow_list_other_hosts_are_refused(
    make_api: Any, upstream: FakeUpstream
) -> None:
    api = await make_api(import_allowed_hosts="confluence.example.com")
    key = await api.key("kp:agent:alice")
    for base_url in ("https://evil.example.net", upstream.url, "https://example.com"):
        body = {"pageId": "42", "baseUrl": base_url, "token": "t"}
        await expect(
            await api.request("POST", "/v1/import/confluence", key, json=body),
            400,
            "baseUrl is not allowed",
        )
    assert upstream.seen == []


async def test_redirects_are_followed_only_to_allowed_targets(
    loopback_api: Api, upstream: FakeUpstream
) -> None:
    page = {"title": "T", "body": {"atlas_doc_format": {"value": adf(node("p", text("x")))}}}

    def reply(seen: Seen) -> Reply:
        if seen.path == "/wiki/api/v2/pages/42":
            return 302, {"Location": "/moved/42"}, b""
        if seen.path == "/moved/42":
            return ok(page)
        return 302, {"Location": f"http://localhost:{upstream.port}/moved/42"}, b""

    upstream.reply = reply
    key = await loopback_api.key("kp:agent:alice")
    body = {"pageId": "42", "baseUrl": upstream.url, "token": "t"}
    response = await loopback_api.request("POST", "/v1/import/confluence", key, json=body)
    assert response.status_code == 200, response.text
    assert [s.path for s in upstream.seen] == ["/wiki/api/v2/pages/42", "/moved/42"]
    assert upstream.seen[1].headers["authorization"].startswith("Basic ")  # same origin
    upstream.seen.clear()
    body["pageId"] = "7"  # redirected to localhost, which is not in the allow-list
    await expect(
        await loopback_api.request("POST", "/v1/import/confluence", key, json=body),
        400,
        "baseUrl is not allowed",
    )
    assert [s.path for s in upstream.seen] == ["/wiki/api/v2/pages/7"]


async def test_responses_over_the_size_cap_and_slow_upstreams_fail(
    loopback_api: Api, upstream: FakeUpstream
) -> None:
    key = await loopback_api.key("kp:agent:alice")
    client = GuardedClient(UrlPolicy(["127.0.0.1"]), max_bytes=1000, timeout=httpx.Timeout(0.5))
    loopback_api.app.state.container.importer = ImportService(client)
    body = {"pageId": "42", "baseUrl": upstream.url, "token": "t"}
    upstream.reply = lambda seen: ok({"pad": "x" * 2000})
    await expect(
        await loopback_api.request("POST", "/v1/import/confluence", key, json=body),
        502,
        "Confluence import failed: the response is larger than 1000 bytes",
    )
    upstream.reply = lambda seen: ok({})
    upstream.delay = 1.0
    await expect(
        await loopback_api.request("POST", "/v1/import/confluence", key, json=body),
        502,
        "Confluence import failed: the upstream timed out",
    )


async def test_an_explicitly_allowed_name_connects_to_its_checked_address(
    make_api: Any, upstream: FakeUpstream
) -> None:
    api = await make_api(import_allowed_hosts="localhost")
    upstream.reply = lambda seen: ok({"body": {"atlas_doc_format": {"value": adf()}}})
    key = await api.key("kp:agent:alice")
    base = f"http://localhost:{upstream.port}"
    body = {"pageId": "1", "baseUrl": base, "token": "t"}
    response = await api.request("POST", "/v1/import/confluence", key, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == {"format": "confluence", "pageId": "1"}
    assert upstream.seen[0].headers["host"] == f"localhost:{upstream.port}"


async def test_anonymous_imports_never_reach_the_upstream(api: Api) -> None:
    body = {"pageId": "1", "token": "t"}
    assert (await api.client.post("/v1/import/notion", json=body)).status_code == 429
    importer = api.app.state.container.importer
    with pytest.raises(Unauthorized, match="Authentication required"):
        await importer.notion(ANONYMOUS, body)
    with pytest.raises(Unauthorized, match="Authentication required"):
        await importer.confluence(ANONYMOUS, {**body, "baseUrl": "https://x.example.com"})


async def test_the_default_notion_endpoint_is_the_public_api() -> None:
    assert NOTION_API_URL == "https://api.notion.com/v1"


def resolver(table: dict[str, list[str]]) -> Any:
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError("unknown host")
        return table[host]

    return resolve


async def test_policy_rules() -> None:
    policy = UrlPolicy(
        ["example.com", "wiki.internal"],
        resolver=resolver(
            {
                "example.com": ["93.184.215.14"],
                "docs.example.com": ["93.184.215.15", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
                "intranet.example.com": ["10.0.0.5"],
                "mixed.example.com": ["93.184.215.16", "127.0.0.1"],
                "wiki.internal": ["10.0.0.7"],
            }
        ),
    )
    target = await policy.check(httpx.URL("https://docs.example.com/wiki"))
    assert target.addresses == ("93.184.215.15", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    # Listed exactly: a private address is the operator's explicit choice.
    assert (await policy.check(httpx.URL("https://wiki.internal"))).addresses == ("10.0.0.7",)
    for url in (
        "https://intranet.example.com",  # a subdomain may not resolve to a private address
        "https://mixed.example.com",  # neither may any one of its addresses
        "https://sub.wiki.internal.evil.com",
        "https://notexample.com",
        "http://wiki.internal",  # plain http only to a loopback host
    ):
        with pytest.raises(TargetNotAllowed):
            await policy.check(httpx.URL(url))
    with pytest.raises(ResolveFailed):
        await policy.check(httpx.URL("https://unknown.example.com"))


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.0.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.1", False),
        ("0.0.0.0", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("2002:7f00:1::", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_converters_ignore_malformed_upstream_data() -> None:
    blocks: list[Any] = [
        None,
        {"type": 5},
        {"type": "paragraph", "paragraph": {"rich_text": "x"}},
        {"type": "paragraph", "paragraph": {"rich_text": [{"plain_text": 5}, "y"]}},
        block("heading_1", "  Title  "),
        block("paragraph", "  body  "),
    ]
    assert notion_to_result(blocks).to_wire() == {
        "text": "  Title  \n  body  ",
        "sections": [{"heading": "  Title  ", "content": "body"}],
        "metadata": {"format": "notion"},
    }
    assert adf_to_result([1], page_id="1", title=None).to_wire() == {
        "text": "",
        "sections": [],
        "metadata": {"format": "confluence", "pageId": "1"},
    }
    deep: dict[str, Any] = text("deep")
    for _ in range(500):
        deep = node("paragraph", deep)
    assert adf_to_result({"content": [deep]}, page_id="1", title="t").text == ""


async def test_service_level_errors_keep_their_provider_prefix() -> None:
    service = ImportService(
        GuardedClient(UrlPolicy(resolver=resolver({}))), notion_api_url="https://notion.test/v1"
    )
    with pytest.raises(ImportFailed) as notion:
        await service.notion(CALLER, {"pageId": "1", "token": "t"})
    assert notion.value.body() == {"error": "Notion import failed: cannot resolve host notion.test"}
    with pytest.raises(ImportFailed) as confluence:
        await service.confluence(
            CALLER, {"pageId": "1", "token": "t", "baseUrl": "https://wiki.test"}
        )
    assert confluence.value.body() == {
        "error": "Confluence import failed: cannot resolve host wiki.test"
    }


def self_signed(tmp_path: Path, host: str) -> tuple[Path, Path]:
    """A throw-away certificate for `host` (and its key), written as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{host}.pem", tmp_path / f"{host}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize(("cert_host", "works"), [("wiki.test", True), ("other.test", False)])
async def test_https_connects_to_the_checked_address_and_verifies_the_name(
    tmp_path: Path, cert_host: str, works: bool
) -> None:
    cert, key = self_signed(tmp_path, cert_host)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    fake = FakeUpstream(tls=server_tls)
    fake.reply = lambda seen: ok({"title": "T", "body": {"atlas_doc_format": {"value": adf()}}})
    await fake.start()
    try:
        # wiki.test resolves to loopback: allowed only because it is listed exactly.
        policy = UrlPolicy(["wiki.test"], resolver=resolver({"wiki.test": ["127.0.0.1"]}))
        client = GuardedClient(policy, verify=ssl.create_default_context(cafile=str(cert)))
        body = {"pageId": "9", "baseUrl": f"https://wiki.test:{fake.port}", "token": "t"}
        if works:
            result = await ImportService(client).confluence(CALLER, body)
            assert result.metadata == {"format": "confluence", "pageId": "9", "title": "T"}
            assert fake.seen[0].headers["host"] == f"wiki.test:{fake.port}"
        else:
            with pytest.raises(ImportFailed):
                await ImportService(client).confluence(CALLER, body)
            assert fake.seen == []
    finally:
        await fake.stop()
