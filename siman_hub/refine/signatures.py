"""What clustering knows about one item: tokens, shingles and the cheap keys that find its candidates.

Candidate keys (exact, stored per item in the archive so incremental runs never recompute old items):
- ``url``   the canonical URL (host case, www./m., scheme, trailing slash, tracking params, fragment folded);
- ``title`` the normalized title (datelines and "Siaran Pers:"-style packaging removed), when long enough;
- ``band``  MinHash-LSH bands over word 3-shingles of the *lead* (the first ``LEAD`` words of the body).

The lead is used for LSH, not the whole text, because a teaser and its full text share the opening paragraph
but not the rest: their whole-text Jaccard is tiny (0.1 for a 40-word teaser of a 400-word article) while
their leads are near-identical. Confirmation (``similarity``) then uses containment over the whole body.

Hashes are deterministic (crc32 of each distinct word, cached, combined with fixed odd multipliers), never
Python's per-process ``hash``, because band keys are persisted and compared across runs.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from ..sources.urls import canonical
from .text import clean_body, normalize_title, words

LEAD = 40  # words of the body that feed the LSH signature
MAX_WORDS = 300  # words of the body that feed the confirming similarity (bounded cost per pair)
SHINGLE = 3
NUM_PERM = 24
BAND_ROWS = 3  # 8 bands of 3 rows: P(candidate) ≈ 0.66 at Jaccard 0.5, 0.97 at 0.7, ≈0 at 0.05
BODY_KEYS = 4  # bottom-k shingles of the whole body used as keys
MIN_TITLE_WORDS = 4
MIN_TITLE_CHARS = 20

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_P1, _P2, _P3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)
_rng = np.random.default_rng(20250101)  # fixed: signatures must be identical in every run and process
_PERM_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)).astype(np.uint64)
_PERM_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_BODY_SALT = np.uint64(0x5BD1E9955BD1E995)
_BAND_MULT = (_rng.integers(1, 2**63, BAND_ROWS, dtype=np.uint64) | np.uint64(1)).astype(np.uint64)


class _WordHashes(dict[str, int]):
    """crc32 per distinct word, computed once: an archive has ~10^5 distinct words but ~10^8 word tokens."""

    def __missing__(self, word: str) -> int:
        h = zlib.crc32(word.encode("utf-8"))
        self[word] = h
        return h


WORD_HASHES = _WordHashes()


def key64(kind: str, value: str) -> int:
    """A signed 64-bit key (SQLite INTEGER) for an exact candidate key of one kind."""
    d = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).digest()
    return int.from_bytes(d, "big", signed=True)


@dataclass(slots=True)
class Doc:
    """One item prepared for clustering (pure data; built once per item per run).

    Only compact arrays are kept (not word lists): a 100k-item full run holds every doc in memory.
    """

    id: int
    source_id: str
    at: int  # seconds since epoch of the publication (or first-seen) time: the time window applies to it
    order: tuple[datetime, int]  # (first_seen, id): the arrival order that founds clusters
    url_key: str | None
    title: str  # normalized title
    title_words: tuple[str, ...]
    body: np.ndarray  # uint64 word 3-shingle hashes of the body, in text order (bounded to MAX_WORDS)
    lead: np.ndarray  # the shingles that feed LSH: the body's lead, or the title's for title-only items
    _set: frozenset[int] | None = field(default=None, repr=False)

    @property
    def shingles(self) -> frozenset[int]:
        """The body shingles as a set; cached only while the doc is being assigned (see ``release``)."""
        if self._set is None:
            self._set = frozenset(self.body.tolist())
        return self._set

    def release(self) -> None:
        self._set = None


def make_doc(
    item_id: int,
    source_id: str,
    title: str,
    summary: str,
    content: str,
    url: str | None,
    canonical_url: str | None,
    when: datetime,
    first_seen: datetime,
    body: str | None = None,
    body_words: list[str] | None = None,
) -> Doc:
    if body_words is None:
        body_words = words((clean_body(summary, content) if body is None else body).lower())
    norm = normalize_title(title)
    title_words = tuple(norm.split())
    body_sh = shingle_hashes(body_words[:MAX_WORDS])
    lead = body_sh[: LEAD - SHINGLE + 1] if len(body_words) >= 8 else shingle_hashes(list(title_words))
    return Doc(
        id=item_id,
        source_id=source_id,
        at=int(when.timestamp()),
        order=(first_seen, item_id),
        url_key=canonical_url or canonical(url),
        title=norm,
        title_words=title_words,
        body=body_sh,
        lead=lead,
    )


def shingle_hashes(tokens: list[str]) -> np.ndarray:
    """uint64 hash of every run of SHINGLE consecutive words (a single hash of all words when shorter)."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter(map(WORD_HASHES.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    # array arithmetic wraps modulo 2**64 silently (only scalar overflow warns)
    if len(h) < SHINGLE:
        return np.array([(h * _P1).sum(dtype=np.uint64)], dtype=np.uint64)
    return h[:-2] * _P1 + h[1:-1] * _P2 + h[2:] * _P3


