"""The fleet's registry: job seekers, their settings (secrets as references) and schemas."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import NullPool

from watcher.config import DatabaseSettings, Settings, parse_settings
from watcher.errors import ConfigError, StorageError, UsageError
from watcher.store.db import transaction, upgrade
from watcher.store.tables import UtcDateTime

FLEET_SCHEMA = "followup_fleet"
FLEET_POLL_SECONDS = 60
# Letters, digits and . _ @ - : a name is typed on command lines and shown in logs.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
# Serialises schema creation and migration between concurrent `fleet add`s and workers.
MIGRATION_LOCK = 0x666C6565  # "flee"

metadata = MetaData(schema=FLEET_SCHEMA)

job_seekers = Table(
    "job_seekers",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("schema_name", String(63), unique=True, nullable=False),
    Column("config", Text, nullable=False),
    Column("zone", String(100), nullable=False),
    Column("digest_time", String(5), nullable=False),
    Column("sends_digest", Boolean, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("last_digest_day", Date),
    Column("last_digest_at", UtcDateTime),
    # set by a sync that stored new mail; the scheduler turns it into one analysis job
    Column("analyse_pending", Boolean, nullable=False, default=False),
)

fleet_accounts = Table(
    "fleet_accounts",
    metadata,
    Column(
        "user_name",
        String(100),
        ForeignKey(job_seekers.c.name, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("account", String(200), primary_key=True),
    Column("host", String(500), nullable=False),
    Column("poll_seconds", Integer, nullable=False),
    Column("next_sync_at", UtcDateTime, nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_sync_at", UtcDateTime),
    Column("last_error", Text),
)

# A late write (a worker thought dead, still finishing) never moves a folder's cursor back:
# within one UIDVALIDITY, last_uid only grows, whatever the writer computed.
_FENCE = """
CREATE OR REPLACE FUNCTION {schema}.followup_fence_last_uid() RETURNS trigger AS $$
BEGIN
    IF NEW.uidvalidity IS NOT DISTINCT FROM OLD.uidvalidity AND NEW.last_uid < OLD.last_uid THEN
        NEW.last_uid := OLD.last_uid;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER folders_fence_last_uid BEFORE UPDATE ON {schema}.folders
    FOR EACH ROW EXECUTE FUNCTION {schema}.followup_fence_last_uid();
"""


@dataclass(frozen=True)
class Fleet:
    """The fleet's database: one engine shared by the registry and every job seeker."""

    url: str
    engine: Engine

    def registry(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)


@dataclass(frozen=True)
class JobSeeker:
    """One registered job seeker: their settings (database = the fleet's) and schema."""

    name: str
    schema: str
    settings: Settings


def fleet_database_url(path: Path) -> str:
    """The PostgreSQL URL in the fleet config's ``[database]``; SQLite is refused."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            str(path), ["no such file; pass the fleet's config with --config"]
        ) from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(str(path), [f"cannot read: {exc}"]) from exc
    database = data.get("database")
    url = database.get("url") if isinstance(database, dict) else None
    if not isinstance(url, str) or not url:
        raise ConfigError(str(path), ['a fleet needs [database] url = "postgresql+psycopg://..."'])
    require_postgres(url, str(path))
    return url


def require_postgres(url: str, where: str) -> None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ConfigError(where, [f"database url is not valid: {exc}"]) from exc
    if backend != "postgresql":
        raise UsageError(
            f"{where}: a fleet runs on PostgreSQL only, not {backend}; set [database] url = "
            '"postgresql+psycopg://USER@HOST/DB" (SQLite serves one job seeker: `followup run`)'
        )


def open_fleet(url: str, pool_size: int = 0) -> Fleet:
    """Connect and make sure the registry exists (created on first use). A command opens
    a connection per transaction (``pool_size`` 0); a worker keeps a pool of its threads'."""
    require_postgres(url, "[database] url")
    try:
        if pool_size:
            engine = create_engine(url, pool_size=pool_size, max_overflow=2, pool_pre_ping=True)
        else:
            engine = create_engine(url, poolclass=NullPool)
    except (ArgumentError, ImportError) as exc:
        raise StorageError(f"cannot open the fleet database: {exc}") from exc
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {FLEET_SCHEMA}"))
            metadata.create_all(connection)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot open the fleet database: {first_line(exc)}") from exc
    return Fleet(url, engine)


