"""Per-item refine work (text cleaning, tagging, shingles, candidate keys), batched and spread over processes.

Everything an item needs before clustering is a pure function of the item and the rules, and it is most of a
full run's CPU (~100 µs per item against ~20 µs for everything else), so a from-scratch run over 100k items
hands it to a process pool in chunks. A chunk comes back columnar (a few flat numpy arrays and lists) rather
than as 10^5 small objects: pickling a flat array is a memcpy, pickling a Doc per item is not.

``prepare_chunk`` is the single implementation: the serial path (small or incremental runs) calls it
directly, the parallel path calls it in workers, so the two cannot drift apart.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np

from ..archive import Archive
from ..archive.base import RefineRow
from ..models import Tag
from .signatures import Doc, candidate_keys, make_doc
from .tagging import Rules, TagText, tag_prepared
from .text import clean_body, words

log = logging.getLogger(__name__)

CHUNK = 2000  # items per task: large enough to amortize pickling, small enough to keep both cores busy
PARALLEL_MIN = 8000  # below this a pool's start-up (~50 ms per worker) costs more than it saves


class PrepInput(NamedTuple):
    """What a worker needs of one item (a tuple on the wire: cheap to pickle)."""

    id: int
    source_id: str
    title: str
    summary: str
    content: str
    url: str | None
    canonical_url: str | None
    when: datetime  # published, else sort_date: the time window and the program validity use it
    first_seen: datetime
    need_doc: bool  # cluster it (new or changed)
    need_tag: bool  # (re)tag it
    content_hash: str = ""  # stored with the clustering result, so a later change is noticed


@dataclass(slots=True)
class Prepared:
    """Columnar results of a batch, in input order. Docs are kept as flat arrays and materialized on demand."""

    tags: list[Tag] = field(default_factory=list)
    tagged_ids: list[int] = field(default_factory=list)
    doc_ids: list[int] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    first_seen: list[datetime] = field(default_factory=list)
    url_keys: list[str | None] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    body_len: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    body: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    key_len: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @classmethod
    def concat(cls, parts: Sequence[Prepared]) -> Prepared:
        if len(parts) == 1:
            return parts[0]
        out = cls()
        for p in parts:
            out.tags.extend(p.tags)
            out.tagged_ids.extend(p.tagged_ids)
            out.doc_ids.extend(p.doc_ids)
            out.hashes.extend(p.hashes)
            out.source_ids.extend(p.source_ids)
            out.at.extend(p.at)
            out.first_seen.extend(p.first_seen)
            out.url_keys.extend(p.url_keys)
            out.titles.extend(p.titles)
        if parts:
            out.body_len = np.concatenate([p.body_len for p in parts])
            out.body = np.concatenate([p.body for p in parts])
            out.key_len = np.concatenate([p.key_len for p in parts])
            out.keys = np.concatenate([p.keys for p in parts])
        return out

    def body_offsets(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.body_len)))

    def key_offsets(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self.key_len)))

    def docs(self) -> list[Doc]:
        """Every doc as a ``Doc`` (the incremental path and tests; the bulk path uses the arrays)."""
        off = self.body_offsets()
        return [self.doc(i, off) for i in range(len(self.doc_ids))]

    def doc(self, i: int, body_offsets: np.ndarray) -> Doc:
        title = self.titles[i]
        return Doc(
            id=self.doc_ids[i],
            source_id=self.source_ids[i],
            at=self.at[i],
            order=(self.first_seen[i], self.doc_ids[i]),
            url_key=self.url_keys[i],
            title=title,
            title_words=tuple(title.split()),
            body=self.body[body_offsets[i] : body_offsets[i + 1]],
            lead=_NO_LEAD,  # candidate keys are computed already (``keys``)
        )

    def key_lists(self) -> dict[int, list[int]]:
        off = self.key_offsets().tolist()
        flat = self.keys.tolist()
        return {d: flat[off[i] : off[i + 1]] for i, d in enumerate(self.doc_ids)}


_NO_LEAD = np.empty(0, dtype=np.uint64)


def prepare_chunk(items: Sequence[PrepInput], rules: Rules) -> Prepared:
    """Clean, tag and sketch a batch of items (pure: same input, same output, in any process)."""
    out = Prepared()
    docs: list[Doc] = []
    hashes: list[str] = []
    for it in items:
        body = clean_body(it.summary, it.content)
        text = TagText.of(it.title + "\n" + body)
        if it.need_doc:
            hashes.append(it.content_hash)
            docs.append(
                make_doc(
                    it.id, it.source_id, it.title, it.summary, it.content, it.url, it.canonical_url, it.when,
                    it.first_seen, body, text.folded_list[len(words(it.title)) :],
                )
            )  # fmt: skip
        if it.need_tag:
            out.tags.extend(tag_prepared(it.id, it.source_id, text, it.when, rules))
            out.tagged_ids.append(it.id)
    if docs:
        keys = candidate_keys(docs)
        out.doc_ids = [d.id for d in docs]
        out.hashes = hashes
        out.source_ids = [d.source_id for d in docs]
        out.at = [d.at for d in docs]
        out.first_seen = [d.order[0] for d in docs]
        out.url_keys = [d.url_key for d in docs]
        out.titles = [d.title for d in docs]
        out.body_len = np.fromiter((len(d.body) for d in docs), dtype=np.int64, count=len(docs))
        out.body = np.concatenate([d.body for d in docs])
        out.key_len = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        out.keys = np.fromiter((k for ks in keys for k in ks), dtype=np.int64, count=int(out.key_len.sum()))
    return out


def default_workers() -> int:
    """Worker processes for a large batch: the CPUs this process may run on (``SIMAN_HUB_REFINE_WORKERS``
    overrides, e.g. 1 on a box that must keep a core free)."""
    env = os.environ.get("SIMAN_HUB_REFINE_WORKERS", "").strip()
    if env.isdigit():
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_worker_rules: Rules | None = None
_worker_archive: Archive | None = None


def _init_worker(rules: Rules, open_archive: Callable[[], Archive] | None = None) -> None:
    global _worker_rules, _worker_archive
    _worker_rules = rules
    _worker_archive = open_archive() if open_archive is not None else None
    if _worker_archive is not None:  # closed when the worker exits normally (pool.close + join)
        multiprocessing.util.Finalize(_worker_archive, _worker_archive.close, exitpriority=10)


def _prepare_in_worker(items: Sequence[PrepInput]) -> Prepared:
    assert _worker_rules is not None
    return prepare_chunk(items, _worker_rules)


def _prepare_ids_in_worker(task: tuple[list[int], frozenset[int] | None, frozenset[int] | None]) -> Prepared:
    assert _worker_rules is not None and _worker_archive is not None
    ids, doc_ids, tag_ids = task
    return prepare_chunk(list(prep_inputs(_worker_archive.refine_rows(ids), doc_ids, tag_ids)), _worker_rules)


def prep_inputs(
    rows: Iterable[RefineRow], doc_ids: Container[int] | None, tag_ids: Container[int] | None
) -> Iterator[PrepInput]:
    """The work for each row: cluster it if in ``doc_ids``, tag it if in ``tag_ids`` (None: every row)."""
    for r in rows:
        yield PrepInput(
            r.id, r.source_id, r.title, r.summary, r.content, r.url, r.canonical_url, r.published or r.sort_date,
            r.first_seen, doc_ids is None or r.id in doc_ids, tag_ids is None or r.id in tag_ids, r.content_hash,
        )  # fmt: skip


def prepare_archive(
    archive: Archive,
    ids: list[int],
    doc_ids: frozenset[int] | None,
    tag_ids: frozenset[int] | None,
    rules: Rules,
    *,
    workers: int | None = None,
) -> Prepared:
    """``prepare_chunk`` over the archive rows ``ids`` (sorted). In parallel, every worker opens its own
    connection (``Archive.refine_reader``) and reads its chunks itself: the parent then neither reads nor
    pickles item text, which for a full run was a third of its own CPU time."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(ids) < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return prepare_all(prep_inputs(archive.refine_rows(ids), doc_ids, tag_ids), rules, workers=1)
    tasks = []
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        docs = None if doc_ids is None else frozenset(x for x in chunk if x in doc_ids)
        tags = None if tag_ids is None else frozenset(x for x in chunk if x in tag_ids)
        tasks.append((chunk, docs, tags))
    # fork: the initializer's arguments (a bound method holding a live connection) are inherited, not pickled
    return _run_pool(
        _prepare_ids_in_worker, iter(tasks), workers, _init_worker, (rules, archive.refine_reader)
    )


