"""A personal database's history brought into a job seeker's schema (`fleet add --import`)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session

from watcher.config import Settings
from watcher.errors import StorageError, UsageError
from watcher.fleet import registry
from watcher.fleet.registry import Fleet, fleet_accounts, job_seekers, quoted
from watcher.store.db import current_revision, make_engine, transaction, upgrade
from watcher.store.tables import Account, Base, Digest, Folder

# Everything a personal database holds, parents before children (foreign keys hold on insert).
_TABLES = Base.metadata.sorted_tables
_BATCH = 500
# The one-line summary: (table, what its rows are called), in this order.
_SHOWN = (
    ("messages", "messages"),
    ("detections", "detections"),
    ("leads", "leads"),
    ("overrides", "corrections"),
    ("digests", "digests"),
    ("folders", "folder cursors"),
)


@dataclass(frozen=True)
class _Newcomer:
    """Who joins: their name, their config as given, and when."""

    name: str
    config_text: str
    settings: Settings
    now: datetime


@dataclass(frozen=True)
class Imported:
    """What `fleet add --import` did."""

    created: bool  # a new job seeker (not a registered one's settings replaced)
    source: str  # the file, or the URL without its password
    how: str  # copied or moved, in words
    rows: dict[str, int]

    def summary(self, name: str) -> str:
        counts = ", ".join(f"{self.rows.get(table, 0)} {label}" for table, label in _SHOWN)
        verb = "added" if self.created else "updated"
        return f"{verb} {name} with the history of {self.source} ({self.how}): {counts}"


def import_personal(fleet: Fleet, name: str, path: Path, now: datetime) -> Imported:
    """Register ``name`` from the config at ``path`` with the history of the personal
    database its ``[database]`` names: messages, detections, leads, corrections, audit log,
    digests and folder cursors, so nothing is downloaded or sent again. A SQLite file is
    copied (and left as it was); a PostgreSQL database is upgraded in place, its tables moved
    into the job seeker's schema when it is the fleet's own database, else copied."""
    registry.check_name(name)
    config_text, settings = registry.read_user_config(path)
    newcomer = _Newcomer(name, config_text, settings, now)
    url = settings.database.effective_url
    try:
        source = make_url(url)
    except ArgumentError as exc:
        raise UsageError(f"{path}: [database] url is not valid: {exc}") from exc
    _refuse_second_history(fleet, name)
    backend = source.get_backend_name()
    if backend == "sqlite":
        file = Path(source.database or "")
        with _sqlite_snapshot(file, path) as engine:
            _require_history(engine, str(file), path)
            upgrade(engine)
            return _copy(fleet, engine, newcomer, str(file), "copied")
    if backend != "postgresql":
        raise UsageError(f"{path}: cannot import from a {backend} database; SQLite or PostgreSQL")
    shown = source.render_as_string(hide_password=True)
    engine = make_engine(url)
    try:
        _require_history(engine, shown, path)
        upgrade(engine)  # what the personal `followup` would do on its next start
        if _same_database(source, make_url(fleet.url)):
            return _move(fleet, engine, newcomer, shown)
        return _copy(fleet, engine, newcomer, shown, "copied")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot import from {shown}: {registry.first_line(exc)}") from exc
    finally:
        engine.dispose()


def _refuse_second_history(fleet: Fleet, name: str) -> None:
    """Two histories never mix: a job seeker already read by the fleet is not imported into."""
    schema = quoted(registry.schema_for(name))
    with fleet.engine.connect() as connection:
        if connection.scalar(text("SELECT to_regclass(:t)"), {"t": f"{schema}.accounts"}) is None:
            return
        accounts = connection.scalar(text(f"SELECT count(*) FROM {schema}.accounts"))
        messages = connection.scalar(text(f"SELECT count(*) FROM {schema}.messages"))
    if accounts:
        raise UsageError(
            f"{name} already has a history in the fleet ({messages} messages); "
            f"run `followup fleet remove {name}` first to import theirs instead"
        )


def _require_history(engine: Engine, shown: str, config: Path) -> None:
    if current_revision(engine) is None:
        raise UsageError(
            f"{shown} holds no followup database: nothing to import "
            f"(check [database] url in {config})"
        )


@contextmanager
def _sqlite_snapshot(file: Path, config: Path) -> Iterator[Engine]:
    """A consistent copy of the SQLite file, read-only on the original (SQLite's backup)."""
    if not file.is_file():
        raise UsageError(
            f"{file}: no such database file: nothing to import (check [database] url in {config})"
        )
    with tempfile.TemporaryDirectory(prefix="followup-import-") as directory:
        copy = Path(directory) / "personal.db"
        try:
            original = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
            try:
                snapshot = sqlite3.connect(copy)
                try:
                    original.backup(snapshot)
                finally:
                    snapshot.close()
            finally:
                original.close()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot read {file}: {exc}") from exc
        engine = make_engine(f"sqlite:///{copy}")
        try:
            yield engine
        finally:
            engine.dispose()


def _same_database(a: URL, b: URL) -> bool:
    def where(url: URL) -> tuple[str, int, str | None]:
        return (url.host or "localhost", url.port or 5432, url.database)

    return where(a) == where(b)


def _copy(fleet: Fleet, source: Engine, newcomer: _Newcomer, shown: str, how: str) -> Imported:
    """Every row, ids kept (they link the tables), in one transaction with the registration:
    a failed import leaves no half a history."""
    schema = registry.schema_for(newcomer.name)
    registry.migrate_schema(fleet.url, schema)
    with (
        transaction(registry.user_sessions(fleet, schema)) as target,
        source.connect() as reading,
    ):
        for table in reversed(_TABLES):
            target.execute(table.delete())
        for table in _TABLES:
            result = reading.execution_options(yield_per=_BATCH).execute(select(table))
            for rows in result.partitions():
                target.execute(insert(table), [row._asdict() for row in rows])
            if "id" in table.c and table.c.id.primary_key:
                # new rows continue after the copied ids
                qualified = f"{quoted(schema)}.{table.name}"
                target.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, 'id'), "
                        f"coalesce(max(id), 0) + 1, false) FROM {qualified}"
                    ),
                    {"t": qualified},
                )
        created = _register(target, newcomer)
        counts = _counts(target)
    return Imported(created, shown, how, counts)


