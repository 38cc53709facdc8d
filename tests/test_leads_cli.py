"""`followup leads` and `followup why` as a user runs them, at several --now moments."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from nlp.types import Kind
from tests.clirun import invoke, run
from tests.test_refresh import mailbox, store
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.tables import Account, Folder, Override, StoredDecision

KEYS = {"id", "company", "contact", "status", "action", "due", "reason"}


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    """A config whose database holds the Northwind / Ferris mailbox plus Northstar."""
    url = f"sqlite:///{tmp_path / 'followup.db'}"
    path = tmp_path / "config.toml"
    path.write_text(
        f'[[account]]\nname = "personal"\nmaildir = "{tmp_path / "Mail"}"\n'
        f'addresses = ["sam@example.net"]\n[digest]\ntimezone = "America/New_York"\n'
        f'[database]\nurl = "{url}"\n'
    )
    path.chmod(0o600)
    factory = open_database(url)
    with transaction(factory) as session:
        account = Account(name="personal")
        session.add(account)
        session.flush()
        for name in ("INBOX", "Sent"):
            session.add(Folder(account_id=account.id, name=name, role=name.lower(), last_uid=0))
        session.flush()
        mailbox(session)
        store(
            session,
            "ns1",
            "2026-03-11 09:00",
            "ana@northstar.io",
            Kind.INTERVIEW_INVITATION,
            company="Northstar",
        )
    dispose_all()
    yield path
    dispose_all()


def leads_json(config: Path, now: str, *extra: str) -> list[dict[str, object]]:
    result = invoke(["leads", "--config", str(config), "--json", "--now", now, *extra])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return rows


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-03-09T09:00", {"Northwind": ("wait", "2026-03-09")}),
        ("2026-03-09T16:00", {"Northwind": ("thank", "2026-03-10")}),
        (
            "2026-03-12T09:00",
            {"Northwind": ("wait", "2026-03-17"), "Northstar": ("respond", "2026-03-12")},
        ),
        (
            "2026-03-17T09:00",
            {"Northwind": ("nudge", "2026-03-17"), "Northstar": ("respond", "2026-03-12")},
        ),
    ],
    ids=["before-interview", "thank-you", "promised-friday", "nudge-tuesday"],
)
def test_leads_json_as_of_now(config: Path, now: str, expected: dict[str, tuple[str, str]]) -> None:
    rows = leads_json(config, now)
    assert all(set(row) == KEYS for row in rows)
    assert {row["company"]: (row["action"], row["due"]) for row in rows} == expected


def test_leads_all_shows_closed_and_quiet_leads(config: Path) -> None:
    rows = leads_json(config, "2026-03-12T09:00", "--all")
    found = {row["company"]: row for row in rows}
    assert set(found) == {"Northwind", "Northstar", "Ferris & Co"}
    assert (found["Ferris & Co"]["action"], found["Ferris & Co"]["status"]) == ("none", "applied")
    assert found["Northwind"]["contact"] == "priya@northwind.com"
    assert isinstance(found["Northwind"]["id"], int)


def test_leads_from_the_future_are_not_listed(config: Path) -> None:
    # Northwind writes first on 03-03, Northstar on 03-11.
    rows = leads_json(config, "2026-03-03T09:00", "--all")
    assert [row["company"] for row in rows] == ["Ferris & Co"]
    result = invoke(["why", "Northstar", "--config", str(config), "--now", "2026-03-03T09:00"])
    assert result.exit_code == 2


def test_leads_table_names_the_columns(config: Path) -> None:
    result = invoke(["leads", "--config", str(config), "--now", "2026-03-12T09:00"])
    assert result.exit_code == 0, result.stderr
    for column in ("company", "action", "due", "reason", "Northwind", "respond"):
        assert column in result.stdout


def test_recomputing_writes_only_decisions(config: Path) -> None:
    leads_json(config, "2026-03-12T09:00")
    leads_json(config, "2026-03-17T09:00")
    factory = open_database(f"sqlite:///{config.parent / 'followup.db'}")
    with transaction(factory) as session:
        assert session.scalar(select(func.count()).select_from(StoredDecision)) == 3
        assert session.scalar(select(func.count()).select_from(Override)) == 0


def test_why_json_shows_timeline_and_trace(config: Path) -> None:
    result = invoke(
        ["why", "northw", "--config", str(config), "--json", "--now", "2026-03-16T09:00"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= KEYS
    assert (data["action"], data["due"]) == ("wait", "2026-03-17")
    assert [(e["date"], e["direction"], e["kind"]) for e in data["timeline"]] == [
        ("2026-03-03", "in", "interview_confirmation"),
        ("2026-03-09", "out", "sent"),
        ("2026-03-10", "in", "feedback_promise"),
    ]
    assert data["timeline"][2]["facts"]["feedback_by"] == "2026-03-13"
    promise = [s for s in data["trace"] if s["dates"].get("feedback_by") == "2026-03-13"]
    assert promise
    assert promise[0]["message_id"] == "nw3@mail"
    assert data["trace"][-1]["rule"] == "promised-date"


def test_why_by_id_in_text(config: Path) -> None:
    rows = leads_json(config, "2026-03-16T09:00")
    lead_id = next(row["id"] for row in rows if row["company"] == "Northwind")
    result = invoke(["why", str(lead_id), "--config", str(config), "--now", "2026-03-16T09:00"])
    assert result.exit_code == 0, result.stderr
    assert "promised-date" in result.stdout
    assert "2026-03-13" in result.stdout


@pytest.mark.parametrize(
    ("reference", "message"),
    [("North", "ambiguous"), ("999", "no lead"), ("Zeta", "no lead")],
    ids=["ambiguous-prefix", "unknown-id", "unknown-company"],
)
def test_why_bad_lead_exits_2(config: Path, reference: str, message: str) -> None:
    result = run(["why", reference, "--config", str(config), "--now", "2026-03-16T09:00"])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if message == "ambiguous":
        assert "Northwind" in result.stderr
        assert "Northstar" in result.stderr
