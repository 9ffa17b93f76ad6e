"""HTML from feeds is hostile until cleaned: one allowlist sanitizer (nh3, the Rust ammonia library), applied once
at ingest after relative URLs are resolved. Everything downstream trusts ``summary``/``content`` as safe HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import partial

import nh3
from lxml import html as lxml_html

from .attrscan import attr_search

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "q",
    "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
_URL_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_RELATIVE_REF = re.compile(
    r"""(?=[hscpabHSCPAB])(?:href|src|srcset|cite|poster|action|background)\s*=\s*["']?+\s*+(?!https?:|mailto:|#)""",
    re.I,
)
_has_relative_ref = attr_search(_RELATIVE_REF, ("href", "src", "cite", "poster", "action", "background"))


def _resolve_links(fragment: str, base: str | None) -> str:
    if not base or not fragment.strip() or not _has_relative_ref(fragment):
        return fragment  # nothing relative: skip the (comparatively slow) lxml round-trip
    try:
        doc = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # malformed beyond lxml's recovery: sanitize without resolving
        return fragment
    try:
        doc.make_links_absolute(base, resolve_base_href=True, handle_failures="discard")
    except ValueError:
        # a control character hidden in an entity (href="&#14;javascript:..."): lxml refuses to set it
        return fragment
    out = lxml_html.tostring(doc, encoding="unicode")
    return out[5:-6] if out.startswith("<div>") and out.endswith("</div>") else out


def _cleaner(**options: object) -> Callable[[str], str]:
    """A sanitizer built once: nh3's ``Cleaner`` keeps the allowlists on the Rust side, 3-5× faster per call
    than ``nh3.clean`` (which converts them on every call). Same library, same options, same output."""
    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**options).clean  # type: ignore[arg-type]
    return partial(nh3.clean, **options)  # type: ignore[arg-type]  # nh3 < 0.2.18


_CLEAN_HTML = _cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRS,
    url_schemes=_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_STRIP_TAGS = _cleaner(tags=set(), attributes={})


def clean_html(fragment: str | None, base: str | None = None) -> str:
    """Safe HTML: relative links made absolute against ``base``, then everything not allowlisted removed."""
    if not fragment:
        return ""
    fragment = _CONTROL.sub("", fragment)
    resolved = _resolve_links(fragment, base)
    return _CLEAN_HTML(resolved).strip()


def plain_text(value: str | None, limit: int | None = None) -> str:
    """Titles and authors are plain text: tags dropped, entities decoded, bidi/control characters removed."""
    if not value:
        return ""
    text = _STRIP_TAGS(value)
    text = html.unescape(text)
    text = _CONTROL.sub("", text)
    text = " ".join(text.split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
