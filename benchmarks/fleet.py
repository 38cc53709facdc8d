"""A fleet on one Dovecot and one PostgreSQL: throughput with 1, 2 and 4 workers, then SIGKILLs.

Run: ``FOLLOWUP_TEST_DATABASE_URL=postgresql+psycopg://... PYTHONPATH=. .venv/bin/python
benchmarks/fleet.py [--seekers 200] [--messages 100] [--workers 1 2 4] [--kills 3]`` (the
defaults are smaller:
a 2-core machine seeds and migrates 200 schemas slowly). For each worker count, in one run,
on a fresh database and fresh mailboxes:

- initial sync and analysis: wall time until every message is stored and analysed, messages/s
  and the ratio to one worker
- IMAP sessions open at once per account (from Dovecot's log; must never exceed 1) and in all
- PostgreSQL connections held (sampled from pg_stat_activity)

then, with the largest worker count, a second round of new mail while random workers are
SIGKILLed and restarted: messages lost, stored twice, digests sent twice (all must be 0), and
the longest time an account's new mail waited to be stored.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from tests.fleet_fixtures import make_seeker, most_sessions, recruiter_mail, write_fleet_config
from tests.servers.dovecot import Dovecot, start_dovecot
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer
from watcher.fleet.registry import add_job_seeker, open_fleet
from watcher.store.db import dispose_all

FOLLOWUP = Path(sys.executable).parent / "followup"
HOLD = timedelta(days=1)  # registered accounts wait for the start signal


def _database(admin: str) -> str:
    name = f"followup_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def _drop(admin: str, url: str) -> None:
    dispose_all()
    engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _worker(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(FOLLOWUP), "--config", str(config), "worker", "--concurrency", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )


class Probe:
    """Reads the fleet's progress straight from PostgreSQL."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url, poolclass=NullPool)
        self.max_connections = 0

    def stored(self) -> dict[str, tuple[int, int]]:
        """Per job seeker: (messages, distinct message keys)."""
        out: dict[str, tuple[int, int]] = {}
        with self.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT name, schema_name FROM followup_fleet.job_seekers")
            ).all()
            for name, schema in rows:
                count, distinct = connection.execute(
                    text(f'SELECT count(*), count(DISTINCT message_key) FROM "{schema}".messages')
                ).one()
                out[name] = (int(count), int(distinct))
            held = connection.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            ).scalar()
        self.max_connections = max(self.max_connections, int(held or 0) - 1)  # not this one
        return out

    def workers(self) -> int:
        with self.engine.connect() as connection:
            try:
                return int(
                    connection.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar()
                    or 0
                )
            except ProgrammingError:  # the first worker has not made the tables yet
                return 0

    def digests_done(self) -> int:
        with self.engine.connect() as connection:
            done = connection.execute(
                text(
                    "SELECT count(*) FROM followup_fleet.job_seekers"
                    " WHERE last_digest_day IS NOT NULL"
                )
            ).scalar()
        return int(done or 0)

    def analysed(self) -> bool:
        with self.engine.connect() as connection:
            pending = connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM followup_fleet.job_seekers WHERE analyse_pending)"
                    " + (SELECT count(*) FROM procrastinate_jobs WHERE task_name ="
                    " 'followup.analyse' AND status IN ('todo', 'doing'))"
                )
            ).scalar()
        return pending == 0


def _until(check: Callable[[], bool], timeout: float) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise SystemExit(f"gave up after {timeout} s")
        time.sleep(0.5)
    return time.monotonic() - start


