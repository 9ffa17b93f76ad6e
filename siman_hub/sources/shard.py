"""Which sources a fetch worker owns: ``--shard K/N`` picks a stable subset by hashing source ids.

Pure functions, no I/O. The hash is Lamping & Veach's jump consistent hash over a BLAKE2b digest of the id:
stable across processes, machines and Python versions (unlike ``hash()``), balanced, and when a deployment
grows from N to N+1 workers only about 1/(N+1) of the sources change owner, so ETags, caches and the per-worker
connection pools mostly stay warm. Ownership is by source id, not feed URL: all feeds of one source go to one
worker, because items are keyed per source.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

_MASK64 = (1 << 64) - 1


def source_key(source_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(source_id.encode("utf-8"), digest_size=8).digest(), "big")


def jump_hash(key: int, buckets: int) -> int:
    """Bucket in ``range(buckets)`` for a 64-bit ``key`` (Lamping & Veach 2014, arXiv:1406.2294)."""
    if buckets < 1:
        raise ValueError("buckets must be >= 1")
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & _MASK64
        j = int((b + 1) * ((1 << 31) / ((key >> 33) + 1)))
    return b


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count``, 1-based as written on the command line (``--shard 1/4`` … ``4/4``)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count}: K must be between 1 and N (e.g. 1/4 … 4/4)")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"K/N"`` → Shard; a clear error for anything else (0-based indexes included)."""
        k, sep, n = text.strip().partition("/")
        if not sep or not k.strip().isdigit() or not n.strip().isdigit():
            raise ValueError(f"--shard {text!r}: expected K/N with whole numbers, e.g. 2/4")
        return cls(int(k), int(n))

    def owns(self, source_id: str) -> bool:
        return jump_hash(source_key(source_id), self.count) == self.index - 1

    def select(self, source_ids: Iterable[str]) -> list[str]:
        """The ids this shard owns, in their original order."""
        return [s for s in source_ids if self.owns(s)]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
