"""Refine benchmark: dedupe + tag a 100k-item SQLite archive from scratch, then an incremental run of 500 new
items, and (optionally) the stemmer comparison on the labeled set.

    .venv/bin/python bench/refine_bench.py [--items 100000] [--new 500] [--stemmer]

The synthetic archive is realistic in shape: Indonesian-looking press releases built from sentence templates
and a varied vocabulary, ~30% of stories re-posted by 1-4 other sources with the edits republishers make
(teaser only, new dateline, "Baca juga:" lines, "Siaran Pers:" prefixes, retitled, a sentence dropped), plus
recurring same-program stories from different regions (hard negatives). It is written through the archive's
own ``apply_changes`` into bench/.work/ (gitignored). Figures are wall-clock on whatever machine runs this:
on the 2-core shared development box they are noisy by ±20%.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from siman_hub.archive.sqlite import SQLiteArchive  # noqa: E402
from siman_hub.config import load_config  # noqa: E402
from siman_hub.models import Changes, Entry  # noqa: E402
from siman_hub.refine import refine_archive  # noqa: E402

WORK = ROOT / "bench" / ".work"

WORDS = [
    "pemerintah",
    "daerah",
    "kabupaten",
    "kota",
    "provinsi",
    "masyarakat",
    "warga",
    "program",
    "kegiatan",
    "pelaksanaan",
    "pembangunan",
    "layanan",
    "publik",
    "kesehatan",
    "pendidikan",
    "ekonomi",
    "desa",
    "kelurahan",
    "kecamatan",
    "bupati",
    "wali",
    "gubernur",
    "menteri",
    "kepala",
    "dinas",
    "badan",
    "kementerian",
    "rapat",
    "koordinasi",
    "evaluasi",
    "capaian",
    "target",
    "anggaran",
    "tahun",
    "bulan",
    "minggu",
    "hari",
    "pekan",
    "kerja",
    "sama",
    "dukungan",
    "komitmen",
    "upaya",
    "peningkatan",
    "kualitas",
    "sumber",
    "daya",
    "manusia",
    "infrastruktur",
    "jalan",
    "jembatan",
    "irigasi",
    "pasar",
    "harga",
    "bahan",
    "pokok",
    "beras",
    "cabai",
    "bawang",
    "minyak",
    "goreng",
    "stok",
    "aman",
    "distribusi",
    "petani",
    "nelayan",
    "pelaku",
    "usaha",
    "mikro",
    "kecil",
    "menengah",
    "umkm",
    "bantuan",
    "sosial",
    "penerima",
    "manfaat",
    "data",
    "sasaran",
    "verifikasi",
    "validasi",
    "lapangan",
    "petugas",
    "tim",
    "terpadu",
    "sekolah",
    "siswa",
    "guru",
    "tenaga",
    "kesehatan",
    "puskesmas",
    "rumah",
    "sakit",
    "pasien",
    "pelayanan",
    "dokter",
    "bidan",
    "kader",
    "posyandu",
    "ibu",
    "anak",
    "balita",
    "remaja",
    "pemuda",
    "olahraga",
    "budaya",
    "pariwisata",
    "wisatawan",
    "festival",
    "lingkungan",
    "sampah",
    "banjir",
    "longsor",
    "bencana",
    "siaga",
    "cuaca",
    "hujan",
    "kemarau",
    "kekeringan",
    "air",
    "bersih",
    "listrik",
    "jaringan",
    "internet",
    "digital",
    "aplikasi",
    "inovasi",
    "pelatihan",
    "sertifikat",
    "lapangan",
    "kerja",
    "investasi",
    "perizinan",
    "pajak",
    "retribusi",
    "pendapatan",
    "belanja",
    "transparansi",
    "akuntabilitas",
    "pengawasan",
    "inspektorat",
    "kepolisian",
    "keamanan",
    "ketertiban",
    "lalu",
    "lintas",
    "mudik",
    "arus",
    "balik",
    "pelabuhan",
    "bandara",
    "terminal",
    "angkutan",
    "transportasi",
    "perhubungan",
    "pertanian",
    "perkebunan",
    "peternakan",
    "perikanan",
    "kehutanan",
    "tambang",
    "energi",
    "industri",
    "perdagangan",
    "ekspor",
    "impor",
    "koperasi",
    "usaha",
    "syarat",
    "ketentuan",
    "regulasi",
    "peraturan",
    "undang",
    "keputusan",
    "surat",
    "edaran",
    "sosialisasi",
    "edukasi",
    "literasi",
    "partisipasi",
    "gotong",
    "royong",
    "musyawarah",
    "pelantikan",
    "penghargaan",
    "prestasi",
    "juara",
    "lomba",
    "peresmian",
    "peluncuran",
    "penandatanganan",
    "nota",
    "kesepahaman",
    "kunjungan",
    "kerja",
    "peninjauan",
    "tinjauan",
    "langsung",
    "menyampaikan",
    "mengatakan",
    "menjelaskan",
    "menegaskan",
    "mengapresiasi",
    "mendorong",
    "meminta",
    "mengajak",
    "berharap",
    "memastikan",
    "terus",
    "semakin",
    "lebih",
    "baik",
    "cepat",
    "tepat",
    "optimal",
    "maksimal",
    "berkelanjutan",
    "terintegrasi",
    "strategis",
    "prioritas",
    "nasional",
]
PLACES = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Semarang",
    "Makassar",
    "Medan",
    "Palembang",
    "Padang",
    "Pekanbaru",
    "Jambi",
    "Bengkulu",
    "Lampung",
    "Pontianak",
    "Banjarmasin",
    "Samarinda",
    "Balikpapan",
    "Manado",
    "Palu",
    "Kendari",
    "Gorontalo",
    "Mamuju",
    "Ambon",
    "Ternate",
    "Jayapura",
    "Manokwari",
    "Sorong",
    "Kupang",
    "Mataram",
    "Denpasar",
    "Serang",
    "Yogyakarta",
    "Sleman",
    "Bantul",
    "Klaten",
    "Boyolali",
    "Madiun",
    "Kediri",
    "Malang",
    "Jember",
    "Banyuwangi",
    "Sintang",
    "Ketapang",
    "Bogor",
    "Bekasi",
    "Depok",
    "Tangerang",
    "Cirebon",
    "Garut",
    "Tasikmalaya",
    "Cianjur",
    "Sukabumi",
]
PROGRAM_SNIPPETS = [
    "program Makan Bergizi Gratis (MBG) menjangkau {n} penerima manfaat melalui dapur SPPG",
    "Cek Kesehatan Gratis (CKG) telah dimanfaatkan {n} warga di puskesmas",
    "upaya eliminasi tuberkulosis dengan skrining TBC kepada {n} warga",
    "pembangunan Sekolah Rakyat untuk {n} anak dari keluarga miskin ekstrem",
    "revitalisasi sekolah dan digitalisasi pembelajaran di {n} satuan pendidikan",
    "penyaluran KPR subsidi FLPP bagi {n} masyarakat berpenghasilan rendah mendukung Program 3 Juta Rumah",
    "cetak sawah dan optimasi lahan seluas {n} hektare untuk swasembada pangan",
    "mandatori biodiesel B40 dan pembangunan PLTS untuk swasembada energi",
    "pembangunan bendungan dan embung untuk ketahanan air di {n} desa",
    "pembentukan Koperasi Desa Merah Putih di {n} desa",
    "hilirisasi nikel dan pembangunan smelter dengan investasi {n} miliar",
    "Danantara mengelola investasi {n} triliun",
    "pembangunan Ibu Kota Nusantara (IKN) oleh Otorita IKN",
    "penghapusan kemiskinan ekstrem berbasis DTSEN bagi {n} keluarga",
    "percepatan penurunan stunting melalui {n} posyandu",
]
AGENCIES = ["ANTARA", "InfoPublik", "Kominfo", "Humas", "Diskominfo"]


def sentence(rng: random.Random, n: int | None = None) -> str:
    n = n or rng.randint(10, 22)
    s = " ".join(rng.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + "."


def make_story(rng: random.Random, k: int) -> tuple[str, list[str], int | None]:
    place = rng.choice(PLACES)
    prog = rng.randrange(len(PROGRAM_SNIPPETS)) if rng.random() < 0.5 else None
    title = (
        f"{rng.choice(['Bupati', 'Gubernur', 'Menteri', 'Wali Kota', 'Kepala Dinas'])} {place} "
        + " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 8))).title()
        + f" {k}"
    )
    paras = [sentence(rng) + " " + sentence(rng) for _ in range(rng.randint(5, 12))]
    if prog is not None:
        snippet = PROGRAM_SNIPPETS[prog].format(n=rng.randint(100, 90000))
        i = rng.randrange(len(paras))
        paras[i] = paras[i] + " Kegiatan ini bagian dari " + snippet + "."
    return title, paras, prog


def variant(rng: random.Random, title: str, paras: list[str]) -> tuple[str, str, str]:
    """(title, summary, content) of a republished copy with a republisher's typical edits."""
    paras = list(paras)
    r = rng.random()
    if r < 0.3:
        title = rng.choice(["Siaran Pers: ", "[RILIS] ", "", "FOTO: "]) + title
    elif r < 0.45:
        title = title + " | " + rng.choice(AGENCIES)
    elif r < 0.55:
        words = title.split()
        title = " ".join([*words[:-2], rng.choice(WORDS), *words[-1:]])
    place = rng.choice(PLACES)
    paras[0] = (
        rng.choice(
            [f"{place.upper()} - ", f"{place} ({rng.choice(AGENCIES)}) - ", f"{place}, InfoPublik - ", ""]
        )
        + paras[0]
    )
    if rng.random() < 0.4:
        paras.insert(rng.randint(1, len(paras)), "Baca juga: " + sentence(rng, 8))
    if rng.random() < 0.2 and len(paras) > 4:
        paras.pop(rng.randint(2, len(paras) - 1))
    if rng.random() < 0.35:  # teaser-only feed
        return title, "<p>" + paras[0] + "</p>", ""
    return title, "", "".join(f"<p>{p}</p>" for p in paras)


