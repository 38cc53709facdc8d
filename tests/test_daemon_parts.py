"""The parts `followup run` is made of (watcher.service), each against the real Dovecot: the
IDLE watcher, and a sync that stops at a message boundary when asked to."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.servers.dovecot import Dovecot, free_port
from tests.servers.messages import raw_message
from watcher.clock import FixedClock
from watcher.daemon import ChangeWatcher, StopRequested
from watcher.errors import ConnectionLostError, MailSourceError
from watcher.service import open_watcher, sync_once
from watcher.store.db import dispose_all, open_database

pytestmark = pytest.mark.dovecot


def test_watcher_reports_an_appended_message_within_two_seconds(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    watcher = open_watcher(dovecot.account_settings(user))
    assert watcher is not None
    try:
        assert watcher.wait_for_change("INBOX", timeout=0.3) is False  # quiet mailbox
        dovecot.append(user, "INBOX", raw_message(1))
        started = time.monotonic()
        while not watcher.wait_for_change("INBOX", timeout=0.5):
            assert time.monotonic() - started < 2.0
    finally:
        watcher.close()


def test_no_watcher_for_a_maildir_or_an_account_that_turned_idle_off(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    user = dovecot.add_user()
    assert open_watcher(dovecot.account_settings(user, idle=False)) is None
    maildir = dovecot.account_settings(user).model_copy(
        update={"host": "", "maildir": str(tmp_path)}
    )
    assert open_watcher(maildir) is None


def test_watcher_raises_connection_lost_when_the_server_dies(private_dovecot: Dovecot) -> None:
    user = private_dovecot.add_user()
    watcher = open_watcher(private_dovecot.account_settings(user))
    assert watcher is not None
    try:
        watcher.wait_for_change("INBOX", timeout=0.2)
        private_dovecot.stop()
        with pytest.raises(ConnectionLostError):
            _wait_three_times(watcher)
    finally:
        watcher.close()


def _wait_three_times(watcher: ChangeWatcher) -> None:
    for _ in range(3):
        watcher.wait_for_change("INBOX", timeout=0.5)


def _stored(database: Path) -> tuple[int, int]:
    with sqlite3.connect(database) as db:
        count, distinct = db.execute(
            "SELECT count(*), count(DISTINCT message_id) FROM messages"
        ).fetchone()
    return int(count), int(distinct)


def test_sync_stops_after_the_message_it_is_storing_and_the_next_sync_finishes_the_rest(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    user = dovecot.add_user()
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    yesterday = now - timedelta(days=1)
    dovecot.append_many(user, "INBOX", (raw_message(n, date=yesterday) for n in range(30)))
    account = dovecot.account_settings(user, batch_size=5)
    database = tmp_path / "followup.db"
    sessions = open_database(f"sqlite:///{database}")
    calls = 0

    def stop_after_ten() -> None:
        nonlocal calls
        calls += 1
        if calls == 10:
            raise StopRequested

    try:
        with pytest.raises(StopRequested):
            sync_once(account, sessions, FixedClock(now), stop_after_ten)
        # what was stored before the checkpoint is committed (10 ends a batch of 5)
        assert _stored(database) == (10, 10)
        assert sync_once(account, sessions, FixedClock(now), lambda: None) == 20
        assert _stored(database) == (30, 30)
    finally:
        dispose_all()


def test_a_failed_sync_raises_for_the_loop_to_back_off(dovecot: Dovecot, tmp_path: Path) -> None:
    user = dovecot.add_user()
    account = dovecot.account_settings(user, port=free_port())  # nothing listens there
    sessions = open_database(f"sqlite:///{tmp_path / 'followup.db'}")
    try:
        with pytest.raises(ConnectionLostError, match=r"connection to 127\.0\.0\.1"):
            sync_once(account, sessions, FixedClock(datetime.now(UTC)), lambda: None)
    finally:
        dispose_all()


def test_a_failed_sync_leaves_the_one_log_line_to_the_service(
    dovecot: Dovecot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = dovecot.add_user()
    account = dovecot.account_settings(user, port=free_port())
    sessions = open_database(f"sqlite:///{tmp_path / 'followup.db'}")
    try:
        with caplog.at_level(logging.INFO), pytest.raises(MailSourceError):
            sync_once(account, sessions, FixedClock(datetime.now(UTC)), lambda: None)
    finally:
        dispose_all()
    # at the default level (INFO) the journal would show the failure twice
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == []
