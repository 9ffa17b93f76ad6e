"""Network safety policy: private, loopback, link-local, multicast, reserved and unspecified addresses are refused,
in URLs, in DNS answers and on redirect hops.

No test here sends a packet beyond loopback: names are answered by a stub resolver, and the only servers are on
127.0.0.1 / 127.0.0.2 (both loopback). A refused address is refused before any connection is attempted, which
the tests prove by counting the requests the would-be victim server received.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path

import aiohttp
import pytest
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import given
from hypothesis import strategies as st
from support.feedserver import FeedServer, Reply

from siman_hub.sources import netpolicy
from siman_hub.sources.fetch import Fetcher, Limits, Response
from siman_hub.sources.fetch import Request as FetchRequest
from siman_hub.sources.netpolicy import AddressRefused, GuardedResolver, Policy

from .hubkit import Src, cli, rss, write_config

REFUSED_URLS = [
    "http://127.0.0.1/feed",
    "http://127.8.9.10:8080/feed",
    "http://10.0.0.5/rss",
    "http://172.16.3.4/rss",
    "http://172.31.255.255/rss",
    "http://192.168.1.1/rss",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    "http://[::1]/feed",
    "http://[::]/feed",
    "http://[fe80::1]/feed",
    "http://[fe80::1%25eth0]/feed",
    "http://[fc00::1]/feed",
    "http://[fd12:3456::1]/feed",
    "http://[ff02::1]/feed",
    "http://[::ffff:127.0.0.1]/feed",  # IPv4-mapped IPv6
    "http://[::ffff:10.1.2.3]/feed",
    "http://[::ffff:169.254.169.254]/feed",
    "http://[2002:c0a8:101::]/feed",  # 6to4 carrying 192.168.1.1
    "http://[64:ff9b::a00:1]/feed",  # NAT64 carrying 10.0.0.1
    "http://localhost/feed",
    "http://LOCALHOST./feed",
    "http://admin.localhost/feed",
    "http://2130706433/feed",  # 127.0.0.1 as one decimal number
    "http://0x7f.0.0.1/feed",
    "http://0177.0.0.1/feed",  # octal
    "http://127.1/feed",
]

ALLOWED_URLS = [
    "https://www.kemkes.go.id/feed",
    "http://jatengprov.go.id/rss.xml",
    "http://8.8.8.8/feed",
    "http://[2001:4860:4860::8888]/feed",
    "https://1e100.net/x",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_refuses_non_public_urls(url: str) -> None:
    reason = netpolicy.check_url(url)
    assert reason is not None and reason.startswith("refused"), url


@pytest.mark.parametrize("url", ALLOWED_URLS)
def test_allows_public_urls(url: str) -> None:
    assert netpolicy.check_url(url) is None


def test_url_check_never_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure check must not touch DNS: names are decided by the resolver the connection really uses."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("check_url performed a DNS lookup")

    monkeypatch.setattr(socket, "getaddrinfo", boom)
    assert netpolicy.check_url("http://intranet.example.go.id/feed") is None


@given(st.ip_addresses(v=4))
def test_ipv4_verdict_matches_ipaddress_and_mapped_form_agrees(ip: ipaddress.IPv4Address) -> None:
    public = ip.is_global and not ip.is_multicast
    policy = Policy()
    assert (policy.refusal(ip) is None) == public
    # every IPv4 address refused on its own is refused in IPv4-mapped IPv6 form too, and vice versa
    mapped = ipaddress.IPv6Address(f"::ffff:{ip}")
    assert (policy.refusal(mapped) is None) == public


@given(st.sampled_from(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16"]),
       st.integers(min_value=0, max_value=2**24 - 1))  # fmt: skip
def test_every_address_of_private_ranges_is_refused(net: str, offset: int) -> None:
    network = ipaddress.ip_network(net)
    ip = network[offset % network.num_addresses]
    assert Policy().refusal(ip) is not None
    assert netpolicy.check_url(f"http://{ip}:8080/feed.xml") is not None


def test_explicit_allow_list() -> None:
    policy = Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),))
    assert policy.refusal("127.0.0.1") is None
    assert policy.refusal("::ffff:127.0.0.1") is None
    assert policy.refusal("127.0.0.2") is not None


# --- the resolver wrapper, with a stub resolver ---------------------------------------------------------------


class StubResolver(AbstractResolver):
    """Answers from a table; records every question. Never touches the network."""

    def __init__(self, table: dict[str, list[str]]):
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        name = host.rstrip(".")
        if name not in self.table:
            raise OSError(f"stub: no such host {host}")
        return [
            ResolveResult(hostname=host, host=ip, port=port,
                          family=socket.AF_INET6 if ":" in ip else socket.AF_INET, proto=0, flags=0)
            for ip in self.table[name]
        ]  # fmt: skip

    async def close(self) -> None:
        pass


TABLE = {
    "feeds.example.go.id": ["203.0.113.7"],  # documentation range: not global either
    "public.example.go.id": ["8.8.4.4", "2001:4860:4860::8844"],
    "mixed.example.go.id": ["10.0.0.9", "8.8.4.4"],
    "rebind.example.go.id": ["169.254.169.254"],
    "mapped.example.go.id": ["::ffff:192.168.0.10"],
    "v6local.example.go.id": ["fd00::5", "fe80::1"],
}


def _resolve(name: str, policy: Policy = netpolicy.DEFAULT_POLICY) -> list[ResolveResult]:
    async def go() -> list[ResolveResult]:
        r = GuardedResolver(StubResolver(TABLE), policy)
        try:
            return await r.resolve(name, 443)
        finally:
            await r.close()

    return asyncio.run(go())


def test_resolver_passes_public_answers() -> None:
    assert [a["host"] for a in _resolve("public.example.go.id")] == ["8.8.4.4", "2001:4860:4860::8844"]


def test_resolver_keeps_only_public_part_of_a_mixed_answer() -> None:
    """A connector must not be able to pick the private address of a mixed answer."""
    assert [a["host"] for a in _resolve("mixed.example.go.id")] == ["8.8.4.4"]


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("rebind.example.go.id", "169.254.169.254 is a link-local"),
        ("mapped.example.go.id", "carries 192.168.0.10, a private"),
        ("v6local.example.go.id", "fd00::5 is a private"),
        ("feeds.example.go.id", "203.0.113.7 is a"),  # documentation range
        ("localhost", "local name"),
    ],
)
def test_resolver_refuses_private_answers_with_reason(name: str, needle: str) -> None:
    with pytest.raises(AddressRefused, match="refused by network policy") as err:
        _resolve(name)
    assert needle in str(err.value)


# --- end to end through aiohttp: the check sits where the connection is made, redirects included -------------


LOOPBACK_ONLY = Policy(allow=(ipaddress.ip_network("127.0.0.1/32"),))


def _victim() -> FeedServer:
    """A server on 127.0.0.2 (still loopback) standing in for an intranet host the policy must protect."""
    try:
        return FeedServer(host="127.0.0.2")
    except OSError:  # pragma: no cover - loopback other than .1 not routable here
        pytest.skip("127.0.0.2 is not bindable on this machine")


async def _get(url: str, stub: StubResolver, follow: bool = True) -> tuple[int | None, str]:
    resolver = GuardedResolver(stub, LOOPBACK_ONLY)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=resolver)) as session:
        try:
            async with session.get(url, allow_redirects=follow) as resp:
                return resp.status, await resp.text()
        except aiohttp.ClientError as exc:
            return None, str(exc)


def test_guarded_connector_refuses_name_pointing_inside(feed_server: FeedServer) -> None:
    with _victim() as victim:
        victim.route("/secret", Reply(200, b"intranet secret"))
        stub = StubResolver({"intranet.example.go.id": ["127.0.0.2"]})
        status, text = asyncio.run(_get(f"http://intranet.example.go.id:{victim.port}/secret", stub))
        assert status is None and "refused by network policy" in text
        assert victim.requests == [], "the refused address was contacted"


def test_guarded_connector_refuses_redirect_hop_into_private_space(feed_server: FeedServer) -> None:
    with _victim() as victim:
        victim.route("/secret", Reply(200, b"intranet secret"))
        feed_server.route(
            "/feed", Reply(302, b"", {"Location": f"http://intranet.example.go.id:{victim.port}/secret"})
        )
        stub = StubResolver({"feeds.example.go.id": ["127.0.0.1"], "intranet.example.go.id": ["127.0.0.2"]})
        status, text = asyncio.run(_get(f"http://feeds.example.go.id:{feed_server.port}/feed", stub))
        assert status is None and "refused by network policy" in text
        assert len(feed_server.requests) == 1  # the allowed first hop was made
        assert victim.requests == []
        assert stub.asked.count("intranet.example.go.id") == 1


def test_guarded_connector_allows_permitted_address(feed_server: FeedServer) -> None:
    feed_server.route("/feed", Reply(200, b"<rss/>"))
    stub = StubResolver({"feeds.example.go.id": ["127.0.0.1"]})
    status, text = asyncio.run(_get(f"http://feeds.example.go.id:{feed_server.port}/feed", stub))
    assert (status, text) == (200, "<rss/>")


# --- wired into the production fetcher and the CLI --------------------------------------------------------------


async def _fetch_with_policy(url: str, stub: StubResolver) -> Response:
    async with Fetcher(
        Limits(deadline=10), LOOPBACK_ONLY.check_url, GuardedResolver(stub, LOOPBACK_ONLY)
    ) as f:
        return await f.fetch(FetchRequest(url))


@pytest.mark.parametrize("hop", ["name", "literal"])
def test_fetcher_refuses_redirect_into_private_space(feed_server: FeedServer, hop: str) -> None:
    with _victim() as victim:
        victim.route("/secret", Reply(200, b"intranet secret"))
        target = (f"http://intranet.example.go.id:{victim.port}/secret" if hop == "name"
                  else f"http://127.0.0.2:{victim.port}/secret")  # fmt: skip
        feed_server.route("/feed", Reply(301, b"", {"Location": target}))
        stub = StubResolver({"feeds.example.go.id": ["127.0.0.1"], "intranet.example.go.id": ["127.0.0.2"]})
        resp = asyncio.run(_fetch_with_policy(f"http://feeds.example.go.id:{feed_server.port}/feed", stub))
        assert resp.error and "refused by network policy" in resp.error, resp
        assert resp.body == b""
        assert victim.requests == []


def test_production_default_refuses_loopback_feed_and_sends_nothing(tmp_path: Path, feed_server: FeedServer
                                                                     ) -> None:  # fmt: skip
    """No ``allow_private_addresses`` in feeds.yaml: the policy is on, the source is reported, nothing is sent."""
    feed_server.route("/feed.xml", Reply(200, rss("Lokal", [{"title": "x", "link": "https://x.go.id/1",
                                                               "guid": "1"}])))  # fmt: skip
    cfg = write_config(tmp_path, [Src("lokal", feed_server.url("/feed.xml"))], allow_private=False)
    cfg.write_text(cfg.read_text().replace("  allow_private_addresses: false\n", ""))
    result = cli(cfg, "fetch")
    assert "lokal" in result.stderr and "refused by network policy" in result.stderr, result.stderr
    assert feed_server.requests == []
    # switching it off for a lab is explicit, and then the same feed is fetched
    cfg2 = write_config(tmp_path, [Src("lokal", feed_server.url("/feed.xml"))], allow_private=True)
    result = cli(cfg2, "fetch", "--source", "lokal")
    assert result.returncode == 0 and len(feed_server.requests) == 1, result.stderr
