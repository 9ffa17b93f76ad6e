"""URL canonicalization: one spelling per article, so identity and cross-source dedupe see through cosmetics."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

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


# An href that urljoin() and urlsplit() hand back unchanged whatever the base: a lower-case http(s) scheme, a
# non-empty host, and none of what those functions rewrite (";" params, "#" fragment, a trailing empty "?").
# ASCII without brackets also means urlsplit() cannot raise (its only errors are IPv6 brackets and NFKC hosts).
# Most feed links look like this, so they skip three parses and a re-assembly.
_PLAIN_ABSOLUTE = re.compile(r"https?://[^/?#;\[\]][^#;\[\]]*(?<!\?)\Z")


@lru_cache(maxsize=1024)
def _base_parses(base: str) -> bool:
    """Whether urljoin() can parse ``base``: a feed's base repeats for every item, so it is checked once."""
    try:
        urlsplit(base)
    except ValueError:
        return False
    return True


def resolve(href: str | None, base: str | None) -> str | None:
    """Absolute URL of ``href`` against ``base``; None for empty or non-web schemes."""
    if not href:
        return None
    href = _clean_url_text(href.strip())
    if href.isascii() and _PLAIN_ABSOLUTE.match(href):
        return href if not base or _base_parses(base) else None
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # "http://[" and the like: no one can follow it, and one bad link must not fail a feed
        return None
    return url if scheme in ("http", "https") else None


@lru_cache(maxsize=4096)
def _clean_queries(query: str) -> tuple[str, str]:
    """The query without tracking parameters, as published order and sorted (the canonical key's).

    Parsed once for both; queries repeat across items ("utm_source=rss" on every link of a feed), hence the cache.
    """
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _is_tracking(k)]
    return urlencode(pairs), urlencode(sorted(pairs))


def strip_tracking(url: str) -> str:
    """Drop utm_* and friends but keep everything else exactly as published."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    return urlunsplit(parts._replace(query=_clean_queries(parts.query)[0]))


@lru_cache(maxsize=1024)
def _canonical_netloc(netloc: str) -> str | None:
    """Lower-case host without www./m./amp. and default ports; None for a port no one can connect to.

    Depends on the netloc alone, which repeats for every item of a feed.
    """
    parts = SplitResult("", netloc, "", "", "")
    try:
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port  # raises for a port out of range ("https://x.go.id:99999/")
    except ValueError:
        return None
    stripped = True
    while (
        stripped
    ):  # every leading prefix ("m.www.", "m.m."), so that canonical(canonical(u)) == canonical(u)
        stripped = False
        for prefix in ("www.", "m.", "amp."):
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                stripped = True
    port = port if port not in (None, 80, 443) else None
    return f"{host}:{port}" if port else host


def canonical(url: str | None) -> str | None:
    """Comparison key for a URL: https, lower-case host without www./m., no tracking, fragment or trailing slash.

    Only ever used to compare; the original URL is what readers are sent to.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    netloc = _canonical_netloc(parts.netloc)
    if netloc is None:
        return None
    path = parts.path or "/"
    if path.endswith("/") and path != "/":
        path = path.rstrip("/") or "/"  # "//" is the root too: one key, so canonical() is idempotent
    for suffix in ("/amp", "/index.html", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)] or "/"
    query = _clean_queries(parts.query)[1] if parts.query else ""
    return urlunsplit(("https", netloc, path, query, ""))