def user_sessions(fleet: Fleet, schema: str) -> sessionmaker[Session]:
    """Sessions whose every transaction sees only ``schema`` (SET LOCAL: nothing leaks to
    the next user of a pooled connection)."""
    factory = sessionmaker(fleet.engine, expire_on_commit=False)

    def scope(_session: Session, _transaction: SessionTransaction, connection: Connection) -> None:
        connection.exec_driver_sql(f"SET LOCAL search_path TO {quoted(schema)}")

    event.listen(factory, "after_begin", scope)
    return factory


def schema_for(name: str) -> str:
    """A readable, unique schema name: the name's letters plus a hash of the whole name."""
    readable = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40]
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"seeker_{readable}_{digest}"


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"job seeker name {name!r} is not usable; use letters, digits and . _ @ - "
            "(at most 100, starting with a letter or digit)"
        )
    return name


def read_user_config(path: Path) -> tuple[str, Settings]:
    """The user's config text and settings; a plain-text password is refused."""
    try:
        config_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file; give the job seeker's config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    settings = parse_settings(config_text, path)
    sections: list[tuple[str, Any]] = [(f"account {a.name!r}", a) for a in settings.accounts]
    if settings.smtp is not None:
        sections.append(("[smtp]", settings.smtp))
    for where, section in sections:
        if section.password:
            raise UsageError(
                f"{path}: {where} has a password in plain text; a fleet stores only references: "
                "use password_command, keyring = true or password_env"
            )
    return config_text, settings


def add_job_seeker(fleet: Fleet, name: str, path: Path, now: datetime) -> bool:
    """Register ``name`` with the config at ``path`` (or replace their settings); returns
    whether they are new. Their schema is created and migrated to the newest revision."""
    check_name(name)
    config_text, settings = read_user_config(path)
    schema = schema_for(name)
    migrate_schema(fleet.url, schema)
    with transaction(fleet.registry()) as session:
        return register(session, name, config_text, settings, now)


def register(
    session: Session, name: str, config_text: str, settings: Settings, now: datetime
) -> bool:
    """Insert or update ``name``'s registry row and account schedule in ``session``'s
    transaction; returns whether they are new."""
    values = {
        "config": config_text,
        "zone": settings.digest.timezone,
        "digest_time": settings.digest.time,
        "sends_digest": settings.smtp is not None,
        "updated_at": now,
    }
    found = session.execute(
        select(job_seekers.c.name).where(job_seekers.c.name == name).with_for_update()
    ).first()
    if found is None:
        session.execute(
            insert(job_seekers).values(
                name=name,
                schema_name=schema_for(name),
                added_at=now,
                analyse_pending=False,
                **values,
            )
        )
    else:
        session.execute(update(job_seekers).where(job_seekers.c.name == name).values(**values))
    _set_accounts(session, name, settings, now)
    return found is None


def _set_accounts(session: Session, name: str, settings: Settings, now: datetime) -> None:
    """The accounts' sync schedule: new ones are due now, removed ones go."""
    names = [a.name for a in settings.accounts]
    session.execute(
        delete(fleet_accounts).where(
            fleet_accounts.c.user_name == name, fleet_accounts.c.account.not_in(names)
        )
    )
    known = set(
        session.scalars(select(fleet_accounts.c.account).where(fleet_accounts.c.user_name == name))
    )
    for account in settings.accounts:
        where = (fleet_accounts.c.user_name == name) & (fleet_accounts.c.account == account.name)
        # No IDLE in a fleet: an unchanged mailbox costs one STATUS per folder, so poll
        # every minute unless the job seeker's file says otherwise.
        poll = (
            account.poll_seconds
            if "poll_seconds" in account.model_fields_set
            else FLEET_POLL_SECONDS
        )
        shape = {"host": account.host or "maildir", "poll_seconds": poll}
        if account.name in known:
            session.execute(update(fleet_accounts).where(where).values(**shape))
        else:
            session.execute(
                insert(fleet_accounts).values(
                    user_name=name, account=account.name, next_sync_at=now, failures=0, **shape
                )
            )


