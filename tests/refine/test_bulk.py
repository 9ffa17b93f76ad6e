"""The fast paths of a full refine give exactly what the reference paths give.

- ``assign_bulk`` (array-based, from scratch) == ``Clusterer`` (one item at a time, keys from the docs);
- preparation and comparison in a process pool == in-process;
- a whole ``refine_archive`` with workers == without, row for row in a real SQLite archive.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from siman_hub.archive.sqlite import SQLiteArchive
from siman_hub.config import Config
from siman_hub.models import Changes, Entry
from siman_hub.refine import bulk, prepare, refine_archive
from siman_hub.refine.bulk import assign_bulk
from siman_hub.refine.clustering import BUCKET_SCAN, Clusterer, ClusterInput
from siman_hub.refine.prepare import PrepInput, prepare_all
from siman_hub.refine.tagging import compile_rules

VOCAB = [
    "pemerintah",
    "daerah",
    "kabupaten",
    "warga",
    "program",
    "kegiatan",
    "pembangunan",
    "layanan",
    "kesehatan",
    "pendidikan",
    "desa",
    "bupati",
    "gubernur",
    "menteri",
    "dinas",
    "rapat",
    "koordinasi",
    "evaluasi",
    "anggaran",
    "infrastruktur",
    "jalan",
    "jembatan",
    "pasar",
    "beras",
    "petani",
    "nelayan",
    "sekolah",
    "siswa",
    "guru",
    "puskesmas",
    "posyandu",
    "balita",
    "banjir",
    "bencana",
    "listrik",
    "digital",
    "pelatihan",
    "investasi",
    "koperasi",
    "sosialisasi",
    "peresmian",
    "kunjungan",
    "gizi",
    "rumah",
    "subsidi",
]
SNIPPETS = ["program Makan Bergizi Gratis (MBG) menjangkau siswa", "penyaluran rumah subsidi FLPP bagi warga",
            "Cek Kesehatan Gratis (CKG) di puskesmas", "bedah rumah bagi masyarakat berpenghasilan rendah"]  # fmt: skip
T0 = datetime(2025, 5, 1, tzinfo=UTC)


def corpus(n_stories: int = 260, seed: int = 7) -> list[ClusterInput]:
    """Stories and republished variants (teasers, datelines, "Baca juga:", prefixes, retitles), a bulletin
    whose title repeats more than BUCKET_SCAN times within the window, and repeats outside the window."""
    rng = random.Random(seed)
    out: list[ClusterInput] = []

    def add(source: str, title: str, summary: str, content: str, when: datetime) -> None:
        i = len(out) + 1
        out.append(ClusterInput(i, source, f"https://{source}.go.id/b/{i}", None, title, summary, content, when,
                                when, when + timedelta(minutes=rng.randint(1, 30))))  # fmt: skip

    def sentence() -> str:
        s = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(9, 16)))
        return s[0].upper() + s[1:] + "."

    for k in range(n_stories):
        when = T0 + timedelta(hours=rng.uniform(0, 24 * 40))
        paras = [sentence() + " " + sentence() for _ in range(rng.randint(3, 9))]
        if rng.random() < 0.5:
            paras[0] += " Kegiatan ini bagian dari " + rng.choice(SNIPPETS) + "."
        title = " ".join(rng.choice(VOCAB) for _ in range(rng.randint(5, 8))).title() + f" {k}"
        add(f"src-{k % 9}", title, paras[0], "".join(f"<p>{p}</p>" for p in paras), when)
        for _ in range(rng.choice([0, 0, 1, 2, 4])):
            v = list(paras)
            v[0] = rng.choice(["JAKARTA - ", "Makassar (ANTARA) - ", "Bogor, InfoPublik - ", ""]) + v[0]
            if rng.random() < 0.4:
                v.insert(1, "Baca juga: " + sentence())
            t = rng.choice(
                ["Siaran Pers: " + title, title + " | InfoPublik", title, rng.choice(VOCAB) + " " + title]
            )
            later = when + timedelta(hours=rng.uniform(0.5, 24 * 6))  # some beyond the 4-day window
            if rng.random() < 0.35:
                add(f"src-{rng.randrange(9)}", t, f"<p>{v[0]}</p>", "", later)
            else:
                add(f"src-{rng.randrange(9)}", t, "", "".join(f"<p>{p}</p>" for p in v), later)
    bulletin = f"<p>{sentence()}</p>"
    for j in range(BUCKET_SCAN + 16):  # a bulletin re-posted more often than one lookup scans a bucket
        add("bmkg", "Prakiraan Cuaca Wilayah Jawa Barat Hari Ini", bulletin, "", T0 + timedelta(hours=j / 2))
    return out


def inputs(items: list[ClusterInput]) -> list[PrepInput]:
    return [
        PrepInput(it.id, it.source_id, it.title, it.summary, it.content, it.url, it.canonical_url,
                  it.published or it.sort_date, it.first_seen, True, True)
        for it in items
    ]  # fmt: skip


def as_rows(assignments) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(a.item_id, a.cluster_id, a.at, a.matched, a.reason) for a in assignments]


def test_bulk_assignment_equals_one_by_one_clusterer(config: Config) -> None:
    items = corpus()
    reference = Clusterer().assign_all([it.doc() for it in items])  # keys computed from the docs themselves
    prep = prepare_all(inputs(items), compile_rules(config), workers=1)
    result = assign_bulk(prep, workers=1)
    assert as_rows(result.assignments) == as_rows(reference)
    assert sorted(result.key_rows) == sorted((k, a.item_id, a.at) for a in reference for k in a.keys)
    # the corpus exercises what matters: real merges, founders, and a bucket longer than the scan
    assert sum(a.matched is not None for a in reference) > 150
    assert len({a.cluster_id for a in reference}) > 200


def test_parallel_preparation_and_comparison_equal_serial(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = corpus(seed=11)
    rules = compile_rules(config)
    serial = prepare_all(inputs(items), rules, workers=1)
    monkeypatch.setattr(prepare, "CHUNK", 97)
    monkeypatch.setattr(prepare, "PARALLEL_MIN", 0)
    monkeypatch.setattr(bulk, "PARALLEL_PAIRS", 0)
    parallel = prepare_all(inputs(items), rules, workers=2)
    assert parallel.tags == serial.tags and parallel.tagged_ids == serial.tagged_ids
    assert parallel.doc_ids == serial.doc_ids and parallel.titles == serial.titles
    assert parallel.body.tolist() == serial.body.tolist() and parallel.keys.tolist() == serial.keys.tolist()
    a, b = assign_bulk(serial, workers=1), assign_bulk(parallel, workers=2)
    assert as_rows(a.assignments) == as_rows(b.assignments) and a.key_rows == b.key_rows


def _fill(archive: SQLiteArchive, items: list[ClusterInput]) -> None:
    for it in sorted(items, key=lambda x: (x.first_seen, x.id)):
        e = Entry(key=str(it.id), title=it.title, url=it.url, canonical_url=it.url, summary=it.summary,
                  content=it.content, published=it.published,
                  content_hash=hashlib.sha1((it.title + it.summary + it.content).encode()).hexdigest())  # fmt: skip
        archive.apply_changes(it.source_id, Changes(inserts=[e]), it.first_seen)


def _dump(archive: SQLiteArchive) -> tuple[list, ...]:
    q = archive.db.execute
    return (
        q("SELECT source_id, key, cluster_id FROM items ORDER BY id").fetchall(),
        q("SELECT * FROM refine_items ORDER BY item_id").fetchall(),
        q("SELECT key, item_id, at FROM refine_keys ORDER BY key, item_id").fetchall(),
        q(
            "SELECT item_id, program_id, rule, matched, rule_version FROM tags ORDER BY item_id, program_id"
        ).fetchall(),
    )


def test_refine_archive_with_workers_equals_in_process(
    config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = corpus(n_stories=150, seed=3)
    dumps = []
    for workers in (1, 2):
        if workers == 2:
            monkeypatch.setattr(prepare, "CHUNK", 61)
            monkeypatch.setattr(prepare, "PARALLEL_MIN", 0)
            monkeypatch.setattr(bulk, "PARALLEL_PAIRS", 0)
        archive = SQLiteArchive(tmp_path / f"w{workers}.sqlite3")
        _fill(archive, items)
        refine_archive(config, archive, {}, workers=workers)
        dumps.append(_dump(archive))
        archive.close()
    assert dumps[0] == dumps[1]
    assert len(dumps[0][3]) > 50  # tags were written
