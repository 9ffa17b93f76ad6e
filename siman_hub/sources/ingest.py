"""Fetch → parse → normalize → decide → archive, for every due feed. Failures are per feed: one broken feed is
recorded (FetchLog + source state) and reported, and never stops the others.

Shape of a run: one asyncio loop fetches with a shared ``Fetcher`` (global + per-host limits); each body that
changed is parsed and normalized in a worker process when the run is large (CPU-bound work off the loop; jobs
sent a few at a time, ``dispatch``), and outcomes are written to the archive by one writer thread, every outcome
that is ready going into the same transaction (``_BatchWriter``). A feed is reported only once it is committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import logging
import multiprocessing
import os
import random
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from ..archive import Archive
from ..config import Config, Source
from ..models import FetchLog, SourceState, utcnow
from . import decide, identity, netpolicy, schedule
from .dispatch import GroupDispatcher
from .fetch import Fetcher, Guard, Limits, Request, Response
from .parse import FeedError
from .process import NotAFeed, Processed, process_body

log = logging.getLogger(__name__)

POOL_MIN_JOBS = 64  # below this, worker start-up costs more than it saves


@dataclass(slots=True)
class SourceReport:
    source_id: str
    url: str
    status: int | None
    new: int = 0
    updated: int = 0
    error: str | None = None
    warning: str | None = None
    duration_ms: int = 0
    state_key: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class _Job:
    src: Source
    key: str
    configured_url: str
    state: SourceState

    @property
    def url(self) -> str:
        return self.state.feed_url or self.configured_url


def state_key(source_id: str, feed_index: int) -> str:
    """Fetch state is kept per feed URL; a source's first feed uses the source id itself."""
    return source_id if feed_index == 0 else f"{source_id}#{feed_index}"


def private_address_guard(config: Config) -> Guard | None:
    """Network safety (``netpolicy``): refuse feed URLs and redirects to private, loopback, link-local... addresses.

    On unless ``site.allow_private_addresses: true`` (tests on loopback, an intranet hub).
    """
    return None if config.site.allow_private_addresses else netpolicy.check_url


def plan(
    config: Config, archive: Archive, only: Iterable[str] | None, now: datetime, force: bool
) -> list[_Job]:
    """The feeds to fetch now: enabled, not disabled by a 410 (unless forced), and due by their schedule."""
    wanted = set(only or ())
    unknown = wanted - {s.id for s in config.sources}
    if unknown:
        raise KeyError(f"unknown source id(s): {', '.join(sorted(unknown))}")
    states = archive.source_states()
    jobs = []
    for src in config.sources:
        if not src.enabled or (wanted and src.id not in wanted):
            continue
        for i, configured in enumerate(src.feeds):
            key = state_key(src.id, i)
            state = states.get(key) or SourceState(source_id=key, configured_url=configured)
            if state.configured_url not in (None, configured):
                state = _reset_for_new_url(state, configured)
            state.configured_url = configured
            if state.disabled_reason and not force:
                continue
            if not schedule.is_due(state.next_fetch_at, now, force=force):
                continue
            jobs.append(_Job(src, key, configured, state))
    return jobs


def _reset_for_new_url(state: SourceState, configured: str) -> SourceState:
    """An editor changed the URL in feeds.yaml: forget everything learned about the old one."""
    return SourceState(
        source_id=state.source_id,
        configured_url=configured,
        identity_mode=state.identity_mode,
        last_new_item_at=state.last_new_item_at,
        feed_title=state.feed_title,
        feed_link=state.feed_link,
    )


def fetch_sources(
    config: Config,
    archive: Archive,
    only: Iterable[str] | None = None,
    *,
    now: datetime | None = None,
    progress: Callable[[SourceReport], None] | None = None,
    force: bool | None = None,
    limits: Limits | None = None,
    workers: int | None = None,
    rand: Callable[[], float] = random.random,
) -> list[SourceReport]:
    """Fetch every due feed (``only`` / ``force`` bypass the schedule: a human asked for it)."""
    now = now or utcnow()
    only = list(only or ())
    force = bool(only) if force is None else force
    jobs = plan(config, archive, only, now, force)
    if not jobs:
        return []
    pool = _pool(len(jobs), workers)
    try:
        return asyncio.run(_run(config, archive, jobs, now, progress, limits, pool, rand))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _noop() -> None:
    return None


