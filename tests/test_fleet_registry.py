"""The fleet's pure parts (digest due in each job seeker's zone, names) and the cursor fence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.fleet_fixtures import fleet_url
from watcher.errors import UsageError
from watcher.fleet.jobs import digest_due
from watcher.fleet.registry import (
    DigestSchedule,
    add_job_seeker,
    check_name,
    fleet_accounts,
    job_seeker,
    open_fleet,
    schema_for,
    user_sessions,
)
from watcher.store.db import transaction
from watcher.store.tables import Account, Folder

_ = fleet_url  # a fixture


@pytest.mark.parametrize(
    ("zone", "now", "last_day", "due"),
    [
        ("America/New_York", datetime(2026, 3, 10, 11, 59, tzinfo=UTC), None, False),  # 07:59 EDT
        ("America/New_York", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), None, True),  # 08:00 EDT
        ("America/New_York", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), date(2026, 3, 10), False),
        ("America/New_York", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), date(2026, 3, 9), True),
        # 02:00 UTC on the 11th is still the 10th in New York, digest done: not again
        ("America/New_York", datetime(2026, 3, 11, 2, 0, tzinfo=UTC), date(2026, 3, 10), False),
        # the same instant is 11:00 on the 11th in Tokyo: that day's digest is due
        ("Asia/Tokyo", datetime(2026, 3, 11, 2, 0, tzinfo=UTC), date(2026, 3, 10), True),
        ("Asia/Tokyo", datetime(2026, 3, 10, 22, 0, tzinfo=UTC), date(2026, 3, 10), False),
    ],
    ids=["before", "at-time", "done-today", "done-yesterday", "late-evening", "tokyo", "tokyo-7am"],
)
def test_digest_due_in_the_job_seekers_own_zone(
    zone: str, now: datetime, last_day: date | None, due: bool
) -> None:
    assert digest_due(DigestSchedule("alex", zone, "08:00", last_day), now) is due


def test_schema_names_are_distinct_for_names_that_read_alike() -> None:
    names = ["a-b", "a_b", "A.B", "a@b", "a b"[:1]]
    schemas = [schema_for(name) for name in names]
    assert len(set(schemas)) == len(names)
    assert all(len(s) <= 63 and s.startswith("seeker_") for s in schemas)


@pytest.mark.parametrize("name", ["", "-x", "a;drop", "a" * 101, "tab\tname", "ä"])
def test_unusable_job_seeker_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError):
        check_name(name)


@pytest.mark.postgres
def test_cursor_never_moves_back_within_one_uidvalidity(tmp_path: Path, fleet_url: str) -> None:
    config = tmp_path / "eve.toml"
    config.write_text(
        '[[account]]\nname = "mail"\nhost = "127.0.0.1"\ntls = "none"\nusername = "eve"\n'
        'password_command = "true"\n'
    )
    fleet = open_fleet(fleet_url)
    add_job_seeker(fleet, "eve", config, datetime(2026, 3, 10, tzinfo=UTC))
    sessions = user_sessions(fleet, job_seeker(fleet, "eve").schema)
    with transaction(sessions) as session:
        account = Account(name="mail")
        session.add(account)
        session.flush()
        session.add(Folder(account_id=account.id, name="INBOX", uidvalidity=7, last_uid=100))

    def write(uidvalidity: int, last_uid: int) -> int:
        with transaction(sessions) as session:
            session.execute(update(Folder).values(uidvalidity=uidvalidity, last_uid=last_uid))
        with transaction(sessions) as session:
            return int(session.scalar(select(Folder.last_uid)) or 0)

    assert write(7, 50) == 100  # a late write from a worker thought dead
    assert write(7, 150) == 150
    assert write(8, 0) == 0  # renumbered folder: the rescan starts over


@pytest.mark.postgres
@pytest.mark.parametrize(("line", "poll"), [("", 60), ("poll_seconds = 30\n", 30)])
def test_accounts_poll_every_minute_unless_their_file_says(
    tmp_path: Path, fleet_url: str, line: str, poll: int
) -> None:
    config = tmp_path / "ivy.toml"
    config.write_text(
        '[[account]]\nname = "mail"\nhost = "127.0.0.1"\ntls = "none"\nusername = "ivy"\n'
        f'password_command = "true"\n{line}'
    )
    fleet = open_fleet(fleet_url)
    add_job_seeker(fleet, "ivy", config, datetime(2026, 3, 10, tzinfo=UTC))
    with transaction(fleet.registry()) as session:
        assert session.scalar(select(fleet_accounts.c.poll_seconds)) == poll
