"""What a poll costs against a real Dovecot, at 500 and 50,000 messages, beside the baselines.

Run: ``.venv/bin/python benchmarks/poll.py [--stock-index] [SIZE ...]`` (default 500 50000;
the 50k run seeds by MULTIAPPEND and takes a few minutes). For each mailbox size it measures,
in one run, wall time and the bytes Dovecot logs at logout (``in=``/``out=``):

- initial sync: ``sync_account`` into a fresh SQLite database (no NLP), with its rate and the
  peak growth of this process's resident memory while it ran
- unchanged poll: a new connection, LIST, one STATUS per folder, logout (``followup sync``)
- unchanged poll on a kept connection: the per-poll cost for the service
- poll with 10 new messages
- naive baseline: SELECT, SEARCH ALL, FETCH ENVELOPE of every message
- mbsync (isync) pull with nothing new, after a first full pull

and prints the figures and the ratios that matter: naive / poll and mbsync / poll
bytes, and how the poll grows from the small mailbox to the large one.

The test fixture's Dovecot answers STATUS INBOX from its mailbox list index
(``mailbox_list_index_include_inbox``, ``mailbox_list_index_very_dirty_syncs``).
``--stock-index`` drops those two lines to show Dovecot 2.3's defaults, under which a STATUS
of INBOX in a session that has listed folders re-reads the whole ``dovecot-uidlist``.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tests.servers.dovecot import Dovecot, ImapUser, start_dovecot
from tests.servers.messages import raw_message
from watcher.clock import SystemClock
from watcher.ingest import sync_account
from watcher.secrets import Secret
from watcher.sources.imap import ImapSource
from watcher.store.db import open_database

KEPT_POLLS = 10
TUNED_INDEX = (
    "mailbox_list_index_include_inbox = yes",
    "mailbox_list_index_very_dirty_syncs = yes",
)


@dataclass(frozen=True)
class Cost:
    seconds: float
    bytes_in: int
    bytes_out: int
    sessions: int

    @property
    def total(self) -> int:
        return self.bytes_in + self.bytes_out


def measure(server: Dovecot, user: ImapUser, step: Callable[[], object], sessions: int = 1) -> Cost:
    """Run ``step`` and add up the logout lines of the ``sessions`` it opened."""
    before = len(server.logout_stats(user))
    started = time.perf_counter()
    step()
    seconds = time.perf_counter() - started
    new = server.logout_stats(user, at_least=before + sessions)[before:]
    return Cost(seconds, sum(s.bytes_in for s in new), sum(s.bytes_out for s in new), len(new))


class PeakMemory:
    """Peak resident memory above the starting point while the block runs (Linux /proc)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def _rss() -> int:
        resident = Path("/proc/self/statm").read_text().split()[1]
        return int(resident) * os.sysconf("SC_PAGE_SIZE")

    def __enter__(self) -> PeakMemory:
        start = self._rss()

        def sample() -> None:
            while not self._stop.wait(0.01):
                self.peak = max(self.peak, self._rss() - start)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def seed(server: Dovecot, user: ImapUser, count: int) -> float:
    started = time.perf_counter()
    when = SystemClock().now() - timedelta(days=1)
    server.append_many(user, "INBOX", (raw_message(n) for n in range(count)), when, chunk=2000)
    return time.perf_counter() - started


def naive(server: Dovecot, user: ImapUser) -> None:
    """What a simple script does every poll: every envelope again (plain imaplib: one FETCH
    1:* that no UID list length limit stops)."""
    client = imaplib.IMAP4(server.host, server.port)
    try:
        client.login(user.name, user.password)
        client.select("INBOX", readonly=True)
        client.search(None, "ALL")
        client.fetch("1:*", "(ENVELOPE)")
    finally:
        client.logout()


MBSYNC_RC = """\
FSync no

IMAPAccount bench
Host {host}
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path {root}/mail/
Inbox {root}/mail/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
"""


