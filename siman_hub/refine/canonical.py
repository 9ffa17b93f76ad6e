"""Which member of a cluster stands for the story: the originating publisher.

Source ``priority`` (feeds.yaml) comes first so the ministry that wrote the release wins over InfoPublik,
ANTARA and the regencies that re-post it, even when a republisher's feed happened to be fetched first or its
clock is ahead. Among equal priorities the earliest publication wins (``sort_date`` is never later than when
we first saw the item, so a wrong future date cannot steal the slot); the item id breaks exact ties so the
choice is the same on every rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..models import Item

T = TypeVar("T", bound=Item)


def choose_canonical(members: Sequence[T], priority: Callable[[str], int]) -> T:
    """``priority(source_id)`` is the source's feeds.yaml priority (0 for unknown sources)."""
    if not members:
        raise ValueError("a cluster has at least one member")
    return min(members, key=lambda m: (-priority(m.source_id), m.sort_date, m.id))
