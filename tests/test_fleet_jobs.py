"""The jobs in process, on PostgreSQL, Dovecot and aiosmtpd: back-off on server errors, the
per-host connection cap, mail flagged for analysis, and claims a paused worker keeps."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.clirun import invoke
from tests.fleet_fixtures import (
    fleet_url,
    make_seeker,
    recruiter_mail,
    write_fleet_config,
    zone_near_noon,
)
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer
from watcher.fleet import claims, jobs
from watcher.fleet.registry import Fleet, add_job_seeker, fleet_accounts, job_seekers, open_fleet
from watcher.store.db import transaction

pytestmark = [pytest.mark.postgres, pytest.mark.dovecot]
_ = fleet_url  # a fixture


@pytest.fixture
def fleet(fleet_url: str) -> Iterator[Fleet]:
    opened = open_fleet(fleet_url, pool_size=12)
    jobs.build_app(opened)  # the jobs find the fleet through the app, as in a worker
    yield opened
    opened.engine.dispose()


def _schedule(fleet: Fleet, user: str) -> tuple[int, datetime, datetime | None, str | None]:
    with transaction(fleet.registry()) as session:
        row = session.execute(
            select(
                fleet_accounts.c.failures,
                fleet_accounts.c.next_sync_at,
                fleet_accounts.c.last_sync_at,
                fleet_accounts.c.last_error,
            ).where(fleet_accounts.c.user_name == user)
        ).one()
    return row.failures, row.next_sync_at, row.last_sync_at, row.last_error


def _pending(fleet: Fleet, user: str) -> bool:
    with transaction(fleet.registry()) as session:
        return bool(
            session.scalar(select(job_seekers.c.analyse_pending).where(job_seekers.c.name == user))
        )


def test_sync_job_stores_mail_and_flags_it_for_analysis(
    dovecot: Dovecot, tmp_path: Path, fleet: Fleet
) -> None:
    seeker = make_seeker(dovecot, tmp_path, "fay", poll_seconds=60)
    dovecot.append(seeker.imap, "INBOX", recruiter_mail(1, "Acme", seeker.imap))
    add_job_seeker(fleet, "fay", seeker.config, datetime.now(UTC))
    before = datetime.now(UTC)
    jobs.sync_account_job("fay", "mail")
    failures, next_sync, last_sync, error = _schedule(fleet, "fay")
    assert (failures, error) == (0, None)
    assert last_sync is not None
    assert last_sync >= before
    assert next_sync >= before + timedelta(seconds=59)  # the account's poll_seconds
    assert _pending(fleet, "fay")


def test_sync_job_backs_off_further_after_each_server_error(
    dovecot: Dovecot, tmp_path: Path, fleet: Fleet
) -> None:
    seeker = make_seeker(dovecot, tmp_path, "gus")
    (tmp_path / "gus" / "mail.password").write_text("wrong\n")
    add_job_seeker(fleet, "gus", seeker.config, datetime.now(UTC))
    waits = []
    for _ in range(3):
        start = datetime.now(UTC)
        jobs.sync_account_job("gus", "mail")
        failures, next_sync, last_sync, error = _schedule(fleet, "gus")
        waits.append((next_sync - start).total_seconds())
    assert failures == 3
    assert last_sync is None
    assert error is not None
    assert "mail" in error
    assert waits[0] >= 2
    assert waits[2] > waits[0]
    assert not _pending(fleet, "gus")


def test_sync_job_waits_its_turn_when_the_host_has_no_connection_to_spare(
    dovecot: Dovecot, tmp_path: Path, fleet: Fleet
) -> None:
    seeker = make_seeker(dovecot, tmp_path, "hal")
    dovecot.append(seeker.imap, "INBOX", recruiter_mail(2, "Acme", seeker.imap))
    add_job_seeker(fleet, "hal", seeker.config, datetime.now(UTC))
    logins = len(dovecot.logout_stats(seeker.imap))
    with contextlib.ExitStack() as others:  # other workers' syncs fill every slot of the host
        for _ in range(jobs.connections_per_host):
            assert others.enter_context(jobs.host_slot(fleet, dovecot.host))
        assert not others.enter_context(jobs.host_slot(fleet, dovecot.host))
        start = datetime.now(UTC)
        jobs.sync_account_job("hal", "mail")
    failures, next_sync, last_sync, _ = _schedule(fleet, "hal")
    assert (failures, last_sync) == (0, None)  # not an error, and nothing was read
    assert next_sync <= start + timedelta(seconds=3.5)
    assert len(dovecot.logout_stats(seeker.imap)) == logins  # no connection was made
    jobs.sync_account_job("hal", "mail")  # the slot is free again
    assert _schedule(fleet, "hal")[2] is not None


def test_sync_job_never_connects_while_another_process_still_holds_the_account(
    dovecot: Dovecot, tmp_path: Path, fleet: Fleet
) -> None:
    """A paused worker's job is given to another by the queue; the paused one may still
    hold its IMAP connection, so the new one must not open a second one."""
    seeker = make_seeker(dovecot, tmp_path, "ivy")
    dovecot.append(seeker.imap, "INBOX", recruiter_mail(3, "Acme", seeker.imap))
    add_job_seeker(fleet, "ivy", seeker.config, datetime.now(UTC))
    logins = len(dovecot.logout_stats(seeker.imap))
    with claims.account_claim(fleet, "ivy", "mail") as paused:  # the paused worker's claim
        assert paused
        start = datetime.now(UTC)
        jobs.sync_account_job("ivy", "mail")
        # another job seeker's account is not held up by it
        other = make_seeker(dovecot, tmp_path, "jon")
        add_job_seeker(fleet, "jon", other.config, datetime.now(UTC))
        jobs.sync_account_job("jon", "mail")
        assert _schedule(fleet, "jon")[2] is not None
    failures, next_sync, last_sync, _ = _schedule(fleet, "ivy")
    assert (failures, last_sync) == (0, None)  # not an error, and nothing was read
    assert next_sync <= start + timedelta(seconds=3.5)
    assert len(dovecot.logout_stats(seeker.imap)) == logins  # no connection was made
    jobs.sync_account_job("ivy", "mail")  # released (its holder went on or died): read now
    assert _schedule(fleet, "ivy")[2] is not None
    assert len(dovecot.logout_stats(seeker.imap, at_least=logins + 1)) == logins + 1


def test_digest_job_waits_while_a_paused_worker_may_be_sending_it(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path: Path, fleet: Fleet
) -> None:
    extra = (
        f'time = "00:00"\n\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
        'tls = "none"\nfrom = "followup <fleet@example.org>"\n'
    )
    seeker = make_seeker(dovecot, tmp_path, "kay", extra=extra, zone=zone_near_noon())
    dovecot.append(seeker.imap, "INBOX", recruiter_mail(4, "Acme", seeker.imap))
    add_job_seeker(fleet, "kay", seeker.config, datetime.now(UTC))
    jobs.sync_account_job("kay", "mail")
    with claims.user_claim(fleet, "kay") as paused:  # a paused worker's analysis or digest
        assert paused
        jobs.analyse_job("kay")
        assert _pending(fleet, "kay")  # asked for again, not dropped
        jobs.digest_job("kay")
        assert smtp_server.received == []
    jobs.analyse_job("kay")
    jobs.digest_job("kay")
    jobs.digest_job("kay")  # a second job for the same day sends nothing
    assert [mail.rcpt_tos for mail in smtp_server.received] == [(seeker.imap.address,)]


def test_user_sync_command_refuses_a_mailbox_a_worker_is_reading(
    dovecot: Dovecot, tmp_path: Path, fleet: Fleet, fleet_url: str
) -> None:
    seeker = make_seeker(dovecot, tmp_path, "mo")
    dovecot.append(seeker.imap, "INBOX", recruiter_mail(5, "Acme", seeker.imap))
    add_job_seeker(fleet, "mo", seeker.config, datetime.now(UTC))
    config = write_fleet_config(tmp_path, fleet_url)
    logins = len(dovecot.logout_stats(seeker.imap))
    with claims.account_claim(fleet, "mo", "mail") as worker:  # a worker's sync under way
        assert worker
        refused = invoke(["--config", str(config), "--user", "mo", "sync"])
    assert refused.exit_code == 1
    assert "mail: a fleet worker is reading this mailbox now" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert len(dovecot.logout_stats(seeker.imap)) == logins  # no connection was made
    synced = invoke(["--config", str(config), "--user", "mo", "sync"])
    assert synced.exit_code == 0, synced.stderr
    assert len(dovecot.logout_stats(seeker.imap, at_least=logins + 1)) == logins + 1
