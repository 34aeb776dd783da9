"""`GuardedClient`: GET JSON from an upstream the `UrlPolicy` allows, within fixed limits.

* Connects to the address the policy checked (the URL's host is kept in the `Host` header
  and as the TLS server name), so DNS cannot change the target between check and connect.
* Follows at most `max_redirects` redirects itself, checking each target with the policy;
  `Authorization` is dropped when a redirect leaves the original origin.
* Explicit connect/read/write/pool timeouts, no proxy from the environment, and a cap on
  the (decoded) response size.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
from typing import Any

import httpx

from knowledgepulse.registry.importer.guard import Target, TargetNotAllowed, UrlPolicy

__all__ = ["DEFAULT_TIMEOUT", "MAX_RESPONSE_BYTES", "GuardedClient", "UpstreamError"]

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


class UpstreamError(Exception):
    """The upstream could not be reached or gave an unusable answer; the message says why."""


class GuardedClient:
    """One policy, one set of limits; a fresh connection pool per `get_json` call.

    `verify` is httpx's: the system's CA bundle by default (tests pass their own context).
    """

    def __init__(
        self,
        policy: UrlPolicy,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_bytes: int = MAX_RESPONSE_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.policy = policy
        self._verify = verify
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects

    async def get_json(
        self, url: str, *, headers: dict[str, str], params: dict[str, str] | None = None
    ) -> Any:
        """GET `url` and decode its JSON body.

        Raises:
            TargetNotAllowed: the URL or a redirect target breaks the policy.
            ResolveFailed: a host does not resolve.
            UpstreamError: network failure, timeout, non-2xx status (message
                `<status> <reason>`), oversized or non-JSON body, too many redirects.
        """
        current = _parse(url, params)
        origin = _origin(current)
        async with httpx.AsyncClient(
            timeout=self._timeout, follow_redirects=False, trust_env=False, verify=self._verify
        ) as client:
            for _ in range(self._max_redirects + 1):
                target = await self.policy.check(current)
                sent = headers if _origin(current) == origin else _without_auth(headers)
                status, reason, location, body = await self._fetch(client, target, sent)
                if status in _REDIRECTS and location:
                    current = _join(current, location)
                    continue
                if not 200 <= status < 300:
                    raise UpstreamError(f"{status} {reason}".rstrip())
                try:
                    return json.loads(body)
                except (ValueError, RecursionError):
                    raise UpstreamError("the response is not valid JSON") from None
        raise UpstreamError("too many redirects")

    async def _fetch(
        self, client: httpx.AsyncClient, target: Target, headers: dict[str, str]
    ) -> tuple[int, str, str | None, bytes]:
        request_headers = {**headers, "Host": target.url.netloc.decode("ascii")}
        extensions: dict[str, Any] = {}
        if target.url.scheme == "https" and not _is_ip(target.host):
            extensions["sni_hostname"] = target.host
        failure = "request failed"
        # Each checked address in turn (e.g. an unreachable IPv6 address before IPv4).
        for address in target.addresses:
            try:
                async with client.stream(
                    "GET",
                    target.url.copy_with(host=address),
                    headers=request_headers,
                    extensions=extensions,
                ) as response:
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        return response.status_code, response.reason_phrase, location, b""
                    body = await self._read(response)
                    return response.status_code, response.reason_phrase, None, body
            except httpx.ConnectError:
                failure = "cannot connect to the upstream"
            except httpx.TimeoutException:
                raise UpstreamError("the upstream timed out") from None
            except httpx.HTTPError as exc:
                raise UpstreamError(f"request failed: {type(exc).__name__}") from None
        raise UpstreamError(failure)

    async def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise UpstreamError(f"the response is larger than {self._max_bytes} bytes")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self._max_bytes:
                raise UpstreamError(f"the response is larger than {self._max_bytes} bytes")
        return bytes(body)


def _parse(url: str, params: dict[str, str] | None) -> httpx.URL:
    try:
        return httpx.URL(url, params=params)
    except httpx.InvalidURL:
        raise TargetNotAllowed("not a valid URL") from None


def _join(base: httpx.URL, location: str) -> httpx.URL:
    try:
        return base.join(location)
    except httpx.InvalidURL:
        raise TargetNotAllowed("the redirect target is not a valid URL") from None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host.lower(), url.port


def _without_auth(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() != "authorization"}


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
