"""HTTP (and file:) retrieval of feed bodies. Thin I/O: it reports what happened; ``ingest`` decides what it means."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiohttp

from .. import __version__

USER_AGENT = f"siman-hub/{__version__} (+https://github.com/siman-hub; government news aggregator)"
MAX_BODY = 16 * 1024 * 1024


@dataclass(slots=True)
class Response:
    url: str
    status: int | None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    duration_ms: int = 0
    redirected_permanently_to: str | None = None


async def fetch_one(
    session: aiohttp.ClientSession | None,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 30.0,
    user_agent: str | None = None,
) -> Response:
    start = time.monotonic()
    if url.startswith("file:"):
        return _read_file(url, start)
    assert session is not None
    headers = {"User-Agent": user_agent or USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, "
               "application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}  # fmt: skip
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with session.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)) as resp:
            body = b""
            if resp.status == 200:
                chunks, size = [], 0
                async for chunk in resp.content.iter_chunked(65536):
                    size += len(chunk)
                    if size > MAX_BODY:
                        return Response(url, resp.status, error=f"body larger than {MAX_BODY} bytes",
                                        duration_ms=_ms(start))  # fmt: skip
                    chunks.append(chunk)
                body = b"".join(chunks)
            return Response(str(resp.url), resp.status, body, {k.lower(): v for k, v in resp.headers.items()},
                            duration_ms=_ms(start))  # fmt: skip
    except TimeoutError:
        return Response(url, None, error=f"timeout after {timeout:.0f} s", duration_ms=_ms(start))
    except aiohttp.ClientError as exc:
        return Response(url, None, error=f"{type(exc).__name__}: {exc}", duration_ms=_ms(start))


def _ms(start: float) -> int:
    return int((time.monotonic() - start) * 1000)


def _read_file(url: str, start: float) -> Response:
    path = Path(unquote(urlsplit(url).path))
    try:
        body = path.read_bytes()
    except OSError as exc:
        return Response(url, None, error=f"cannot read {path}: {exc.strerror}", duration_ms=_ms(start))
    return Response(url, 200, body, {}, duration_ms=_ms(start))


async def fetch_many(
    requests: list[tuple[str, dict[str, str | None]]], concurrency: int = 50
) -> list[Response]:
    sem = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=8)
    async with aiohttp.ClientSession(connector=connector, auto_decompress=True) as session:

        async def one(url: str, kw: dict[str, str | None]) -> Response:
            async with sem:
                return await fetch_one(session, url, **kw)  # type: ignore[arg-type]

        return await asyncio.gather(*(one(u, kw) for u, kw in requests))
