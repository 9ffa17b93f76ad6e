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
MIN_TITLE_WORDS = 4
MIN_TITLE_CHARS = 20

_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_P1, _P2, _P3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9)
_rng = np.random.default_rng(20250101)  # fixed: signatures must be identical in every run and process
_PERM_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)).astype(np.uint64)
_PERM_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
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
    """One item prepared for clustering (pure data; built once per item per run)."""

    id: int
    source_id: str
    at: int  # seconds since epoch of the publication (or first-seen) time: the time window applies to it
    order: tuple[datetime, int]  # (first_seen, id): the arrival order that founds clusters
    url_key: str | None
    title: str  # normalized title
    body_words: list[str]
    _shingles: frozenset[int] | None = field(default=None, repr=False)

    @property
    def title_words(self) -> list[str]:
        return self.title.split()

    @property
    def shingles(self) -> frozenset[int]:
        """Word 3-shingle hashes of the body (bounded to MAX_WORDS); computed lazily, only for candidates."""
        if self._shingles is None:
            self._shingles = frozenset(shingle_hashes(self.body_words[:MAX_WORDS]).tolist())
        return self._shingles


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
    return Doc(
        id=item_id,
        source_id=source_id,
        at=int(when.timestamp()),
        order=(first_seen, item_id),
        url_key=canonical_url or canonical(url),
        title=normalize_title(title),
        body_words=body_words[:MAX_WORDS],
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


def lead_tokens(doc: Doc) -> list[str]:
    """The words that feed LSH: the body's lead, or the title for title-only items."""
    return doc.body_words[:LEAD] if len(doc.body_words) >= 8 else doc.title_words


def minhash_batch(token_lists: list[list[str]]) -> np.ndarray:
    """(n, NUM_PERM) MinHash signatures, all items at once: one numpy pass per permutation, not per item."""
    n = len(token_lists)
    out = np.full((n, NUM_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    arrays = [shingle_hashes(t) for t in token_lists]
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
    leads = [lead_tokens(d) for d in docs]
    bands = band_keys(minhash_batch(leads)).tolist() if docs else []
    out = []
    for d, lead, b in zip(docs, leads, bands, strict=True):
        ks = exact_keys(d)
        if len(lead) >= SHINGLE:
            ks.extend(b)
        out.append(ks)
    return out
