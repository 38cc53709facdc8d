"""UIDVALIDITY changes on real servers: a rescan downloads only what it cannot match by
Message-ID and size, stores nothing twice, and a server whose UIDs flap is named once."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.imap4d import INSTALL_HINT, Imap4d, MailutilsUser, installed, start_imap4d
from tests.servers.messages import raw_message
from watcher.clock import FixedClock
from watcher.config import AccountSettings
from watcher.domain import FetchedMessage
from watcher.ingest import sync_account
from watcher.secrets import Secret
from watcher.sources.imap import FLAPS_BEFORE_WARNING, ImapSource
from watcher.store.db import dispose_all, open_database

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
RECENT = NOW - timedelta(days=2)


class CountingSource(ImapSource):
    """The real source, counting the messages whose bodies it downloads."""

    downloaded: list[int]

    def _fetch(self, client: IMAPClient, uids: list[int]) -> list[FetchedMessage]:
        self.downloaded.extend(uids)
        return super()._fetch(client, uids)


def syncer(tmp_path: Path, settings: AccountSettings, password: str) -> Any:
    """sync(): one sync of the account into a SQLite file; returns the bodies downloaded."""
    sessions = open_database(f"sqlite:///{tmp_path / 'followup.db'}")

    def sync() -> list[int]:
        source = CountingSource(settings, lambda: Secret("password", password))
        source.downloaded = []
        try:
            report = sync_account(source, settings, sessions, FixedClock(NOW))
        finally:
            source.close()
        assert report.ok, report.problems()
        return source.downloaded

    return sync


def stored(tmp_path: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(tmp_path / "followup.db") as db:
        return db.execute(
            "select f.name, m.uid, m.message_id from messages m "
            "join folders f on f.id = m.folder_id order by f.name, m.uid"
        ).fetchall()


def bodies_fetched(dovecot: Dovecot, user: ImapUser, at_least: int) -> int:
    """Message bodies Dovecot counted as sent to ``user``, over every finished session.

    Sessions log their logout just after the client has gone, in no fixed order; wait (up
    to 5 s) for ``at_least``, then a moment more so that a late extra one is counted too.
    """
    deadline = time.monotonic() + 5
    while True:
        count = sum(s.body_count for s in dovecot.logout_stats(user))
        if count >= at_least or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    return sum(s.body_count for s in dovecot.logout_stats(user))


@pytest.fixture(autouse=True)
def _dispose() -> Iterator[None]:
    yield
    dispose_all()


@pytest.mark.dovecot
def test_recreated_folder_gets_new_uids_without_downloading_a_body_again(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    user = dovecot.add_user()
    me = f"Me <{user.address}>"
    dovecot.append_many(user, "Sent", [raw_message(n, sender=me) for n in (1, 2, 3)], RECENT)
    settings = dovecot.account_settings(user, name="recreated")
    sync = syncer(tmp_path, settings, user.password)
    assert sorted(sync()) == [1, 2, 3]
    old, new = dovecot.recreate_folder(user, "Sent")
    assert old != new
    late = dovecot.append(user, "Sent", raw_message(4, sender=me), RECENT)  # must be downloaded
    # the first sync's three, and the three the folder's recreation read to copy them
    assert bodies_fetched(dovecot, user, at_least=6) == 6

    assert sync() == [late]
    # what Dovecot itself counted: the rescan fetched one body, not four
    assert bodies_fetched(dovecot, user, at_least=7) == 7
    uids = dovecot.uids(user, "Sent")
    numbers = (1, 2, 3, 4)
    expected = [("Sent", u, f"msg-{n}@test.example") for n, u in zip(numbers, uids, strict=True)]
    assert stored(tmp_path) == expected


@pytest.fixture(scope="module")
def flapping_imap4d(tls_certificate: tuple[Path, Path]) -> Iterator[Imap4d]:
    """imap4d over Maildir: UIDVALIDITY changes on nearly every session."""
    if installed() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = start_imap4d(*tls_certificate, store="maildir", sent="Sent")
    try:
        yield server
    finally:
        server.close()


def test_flapping_uidvalidity_rescans_store_nothing_twice_download_nothing_again_and_say_so_once(
    flapping_imap4d: Imap4d, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = flapping_imap4d
    user: MailutilsUser = server.add_user()
    for number in (1, 2, 3):
        server.append(user, "INBOX", raw_message(number, date=RECENT), RECENT)
    server.append(user, "Sent", raw_message(4, sender=f"Me <{user.address}>", date=RECENT))
    settings = server.account_settings(user, name=f"flapping-{user.local}")
    sync = syncer(tmp_path, settings, user.password)

    assert len(sync()) == 4

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records if "unstable" in r.getMessage()]

    # imap4d renumbers at most sessions, not all: sync until it has flapped often enough
    # to be named, then a few times more, which must not repeat the warning.
    with caplog.at_level(logging.WARNING, logger="watcher.sources.imap"):
        for _ in range(4 * FLAPS_BEFORE_WARNING):
            assert sync() == []  # every rescan matched all by Message-ID and size
            if warnings():
                break
        for _ in range(2):
            assert sync() == []
    ids = [message_id for _, _, message_id in stored(tmp_path)]
    assert sorted(ids) == [f"msg-{n}@test.example" for n in (1, 2, 3, 4)]
    named = [w.split("folder ")[1].split(":")[0] for w in warnings()]
    assert named, caplog.text
    assert len(named) == len(set(named)), caplog.text  # once a folder, however often it flaps
    assert set(named) <= {"'INBOX'", "'Sent'"}
