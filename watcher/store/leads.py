"""Leads in the store: the overrides in force, grouping input, lead rows, membership, decisions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from nlp.types import Detection, Kind
from watcher.domain import (
    Decision,
    Direction,
    LeadFacts,
    LeadStatus,
    TimelineEvent,
    TraceStep,
)
from watcher.errors import UnknownLeadError
from watcher.leads import GroupInput, LeadGroup
from watcher.store.detections import stored_to_detection
from watcher.store.tables import (
    IgnoreRule,
    LeadMessage,
    Override,
    StoredDecision,
    StoredLead,
    StoredMessage,
)

__all__ = [
    "ActiveOverrides",
    "active_overrides",
    "add_override",
    "find_lead",
    "group_input",
    "ignore_rules",
    "load_messages",
    "save_decision",
    "save_groups",
    "timeline_event",
    "trace_from_json",
    "trace_to_json",
]

LEAD_FIELDS = ("feedback_by", "interview_at", "no_followup", "status", "contact", "merge")
MESSAGE_FIELDS = ("kind", "split")


@dataclass(frozen=True)
class ActiveOverrides:
    """The user's corrections in force: the latest row per fact that was not undone."""

    facts: Mapping[int, LeadFacts]  # lead id -> facts set by the user
    merges: Mapping[int, str]  # lead id -> key of the lead it joins
    kinds: Mapping[str, Kind]  # message key -> relabelled kind
    splits: frozenset[str]  # message keys moved to a lead of their own

    def lead_facts(self, lead_id: int) -> LeadFacts:
        return self.facts.get(lead_id, LeadFacts())


def _value(row: Override) -> Any:
    return row.new_value.get("value")


def _moment(text: str, zone: tzinfo) -> datetime:
    """An interview time; a bare date is 12:00 and a naive time is local (DESIGN rule 3)."""
    value = datetime.fromisoformat(text)
    if len(text.strip()) == 10:
        value = value.replace(hour=12)
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _lead_fact(facts: LeadFacts, row: Override, zone: tzinfo) -> LeadFacts:
    value = _value(row)
    if row.field == "feedback_by":
        return replace(facts, feedback_by=date.fromisoformat(value[:10]) if value else None)
    if row.field == "interview_at":
        return replace(facts, interview_at=_moment(value, zone) if value else None)
    if row.field == "no_followup":
        return replace(facts, no_followup=None if value is None else bool(value))
    if row.field == "status":
        return replace(facts, status=LeadStatus(value) if value else None)
    if row.field == "contact":
        return replace(facts, contact=str(value) if value else None)
    return facts


def active_overrides(session: Session, zone: tzinfo = UTC) -> ActiveOverrides:
    """Read the overrides table; an unreadable value is skipped, never fatal.

    ``zone`` places an interview time written without an offset.
    """
    rows = session.scalars(
        select(Override).where(Override.undone_at.is_(None)).order_by(Override.id)
    )
    latest: dict[tuple[str, object, str], Override] = {}
    for row in rows:
        if row.target == "lead" and row.lead_id is not None and row.field in LEAD_FIELDS:
            latest[("lead", row.lead_id, row.field)] = row
        elif row.target == "message" and row.message_key and row.field in MESSAGE_FIELDS:
            latest[("message", row.message_key, row.field)] = row
    facts: dict[int, LeadFacts] = {}
    merges: dict[int, str] = {}
    kinds: dict[str, Kind] = {}
    splits: set[str] = set()
    for (target, subject, name), row in latest.items():
        try:
            if target == "lead":
                assert isinstance(subject, int)
                if name == "merge":
                    into = row.new_value.get("into_key")
                    if into:
                        merges[subject] = str(into)
                else:
                    facts[subject] = _lead_fact(facts.get(subject, LeadFacts()), row, zone)
            elif name == "kind":
                kinds[str(subject)] = Kind(_value(row))
            elif _value(row):
                splits.add(str(subject))
        except (TypeError, ValueError):
            continue
    return ActiveOverrides(facts, merges, kinds, frozenset(splits))


