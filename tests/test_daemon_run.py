"""`followup run` as a user runs it: a subprocess against a real Dovecot (and aiosmtpd for the
digest), driven with real signals and a real NOTIFY_SOCKET."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import FOLLOWUP, run
from tests.servers.dovecot import Dovecot, ImapUser, write_config
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

# a foreground run's log line starts with its local time (journald adds its own)
STAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} "
START_TIMEOUT = 30.0  # python + spaCy start and the first sync; about 3 s here
IDLE_LATENCY = 5.0  # the promise: APPENDed mail is in `leads` within this


def interview_mail(number: int, company: str, sent: datetime) -> bytes:
    """A recruiter confirming an interview a week ahead: plainly a lead, action `wait`."""
    day = sent + timedelta(days=7)
    domain = f"{company.lower()}.example"
    return raw_message(
        number,
        sender=f"Jane Doe <jane.doe@{domain}>",
        subject=f"Interview confirmation - Data Analyst at {company}",
        body=(
            "Hi,\n\n"
            f"This is to confirm your interview for the Data Analyst position at {company} on "
            f"{day:%A}, {day:%B} {day.day} at 10:00 AM.\n\n"
            f"Best regards,\nJane Doe\nRecruiter, {company}\n"
        ),
        date=sent,
        message_id=f"<interview-{number}@{domain}>",
    )


class Daemon:
    """One `followup run` subprocess; its stderr (the log) goes to a file."""

    def __init__(
        self, config: Path, env: dict[str, str], log: Path, *args: str, journal: bool = False
    ) -> None:
        self.log_path = log
        self._log = log.open("ab")
        if journal:  # what systemd sets when stderr is the journal's stream
            stat = os.fstat(self._log.fileno())
            env = {**env, "JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}
        self.process = subprocess.Popen(
            [str(FOLLOWUP), "run", "--config", str(config), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            env=env,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def lines(self, pattern: str) -> list[str]:
        return [line for line in self.log().splitlines() if re.search(pattern, line)]

    def wait_for(self, pattern: str, timeout: float, count: int = 1) -> float:
        """Wait until ``count`` log lines match; returns the seconds it took."""
        started = time.monotonic()
        while len(self.lines(pattern)) < count:
            if self.process.poll() is not None:
                pytest.fail(f"followup run exited ({self.process.returncode}):\n{self.log()}")
            if time.monotonic() - started > timeout:
                pytest.fail(f"no {pattern!r} in the log within {timeout} s:\n{self.log()}")
            time.sleep(0.02)
        return time.monotonic() - started

    def signal(self, signum: int, timeout: float = 10.0) -> tuple[int, float]:
        """Send ``signum`` and wait for the exit: (exit code, seconds)."""
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(timeout)
        return code, time.monotonic() - started

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture
def daemon_env(tmp_path: Path) -> dict[str, str]:
    """The environment a user's shell would give, without leaks from the test runner's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "NOTIFY_"))}
    for name in ("WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM"):
        env.pop(name, None)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config-home")
    return env


@pytest.fixture
def start_daemon(tmp_path: Path, daemon_env: dict[str, str]) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(
        config: Path, *args: str, env: dict[str, str] | None = None, journal: bool = False
    ) -> Daemon:
        log = tmp_path / f"run-{len(started) + 1}.log"
        daemon = Daemon(config, {**daemon_env, **(env or {})}, log, *args, journal=journal)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.close()


def account_config(
    dovecot: Dovecot,
    users: dict[str, ImapUser],
    directory: Path,
    *extra: str,
    poll: int = 60,
    **keys: Any,
) -> Path:
    """A config with one account per (name, user); poll_seconds long enough that only IDLE
    explains mail arriving within seconds."""
    sections = [
        dovecot.account_toml(user, directory, name=name, since_days=3650, poll_seconds=poll, **keys)
        for name, user in users.items()
    ]
    return write_config(directory, *sections, *extra)