def _die_with_parent(parent: int) -> None:
    """Pool worker start-up: a SIGKILLed run (cron timeout, OOM killer) must not leave its workers behind,
    blocked forever on the task queue. Linux's PR_SET_PDEATHSIG kills them with their parent."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _pool(n_jobs: int, workers: int | None) -> Executor | None:
    """Worker processes for parse+normalize, started *before* the event loop (and its resolver threads) exists.

    ``fork`` because it starts in milliseconds and, unlike spawn/forkserver, does not re-import the caller's
    ``__main__`` (a script without an ``if __name__ == "__main__"`` guard would otherwise run again in every
    worker). Workers only run pure parsing code, so no lock held by another thread at fork time is touched.
    """
    n = workers if workers is not None else (min(os.cpu_count() or 1, 4) if n_jobs >= POOL_MIN_JOBS else 0)
    if n <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent, initargs=(os.getpid(),))  # fmt: skip
    pool.submit(
        _noop
    )  # forks every worker now, before the loop (fork pools start all workers on first submit)
    return pool


async def _run(
    config: Config,
    archive: Archive,
    jobs: list[_Job],
    now: datetime,
    progress: Callable[[SourceReport], None] | None,
    limits: Limits | None,
    pool: Executor | None,
    rand: Callable[[], float],
) -> list[SourceReport]:
    dispatcher = GroupDispatcher(pool) if pool is not None else None

    async def process(job: _Job, resp: Response) -> Processed:
        call = partial(process_body, resp.body, resp.url, resp.headers, tz=job.src.timezone, now=now,
                       identity_mode=job.src.identity, stored_mode=job.state.identity_mode)  # fmt: skip
        if dispatcher is None:
            return call()
        return await dispatcher.run(call)  # type: ignore[no-any-return]

    guard = private_address_guard(config)
    writer = _BatchWriter(archive, now, rand)
    writing = asyncio.create_task(writer.run())
    try:
        async with Fetcher(limits, guard, netpolicy.GuardedResolver() if guard else None) as fetcher:

            async def one(job: _Job) -> SourceReport:
                outcome = await _fetch_one(fetcher, process, job, now)
                report = await writer.write(outcome)
                if progress:
                    progress(report)
                return report

            return list(await asyncio.gather(*(one(j) for j in jobs)))
    finally:
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing


@dataclass(slots=True)
class _Outcome:
    """One feed's fetch (and parse) result, waiting for the archive writer."""

    job: _Job
    resp: Response
    report: SourceReport
    url: str
    processed: Processed | None = None
    body_hash: str | None = None
    warnings: list[str] = field(default_factory=list)


async def _fetch_one(
    fetcher: Fetcher,
    process: Callable[[_Job, Response], object],
    job: _Job,
    now: datetime,
) -> _Outcome:
    """Network and parsing for one feed; no archive access (the writer does that, in batches)."""
    st = job.state
    url = job.url
    resp = await fetcher.fetch(
        Request(url, st.etag, st.last_modified, job.src.user_agent, browser_ua_first=st.ua_fallback)
    )
    out = _Outcome(job, resp, SourceReport(job.src.id, url, resp.status, duration_ms=resp.duration_ms,
                                           state_key=job.key), url)  # fmt: skip
    try:
        if resp.status is not None and 200 <= resp.status < 300:
            body_hash = hashlib.sha256(resp.body).hexdigest()
            if body_hash != st.body_hash:
                try:
                    out.processed = await process(job, resp)  # type: ignore[misc]
                except NotAFeed as exc:
                    if not exc.links:
                        raise
                    found = exc.links[0].url
                    again = await fetcher.fetch(Request(found, user_agent=job.src.user_agent))
                    if again.status is None or not 200 <= again.status < 300:
                        raise FeedError(f"{exc}; fetching it failed: {again.error or f'HTTP {again.status}'}"
                                        ) from None  # fmt: skip
                    out.processed = await process(job, again)  # type: ignore[misc]
                    st.discovered_from = f"{resp.url} -> {found} ({now.date().isoformat()})"
                    out.warnings.append(f"HTML page instead of a feed at {resp.url}: using its feed {found}")
                    st.feed_url = found
                    out.resp = Response(found, again.status, again.body, again.headers,
                                        duration_ms=resp.duration_ms + again.duration_ms)  # fmt: skip
                    body_hash = hashlib.sha256(out.resp.body).hexdigest()
                out.body_hash = body_hash
    except FeedError as exc:
        out.report.error = str(exc)
    except Exception as exc:  # one hostile feed must never stop the run
        log.exception("source %s: unexpected error", job.key)
        out.report.error = f"internal error: {type(exc).__name__}: {exc}"
    return out


