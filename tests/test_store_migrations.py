"""Migrations and the store's basics, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from tests.databases import database_url
from watcher.store.db import (
    current_revision,
    head_revision,
    make_engine,
    open_database,
    transaction,
    upgrade,
)
from watcher.store.tables import Account, Base, Folder

__all__ = ["database_url"]  # the fixture, re-exported for pytest


def test_upgrade_creates_every_table_and_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    assert upgrade(engine) is True
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    schema_before = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in tables}
    assert upgrade(engine) is False
    inspector = inspect(make_engine(database_url))
    assert {t: [c["name"] for c in inspector.get_columns(t)] for t in tables} == schema_before
    engine.dispose()


def test_datetimes_come_back_aware_utc(database_url: str) -> None:
    sessions = open_database(database_url)
    stamp = datetime(2026, 3, 10, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    with transaction(sessions) as session:
        account = Account(name="personal")
        session.add(account)
        session.flush()
        session.add(Folder(account_id=account.id, name="INBOX", last_sync_at=stamp))
    with transaction(sessions) as session:
        folder = session.scalars(select(Folder)).one()
        assert folder.last_sync_at == stamp
        assert folder.last_sync_at is not None
        assert folder.last_sync_at.utcoffset() == timedelta(0)
        assert folder.last_sync_at.hour == 14


def test_foreign_keys_are_enforced(database_url: str) -> None:
    from watcher.errors import StorageError

    sessions = open_database(database_url)
    with pytest.raises(StorageError), transaction(sessions) as session:
        session.add(Folder(account_id=9999, name="INBOX"))
    with transaction(sessions) as session:
        assert session.scalars(select(Folder)).all() == []


def test_naive_datetime_is_refused(database_url: str) -> None:
    sessions = open_database(database_url)
    with transaction(sessions) as session:
        session.add(Account(name="a"))
    naive = Folder(account_id=1, name="INBOX", last_sync_at=datetime(2026, 1, 1))
    with pytest.raises(Exception, match="naive"), transaction(sessions) as session:
        session.add(naive)


def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "followup.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_head_revision_constant_matches_the_migrations() -> None:
    from watcher.store.db import HEAD_REVISION

    assert head_revision() == HEAD_REVISION, "bump HEAD_REVISION in watcher/store/db.py"
