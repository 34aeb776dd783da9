"""Which upstream URLs the import proxy may fetch ([FIX-S9]: no SSRF).

Rules, checked for the first URL and again for every redirect target:

1. The scheme is `https`. Plain `http` is accepted only for a host listed exactly in
   `KP_IMPORT_ALLOWED_HOSTS` whose addresses are all loopback (a local test double or a
   sidecar: the traffic never leaves the machine).
2. The URL carries no user-info (`https://user@host`).
3. When `KP_IMPORT_ALLOWED_HOSTS` is set, the host equals a listed host or is a subdomain
   of one.
4. The host is resolved once, here; every address must be a public unicast address (not
   loopback, private, link-local, multicast, unspecified, reserved or shared, including
   IPv4 addresses embedded in IPv6 forms). The request then connects to the checked
   address itself (see `client.py`), so a second DNS answer cannot swap in another target.

Allowing a private or loopback target is an explicit operator choice: only a host written
exactly (not a parent domain) in `KP_IMPORT_ALLOWED_HOSTS` skips rule 4, e.g.
`KP_IMPORT_ALLOWED_HOSTS=wiki.internal.example` for an on-premises Confluence, or
`127.0.0.1` for tests.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpx

__all__ = [
    "ResolveFailed",
    "Resolver",
    "Target",
    "TargetNotAllowed",
    "UrlPolicy",
    "is_public_address",
    "system_resolver",
]

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

RESOLVE_TIMEOUT = 5.0  # seconds
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetNotAllowed(Exception):
    """The URL breaks one of the rules of this module; the message says which."""


class ResolveFailed(Exception):
    """The host name could not be resolved (not a policy violation)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the addresses to connect to for it, in resolver order."""

    url: httpx.URL
    host: str
    addresses: tuple[str, ...]


async def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses from the operating system's resolver, duplicates removed."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address, looking inside IPv6 wrappings."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded: IPAddress | None = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_reserved
        or address.is_private
    )


class UrlPolicy:
    """The allow-list and address rules; `check` returns where to connect or raises."""

    def __init__(
        self,
        allowed_hosts: Iterable[str] = (),
        *,
        resolver: Resolver = system_resolver,
        resolve_timeout: float = RESOLVE_TIMEOUT,
    ) -> None:
        self._allowed = frozenset(h.strip().lower().rstrip(".") for h in allowed_hosts if h.strip())
        self._resolver = resolver
        self._resolve_timeout = resolve_timeout

    def host_listed(self, host: str) -> bool:
        """True when no allow-list is set, or `host` is a listed host or a subdomain of one."""
        if not self._allowed:
            return True
        return any(host == allowed or host.endswith("." + allowed) for allowed in self._allowed)

    async def check(self, url: httpx.URL) -> Target:
        """Check `url` and resolve its host.

        Raises:
            TargetNotAllowed: a rule is broken.
            ResolveFailed: the host does not resolve.
        """
        if url.scheme not in ("https", "http"):
            raise TargetNotAllowed("only https URLs may be fetched")
        if url.userinfo:
            raise TargetNotAllowed("URLs with credentials are not allowed")
        host = url.host.lower().rstrip(".")
        if not host:
            raise TargetNotAllowed("the URL has no host")
        if not self.host_listed(host):
            raise TargetNotAllowed(f"host {host} is not in the allow-list")
        explicit = host in self._allowed
        if url.scheme == "http" and not explicit:
            raise TargetNotAllowed("only https URLs may be fetched")
        addresses = await self._resolve(host, url.port or (443 if url.scheme == "https" else 80))
        if not explicit and not all(is_public_address(a) for a in addresses):
            raise TargetNotAllowed(f"host {host} resolves to a non-public address")
        if url.scheme == "http" and not all(a.is_loopback for a in addresses):
            raise TargetNotAllowed("plain http is allowed only to a loopback host")
        return Target(url=url, host=host, addresses=tuple(str(a) for a in addresses))

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            async with asyncio.timeout(self._resolve_timeout):
                found = await self._resolver(host, port)
        except (OSError, TimeoutError) as exc:
            raise ResolveFailed(f"cannot resolve host {host}") from exc
        # Scoped IPv6 addresses (fe80::1%eth0) carry a zone the parser does not take.
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        if not addresses:
            raise ResolveFailed(f"cannot resolve host {host}")
        return addresses
