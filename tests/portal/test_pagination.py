"""Stable pagination (pure): numbered pages are chunks counted from the oldest story, so new stories never move
what an existing ``page/<n>/`` shows."""

from __future__ import annotations

from typing import Any

from siman_hub.publish.pages import paginate


class _S:  # paginate only slices the list: any object stands in for a Story
    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"s{self.n}"


def _pages(n: int, per: int = 5) -> dict[str, list[int]]:
    stories: list[Any] = [_S(i) for i in range(n - 1, -1, -1)]  # newest first: n-1 .. 0
    return {path: [s.n for s in chunk] for path, chunk, _ in paginate(stories, per, lambda k: f"p{k}")}


def test_first_page_holds_remainder_and_newest_complete_chunk() -> None:
    pages = _pages(23)
    assert pages["pNone"] == list(
        range(22, 14, -1)
    )  # 20..22 beyond the chunks + the newest complete one (15..19)
    assert pages["p1"] == [4, 3, 2, 1, 0] and pages["p3"] == [14, 13, 12, 11, 10]
    assert set(pages) == {"pNone", "p1", "p2", "p3"}
    shown = [i for chunk in pages.values() for i in chunk]
    assert sorted(shown) == list(range(23))  # every story exactly once


def test_numbered_pages_do_not_change_when_stories_arrive() -> None:
    before = _pages(23)
    for n in range(24, 60):
        after = _pages(n)
        for path, chunk in before.items():
            if path != "pNone" and path in after:
                assert after[path] == chunk, (n, path)
        assert all(p in after for p in before)  # no numbered page ever disappears
        assert 5 <= len(after["pNone"]) <= 9
        before = after


def test_small_lists_have_one_page_and_pager_links_walk_the_chunks() -> None:
    assert set(_pages(0)) == {"pNone"} and set(_pages(9)) == {"pNone"}
    stories: list[Any] = [_S(i) for i in range(19, -1, -1)]
    pagers = {path: pager for path, _, pager in paginate(stories, 5, lambda k: f"p{k}")}
    assert pagers["pNone"].next == "p3" and pagers["pNone"].prev is None
    assert pagers["p3"].prev == "pNone" and pagers["p3"].next == "p2"
    assert pagers["p1"].prev == "p2" and pagers["p1"].next is None
    assert not pagers["pNone"].page and pagers["p2"].page == 2