def _move(fleet: Fleet, source: Engine, newcomer: _Newcomer, shown: str) -> Imported:
    """The personal tables of the fleet's own database become the job seeker's schema: no
    row is copied, indexes and id sequences go with their tables."""
    with source.connect() as connection:
        personal = quoted(str(connection.scalar(text("SELECT current_schema()"))))
    schema = quoted(registry.schema_for(newcomer.name))
    with transaction(fleet.registry()) as session:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": registry.MIGRATION_LOCK}
        )
        # an empty schema left by a plain `fleet add` makes way (no history: checked)
        session.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        session.execute(text(f"CREATE SCHEMA {schema}"))
        for table in [*(t.name for t in _TABLES), "alembic_version"]:
            session.execute(text(f"ALTER TABLE {personal}.{table} SET SCHEMA {schema}"))
        registry.fence_cursors(session.connection(), registry.schema_for(newcomer.name))
        session.execute(text(f"SET LOCAL search_path TO {schema}"))
        created = _register(session, newcomer)
        rows = _counts(session)
    return Imported(created, shown, f"its tables moved out of {personal} in place", rows)


def _register(session: Session, newcomer: _Newcomer) -> bool:
    """The registry row, with what the history already says: each account's last read (so
    today's digest need not wait for a first sync), the last digest sent (so today's is not
    sent again) and whether mail waits for analysis."""
    from watcher.analysis import has_pending

    name = newcomer.name
    created = registry.register(
        session, name, newcomer.config_text, newcomer.settings, newcomer.now
    )
    last_day, last_at = session.execute(
        select(func.max(Digest.day), func.max(Digest.sent_at)).where(Digest.sent_at.is_not(None))
    ).one()
    session.execute(
        update(job_seekers)
        .where(job_seekers.c.name == name)
        .values(
            last_digest_day=last_day, last_digest_at=last_at, analyse_pending=has_pending(session)
        )
    )
    read = session.execute(
        select(Account.name, func.max(Folder.last_sync_at))
        .join(Folder, Folder.account_id == Account.id)
        .group_by(Account.name)
    ).all()
    for account, last_sync in read:
        session.execute(
            update(fleet_accounts)
            .where((fleet_accounts.c.user_name == name) & (fleet_accounts.c.account == account))
            .values(last_sync_at=last_sync)
        )
    return created


def _counts(session: Session) -> dict[str, int]:
    tables = {table.name: table for table in _TABLES}
    return {
        shown: int(session.scalar(select(func.count()).select_from(tables[shown])) or 0)
        for shown, _ in _SHOWN
    }
