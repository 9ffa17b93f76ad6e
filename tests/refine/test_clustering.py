from __future__ import annotations

from dataclasses import replace

from siman_hub.refine.clustering import cluster
from siman_hub.refine.similarity import compare

from .stories import HARD_NEG, MBG_FULL, hard_negative, html, item, syndicated


def test_syndicated_copies_match_the_original() -> None:
    orig, infopublik, teaser, antara = (x.doc() for x in syndicated())
    for other in (infopublik, teaser, antara):
        m = compare(other, orig)
        assert m.score >= 0.5, (other.id, m)


def test_teaser_matches_by_containment_where_jaccard_would_fail() -> None:
    orig, _, teaser, _ = (x.doc() for x in syndicated())
    inter = len(orig.shingles & teaser.shingles)
    assert inter / len(orig.shingles | teaser.shingles) < 0.3  # Jaccard alone would reject it
    assert compare(teaser, orig).score >= 0.5


def test_same_program_different_event_is_not_merged() -> None:
    orig = syndicated()[0].doc()
    neg = hard_negative().doc()
    assert compare(neg, orig).score == 0.0


def test_same_text_outside_the_time_window_is_a_different_story() -> None:
    orig = syndicated()[0]
    late = replace(orig, id=99, url="https://x.go.id/99", published=orig.sort_date.replace(month=8),
                   sort_date=orig.sort_date.replace(month=8), first_seen=orig.first_seen.replace(month=8))  # fmt: skip
    assert compare(late.doc(), orig.doc()).score == 0.0


def test_generic_short_titles_alone_never_merge() -> None:
    a = item(1, "kab-a", "Bupati Tinjau Dapur SPPG")
    b = item(2, "kab-b", "Bupati Tinjau Dapur SPPG", hours=2)
    assert compare(b.doc(), a.doc()).score == 0.0


def test_same_canonical_url_merges_even_with_different_text() -> None:
    a = item(1, "kemkes", "Judul Lama", content=html(MBG_FULL), url="http://www.kemkes.go.id/a/?utm_source=x")
    b = item(2, "infopublik", "Judul Baru", content=html(HARD_NEG), url="https://kemkes.go.id/a", hours=1)
    assert compare(b.doc(), a.doc()).reason == "url"


def test_cluster_groups_the_story_and_keeps_the_negative_apart() -> None:
    items = [*syndicated(), hard_negative()]
    result = cluster(items)
    assert len({result[i] for i in (1, 2, 3, 4)}) == 1
    assert result[10] != result[1]


def test_cluster_id_is_the_founders_and_does_not_move_when_members_join() -> None:
    items = syndicated()
    first = cluster(items[:1])
    later = cluster(items)
    assert later[1] == first[1]
    assert all(later[i] == first[1] for i in (2, 3, 4))


def test_result_does_not_depend_on_input_order() -> None:
    items = [*syndicated(), hard_negative()]
    assert cluster(items) == cluster(list(reversed(items)))
