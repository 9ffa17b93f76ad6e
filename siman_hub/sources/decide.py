"""The pure decision core of ingest: given what the archive holds for a source and a fresh parse, decide.

No I/O here, so the rules (new, changed, merely seen again) are tested without a database or a network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from ..models import Changes, Entry


def decide(
    stored: Mapping[str, tuple[int, str]], entries: Iterable[Entry], renamed: Mapping[str, int] | None = None
) -> Changes:
    """Insert unseen keys, update keys whose content hash changed, touch the rest.

    Items the feed no longer lists are simply not mentioned: the archive keeps them. ``renamed`` (new key →
    archived item id, from ``identity.rekey_map``) is given when the source's identity mode just changed: an
    entry found there is an archived item under a new key — re-keyed, never inserted a second time.
    """
    changes = Changes()
    hashes = {item_id: h for item_id, h in stored.values()}
    taken = set(stored)
    for e in entries:
        known = stored.get(e.key)
        if known is None and renamed and e.key in renamed and e.key not in taken:
            item_id = renamed[e.key]
            if item_id in hashes:
                known = (item_id, hashes.pop(item_id))
                taken.add(e.key)
                changes.rekeys.append((item_id, e.key))
        if known is None:
            changes.inserts.append(e)
        elif known[1] != e.content_hash:
            changes.updates.append((known[0], e))
        else:
            changes.seen.append(known[0])
    return changes


LATE_GRACE = timedelta(hours=36)
LATE_WINDOW = timedelta(days=7)


def assign_sort_dates(entries: Iterable[Entry], now: datetime, *, backlog: bool) -> None:
    """Where each *new* entry goes in time-ordered lists (``Entry.sort_date``; the archive caps it at first-seen).

    - A source's first successful ingest is its **backlog**: entries sort by their own (clamped) dates, so twenty
      old press releases from a newly added agency land in the past, not on top of the front page. Undated
      backlog entries take the oldest date seen in that backlog (or first-seen when nothing is dated).
    - Later, an entry that **appears late** — dated more than ``LATE_GRACE`` before we first saw it, but within
      ``LATE_WINDOW`` — sorts by first-seen (``now``): readers would otherwise never see it, buried under
      newer items. Older stragglers (an archive page re-emitted, a CMS migration) keep their own date.
    - Otherwise an entry sorts by its date (missing dates → first-seen).
    """
    entries = list(entries)
    if backlog:
        dated = [e.published for e in entries if e.published is not None]
        floor = min(dated) if dated else now
        for e in entries:
            e.sort_date = min(e.published or floor, now)
        return
    for e in entries:
        if e.published is None or LATE_GRACE < now - e.published <= LATE_WINDOW:
            e.sort_date = now
        else:
            e.sort_date = min(e.published, now)