def add_override(
    session: Session,
    *,
    target: str,
    field: str,
    new_value: dict[str, Any],
    at: datetime,
    lead_id: int | None = None,
    message_key: str | None = None,
    command: str = "",
    old_value: dict[str, Any] | None = None,
) -> Override:
    """Record one override (tests, and any caller without the CLI's audit details)."""
    row = Override(
        created_at=at,
        command=command or f"{target} {field}",
        target=target,
        lead_id=lead_id,
        message_key=message_key,
        field=field,
        old_value=old_value or {},
        new_value=new_value,
    )
    session.add(row)
    session.flush()
    return row


def ignore_rules(session: Session) -> tuple[frozenset[str], frozenset[str]]:
    """(ignored sender addresses, ignored domains), lower-cased."""
    senders: set[str] = set()
    domains: set[str] = set()
    for rule in session.scalars(select(IgnoreRule)):
        value = rule.value.strip().lower().lstrip("@")
        (senders if rule.kind == "sender" else domains).add(value)
    return frozenset(senders), frozenset(domains)


def load_messages(session: Session) -> list[StoredMessage]:
    """Every parsed message that is not our own digest or draft, with its detection."""
    return list(
        session.scalars(
            select(StoredMessage)
            .where(StoredMessage.parse_error.is_(None), StoredMessage.ours.is_(False))
            .options(selectinload(StoredMessage.detection))
            .order_by(StoredMessage.id)
        )
    )


def moment(row: StoredMessage) -> datetime:
    return row.sent_at or row.stored_at


def detection_of(row: StoredMessage, kinds: Mapping[str, Kind]) -> Detection | None:
    """The message's detection with the user's relabel applied."""
    detection = stored_to_detection(row.detection) if row.detection is not None else None
    kind = kinds.get(row.message_key)
    if kind is None:
        return detection
    if detection is None:
        return Detection(kind=kind, confidence=1.0)
    return replace(detection, kind=kind, confidence=1.0)


