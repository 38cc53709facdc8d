"""sync_account stores each fetched batch with its folder's last_uid in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.databases import database_url, sqlite_url  # noqa: F401  (fixture)
from tests.servers.messages import raw_message
from watcher.clock import FixedClock
from watcher.config import AccountSettings
from watcher.errors import StorageError
from watcher.ingest import sync_account
from watcher.sources.fake import InMemorySource
from watcher.store.db import open_database, transaction
from watcher.store.tables import Folder, StoredMessage

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ACCOUNT = AccountSettings(
    name="personal", host="127.0.0.1", tls="none", addresses=("me@example.org",), batch_size=4
)


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:  # noqa: F811
    return open_database(database_url)


def deliver(source: InMemorySource, numbers: range) -> None:
    for n in numbers:
        source.add("INBOX", raw_message(n), NOW - timedelta(days=1))


def inbox(sessions: sessionmaker[Session]) -> tuple[list[tuple[int, str]], int]:
    """(uid, message_id) of the stored INBOX messages in insertion order, and last_uid."""
    with transaction(sessions) as session:
        rows = session.execute(
            select(StoredMessage.uid, StoredMessage.message_id)
            .join(Folder, Folder.id == StoredMessage.folder_id)
            .where(Folder.name == "INBOX")
            .order_by(StoredMessage.id)
        )
        last_uid = session.scalar(select(Folder.last_uid).where(Folder.name == "INBOX"))
        return [(u, m) for u, m in rows], int(last_uid or 0)


def test_database_failure_mid_batch_stores_none_of_that_batch_and_a_rerun_stores_all_once(
    tmp_path: Path,
) -> None:
    sessions = open_database(sqlite_url(tmp_path))  # the trigger below is SQLite's syntax
    source = InMemorySource("personal")
    deliver(source, range(1, 11))  # batches: uids 1-4, 5-8, 9-10
    with transaction(sessions) as session:  # a real constraint that refuses message 6
        session.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON messages "
                "WHEN NEW.message_id = 'msg-6@test.example' "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )

    with pytest.raises(StorageError, match="disk full"):
        sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    stored, last_uid = inbox(sessions)
    assert [u for u, _ in stored] == [1, 2, 3, 4]  # message 5 went back with 6
    assert last_uid == 4
    with transaction(sessions) as session:
        session.execute(text("DROP TRIGGER refuse"))

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.folders[0].new == 6
    stored, last_uid = inbox(sessions)
    assert stored == [(n, f"msg-{n}@test.example") for n in range(1, 11)]
    assert last_uid == 10


def test_same_message_id_twice_in_one_batch_is_one_row_at_the_later_uid(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, range(1, 3))
    source.add("INBOX", raw_message(1, subject="Same id, delivered again"), NOW)

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.folders[0].new == 2
    stored, last_uid = inbox(sessions)
    assert stored == [(3, "msg-1@test.example"), (2, "msg-2@test.example")]
    assert last_uid == 3


def test_unparseable_message_between_good_ones_keeps_uid_order(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, range(1, 3))
    source.add("INBOX", b"\x00\x01 garbage without any header\r\n", NOW)
    deliver(source, range(4, 6))

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert (report.folders[0].new, report.folders[0].failed) == (5, 1)
    stored, _ = inbox(sessions)
    assert [u for u, _ in stored] == [1, 2, 3, 4, 5]
    assert stored[2][1].startswith("unparsed-")


def test_progress_only_reports_messages_already_committed(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, range(1, 10))
    seen: list[tuple[int, int]] = []

    def progress(folder: str, done: int, _total: int | None) -> None:
        with transaction(sessions) as session:  # another session sees only what is committed
            committed = session.scalar(select(func.count(StoredMessage.id)))
        seen.append((done, int(committed or 0)))

    sync_account(source, ACCOUNT, sessions, FixedClock(NOW), progress)

    assert [done for done, _ in seen] == list(range(1, 10))
    assert all(committed >= done for done, committed in seen)
