"""Fleet test helpers: a fleet on a throwaway PostgreSQL, job seekers with Dovecot mailboxes."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.clirun import FOLLOWUP
from tests.databases import fresh_postgres_database
from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.messages import raw_message

ZONE = ZoneInfo("America/New_York")
SENT = datetime(2026, 3, 5, 9, 0, tzinfo=ZONE)  # a Thursday


@dataclass(frozen=True)
class Seeker:
    name: str
    imap: ImapUser
    config: Path


def write_fleet_config(directory: Path, url: str) -> Path:
    path = directory / "fleet.toml"
    path.write_text(f'[database]\nurl = "{url}"\n')
    return path


def zone_near_noon() -> str:
    """A fixed-offset zone where it is now about noon: a test's digests all fall on one
    local day, whenever it runs."""
    hours = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # -12 .. 11
    return f"Etc/GMT{-hours:+d}"  # POSIX sign: Etc/GMT-5 is UTC+5


@pytest.fixture
def fleet_url() -> Iterator[str]:
    """An empty PostgreSQL database for one fleet."""
    yield from fresh_postgres_database()


def recruiter_mail(number: int, company: str, user: ImapUser) -> bytes:
    """An interview confirmation from ``company``'s recruiter: makes one lead."""
    return raw_message(
        number,
        sender=f"Jane Recruiter <jane@{company.lower()}.example>",
        to=user.address,
        subject=f"Interview confirmation - {company}",
        body=(
            f"Hi,\n\nthank you for your time. Your interview with {company} is scheduled "
            "for Tuesday, March 10 at 10:00.\n\nBest regards,\nJane Recruiter\n"
            f"Talent team, {company}\n"
        ),
        date=SENT,
        message_id=f"<m{number}-{company.lower()}@{company.lower()}.example>",
    )


def make_seeker(
    dovecot: Dovecot,
    directory: Path,
    name: str,
    *,
    extra: str = "",
    poll_seconds: int = 300,
    zone: str = "America/New_York",
    **account: object,
) -> Seeker:
    """A job seeker with a Dovecot mailbox and a config file (password by reference);
    ``account`` adds keys to their ``[[account]]``."""
    user = dovecot.add_user()
    home = directory / name
    home.mkdir()
    section = dovecot.account_toml(user, home, name="mail", poll_seconds=poll_seconds, **account)
    config = home / "config.toml"
    config.write_text(section + f'\n[digest]\nto = "{user.address}"\ntimezone = "{zone}"\n' + extra)
    config.chmod(0o600)
    return Seeker(name, user, config)


_LOGIN = re.compile(r"imap-login: Info: Login: user=<(?P<user>[^>]+)>")
_GONE = re.compile(r"imap\((?P<user>[^)]+)\)<[^>]*><[^>]*>: Info: Disconnected")


def most_sessions(log: str, users: set[str]) -> tuple[dict[str, int], int]:
    """From Dovecot's log, in order: the most IMAP sessions each user had open at once,
    and the most all of ``users`` had together."""
    open_now: Counter[str] = Counter()
    most: Counter[str] = Counter()
    most_total = 0
    for line in log.splitlines():
        if (found := _LOGIN.search(line)) and found["user"] in users:
            open_now[found["user"]] += 1
            most[found["user"]] = max(most[found["user"]], open_now[found["user"]])
            most_total = max(most_total, open_now.total())
        elif (found := _GONE.search(line)) and found["user"] in users:
            open_now[found["user"]] -= 1
    return dict(most), most_total


StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[StartWorker]:
    """``start_worker(fleet_config, name, per_host=8)``: a `followup worker` process
    (concurrency 2) logging to ``tmp_path/NAME.log``; whatever is left is stopped after."""
    started: list[subprocess.Popen[bytes]] = []

    def start(fleet: Path, name: str, per_host: int = 8) -> subprocess.Popen[bytes]:
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
                    str(per_host),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "FOLLOWUP_USER": ""},
            )
        started.append(process)
        return process

    yield start
    for process in started:  # nothing of theirs is needed after the test: no grace period
        if process.poll() is None:
            process.kill()
        process.wait()


def wait_for(what: str, check: Callable[[], bool], timeout: float, logs: Path) -> float:
    """Poll ``check`` until true; fail with the workers' logs after ``timeout`` seconds."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            shown = "\n".join(p.read_text()[-3000:] for p in sorted(logs.glob("*.log")))
            pytest.fail(f"{what}: not within {timeout} s\n{shown}")
        time.sleep(0.2)
    return time.monotonic() - start
