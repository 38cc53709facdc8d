"""`fleet add NAME FILE --import`: a job seeker who ran followup on their own (SQLite or
PostgreSQL) joins the fleet with their history; nothing is fetched or sent again."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.clirun import invoke
from tests.databases import fresh_postgres_database
from tests.fleet_fixtures import (
    StartWorker,
    fleet_url,
    recruiter_mail,
    start_worker,
    wait_for,
    write_fleet_config,
    zone_near_noon,
)
from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer
from tests.test_servers_rescan import bodies_fetched
from watcher.store.db import dispose_all

pytestmark = [pytest.mark.postgres, pytest.mark.dovecot]
_ = (fleet_url, start_worker)  # fixtures


def _personal_config(
    dovecot: Dovecot, user: ImapUser, home: Path, database_url: str, smtp: SmtpServer
) -> Path:
    account = dovecot.account_toml(user, home, name="mail")
    config = home / "personal.toml"
    config.write_text(
        account
        + f'\n[digest]\nto = "{user.address}"\ntimezone = "{zone_near_noon()}"\n'
        + 'time = "00:00"\n'
        + f'\n[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\n'
        + 'from = "followup <me@example.org>"\n'
        + f'\n[database]\nurl = "{database_url}"\n'
    )
    config.chmod(0o600)
    return config


def _ok(args: list[str]) -> str:
    result = invoke(args)
    # a personal command on PostgreSQL leaves a pool behind: closed now, not when collected
    dispose_all()
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _personal_history(dovecot: Dovecot, user: ImapUser, config: Path) -> None:
    """What a job seeker did on their own: a sync of three mails (two leads), a correction,
    and today's digest sent."""
    dovecot.append(user, "INBOX", recruiter_mail(1, "Acme", user))
    dovecot.append(user, "INBOX", recruiter_mail(2, "Globex", user))
    dovecot.append(user, "INBOX", raw_message(3, to=user.address))
    _ok(["--config", str(config), "sync"])
    _ok(["--config", str(config), "mark", "Globex", "dead"])
    _ok(["--config", str(config), "digest", "--send"])


def _leads(fleet: Path, user: str) -> dict[str, str]:
    out = _ok(["--config", str(fleet), "--user", user, "leads", "--all", "--json"])
    return {lead["company"]: lead["status"] for lead in json.loads(out)}


@pytest.mark.slow
def test_import_of_a_sqlite_history_then_a_worker_fetches_only_new_mail(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    tmp_path: Path,
    fleet_url: str,
    start_worker: StartWorker,
) -> None:
    user = dovecot.add_user()
    personal_db = tmp_path / "alex.db"
    config = _personal_config(dovecot, user, tmp_path, f"sqlite:///{personal_db}", smtp_server)
    _personal_history(dovecot, user, config)
    assert len(smtp_server.received) == 1
    assert bodies_fetched(dovecot, user, at_least=3) == 3
    original = hashlib.sha256(personal_db.read_bytes()).hexdigest()
    dovecot.append(user, "INBOX", recruiter_mail(4, "Initech", user))  # while they move

    fleet = write_fleet_config(tmp_path, fleet_url)
    line = _ok(["--config", str(fleet), "fleet", "add", "alex", str(config), "--import"])
    assert line.startswith(f"added alex with the history of {personal_db} (copied")
    for count in ("3 messages", "2 leads", "1 corrections", "1 digests", "folder cursors"):
        assert count in line, line
    assert len(line.strip().splitlines()) == 1
    assert hashlib.sha256(personal_db.read_bytes()).hexdigest() == original

    # the history as it was: leads, the correction and its audit log, today's digest
    assert _leads(fleet, "alex") == {"Acme": "interviewing", "Globex": "dead"}
    history = json.loads(_ok(["--config", str(fleet), "--user", "alex", "history", "--json"]))
    assert len(history) == 1
    row = json.loads(_ok(["--config", str(fleet), "fleet", "list", "--json"]))[0]
    assert (row["messages"], row["leads"]) == (3, 2)
    assert row["last_digest"] is not None
    assert row["last_sync"] is not None

    start_worker(fleet, "worker")

    def initech_found() -> bool:
        return "Initech" in _leads(fleet, "alex")

    wait_for("the new mail read and analysed", initech_found, 120, tmp_path)
    assert _leads(fleet, "alex") == {
        "Acme": "interviewing",
        "Globex": "dead",
        "Initech": "interviewing",
    }
    # the worker downloaded the one new message: 3 bodies before, 4 in all
    assert bodies_fetched(dovecot, user, at_least=4) == 4
    time.sleep(12)  # two more scheduler ticks: a second digest for today would be sent by now
    assert len(smtp_server.received) == 1
    ids = json.loads(_ok(["--config", str(fleet), "--user", "alex", "leads", "--all", "--json"]))
    assert len({lead["id"] for lead in ids}) == 3


