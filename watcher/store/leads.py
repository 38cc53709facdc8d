"""Leads in the store: the overrides in force, grouping input, lead rows, membership, decisions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.orm import Session

from nlp.types import Detection, Kind
from watcher.domain import (
    Action,
    Decision,
    Direction,
    LeadFacts,
    LeadStatus,
    TimelineEvent,
    TraceStep,
)
from watcher.errors import UnknownLeadError
from watcher.leads import GroupInput, LeadGroup
from watcher.store.detections import facts_to_detection
from watcher.store.tables import (
    IgnoreRule,
    LeadMessage,
    Override,
    StoredDecision,
    StoredDetection,
    StoredLead,
    StoredMessage,
)

__all__ = [
    "ActiveOverrides",
    "MailRow",
    "active_overrides",
    "add_override",
    "chunked",
    "find_lead",
    "group_input",
    "ignore_rules",
    "load_lead_rows",
    "load_messages",
    "save_decision",
    "save_groups",
    "stored_decision",
    "stored_decisions",
    "timeline_event",
    "trace_from_json",
    "trace_to_json",
]

_DIRECTIONS = {d.value: d for d in Direction}  # Direction(...) is slow over a whole mailbox
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


@dataclass(frozen=True)
class MailRow:
    """The columns of a stored message that grouping and the rules read (no bodies)."""

    id: int
    account_id: int
    message_id: str
    message_key: str
    in_reply_to: str | None
    references: tuple[str, ...]
    sender_email: str
    sender_name: str
    recipients: tuple[str, ...]
    at: datetime
    subject: str
    direction: Direction
    detection: Detection | None  # as detected, before the user's relabel


def _emails(values: Iterable[Any]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        email = value.get("email", "") if isinstance(value, dict) else str(value)
        if email:
            found.append(email.strip().lower())
    return tuple(found)


def _mail_query() -> Any:
    m, d = StoredMessage, StoredDetection
    return (
        select(
            m.id,
            m.account_id,
            m.message_id,
            m.message_key,
            m.in_reply_to,
            m.references,
            m.sender_email,
            m.sender_name,
            m.recipients,
            m.sent_at,
            m.stored_at,
            m.subject,
            m.direction,
            d.kind,
            d.confidence,
            # Facts of mail that is not about a job are never read: skip decoding them,
            # but an automatic reply's are (its return date drives the "away" rule).
            case(
                (d.facts["auto_reply"].as_boolean().is_(True), d.facts),
                (d.kind == Kind.NOT_JOB.value, None),
                else_=d.facts,
            ).label("facts"),
            d.model_version,
        )
        .outerjoin(d, d.message_id == m.id)
        .where(m.parse_error.is_(None), m.ours.is_(False))
    )


def _mail_row(row: Any) -> MailRow:
    detection = None
    if row.kind == Kind.NOT_JOB.value and row.facts is None:
        detection = Detection(Kind.NOT_JOB, row.confidence, model_version=row.model_version)
    elif row.kind is not None:
        detection = facts_to_detection(
            row.kind, row.confidence, row.facts or {}, row.model_version or ""
        )
    return MailRow(
        id=row.id,
        account_id=row.account_id,
        message_id=row.message_id,
        message_key=row.message_key,
        in_reply_to=row.in_reply_to,
        references=tuple(str(r) for r in row.references or ()),
        sender_email=(row.sender_email or "").strip().lower(),
        sender_name=row.sender_name or "",
        recipients=_emails(row.recipients or ()),
        at=row.sent_at or row.stored_at,
        subject=row.subject or "",
        direction=_DIRECTIONS[row.direction],
        detection=detection,
    )


def load_messages(session: Session, keys: Iterable[str] | None = None) -> list[MailRow]:
    """Parsed messages that are not our own digest or draft, with their detection: every
    one, or those with one of ``keys`` (every folder's copy), in id order.

    Plain columns, not ORM objects: building entities would cost more than the rules.
    """
    if keys is None:
        return [_mail_row(row) for row in session.execute(_mail_query().order_by(StoredMessage.id))]
    rows: list[MailRow] = []
    for chunk in chunked(sorted(set(keys))):
        query = _mail_query().where(StoredMessage.message_key.in_(chunk))
        rows.extend(_mail_row(row) for row in session.execute(query))
    return sorted(rows, key=lambda row: row.id)


def load_lead_rows(session: Session, lead_ids: Iterable[int]) -> dict[int, list[MailRow]]:
    """The stored members of each of ``lead_ids`` (every folder's copy), in id order."""
    found: dict[int, list[MailRow]] = {}
    for chunk in chunked(sorted(set(lead_ids))):
        query = (
            _mail_query()
            .add_columns(LeadMessage.lead_id)
            .join(LeadMessage, LeadMessage.message_id == StoredMessage.id)
            .where(LeadMessage.lead_id.in_(chunk))
            .order_by(StoredMessage.id)
        )
        for row in session.execute(query):
            found.setdefault(row.lead_id, []).append(_mail_row(row))
    return found


def chunked(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` in slices small enough for one ``IN (...)`` (SQLite allows 32,766)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def detection_of(row: MailRow, kinds: Mapping[str, Kind]) -> Detection | None:
    """The message's detection with the user's relabel applied."""
    kind = kinds.get(row.message_key)
    if kind is None:
        return row.detection
    if row.detection is None:
        return Detection(kind=kind, confidence=1.0)
    return replace(row.detection, kind=kind, confidence=1.0)


def group_input(row: MailRow, detection: Detection | None) -> GroupInput:
    return GroupInput(
        key=row.message_key,
        message_id=row.message_id,
        direction=row.direction,
        sent_at=row.at,
        sender=row.sender_email,
        recipients=row.recipients,
        in_reply_to=row.in_reply_to,
        references=row.references,
        kind=detection.kind if detection else None,
        company=detection.company if detection else None,
        contact_email=detection.contact_email if detection else None,
        contact_name=detection.contact_name if detection else None,
        sender_name=row.sender_name,
        auto_reply=bool(detection and detection.auto_reply),
    )


def timeline_event(row: MailRow, detection: Detection | None) -> TimelineEvent:
    return TimelineEvent(
        message_id=row.message_id,
        at=row.at,
        direction=row.direction,
        detection=detection if row.direction is Direction.INBOUND else None,
        subject=row.subject,
        key=row.message_key,
    )


def _claim_vanished(
    session: Session,
    groups: Sequence[LeadGroup],
    by_key: dict[str, StoredLead],
    rows_by_key: Mapping[str, Sequence[MailRow]],
    members: Mapping[int, int],
) -> None:
    """Give a regrouped lead its old row (and id) when its key changed, e.g. after a relabel."""
    wanted = {g.key for g in groups}
    vanished = {lead.id: lead for key, lead in by_key.items() if key not in wanted}
    if not vanished:
        return
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


def _membership(session: Session, message_ids: Iterable[int] | None) -> dict[int, int]:
    """message id -> lead id, of every message or of ``message_ids``."""
    query = select(LeadMessage.message_id, LeadMessage.lead_id)
    if message_ids is None:
        return dict(session.execute(query).all())
    found: dict[int, int] = {}
    for chunk in chunked(sorted(set(message_ids))):
        found.update(session.execute(query.where(LeadMessage.message_id.in_(chunk))).all())
    return found


def save_groups(
    session: Session,
    groups: Sequence[LeadGroup],
    rows_by_key: Mapping[str, Sequence[MailRow]],
    now: datetime,
    scope: Sequence[StoredLead] | None = None,
) -> dict[str, StoredLead]:
    """Upsert one lead row per group (by key) and set membership; returns key -> lead.

    ``groups`` are every lead of the messages in ``rows_by_key``; ``scope`` the leads
    those messages belonged to (None: ``groups`` are all leads and the messages all
    mail). Leads of the scope no group claims lose their messages; they are deleted
    unless an override names them (the audit trail and merges need them).
    """
    if scope is None:
        by_key = {lead.key: lead for lead in session.scalars(select(StoredLead))}
        existing = _membership(session, None)
    else:
        by_key = {lead.key: lead for lead in scope}
        wanted_keys = [g.key for g in groups if g.key not in by_key]
        for chunk in chunked(wanted_keys):
            by_key.update(
                (lead.key, lead)
                for lead in session.scalars(select(StoredLead).where(StoredLead.key.in_(chunk)))
            )
        existing = _membership(session, (row.id for rows in rows_by_key.values() for row in rows))
    _claim_vanished(session, groups, by_key, rows_by_key, existing)
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
    stale = [m for m, lead_id in existing.items() if wanted.get(m) != lead_id]
    for chunk in chunked(stale):
        session.execute(delete(LeadMessage).where(LeadMessage.message_id.in_(chunk)))
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


def save_decision(
    session: Session,
    decision: Decision,
    now: datetime,
    existing: Mapping[int, StoredDecision] | None = None,
    next_change_at: datetime | None = None,
    last_at: datetime | None = None,
) -> StoredDecision:
    """Keep one decision row per lead: the latest, as computed for ``now``.

    ``existing`` (from ``stored_decisions``) saves a query per lead.
    """
    if existing is not None:
        row = existing.get(decision.lead_id)
    else:
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
    row.next_change_at = next_change_at
    row.last_at = last_at
    return row


def stored_decisions(
    session: Session, lead_ids: Iterable[int] | None = None
) -> dict[int, StoredDecision]:
    """The latest decision row of every lead, or of ``lead_ids``."""
    query = select(StoredDecision).order_by(StoredDecision.id)
    if lead_ids is None:
        return {row.lead_id: row for row in session.scalars(query)}
    found: dict[int, StoredDecision] = {}
    for chunk in chunked(sorted(set(lead_ids))):
        for row in session.scalars(query.where(StoredDecision.lead_id.in_(chunk))):
            found[row.lead_id] = row
    return found


def stored_decision(row: StoredDecision) -> Decision:
    """The Decision a stored row holds."""
    return Decision(
        lead_id=row.lead_id,
        status=LeadStatus(row.status),
        action=Action(row.action),
        due=row.due,
        reason=row.reason,
        trace=trace_from_json(row.trace or []),
    )


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