def run_round(
    dovecot: Dovecot, admin: str, seekers: int, messages: int, workers: int, kills: int
) -> dict[str, float]:
    directory = Path(tempfile.mkdtemp(prefix="followup-fleet-bench-"))
    url = _database(admin)
    smtp = SmtpServer(tls="none")
    smtp.start()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        config = write_fleet_config(directory, url)
        fleet = open_fleet(url)
        smtp_toml = (
            f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\n'
            'from = "followup <fleet@example.org>"\n'
        )
        people = []
        for index in range(seekers):
            seeker = make_seeker(dovecot, directory, f"s{index}", extra=smtp_toml, poll_seconds=5)
            body = seeker.config.read_text().replace("[digest]\n", '[digest]\ntime = "00:00"\n')
            seeker.config.write_text(body)
            mail = [raw_message(n, to=seeker.imap.address) for n in range(messages - 1)]
            mail.append(recruiter_mail(messages, f"Co{index}", seeker.imap))
            dovecot.append_many(seeker.imap, "INBOX", mail)
            people.append(seeker)
            add_job_seeker(fleet, seeker.name, seeker.config, datetime.now(UTC) + HOLD)
        # The clock starts with the workers booted (queue tables made, registered) and every
        # account made due at once.
        processes = [_worker(config, directory / f"w{n}.log") for n in range(workers)]
        probe = Probe(url)
        _until(lambda: probe.workers() >= workers, 120)
        with probe.engine.begin() as connection:
            connection.execute(
                text("UPDATE followup_fleet.fleet_accounts SET next_sync_at = now()")
            )
        expected = {s.name: messages for s in people}

        def done() -> bool:
            return {k: v[0] for k, v in probe.stored().items()} == expected and probe.analysed()

        seconds = _until(done, 3600)
        figures = {
            "seconds": seconds,
            "messages_per_s": seekers * messages / seconds,
            "pg_connections": float(probe.max_connections),
        }
        if kills:
            figures.update(_kill_round(dovecot, people, probe, processes, config, directory, kills))
            # every job seeker's digest (due since their first analysis), then three more
            # ticks: a digest sent twice would be sent by now
            with contextlib.suppress(SystemExit):
                _until(lambda: probe.digests_done() >= seekers, 600)
            time.sleep(15)
            sent = Counter(r for mail in smtp.received for r in mail.rcpt_tos)
            figures["digests_twice"] = float(sum(1 for n in sent.values() if n > 1))
            figures["digests_missing"] = float(sum(1 for s in people if not sent[s.imap.address]))
        per_account, together = most_sessions(dovecot.log_text(), {s.imap.name for s in people})
        figures["imap_per_account_max"] = float(max(per_account.values()))
        figures["imap_together_max"] = float(together)
        return figures
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        _drop(admin, url)


def _kill_round(
    dovecot: Dovecot,
    people: list,  # type: ignore[type-arg]
    probe: Probe,
    processes: list[subprocess.Popen[bytes]],
    config: Path,
    directory: Path,
    kills: int,
) -> dict[str, float]:
    rng = random.Random(7)
    before = {name: count for name, (count, _) in probe.stored().items()}
    added = 10
    appended_at = time.monotonic()
    for seeker in people:
        start = 10_000
        dovecot.append_many(
            seeker.imap,
            "INBOX",
            (raw_message(start + n, to=seeker.imap.address) for n in range(added)),
        )
    waits: dict[str, float] = {}
    kill_times = sorted(rng.uniform(0.5, 10.0) for _ in range(kills))
    while len(waits) < len(people):
        now = time.monotonic() - appended_at
        if kill_times and now >= kill_times[0]:
            kill_times.pop(0)
            victim = rng.randrange(len(processes))
            os.kill(processes[victim].pid, signal.SIGKILL)
            processes[victim].wait()
            processes[victim] = _worker(config, directory / f"restart{victim}.log")
        for name, (count, _) in probe.stored().items():
            if name not in waits and count >= before[name] + added:
                waits[name] = time.monotonic() - appended_at
        if now > 600:
            break
        time.sleep(0.25)
    stored = probe.stored()
    return {
        "lost": float(sum(max(0, before[n] + added - c) for n, (c, _) in stored.items())),
        "twice": float(sum(c - d for c, d in stored.values())),
        "longest_unserved_s": max(waits.values(), default=float("nan")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=20)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--kills", type=int, default=3)
    args = parser.parse_args()
    admin = os.environ.get("FOLLOWUP_TEST_DATABASE_URL")
    if not admin:
        raise SystemExit("set FOLLOWUP_TEST_DATABASE_URL to a PostgreSQL server (scripts/test)")
    dovecot = start_dovecot()
    try:
        results = {}
        for workers in args.workers:
            kills = args.kills if workers == max(args.workers) else 0
            results[workers] = run_round(
                dovecot, admin, args.seekers, args.messages, workers, kills
            )
            print(f"{workers} worker(s): {results[workers]}", flush=True)
    finally:
        dovecot.close()
    base = results[args.workers[0]]["messages_per_s"]
    print(f"\n{args.seekers} job seekers x {args.messages} messages")
    print("workers  seconds  msg/s  ratio  imap/account  imap-all  pg-conns")
    for workers, r in results.items():
        print(
            f"{workers:>7}  {r['seconds']:7.1f}  {r['messages_per_s']:5.0f}  "
            f"{r['messages_per_s'] / base:5.2f}  {r['imap_per_account_max']:>12.0f}  "
            f"{r['imap_together_max']:>8.0f}  {r['pg_connections']:>8.0f}"
        )
    last = results[max(args.workers)]
    if "lost" in last:
        print(
            f"\nSIGKILL round ({args.kills} kills, {max(args.workers)} workers): lost "
            f"{last['lost']:.0f}, stored twice {last['twice']:.0f}, digests twice "
            f"{last['digests_twice']:.0f}, digests missing {last['digests_missing']:.0f}, "
            f"longest unserved {last['longest_unserved_s']:.1f} s"
        )


if __name__ == "__main__":
    main()
