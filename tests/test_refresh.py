"""refresh() on a real SQLite file: grouping, lead rows, membership, decisions, overrides."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from nlp.types import Detection, Kind
from tests.databases import database_url  # noqa: F401  (fixture)
from watcher.config import DatabaseSettings, DigestSettings, PolicySettings, Settings
from watcher.domain import Action, LeadStatus
from watcher.mail import message_key
from watcher.refresh import refresh, refresh_leads
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.detections import save_detection
from watcher.store.leads import add_override
from watcher.store.tables import (
    Account,
    Folder,
    IgnoreRule,
    LeadMessage,
    StoredDecision,
    StoredLead,
    StoredMessage,
)

NY = ZoneInfo("America/New_York")
ME = "sam@example.net"
_uids = itertools.count(1)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NY)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:  # noqa: F811
    """An empty database (SQLite, and PostgreSQL when configured) with one account."""
    factory = open_database(database_url)
    with transaction(factory) as session:
        account = Account(name="personal")
        session.add(account)
        session.flush()
        session.add_all(
            [
                Folder(account_id=account.id, name="INBOX", role="inbox", last_uid=0),
                Folder(account_id=account.id, name="Sent", role="sent", last_uid=0),
            ]
        )
    yield factory
    dispose_all()


SETTINGS = Settings(
    path=None,
    accounts=(),
    smtp=None,
    digest=DigestSettings(timezone="America/New_York"),
    policy=PolicySettings(),
    database=DatabaseSettings(),
)


def store(
    session: Session,
    key: str,
    when: str,
    sender: str,
    kind: Kind | None = None,
    *,
    folder: str = "INBOX",
    to: str = ME,
    reply_to: str | None = None,
    **facts: Any,
) -> StoredMessage:
    """One stored message, ``<key@mail>``; with a detection when ``kind`` is given."""
    found = session.scalar(select(Folder).where(Folder.name == folder))
    assert found is not None
    row = StoredMessage(
        account_id=found.account_id,
        folder_id=found.id,
        uid=next(_uids),
        message_id=f"{key}@mail",
        message_key=message_key(f"{key}@mail"),
        in_reply_to=f"{reply_to}@mail" if reply_to else None,
        references=[f"{reply_to}@mail"] if reply_to else [],
        sender_email=sender,
        recipients=[{"name": "", "email": to}],
        sent_at=t(when),
        subject=f"about {key}",
        direction="out" if sender == ME else "in",
        stored_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    if kind is not None:
        save_detection(session, row, Detection(kind, 0.9, **facts), row.stored_at)
    return row


def mailbox(session: Session) -> None:
    """Northwind: interview Mon 2026-03-09 15:00, thank-you, then a promise for Fri 03-13.
    Ferris: an application acknowledged. Plus a newsletter."""
    store(
        session,
        "nw1",
        "2026-03-03 10:00",
        "priya@northwind.com",
        Kind.INTERVIEW_CONFIRMATION,
        interview_at=t("2026-03-09 15:00"),
        interview_has_time=True,
        company="Northwind",
    )
    store(
        session,
        "nw2",
        "2026-03-09 17:00",
        ME,
        folder="Sent",
        to="priya@northwind.com",
        reply_to="nw1",
    )
    store(
        session,
        "nw3",
        "2026-03-10 11:00",
        "priya@northwind.com",
        Kind.FEEDBACK_PROMISE,
        reply_to="nw2",
        feedback_by=date(2026, 3, 13),
    )
    store(
        session,
        "fc1",
        "2026-03-02 19:45",
        "careers@ferrisandco.com",
        Kind.APPLICATION_ACK,
        company="Ferris & Co",
    )
    store(session, "nj1", "2026-03-09 07:00", "news@jobfinder.example", Kind.NOT_JOB)


def decide_at(factory: sessionmaker[Session], now: str) -> dict[str, tuple[str, str | None]]:
    with transaction(factory) as session:
        states = refresh_leads(session, SETTINGS, t(now))
        return {
            s.lead.company: (s.decision.action.value, s.decision.due and s.decision.due.isoformat())
            for s in states
        }


def test_refresh_groups_decides_and_stores(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        decisions = [s.decision for s in refresh_leads(session, SETTINGS, t("2026-03-16 09:00"))]
    assert {(d.action, d.due) for d in decisions} == {
        (Action.WAIT, date(2026, 3, 17)),
        (Action.NONE, None),
    }
    with transaction(sessions) as session:
        leads = {lead.company: lead for lead in session.scalars(select(StoredLead))}
        assert set(leads) == {"Northwind", "Ferris & Co"}
        assert leads["Northwind"].status == LeadStatus.INTERVIEWING.value
        assert leads["Northwind"].contact_email == "priya@northwind.com"
        assert session.scalar(select(func.count()).select_from(LeadMessage)) == 4
        stored = session.scalars(select(StoredDecision)).all()
        assert {(d.action, d.due) for d in stored} == {("wait", date(2026, 3, 17)), ("none", None)}
        assert all(d.trace for d in stored)


def test_refresh_at_many_moments_keeps_lead_ids_and_one_decision_each(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        mailbox(session)
    expected = {
        "2026-03-08 09:00": ("wait", "2026-03-09"),
        "2026-03-09 16:00": ("thank", "2026-03-10"),
        "2026-03-11 09:00": ("wait", "2026-03-17"),
        "2026-03-17 09:00": ("nudge", "2026-03-17"),
    }
    for now, action in expected.items():
        assert decide_at(sessions, now)["Northwind"] == action, now
    with transaction(sessions) as session:
        assert session.scalar(select(func.count()).select_from(StoredLead)) == 2
        assert session.scalar(select(func.count()).select_from(StoredDecision)) == 2
        ids = sorted(session.scalars(select(StoredLead.id)))
    # Before Northwind's first message its lead exists but has nothing to act on.
    assert decide_at(sessions, "2026-03-02 20:00") == {
        "Ferris & Co": ("none", None),
        "Northwind": ("none", None),
    }
    with transaction(sessions) as session:
        assert sorted(session.scalars(select(StoredLead.id))) == ids


def test_same_mail_in_two_folders_counts_once(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        # The thank-you copied into INBOX too (a Cc to oneself): still one message.
        store(session, "nw2", "2026-03-09 17:00", ME, to="priya@northwind.com", reply_to="nw1")
        states = refresh_leads(session, SETTINGS, t("2026-03-11 09:00"))
        northwind = next(s for s in states if s.lead.company == "Northwind")
        assert len(northwind.timeline.events) == 3
        assert northwind.decision.action is Action.WAIT


def test_overrides_beat_detections_and_undo_restores(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        refresh(session, SETTINGS, t("2026-03-16 09:00"))
        lead = session.scalar(select(StoredLead).where(StoredLead.company == "Northwind"))
        assert lead is not None
        row = add_override(
            session,
            target="lead",
            field="feedback_by",
            new_value={"value": "2026-03-20"},
            lead_id=lead.id,
            at=t("2026-03-16 09:00"),
        )
    assert decide_at(sessions, "2026-03-17 09:00")["Northwind"] == ("wait", "2026-03-24")
    with transaction(sessions) as session:
        states = refresh_leads(session, SETTINGS, t("2026-03-17 09:00"))
        trace = next(s for s in states if s.lead.company == "Northwind").decision.trace
        assert any(
            step.from_user and step.dates.get("feedback_by") == "2026-03-20" for step in trace
        )
        stored = session.get(type(row), row.id)
        assert stored is not None
        stored.undone_at = t("2026-03-17 10:00")
    assert decide_at(sessions, "2026-03-17 09:00")["Northwind"] == ("nudge", "2026-03-17")


def test_status_override_and_relabel(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        refresh(session, SETTINGS, t("2026-03-16 09:00"))
        lead = session.scalar(select(StoredLead).where(StoredLead.company == "Ferris & Co"))
        assert lead is not None
        add_override(
            session,
            target="lead",
            field="status",
            new_value={"value": "ignored"},
            lead_id=lead.id,
            at=t("2026-03-16 09:00"),
        )
        # "nj1" was a job after all: the user says it is a rejection from JobFinder.
        add_override(
            session,
            target="message",
            field="kind",
            new_value={"value": "rejection"},
            message_key=message_key("nj1@mail"),
            at=t("2026-03-16 09:00"),
        )
    found = decide_at(sessions, "2026-03-16 09:00")
    assert found["Ferris & Co"] == ("none", None)
    assert found["jobfinder.example"] == ("none", None)
    with transaction(sessions) as session:
        statuses = dict(session.execute(select(StoredLead.company, StoredLead.status)).all())
    assert statuses["Ferris & Co"] == "ignored"
    assert statuses["jobfinder.example"] == "rejected"


def test_relabel_to_not_job_keeps_the_lead_id(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        refresh(session, SETTINGS, t("2026-03-16 09:00"))
        lead = session.scalar(select(StoredLead).where(StoredLead.company == "Northwind"))
        assert lead is not None
        lead_id = lead.id
        add_override(
            session,
            target="message",
            field="kind",
            new_value={"value": "not_job"},
            message_key=message_key("nw1@mail"),
            at=t("2026-03-16 09:00"),
        )
        states = refresh_leads(session, SETTINGS, t("2026-03-16 09:00"))
    northwind = [s for s in states if s.lead.company in ("Northwind", "northwind.com")]
    assert [s.lead.id for s in northwind] == [lead_id]
    assert [e.key for e in northwind[0].timeline.events] == [
        message_key("nw2@mail"),
        message_key("nw3@mail"),
    ]


def test_merge_and_split_overrides(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        refresh(session, SETTINGS, t("2026-03-16 09:00"))
        leads = {lead.company: lead for lead in session.scalars(select(StoredLead))}
        add_override(
            session,
            target="lead",
            field="merge",
            new_value={"into_key": leads["Northwind"].key},
            lead_id=leads["Ferris & Co"].id,
            at=t("2026-03-16 09:00"),
        )
        states = refresh_leads(session, SETTINGS, t("2026-03-16 09:00"))
        assert [len(s.timeline.events) for s in states] == [4]
        assert states[0].lead.id == leads["Northwind"].id
        add_override(
            session,
            target="message",
            field="split",
            new_value={"value": True},
            message_key=message_key("nw3@mail"),
            at=t("2026-03-16 09:00"),
        )
        states = refresh_leads(session, SETTINGS, t("2026-03-16 09:00"))
        assert sorted(len(s.timeline.events) for s in states) == [1, 3]


def test_ignore_rule_drops_a_sender(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        session.add(
            IgnoreRule(kind="domain", value="ferrisandco.com", created_at=t("2026-03-01 00:00"))
        )
        states = refresh_leads(session, SETTINGS, t("2026-03-16 09:00"))
        assert [s.lead.company for s in states] == ["Northwind"]
        assert session.scalar(select(func.count()).select_from(StoredLead)) == 1


@pytest.mark.parametrize(
    ("value", "before", "after"),
    [
        ("2026-03-16", "2026-03-16 11:59", "2026-03-16 12:00"),
        ("2026-03-16T15:00", "2026-03-16 14:59", "2026-03-16 15:00"),
        ("2026-03-16T15:00:00+00:00", "2026-03-16 10:59", "2026-03-16 11:00"),
    ],
    ids=["date-only-is-noon-local", "naive-is-local", "aware-kept"],
)
def test_interview_override_forms(
    sessions: sessionmaker[Session], value: str, before: str, after: str
) -> None:
    with transaction(sessions) as session:
        mailbox(session)
        refresh(session, SETTINGS, t("2026-03-12 09:00"))
        lead = session.scalar(select(StoredLead).where(StoredLead.company == "Ferris & Co"))
        assert lead is not None
        add_override(
            session,
            target="lead",
            field="interview_at",
            new_value={"value": value},
            lead_id=lead.id,
            at=t("2026-03-12 09:00"),
        )
    assert decide_at(sessions, before)["Ferris & Co"] == ("wait", "2026-03-16")
    assert decide_at(sessions, after)["Ferris & Co"] == ("thank", "2026-03-17")
