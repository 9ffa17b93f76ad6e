"""The loopback feed farm: N feeds spread over many 127.0.1.x hosts, each answer delayed (default 100 ms).

Run as its own process (``python bench/farm/server.py --feeds 1000 --hosts 50``) so its CPU is not the
fetcher's; it prints ``READY`` once every host listens. Conditional GET: ETag per feed, 304 when it matches.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib

from aiohttp import web


def feed_body(n: int, items: int) -> bytes:
    parts = []
    for i in range(items):
        parts.append(
            f"<item><title>Siaran pers {n}-{i}: program Makan Bergizi Gratis di daerah {n}</title>"
            f"<link>https://pemda{n}.go.id/berita/2026/11/{i}?utm_source=rss</link>"
            f'<guid isPermaLink="false">pemda{n}-{i}</guid>'
            f"<pubDate>Mon, 16 Nov 2026 {i % 24:02d}:{n % 60:02d}:00 +0700</pubDate>"
            f"<description><![CDATA[<p>Pemerintah daerah {n} menyampaikan berita {i}. "
            f'<a href="https://pemda{n}.go.id/berita/{i}">Selengkapnya</a></p>'
            f"<p>Paragraf kedua dengan <strong>penekanan</strong> dan gambar "
            f'<img src="https://pemda{n}.go.id/img/{i}.jpg" alt="foto"></p>]]></description></item>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Pemda {n}</title>'
        f"<link>https://pemda{n}.go.id/</link><description>Berita</description>{''.join(parts)}</channel></rss>"
    ).encode()


def host(i: int, hosts: int) -> str:
    return f"127.0.1.{1 + i % hosts}"


async def main(feeds: int, hosts: int, items: int, port: int, latency: float) -> None:
    bodies = {f"/feed/{n}.xml": feed_body(n, items) for n in range(feeds)}
    etags = {path: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for path, b in bodies.items()}

    async def handle(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(latency)
        body = bodies.get(request.path)
        if body is None:
            return web.Response(status=404)
        etag = etags[request.path]
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/rss+xml"})

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for h in range(hosts):
        await web.TCPSite(runner, f"127.0.1.{1 + h}", port, backlog=1024).start()
    print("READY", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency", type=float, default=0.1)
    a = ap.parse_args()
    asyncio.run(main(a.feeds, a.hosts, a.items, a.port, a.latency))
