"""Text normalization shared by tagging and clustering: lower-case, unstemmed, punctuation folded to spaces.

Republished press releases differ in cosmetics that must not count as differences: the dateline ("JAKARTA -",
"Makassar (ANTARA) -", "JAKARTA, InfoPublik -"), title prefixes ("Siaran Pers:", "[HOAKS]"), "Baca juga:" links
inserted between paragraphs and editor/reporter trailers. These are removed here, once, so every comparison
downstream sees the story and not the publisher's packaging.
"""

from __future__ import annotations

import html
import re
import unicodedata

from ..sources.sanitize import plain_text

_TAG = re.compile(r"<[^>]*>")
_BLOCK_ENDS = ("</p>", "<br>", "<br/>", "<br />", "</div>", "</li>", "</h2>", "</h3>", "</h4>", "</h5>",
               "</h6>", "</blockquote>", "</tr>", "</figcaption>", "<hr>")  # fmt: skip

# A dateline is a place (upper-case, or followed by an agency/date) and a dash, at the very start.
_PLACE = r"[A-Z][\w'.]*(?:[ \t]+[A-Z][\w'.]*){0,3}"
_DATELINE = re.compile(
    rf"^\s*(?P<place>{_PLACE})[ \t]*(?P<agency>\([^)\n]{{1,40}}\))?[ \t]*"
    rf"(?P<extra>,[ \t]*[^\n\-–—:]{{1,45}}?)?[ \t]*[-–—]{{1,2}}[ \t]+"
)
_TITLE_PREFIX = re.compile(
    r"^\s*(?:\[[^\]\n]{1,30}\]|\([^)\n]{1,20}\)|"
    r"(?:siaran\s+pers|press\s+release|rilis(?:\s+pers)?|foto|video|infografis|berita\s+foto|breaking\s+news|"
    r"update|hoaks|disinformasi|klarifikasi|cek\s+fakta)\s*[:|\-–—])\s*",
    re.I,
)
_TITLE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,40}$")
_NOISE_LINE = re.compile(
    r"\s*(?:baca\s+(?:juga|selengkapnya)|lihat\s+juga|simak\s+juga|editor|pewarta|penulis|reporter|"
    r"sumber|foto|fotografer|redaktur|humas)\b\s*[:\-–]?",
    re.I,
)
_NOISE_START = ("baca", "lihat", "simak", "editor", "pewarta", "penulis", "reporter", "sumber", "foto",
                "redaktur", "humas")  # fmt: skip


def _is_noise(line: str) -> bool:
    """A "Baca juga:" link or an editor/reporter/photo credit line (whole line, checked cheaply first)."""
    head = line.lstrip()[:12].lower()
    return (
        head.startswith(_NOISE_START)
        and (head.startswith(("baca", "lihat", "simak")) or len(line) < 120)
        and _NOISE_LINE.match(line) is not None
    )


_TRAILER = re.compile(r"\s*\((?:ant|antara|rls|rel|adv|hms|hmz|[a-z]{2,4}(?:/[a-z]{1,4})+)\)\s*$", re.I)


def fold(text: str) -> str:
    """Lower-case words separated by single spaces, with a space at both ends for whole-word ``in`` tests."""
    return " " + " ".join(words(text.lower())) + " "


def fold_keep_case(text: str) -> str:
    return " " + " ".join(words(text)) + " "


_SEPARATORS = bytes(i for i in range(128) if not (chr(i).isalnum() or chr(i) == "_"))
_COMBINING = re.compile("[\u0300-\u036f]+")
_NON_ASCII = re.compile("[^\x00-\x7f]+")
_TO_SPACE = bytes.maketrans(_SEPARATORS, b" " * len(_SEPARATORS))


def words(text: str) -> list[str]:
    """ASCII word tokens of ``text``, case left as given.

    Letters are folded to ASCII (NFKD, combining marks dropped: "é" → "e"); every other character, including
    curly quotes, dashes and non-Latin scripts, separates words. Indonesian is written in ASCII letters, and a
    byte-level translate is ~10x faster than a Unicode ``\\W+`` regex, which is what lets refine read 100k
    items in seconds.
    """
    return to_spaces(text).split()


def to_spaces(text: str) -> str:
    """``text`` with every separator turned into a space: ``to_spaces(t).split() == words(t)``."""
    if not text.isascii():
        text = _NON_ASCII.sub(" ", _COMBINING.sub("", unicodedata.normalize("NFKD", text)))
    return text.encode().translate(_TO_SPACE).decode()


def item_text(title: str, summary: str, content: str) -> str:
    return " \n ".join([title, plain_text(summary), plain_text(content)])


def html_lines(fragment: str) -> str:
    """Plain text of already-sanitized HTML with block boundaries kept as newlines.

    Ingest stored ``summary``/``content`` through nh3, so a regex strip is safe here and several times faster
    than a parser; line structure matters because "Baca juga:" links are whole paragraphs.
    """
    if not fragment:
        return ""
    if "<" in fragment:
        # nh3 wrote every tag in lower case without spaces, so plain replaces find the block ends; most bodies
        # are bare paragraphs, so those go first and the other tags are looked for only if any "<" is left
        fragment = fragment.replace("</p>", "\n").replace("<p>", " ")
        if "<" in fragment:
            for end in _BLOCK_ENDS:
                if end in fragment:
                    fragment = fragment.replace(end, "\n")
            fragment = _TAG.sub(" ", fragment)
    if "&" in fragment:
        fragment = html.unescape(fragment)
    return fragment


def strip_dateline(text: str) -> str:
    """Drop a leading dateline such as "JAKARTA -", "Makassar (ANTARA) -" or "Jakarta, InfoPublik -"."""
    m = _DATELINE.match(text)
    if not m:
        return text
    place = m.group("place")
    if m.group("agency") or m.group("extra") or (place.upper() == place and len(place) >= 3):
        return text[m.end() :]
    return text


def clean_body(summary: str, content: str) -> str:
    """The story's body text for comparison: the longer of summary/content, without packaging.

    Teasers are usually the first paragraph of the full text, so when ``content`` exists it already contains
    the summary; using both would double-count the lead.
    """
    body = html_lines(content) if len(content) >= len(summary) else html_lines(summary)
    if "\n" in body:
        body = "\n".join(ln for ln in body.split("\n") if not _is_noise(ln))
    elif _is_noise(body[:40]):
        body = ""
    body = strip_dateline(body.lstrip())
    # the trailer regex is anchored at the end, but a regex search still starts at every position
    return _TRAILER.sub("", body) if body.rstrip().endswith(")") else body


def normalize_title(title: str) -> str:
    """Folded title without publisher packaging, for exact-match candidate keys and title similarity."""
    t = title.strip()
    for _ in range(2):  # "[HOAKS] Siaran Pers: ..." has two prefixes
        t2 = _TITLE_PREFIX.sub("", t, count=1)
        if t2 == t:
            break
        t = t2
    t = strip_dateline(t)
    m = _TITLE_SUFFIX.search(t)
    if m and len(t) - len(m.group(0)) >= 25:  # " | InfoPublik", " - ANTARA News"
        t = t[: m.start()]
    return " ".join(words(t.lower()))
