"""The output contract: every public path in one place. Agencies link to these; change nothing here lightly."""

from __future__ import annotations


def _page(page: int | None) -> str:
    """``page/<n>/`` of a list, numbered from the OLDEST chunk so a page's content stays put; None: the first
    page (the list's own URL, showing the newest items)."""
    return "" if page is None else f"page/{page}/"


def index(page: int | None = None) -> str:
    return _page(page)


def program(pid: str, page: int | None = None) -> str:
    return f"program/{pid}/" + _page(page)


def agency(sid: str, page: int | None = None) -> str:
    return f"agency/{sid}/" + _page(page)


def region(code: str, page: int | None = None) -> str:
    return f"region/{code}/" + _page(page)


def story(cluster_id: str) -> str:
    return f"story/{cluster_id}/"


def share_image(cluster_id: str) -> str:
    """The story's share image (Open Graph / X card), beside its page."""
    return f"story/{cluster_id}/share.png"


def short(code: str) -> str:
    """A story's short link: a redirect page to ``story/<cluster-id>/`` (codes: ``share.assign_codes``)."""
    return f"s/{code}/"


def feed(kind: str | None, key: str | None, ext: str) -> str:
    """``feeds/all.atom`` or ``feeds/<kind>/<key>.<ext>`` with kind in program, agency, region."""
    if kind is None:
        return f"feeds/all.{ext}"
    return f"feeds/{kind}/{key}.{ext}"


def page(slug: str) -> str:
    return f"pages/{slug}/"


def post(slug: str) -> str:
    return f"posts/{slug}/"


def dashboard(days: int | None = None) -> str:
    """The participation dashboard: ``dasbor/`` for the default period, ``dasbor/<days>/`` for the others."""
    return "dasbor/" + ("" if days is None else f"{days}/")


def file_for(url_path: str) -> str:
    """The file that serves a directory-style URL path."""
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path
