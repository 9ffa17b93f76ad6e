"""URL canonicalization: one spelling per article, so identity and cross-source dedupe see through cosmetics."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid", "_ga", "ref", "ref_src",
     "spm", "s_cid", "amp"}
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "ga_")


def _is_tracking(name: str) -> bool:
    n = name.lower()
    return n in TRACKING_PARAMS or n.startswith(_TRACKING_PREFIXES)


_URL_JUNK = re.compile(r"[\x00-\x20\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _clean_url_text(href: str) -> str:
    """Percent-encode what a URL cannot hold raw (control characters, spaces), drop bidi marks and lone
    surrogates: a control character in a published link breaks the XML writers, a bidi mark spoofs it."""

    def enc(m: re.Match[str]) -> str:
        c = m.group()
        return "" if c >= "\u200e" or "\ud800" <= c <= "\udfff" else quote(c, safe="")

    return _URL_JUNK.sub(enc, href)


def resolve(href: str | None, base: str | None) -> str | None:
    """Absolute URL of ``href`` against ``base``; None for empty or non-web schemes."""
    if not href:
        return None
    href = _clean_url_text(href.strip())
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # "http://[" and the like: no one can follow it, and one bad link must not fail a feed
        return None
    return url if scheme in ("http", "https") else None


def strip_tracking(url: str) -> str:
    """Drop utm_* and friends but keep everything else exactly as published."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def canonical(url: str | None) -> str | None:
    """Comparison key for a URL: https, lower-case host without www./m., no tracking, fragment or trailing slash.

    Only ever used to compare; the original URL is what readers are sent to.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port  # raises for a port out of range ("https://x.go.id:99999/")
    except ValueError:
        return None
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    port = port if port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    if path.endswith("/") and path != "/":
        path = path.rstrip("/") or "/"  # "//" is the root too: one key, so canonical() is idempotent
    for suffix in ("/amp", "/index.html", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)] or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit(("https", netloc, path, urlencode(query), ""))
