"""A fleet under fire, as an operator would check it: six job seekers on a real Dovecot,
three `followup worker` processes on PostgreSQL, SIGKILLs while they sync (one of them the
worker half-way through the biggest mailbox). Then `fleet list --json`, `--user X leads
--json` and the SMTP server's inbox against what was put in the mailboxes: nothing lost,
nothing stored or sent twice, one IMAP connection per account at a time, one digest each."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from tests.clirun import invoke
from tests.fleet_fixtures import (
    StartWorker,
    fleet_url,
    make_seeker,
    most_sessions,
    recruiter_mail,
    start_worker,
    wait_for,
    write_fleet_config,
    zone_near_noon,
)
from tests.servers.dovecot import Dovecot
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer

pytestmark = [pytest.mark.postgres, pytest.mark.dovecot, pytest.mark.slow]
_ = (fleet_url, start_worker)  # fixtures

BIG = 600  # messages in the mailbox whose sync is killed half-way
SMALL = 40
PER_HOST = 2  # IMAP connections to the one Dovecot from the whole fleet
COMPANIES = {
    "big": "Acme",
    "ann": "Globex",
    "ben": "Initech",
    "cat": "Umbrella",
    "dan": "Hooli",
    "eve": "Stark",
}


def _fleet_rows(fleet: Path) -> dict[str, dict[str, object]]:
    result = invoke(["--config", str(fleet), "fleet", "list", "--json"])
    assert result.exit_code == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def _scalar(engine: Engine, query: str) -> object:
    with engine.connect() as connection:
        try:
            return connection.execute(text(query)).scalar()
        except ProgrammingError:  # no worker has created the queue's tables yet
            return None


def _start_known_worker(
    start: StartWorker, fleet: Path, name: str, engine: Engine, logs: Path
) -> tuple[int, subprocess.Popen[bytes]]:
    """A worker and its queue id: started after the last one registered, it is the newest."""
    before = _scalar(engine, "SELECT max(id) FROM procrastinate_workers") or 0
    process = start(fleet, name, PER_HOST)

    def registered() -> bool:
        newest = _scalar(engine, "SELECT max(id) FROM procrastinate_workers")
        return isinstance(newest, int) and newest > before

    wait_for(f"worker {name} registers", registered, 60, logs)
    worker_id = _scalar(engine, "SELECT max(id) FROM procrastinate_workers")
    assert isinstance(worker_id, int)
    return worker_id, process


def test_sigkilled_workers_lose_nothing_and_send_each_digest_once(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    tmp_path: Path,
    fleet_url: str,
    start_worker: StartWorker,
) -> None:
    fleet = write_fleet_config(tmp_path, fleet_url)
    # digest time 00:00 in a zone where it is about noon: due as soon as the mail is read
    extra = (
        f'time = "00:00"\n\n[smtp]\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
        'tls = "none"\nfrom = "followup <fleet@example.org>"\n'
    )
    zone = zone_near_noon()
    seekers = {
        # the big mailbox is stored in small batches: a kill half-way leaves part of it
        name: make_seeker(
            dovecot,
            tmp_path,
            name,
            extra=extra,
            poll_seconds=5,
            zone=zone,
            **({"batch_size": 5} if name == "big" else {}),
        )
        for name in COMPANIES
    }
    expected: dict[str, int] = {}
    for number, (name, seeker) in enumerate(seekers.items()):
        plain = BIG if name == "big" else SMALL
        base = number * 10_000
        # plain mail from a sender that names no company: each digest names one
        mail = [
            raw_message(base + n, sender="Ann Neighbour <ann@home.example>", to=seeker.imap.address)
            for n in range(plain)
        ]
        mail.append(recruiter_mail(base + plain, COMPANIES[name], seeker.imap))
        dovecot.append_many(seeker.imap, "INBOX", mail)
        expected[name] = plain + 1
        added = invoke(["--config", str(fleet), "fleet", "add", name, str(seeker.config)])
        assert added.exit_code == 0, added.stderr

    engine = create_engine(fleet_url, poolclass=NullPool)
    workers = dict(
        _start_known_worker(start_worker, fleet, f"w{n}", engine, tmp_path) for n in range(3)
    )
    big_sync = (
        "SELECT worker_id FROM procrastinate_jobs WHERE status = 'doing' "
        "AND task_name = 'followup.sync_account' AND args->>'user' = 'big'"
    )
    big_schema = _scalar(
        engine, "SELECT schema_name FROM followup_fleet.job_seekers WHERE name = 'big'"
    )
    big_stored = f'SELECT count(*) FROM "{big_schema}".messages'

    def big_sync_half_way() -> bool:
        stored = _scalar(engine, big_stored)
        return isinstance(stored, int) and stored >= 30 and bool(_scalar(engine, big_sync))

    wait_for("the big mailbox's sync is under way", big_sync_half_way, 60, tmp_path)
    holder = _scalar(engine, big_sync)
    assert isinstance(holder, int)
    os.kill(workers[holder].pid, signal.SIGKILL)  # the worker half-way through it
    killed_at = time.monotonic()
    workers.pop(holder).wait()
    partial = _fleet_rows(fleet)["big"]["messages"]
    assert isinstance(partial, int)
    assert partial < expected["big"], "the sync finished before the kill: make BIG larger"
    # and one more, chosen at random, while the others' syncs and analyses run
    rng = random.Random()
    time.sleep(rng.uniform(0.5, 2.0))
    victim = rng.choice(sorted(workers))
    os.kill(workers[victim].pid, signal.SIGKILL)
    workers.pop(victim).wait()
    start_worker(fleet, "w3", PER_HOST)
    start_worker(fleet, "w4", PER_HOST)

    def all_stored() -> bool:
        rows = _fleet_rows(fleet)
        return all(rows[name]["messages"] == count for name, count in expected.items())

    wait_for("every message stored after the kills", all_stored, 120, tmp_path)
    # 20 s without a heartbeat, a 5 s tick, then the rest of the sync
    assert time.monotonic() - killed_at < 75

    def all_digests() -> bool:
        return all(row["last_digest"] is not None for row in _fleet_rows(fleet).values())

    wait_for("every digest sent", all_digests, 300, tmp_path)  # spaCy on a busy machine
    time.sleep(7)  # another tick and its jobs: a second digest would be on its way by now

    # the SMTP inbox: one digest per job seeker, with their lead and no one else's
    recipients = Counter(rcpt for mail in smtp_server.received for rcpt in mail.rcpt_tos)
    assert recipients == Counter({s.imap.address: 1 for s in seekers.values()})
    for mail in smtp_server.received:
        (name,) = [n for n, s in seekers.items() if s.imap.address in mail.rcpt_tos]
        body = mail.message.get_body(preferencelist=("plain",))
        assert body is not None
        content = body.get_content()
        assert COMPANIES[name] in content, (name, content)
        others = [c for n, c in COMPANIES.items() if n != name and c in content]
        assert not others, (name, content)

    # `fleet list --json`: every message once, one lead each, a sync and a digest each
    rows = _fleet_rows(fleet)
    assert {name: row["messages"] for name, row in rows.items()} == expected
    assert {name: row["leads"] for name, row in rows.items()} == dict.fromkeys(COMPANIES, 1)
    assert {name: row["accounts"] for name, row in rows.items()} == dict.fromkeys(COMPANIES, 1)
    assert all(row["last_sync"] is not None for row in rows.values())
    for name, company in COMPANIES.items():
        leads = invoke(["--config", str(fleet), "--user", name, "leads", "--all", "--json"])
        assert leads.exit_code == 0, leads.stderr
        assert [lead["company"] for lead in json.loads(leads.stdout)] == [company]

    # Dovecot's log: never two sessions on one mailbox, never more than the host's share
    imap_names = {s.imap.name for s in seekers.values()}
    per_user, together = most_sessions(dovecot.log_text(), imap_names)
    assert per_user == dict.fromkeys(imap_names, 1)
    assert together <= PER_HOST


def test_a_paused_worker_keeps_its_mailbox_no_second_connection_opens(
    dovecot: Dovecot, tmp_path: Path, fleet_url: str, start_worker: StartWorker
) -> None:
    """SIGSTOP the worker half-way through a mailbox: the queue takes it for dead and gives
    its job to the other worker, which must not open a second connection to that mailbox
    while the paused one still holds its own; resumed, the paused one finishes the job."""
    fleet = write_fleet_config(tmp_path, fleet_url)
    seeker = make_seeker(dovecot, tmp_path, "big", poll_seconds=5, batch_size=5)
    dovecot.append_many(
        seeker.imap, "INBOX", (raw_message(n, to=seeker.imap.address) for n in range(BIG))
    )
    added = invoke(["--config", str(fleet), "fleet", "add", "big", str(seeker.config)])
    assert added.exit_code == 0, added.stderr
    engine = create_engine(fleet_url, poolclass=NullPool)
    workers = dict(
        _start_known_worker(start_worker, fleet, f"w{n}", engine, tmp_path) for n in range(2)
    )
    schema = _scalar(engine, "SELECT schema_name FROM followup_fleet.job_seekers")
    stored = f'SELECT count(*) FROM "{schema}".messages'
    doing = (
        "SELECT worker_id FROM procrastinate_jobs WHERE status = 'doing' "
        "AND task_name = 'followup.sync_account'"
    )

    def half_way() -> bool:
        count = _scalar(engine, stored)
        return isinstance(count, int) and count >= 30 and bool(_scalar(engine, doing))

    wait_for("the sync is under way", half_way, 60, tmp_path)
    holder = _scalar(engine, doing)
    assert isinstance(holder, int)
    paused = workers[holder]
    paused.send_signal(signal.SIGSTOP)
    try:
        requeued = (
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
            "'followup.sync_account' AND status = 'succeeded'"
        )
        # the other worker has run the job again (20 s without a heartbeat, then a tick)
        wait_for(
            "the paused worker's job run again",
            lambda: bool(_scalar(engine, requeued)),
            60,
            tmp_path,
        )
        assert _scalar(engine, stored) < BIG  # nothing more was read meanwhile
    finally:
        paused.send_signal(signal.SIGCONT)

    def all_stored() -> bool:
        return _fleet_rows(fleet)["big"]["messages"] == BIG

    wait_for("every message stored after the pause", all_stored, 60, tmp_path)
    keys = _scalar(engine, f'SELECT count(DISTINCT message_key) FROM "{schema}".messages')
    assert keys == BIG
    per_user, _ = most_sessions(dovecot.log_text(), {seeker.imap.name})
    assert per_user == {seeker.imap.name: 1}
