"""`followup worker` processes on PostgreSQL, Dovecot and aiosmtpd, one SIGKILLed mid-sync:
its job runs again elsewhere, nothing is lost or stored twice, each digest is sent once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.clirun import FOLLOWUP, invoke
from tests.fleet_fixtures import (
    fleet_url,
    make_seeker,
    most_sessions,
    recruiter_mail,
    write_fleet_config,
)
from tests.servers.dovecot import Dovecot
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.dovecot, pytest.mark.slow]
_ = fleet_url  # a fixture

BIG = 1500  # messages in the mailbox whose sync is killed half-way
PER_HOST = 2  # IMAP connections to the one Dovecot from the whole fleet


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[Path, str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(fleet: Path, name: str) -> subprocess.Popen[bytes]:
        with (tmp_path / f"{name}.log").open("wb") as log:  # the child keeps its own copy
            process = subprocess.Popen(
                [
                    str(FOLLOWUP),
                    "--config",
                    str(fleet),
                    "worker",
                    "--concurrency",
                    "2",
                    "--connections-per-host",
                    str(PER_HOST),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "FOLLOWUP_USER": ""},
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _fleet_rows(fleet: Path) -> dict[str, dict[str, object]]:
    result = invoke(["--config", str(fleet), "fleet", "list", "--json"])
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def _wait(what: str, check: Callable[[], bool], timeout: float, logs: Path) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            shown = "\n".join(p.read_text()[-3000:] for p in sorted(logs.glob("*.log")))
            pytest.fail(f"{what}: not within {timeout} s\n{shown}")
        time.sleep(0.2)
    return time.monotonic() - start


def test_killed_worker_loses_nothing_and_sends_each_digest_once(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    tmp_path: Path,
    fleet_url: str,
    start_worker: Callable[[Path, str], subprocess.Popen[bytes]],
) -> None:
    fleet = write_fleet_config(tmp_path, fleet_url)
    smtp = (
        f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\ntls = "none"\n'
        'from = "followup <fleet@example.org>"\n'
    )
    seekers = [
        make_seeker(dovecot, tmp_path, name, extra=smtp, poll_seconds=5)
        for name in ("big", "ann", "ben")
    ]
    for seeker in seekers:
        # digest time 00:00: due as soon as each job seeker's mail has been read
        config = seeker.config.read_text()
        seeker.config.write_text(config.replace("[digest]\n", '[digest]\ntime = "00:00"\n'))
    big, ann, ben = seekers
    dovecot.append_many(
        big.imap, "INBOX", (raw_message(n, to=big.imap.address) for n in range(BIG))
    )
    dovecot.append(big.imap, "INBOX", recruiter_mail(BIG, "Acme", big.imap))
    for number, seeker in enumerate((ann, ben)):
        dovecot.append(seeker.imap, "INBOX", recruiter_mail(number, "Globex", seeker.imap))
    expected = {"big": BIG + 1, "ann": 1, "ben": 1}
    for seeker in seekers:
        added = invoke(["--config", str(fleet), "fleet", "add", seeker.name, str(seeker.config)])
        assert added.exit_code == 0, added.stderr

    first = start_worker(fleet, "first")
    engine = create_engine(fleet_url, poolclass=NullPool)
    doing = text(
        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' "
        "AND task_name = 'followup.sync_account' AND args->>'user' = 'big'"
    )

    def big_sync_running() -> bool:
        with engine.connect() as connection:
            try:
                return bool(connection.execute(doing).scalar())
            except Exception:  # the worker has not created the queue's tables yet
                connection.rollback()
                return False

    _wait("the big mailbox's sync starts", big_sync_running, 60, tmp_path)
    time.sleep(0.5)  # part of it stored
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    partial = _fleet_rows(fleet)["big"]["messages"]
    assert isinstance(partial, int)
    assert partial < BIG + 1, "the sync finished before the kill: make BIG larger"

    start_worker(fleet, "second")
    start_worker(fleet, "third")

    def all_stored() -> bool:
        rows = _fleet_rows(fleet)
        return all(rows[name]["messages"] == count for name, count in expected.items())

    waited = _wait("every message stored after the kill", all_stored, 120, tmp_path)
    # 20 s without a heartbeat, a 5 s tick, then the rest of the sync
    assert waited < 75, waited

    def all_digests() -> bool:
        rows = _fleet_rows(fleet)
        return all(rows[name]["last_digest"] is not None for name in expected)

    _wait("every digest sent", all_digests, 240, tmp_path)  # spaCy reads them all first
    time.sleep(12)  # two more ticks: a second digest would be queued and sent by now
    recipients = Counter(rcpt for mail in smtp_server.received for rcpt in mail.rcpt_tos)
    assert recipients == Counter({s.imap.address: 1 for s in seekers})

    rows = _fleet_rows(fleet)
    assert {name: row["messages"] for name, row in rows.items()} == expected
    per_user, together = most_sessions(dovecot.log_text(), {s.imap.name for s in seekers})
    assert per_user == {s.imap.name: 1 for s in seekers}
    assert together <= PER_HOST
    with engine.connect() as connection:
        schemas = connection.execute(
            text("SELECT schema_name FROM followup_fleet.job_seekers WHERE name = 'big'")
        ).scalar_one()
        keys = connection.execute(
            text(f'SELECT count(*), count(DISTINCT message_key) FROM "{schemas}".messages')
        ).one()
    assert keys[0] == keys[1] == BIG + 1
    leads = invoke(["--config", str(fleet), "--user", "big", "leads", "--all", "--json"])
    assert leads.exit_code == 0, leads.stderr
    assert [lead["company"] for lead in json.loads(leads.stdout)] == ["Acme"]