def synthesize(n: int, seed: int, sources: list[str], start: datetime, stories_from: int = 0):
    """Yield (source_id, Entry, first_seen) in arrival order, ~n entries."""
    rng = random.Random(seed)
    out = []
    k = stories_from
    span = timedelta(days=365)
    while len(out) < n:
        k += 1
        title, paras, _ = make_story(rng, k)
        t = start + span * rng.random()
        origin = rng.choice(sources)
        content = "".join(f"<p>{p}</p>" for p in paras)
        out.append((origin, title, paras[0], content, t, k))
        if rng.random() < 0.3:
            for _ in range(rng.randint(1, 4)):
                vt, vs, vc = variant(rng, title, paras)
                out.append((rng.choice(sources), vt, vs, vc, t + timedelta(hours=rng.uniform(0.2, 72)), k))
    out = out[:n]
    out.sort(key=lambda x: x[4])
    for i, (sid, title, summary, content, t, story) in enumerate(out):
        key = f"s{story}-" + hashlib.sha1(f"{seed}-{i}-{title}".encode()).hexdigest()
        url = f"https://{sid}.go.id/berita/{key}"
        e = Entry(key=key, title=title, url=url, canonical_url=url, summary=summary, content=content,
                  published=t, content_hash=hashlib.sha1((title + summary + content).encode()).hexdigest())  # fmt: skip
        yield sid, e, t