def prepare_all(
    items: Iterable[PrepInput], rules: Rules, *, workers: int | None = None, expected: int = 0
) -> Prepared:
    """``prepare_chunk`` over every item, in a process pool when the batch is large enough to pay for it.

    ``items`` is consumed in this thread (it may be a database cursor) and handed to the pool chunk by chunk,
    so reading overlaps the workers' computing. ``expected`` is the number of items when known.
    """
    workers = default_workers() if workers is None else workers
    chunks = _chunks(items, CHUNK)
    if workers <= 1 or 0 < expected < PARALLEL_MIN:
        return Prepared.concat([prepare_chunk(c, rules) for c in chunks])
    first = next(chunks, None)
    if first is None:
        return Prepared()
    if expected == 0 and len(first) < CHUNK:  # a small batch of unknown size: not worth a pool
        return prepare_chunk(first, rules)
    return _run_pool(_prepare_in_worker, _prepend(first, chunks), workers, _init_worker, (rules,))


def _run_pool(
    fn: Callable[[Any], Prepared],
    tasks: Iterator[Any],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Prepared:
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ctx.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        pending = [pool.apply_async(fn, (t,)) for t in tasks]
        parts = [p.get() for p in pending]
        pool.close()  # let workers exit normally (their finalizers close their connections)
        pool.join()
    return Prepared.concat(parts)


def _chunks(items: Iterable[PrepInput], size: int) -> Iterator[list[PrepInput]]:
    batch: list[PrepInput] = []
    for it in items:
        batch.append(it)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prepend(first: list[PrepInput], rest: Iterator[list[PrepInput]]) -> Iterator[list[PrepInput]]:
    yield first
    yield from rest
