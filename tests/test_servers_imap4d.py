"""GNU Mailutils imap4d, the second real server: the source contract, `sync` and `run` on it."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from imapclient import IMAPClient

from tests.clirun import run
from tests.servers.dovecot import Dovecot, write_config
from tests.servers.imap4d import INSTALL_HINT, Imap4d, MailutilsUser, installed, start_imap4d
from tests.servers.messages import raw_message
from tests.servers.server_contract import ServerContract
from tests.sources_contract import (
    fetch_all,
    samples,
)
from tests.test_daemon_run import Daemon
from watcher.clock import FixedClock
from watcher.errors import MailSourceError
from watcher.ingest import sync_account
from watcher.secrets import Secret
from watcher.sources.imap import IDLE_GRACE_SECONDS, ImapSource
from watcher.store.db import dispose_all, open_database
from watcher.store.messages import folder_counts

SENT = "Sent Items"  # found by name: imap4d has no SPECIAL-USE
START_TIMEOUT = 30.0


def _running(certificate: tuple[Path, Path], store: str) -> Iterator[Imap4d]:
    # A missing server is a failure, not a skip: a skipped integration test proves nothing.
    if installed() is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    server = start_imap4d(*certificate, store=store, sent=SENT)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def imap4d(tls_certificate: tuple[Path, Path]) -> Iterator[Imap4d]:
    """imap4d over mbox files, its sane store."""
    yield from _running(tls_certificate, "mbox")


@pytest.fixture(scope="module", params=["mbox", "maildir"])
def any_imap4d(
    tls_certificate: tuple[Path, Path], request: pytest.FixtureRequest
) -> Iterator[Imap4d]:
    """imap4d over mbox, and over Maildir (whose UIDs and UIDVALIDITY keep changing)."""
    yield from _running(tls_certificate, request.param)


def source_for(server: Imap4d, user: MailutilsUser, **keys: Any) -> ImapSource:
    settings = server.account_settings(user, **keys)
    return ImapSource(settings, lambda: Secret("password", user.password))


class TestImap4dContract(ServerContract):
    """The MailSource contract, over imap4d (mbox store, Sent called "Sent Items")."""

    sent = SENT

    @pytest.fixture
    def server(self, imap4d: Imap4d) -> Imap4d:
        return imap4d


def test_imap4d_answers_nothing_to_uid_star_ranges(imap4d: Imap4d) -> None:
    """Why the source never sends `n:*`: this server answers it with nothing at all."""
    user = imap4d.add_user()
    for number in (1, 2):
        imap4d.append(user, "INBOX", raw_message(number))
    with imap4d.connect(user) as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search(["UID", "1:*"]) == []
        assert client.search(["UID", "1:4294967295"]) == [1, 2]


class StarSearchingSource(ImapSource):
    """The source as it was before: `UID n:*`, which imap4d answers with nothing."""

    @staticmethod
    def _search(client: IMAPClient, after_uid: int, top: int, since: Any) -> list[int]:
        return sorted(u for u in client.search(["UID", f"{after_uid + 1}:*"]) if u > after_uid)


def test_a_search_answering_nothing_while_status_counts_mail_is_an_error(
    imap4d: Imap4d,
) -> None:
    user = imap4d.add_user()
    for number in (1, 2, 3):
        imap4d.append(user, "INBOX", raw_message(number))
    settings = imap4d.account_settings(user)
    with StarSearchingSource(settings, lambda: Secret("password", user.password)) as source:
        source.status("INBOX")
        with pytest.raises(MailSourceError, match=r"STATUS reports 3 message.*found nothing"):
            fetch_all(source, "INBOX")
        # incrementally too: UIDNEXT moved past what was synced, the search found nothing
        imap4d.append(user, "INBOX", raw_message(4))
        source.status("INBOX")
        with pytest.raises(MailSourceError, match=r"UIDNEXT 5.*UID SEARCH 4:4 found nothing"):
            fetch_all(source, "INBOX", after_uid=3)


def test_bounded_search_reaches_the_latest_uidnext_the_server_reported(imap4d: Imap4d) -> None:
    user = imap4d.add_user()
    for sample in samples(3):
        imap4d.append(user, "INBOX", sample.raw, sample.delivered)
    with source_for(imap4d, user) as source:
        assert source.status("INBOX").uidnext == 4
        # arrived after the STATUS, before the EXAMINE: EXAMINE's UIDNEXT covers it
        imap4d.append(user, "INBOX", raw_message(9))
        assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 2, 3, 4]
        source.status("INBOX")
        assert [m.uid for m in fetch_all(source, "INBOX", after_uid=3)] == [4]
        assert fetch_all(source, "INBOX", after_uid=4) == []


# -- the CLI against imap4d ----------------------------------------------------------------------


def mail_in(number: int, now: datetime) -> bytes:
    return raw_message(
        number,
        sender=f"Recruiter {number} <recruiter{number}@acme{number}.example>",
        subject=f"Your application {number}",
        date=now - timedelta(hours=number),
        message_id=f"<in-{number}@acme{number}.example>",
    )


def mail_out(number: int, user: MailutilsUser, now: datetime) -> bytes:
    return raw_message(
        number,
        sender=f"Alex <{user.address}>",
        to=f"recruiter{number}@acme{number}.example",
        subject=f"Re: Your application {number}",
        date=now - timedelta(hours=number),
        message_id=f"<out-{number}@example.org>",
    )


def counts(config: Path, env: dict[str, str]) -> dict[str, int]:
    done = run(["--json", "status", "--config", str(config)], env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return {f["folder"]: f["messages"] for a in report["accounts"] for f in a["folders"]}


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "NOTIFY_"))}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config-home")
    return env


@pytest.mark.slow
def test_three_syncs_store_every_message_of_inbox_and_sent_items_incrementally(
    any_imap4d: Imap4d, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    imap4d = any_imap4d
    user = imap4d.add_user()
    config = write_config(
        tmp_path, imap4d.account_toml(user, tmp_path, since_days=3650, poll_seconds=20)
    )
    now = datetime.now(UTC)
    number = 0
    for round_, (inbox, sent) in enumerate([(4, 2), (3, 1), (2, 2)], 1):
        for _ in range(inbox):
            number += 1
            imap4d.append(user, "INBOX", mail_in(number, now))
        for _ in range(sent):
            number += 1
            imap4d.append(user, SENT, mail_out(number, user, now))
        done = run(["sync", "--once", "--config", str(config)], cli_env)
        assert done.returncode == 0, done.stderr + done.stdout
        stored = counts(config, cli_env)
        on_server = {"INBOX": imap4d.uids(user, "INBOX"), SENT: imap4d.uids(user, SENT)}
        assert stored == {folder: len(uids) for folder, uids in on_server.items()}
        assert sum(stored.values()) == number, f"sync {round_}"
    assert stored == {"INBOX": 9, SENT: 5}


POLL = 5  # the shortest poll the config allows: two poll rounds stay well under a minute


@pytest.mark.slow
def test_run_with_a_short_poll_stores_mail_although_imap4d_idle_never_tells(
    any_imap4d: Imap4d, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    imap4d = any_imap4d
    user = imap4d.add_user()
    now = datetime.now(UTC)
    imap4d.append(user, "INBOX", mail_in(1, now))
    imap4d.append(user, SENT, mail_out(2, user, now))
    config = write_config(
        tmp_path, imap4d.account_toml(user, tmp_path, since_days=3650, poll_seconds=POLL)
    )
    daemon = Daemon(config, cli_env, tmp_path / "run.log")
    try:
        daemon.wait_for(r"ready: first sync done", START_TIMEOUT)
        assert counts(config, cli_env) == {"INBOX": 1, SENT: 1}
        imap4d.append(user, "INBOX", mail_in(3, now))
        imap4d.append(user, SENT, mail_out(4, user, now))
        # the poll brings them (IDLE on imap4d announces nothing)
        daemon.wait_for(r"synced 2 new message", POLL + 15, count=2)  # the first: at the start
        assert counts(config, cli_env) == {"INBOX": 2, SENT: 2}
        imap4d.append(user, "INBOX", mail_in(5, now))
        daemon.wait_for(r"IDLE .*did not announce", POLL + 15)
        daemon.wait_for(r"synced 1 new message", POLL + 15)
        assert counts(config, cli_env) == {"INBOX": 3, SENT: 2}
        code, _ = daemon.signal(signal.SIGTERM)
        assert code == 0, daemon.log()
        assert "Traceback" not in daemon.log()
        assert len(daemon.lines(r"IDLE .*did not announce")) == 1, daemon.log()
    finally:
        daemon.close()


def test_a_first_sync_that_finds_nothing_fails_and_status_says_why(
    imap4d: Imap4d, tmp_path: Path
) -> None:
    user = imap4d.add_user()
    for number in (1, 2):
        imap4d.append(user, "INBOX", raw_message(number))
    settings = imap4d.account_settings(user, since_days=3650)
    sessions = open_database(f"sqlite:///{tmp_path / 'followup.db'}")
    try:
        with StarSearchingSource(settings, lambda: Secret("password", user.password)) as source:
            report = sync_account(source, settings, sessions, FixedClock(datetime.now(UTC)))
        assert not report.ok
        assert any("found nothing" in problem for problem in report.problems())
        with sessions() as session:
            lines = {c.folder: c for c in folder_counts(session)}
        assert lines["INBOX"].messages == 0
        assert (lines["INBOX"].last_sync_result or "").startswith("error: ")
        assert "STATUS reports 2 message(s)" in (lines["INBOX"].last_sync_result or "")
        assert (lines[SENT].last_sync_result or "").startswith("ok")  # empty: nothing to find
    finally:
        dispose_all()


def test_idle_that_never_announces_is_caught_by_the_poll_within_poll_seconds(
    imap4d: Imap4d,
) -> None:
    user = imap4d.add_user()
    with source_for(imap4d, user, poll_seconds=5) as watcher:
        assert watcher.idle_supported()
        assert watcher.wait_for_change("INBOX", timeout=0.5) is False
        imap4d.append(user, "INBOX", raw_message(1))
        started = time.monotonic()
        assert watcher.wait_for_change("INBOX", timeout=15) is True
        assert time.monotonic() - started < 5 + IDLE_GRACE_SECONDS + 2
        assert (watcher.idle_missed, watcher.idle_announced) == (1, False)


@pytest.mark.dovecot
def test_idle_that_announces_is_never_counted_as_silent(dovecot: Dovecot) -> None:
    user = dovecot.add_user()
    with ImapSource(
        dovecot.account_settings(user, poll_seconds=5),
        lambda: Secret("password", user.password),
    ) as watcher:
        assert watcher.wait_for_change("INBOX", timeout=0.5) is False
        dovecot.append(user, "INBOX", raw_message(1))
        assert watcher.wait_for_change("INBOX", timeout=3) is True  # pushed, not polled
        # the next poll sees UIDNEXT moved by the mail IDLE did announce: no lie
        assert watcher.wait_for_change("INBOX", timeout=5 + IDLE_GRACE_SECONDS + 1) is False
        assert (watcher.idle_missed, watcher.idle_announced) == (0, True)
