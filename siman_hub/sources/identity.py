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
from datetime import datetime

from .urls import strip_tracking

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


def choose_mode(fields: Sequence[IdentityFields], configured: str = "auto", stored: str | None = None) -> str:
    """The first mode, starting at ``guid`` (or the configured one), whose keys are ≥95% present and unique."""
    return choose_mode_noted(fields, configured, stored)[0]


def choose_mode_noted(
    fields: Sequence[IdentityFields], configured: str = "auto", stored: str | None = None
) -> tuple[str, str | None]:
    """(mode, why it is not ``guid``). A per-source ``identity:`` in feeds.yaml always wins.

    Degradation is sticky: a feed never climbs back to a weaker-tested mode on its own (``stored`` is the mode
    used last time), because switching modes re-keys every item and would duplicate the archive.
    """
    if configured != "auto":
        return configured, f"set in feeds.yaml: identity: {configured}"
    start = MODES.index(stored) if stored in MODES else 0
    notes = []
    for mode in MODES[start:]:
        ratio = _bad_ratio([key_for(f, mode) for f in fields])
        if ratio <= DEGRADE_THRESHOLD:
            if start:
                notes.insert(0, f"kept degraded mode {stored!r} from earlier fetches")
            return mode, "; ".join(notes) or None
        notes.append(f"{mode}: {ratio:.0%} of {len(fields)} ids empty or repeated")
    return "content", "; ".join(notes)


def rekey_map(
    rows: Sequence[tuple[int, str | None, str | None, datetime | None, str, str]], mode: str
) -> dict[str, int]:
    """New key → archived item id, for every archived item of a source whose key under ``mode`` is unambiguous.

    When a feed's identity mode changes, the entries of the next fetch get keys the archive has never seen;
    this lets ``decide`` recognise them as the items already archived (re-key) instead of inserting them again.
    """
    out: dict[str, int] = {}
    ambiguous: set[str] = set()
    for item_id, guid, url, published, title, body in rows:
        fields = IdentityFields(guid, strip_tracking(url) if url else None,
                                published.isoformat() if published else None, title, body)  # fmt: skip
        key = key_for(fields, mode)
        if key is None or key in ambiguous:
            continue
        if key in out:
            ambiguous.add(key)
            del out[key]
            continue
        out[key] = item_id
    return out


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
