"""The storage interface every archive backend implements.

The pipeline talks only to this protocol, so a PostgreSQL backend can be added beside SQLite without touching
ingest, refine or publish. Methods are coarse (one call per source per run, one per refine pass) so that a
network round-trip per call stays cheap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import NamedTuple, Protocol

from ..models import Changes, FeedRevision, FetchLog, Item, SourceState, Tag


class Archive(Protocol):
    def close(self) -> None: ...

    def schema_version(self) -> int: ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes so a crash leaves either all of them or none."""
        ...

    # -- source state -------------------------------------------------------------------------------------
    def get_source_state(self, source_id: str) -> SourceState | None: ...

    def source_states(self) -> dict[str, SourceState]: ...

    def put_source_state(self, state: SourceState) -> None: ...

    def record_fetch(self, log: FetchLog) -> None: ...

    def fetch_logs(self, source_id: str, limit: int = 20) -> list[FetchLog]: ...

    # -- items --------------------------------------------------------------------------------------------
    def stored_hashes(self, source_id: str) -> dict[str, tuple[int, str]]:
        """key → (item id, content hash) for one source: all the decision core needs to know."""
        ...

    def identity_rows(
        self, source_id: str
    ) -> list[tuple[int, str | None, str | None, datetime | None, str, str]]:
        """(id, guid, url, published, title, content or summary) of every item of a source: what re-keying needs
        when the source's identity mode changes (rare, so this reads more than ``stored_hashes``)."""
        ...

    def apply_changes(self, source_id: str, changes: Changes, now: datetime) -> tuple[int, int]:
        """Insert, update and touch items for one source atomically; returns (new, updated)."""
        ...

    def iter_items(
        self, *, since_changed: datetime | None = None, ids: Iterable[int] | None = None
    ) -> Iterator[Item]: ...

    def count_items(self, source_id: str | None = None) -> int: ...

    def item_counts(self) -> dict[str, int]: ...

    # -- refine results -----------------------------------------------------------------------------------
    def put_clusters(self, assignments: Mapping[int, str]) -> None: ...

    def replace_tags(self, item_ids: Iterable[int], tags: Iterable[Tag]) -> None:
        """Replace every tag of ``item_ids`` with ``tags`` (retagging is idempotent)."""
        ...

    def tags(self, item_ids: Iterable[int] | None = None) -> dict[int, list[Tag]]: ...

    def integrity_check(self) -> list[str]: ...

    # -- publish (portal engineer) ------------------------------------------------------------------------
    def build_fingerprint(self) -> str:
        """An opaque value that changes whenever items, clusters or tags change (incremental builds)."""
        ...

    def iter_item_heads(self) -> Iterator[ItemHead]:
        """Every item in id order without its text (an :class:`ItemHead`):
        the site model's input, so a build never holds every item's full text; bodies come from
        :meth:`iter_items` with ``ids`` for the pages being rendered."""
        ...

    def frozen_feed_page_keys(self) -> list[tuple[str, int, str]]:
        """(feed_key, page, format) of every frozen feed archive document, without bodies."""
        ...

    def frozen_feed_page(self, feed_key: str, page: int, fmt: str) -> bytes | None:
        """The body of one frozen feed archive document (None if not frozen)."""
        ...

    # -- feeds out (RFC 5005 feed log; publish/feedlog.py) --------------------------------------------------
    def feed_log(self) -> Iterator[FeedRevision]:
        """Every feed log row, ordered by feed key then seq."""
        ...

    def feed_log_size(self, feed_key: str) -> int:
        """The highest seq of one feed's log (its rows are 1..n without gaps), 0 when empty."""
        ...

    def feed_log_latest(self, feed_key: str) -> Iterator[tuple[str, int, str, datetime]]:
        """(story_id, seq, fingerprint, updated) of each story's latest revision in one feed, ordered by story id
        in code point order: a streamed comparison, never the whole log in memory."""
        ...

    def feed_log_rows(self, feed_key: str, first: int, last: int) -> list[FeedRevision]:
        """One feed's revisions with ``first`` ≤ seq ≤ ``last``, in seq order."""
        ...

    def append_feed_log(self, revisions: Iterable[FeedRevision]) -> None:
        """Append rows atomically; a (feed_key, seq) that already exists is an error, never an overwrite."""
        ...

    def frozen_feed_pages(self) -> Iterator[tuple[str, int, str, bytes]]:
        """(feed_key, page, format, body) of every frozen archive document."""
        ...

    def freeze_feed_page(self, feed_key: str, page: int, fmt: str, body: bytes, now: datetime) -> None:
        """Store an archive document once; a page already frozen keeps its first bytes."""
        ...

    # -- scale-out (issue 9: sharded fetch workers; archive/postgresql.py) --------------------------------------
    def claim_sources(self, source_ids: Iterable[str], worker: str) -> list[str]:
        """Take ``source_ids`` for this worker until :meth:`release_sources` (or close, or the process dies);
        return those won. A source held by another live worker is skipped, never waited for."""
        ...

    def release_sources(self) -> None:
        """Give back every source claimed through this archive object."""
        ...

    # -- refine state (issue 4: incremental clustering and tagging; refine/) -----------------------------------
    def refine_pending(self) -> list[int]:
        """Ids of items never refined, or whose content changed since they were."""
        ...

    def refine_rows(self, ids: Iterable[int] | None = None) -> Iterator[RefineRow]:
        """The lean item fields refine reads (all items, in id order, when ``ids`` is None)."""
        ...

    def refine_reader(self) -> Archive:
        """A new connection to the same archive, opened in a refine worker process so it reads its own rows
        (instead of the parent reading and pickling every item's text); the caller closes it."""
        ...

    def refine_lookup_keys(
        self, keys: Iterable[int], newest: int | None = None, excluding: Collection[int] = ()
    ) -> list[tuple[int, int, int]]:
        """(key, item id, at) of the stored candidate keys among ``keys``, in item id order. With ``newest``,
        only the ``newest`` highest item ids per key that are not in ``excluding``: clustering scans no more
        than that per key, so an incremental run reads (new items × keys × newest) rows, not every row of a
        boilerplate key, and its memory does not grow with the archive."""
        ...

    def refine_auto_clusters(self, ids: Iterable[int] | None = None) -> dict[int, str]:
        """item id -> automatic cluster id (before overrides) for ``ids`` or every refined item."""
        ...

    def refine_cluster_taken(self, cluster_id: str, excluding: Iterable[int]) -> bool:
        """Whether any refined item outside ``excluding`` holds ``cluster_id`` automatically."""
        ...

    def put_refine_results(
        self, rows: Iterable[tuple[int, str, str, int, int | None, str]], keys: Iterable[tuple[int, int, int]]
    ) -> None:
        """Upsert (item id, content hash, auto cluster, at, matched, reason) rows and replace those items' keys."""
        ...

    def refine_reset(self) -> None:
        """Forget all refine state (clustering algorithm changed): the next run starts from scratch."""
        ...

    def refine_state(self) -> dict[str, str]: ...

    def put_refine_state(self, values: Mapping[str, str]) -> None: ...

    def item_ids_by_url(self, urls: Iterable[str]) -> dict[str, list[int]]:
        """url -> ids of items whose url or canonical_url is exactly that string."""
        ...

    def current_clusters(self) -> dict[int, str | None]:
        """item id -> items.cluster_id as stored (so a refine writes only what changed)."""
        ...

    def put_cluster_aliases(self, aliases: Mapping[str, str]) -> None:
        """Record ids retired by an editor's merge (old id -> surviving id)."""
        ...

    def cluster_aliases(self) -> dict[str, str]: ...


