"""Hands parse jobs to the worker pool a few at a time instead of one by one.

Every ``ProcessPoolExecutor`` task costs the main process a work item, a queue hand-off to the executor's
manager thread, a pipe message and a future chain, on top of pickling: about a third of the main process's CPU
in a thousand-feed run went to that plumbing. Jobs that become ready in the same turn of the event loop (bodies
arrive in bursts) are sent as one task of up to ``MAX_GROUP`` calls. There is no timer: a lone job leaves on
the next loop turn, so nothing waits for company.

Each call's outcome is kept apart: one feed's exception is raised for that feed only, exactly as if it had
been its own task.
"""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

MAX_GROUP = (
    8  # small: a group runs on one worker, so a large one could leave the other workers idle at the end
)


def run_group(calls: list[Callable[[], Any]]) -> list[tuple[bool, Any]]:
    """In a worker: run every call; (True, result) or (False, exception) for each, in order."""
    out: list[tuple[bool, Any]] = []
    for call in calls:
        try:
            out.append((True, call()))
        except Exception as exc:
            out.append((False, _picklable(exc)))
    return out


def _picklable(exc: Exception) -> Exception:
    """An exception that cannot travel back would fail the whole group: send its description instead."""
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class GroupDispatcher:
    """``await dispatcher.run(call)`` runs ``call`` in ``pool``, grouped with the other calls of this loop turn."""

    def __init__(self, pool: Executor):
        self.pool = pool
        self._pending: list[tuple[Callable[[], Any], asyncio.Future[Any]]] = []
        self._scheduled = False

    async def run(self, call: Callable[[], Any]) -> Any:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._pending.append((call, fut))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await fut

    def _flush(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        for i in range(0, len(pending), MAX_GROUP):
            group = pending[i : i + MAX_GROUP]
            try:
                done = asyncio.wrap_future(self.pool.submit(run_group, [call for call, _ in group]))
            except (
                Exception
            ) as exc:  # pool shut down or broken: every job of the group fails, as it would alone
                for _, fut in group:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            done.add_done_callback(lambda d, group=group: _deliver(d, group))  # type: ignore[misc]


def _deliver(
    done: asyncio.Future[list[tuple[bool, Any]]], group: list[tuple[Any, asyncio.Future[Any]]]
) -> None:
    if done.cancelled() or done.exception() is not None:  # the pool broke (a worker died): all of them failed
        for _, fut in group:
            if fut.done():
                continue
            if done.cancelled():
                fut.cancel()
            else:
                fut.set_exception(done.exception())  # type: ignore[arg-type]
        return
    for (_, fut), (ok, value) in zip(group, done.result(), strict=True):
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)
