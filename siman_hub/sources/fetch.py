"""HTTP (and file:) retrieval of feed bodies. Thin I/O: it reports what happened; ``ingest`` decides what it means.

Politeness and safety live here because they are properties of the connection, not of the feed:
- a global concurrency limit and a per-host limit (many regional sites share one hosting provider);
- connect / read timeouts and a total deadline per source (redirects and the 403 retry included);
- a maximum body size enforced while streaming (after decompression, so an endless body or a gzip bomb stops at
  the limit instead of filling memory);
- redirects followed by hand, so a permanent move (301/308) can be told from a temporary one (302/307) and a
  loop ends with a clear error;
- a descriptive User-Agent, and one retry with a browser-like one when a WAF answers 403.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from .. import __version__

USER_AGENT = f"siman-hub/{__version__} (government news aggregator; +https://github.com/siman-hub)"
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 "
    f"siman-hub/{__version__}"
)
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5"
)
MAX_BODY = 16 * 1024 * 1024
MAX_REDIRECTS = 8
_PERMANENT = {301, 308}
_REDIRECTS = {301, 302, 303, 307, 308}

# A hook for network safety (refusing private addresses) — a later issue fills it; returns an error or None.
Guard = Callable[[str], str | None]


@dataclass(slots=True)
class Request:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    user_agent: str | None = None
    browser_ua_first: bool = False


@dataclass(slots=True)
class Response:
    url: str
    status: int | None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_ms: int = 0
    redirected_permanently_to: str | None = None
    redirects: list[tuple[int, str]] = field(default_factory=list)
    used_browser_ua: bool = False

    @property
    def nbytes(self) -> int:
        return len(self.body)


@dataclass(frozen=True, slots=True)
class Limits:
    concurrency: int = 200
    per_host: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_body: int = MAX_BODY


class _TooLarge(Exception):
    pass


class Fetcher:
    """One aiohttp session shared by every request of a run: ``async with Fetcher() as f: await f.fetch(req)``."""

    def __init__(self, limits: Limits | None = None, guard: Guard | None = None,
                 resolver: AbstractResolver | None = None):  # fmt: skip
        self.limits = limits or Limits()
        self.guard = guard
        # network policy: every DNS answer (redirect hops included) passes through this resolver
        self.resolver = resolver
        self._global = asyncio.Semaphore(self.limits.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            limit=0, limit_per_host=0, ttl_dns_cache=300, enable_cleanup_closed=True, resolver=self.resolver
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=True,
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=self.limits.connect_timeout, sock_read=self.limits.read_timeout
            ),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self.resolver is not None:  # a resolver passed in is not closed by the connector
            await self.resolver.close()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.limits.per_host)
        return sem

    async def fetch(self, req: Request) -> Response:
        start = time.monotonic()
        if req.url.startswith("file:"):
            resp = _read_file(req.url, self.limits.max_body)
        else:
            async with self._global, self._host_limit(req.url):
                try:
                    async with asyncio.timeout(self.limits.deadline):
                        resp = await self._fetch_with_fallback(req)
                except TimeoutError:
                    resp = Response(req.url, None, error=f"timeout: no complete answer within "
                                    f"{self.limits.deadline:g} s")  # fmt: skip
        resp.duration_ms = int((time.monotonic() - start) * 1000)
        return resp

    async def _fetch_with_fallback(self, req: Request) -> Response:
        ours = req.user_agent or USER_AGENT
        if req.browser_ua_first:
            return await self._follow(req, BROWSER_USER_AGENT, browser=True)
        resp = await self._follow(req, ours, browser=False)
        if resp.status == 403 and not req.user_agent:
            retry = await self._follow(req, BROWSER_USER_AGENT, browser=True)
            if retry.status != 403:
                return retry
        return resp

    async def _follow(self, req: Request, user_agent: str, *, browser: bool) -> Response:
        assert self._session is not None
        url = req.url
        seen = [url]
        hops: list[tuple[int, str]] = []
        permanent_to: str | None = None
        only_permanent = True
        headers = {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate, br"}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        for _ in range(MAX_REDIRECTS + 1):
            if self.guard and (refusal := self.guard(url)):
                return Response(url, None, error=refusal, redirects=hops)
            try:
                async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
                    status = resp.status
                    resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                    if status in _REDIRECTS and "location" in resp_headers:
                        target = urljoin(url, resp_headers["location"].strip())
                        hops.append((status, target))
                        if status in _PERMANENT and only_permanent:
                            permanent_to = target
                        else:
                            only_permanent = False
                        if target in seen:
                            chain = " → ".join([*seen, target])
                            return Response(req.url, status, error=f"redirect loop: {chain}", redirects=hops)
                        if urlsplit(target).scheme not in ("http", "https"):
                            return Response(req.url, status, error=f"redirect to unsupported URL {target!r}",
                                            redirects=hops)  # fmt: skip
                        seen.append(target)
                        url = target
                        continue
                    body = b""
                    if 200 <= status < 300:
                        body = await _read_limited(resp, self.limits.max_body)
                    return Response(str(resp.url), status, body, resp_headers, redirects=hops,
                                    redirected_permanently_to=permanent_to, used_browser_ua=browser)  # fmt: skip
            except _TooLarge:
                return Response(url, None, error=f"body larger than {self.limits.max_body} bytes: stopped reading",
                                redirects=hops)  # fmt: skip
            except aiohttp.ClientPayloadError as exc:
                return Response(url, None, error=f"broken body: {_payload_reason(exc)}", redirects=hops)
            except aiohttp.ServerTimeoutError as exc:
                return Response(url, None, error=f"timeout: {exc or 'server too slow'}", redirects=hops)
            except aiohttp.ClientError as exc:
                return Response(url, None, error=f"{type(exc).__name__}: {exc}", redirects=hops)
            except (OSError, ValueError) as exc:
                return Response(url, None, error=f"{type(exc).__name__}: {exc}", redirects=hops)
        return Response(req.url, None, error=f"too many redirects (> {MAX_REDIRECTS}): {' → '.join(seen)}",
                        redirects=hops)  # fmt: skip


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(65536):
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _payload_reason(exc: aiohttp.ClientPayloadError) -> str:
    text = str(exc)
    if "content-encoding" in text.lower() or "decod" in text.lower():
        return f"cannot decompress (Content-Encoding says compressed, data is not): {text}"
    return text or type(exc).__name__


def _read_file(url: str, limit: int) -> Response:
    path = Path(unquote(urlsplit(url).path))
    try:
        with path.open("rb") as fh:
            body = fh.read(limit + 1)
    except OSError as exc:
        return Response(url, None, error=f"cannot read {path}: {exc.strerror}")
    if len(body) > limit:
        return Response(url, None, error=f"file larger than {limit} bytes")
    return Response(url, 200, body, {})
