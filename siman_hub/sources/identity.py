"""Which fields identify an entry within its source, with automatic degradation for broken CMSs.

Government CMSs often emit a constant guid, reuse guids, or omit them. When more than ~5% of a feed's ids are
empty or repeated, the feed falls back to the next, stronger identity: guid → link → link+date →
link+date+title → content hash.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

MODES = ("guid", "link", "link+date", "link+date+title", "content")
DEGRADE_THRESHOLD = 0.05


@dataclass(frozen=True, slots=True)
class IdentityFields:
    guid: str | None
    link: str | None
    date: str | None
    title: str
    content: str


def _digest(*parts: str | None) -> str:
    h = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()
    return h[:32]


def key_for(f: IdentityFields, mode: str) -> str | None:
    if mode == "guid":
        return f"g:{f.guid}" if f.guid else None
    if mode == "link":
        return f"l:{f.link}" if f.link else None
    if mode == "link+date":
        return f"ld:{_digest(f.link, f.date)}" if f.link and f.date else None
    if mode == "link+date+title":
        return f"ldt:{_digest(f.link, f.date, f.title)}" if (f.link or f.date or f.title) else None
    return f"c:{_digest(f.link, f.date, f.title, f.content)}"


def _bad_ratio(keys: Sequence[str | None]) -> float:
    if not keys:
        return 0.0
    counts = Counter(k for k in keys if k)
    bad = sum(1 for k in keys if not k) + sum(c - 1 for c in counts.values() if c > 1)
    return bad / len(keys)


def choose_mode(fields: Sequence[IdentityFields], configured: str = "auto") -> str:
    """The first mode, starting at ``guid`` (or the configured one), whose keys are ≥95% present and unique."""
    if configured != "auto":
        return configured
    for mode in MODES:
        if _bad_ratio([key_for(f, mode) for f in fields]) <= DEGRADE_THRESHOLD:
            return mode
    return "content"


def assign_keys(fields: Sequence[IdentityFields], mode: str) -> list[str]:
    """Keys for every entry in ``mode``.

    An entry that lacks the mode's fields, or repeats a key already taken, is keyed by its content instead; an
    exact repeat of the same entry therefore gets the same key and is dropped by the caller.
    """
    keys: list[str] = []
    seen: set[str] = set()
    for f in fields:
        k = key_for(f, mode)
        if not k or k in seen:
            k = key_for(f, "content") or ""
        seen.add(k)
        keys.append(k)
    return keys
