"""Fleet test helpers: a fleet on a throwaway PostgreSQL, job seekers with Dovecot mailboxes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

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
) -> Seeker:
    """A job seeker with a Dovecot mailbox and a config file (password by reference)."""
    user = dovecot.add_user()
    home = directory / name
    home.mkdir()
    account = dovecot.account_toml(user, home, name="mail", poll_seconds=poll_seconds)
    config = home / "config.toml"
    config.write_text(
        account + f'\n[digest]\nto = "{user.address}"\ntimezone = "America/New_York"\n' + extra
    )
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
