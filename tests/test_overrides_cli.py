"""The corrections CLI against a real SQLite file: set, mark, relabel, merge, split, ignore,
undo, history; overrides beat detection, survive re-analysis and regrouping; bad input
changes nothing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from nlp.types import Detection, Kind
from tests.clirun import invoke, run
from watcher.clock import FixedClock
from watcher.config import load_settings
from watcher.ingest import sync_account
from watcher.mail import message_key
from watcher.refresh import refresh
from watcher.sources.fake import InMemorySource
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.detections import save_detection
from watcher.store.tables import LeadMessage, Override, StoredLead, StoredMessage

NY = ZoneInfo("America/New_York")
ME = "sam@example.net"
NOW = "2026-03-09T09:00"  # Monday


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


@dataclass(frozen=True)
class Mail:
    """One message of the scenario and what the detector is said to have found in it."""

    key: str
    when: str
    sender: str
    to: str
    subject: str
    text: str
    detection: Detection | None = None
    reply_to: str | None = None


def _raw(mail: Mail) -> bytes:
    message = EmailMessage()
    message["From"] = mail.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(t(mail.when))
    message["Message-ID"] = f"<{mail.key}@mail.test>"
    if mail.reply_to:
        message["In-Reply-To"] = f"<{mail.reply_to}@mail.test>"
        message["References"] = f"<{mail.reply_to}@mail.test>"
    message.set_content(mail.text)
    return message.as_bytes()


SCENARIO = (
    Mail(
        "acme-1",
        "2026-03-02 10:00",
        "Jane Doe <jane@acme.com>",
        ME,
        "Interview confirmed",
        "Hi Sam, your interview is confirmed for Wednesday March 4 at 2pm.\n\nJane",
        Detection(
            Kind.INTERVIEW_CONFIRMATION,
            0.9,
            interview_at=t("2026-03-04 14:00"),
            interview_has_time=True,
            company="Acme",
        ),
    ),
    Mail(
        "sam-1",
        "2026-03-04 18:00",
        f"Sam <{ME}>",
        "jane@acme.com",
        "Re: Interview confirmed",
        "Thank you for your time today, Jane.\n\nSam",
        reply_to="acme-1",
    ),
    Mail(
        "acme-2",
        "2026-03-05 09:00",
        "Jane Doe <jane@acme.com>",
        ME,
        "Next steps",
        "Thanks Sam, we will get back to you by Friday March 13.\n\nJane",
        Detection(Kind.FEEDBACK_PROMISE, 0.8, feedback_by=date(2026, 3, 13), company="Acme"),
        reply_to="sam-1",
    ),
    Mail(
        "acmecorp-1",
        "2026-03-03 11:00",
        "Lee <lee@acmecorp.io>",
        ME,
        "Your application to Acmecorp",
        "Hello Sam, thanks for applying to Acmecorp. We are reviewing your application.",
        Detection(Kind.APPLICATION_ACK, 0.9, company="Acmecorp"),
    ),
    Mail(
        "beta-1",
        "2026-03-06 15:00",
        "Bob <bob@beta.io>",
        ME,
        "Interview?",
        "Hi Sam, would you be available for an interview next week? Please send times.\n\nBob",
        Detection(Kind.INTERVIEW_INVITATION, 0.9, company="Beta"),
    ),
)


@dataclass(frozen=True)
class Setup:
    config: Path
    database: Path
    data_home: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "FOLLOWUP_CONFIG": "",
            "FOLLOWUP_NOW": "",
            "XDG_DATA_HOME": str(self.data_home),
        }

    def sessions(self) -> sessionmaker[Session]:
        return open_database(f"sqlite:///{self.database}")

    def cli(self, *args: str, now: str = NOW, code: int = 0) -> Any:
        """Run a command with --json; returns the parsed output (exit ``code`` expected)."""
        result = invoke([*args, "--config", str(self.config), "--now", now, "--json"], env=self.env)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return json.loads(result.stdout) if code == 0 and result.stdout.strip() else result

    def lead(self, company: str, now: str = NOW) -> dict[str, Any]:
        rows = self.cli("leads", "--all", now=now)
        found = [row for row in rows if row["company"] == company]
        assert len(found) == 1, rows
        return dict(found[0])

    def detect_again(self, key: str, detection: Detection) -> None:
        """What a re-analysis does: a new detection replaces the stored one."""
        with transaction(self.sessions()) as session:
            row = session.scalar(
                select(StoredMessage).where(StoredMessage.message_key == message_key(key))
            )
            assert row is not None
            save_detection(session, row, detection, t("2026-03-09 08:00"))
        dispose_all()

    def resync(self) -> None:
        """What a sync does after storing mail: regroup and decide."""
        settings = load_settings(self.config)
        with transaction(self.sessions()) as session:
            refresh(session, settings, t(NOW))
        dispose_all()

    def membership(self) -> dict[str, int]:
        """message key -> lead id, asserting that no message is in two leads."""
        with transaction(self.sessions()) as session:
            rows = session.execute(
                select(StoredMessage.message_id, LeadMessage.lead_id).join(
                    LeadMessage, LeadMessage.message_id == StoredMessage.id
                )
            ).all()
        dispose_all()
        ids = [message_id for message_id, _ in rows]
        assert len(ids) == len(set(ids)), "a message in two leads"
        return {message_id.split("@")[0]: lead_id for message_id, lead_id in rows}

    def digest(self) -> str:
        dispose_all()  # every connection closed: the WAL is checkpointed into the file
        return hashlib.sha256(self.database.read_bytes()).hexdigest()


def write_config(tmp_path: Path) -> tuple[Path, Path]:
    database = tmp_path / "followup.db"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[account]]\nname = "personal"\nmaildir = "{tmp_path / "Mail"}"\n'
        f'addresses = ["{ME}"]\n[digest]\ntimezone = "America/New_York"\n'
        f'[database]\nurl = "sqlite:///{database}"\n'
    )
    config.chmod(0o600)
    return config, database


def seed(config: Path, database: Path, mails: tuple[Mail, ...] = SCENARIO) -> None:
    """Deliver the mails through the real sync, store their detections, decide."""
    settings = load_settings(config)
    source = InMemorySource("personal")
    for mail in mails:
        source.add("Sent" if mail.sender.endswith(f"<{ME}>") else "INBOX", _raw(mail), t(mail.when))
    sessions = open_database(f"sqlite:///{database}")
    report = sync_account(source, settings.account("personal"), sessions, FixedClock(t(NOW)))
    assert report.ok
    with transaction(sessions) as session:
        for mail in mails:
            if mail.detection is None:
                continue
            row = session.scalar(
                select(StoredMessage).where(StoredMessage.message_id == f"{mail.key}@mail.test")
            )
            assert row is not None
            save_detection(session, row, mail.detection, t(NOW))
        refresh(session, settings, t(NOW))
    dispose_all()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    config, database = write_config(tmp_path)
    seed(config, database)
    yield Setup(config, database, tmp_path / "data")
    dispose_all()


# --- set --------------------------------------------------------------------------------


def test_set_feedback_by_changes_the_decision_at_once(setup: Setup) -> None:
    before = setup.lead("Acme")
    assert before["action"] == "wait"

    out = setup.cli("set", "acme", "--feedback-by", "2026-03-05")

    assert out["lead"]["action"] == "nudge"
    [row] = out["overrides"]
    assert (row["field"], row["new"]["value"]) == ("feedback_by", "2026-03-05")
    assert row["old"] == {"value": "2026-03-13", "source": "detected"}
    assert row["command"] == ("followup set acme --feedback-by 2026-03-05 --now 2026-03-09T09:00")
    assert setup.lead("Acme")["action"] == "nudge"


def test_set_reads_words_against_now(setup: Setup) -> None:
    out = setup.cli("set", "acme", "--feedback-by", "friday", "--interview-at", "tomorrow 3pm")
    values = {row["field"]: row["new"]["value"] for row in out["overrides"]}
    assert values == {"feedback_by": "2026-03-13", "interview_at": "2026-03-10T15:00:00-04:00"}


def test_set_no_followup_and_contact_show_in_why_as_yours(setup: Setup) -> None:
    setup.cli("set", "acme", "--no-followup", "--contact", "Jane <JANE.DOE@acme.com>")
    why = setup.cli("why", "acme")
    assert why["overrides"] == {"no_followup": True, "contact": "jane.doe@acme.com"}
    assert why["contact"] == "jane.doe@acme.com"
    assert any(step["from_user"] and "chased" in step["detail"] for step in why["trace"])


def test_override_survives_reanalysis_and_resync(setup: Setup) -> None:
    setup.cli("set", "acme", "--feedback-by", "2026-03-05")
    setup.detect_again(
        "acme-2@mail.test",
        Detection(Kind.FEEDBACK_PROMISE, 0.95, feedback_by=date(2026, 3, 20), company="Acme"),
    )
    setup.resync()
    lead = setup.lead("Acme")
    assert lead["action"] == "nudge"
    why = setup.cli("why", "acme")
    assert why["overrides"]["feedback_by"] == "2026-03-05"


def test_undo_restores_the_previous_decision(setup: Setup) -> None:
    before = setup.lead("Acme")
    setup.cli("set", "acme", "--feedback-by", "2026-03-05", "--contact", "hr@acme.com")
    assert setup.lead("Acme")["action"] != before["action"]

    out = setup.cli("undo")

    assert {row["field"] for row in out["undone"]} == {"feedback_by", "contact"}
    assert all(row["undone_at"] for row in out["undone"])
    assert [lead["id"] for lead in out["leads"]] == [before["id"]]
    assert setup.lead("Acme") == before
    setup.cli("undo", code=2)  # nothing left in force


def test_undo_takes_back_only_the_last_command(setup: Setup) -> None:
    setup.cli("set", "acme", "--feedback-by", "2026-03-05")  # nudge
    setup.cli("mark", "acme", "dead")
    assert setup.lead("Acme")["action"] == "dead"
    setup.cli("undo")
    assert setup.lead("Acme")["action"] == "nudge"


# --- mark ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "status", "action"),
    [
        ("dead", "dead", "dead"),
        ("rejected", "rejected", "none"),
        ("offer", "offer", "none"),
        ("ignored", "ignored", "none"),
        ("ACTIVE", "active", "wait"),
    ],
)
def test_mark_overrides_the_status(setup: Setup, mark: str, status: str, action: str) -> None:
    out = setup.cli("mark", "acme", mark)
    assert (out["lead"]["status"], out["lead"]["action"]) == (status, action)
    assert out["overrides"][0]["old"]["source"] == "rules"


def test_mark_by_id_and_ambiguous_prefix(setup: Setup) -> None:
    acme = setup.lead("Acme")
    setup.cli("mark", str(acme["id"]), "dead")
    assert setup.lead("Acme")["action"] == "dead"
    result = setup.cli("mark", "ac", "dead", code=2)
    assert "ambiguous" in result.stderr
    assert "Acme)" in result.stderr
    assert "Acmecorp" in result.stderr


# --- relabel ----------------------------------------------------------------------------


def test_relabel_by_message_id_prefix_wins_over_redetection(setup: Setup) -> None:
    out = setup.cli("relabel", "<acme-2@mail", "rejection")
    assert out["message"]["message_id"] == "acme-2@mail.test"
    assert out["overrides"][0]["old"] == {"value": "feedback_promise", "source": "detected"}
    assert (out["lead"]["status"], out["lead"]["action"]) == ("rejected", "none")

    setup.detect_again("acme-2@mail.test", Detection(Kind.FEEDBACK_PROMISE, 0.99, company="Acme"))
    setup.resync()
    assert setup.lead("Acme")["status"] == "rejected"
    kinds = {e["message_id"]: e["kind"] for e in setup.cli("why", "acme")["timeline"]}
    assert kinds["acme-2@mail.test"] == "rejection"


def test_relabel_by_stored_id_and_full_message_id(setup: Setup) -> None:
    with transaction(setup.sessions()) as session:
        stored_id = session.scalar(
            select(StoredMessage.id).where(StoredMessage.message_id == "beta-1@mail.test")
        )
    out = setup.cli("relabel", str(stored_id), "not-job")
    assert out["message"]["id"] == stored_id
    assert out["lead"] is None  # not job mail: no lead any more
    assert "Beta" not in {row["company"] for row in setup.cli("leads", "--all")}
    setup.cli("relabel", "beta-1@mail.test", "interview_invitation")
    assert setup.lead("Beta")["action"] == "respond"


def test_relabel_refuses_a_message_the_user_sent(setup: Setup) -> None:
    result = setup.cli("relabel", "sam-1@mail.test", "rejection", code=2)
    assert "you sent" in result.stderr


# --- merge and split --------------------------------------------------------------------


def test_merge_moves_the_second_leads_messages_into_the_first(setup: Setup) -> None:
    acme = setup.lead("Acme")
    before = setup.membership()

    out = setup.cli("merge", "acme", "acmecorp")

    assert out["lead"]["id"] == acme["id"]
    after = setup.membership()
    assert set(after) == set(before)
    assert after["acmecorp-1"] == acme["id"]
    assert "Acmecorp" not in {row["company"] for row in setup.cli("leads", "--all")}

    setup.resync()  # regrouping keeps the merge
    assert setup.membership() == after
    setup.cli("undo")
    assert setup.membership() == before


def test_merge_of_a_lead_with_itself_is_refused(setup: Setup) -> None:
    result = setup.cli("merge", "acme", "Acme", code=2)
    assert "same lead" in result.stderr


def test_split_moves_one_message_to_a_new_lead(setup: Setup) -> None:
    acme = setup.lead("Acme")
    before = setup.membership()

    out = setup.cli("split", "acme", "acme-2@mail.test")

    after = setup.membership()
    assert set(after) == set(before)
    new_id = out["new_lead"]["id"]
    assert new_id != acme["id"]
    assert after["acme-2"] == new_id
    assert after["acme-1"] == after["sam-1"] == acme["id"]
    setup.resync()
    assert setup.membership() == after
    setup.cli("undo")
    assert setup.membership() == before


def test_split_refuses_a_message_of_another_lead(setup: Setup) -> None:
    result = setup.cli("split", "acme", "beta-1@mail.test", code=2)
    assert "not in lead" in result.stderr


# --- ignore -------------------------------------------------------------------------


def test_ignore_domain_removes_its_lead_and_undo_brings_it_back(setup: Setup) -> None:
    beta = setup.lead("Beta")
    out = setup.cli("ignore", "--domain", "@Beta.io")
    assert (out["kind"], out["value"], out["added"]) == ("domain", "beta.io", True)
    assert out["leads_removed"] == [beta["id"]]
    assert "Beta" not in {row["company"] for row in setup.cli("leads", "--all")}
    assert setup.cli("ignore", "--domain", "beta.io")["added"] is False
    setup.cli("undo")
    assert setup.lead("Beta")["action"] == "respond"


def test_ignore_sender(setup: Setup) -> None:
    setup.cli("ignore", "--sender", "lee@acmecorp.io")
    assert "Acmecorp" not in {row["company"] for row in setup.cli("leads", "--all")}


# --- history ------------------------------------------------------------------------


def test_history_is_the_audit_trail(setup: Setup) -> None:
    setup.cli("set", "acme", "--feedback-by", "friday")
    setup.cli("mark", "beta", "dead", now="2026-03-09T10:00")
    setup.cli("relabel", "acme-1@mail.test", "interview_invitation", now="2026-03-09T11:00")
    setup.cli("undo", now="2026-03-09T12:00")

    everything = setup.cli("history")
    assert [row["field"] for row in everything] == ["feedback_by", "status", "kind"]
    assert everything[0]["new"] == {"value": "2026-03-13"}
    assert everything[0]["created_at"] == "2026-03-09T09:00:00-04:00"
    assert everything[2]["undone_at"] == "2026-03-09T12:00:00-04:00"
    assert everything[1]["undone_at"] is None

    acme = setup.cli("history", "acme")
    assert [row["field"] for row in acme] == ["feedback_by", "kind"]

    table = invoke(["history", "--config", str(setup.config)], env={**setup.env, "COLUMNS": "250"})
    assert table.exit_code == 0, table.stderr
    for text in ("feedback_by", "2026-03-13 (detected) -> 2026-03-13", "followup mark beta"):
        assert text in table.stdout


# --- bad input changes nothing ------------------------------------------------------


BAD_INPUT = {
    "impossible-date": (["set", "acme", "--feedback-by", "2026-02-30"], "2026-02-30"),
    "unreadable-date": (["set", "acme", "--interview-at", "whenever"], "whenever"),
    "unknown-lead": (["set", "nosuch", "--no-followup"], "nosuch"),
    "ambiguous-lead": (["mark", "ac", "dead"], "ambiguous"),
    "conflicting-flags": (["set", "acme", "--no-followup", "--followup-ok"], "contradict"),
    "no-flag": (["set", "acme"], "nothing to set"),
    "bad-contact": (["set", "acme", "--contact", "jane at acme"], "e-mail address"),
    "unknown-status": (["mark", "acme", "sleeping"], "sleeping"),
    "unknown-kind": (["relabel", "acme-2@mail.test", "spam"], "spam"),
    "unknown-message": (["relabel", "nothing-like-this", "rejection"], "no stored message"),
    "ambiguous-message": (["relabel", "acme", "rejection"], "ambiguous"),
    "same-lead-merge": (["merge", "acme", "acme"], "same lead"),
    "both-ignores": (["ignore", "--sender", "a@b.io", "--domain", "b.io"], "exactly one"),
    "bad-domain": (["ignore", "--domain", "localhost"], "not a domain"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_exits_2_and_leaves_the_database_byte_for_byte(setup: Setup, case: str) -> None:
    setup.cli("mark", "beta", "dead")  # an override already there, so undo has work
    args, hint = BAD_INPUT[case]
    before = setup.digest()
    result = invoke([*args, "--config", str(setup.config), "--now", NOW], env=setup.env)
    assert result.exit_code == 2, result.stdout
    message = result.stderr.strip()
    assert hint in message
    assert len(message.splitlines()) == 1
    assert "Traceback" not in message
    assert setup.digest() == before


def test_bad_input_in_a_real_process_changes_nothing(setup: Setup) -> None:
    before = setup.digest()
    result = run(
        ["set", "acme", "--feedback-by", "2026-02-30", "--config", str(setup.config)],
        env=setup.env,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert setup.digest() == before
    with transaction(setup.sessions()) as session:
        assert session.scalar(select(func.count()).select_from(Override)) == 0
        assert session.scalar(select(func.count()).select_from(StoredLead)) == 3


def test_every_command_has_help() -> None:
    for command in ("set", "mark", "relabel", "merge", "split", "ignore", "undo", "history"):
        result = invoke([command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.stdout
    assert invoke(["corrections", "export", "--help"]).exit_code == 0
