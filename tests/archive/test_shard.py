"""Shard selection: a partition of the sources, stable, balanced, and cheap to grow."""

from __future__ import annotations

import pytest

from siman_hub.sources.shard import Shard, jump_hash, source_key

IDS = [f"desa-{i:05d}" for i in range(20_000)]
KEMKES_KEY = 12420379009495721465  # pinned: changing it reshuffles every deployed shard


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_shards_partition_the_sources(n: int) -> None:
    shards = [Shard(k, n).select(IDS) for k in range(1, n + 1)]
    assert sorted(s for shard in shards for s in shard) == sorted(IDS)  # each id in exactly one shard
    sizes = [len(s) for s in shards]
    assert max(sizes) - min(sizes) < 0.06 * len(IDS) / n + 20  # balanced


def test_selection_is_stable_and_known() -> None:
    """Pinned values: ownership must not change between releases, machines or Python versions, or workers
    of mixed versions would fetch some sources twice and others never."""
    # vectors of the reference C++ implementation, as used by ClickHouse's jumpConsistentHash tests
    cases = [(1, 1, 0), (42, 57, 43), (256, 1024, 520), (3735883980, 1, 0), (3735883980, 666, 361),
             (16045690984833335023, 255, 237)]  # fmt: skip
    assert [jump_hash(k, n) for k, n, _ in cases] == [b for _, _, b in cases]
    assert source_key("kemkes") == KEMKES_KEY  # BLAKE2b-64 of the id: never Python's salted hash()
    assert Shard(2, 4).select(IDS[:40]) == Shard.parse("2/4").select(IDS[:40])


def test_growing_from_n_to_n_plus_1_moves_about_one_in_n_plus_1() -> None:
    before = {s: jump_hash(source_key(s), 4) for s in IDS}
    after = {s: jump_hash(source_key(s), 5) for s in IDS}
    moved = sum(before[s] != after[s] for s in IDS)
    assert 0.17 < moved / len(IDS) < 0.23  # ~1/5; plain modulo would move ~4/5
    assert all(after[s] == 4 for s in IDS if before[s] != after[s])  # only into the new shard


@pytest.mark.parametrize("text", ["0/4", "5/4", "1/0", "a/4", "3", "", "1/-2", "2/4/1"])
def test_bad_shard_spec_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="K"):
        Shard.parse(text)
