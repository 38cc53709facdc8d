"""The incremental refresh equals regrouping and deciding everything, after any sequence of
new mail, re-analysis, overrides and clock moves, a past --now among them (hypothesis, real
SQLite file)."""

from __future__ import annotations

import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nlp.types import Detection, Kind
from watcher.config import DatabaseSettings, DigestSettings, PolicySettings, Settings
from watcher.refresh import recompute_all, refresh
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.detections import detection_to_facts
from watcher.store.leads import add_override, load_lead_rows, stored_decision
from watcher.store.tables import (
    Account,
    Folder,
    IgnoreRule,
    Override,
    RegroupQueue,
    StoredDecision,
    StoredDetection,
    StoredLead,
    StoredMessage,
)

ME = "sam@example.net"
SETTINGS = Settings(
    path=None,
    accounts=(),
    smtp=None,
    digest=DigestSettings(timezone="America/New_York"),
    policy=PolicySettings(),
    database=DatabaseSettings(),
)
START = datetime(2026, 3, 2, 14, tzinfo=UTC)
SENDERS = (
    ("priya@northwind.com", None),
    ("lee@northwind.com", None),
    ("jo@ferrisandco.com", "Ferris & Co"),
    ("no-reply@greenhouse.io", "Kestrel Health"),
    ("no-reply@greenhouse.io", "Northwind"),
    ("news@jobfinder.example", None),
    (ME, None),  # the user's own reply
)
KINDS = (
    None,
    Kind.NOT_JOB,
    Kind.APPLICATION_ACK,
    Kind.INTERVIEW_INVITATION,
    Kind.INTERVIEW_CONFIRMATION,
    Kind.FEEDBACK_PROMISE,
    Kind.REJECTION,
    Kind.RECRUITER_REPLY,
)

mail = st.tuples(
    st.just("mail"),
    st.integers(0, len(SENDERS) - 1),
    st.sampled_from(KINDS),
    st.integers(-3, 20),  # days after START it was sent (may be after "now")
    st.integers(0, 30),  # which earlier message it replies to (none if out of range)
    st.booleans(),  # carries an interview time / promise
    st.booleans(),  # an automatic reply (out of office until a date)
)
operation = st.one_of(
    mail,
    mail,
    st.tuples(st.just("reanalyse"), st.integers(0, 30), st.sampled_from(KINDS[1:])),
    st.tuples(st.just("relabel"), st.integers(0, 30), st.sampled_from(KINDS[1:])),
    st.tuples(st.just("split"), st.integers(0, 30)),
    st.tuples(st.just("merge"), st.integers(0, 5), st.integers(0, 5)),
    st.tuples(st.just("mark"), st.integers(0, 5), st.sampled_from(["dead", "active", "offer"])),
    st.tuples(st.just("ignore"), st.integers(0, len(SENDERS) - 2)),
    st.tuples(st.just("ignore_domain"), st.sampled_from(["northwind.com", "greenhouse.io"])),
    st.tuples(st.just("unignore"), st.integers(0, 5)),  # `undo` of an ignore drops its rule
    st.tuples(st.just("undo")),
    st.tuples(st.just("advance"), st.integers(1, 200)),  # hours
    st.tuples(st.just("advance"), st.integers(-100, -1)),  # a command run with a past --now
)


