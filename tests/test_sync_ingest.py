"""sync_account over the in-memory source: incremental, crash-safe, no duplicates, bad mail kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.databases import database_url  # noqa: F401  (fixture)
from tests.servers.messages import raw_message
from watcher.clock import FixedClock
from watcher.config import AccountSettings
from watcher.errors import AuthenticationError, ConnectionLostError
from watcher.ingest import sync_account
from watcher.mail import MAX_NAME_CHARS
from watcher.sources.fake import InMemorySource
from watcher.store.db import open_database, transaction
from watcher.store.messages import folder_counts, to_message
from watcher.store.tables import Folder, StoredMessage

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ME = "me@example.org"
ACCOUNT = AccountSettings(
    name="personal", host="127.0.0.1", tls="none", addresses=(ME,), since_days=30, batch_size=3
)


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:  # noqa: F811
    return open_database(database_url)


def stored(sessions: sessionmaker[Session]) -> list[tuple[str, int, str]]:
    """(folder, uid, message_id) of every stored message."""
    with transaction(sessions) as session:
        rows = session.execute(
            select(Folder.name, StoredMessage.uid, StoredMessage.message_id)
            .join(Folder, Folder.id == StoredMessage.folder_id)
            .order_by(Folder.name, StoredMessage.uid)
        )
        return [(f, u, m) for f, u, m in rows]


def deliver(source: InMemorySource, folder: str, numbers: range, days_ago: int = 1) -> None:
    for n in numbers:
        source.add(folder, raw_message(n), NOW - timedelta(days=days_ago))


def test_first_sync_imports_inbox_and_sent_within_look_back(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 3), days_ago=45)  # older than since_days
    deliver(source, "INBOX", range(3, 6))
    source.add("Sent", raw_message(6, sender=f"Me <{ME}>", to="jane@acme.example"), NOW)

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.ok
    assert [(f.folder, f.new, f.failed) for f in report.folders] == [
        ("INBOX", 3, 0),
        ("Sent", 1, 0),
    ]
    assert [m for _, _, m in stored(sessions)] == [
        "msg-3@test.example",
        "msg-4@test.example",
        "msg-5@test.example",
        "msg-6@test.example",
    ]
    with transaction(sessions) as session:
        sent = session.scalars(select(StoredMessage).where(StoredMessage.uid == 1)).all()
        directions = {to_message(m).message_id: to_message(m).direction.value for m in sent}
    assert directions["msg-6@test.example"] == "out"


def test_unchanged_folder_costs_one_status_and_no_fetch(sessions: sessionmaker[Session]) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 5))
    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    source.status_calls, source.fetched_uids = 0, []

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW + timedelta(minutes=5)))

    assert [f.new for f in report.folders] == [0, 0]
    assert source.status_calls == 2  # one per folder
    assert source.fetched_uids == []


def test_new_mail_after_first_sync_is_fetched_even_if_dated_long_ago(
    sessions: sessionmaker[Session],
) -> None:
    # The look-back window is for the first sync only: later arrivals are never skipped.
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 3))
    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    deliver(source, "INBOX", range(3, 4), days_ago=400)

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.folders[0].new == 1
    assert source.fetched_uids[-1] == 3


def test_uidvalidity_change_rescans_without_duplicates(sessions: sessionmaker[Session]) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 5))
    source.expunge("INBOX", 1)
    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    source.reset_uidvalidity("INBOX")  # messages 2..4 now have UIDs 1..3
    deliver(source, "INBOX", range(5, 6))

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.folders[0].new == 1
    assert stored(sessions) == [
        ("INBOX", 1, "msg-2@test.example"),
        ("INBOX", 2, "msg-3@test.example"),
        ("INBOX", 3, "msg-4@test.example"),
        ("INBOX", 4, "msg-5@test.example"),
    ]


def test_failure_between_batches_keeps_what_was_stored_and_resumes(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 9))
    deliver(source, "INBOX", range(9, 10), days_ago=90)  # outside the first sync's window
    # folders, status, first batch: then the connection drops before the second batch
    source.fail_after(3, ConnectionLostError("connection reset", account="personal"))

    first = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    assert not first.ok
    assert first.folders[0].new == 3
    assert "connection reset" in (first.folders[0].error or "")

    second = sync_account(source, ACCOUNT, sessions, FixedClock(NOW + timedelta(hours=1)))
    assert second.ok
    assert second.folders[0].new == 5
    # resumed as a first sync: the old message stays out, nothing is stored twice
    assert [m for _, _, m in stored(sessions)] == [f"msg-{n}@test.example" for n in range(1, 9)]


def test_broken_message_is_recorded_with_reason_and_the_rest_imports(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 2))
    source.add("INBOX", b"\x00\x01\x02 garbage without any header\r\n", NOW)
    deliver(source, "INBOX", range(3, 4))

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert (report.folders[0].new, report.folders[0].failed) == (3, 1)
    with transaction(sessions) as session:
        errors = session.scalars(
            select(StoredMessage.parse_error).where(StoredMessage.parse_error.is_not(None))
        ).all()
        counts = folder_counts(session)
    assert len(errors) == 1
    assert "no mail headers" in (errors[0] or "")
    assert [(c.folder, c.messages, c.failed) for c in counts] == [("INBOX", 3, 1), ("Sent", 0, 0)]
    assert counts[0].last_sync_result == "ok: 3 new, 1 failed"


def test_own_digest_and_draft_are_stored_as_ours(sessions: sessionmaker[Session]) -> None:
    source = InMemorySource("personal")
    source.add("INBOX", raw_message(1, headers={"X-Followup-Digest": "2026-03-10"}), NOW)
    source.add("INBOX", raw_message(2, headers={"X-Followup-Draft": "lead-7"}), NOW)
    deliver(source, "INBOX", range(3, 4))

    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    with transaction(sessions) as session:
        ours = dict(session.execute(select(StoredMessage.message_id, StoredMessage.ours)).all())
    assert ours == {"msg-1@test.example": True, "msg-2@test.example": True,
                    "msg-3@test.example": False}  # fmt: skip


def test_stored_message_keeps_sender_offset(sessions: sessionmaker[Session]) -> None:
    sent = datetime(2026, 3, 6, 9, 30, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    source = InMemorySource("personal")
    source.add("INBOX", raw_message(1, date=sent), NOW)
    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    with transaction(sessions) as session:
        [row] = session.scalars(select(StoredMessage)).all()
        message = to_message(row)
    assert message.sent_at == sent
    assert message.sent_at.utcoffset() == timedelta(hours=-5)


def test_authentication_failure_stops_account_and_is_recorded(
    sessions: sessionmaker[Session],
) -> None:
    source = InMemorySource("personal")
    deliver(source, "INBOX", range(1, 2))
    sync_account(source, ACCOUNT, sessions, FixedClock(NOW))
    source.fail_after(0, AuthenticationError("login refused", account="personal"))

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert report.error == "account 'personal': login refused"
    assert isinstance(report.exception, AuthenticationError)
    with transaction(sessions) as session:
        results = session.scalars(select(Folder.last_sync_result)).all()
        count = session.scalar(select(func.count(StoredMessage.id)))
    assert results == ["error: account 'personal': login refused"] * 2
    assert count == 1


def test_hostile_headers_are_stored_bounded_on_any_database(
    sessions: sessionmaker[Session],
) -> None:
    long_name = "A" * 700
    raw = (
        f'From: "{long_name}" <jane@acme.example>\r\nTo: me@example.org\r\n'
        f"Message-ID: <hostile@test.example>\r\nIn-Reply-To: <{'x' * 1200}@y>\r\n"
        "Subject: caf\xe9 \xff\xfe\r\n\r\nbody\x00 text\r\n"
    ).encode("latin-1")
    source = InMemorySource("personal")
    source.add("INBOX", raw, NOW)
    source.add("INBOX", b"X-Only: \xff\xfe\x00 odd\r\n\r\nno usual headers\r\n", NOW)

    report = sync_account(source, ACCOUNT, sessions, FixedClock(NOW))

    assert (report.folders[0].new, report.folders[0].failed) == (2, 1)
    with transaction(sessions) as session:
        names = session.scalars(select(StoredMessage.sender_name)).all()
    assert sorted(len(n) for n in names) == [0, MAX_NAME_CHARS]