def minhash_batch(arrays: list[np.ndarray]) -> np.ndarray:
    """(n, NUM_PERM) MinHash signatures of shingle arrays, all at once: one numpy pass per permutation."""
    n = len(arrays)
    out = np.full((n, NUM_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=n)
    nonempty = np.nonzero(lengths)[0]
    if len(nonempty) == 0:
        return out
    flat = np.concatenate([arrays[i] for i in nonempty])
    starts = np.concatenate(([0], np.cumsum(lengths[nonempty])[:-1]))
    with np.errstate(over="ignore"):
        for k in range(NUM_PERM):
            out[nonempty, k] = np.minimum.reduceat(flat * _PERM_A[k] + _PERM_B[k], starts)
    return out


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """(n, bands) signed 64-bit LSH band keys; the band number is mixed in so bands never collide."""
    n = signatures.shape[0]
    bands = NUM_PERM // BAND_ROWS
    sig = signatures.reshape(n, bands, BAND_ROWS)
    with np.errstate(over="ignore"):
        keys = (sig * _BAND_MULT).sum(axis=2, dtype=np.uint64)
        keys = keys ^ (np.arange(bands, dtype=np.uint64) * _P2 + _P3)
    return keys.view(np.int64)


def exact_keys(doc: Doc) -> list[int]:
    keys = []
    if doc.url_key:
        keys.append(key64("url", doc.url_key))
    if len(doc.title) >= MIN_TITLE_CHARS and len(doc.title_words) >= MIN_TITLE_WORDS:
        keys.append(key64("title", doc.title))
    return keys


def candidate_keys(docs: list[Doc]) -> list[list[int]]:
    """Every candidate key of every doc: exact keys plus LSH bands (none for a doc without any words)."""
    bands = band_keys(minhash_batch([d.lead for d in docs])).tolist() if docs else []
    out = []
    for d, b in zip(docs, bands, strict=True):
        ks = exact_keys(d)
        if len(d.lead) >= 2:  # one shingle (a two-word title) is too little to bucket on
            ks.extend(b)
        ks.extend(body_keys(d))
        out.append(ks)
    return out


def body_keys(doc: Doc) -> list[int]:
    """The BODY_KEYS smallest shingle hashes of the whole body (a bottom-k sketch), each a key.

    The lead bands miss a republication whose opening changed (a regional paragraph added on top, the quote
    moved to the lead, a new title) while the rest is the same text; two such bodies share most shingles,
    so each of their k minima coincides with probability ≈ their Jaccard.
    """
    if len(doc.body) < 4 * BODY_KEYS:
        return []
    smallest = np.unique(np.partition(doc.body, BODY_KEYS)[:BODY_KEYS])
    return ((smallest ^ _BODY_SALT).view(np.int64)).tolist()
