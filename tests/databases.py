"""Throwaway databases for store tests: a SQLite file, and PostgreSQL when configured.

Store tests run on SQLite always and on PostgreSQL when FOLLOWUP_TEST_DATABASE_URL
points at a server (scripts/test starts one). With CI=true a missing PostgreSQL is a
failure, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from watcher.store.db import dispose_all

POSTGRES_ENV = "FOLLOWUP_TEST_DATABASE_URL"


def postgres_admin_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs PostgreSQL: set {POSTGRES_ENV} (scripts/test starts one)")
        return None
    return url


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database on the configured server, yield its URL, drop it."""
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL not configured ({POSTGRES_ENV} unset, not CI)")
    name = f"followup_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_all()
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'followup.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        dispose_all()
    else:
        yield from fresh_postgres_database()