class World:
    """One mailbox on a fresh SQLite file, changed the way sync, analysis and the CLI do."""

    def __init__(self, path: Path) -> None:
        self.sessions = open_database(f"sqlite:///{path}")
        self.now = START + timedelta(days=1)
        self.keys: list[str] = []
        self.uids = itertools.count(1)
        with transaction(self.sessions) as session:
            account = Account(name="personal")
            session.add(account)
            session.flush()
            session.add(Folder(account_id=account.id, name="INBOX", role="inbox", last_uid=0))

    def apply(self, session: Session, op: tuple[Any, ...]) -> None:
        name = op[0]
        if name == "mail":
            self._mail(session, *op[1:])
        elif name == "advance":
            self.now += timedelta(hours=op[1])
        elif self.keys and name in ("reanalyse", "relabel", "split"):
            key = self.keys[op[1] % len(self.keys)]
            if name == "reanalyse":  # what watcher.analysis does for a retrained model
                message = session.scalar(
                    select(StoredMessage).where(StoredMessage.message_key == key)
                )
                assert message is not None
                session.execute(
                    update(StoredDetection)
                    .where(StoredDetection.message_id == message.id)
                    .values(kind=op[2].value)
                )
                session.add(RegroupQueue(message_key=key))
            else:
                value = op[2].value if name == "relabel" else True
                field = "kind" if name == "relabel" else "split"
                add_override(
                    session,
                    target="message",
                    field=field,
                    message_key=key,
                    new_value={"value": value},
                    at=self.now,
                )
        elif name in ("merge", "mark"):
            leads = list(session.scalars(select(StoredLead).order_by(StoredLead.id)))
            if len(leads) < 2:
                return
            lead = leads[op[1] % len(leads)]
            if name == "mark":
                add_override(
                    session,
                    target="lead",
                    field="status",
                    lead_id=lead.id,
                    new_value={"value": op[2]},
                    at=self.now,
                )
            else:
                into = leads[op[2] % len(leads)]
                if into.id != lead.id:
                    add_override(
                        session,
                        target="lead",
                        field="merge",
                        lead_id=lead.id,
                        new_value={"into_key": into.key},
                        at=self.now,
                    )
        elif name == "ignore":
            sender = SENDERS[op[1]][0]
            if session.scalar(select(IgnoreRule).where(IgnoreRule.value == sender)) is None:
                session.add(IgnoreRule(kind="sender", value=sender, created_at=self.now))
        elif name == "ignore_domain":
            if session.scalar(select(IgnoreRule).where(IgnoreRule.value == op[1])) is None:
                session.add(IgnoreRule(kind="domain", value=op[1], created_at=self.now))
        elif name == "unignore":
            rules = list(session.scalars(select(IgnoreRule).order_by(IgnoreRule.id)))
            if rules:
                session.delete(rules[op[1] % len(rules)])
        elif name == "undo":
            last = session.scalar(
                select(Override).where(Override.undone_at.is_(None)).order_by(Override.id.desc())
            )
            if last is not None:
                last.undone_at = self.now

    def _mail(
        self,
        session: Session,
        who: int,
        kind: Kind | None,
        day: int,
        reply: int,
        dated: bool,
        auto: bool = False,
    ) -> None:
        sender, company = SENDERS[who]
        number = len(self.keys)
        key = f"k{number:03d}"
        parent = f"<m{reply}@mail>" if reply < number else None
        folder = session.scalar(select(Folder))
        assert folder is not None
        sent_at = START + timedelta(days=day, hours=number % 7)
        row = StoredMessage(
            account_id=folder.account_id,
            folder_id=folder.id,
            uid=next(self.uids),
            message_id=f"<m{number}@mail>",
            message_key=key,
            in_reply_to=parent,
            references=[parent] if parent else [],
            sender_email=sender,
            recipients=[{"email": SENDERS[reply % 5][0] if sender == ME else ME}],
            sent_at=sent_at,
            subject=f"message {number}",
            direction="out" if sender == ME else "in",
            stored_at=self.now,
        )
        session.add(row)
        session.flush()
        self.keys.append(key)
        if sender == ME or kind is None:
            return  # the user's mail is never analysed; None: not analysed yet
        detection = Detection(
            kind,
            0.9,
            company=company,
            interview_at=sent_at + timedelta(days=3) if dated else None,
            interview_has_time=dated,
            feedback_by=(sent_at + timedelta(days=5)).date() if dated else None,
            auto_reply=auto,
            away_until=(sent_at + timedelta(days=4)).date() if auto else None,
        )
        session.add(
            StoredDetection(
                message_id=row.id,
                kind=kind.value,
                confidence=0.9,
                facts=detection_to_facts(detection),
                analysed_at=self.now,
            )
        )


def stored(session: Session) -> dict[str, Any]:
    """What the store says: lead key -> (message keys, company, contact, decision)."""
    leads = list(session.scalars(select(StoredLead)))
    rows = load_lead_rows(session, [lead.id for lead in leads])
    decisions = {d.lead_id: d for d in session.scalars(select(StoredDecision))}
    return {
        lead.key: (
            tuple(sorted({row.message_key for row in rows[lead.id]})),
            lead.company,
            lead.contact_email,
            lead.contact_name,
            stored_decision(decisions[lead.id]),
        )
        for lead in leads
        if lead.id in rows
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(operation, min_size=1, max_size=14))
def test_incremental_refresh_equals_full_recomputation(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder) / "followup.db")
        try:
            for op in ops:
                with transaction(world.sessions) as session:
                    world.apply(session, op)
                with transaction(world.sessions) as session:
                    at = refresh(session, SETTINGS, world.now)
                    assert stored(session) == recompute_all(session, SETTINGS, at), op
        finally:
            dispose_all()


def test_a_new_message_regroups_only_its_own_lead(tmp_path: Path) -> None:
    """Mail from an unrelated company leaves other leads' rows and decisions untouched."""
    world = World(tmp_path / "followup.db")
    with transaction(world.sessions) as session:
        world.apply(session, ("mail", 0, Kind.APPLICATION_ACK, 0, 99, False))
        world.apply(session, ("mail", 2, Kind.INTERVIEW_INVITATION, 1, 99, False))
    with transaction(world.sessions) as session:
        refresh(session, SETTINGS, world.now)
        before = {d.lead_id: d.computed_at for d in session.scalars(select(StoredDecision))}
    world.now += timedelta(minutes=5)
    with transaction(world.sessions) as session:
        world.apply(session, ("mail", 2, Kind.RECRUITER_REPLY, 1, 1, False))
    with transaction(world.sessions) as session:
        refresh(session, SETTINGS, world.now)
        after = {d.lead_id: d.computed_at for d in session.scalars(select(StoredDecision))}
        assert stored(session) == recompute_all(session, SETTINGS, world.now)
    changed = {lead for lead in after if after[lead] != before.get(lead)}
    assert len(before) == 2
    assert len(changed) == 1  # Ferris was decided again, Northwind was not


def test_decisions_follow_the_clock_without_new_mail(tmp_path: Path) -> None:
    """A promise passes and an application goes stale: each day's stored decisions are
    what deciding afresh gives, though no mail arrived."""
    world = World(tmp_path / "followup.db")
    with transaction(world.sessions) as session:
        world.apply(session, ("mail", 0, Kind.FEEDBACK_PROMISE, 0, 99, True))
        world.apply(session, ("mail", 2, Kind.APPLICATION_ACK, 0, 99, False))
    actions = set()
    for _day in range(45):
        world.now += timedelta(hours=23)
        with transaction(world.sessions) as session:
            at = refresh(session, SETTINGS, world.now)
            found = stored(session)
            assert found == recompute_all(session, SETTINGS, at)
            actions |= {value[4].action for value in found.values()}
    assert len(actions) >= 3  # the clock alone moved these leads through several actions
