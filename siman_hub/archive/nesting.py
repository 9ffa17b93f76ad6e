"""Nested ``transaction()`` blocks join the outermost one (no savepoints), the same on every backend.

Ingest wraps a whole batch of feeds in one transaction while the archive methods it calls open their own; the
inner blocks must not commit early. Each backend supplies only how its outermost transaction begins and ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager


class NestedTransactions:
    _depth: int = 0

    def _outermost_transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._outermost_transaction():
                yield
        finally:
            self._depth = 0