def leads(config: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = run(["leads", "--json", "--all", "--config", str(config)], env)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def companies(rows: list[dict[str, Any]]) -> set[str]:
    return {str(row["company"]) for row in rows}


def test_run_syncs_then_idle_brings_new_mail_within_seconds_and_sigterm_stops_it(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    daemon_env: dict[str, str],
) -> None:
    user = dovecot.add_user()
    now = datetime.now(UTC)
    dovecot.append(user, "INBOX", interview_mail(1, "Globex", now - timedelta(hours=1)))
    config = account_config(dovecot, {"personal": user}, tmp_path)

    daemon = start_daemon(config)
    daemon.wait_for(r"ready: first sync done", START_TIMEOUT)
    assert daemon.lines(r"synced 1 new message")  # the mail that was there at the start

    appended = time.monotonic()
    dovecot.append(user, "INBOX", interview_mail(2, "Initech", now))
    daemon.wait_for(r"synced 1 new message", IDLE_LATENCY, count=2)  # the first was at start
    rows = leads(config, daemon_env)
    latency = time.monotonic() - appended
    assert "Globex" in companies(rows)
    initech = [row for row in rows if row["company"] == "Initech"]
    assert len(initech) == 1, rows
    assert initech[0]["action"] == "wait"
    # poll_seconds is 60: only IDLE can have brought it this fast (the CLI itself takes ~2 s)
    assert latency < IDLE_LATENCY + 3.0

    code, took = daemon.signal(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert took < 5.0
    log = daemon.log()
    assert log.rstrip().endswith("stopped"), log
    assert "Traceback" not in log


def test_second_instance_exits_1_naming_the_pid_and_sigint_stops_the_first_one(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    daemon_env: dict[str, str],
) -> None:
    config = account_config(dovecot, {"personal": dovecot.add_user()}, tmp_path)
    first = start_daemon(config, journal=True)
    first.wait_for(r"ready: first sync done", START_TIMEOUT)
    # under systemd each line carries its syslog priority for journald
    assert first.log().startswith(f"<6>INFO followup.service: started (pid {first.pid})")

    second = run(["run", "--config", str(config)], daemon_env, timeout=60)
    assert second.returncode == 1
    message = second.stderr.strip()
    assert f"pid {first.pid}: followup run" in message
    assert "already running" in message
    assert len(message.splitlines()) == 1, message

    code, took = first.signal(signal.SIGINT)
    assert (code, took < 5.0) == (0, True), first.log()


def test_sighup_keeps_the_old_config_when_the_new_one_is_broken_and_applies_a_good_one(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    daemon_env: dict[str, str],
) -> None:
    personal, work = dovecot.add_user(), dovecot.add_user()
    now = datetime.now(UTC)
    dovecot.append(work, "INBOX", interview_mail(1, "Umbrella", now - timedelta(hours=2)))
    config = account_config(dovecot, {"personal": personal}, tmp_path)
    good_text = config.read_text()
    daemon = start_daemon(config)
    daemon.wait_for(r"ready: first sync done", START_TIMEOUT)

    config.write_text(good_text.replace("[[account]]", "[[account]", 1))
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(r"config reload failed, keeping the old config", 10)
    assert len(daemon.lines("config reload failed")) == 1
    assert daemon.process.poll() is None
    # the old config still works: IDLE on the first account still brings mail
    dovecot.append(personal, "INBOX", interview_mail(2, "Hooli", now))
    daemon.wait_for(r"synced 1 new message", IDLE_LATENCY)

    # the new account does not IDLE: it is polled every 5 s, Sent as well as INBOX
    polled = dovecot.account_toml(
        work, tmp_path, name="work", since_days=3650, poll_seconds=5, idle=False
    )
    write_config(tmp_path, good_text.split("[database]")[0], polled)
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for(r"config reloaded: 2 account\(s\)", 10)
    daemon.wait_for(r"synced 1 new message", 10, count=2)
    reply = raw_message(
        3,
        sender=work.address,
        to="jane.doe@umbrella.example",
        subject="Re: Interview confirmation",
        body="Thank you, I will be there.\n",
        date=now,
    )
    dovecot.append(work, "Sent", reply)
    daemon.wait_for(r"synced 1 new message", 5 + 3, count=3)
    assert {"Hooli", "Umbrella"} <= companies(leads(config, daemon_env))

    code, _ = daemon.signal(signal.SIGTERM)
    assert code == 0


@pytest.fixture
def notify_socket() -> Iterator[tuple[str, socket.socket]]:
    """A unix datagram socket like systemd's (short path: sun_path has 108 bytes)."""
    directory = tempfile.mkdtemp(prefix="fu-notify-")
    path = str(Path(directory) / "notify")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    try:
        yield path, server
    finally:
        server.close()
        shutil.rmtree(directory, ignore_errors=True)


def receive_until(server: socket.socket, wanted: str, timeout: float) -> list[str]:
    """Every datagram up to and including the first that equals ``wanted``."""
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while wanted not in got:
        server.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            got.append(server.recv(4096).decode())
        except TimeoutError:
            pytest.fail(f"no {wanted} within {timeout} s; got {got}")
    return got


def test_systemd_gets_ready_after_the_first_sync_then_watchdog_pings_and_stopping(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    notify_socket: tuple[str, socket.socket],
) -> None:
    path, server = notify_socket
    user = dovecot.add_user()
    dovecot.append(user, "INBOX", interview_mail(1, "Globex", datetime.now(UTC)))
    config = account_config(dovecot, {"personal": user}, tmp_path)

    daemon = start_daemon(
        config, "--quiet", env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"}
    )
    before_ready = receive_until(server, "READY=1", START_TIMEOUT)
    statuses = [m for m in before_ready if m.startswith("STATUS=")]
    # READY=1 comes after the first sync has stored and analysed the waiting message
    assert statuses, before_ready
    assert "1 new message(s), 1 live lead(s)" in statuses[-1]
    # while starting, progress asks for more start time; the watchdog runs once ready
    assert "EXTEND_TIMEOUT_USEC=60000000" in before_ready
    assert "WATCHDOG=1" not in before_ready
    # the main loop feeds the watchdog at half its interval (0.5 s here)
    started = time.monotonic()
    pings = receive_until(server, "WATCHDOG=1", 3)
    pings += receive_until(server, "WATCHDOG=1", 3)
    assert time.monotonic() - started < 2.0, pings

    daemon.process.send_signal(signal.SIGTERM)
    receive_until(server, "STOPPING=1", 5)
    assert daemon.process.wait(5) == 0
    # --quiet: warnings and errors only, and there were none
    assert daemon.log() == ""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_server_down_is_logged_once_per_failure_and_mail_is_picked_up_when_it_is_back(
    private_dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    daemon_env: dict[str, str],
) -> None:
    user = private_dovecot.add_user()
    config = account_config(private_dovecot, {"personal": user}, tmp_path, poll=5)
    daemon = start_daemon(config, "--verbose")
    daemon.wait_for(r"ready: first sync done", START_TIMEOUT)

    private_dovecot.stop()
    down, cpu = time.monotonic(), _cpu_seconds(daemon.pid)
    daemon.wait_for(r"sync failed \(1 in a row\), retrying in \d+ s", 15)
    daemon.wait_for(r"sync failed \(2 in a row\)", 15)
    assert daemon.process.poll() is None
    # waiting out an outage is sleeping, not spinning on a dead socket
    assert _cpu_seconds(daemon.pid) - cpu < 0.25 * (time.monotonic() - down)
    log = daemon.log()
    assert "Traceback" not in log
    # the service says each failure once, with its retry; IDLE says the outage once
    said = [line for line in log.splitlines() if re.match(STAMP + "ERROR followup.service", line)]
    assert len(said) == len(daemon.lines(r"sync failed \(\d+ in a row\), retrying in")), log
    assert len(daemon.lines(STAMP + "WARNING.*IDLE connection lost")) == 1, log
    assert daemon.lines(STAMP + "DEBUG.*IDLE connection lost"), log  # --verbose shows each retry

    private_dovecot.start()
    appended = time.monotonic()
    private_dovecot.append(user, "INBOX", interview_mail(1, "Initech", datetime.now(UTC)))
    daemon.wait_for(r"synced 1 new message", 30)
    # after two failures the next try is at most 20 s away
    assert time.monotonic() - appended < 25
    assert daemon.lines("sync works again")
    assert "Initech" in companies(leads(config, daemon_env))
    code, _ = daemon.signal(signal.SIGTERM)
    assert code == 0
    # --verbose shows our debug lines, not every library's
    assert not daemon.lines(STAMP + r"DEBUG (?!followup\.)"), daemon.log()


def test_sigterm_while_a_server_hangs_still_exits_0_within_five_seconds(
    tmp_path: Path, start_daemon: Callable[..., Daemon]
) -> None:
    """A server that accepts and never answers holds the sync in a read (timeout 120 s)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        account = "\n".join(
            [
                "[[account]]",
                'name = "stuck"',
                'host = "127.0.0.1"',
                f"port = {silent.getsockname()[1]}",
                'tls = "none"',
                'username = "me"',
                'addresses = ["me@example.org"]',
                'password_env = "STUCK_PASSWORD"',
                "",
            ]
        )
        config = write_config(tmp_path, account)
        daemon = start_daemon(config, env={"STUCK_PASSWORD": "x"})
        daemon.wait_for(r"started \(pid", START_TIMEOUT)
        time.sleep(0.5)  # into the first sync's read
        code, took = daemon.signal(signal.SIGTERM)
    assert code == 0, daemon.log()
    assert took < 5.0
    assert daemon.lines(r"still busy 4 s after SIGTERM; exiting now"), daemon.log()
    assert not daemon.lines("ready")


def _count_messages(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=0.2) as db:
            return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not migrated yet, or busy


def test_sigkill_during_the_first_sync_then_restart_stores_every_message_exactly_once(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
) -> None:
    user = dovecot.add_user()
    total = 600
    day = datetime.now(UTC) - timedelta(days=3)
    dovecot.append_many(user, "INBOX", (raw_message(n, date=day) for n in range(total)))
    # small batches: a kill lands between two commits, not before the first or after the last
    config = account_config(dovecot, {"personal": user}, tmp_path, batch_size=25)
    database = tmp_path / "followup.db"

    first = start_daemon(config)
    deadline = time.monotonic() + START_TIMEOUT
    while not 0 < (stored := _count_messages(database)) < total:
        assert time.monotonic() < deadline, first.log()
        time.sleep(0.005)
    first.process.kill()
    first.process.wait()
    assert stored < total

    second = start_daemon(config)
    second.wait_for(r"ready: first sync done", START_TIMEOUT)
    with sqlite3.connect(database) as db:
        count, distinct = db.execute(
            "SELECT count(*), count(DISTINCT message_id) FROM messages"
        ).fetchone()
    assert (count, distinct) == (total, total)
    code, _ = second.signal(signal.SIGTERM)
    assert code == 0


def _zone_at_noon(now: datetime) -> str:
    """An Etc/GMT zone where it is about noon now: far from midnight on either side, so a
    restart cannot land on another local day."""
    offset = 12 - now.hour
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT signs are inverted


def test_sigkill_then_restart_sends_no_second_digest_and_loses_no_mail(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],
    daemon_env: dict[str, str],
) -> None:
    user = dovecot.add_user()
    now = datetime.now(UTC)
    dovecot.append(user, "INBOX", interview_mail(1, "Globex", now - timedelta(hours=1)))
    smtp = "\n".join(
        [
            "[smtp]",
            f'host = "{smtp_server.host}"',
            f"port = {smtp_server.port}",
            'tls = "none"',
            f'from = "followup <{user.address}>"',
            "",
            "[digest]",
            f'to = "{user.address}"',
            'time = "00:00"',
            f'timezone = "{_zone_at_noon(now)}"',
            "send_empty = true",
            "",
        ]
    )
    config = account_config(dovecot, {"personal": user}, tmp_path, smtp)

    first = start_daemon(config)
    first.wait_for(r"digest sent", START_TIMEOUT)
    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].rcpt_tos == (user.address,)
    first.process.kill()
    first.process.wait()

    dovecot.append(user, "INBOX", interview_mail(2, "Initech", now))  # while nothing runs
    second = start_daemon(config)
    second.wait_for(r"ready: first sync done", START_TIMEOUT)
    second.wait_for(r"synced 1 new message", 1)
    assert {"Globex", "Initech"} <= companies(leads(config, daemon_env))
    assert len(smtp_server.received) == 1
    assert not second.lines("digest sent")
    code, _ = second.signal(signal.SIGTERM)
    assert code == 0
    assert len(smtp_server.received) == 1