def migrate_schema(url: str, schema: str) -> None:
    """Create ``schema`` and run the store's migrations inside it, plus the cursor fence."""
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}"))
        upgrade(engine)
        with engine.begin() as connection:
            fence_cursors(connection, schema)
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot prepare schema {schema}: {first_line(exc)}") from exc
    finally:
        engine.dispose()


def fence_cursors(connection: Connection, schema: str) -> None:
    """The trigger that keeps ``schema``'s folder cursors from moving back."""
    connection.exec_driver_sql(_FENCE.format(schema=quoted(schema)))


def remove_job_seeker(fleet: Fleet, name: str) -> None:
    """Forget ``name``: their settings, schedule and all their data (their schema)."""
    with transaction(fleet.registry()) as session:
        schema = session.scalar(
            select(job_seekers.c.schema_name).where(job_seekers.c.name == name).with_for_update()
        )
        if schema is None:
            raise _unknown(name)
        session.execute(text(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE"))
        session.execute(delete(job_seekers).where(job_seekers.c.name == name))


def job_seeker(fleet: Fleet, name: str) -> JobSeeker:
    """The registered job seeker ``name``, with settings pointing at the fleet database."""
    with transaction(fleet.registry()) as session:
        row = session.execute(
            select(job_seekers.c.schema_name, job_seekers.c.config).where(
                job_seekers.c.name == name
            )
        ).first()
    if row is None:
        raise _unknown(name)
    settings = parse_settings(row.config, None)
    settings = dataclasses.replace(settings, database=DatabaseSettings(url=fleet.url))
    return JobSeeker(name, row.schema_name, settings)


def names(fleet: Fleet) -> list[str]:
    with transaction(fleet.registry()) as session:
        return list(session.scalars(select(job_seekers.c.name).order_by(job_seekers.c.name)))


def summaries(fleet: Fleet) -> list[dict[str, Any]]:
    """`fleet list`: one object per job seeker, counted in their own schema."""
    from watcher.store.messages import folder_counts, lead_count
    from watcher.store.tables import Digest

    with transaction(fleet.registry()) as session:
        rows = session.execute(
            select(
                job_seekers.c.name,
                job_seekers.c.schema_name,
                func.count(fleet_accounts.c.account),
                func.max(fleet_accounts.c.last_sync_at),
            )
            .outerjoin(fleet_accounts, fleet_accounts.c.user_name == job_seekers.c.name)
            .group_by(job_seekers.c.name, job_seekers.c.schema_name)
            .order_by(job_seekers.c.name)
        ).all()
    out: list[dict[str, Any]] = []
    for name, schema, accounts, last_sync in rows:
        with transaction(user_sessions(fleet, schema)) as session:
            folders = folder_counts(session)
            messages = sum(c.messages for c in folders)
            leads = lead_count(session)
            last_digest = session.scalar(select(func.max(Digest.sent_at)))
        # a worker's sync, a `--user NAME sync` and an imported history all leave it here
        last_sync = max(
            (t for t in [last_sync, *(c.last_sync_at for c in folders)] if t is not None),
            default=None,
        )
        out.append(
            {
                "name": name,
                "accounts": int(accounts),
                "messages": messages,
                "leads": leads,
                "last_sync": last_sync,
                "last_digest": last_digest,
            }
        )
    return out


@dataclass(frozen=True)
class DueAccount:
    user: str
    account: str


def claim_due_syncs(fleet: Fleet, now: datetime, limit: int = 500) -> list[DueAccount]:
    """Accounts whose next sync is due; each is pushed a poll interval ahead so the next
    tick does not claim it again (the sync sets the real next time when it ends)."""
    with transaction(fleet.registry()) as session:
        rows = session.execute(
            select(
                fleet_accounts.c.user_name, fleet_accounts.c.account, fleet_accounts.c.poll_seconds
            )
            .where(fleet_accounts.c.next_sync_at <= now)
            .order_by(fleet_accounts.c.next_sync_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for user, account, poll in rows:
            session.execute(
                update(fleet_accounts)
                .where((fleet_accounts.c.user_name == user) & (fleet_accounts.c.account == account))
                .values(next_sync_at=now + _seconds(poll))
            )
    return [DueAccount(user, account) for user, account, _ in rows]


def record_sync(
    fleet: Fleet,
    user: str,
    account: str,
    now: datetime,
    error: str | None,
    retry_in: float,
    *,
    busy: bool = False,
    new_mail: bool = False,
) -> None:
    """After a sync: the next one after the poll interval, or after ``retry_in`` on error
    or when the server had no connection to spare (``busy``). New mail flags the job seeker
    for analysis in the same transaction: the scheduler never sees the account read and
    the analysis not yet asked for (it would send a digest without the new mail)."""
    where = (fleet_accounts.c.user_name == user) & (fleet_accounts.c.account == account)
    with transaction(fleet.registry()) as session:
        if busy:
            values: dict[str, Any] = {"next_sync_at": now + _seconds(retry_in)}
        elif error is None:
            poll = session.scalar(select(fleet_accounts.c.poll_seconds).where(where))
            values = {
                "failures": 0,
                "last_sync_at": now,
                "last_error": None,
                "next_sync_at": now + _seconds(poll or 300),
            }
        else:
            values = {
                "failures": fleet_accounts.c.failures + 1,
                "last_error": error[:2000],
                "next_sync_at": now + _seconds(retry_in),
            }
        session.execute(update(fleet_accounts).where(where).values(**values))
        if new_mail:
            session.execute(
                update(job_seekers).where(job_seekers.c.name == user).values(analyse_pending=True)
            )


def failures(fleet: Fleet, user: str, account: str) -> int:
    with transaction(fleet.registry()) as session:
        found = session.scalar(
            select(fleet_accounts.c.failures).where(
                (fleet_accounts.c.user_name == user) & (fleet_accounts.c.account == account)
            )
        )
    return int(found or 0)


@dataclass(frozen=True)
class DigestSchedule:
    user: str
    zone: str
    digest_time: str
    last_digest_day: date | None


def digest_schedules(fleet: Fleet) -> list[DigestSchedule]:
    with transaction(fleet.registry()) as session:
        rows = session.execute(
            select(
                job_seekers.c.name,
                job_seekers.c.zone,
                job_seekers.c.digest_time,
                job_seekers.c.last_digest_day,
            ).where(
                job_seekers.c.sends_digest,
                ~job_seekers.c.analyse_pending,
                # not before every account has been read once: an empty first digest
                # would be the day's only one
                ~exists().where(
                    fleet_accounts.c.user_name == job_seekers.c.name,
                    fleet_accounts.c.last_sync_at.is_(None),
                ),
            )
        ).all()
    return [DigestSchedule(*row) for row in rows]


def record_digest(fleet: Fleet, user: str, day: date, sent_at: datetime | None) -> None:
    """The day's digest is done (sent now, sent before, or nothing to send)."""
    values: dict[str, Any] = {"last_digest_day": day}
    if sent_at is not None:
        values["last_digest_at"] = sent_at
    with transaction(fleet.registry()) as session:
        session.execute(update(job_seekers).where(job_seekers.c.name == user).values(**values))


def flag_analysis(fleet: Fleet, user: str) -> None:
    """Ask for ``user``'s analysis again (the scheduler queues it on its next tick)."""
    with transaction(fleet.registry()) as session:
        session.execute(
            update(job_seekers).where(job_seekers.c.name == user).values(analyse_pending=True)
        )


def claim_pending_analyses(fleet: Fleet) -> list[str]:
    """Job seekers with new mail to analyse; the flag is cleared as the job is queued."""
    with transaction(fleet.registry()) as session:
        return list(
            session.scalars(
                update(job_seekers)
                .where(job_seekers.c.analyse_pending)
                .values(analyse_pending=False)
                .returning(job_seekers.c.name)
            )
        )


@contextmanager
def user_transaction(fleet: Fleet, seeker: JobSeeker) -> Iterator[Session]:
    with transaction(user_sessions(fleet, seeker.schema)) as session:
        yield session


def _seconds(value: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=value)


def quoted(identifier: str) -> str:
    """A schema name checked and quoted for SQL."""
    if not re.fullmatch(r"[a-z0-9_]{1,63}", identifier):
        raise ValueError(f"unsafe schema name {identifier!r}")
    return f'"{identifier}"'


def _unknown(name: str) -> UsageError:
    return UsageError(f"no job seeker named {name!r}; see `followup fleet list`")


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
