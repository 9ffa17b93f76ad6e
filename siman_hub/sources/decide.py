"""The pure decision core of ingest: given what the archive holds for a source and a fresh parse, decide.

No I/O here, so the rules (new, changed, merely seen again) are tested without a database or a network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..models import Changes, Entry


def decide(stored: Mapping[str, tuple[int, str]], entries: Iterable[Entry]) -> Changes:
    """Insert unseen keys, update keys whose content hash changed, touch the rest.

    Items the feed no longer lists are simply not mentioned: the archive keeps them.
    """
    changes = Changes()
    for e in entries:
        known = stored.get(e.key)
        if known is None:
            changes.inserts.append(e)
        elif known[1] != e.content_hash:
            changes.updates.append((known[0], e))
        else:
            changes.seen.append(known[0])
    return changes
