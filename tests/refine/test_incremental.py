"""refine_archive over a real SQLite archive: incremental runs equal a full run, ids are stable, overrides."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from siman_hub.archive.sqlite import SQLiteArchive
from siman_hub.config import Config
from siman_hub.models import Changes, Entry
from siman_hub.refine import RefineError, refine_archive
from siman_hub.refine.clustering import ClusterInput

from .stories import hard_negative, html, item, syndicated


def add(archive: SQLiteArchive, items: list[ClusterInput]) -> dict[int, int]:
    """Insert fixtures in arrival order; returns fixture id -> archive id."""
    ids = {}
    for it in sorted(items, key=lambda x: x.first_seen):
        e = Entry(key=str(it.id), title=it.title, url=it.url, canonical_url=it.url, summary=it.summary,
                  content=it.content, published=it.published,
                  content_hash=hashlib.sha1((it.title + it.summary + it.content).encode()).hexdigest())  # fmt: skip
        archive.apply_changes(it.source_id, Changes(inserts=[e]), it.first_seen)
        ids[it.id] = archive.db.execute(
            "SELECT id FROM items WHERE source_id=? AND key=?", (it.source_id, str(it.id))
        ).fetchone()[0]
    return ids


def clusters(archive: SQLiteArchive) -> dict[tuple[str, str], str]:
    return {(s, k): c for s, k, c in archive.db.execute("SELECT source_id, key, cluster_id FROM items")}


def noise(n: int, start: int = 100) -> list[ClusterInput]:
    """Unrelated stories, each with its own text."""
    out = []
    for i in range(start, start + n):
        paras = [
            f"Paragraf {w} tentang kegiatan nomor {i} dan urusan {i * 7} di daerah {i % 13}."
            for w in range(6)
        ]
        out.append(item(i, f"kab-{i % 5}", f"Kegiatan Daerah Nomor {i} Berjalan Lancar", content=html(paras),
                        hours=i % 40))  # fmt: skip
    return out


@pytest.fixture
def archive(tmp_path: Path):
    a = SQLiteArchive(tmp_path / "a.sqlite3")
    yield a
    a.close()


def test_incremental_runs_equal_one_full_run(config: Config, archive: SQLiteArchive, tmp_path: Path) -> None:
    everything = sorted([*syndicated(), hard_negative(), *noise(30)], key=lambda x: x.first_seen)
    for chunk in (everything[:10], everything[10:11], everything[11:25], everything[25:]):
        add(archive, chunk)
        refine_archive(config, archive, {})
    incremental = clusters(archive)
    full = SQLiteArchive(tmp_path / "b.sqlite3")
    add(full, everything)
    refine_archive(config, full, {})
    assert clusters(full) == incremental
    assert refine_archive(config, archive, {}, full=True).clustered == len(everything)
    assert clusters(archive) == incremental  # a from-scratch recluster keeps every id
    full.close()


def test_cluster_id_survives_new_members_and_runs(config: Config, archive: SQLiteArchive) -> None:
    orig, *copies = syndicated()
    add(archive, [orig])
    refine_archive(config, archive, {})
    founding = clusters(archive)[("bgn", "1")]
    for c in copies:
        add(archive, [c])
        report = refine_archive(config, archive, {})
        assert report.clustered == 1 and not report.full_cluster
    assert set(clusters(archive).values()) == {founding}


def test_only_new_items_are_processed_and_a_rules_change_retags_everything(
    config: Config, archive: SQLiteArchive, tmp_path: Path
) -> None:
    add(archive, syndicated())
    first = refine_archive(config, archive, {})
    assert first.full_cluster and first.tagged == 4
    assert refine_archive(config, archive, {}).tagged == 0
    from siman_hub.config import load_config

    from .conftest import SOURCES, write_hub

    changed = load_config(write_hub(tmp_path / "v2", SOURCES.replace("programs: [mbg]", "programs: []")))
    report = refine_archive(changed, archive, {})
    assert report.full_tag and report.tagged == 4 and report.clustered == 0
    versions = {r[0] for r in archive.db.execute("SELECT DISTINCT rule_version FROM tags")}
    assert versions == {report_version(changed)}


def report_version(config: Config) -> str:
    from siman_hub.refine.tagging import compile_rules

    return compile_rules(config).version


def test_changed_content_is_reclustered(config: Config, archive: SQLiteArchive) -> None:
    add(archive, [*syndicated(), hard_negative()])
    refine_archive(config, archive, {})
    # the regency replaces its teaser with an unrelated text: it must leave the story
    archive.db.execute("UPDATE items SET summary='<p>Jembatan gantung baru diresmikan bupati.</p>', "
                       "content_hash='changed' WHERE source_id='kab-gowa'")  # fmt: skip
    report = refine_archive(config, archive, {})
    assert report.clustered == 1
    c = clusters(archive)
    assert c[("kab-gowa", "3")] != c[("bgn", "1")]
    assert c[("infopublik", "2")] == c[("bgn", "1")]


def test_overrides_merge_split_and_tags(config: Config, archive: SQLiteArchive) -> None:
    items = [*syndicated(), hard_negative()]
    add(archive, items)
    refine_archive(config, archive, {})
    before = clusters(archive)
    story, neg = before[("bgn", "1")], before[("bgn", "10")]
    url = {it.id: it.url for it in items}
    ov = {
        "merge": [[url[10], url[4]]],
        "split": [url[3]],
        "tags": {url[2]: {"add": ["ckg"], "remove": ["mbg"]}},
    }
    report = refine_archive(config, archive, ov)
    after = clusters(archive)
    assert report.overrides_applied and report.warnings == []
    assert after[("bgn", "10")] == story  # the older story's id survives the merge
    assert archive.cluster_aliases() == {neg: story}
    assert after[("kab-gowa", "3")] not in (story, neg)
    assert after[("infopublik", "2")] == story
    tags = {(t.program_id, t.rule) for ts in archive.tags().values() for t in ts if t.item_id == 2}
    assert tags == {("ckg", "editor")}
    # removing the overrides restores the automatic result
    refine_archive(config, archive, {})
    assert clusters(archive) == before


def test_override_errors_and_warnings(config: Config, archive: SQLiteArchive) -> None:
    add(archive, syndicated())
    with pytest.raises(RefineError, match="unknown program id 'tidak-ada'"):
        refine_archive(config, archive, {"tags": {"https://bgn.go.id/berita/1": {"add": ["tidak-ada"]}}})
    report = refine_archive(config, archive, {"split": ["https://contoh.go.id/tidak-ada"]})
    assert len(report.warnings) == 1
    assert "overrides.yaml" in report.warnings[0] and "https://contoh.go.id/tidak-ada" in report.warnings[0]


def test_canonical_prefers_priority_then_earliest(config: Config) -> None:
    from siman_hub.models import Item
    from siman_hub.refine.canonical import choose_canonical

    def it(i: int, source: str, hour: int) -> Item:
        t = item(i, source, "x").published.replace(hour=hour)
        return Item(
            i, source, str(i), "x", None, None, None, "", "", None, [], None, [], t, None, t, t, t, "", t
        )

    prio = {s.id: s.priority for s in config.sources}
    members = [it(1, "infopublik", 1), it(2, "bgn", 5), it(3, "kab-gowa", 2)]
    assert choose_canonical(members, lambda s: prio.get(s, 0)).id == 2
    assert choose_canonical([members[0], members[2]], lambda s: prio.get(s, 0)).id == 3
    assert choose_canonical([it(5, "kab-gowa", 3), it(4, "kab-gowa", 3)], lambda s: 0).id == 4