class _BatchWriter:
    """Writes fetch outcomes to the archive, many feeds per transaction, from one dedicated thread.

    A commit per feed made SQLite's per-transaction cost (and, for PostgreSQL, a round trip) dominate a large
    run. Instead, every outcome that arrives while a batch is being written goes into the next batch: no timer,
    so a lone feed is written at once, and a busy run groups hundreds. The thread keeps the event loop
    fetching while SQLite inserts and fsyncs (the sqlite3 module releases the GIL inside the library); it is
    the only user of the archive while the run lasts.

    Crash safety is unchanged: a batch is one transaction (all of it or none of it is stored), and a feed's
    report — and the progress callback — is released only after the commit that stored it. If a batch fails,
    its feeds are written again one transaction each, so only the feed that breaks the write is affected.
    """

    MAX_BATCH = 256  # bounds how long one transaction holds SQLite's write lock

    def __init__(self, archive: Archive, now: datetime, rand: Callable[[], float]):
        self.archive = archive
        self.now = now
        self.rand = rand
        self._pending: list[tuple[_Outcome, asyncio.Future[SourceReport]]] = []
        self._wake = asyncio.Event()

    async def write(self, outcome: _Outcome) -> SourceReport:
        """Queue ``outcome``; returns its report once it is committed."""
        fut: asyncio.Future[SourceReport] = asyncio.get_running_loop().create_future()
        self._pending.append((outcome, fut))
        self._wake.set()
        return await fut

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        batch: list[tuple[_Outcome, asyncio.Future[SourceReport]]] = []
        # leaving the with-block waits for a batch in flight: the run never returns mid-transaction
        with ThreadPoolExecutor(1, thread_name_prefix="archive-writer") as thread:
            try:
                while True:
                    await self._wake.wait()
                    self._wake.clear()
                    while self._pending:
                        batch = self._pending[: self.MAX_BATCH]
                        del self._pending[: len(batch)]
                        results = await loop.run_in_executor(thread, self._write_batch, [o for o, _ in batch])
                        for (_, fut), result in zip(batch, results, strict=True):
                            if fut.done():
                                continue
                            if isinstance(result, SourceReport):
                                fut.set_result(result)
                            else:
                                fut.set_exception(result)
                        batch = []
            except BaseException as exc:  # never leave a feed waiting for a writer that is gone
                failure = exc if isinstance(exc, Exception) else RuntimeError("archive writer stopped")
                for _, fut in batch + self._pending:
                    if not fut.done():
                        fut.set_exception(failure)
                raise

    def _write_batch(self, outcomes: list[_Outcome]) -> list[SourceReport | Exception]:
        """In the writer thread: one transaction for all, or, if that fails, one per outcome."""
        try:
            with self.archive.transaction():
                return [_write_outcome(self.archive, o, self.now, self.rand) for o in outcomes]
        except Exception as exc:
            if len(outcomes) == 1:
                return [exc]
        return [self._write_batch([o])[0] for o in outcomes]  # isolate the feed that breaks the write


