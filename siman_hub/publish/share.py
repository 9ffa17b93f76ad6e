"""The share kit's decisions: short codes, captions, hashtags and share-link URLs. Pure: no I/O.

A civil servant amplifying a program achievement needs a ready-to-post text and a link that still works in a
year. So a story's short link ``s/<code>/`` is derived from its cluster id (never from a counter that depends on
build order), the caption is assembled from data the hub already has (title, summary, program hashtags from
feeds.yaml), and every share link is a plain URL of the network's documented share endpoint: no script, no
tracking, nothing loaded from the networks until the reader clicks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from ..config import Program

#: Crockford's base32 in lower case: no i, l, o, u, so a code read aloud or retyped from a poster survives.
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
#: Shortest code. 32**5 = 33.5 million: on a 10,000-story hub a couple of stories need a sixth character.
MIN_CODE = 5
SUMMARY_CHARS = 200


def code_digits(story_id: str) -> str:
    """The story's full code (26 characters): every short code of the story is a prefix of it."""
    n = int.from_bytes(hashlib.blake2b(story_id.encode(), digest_size=16).digest(), "big")
    out = []
    for _ in range(26):
        n, r = divmod(n, 32)
        out.append(ALPHABET[r])
    return "".join(out)


def assign_codes(ordered_ids: Iterable[str], previous: Mapping[str, str] | None = None) -> dict[str, str]:
    """story id → short code, shortest prefix of ``code_digits`` not taken.

    The rule that makes a code stable forever: codes handed out before (``previous``, the published site's
    table) are kept as they are, even for stories that no longer exist (a code is never reused for another
    story). The remaining stories take codes in ``ordered_ids`` order, the order the hub first saw them, so on
    a collision the story seen first keeps the shorter code and a later one gets one character more. Without a
    previous table (a new site, a lost output directory) the same rule over the same order gives the same codes.
    """
    codes: dict[str, str] = {}
    taken: set[str] = set()
    for sid, code in (previous or {}).items():
        if len(code) >= MIN_CODE and code_digits(sid).startswith(code) and code not in taken:
            codes[sid] = code
            taken.add(code)
    for sid in ordered_ids:
        if sid in codes:
            continue
        digits = code_digits(sid)
        n = MIN_CODE
        while digits[:n] in taken and n < len(digits):
            n += 1
        if digits[:n] in taken:  # 26 characters alike: two ids with the same hash, cannot be told apart
            raise ValueError(f"short code collision between story {sid!r} and another story")
        codes[sid] = digits[:n]
        taken.add(digits[:n])
    return codes


_PARENS = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[^\W_]+")


def hashtag(program: Program) -> str:
    """The program's hashtag from feeds.yaml, or one derived from its name ("Program 3 Juta Rumah" →
    ``#Program3JutaRumah``; an abbreviation in parentheses is left out)."""
    tag = program.hashtag.strip()
    if tag:
        return tag if tag.startswith("#") else "#" + tag
    words = _WORD.findall(_PARENS.sub(" ", program.name)) or _WORD.findall(program.name) or [program.id]
    return "#" + "".join(w[:1].upper() + w[1:] for w in words)


def plain_text(html: str) -> str:
    """Feed HTML as one line of text (tags dropped, entities decoded, whitespace collapsed)."""
    return Markup(html).striptags()


def trim_words(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if text[limit - 1] != " " and space > limit // 2:  # mid-word: back to the last whole word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


#: WordPress-style "read more" marks that end many feed summaries ("… sebagai [&#8230;]").
_MORE = re.compile(r"\s*\[(?:…|\.\.\.|&hellip;|&#8230;)\]\s*$")


def caption(title: str, summary: str, link: str, hashtags: Sequence[str]) -> str:
    """The ready-to-post caption: title, short summary, short link, hashtags, one paragraph each."""
    summary = _MORE.sub("…", summary.strip())
    parts = [" ".join(title.split()), trim_words(summary, SUMMARY_CHARS) if summary else "", link,
             " ".join(hashtags)]  # fmt: skip
    return "\n\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class ShareLink:
    network: str  # stable id, the CSS class and test handle
    label: str  # the network's own name (not translated)
    href: str


def _q(text: str) -> str:
    return quote(text, safe="")


def share_links(
    story_url: str, short_url: str, title: str, text: str, hashtags: Sequence[str]
) -> list[ShareLink]:
    """One documented share URL per network, every parameter percent-encoded (UTF-8).

    Facebook gets the story's own URL (its crawler reads the page's Open Graph tags, and a redirect page would
    show as the link); the others get the short link. X's web intent takes hashtags without ``#`` as their own
    parameter; e-mail follows RFC 6068 (CRLF line breaks in the body).
    """
    bare = ",".join(h.lstrip("#") for h in hashtags)
    x = f"https://x.com/intent/tweet?text={_q(title)}&url={_q(short_url)}"
    if bare:
        x += f"&hashtags={_q(bare)}"
    return [
        ShareLink("whatsapp", "WhatsApp", f"https://wa.me/?text={_q(text)}"),
        ShareLink("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={_q(story_url)}"),
        ShareLink("x", "X", x),
        ShareLink("telegram", "Telegram", f"https://t.me/share/url?url={_q(short_url)}&text={_q(title)}"),
        ShareLink(
            "email",
            "E-mail",
            f"mailto:?subject={_q(title)}&body={_q(text.replace(chr(10), chr(13) + chr(10)))}",
        ),
    ]
