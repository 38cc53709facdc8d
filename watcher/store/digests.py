"""Digest and draft rows (exactly once), and the view of the leads a digest is rendered from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlp.types import Kind
from watcher.config import Settings
from watcher.digest import CheckItem, DigestView, LeadView, MessageMark
from watcher.domain import Action, Address, Decision, Direction, LeadStatus
from watcher.drafting import bare_subject, guess_role
from watcher.rules import Writer, addressee
from watcher.store.leads import stored_decision
from watcher.store.tables import (
    Digest,
    Draft,
    LeadMessage,
    Override,
    StoredDecision,
    StoredDetection,
    StoredLead,
    StoredMessage,
)

__all__ = [
    "ViewResult",
    "build_view",
    "claim_draft",
    "find_digest",
    "last_sent_digest",
    "mark_digest_failed",
    "mark_digest_sent",
    "mark_draft_appended",
    "start_digest_attempt",
]

CHECK_LOOKBACK_DAYS = 14
MAX_CHECKS = 25
_ROLE_KEYS = ("role", "position", "job_title")


@dataclass(frozen=True)
class ViewResult:
    """The view, plus what the digest row records so the next digest can tell what changed."""

    view: DigestView
    dead_ids: frozenset[int]
    account_ids: dict[int, int | None]  # lead id -> account id, for drafts


# --- decisions ----------------------------------------------------------------------------------


def _latest_decisions(session: Session) -> dict[int, StoredDecision]:
    latest = select(func.max(StoredDecision.id)).group_by(StoredDecision.lead_id)
    rows = session.scalars(select(StoredDecision).where(StoredDecision.id.in_(latest)))
    return {row.lead_id: row for row in rows}


# --- facts from the trace (overrides included) or the detections -----------------------------


def _trace_date(decision: Decision, key: str) -> str | None:
    for step in reversed(decision.trace):
        if step.dates.get(key):
            return step.dates[key]
    return None


def _parse_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else None


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass
class _Row:
    message: StoredMessage
    detection: StoredDetection | None


def _lead_messages(session: Session, lead_ids: list[int]) -> dict[int, list[_Row]]:
    query = (
        select(LeadMessage.lead_id, StoredMessage, StoredDetection)
        .join(StoredMessage, StoredMessage.id == LeadMessage.message_id)
        .outerjoin(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .where(LeadMessage.lead_id.in_(lead_ids))
        .where(StoredMessage.ours.is_(False))
        .where(StoredMessage.parse_error.is_(None))
    )
    found: dict[int, list[_Row]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    for lead_id, message, detection in session.execute(query):
        # The same message in two folders (a copy to self) counts once.
        if (lead_id, message.message_id) in seen:
            continue
        seen.add((lead_id, message.message_id))
        found[lead_id].append(_Row(message, detection))
    for rows in found.values():
        rows.sort(key=lambda r: r.message.sent_at or r.message.stored_at)
    return found


def _mark(row: _Row) -> MessageMark:
    message = row.message
    kind = Kind(row.detection.kind) if row.detection else None
    sender = (
        Address(message.sender_name or "", message.sender_email.lower())
        if message.sender_email
        else None
    )
    return MessageMark(
        message_id=message.message_id,
        at=message.sent_at or message.stored_at,
        direction=Direction(message.direction),
        kind=kind if message.direction == Direction.INBOUND.value else None,
        subject=message.subject,
        sender=sender,
        references=tuple(str(r) for r in message.references or ()),
        # as the rules read it: an auto-reply that is no outcome resets nothing
        auto_reply=kind in (Kind.RECRUITER_REPLY, Kind.NOT_JOB)
        and bool(row.detection and (row.detection.facts or {}).get("auto_reply")),
    )


def _detected(rows: list[_Row], key: str) -> str | None:
    for row in reversed(rows):
        if row.detection and row.message.direction == Direction.INBOUND.value:
            value = (row.detection.facts or {}).get(key)
            if value:
                return str(value)
    return None


def _role(rows: list[_Row], company: str) -> str:
    for key in _ROLE_KEYS:
        found = _detected(rows, key)
        if found:
            return found
    subjects = [bare_subject(row.message.subject) for row in rows if row.message.subject]
    inbound = [row.message.text for row in rows if row.message.direction == "in"]
    return guess_role([*subjects, *inbound], company)


def _contact(
    lead: StoredLead, decision: Decision, rows: list[_Row], now: datetime
) -> Address | None:
    """The contact as of ``now`` (watcher.rules.addressee), with the name they wrote under."""
    names: dict[str, str] = {}
    writers: list[Writer] = []
    for row in rows:
        message = row.message
        if message.direction != Direction.INBOUND.value:
            continue
        facts = (row.detection.facts or {}) if row.detection else {}
        sender = (message.sender_email or "").lower()
        named = str(facts.get("contact_email") or "").lower() or None
        names.setdefault(sender, message.sender_name or "")
        if named:
            names.setdefault(named, str(facts.get("contact_name") or ""))
        writers.append(
            Writer(message.message_id, message.sent_at or message.stored_at, sender, named)
        )
    if lead.contact_email:
        names[lead.contact_email.lower()] = lead.contact_name or ""
    email = addressee(decision, writers, lead.contact_email, None, now)
    if not email:
        return None
    return Address(names.get(email.lower(), ""), email.lower())


def _saved_drafts(session: Session) -> set[tuple[int, str, date | None]]:
    """(lead, action, due) of every draft already appended to the Drafts folder."""
    query = select(Draft.lead_id, Draft.action, Draft.due).where(Draft.appended_at.is_not(None))
    return {(lead_id, action, due) for lead_id, action, due in session.execute(query)}


def _lead_view(
    lead: StoredLead, decision: Decision, rows: list[_Row], now: datetime, saved: set[Any]
) -> LeadView:
    contact = _contact(lead, decision, rows, now)
    interview_at = _parse_datetime(_trace_date(decision, "interview_at")) or _parse_datetime(
        _detected(rows, "interview_at")
    )
    feedback_by = _parse_date(_trace_date(decision, "feedback_by")) or _parse_date(
        _detected(rows, "feedback_by")
    )
    return LeadView(
        lead_id=lead.id,
        company=lead.company,
        decision=decision,
        contact=contact,
        role=_role(rows, lead.company or ""),
        messages=tuple(_mark(row) for row in rows),
        interview_at=interview_at,
        feedback_by=feedback_by,
        draft_saved=(lead.id, decision.action.value, decision.due) in saved,
    )


def _user_name(session: Session) -> str:
    query = (
        select(StoredMessage.sender_name)
        .where(StoredMessage.direction == Direction.OUTBOUND.value)
        .where(StoredMessage.sender_name != "")
        .order_by(StoredMessage.sent_at.desc())
        .limit(1)
    )
    return session.scalar(query) or ""


def _relabelled(session: Session) -> set[str]:
    query = select(Override.message_key).where(
        Override.target == "message", Override.undone_at.is_(None)
    )
    return {key for key in session.scalars(query) if key}


def _checks(session: Session, settings: Settings, now: datetime) -> tuple[CheckItem, ...]:
    since = now - timedelta(days=CHECK_LOOKBACK_DAYS)
    query = (
        select(StoredMessage, StoredDetection, StoredLead.company)
        .join(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .outerjoin(LeadMessage, LeadMessage.message_id == StoredMessage.id)
        .outerjoin(StoredLead, StoredLead.id == LeadMessage.lead_id)
        .where(StoredDetection.confidence < settings.policy.low_confidence)
        .where(StoredMessage.ours.is_(False))
        .where(StoredMessage.direction == Direction.INBOUND.value)
        .where(StoredMessage.sent_at >= since, StoredMessage.sent_at <= now)
        .order_by(StoredMessage.sent_at)
    )
    fixed = _relabelled(session)
    items: dict[str, CheckItem] = {}
    for message, detection, company in session.execute(query):
        if message.message_id in fixed or message.message_key in fixed:
            continue
        sender = (
            f"{message.sender_name} <{message.sender_email}>"
            if message.sender_name
            else message.sender_email
        )
        items.setdefault(
            message.message_id,
            CheckItem(
                message_id=message.message_id,
                subject=message.subject,
                sender=sender,
                kind=Kind(detection.kind),
                confidence=detection.confidence,
                at=message.sent_at or message.stored_at,
                company=company or "",
            ),
        )
    return tuple(list(items.values())[-MAX_CHECKS:])


def _is_dead(decision: Decision) -> bool:
    return decision.action is Action.DEAD or decision.status is LeadStatus.DEAD


def _dead_since(decision: Decision) -> date:
    """The day a dead lead was let go by the rules (a stale application is let go long after
    its last message); date.min when the trace does not say."""
    for step in reversed(decision.trace):
        for key in ("dead_on", "stale_on"):
            if key in step.dates:
                return date.fromisoformat(step.dates[key])
    return date.min


def build_view(session: Session, settings: Settings, now: datetime, recipient: str) -> ViewResult:
    """Every lead with its latest decision; "let go" = dead since the last digest sent."""
    zone = settings.zone
    today = now.astimezone(zone).date()
    latest = _latest_decisions(session)
    leads = {
        lead.id: lead
        for lead in session.scalars(select(StoredLead).where(StoredLead.id.in_(list(latest))))
        if lead.status != LeadStatus.IGNORED.value
    }
    # As of ``now`` only messages with at <= now exist: a lead not started yet is left out.
    rows = {
        lead_id: visible
        for lead_id, found in _lead_messages(session, list(leads)).items()
        if (visible := [r for r in found if (r.message.sent_at or r.message.stored_at) <= now])
    }
    saved = _saved_drafts(session)
    views = [
        _lead_view(lead, stored_decision(latest[lead_id]), rows[lead_id], now, saved)
        for lead_id, lead in sorted(leads.items())
        if lead_id in rows
    ]
    dead = frozenset(v.lead_id for v in views if _is_dead(v.decision))
    previous = last_sent_digest(session, recipient, today)
    if previous is not None:
        known_dead = {int(i) for i in (previous.content or {}).get("dead", [])}
        let_go = [v for v in views if v.lead_id in dead - known_dead]
    else:
        # The first digest: only leads that went quiet recently, not the whole history.
        cutoff = now - timedelta(days=settings.policy.stale_days)
        let_go = [
            v
            for v in views
            if v.lead_id in dead
            and (
                (v.messages and v.messages[-1].at >= cutoff)
                or _dead_since(v.decision) >= cutoff.astimezone(zone).date()
            )
        ]
    view = DigestView(
        recipient=recipient,
        user_name=_user_name(session),
        leads=tuple(v for v in views if v.lead_id not in dead),
        let_go=tuple(let_go),
        checks=_checks(session, settings, now),
        low_confidence=settings.policy.low_confidence,
    )
    return ViewResult(view, dead, {i: lead.account_id for i, lead in leads.items()})


# --- digest rows: one per (day, recipient), recorded before sending -----------------------------


def find_digest(session: Session, day: date, recipient: str) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.day == day, Digest.recipient == recipient))


def last_sent_digest(session: Session, recipient: str, before: date) -> Digest | None:
    query = (
        select(Digest)
        .where(Digest.recipient == recipient, Digest.day < before, Digest.sent_at.is_not(None))
        .order_by(Digest.day.desc())
        .limit(1)
    )
    return session.scalar(query)


def start_digest_attempt(
    session: Session,
    *,
    day: date,
    recipient: str,
    message_id: str,
    now: datetime,
    content: dict[str, Any],
) -> Digest:
    """Record (or update) the pending row and count the attempt; commit before sending."""
    digest = find_digest(session, day, recipient)
    if digest is None:
        digest = Digest(day=day, recipient=recipient, message_id=message_id, created_at=now)
        session.add(digest)
    digest.message_id = message_id
    digest.sent_at = None
    digest.attempts = (digest.attempts or 0) + 1
    digest.last_error = None
    digest.content = {**content, "attempt_at": now.astimezone(UTC).isoformat()}
    session.flush()
    return digest


def mark_digest_sent(session: Session, digest_id: int, at: datetime, how: str = "smtp") -> None:
    digest = session.get_one(Digest, digest_id)
    digest.sent_at = at
    digest.last_error = None
    digest.content = {**(digest.content or {}), "confirmed_by": how}


def mark_digest_failed(session: Session, digest_id: int, error: str) -> None:
    digest = session.get_one(Digest, digest_id)
    digest.last_error = error


# --- draft rows: one per (lead, action, due) ---------------------------------------------------


def claim_draft(
    session: Session, lead_id: int, action: str, due: date | None, message_id: str
) -> Draft | None:
    """The draft row for this decision, created if new; None once it was appended."""
    query = select(Draft).where(Draft.lead_id == lead_id, Draft.action == action)
    query = query.where(Draft.due.is_(None) if due is None else Draft.due == due)
    draft = session.scalar(query)
    if draft is None:
        draft = Draft(lead_id=lead_id, action=action, due=due, message_id=message_id)
        session.add(draft)
        session.flush()
    return None if draft.appended_at is not None else draft


def mark_draft_appended(session: Session, draft_id: int, at: datetime) -> None:
    session.get_one(Draft, draft_id).appended_at = at
