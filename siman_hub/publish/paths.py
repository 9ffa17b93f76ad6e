"""The output contract: every public path in one place. Agencies link to these; change nothing here lightly."""

from __future__ import annotations


def index(page: int = 1) -> str:
    return "" if page == 1 else f"page/{page}/"


def program(pid: str, page: int = 1) -> str:
    return f"program/{pid}/" + ("" if page == 1 else f"page/{page}/")


def agency(sid: str, page: int = 1) -> str:
    return f"agency/{sid}/" + ("" if page == 1 else f"page/{page}/")


def region(code: str, page: int = 1) -> str:
    return f"region/{code}/" + ("" if page == 1 else f"page/{page}/")


def story(cluster_id: str) -> str:
    return f"story/{cluster_id}/"


def feed(kind: str | None, key: str | None, ext: str) -> str:
    """``feeds/all.atom`` or ``feeds/<kind>/<key>.<ext>`` with kind in program, agency, region."""
    if kind is None:
        return f"feeds/all.{ext}"
    return f"feeds/{kind}/{key}.{ext}"


def page(slug: str) -> str:
    return f"pages/{slug}/"


def post(slug: str) -> str:
    return f"posts/{slug}/"


def file_for(url_path: str) -> str:
    """The file that serves a directory-style URL path."""
    if url_path == "" or url_path.endswith("/"):
        return url_path + "index.html"
    return url_path
