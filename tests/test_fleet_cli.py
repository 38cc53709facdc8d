"""`fleet add/remove/list` and `--user` on a real PostgreSQL and Dovecot: one job seeker's
commands never read or change another's messages, leads, overrides or digests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clirun import invoke
from tests.fleet_fixtures import Seeker, fleet_url, make_seeker, recruiter_mail, write_fleet_config
from tests.servers.dovecot import Dovecot

pytestmark = [pytest.mark.postgres, pytest.mark.dovecot]
_ = fleet_url  # a fixture

NOW = "2026-03-10T12:00"  # after the interviews; nudges not yet due


def _json(args: list[str]) -> object:
    result = invoke([*args, "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def two_seekers(dovecot: Dovecot, tmp_path: Path, fleet_url: str) -> tuple[Path, Seeker, Seeker]:
    """Alice (mail from Acme) and Bob (mail from Globex and Initech), registered and synced."""
    fleet = write_fleet_config(tmp_path, fleet_url)
    alice = make_seeker(dovecot, tmp_path, "alice")
    bob = make_seeker(dovecot, tmp_path, "bob")
    dovecot.append(alice.imap, "INBOX", recruiter_mail(1, "Acme", alice.imap))
    dovecot.append(bob.imap, "INBOX", recruiter_mail(2, "Globex", bob.imap))
    dovecot.append(bob.imap, "INBOX", recruiter_mail(3, "Initech", bob.imap))
    for seeker in (alice, bob):
        added = invoke(["--config", str(fleet), "fleet", "add", seeker.name, str(seeker.config)])
        assert added.exit_code == 0, added.stderr
        synced = invoke(["--config", str(fleet), "--user", seeker.name, "sync", "--now", NOW])
        assert synced.exit_code == 0, synced.stderr
    return fleet, alice, bob


def test_fleet_list_counts_each_job_seekers_own_mail_and_leads(
    two_seekers: tuple[Path, Seeker, Seeker],
) -> None:
    fleet, _, _ = two_seekers
    rows = _json(["--config", str(fleet), "fleet", "list"])
    assert isinstance(rows, list)
    assert [set(row) for row in rows] == [
        {"name", "accounts", "messages", "leads", "last_sync", "last_digest"}
    ] * 2
    by_name = {row["name"]: row for row in rows}
    assert (by_name["alice"]["messages"], by_name["alice"]["leads"]) == (1, 1)
    assert (by_name["bob"]["messages"], by_name["bob"]["leads"]) == (2, 2)
    assert by_name["alice"]["accounts"] == 1
    assert by_name["alice"]["last_digest"] is None
    # synced by `--user alice sync`, not by a worker: still the time of that sync
    assert isinstance(by_name["alice"]["last_sync"], str)


def test_user_option_reads_only_that_job_seekers_leads_and_status(
    two_seekers: tuple[Path, Seeker, Seeker],
) -> None:
    fleet, _, _ = two_seekers
    base = ["--config", str(fleet), "--now", NOW]
    alice_leads = _json([*base, "--user", "alice", "leads", "--all"])
    bob_leads = _json([*base, "--user", "bob", "leads", "--all"])
    assert isinstance(alice_leads, list)
    assert isinstance(bob_leads, list)
    assert [lead["company"] for lead in alice_leads] == ["Acme"]
    assert sorted(lead["company"] for lead in bob_leads) == ["Globex", "Initech"]
    status = _json([*base, "--user", "alice", "status"])
    assert isinstance(status, dict)
    assert (status["messages"], status["leads"]) == (1, 1)
    # the environment variable names the job seeker too
    env_leads = invoke([*base, "leads", "--all", "--json"], env={"FOLLOWUP_USER": "bob"})
    assert env_leads.exit_code == 0, env_leads.stderr
    assert sorted(lead["company"] for lead in json.loads(env_leads.stdout)) == [
        "Globex",
        "Initech",
    ]
    preview = invoke([*base, "--user", "alice", "digest", "--preview"])
    assert preview.exit_code == 0, preview.stderr
    assert "Acme" in preview.stdout
    assert "Globex" not in preview.stdout
    assert "Initech" not in preview.stdout


def test_user_option_cannot_change_another_job_seekers_leads(
    two_seekers: tuple[Path, Seeker, Seeker],
) -> None:
    fleet, _, _ = two_seekers
    base = ["--config", str(fleet), "--now", NOW]
    bob_leads = _json([*base, "--user", "bob", "leads", "--all"])
    assert isinstance(bob_leads, list)
    before = sorted((lead["id"], lead["status"], lead["action"]) for lead in bob_leads)
    for lead in bob_leads:
        # Bob's lead, asked for as Alice, by id and by company: not found for her
        for reference in (str(lead["id"]), lead["company"]):
            result = invoke([*base, "--user", "alice", "mark", reference, "dead"])
            if result.exit_code == 0:
                # an id Alice has too names her own lead, never Bob's
                assert lead["company"] not in result.stdout
            else:
                assert result.exit_code == 2, result.stderr
        why = invoke([*base, "--user", "alice", "why", lead["company"]])
        assert why.exit_code == 2
    # Bob's companies and Bob's Message-IDs name nothing of Alice's
    for args in (
        ["set", "Globex", "--feedback-by", "2026-03-20"],
        ["set", "Initech", "--no-followup"],
        ["merge", "Globex", "Initech"],
        ["relabel", "<m2-globex@globex.example>", "rejection"],
        ["relabel", "<m3-initech@initech.example>", "offer"],
    ):
        refused = invoke([*base, "--user", "alice", *args])
        assert refused.exit_code == 2, (args, refused.stdout, refused.stderr)
    # Alice's undo takes back her own overrides only
    while invoke([*base, "--user", "alice", "undo"]).exit_code == 0:
        pass
    history = invoke([*base, "--user", "bob", "history", "--json"])
    assert history.exit_code == 0, history.stderr
    assert json.loads(history.stdout) == []
    after_leads = _json([*base, "--user", "bob", "leads", "--all"])
    assert isinstance(after_leads, list)
    assert sorted((lead["id"], lead["status"], lead["action"]) for lead in after_leads) == before


def test_fleet_remove_drops_the_job_seeker_and_their_data(
    two_seekers: tuple[Path, Seeker, Seeker],
) -> None:
    fleet, _, _ = two_seekers
    removed = invoke(["--config", str(fleet), "fleet", "remove", "alice"])
    assert removed.exit_code == 0, removed.stderr
    rows = _json(["--config", str(fleet), "fleet", "list"])
    assert isinstance(rows, list)
    assert [row["name"] for row in rows] == ["bob"]
    gone = invoke(["--config", str(fleet), "--user", "alice", "leads"])
    assert gone.exit_code == 2
    assert "no job seeker named 'alice'" in gone.stderr
    again = invoke(["--config", str(fleet), "fleet", "remove", "alice"])
    assert again.exit_code == 2


def test_fleet_add_refuses_a_plain_text_password(
    dovecot: Dovecot, tmp_path: Path, fleet_url: str
) -> None:
    fleet = write_fleet_config(tmp_path, fleet_url)
    user = dovecot.add_user()
    config = tmp_path / "carol.toml"
    config.write_text(
        '[[account]]\nname = "mail"\nhost = "127.0.0.1"\ntls = "none"\n'
        f'username = "{user.name}"\npassword = "{user.password}"\n'
    )
    result = invoke(["--config", str(fleet), "fleet", "add", "carol", str(config)])
    assert result.exit_code == 2
    assert "password in plain text" in result.stderr
    assert user.password not in result.stderr
    assert _json(["--config", str(fleet), "fleet", "list"]) == []


def test_fleet_add_replaces_settings_of_a_known_job_seeker(
    dovecot: Dovecot, tmp_path: Path, fleet_url: str
) -> None:
    fleet = write_fleet_config(tmp_path, fleet_url)
    seeker = make_seeker(dovecot, tmp_path, "dana")
    first = invoke(["--config", str(fleet), "fleet", "add", "dana", str(seeker.config)])
    assert first.stdout.strip() == "added dana"
    second_account = dovecot.account_toml(dovecot.add_user(), tmp_path / "dana", name="work")
    seeker.config.write_text(seeker.config.read_text() + "\n" + second_account)
    second = invoke(["--config", str(fleet), "fleet", "add", "dana", str(seeker.config)])
    assert second.stdout.strip() == "updated dana"
    rows = _json(["--config", str(fleet), "fleet", "list"])
    assert isinstance(rows, list)
    assert [(row["name"], row["accounts"]) for row in rows] == [("dana", 2)]


@pytest.mark.parametrize(
    "args",
    [["fleet", "list"], ["fleet", "add", "x", "x.toml"], ["worker"], ["--user", "x", "leads"]],
    ids=["list", "add", "worker", "user"],
)
def test_fleet_commands_refuse_sqlite_in_one_line(tmp_path: Path, args: list[str]) -> None:
    config = tmp_path / "fleet.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "f.db"}"\n')
    result = invoke(["--config", str(config), *args])
    assert result.exit_code == 2
    assert "PostgreSQL only" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