def fill(archive: SQLiteArchive, rows) -> int:
    by_time: dict[datetime, dict[str, list[Entry]]] = {}
    count = 0
    for sid, e, t in rows:
        day = t.replace(hour=0, minute=0, second=0, microsecond=0)
        by_time.setdefault(day, {}).setdefault(sid, []).append(e)
        count += 1
    for day in sorted(by_time):
        with archive.transaction():
            for sid, entries in by_time[day].items():
                archive.apply_changes(sid, Changes(inserts=entries), day + timedelta(days=1))
    return count


def stemmer_eval(config, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Tagging with and without PySastrawi (measured here only; it is not a runtime dependency: its
    dictionary is CC-BY-NC-SA). Phrases and text are both stemmed; abbreviations stay case-sensitive on the
    original text, as in production."""
    from dataclasses import replace

    from siman_hub.refine.evaluate import PRF, load_labeled, split_of
    from siman_hub.refine.tagging import compile_rules, tag_item, tag_text
    from siman_hub.refine.text import clean_body

    try:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    except ImportError:
        print("stemmer: PySastrawi not installed (pip install PySastrawi into the venv to compare)")
        return
    stem = StemmerFactory().create_stemmer().stem
    items = load_labeled(path)
    plain_rules = compile_rules(config)
    stemmed_programs = tuple(
        replace(p, phrases=tuple(stem(x) for x in p.phrases), abbreviations=(),
                cooccur=tuple(tuple(stem(x) for x in g) for g in p.cooccur), exclude=tuple(stem(x) for x in p.exclude))
        for p in config.programs
    )  # fmt: skip
    abbrev_programs = tuple(replace(p, phrases=(), cooccur=(), exclude=p.exclude) for p in config.programs)
    stem_rules = compile_rules(replace(config, programs=stemmed_programs))
    abbr_rules = compile_rules(replace(config, programs=abbrev_programs, sources=()))
    for label, subset in (("test", [i for i in items if split_of(i.story) == "test"]), ("all", items)):
        scores = {"unstemmed": PRF(), "sastrawi": PRF()}
        t_stem = 0.0
        for it in subset:
            plain = {t.program_id for t in tag_item(it.id, it.source_id, it.title, it.summary, it.content,
                                                    it.published, plain_rules)}  # fmt: skip
            text = it.title + "\n" + clean_body(it.summary, it.content)
            t = time.perf_counter()
            stemmed_text = stem(text)
            t_stem += time.perf_counter() - t
            st = {x.program_id for x in tag_text(it.id, it.source_id, stemmed_text, it.published, stem_rules)}
            st |= {x.program_id for x in tag_text(it.id, it.source_id, text, it.published, abbr_rules)}
            for name, got in (("unstemmed", plain), ("sastrawi", st)):
                prf = scores[name]
                prf.tp += len(got & it.programs)
                prf.fp += len(got - it.programs)
                prf.fn += len(it.programs - got)
        for name, prf in scores.items():
            print(f"stemmer [{label}] {name:<10} micro P {prf.precision:.3f} R {prf.recall:.3f} F1 {prf.f1:.3f} "
                  f"(tp {prf.tp}, fp {prf.fp}, fn {prf.fn})")  # fmt: skip
        print(
            f"stemmer [{label}] Sastrawi stemming cost: {t_stem / max(1, len(subset)) * 1000:.2f} ms per item"
        )
    collapsed = [(p.id, x, stem(x)) for p in config.programs for x in p.phrases if stem(x) != x]
    print(
        f"stemmer: {len(collapsed)} of {sum(len(p.phrases) for p in config.programs)} phrases change when stemmed, e.g."
    )
    for pid, x, y in collapsed[:12]:
        print(f"    {pid:<18} {x!r} -> {y!r}")


def _children_cpu() -> float:
    """CPU seconds of finished worker processes (refine's process pools)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=500)
    ap.add_argument(
        "--reuse", action="store_true", help="reuse the generated archive in bench/.work/ if present"
    )
    ap.add_argument("--stemmer", action="store_true", help="only compare tagging with/without PySastrawi")
    args = ap.parse_args()
    config = load_config(ROOT / "feeds.yaml")
    if args.stemmer:
        stemmer_eval(config, ROOT / "tests" / "data" / "refine" / "items.jsonl")
        return
    sources = [s.id for s in config.sources][:120]
    WORK.mkdir(parents=True, exist_ok=True)
    # the generated archive is kept pristine and copied for each run: the incremental step adds items, so
    # running on the same file twice would measure a different archive
    base = WORK / f"refine-{args.items}.base.sqlite3"
    path = WORK / f"refine-{args.items}.sqlite3"
    start = datetime(2025, 3, 1, tzinfo=UTC)
    if not (args.reuse and base.exists()):
        for p in WORK.glob(f"refine-{args.items}.*sqlite3*"):
            p.unlink()
        archive = SQLiteArchive(base)
        t = time.perf_counter()
        n = fill(archive, synthesize(args.items, 1, sources, start))
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.close()
        print(f"generated {n} items into {base.name} in {time.perf_counter() - t:.1f}s")
    for p in WORK.glob(f"refine-{args.items}.sqlite3*"):
        p.unlink()
    shutil.copyfile(base, path)
    archive = SQLiteArchive(path)
    archive.refine_reset()
    archive.put_refine_state({"cluster_version": "-", "rule_version": "-"})
    print(
        "load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"
    )
    t, c, cc = time.perf_counter(), time.process_time(), _children_cpu()
    rep = refine_archive(config, archive, {}, full=True)
    full_s, full_cpu, kids = time.perf_counter() - t, time.process_time() - c, _children_cpu() - cc
    clusters = archive.db.execute("SELECT count(DISTINCT cluster_id) FROM items").fetchone()[0]
    print("  phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in rep.phases.items()))
    print(f"full refine: {rep.clustered} items clustered, {rep.tagged} tagged, {clusters} clusters "
          f"in {full_s:.2f}s wall, {full_cpu:.2f}s CPU + {kids:.2f}s in workers (target <= 10s)")  # fmt: skip
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    from siman_hub.refine.evaluate import pairwise

    rows = archive.db.execute("SELECT id, key, cluster_id FROM items").fetchall()
    p, r, gp = pairwise(
        {i: c for i, _, c in rows}, {i: k.split("-")[0] for i, k, _ in rows}, [i for i, _, _ in rows]
    )
    print(f"synthetic dedupe: pairwise precision {p:.4f} recall {r:.4f} over {gp} true pairs")

    later = start + timedelta(days=366)
    new_rows = list(synthesize(args.new, archive.count_items(), sources, later, stories_from=10**6))
    fill(archive, new_rows)
    t, c = time.perf_counter(), time.process_time()
    rep = refine_archive(config, archive, {})
    inc_s, inc_cpu = time.perf_counter() - t, time.process_time() - c
    print(f"incremental refine: {rep.clustered} new items clustered, {rep.tagged} tagged in {inc_s:.3f}s wall, "
          f"{inc_cpu:.3f}s CPU (target <= 1s)")  # fmt: skip
    t = time.perf_counter()
    rep = refine_archive(config, archive, {})
    print(f"no-op refine: {rep.clustered} clustered in {time.perf_counter() - t:.3f}s")
    archive.close()


if __name__ == "__main__":
    main()