def _write_outcome(archive: Archive, out: _Outcome, now: datetime, rand: Callable[[], float]) -> SourceReport:
    """Store one feed's outcome (items, state, fetch log); the caller holds the transaction.

    Works on copies of the report and state, so a batch that rolls back can be written again from scratch.
    """
    job, resp, processed = out.job, out.resp, out.processed
    report = replace(out.report)
    st = replace(job.state)
    warnings = list(out.warnings)
    if processed is not None:
        stored = archive.stored_hashes(job.src.id)
        decide.assign_sort_dates(processed.entries, now, backlog=not stored)
        renamed = None
        if stored and job.state.identity_mode and processed.mode != job.state.identity_mode:
            renamed = identity.rekey_map(archive.identity_rows(job.src.id), processed.mode)
            warnings.append(
                f"identity mode changed {job.state.identity_mode} → {processed.mode}; archived items re-keyed"
            )
        changes = decide.decide(stored, processed.entries, renamed)
        report.new, report.updated = archive.apply_changes(job.src.id, changes, now)
        st.identity_mode = processed.mode
        st.identity_note = processed.identity_note
        st.feed_title = processed.title or st.feed_title
        st.feed_link = processed.link or st.feed_link
        st.body_hash = out.body_hash
        if processed.warning:
            warnings.append(processed.warning)
    _update_state(st, job, resp, report, now, rand(), warnings)
    report.warning = "; ".join(warnings) or None
    report.url = resp.url if resp.status is not None else out.url
    archive.put_source_state(st)
    archive.record_fetch(FetchLog(job.key, now, report.duration_ms, resp.status, resp.nbytes, report.new,
                                  report.updated, report.error, out.url))  # fmt: skip
    return report


def _update_state(
    st: SourceState, job: _Job, resp: Response, report: SourceReport, now: datetime, rand: float,
    warnings: list[str],
) -> None:  # fmt: skip
    """Fold one attempt's outcome into the feed's state: validators, schedule, backoff, redirects, 410."""
    interval = job.src.interval
    status = resp.status
    st.last_fetch_at = now
    st.last_status = status
    if status is not None and (200 <= status < 300 or status == 304):
        if resp.used_browser_ua and not st.ua_fallback:
            st.ua_fallback = True
            warnings.append("403 to our User-Agent; a browser-like User-Agent got through (remembered)")
        if 200 <= status < 300:
            # exactly as received, every time: a validator the server stopped sending must be forgotten
            st.etag = resp.headers.get("etag")
            st.last_modified = resp.headers.get("last-modified")
        else:
            st.etag = resp.headers.get("etag", st.etag)
            st.last_modified = resp.headers.get("last-modified", st.last_modified)
        if resp.redirected_permanently_to and resp.redirected_permanently_to != st.feed_url:
            old = st.feed_url or job.configured_url
            st.feed_url = resp.redirected_permanently_to
            st.permanent_redirect = f"{old} -> {st.feed_url} ({now.date().isoformat()})"
            warnings.append(f"permanent redirect: now fetching {st.feed_url} (update feeds.yaml)")
        st.cache_until = schedule.cache_until(resp.headers, now)
    if status == 410:
        report.error = f"HTTP 410 Gone: feed removed by the publisher ({resp.url})"
        st.disabled_reason = f"410 Gone on {now.date().isoformat()} at {resp.url}: fix the URL in feeds.yaml"
    elif report.error is None and resp.error:
        report.error = resp.error
    elif report.error is None and status is not None and not (200 <= status < 300 or status == 304):
        report.error = f"HTTP {status}" + (" (also with a browser-like User-Agent)" if status == 403 else "")
    if status in (429, 503):
        st.retry_after_until = schedule.retry_after(resp.headers.get("retry-after"), now)
    if report.error is None:
        st.failures = 0
        st.last_error = None
        st.disabled_reason = None  # a forced fetch of a disabled feed that works re-enables it
        st.last_success_at = now
        if report.new:
            st.last_new_item_at = now
        st.next_fetch_at = schedule.next_after_success(
            now, interval, rand, st.cache_until, st.retry_after_until
        )
    else:
        st.failures += 1
        st.last_error = report.error
        st.next_fetch_at = schedule.next_after_failure(now, st.failures, interval, rand, st.retry_after_until)