class ItemHead:
    """An archived item without its text: what the site model keeps of every item of a large archive.

    A build holds one of these per item for the whole run, so it is a bare slotted record (about half the size of
    an :class:`~siman_hub.models.Item`): no summary, content, categories, enclosures, guid or author (read per
    rendered page through ``iter_items(ids=...)``), and no key. Reads like an Item for everything the lists,
    signatures and feed logs use; the text fields read as empty, as they did on the light Items it replaces.
    """

    __slots__ = (
        "canonical_url",
        "changed_at",
        "cluster_id",
        "content_hash",
        "first_seen",
        "id",
        "image",
        "published",
        "sort_date",
        "source_id",
        "title",
        "url",
    )  # fmt: skip

    guid = None
    summary = ""
    content = ""
    author = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[dict[str, object], ...] = ()
    updated = None

    def __init__(self, id: int, source_id: str, title: str, url: str | None, canonical_url: str | None,
                 image: str | None, published: datetime | None, first_seen: datetime, sort_date: datetime,
                 content_hash: str, changed_at: datetime, cluster_id: str | None) -> None:  # fmt: skip
        self.id = id
        self.source_id = source_id
        self.title = title
        self.url = url
        self.canonical_url = canonical_url
        self.image = image
        self.published = published
        self.first_seen = first_seen
        self.sort_date = sort_date
        self.content_hash = content_hash
        self.changed_at = changed_at
        self.cluster_id = cluster_id

    @property
    def last_seen(self) -> datetime:
        return self.first_seen

    def __repr__(self) -> str:
        return f"ItemHead(id={self.id!r}, source_id={self.source_id!r}, cluster_id={self.cluster_id!r})"


class RefineRow(NamedTuple):
    """What refine needs of an item: no categories, enclosures or raw JSON to decode."""

    id: int
    source_id: str
    url: str | None
    canonical_url: str | None
    title: str
    summary: str
    content: str
    published: datetime | None
    sort_date: datetime
    first_seen: datetime
    content_hash: str
