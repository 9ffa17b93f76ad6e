"""Evaluation on the labeled set (tests/data/refine/items.jsonl): dedupe pairwise P/R, tagging P/R/F1.

The set is split deterministically by a hash of the gold story id into ``dev`` and ``test`` halves, so rules
and thresholds tuned on ``dev`` are reported on items they were not tuned on. Clustering runs once over all
items (as in production: a story never spans both halves, so restricting pairs to a half is exact).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from .clustering import ClusterInput, cluster
from .tagging import compile_rules, tag_item


@dataclass(frozen=True, slots=True)
class Labeled:
    id: int
    source_id: str
    url: str | None
    title: str
    summary: str
    content: str
    published: datetime
    story: str
    programs: frozenset[str]


def _dt(value: str) -> datetime:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def load_labeled(path: Path) -> list[Labeled]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                raw_id = d["id"]
                out.append(
                    Labeled(
                        id=int(raw_id) if str(raw_id).isdigit() else n,
                        source_id=str(d.get("source_id") or ""),
                        url=d.get("url"),
                        title=str(d.get("title") or ""),
                        summary=str(d.get("summary") or ""),
                        content=str(d.get("content") or ""),
                        published=_dt(str(d["published"])),
                        story=str(d.get("story") or f"item-{raw_id}"),
                        programs=frozenset(d.get("programs") or ()),
                    )
                )
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: {exc}") from exc
    return out


def split_of(story: str) -> str:
    return "dev" if hashlib.sha256(story.encode()).digest()[0] % 2 == 0 else "test"


def pairwise(
    pred: Mapping[int, str], gold: Mapping[int, str], ids: Iterable[int]
) -> tuple[float, float, int]:
    """(precision, recall, gold pairs) of "same cluster" over all pairs of ``ids``."""
    ids = list(ids)
    c2 = lambda n: n * (n - 1) // 2  # noqa: E731
    both = Counter((pred[i], gold[i]) for i in ids)
    tp = sum(c2(n) for n in both.values())
    pp = sum(c2(n) for n in Counter(pred[i] for i in ids).values())
    gp = sum(c2(n) for n in Counter(gold[i] for i in ids).values())
    return (tp / pp if pp else 1.0), (tp / gp if gp else 1.0), gp


@dataclass(slots=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class SplitResult:
    name: str
    items: int
    dedupe_precision: float
    dedupe_recall: float
    gold_pairs: int
    programs: dict[str, PRF] = field(default_factory=dict)
    micro: PRF = field(default_factory=PRF)


def evaluate(config: Config, items: list[Labeled]) -> tuple[list[SplitResult], dict[str, Any]]:
    """Results for dev, test and all, plus the errors (false merges, missed pairs, tag errors) for tuning."""
    rules = compile_rules(config)
    pred = cluster(
        ClusterInput(
            it.id,
            it.source_id,
            it.url,
            None,
            it.title,
            it.summary,
            it.content,
            it.published,
            it.published,
            it.published,
        )
        for it in items
    )
    gold = {it.id: it.story for it in items}
    predicted_tags = {
        it.id: {
            t.program_id
            for t in tag_item(it.id, it.source_id, it.title, it.summary, it.content, it.published, rules)
        }
        for it in items
    }
    results = []
    for name in ("dev", "test", "all"):
        subset = [it for it in items if name == "all" or split_of(it.story) == name]
        p, r, gp = pairwise(pred, gold, (it.id for it in subset))
        res = SplitResult(name, len(subset), p, r, gp)
        for prog in config.programs:
            res.programs[prog.id] = PRF()
        for it in subset:
            got = predicted_tags[it.id]
            for pid in got | it.programs:
                prf = res.programs.setdefault(pid, PRF())
                if pid in got and pid in it.programs:
                    prf.tp += 1
                elif pid in got:
                    prf.fp += 1
                else:
                    prf.fn += 1
        for prf in res.programs.values():
            res.micro.tp += prf.tp
            res.micro.fp += prf.fp
            res.micro.fn += prf.fn
        results.append(res)
    by_id = {it.id: it for it in items}
    errors: dict[str, Any] = {"false_merges": [], "missed": [], "tags": []}
    clusters: dict[str, list[int]] = {}
    for i, c in pred.items():
        clusters.setdefault(c, []).append(i)
    for members in clusters.values():
        stories = {gold[i] for i in members}
        if len(stories) > 1:
            errors["false_merges"].append([(i, gold[i], by_id[i].title) for i in members])
    stories: dict[str, list[int]] = {}
    for i, s in gold.items():
        stories.setdefault(s, []).append(i)
    for members in stories.values():
        if len({pred[i] for i in members}) > 1:
            errors["missed"].append([(i, pred[i], by_id[i].source_id, by_id[i].title) for i in members])
    for it in items:
        got = predicted_tags[it.id]
        if got != it.programs:
            errors["tags"].append((it.id, split_of(it.story), it.title, sorted(it.programs), sorted(got)))
    return results, errors


def format_results(results: list[SplitResult]) -> str:
    lines = []
    for res in results:
        lines.append(
            f"[{res.name}] {res.items} items  dedupe pairwise precision {res.dedupe_precision:.3f} "
            f"recall {res.dedupe_recall:.3f} ({res.gold_pairs} gold pairs)  tagging micro "
            f"P {res.micro.precision:.3f} R {res.micro.recall:.3f} F1 {res.micro.f1:.3f}"
        )
        for pid, prf in sorted(res.programs.items()):
            lines.append(
                f"    {pid:<20} P {prf.precision:.3f}  R {prf.recall:.3f}  F1 {prf.f1:.3f}  "
                f"(tp {prf.tp}, fp {prf.fp}, fn {prf.fn})"
            )
    return "\n".join(lines)
