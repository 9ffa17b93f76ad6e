"""Robustness gate: feedparser's own ~2,100-file test corpus, each file ingested as a source, in one batched run.

Nothing may crash (an "internal error" is a crash we caught), every failure must be recorded against its source,
and no executable script may survive into the stored HTML.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from ingest.helpers import NOW, archive, config, source

from siman_hub.sources.ingest import fetch_sources

_EXECUTABLE = re.compile(
    r"<\s*(script|iframe|object|embed|style|link|meta|base|form|svg|math)\b"
    r"|\son[a-z]+\s*="
    r"|(?:href|src|action|formaction|xlink:href)\s*=\s*[\"']?\s*(?:javascript|vbscript|data|livescript):"
    r"|\sstyle\s*=",
    re.I,
)


def test_feedparser_corpus_ingests_without_crash_or_script(tmp_path: Path, shared_dir: Path) -> None:
    corpus = shared_dir / "corpora" / "feedparser-tests"
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".json", ".rdf") and p.is_file())
    assert len(files) > 2000, f"corpus at {corpus} looks incomplete ({len(files)} files)"
    srcs = [source(f"f{i}", p.as_uri()) for i, p in enumerate(files)]
    cfg, arc = config(tmp_path, *srcs), archive(tmp_path)
    t0 = time.monotonic()
    reports = fetch_sources(cfg, arc, now=NOW, force=True)
    elapsed = time.monotonic() - t0
    assert len(reports) == len(files)
    crashes = [
        (files[int(r.source_id[1:])], r.error) for r in reports if r.error and "internal error" in r.error
    ]
    assert not crashes, crashes[:5]
    failed = [r for r in reports if r.error]
    logged = {log.source_id for r in failed for log in arc.fetch_logs(r.source_id, 1) if log.error == r.error}
    assert logged == {r.source_id for r in failed}, "every failure is recorded against its source"
    assert all(arc.get_source_state(r.source_id).last_error == r.error for r in failed)
    assert arc.count_items() > 1000
    leaks = []
    for item in arc.iter_items():
        for field in (item.summary, item.content):
            if _EXECUTABLE.search(field):
                leaks.append((item.source_id, field[:200]))
        for url in (item.url, item.image, *(e.get("url") for e in item.enclosures)):
            assert url is None or url.split(":", 1)[0].lower() in ("http", "https"), url
    assert not leaks, leaks[:5]
    print(
        f"corpus: {len(files)} files, {len(failed)} recorded failures, {arc.count_items()} items, {elapsed:.1f} s"
    )
