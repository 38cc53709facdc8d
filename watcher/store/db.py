"""Engine and session setup, and migrations applied on start."""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from watcher.errors import StorageError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from alembic.config import Config

# alembic is imported in the functions that migrate: modules that only need
# `transaction` (and `followup --help`) start without it.

MIGRATIONS = Path(__file__).parent / "migrations"

_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def dispose_all() -> None:
    """Close the pooled connections of every engine made here (shutdown, tests)."""
    for engine in list(_engines):
        engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does (with the umask); an
    existing one must be the user's own, and is made private if others could read it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        return
    found = path.stat()
    if found.st_uid != os.getuid():
        raise StorageError(
            f"database {path} belongs to another user (uid {found.st_uid}); "
            "move it away or point [database] url at a file of your own"
        )
    if found.st_mode & 0o077:
        # it holds the user's mail: in a shared directory others could read it
        path.chmod(0o600)
        log.warning("database %s was readable by others; made it private (mode 600)", path)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files are created private and run in WAL mode."""
    try:
        sqlite_path = _sqlite_path(url)
    except ArgumentError as exc:
        raise StorageError(f"database url {url!r} is not valid: {exc}") from exc
    if sqlite_path is not None:
        try:
            _create_private_file(sqlite_path)
        except OSError as exc:
            raise StorageError(f"cannot create database {sqlite_path}: {exc}") from exc
    try:
        engine = create_engine(url)
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"cannot open database {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
    _engines.add(engine)
    return engine


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


# The newest migration's revision id. Checked against alembic's own view by a test, it
# lets every command see "nothing to migrate" without loading alembic (a fifth of a second).
HEAD_REVISION = "0003"


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":  # one cheap read, no reflection machinery
            query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            if connection.execute(text(query)).scalar() is None:
                return None
        elif not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def upgrade(engine: Engine) -> bool:
    """Apply pending migrations; returns whether anything was applied."""
    try:
        if current_revision(engine) == HEAD_REVISION:
            return False
        from alembic import command  # only when there is something to migrate

        command.upgrade(_alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot migrate database: {exc}") from exc
    return True


def open_database(url: str) -> sessionmaker[Session]:
    """Engine + migrations + a session factory: what every command needs."""
    engine = make_engine(url)
    upgrade(engine)
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        with session.begin():
            yield session
    except SQLAlchemyError as exc:
        raise StorageError(f"database error: {exc}") from exc
    finally:
        session.close()