def _emails(values: Iterable[Any]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        email = value.get("email", "") if isinstance(value, dict) else str(value)
        if email:
            found.append(email.strip().lower())
    return tuple(found)


def group_input(row: StoredMessage, detection: Detection | None) -> GroupInput:
    return GroupInput(
        key=row.message_key,
        message_id=row.message_id,
        direction=Direction(row.direction),
        sent_at=moment(row),
        sender=row.sender_email.strip().lower(),
        recipients=_emails(row.recipients or []),
        in_reply_to=row.in_reply_to,
        references=tuple(str(r) for r in row.references or []),
        kind=detection.kind if detection else None,
        company=detection.company if detection else None,
        contact_email=detection.contact_email if detection else None,
        contact_name=detection.contact_name if detection else None,
        sender_name=row.sender_name,
    )


def timeline_event(row: StoredMessage, detection: Detection | None) -> TimelineEvent:
    direction = Direction(row.direction)
    return TimelineEvent(
        message_id=row.message_id,
        at=moment(row),
        direction=direction,
        detection=detection if direction is Direction.INBOUND else None,
        subject=row.subject,
        key=row.message_key,
    )


def _claim_vanished(
    session: Session,
    groups: Sequence[LeadGroup],
    by_key: dict[str, StoredLead],
    rows_by_key: Mapping[str, Sequence[StoredMessage]],
) -> None:
    """Give a regrouped lead its old row (and id) when its key changed, e.g. after a relabel."""
    wanted = {g.key for g in groups}
    vanished = {lead.id: lead for key, lead in by_key.items() if key not in wanted}
    if not vanished:
        return
    members = dict(session.execute(select(LeadMessage.message_id, LeadMessage.lead_id)).all())
    for found in groups:
        if found.key in by_key:
            continue
        votes = Counter(
            members[row.id]
            for key in found.message_keys
            for row in rows_by_key.get(key, ())
            if members.get(row.id) in vanished
        )
        if not votes:
            continue
        lead_id = min(votes, key=lambda i: (-votes[i], i))
        lead = vanished.pop(lead_id)
        del by_key[lead.key]
        lead.key = found.key
        by_key[found.key] = lead
    session.flush()


def save_groups(
    session: Session,
    groups: Sequence[LeadGroup],
    rows_by_key: Mapping[str, Sequence[StoredMessage]],
    now: datetime,
) -> dict[str, StoredLead]:
    """Upsert one lead row per group (by key) and set membership; returns key -> lead.

    Lead rows no group claims lose their messages; they are deleted unless an
    override names them (the audit trail and merges need them).
    """
    by_key = {lead.key: lead for lead in session.scalars(select(StoredLead))}
    _claim_vanished(session, groups, by_key, rows_by_key)
    result: dict[str, StoredLead] = {}
    for found in groups:  # in order of first message: new ids follow the mail's order
        lead = by_key.get(found.key)
        first = rows_by_key[found.message_keys[0]][0]
        if lead is None:
            lead = StoredLead(key=found.key, created_at=now, account_id=first.account_id)
            session.add(lead)
        if lead.company != found.company:
            lead.company = found.company
        if lead.contact_email != found.contact_email or lead.contact_name != found.contact_name:
            lead.contact_email, lead.contact_name = found.contact_email, found.contact_name
        lead.updated_at = now
        result[found.key] = lead
    session.flush()

    wanted = {
        row.id: result[found.key].id
        for found in groups
        for key in found.message_keys
        for row in rows_by_key[key]
    }
    existing = dict(session.execute(select(LeadMessage.message_id, LeadMessage.lead_id)).all())
    stale = [m for m, lead_id in existing.items() if wanted.get(m) != lead_id]
    if stale:
        session.execute(delete(LeadMessage).where(LeadMessage.message_id.in_(stale)))
    session.add_all(
        LeadMessage(message_id=m, lead_id=lead_id)
        for m, lead_id in wanted.items()
        if existing.get(m) != lead_id
    )

    kept = {lead.id for lead in result.values()}
    named = set(session.scalars(select(Override.lead_id).where(Override.lead_id.is_not(None))))
    for key, lead in by_key.items():
        if lead.id in kept or key in result:
            continue
        if lead.id in named:
            session.execute(delete(StoredDecision).where(StoredDecision.lead_id == lead.id))
        else:
            session.delete(lead)
    session.flush()
    return result


def trace_to_json(trace: Sequence[TraceStep]) -> list[dict[str, Any]]:
    return [
        {
            "rule": step.rule,
            "detail": step.detail,
            "dates": dict(step.dates),
            "message_id": step.message_id,
            "phrase": step.phrase,
            "from_user": step.from_user,
        }
        for step in trace
    ]


def trace_from_json(data: Sequence[Any]) -> tuple[TraceStep, ...]:
    return tuple(
        TraceStep(
            rule=str(item.get("rule", "")),
            detail=str(item.get("detail", "")),
            dates={str(k): str(v) for k, v in dict(item.get("dates") or {}).items()},
            message_id=item.get("message_id"),
            phrase=item.get("phrase"),
            from_user=bool(item.get("from_user")),
        )
        for item in data
        if isinstance(item, dict)
    )


def save_decision(session: Session, decision: Decision, now: datetime) -> StoredDecision:
    """Keep one decision row per lead: the latest, as computed for ``now``."""
    row = session.scalar(
        select(StoredDecision)
        .where(StoredDecision.lead_id == decision.lead_id)
        .order_by(StoredDecision.id.desc())
        .limit(1)
    )
    if row is None:
        row = StoredDecision(lead_id=decision.lead_id)
        session.add(row)
    row.computed_at = now
    row.as_of = now
    row.status = decision.status.value
    row.action = decision.action.value
    row.due = decision.due
    row.reason = decision.reason
    row.trace = trace_to_json(decision.trace)
    return row


def find_lead(reference: str, candidates: Sequence[StoredLead]) -> StoredLead:
    """A lead by id, or by a company prefix that matches exactly one of ``candidates``."""
    text = reference.strip()
    if text.isdigit():
        for lead in candidates:
            if lead.id == int(text):
                return lead
        raise UnknownLeadError(reference)
    wanted = text.casefold()
    if not wanted:
        raise UnknownLeadError(reference)
    matches = [lead for lead in candidates if lead.company.casefold().startswith(wanted)]
    exact = [lead for lead in matches if lead.company.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    raise UnknownLeadError(reference, [f"{lead.id} ({lead.company})" for lead in matches])
