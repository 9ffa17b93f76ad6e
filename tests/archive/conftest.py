"""Archive fixtures over both backends: a SQLite file, and a fresh PostgreSQL schema per test.

The PostgreSQL server comes from ``SIMAN_HUB_TEST_PG`` (``.ci/run`` starts one and sets it). Without a
reachable server the PostgreSQL cases skip with the reason, unless ``SIMAN_HUB_REQUIRE_PG=1`` (set in CI) turns
the skip into a failure so a broken CI database can never pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from siman_hub.archive import Archive, open_archive
from siman_hub.archive.postgresql import redact

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
BACKENDS = ["sqlite", "postgresql"]


def pg_server() -> str:
    return os.environ.get("SIMAN_HUB_TEST_PG", DEFAULT_PG)


@pytest.fixture(scope="session")
def pg_base() -> str:
    url = pg_server()
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error as exc:
        msg = (f"no PostgreSQL server at {redact(url)} ({str(exc).strip().splitlines()[0]}); "
               "set SIMAN_HUB_TEST_PG=postgresql://user:pass@host:port/db (.ci/run starts one)")  # fmt: skip
        if os.environ.get("SIMAN_HUB_REQUIRE_PG") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return url


def with_schema(base: str, schema: str) -> str:
    """The server URL with ``search_path`` set to ``schema``, so every table the archive creates lives there."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url(pg_base: str) -> Iterator[str]:
    """A fresh, empty schema for one test; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    yield with_schema(pg_base, schema)
    with psycopg.connect(pg_base, autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


def new_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest, name: str = "a") -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    return request.getfixturevalue("pg_url") if name == "a" else _extra_schema(request)


def _extra_schema(request: pytest.FixtureRequest) -> str:
    base = request.getfixturevalue("pg_base")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")

    request.addfinalizer(drop)
    return with_schema(base, schema)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def archive_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return new_url(backend, tmp_path, request)


@pytest.fixture
def archive(archive_url: str) -> Iterator[Archive]:
    a = open_archive(archive_url)
    yield a
    a.close()
