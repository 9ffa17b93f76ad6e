"""sitemap.xml (a sitemap index past 45,000 URLs, below the protocol's 50,000 limit) and robots.txt."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import escape

CHUNK = 45_000
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _urlset(base_url: str, url_paths: Iterable[str]) -> bytes:
    body = "\n".join(f"<url><loc>{escape(base_url + p)}</loc></url>" for p in url_paths)
    return (
        _HEAD + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body + "\n</urlset>\n"
    ).encode("utf-8")


def write_sitemaps(base_url: str, url_paths: Iterable[str], emit: Callable[[str, bytes], None]) -> None:
    paths = sorted(url_paths)
    write_sorted_sitemaps(base_url, len(paths), iter(paths), emit)


def write_sorted_sitemaps(base_url: str, count: int, url_paths: Iterator[str],
                          emit: Callable[[str, bytes], None]) -> None:  # fmt: skip
    """The sitemap of ``count`` URL paths read in sorted order from ``url_paths`` (a cursor of the build's page
    store): one file of at most :data:`CHUNK` URLs held at a time, however large the site."""
    if count <= CHUNK:
        emit("sitemap.xml", _urlset(base_url, url_paths))
        return
    names = []
    for n in range(1, (count + CHUNK - 1) // CHUNK + 1):
        name = f"sitemaps/sitemap-{n}.xml"
        emit(name, _urlset(base_url, list(islice(url_paths, CHUNK))))
        names.append(name)
    body = "\n".join(f"<sitemap><loc>{escape(base_url + n)}</loc></sitemap>" for n in names)
    emit(
        "sitemap.xml",
        (_HEAD + '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + body
         + "\n</sitemapindex>\n").encode("utf-8"),
    )  # fmt: skip


def robots(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n".encode()