def mbsync(rc: Path) -> None:
    subprocess.run(
        ["mbsync", "-q", "-c", str(rc), "bench"],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def run_size(server: Dovecot, count: int, work: Path) -> dict[str, Cost]:
    user = server.add_user()
    print(f"\n== {count:,} messages (seeded by MULTIAPPEND in {seed(server, user, count):.1f} s)")
    account = server.account_settings(user, since_days=30, batch_size=500)
    sessions = open_database(f"sqlite:///{work / f'poll-{count}.db'}")
    clock = SystemClock()

    def source() -> ImapSource:
        return ImapSource(account, lambda: Secret("password", user.password))

    def sync_once() -> None:
        with source() as fresh:
            report = sync_account(fresh, account, sessions, clock)
        assert report.ok, report.problems()

    def kept_polls(polls: int) -> Callable[[], None]:
        def run() -> None:
            with source() as kept:
                for _ in range(polls):
                    sync_account(kept, account, sessions, clock)

        return run

    new_ids = range(count, count + 10)
    with PeakMemory() as memory:
        costs = {"initial sync": measure(server, user, sync_once)}
    rate = count / costs["initial sync"].seconds
    print(f"  initial sync: {rate:,.0f} messages/s, peak memory +{memory.peak / 2**20:.1f} MiB")
    costs["unchanged poll"] = measure(server, user, sync_once)
    one = measure(server, user, kept_polls(1))
    many = measure(server, user, kept_polls(1 + KEPT_POLLS))
    costs["kept-connection poll"] = Cost(
        (many.seconds - one.seconds) / KEPT_POLLS,
        (many.bytes_in - one.bytes_in) // KEPT_POLLS,
        (many.bytes_out - one.bytes_out) // KEPT_POLLS,
        0,
    )
    # measured apart so that the APPEND session's logout line is not counted in the poll
    measure(server, user, lambda: server.append_many(user, "INBOX", map(raw_message, new_ids)))
    costs["poll, 10 new"] = measure(server, user, sync_once)
    costs["naive SEARCH ALL + ENVELOPE"] = measure(server, user, lambda: naive(server, user))
    rc = work / f"mbsyncrc-{count}"
    rc.write_text(
        MBSYNC_RC.format(
            host=server.host, port=server.port, user=user.name, password=user.password,
            root=work / f"mbsync-{count}",
        )
    )  # fmt: skip
    (work / f"mbsync-{count}" / "mail").mkdir(parents=True)
    costs["mbsync first pull"] = measure(server, user, lambda: mbsync(rc))
    costs["mbsync unchanged pull"] = measure(server, user, lambda: mbsync(rc))
    for name, cost in costs.items():
        print(
            f"  {name:30} {cost.seconds * 1000:10.1f} ms  in {cost.bytes_in:>10,} B"
            f"  out {cost.bytes_out:>12,} B"
        )
    poll = costs["unchanged poll"].total
    naive_ratio = costs["naive SEARCH ALL + ENVELOPE"].total / poll
    mbsync_ratio = costs["mbsync unchanged pull"].total / poll
    print(
        f"  bytes: naive / poll = {naive_ratio:.0f}x, mbsync unchanged / poll = {mbsync_ratio:.1f}x"
    )
    return costs


def start_server(stock_index: bool) -> Dovecot:
    server = start_dovecot()
    if stock_index:
        server.stop()
        conf = server.config_path.read_text()
        for line in TUNED_INDEX:
            assert line in conf, line
            conf = conf.replace(line + "\n", "")
        server.config_path.write_text(conf)
        server.start()
    return server


def main(sizes: list[int], stock_index: bool = False) -> int:
    if shutil.which("mbsync") is None:
        print("mbsync is missing: apt-get install -y isync", file=sys.stderr)
        return 2
    server = start_server(stock_index)
    index = "stock list index (INBOX left out)" if stock_index else "INBOX in the list index"
    print(f"Dovecot: {index}")
    work = Path(tempfile.mkdtemp(prefix="followup-bench-"))
    try:
        results = {count: run_size(server, count, work) for count in sizes}
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)
    if len(sizes) >= 2:
        small, large = results[min(sizes)], results[max(sizes)]
        print(f"\n== growth from {min(sizes):,} to {max(sizes):,} messages (bytes, time)")
        for name in ("unchanged poll", "kept-connection poll", "poll, 10 new",
                     "naive SEARCH ALL + ENVELOPE", "mbsync unchanged pull"):  # fmt: skip
            a, b = small[name], large[name]
            print(
                f"  {name:30} {b.total / max(a.total, 1):8.2f}x bytes"
                f"  {b.seconds / max(a.seconds, 1e-9):8.2f}x time"
            )
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    stock = "--stock-index" in args
    sys.exit(main([int(arg) for arg in args if arg != "--stock-index"] or [500, 50_000], stock))