def test_import_of_the_fleet_databases_own_public_schema_moves_it_in_place(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path: Path, fleet_url: str
) -> None:
    user = dovecot.add_user()
    config = _personal_config(dovecot, user, tmp_path, fleet_url, smtp_server)
    _personal_history(dovecot, user, config)
    fleet = write_fleet_config(tmp_path, fleet_url)

    line = _ok(["--config", str(fleet), "fleet", "add", "sam", str(config), "--import"])
    assert "its tables moved out of" in line
    assert "3 messages, " in line
    engine = create_engine(fleet_url, poolclass=NullPool)
    with engine.connect() as connection:
        left = connection.scalar(text("SELECT to_regclass('public.messages')"))
    assert left is None  # moved, not copied

    dovecot.append(user, "INBOX", recruiter_mail(4, "Initech", user))
    _ok(["--config", str(fleet), "--user", "sam", "sync"])
    assert _leads(fleet, "sam") == {
        "Acme": "interviewing",
        "Globex": "dead",
        "Initech": "interviewing",
    }
    assert bodies_fetched(dovecot, user, at_least=4) == 4
    digest = invoke(["--config", str(fleet), "--user", "sam", "digest", "--send"])
    assert digest.exit_code == 0, digest.stderr
    assert len(smtp_server.received) == 1  # today's went out before the move


@pytest.fixture
def personal_postgres_url() -> Iterator[str]:
    """A job seeker's own PostgreSQL database, apart from the fleet's."""
    yield from fresh_postgres_database()


def test_import_of_another_postgresql_database_copies_it_and_ids_go_on(
    dovecot: Dovecot,
    smtp_server: SmtpServer,
    tmp_path: Path,
    fleet_url: str,
    personal_postgres_url: str,
) -> None:
    user = dovecot.add_user()
    config = _personal_config(dovecot, user, tmp_path, personal_postgres_url, smtp_server)
    _personal_history(dovecot, user, config)
    fleet = write_fleet_config(tmp_path, fleet_url)

    line = _ok(["--config", str(fleet), "fleet", "add", "lee", str(config), "--import"])
    assert "(copied)" in line
    assert "3 messages, " in line
    assert "postgresql+psycopg://" in line
    engine = create_engine(personal_postgres_url, poolclass=NullPool)
    with engine.connect() as connection:  # their own database is as it was
        assert connection.scalar(text("SELECT count(*) FROM public.messages")) == 3

    dovecot.append(user, "INBOX", recruiter_mail(4, "Initech", user))
    _ok(["--config", str(fleet), "--user", "lee", "sync"])  # new rows after the copied ids
    assert _leads(fleet, "lee") == {
        "Acme": "interviewing",
        "Globex": "dead",
        "Initech": "interviewing",
    }
    assert bodies_fetched(dovecot, user, at_least=4) == 4


def test_import_refuses_to_mix_two_histories_and_missing_databases(
    dovecot: Dovecot, smtp_server: SmtpServer, tmp_path: Path, fleet_url: str
) -> None:
    user = dovecot.add_user()
    fleet = write_fleet_config(tmp_path, fleet_url)
    missing = _personal_config(
        dovecot, user, tmp_path, f"sqlite:///{tmp_path / 'no.db'}", smtp_server
    )
    result = invoke(["--config", str(fleet), "fleet", "add", "kim", str(missing), "--import"])
    assert result.exit_code == 2
    assert "no such database file: nothing to import" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "no.db").exists()
    assert json.loads(_ok(["--config", str(fleet), "fleet", "list", "--json"])) == []

    # a job seeker the fleet has already read keeps their fleet history
    home = tmp_path / "kim"
    home.mkdir()
    config = _personal_config(dovecot, user, home, f"sqlite:///{home / 'kim.db'}", smtp_server)
    _personal_history(dovecot, user, config)
    _ok(["--config", str(fleet), "fleet", "add", "kim", str(config)])
    _ok(["--config", str(fleet), "--user", "kim", "sync"])
    again = invoke(["--config", str(fleet), "fleet", "add", "kim", str(config), "--import"])
    assert again.exit_code == 2
    assert "kim already has a history in the fleet (3 messages)" in again.stderr
