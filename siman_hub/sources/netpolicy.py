"""Network safety: feeds.yaml (and every redirect a feed server sends) must not make the hub reach inside its own
network — a cloud metadata endpoint, an admin panel on loopback, a printer on the office LAN.

The policy has two halves, because aiohttp takes two paths to an address:

- ``check_url`` is a pure check of a URL before it is requested (the fetcher calls it on the feed URL and on
  every redirect hop). It refuses literal addresses in the URL — aiohttp connects to those without asking any
  resolver — and names that are local by definition (``localhost``, ``*.localhost``).
- ``GuardedResolver`` wraps the resolver the connector uses, and drops every answer that is not a public
  unicast address; if nothing is left, the lookup fails with a clear reason. Because the connector connects to
  exactly the addresses this resolver returned, there is no window between check and connect in which a DNS
  answer could change (no TOCTOU, no DNS-rebinding trick).

The policy is on unless ``site.allow_private_addresses: true`` (a test lab or an intranet hub).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class AddressRefused(OSError):
    """A host resolved only to addresses the policy refuses; aiohttp reports it as a connection error."""

    def __init__(self, message: str):
        # errno + strerror, because aiohttp's connection error shows ``strerror`` (None for a bare message)
        super().__init__(errno.EACCES, message)


def _category(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None if it is one."""
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if not ip.is_global:  # shared address space (100.64/10), documentation ranges, benchmarking, ...
        return "non-public"
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo client, NAT64), which is where it goes."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True, slots=True)
class Policy:
    """Refuse everything that is not public unicast, except networks listed in ``allow`` (explicit exceptions)."""

    allow: tuple[IPNetwork, ...] = field(default=())

    def refusal(self, ip: IPAddress | str) -> str | None:
        """Why connecting to ``ip`` is refused (e.g. ``"10.0.0.5 is a private address"``), or None."""
        addr = ipaddress.ip_address(ip.split("%", 1)[0] if isinstance(ip, str) else ip)
        if any(addr in net for net in self.allow if net.version == addr.version):
            return None
        if isinstance(addr, ipaddress.IPv6Address) and (v4 := _embedded_v4(addr)) is not None:
            # the packet ends up at the IPv4 address, so that is the one judged
            if any(v4 in net for net in self.allow if net.version == 4):
                return None
            why = _category(v4)
            return f"{addr} carries {v4}, a {why} address" if why else None
        if (why := _category(addr)) is not None:
            return f"{addr} is a {why} address"
        return None

    def check_url(self, url: str) -> str | None:
        """Pure, no DNS: a reason to refuse ``url`` before requesting it, or None (names go to the resolver)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError as exc:
            return f"refused: invalid URL {url!r}: {exc}"
        if parts.scheme not in ("http", "https"):
            return None  # file: and friends are not network access; the fetcher decides what it supports
        if not host:
            return f"refused: no host in {url!r}"
        host = host.rstrip(".").lower()
        literal = _literal_address(host)
        if literal is not None:
            why = self.refusal(literal)
            return f"refused by network policy: {why} ({url})" if why else None
        if _looks_numeric(host):
            return f"refused by network policy: {host!r} is not a canonical IP address ({url})"
        if host in _LOCAL_NAMES or host.endswith(".localhost"):
            return f"refused by network policy: {host} is a local name ({url})"
        return None


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _looks_numeric(host: str) -> bool:
    """``2130706433``, ``0x7f.1``, ``127.1``: legacy IPv4 spellings that getaddrinfo would map onto an address."""
    labels = host.split(".")
    return all(lbl.isdigit() or (lbl[:2] == "0x" and _is_hex(lbl[2:])) for lbl in labels if lbl) and any(
        labels
    )


def _is_hex(s: str) -> bool:
    return not s or all(c in "0123456789abcdef" for c in s)


DEFAULT_POLICY = Policy()


def check_url(url: str) -> str | None:
    """The default policy's URL check, shaped as the fetcher's ``Guard`` hook."""
    return DEFAULT_POLICY.check_url(url)


class GuardedResolver(AbstractResolver):
    """A resolver that returns only addresses the policy allows (wrapping aiohttp's default resolver).

    Answers that are partly public and partly private keep only the public part: the connector then cannot pick
    the private one. A host with no allowed address fails with ``AddressRefused`` naming what it resolved to.
    """

    def __init__(self, inner: AbstractResolver | None = None, policy: Policy = DEFAULT_POLICY):
        self._inner = inner
        self.policy = policy

    def _resolver(self) -> AbstractResolver:
        if self._inner is None:
            from aiohttp.resolver import DefaultResolver

            self._inner = DefaultResolver()  # needs the running loop, so it is made on first use
        return self._inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.rstrip(".").lower()
        if name in _LOCAL_NAMES or name.endswith(".localhost"):
            raise AddressRefused(f"refused by network policy: {host} is a local name")
        answers = await self._resolver().resolve(host, port, family)
        kept, refused = filter_answers(answers, self.policy)
        if not kept:
            reasons = "; ".join(refused) or "no address at all"
            raise AddressRefused(
                f"refused by network policy: {host} resolves only to refused addresses: {reasons}"
            )
        return kept

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.close()


def filter_answers(answers: Iterable[ResolveResult], policy: Policy = DEFAULT_POLICY
                   ) -> tuple[list[ResolveResult], list[str]]:  # fmt: skip
    """(allowed answers, reasons for the refused ones): the pure core of ``GuardedResolver``."""
    kept: list[ResolveResult] = []
    refused: list[str] = []
    for answer in answers:
        try:
            why = policy.refusal(answer["host"])
        except ValueError:
            why = f"{answer['host']!r} is not an IP address"
        if why is None:
            kept.append(answer)
        else:
            refused.append(why)
    return kept, refused
