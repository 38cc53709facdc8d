"""Digest and draft rows (exactly once), and the view of the leads a digest is rendered from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from nlp.types import Kind
from watcher.config import Settings
from watcher.digest import CheckItem, DigestView, LeadView, MessageMark
from watcher.domain import Action, Address, Decision, Direction, LeadStatus
from watcher.drafting import bare_subject, guess_role
from watcher.rules import Writer, addressee
from watcher.store.leads import chunked, stored_decision, stored_decisions
from watcher.store.tables import (
    Digest,
    Draft,
    LeadMessage,
    Override,
    StoredDecision,
    StoredDetection,
    StoredLead,
    StoredMessage,
    UtcDateTime,
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


# A lead the digest may show: not closed (a section lists it) or with a draft to write.
_DRAFTED = (Action.THANK.value, Action.NUDGE.value, Action.RESPOND.value)
_CLOSED = (LeadStatus.REJECTED.value, LeadStatus.IGNORED.value)


def _summaries(session: Session) -> list[tuple[int, str, str]]:
    """(lead id, action, status) of every lead's latest decision, ignored leads left out:
    a few small columns, so the digest picks the leads it shows before loading any mail."""
    latest = select(func.max(StoredDecision.id)).group_by(StoredDecision.lead_id)
    query = (
        select(StoredDecision.lead_id, StoredDecision.action, StoredDecision.status)
        .join(StoredLead, StoredLead.id == StoredDecision.lead_id)
        .where(StoredDecision.id.in_(latest))
        .where(StoredLead.status != LeadStatus.IGNORED.value)
    )
    return [(lead_id, action, status) for lead_id, action, status in session.execute(query)]


def _visible() -> Any:
    """When a message is there as of a moment: its Date, else when it was stored."""
    return func.coalesce(StoredMessage.sent_at, StoredMessage.stored_at)


def _last_visible(session: Session, lead_ids: set[int], now: datetime) -> dict[int, datetime]:
    """Lead id -> its latest message as of ``now``, for those of ``lead_ids`` started by then."""
    last = type_coerce(func.max(_visible()), UtcDateTime())
    found: dict[int, datetime] = {}
    for chunk in chunked(sorted(lead_ids)):
        query = (
            select(LeadMessage.lead_id, last)
            .join(StoredMessage, StoredMessage.id == LeadMessage.message_id)
            .where(LeadMessage.lead_id.in_(chunk))
            .where(StoredMessage.ours.is_(False))
            .where(StoredMessage.parse_error.is_(None))
            .where(_visible() <= now)
            .group_by(LeadMessage.lead_id)
        )
        found.update({lead_id: at for lead_id, at in session.execute(query)})
    return found


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
    found: dict[int, list[_Row]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    for chunk in chunked(lead_ids):
        query = (
            select(LeadMessage.lead_id, StoredMessage, StoredDetection)
            .join(StoredMessage, StoredMessage.id == LeadMessage.message_id)
            .outerjoin(StoredDetection, StoredDetection.message_id == StoredMessage.id)
            .where(LeadMessage.lead_id.in_(chunk))
            .where(StoredMessage.ours.is_(False))
            .where(StoredMessage.parse_error.is_(None))
        )
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


def _saved_drafts(session: Session, lead_ids: list[int]) -> set[tuple[int, str, date | None]]:
    """(lead, action, due) of each draft of ``lead_ids`` already appended to Drafts."""
    saved: set[tuple[int, str, date | None]] = set()
    for chunk in chunked(lead_ids):
        query = select(Draft.lead_id, Draft.action, Draft.due).where(
            Draft.appended_at.is_not(None), Draft.lead_id.in_(chunk)
        )
        saved.update((lead_id, action, due) for lead_id, action, due in session.execute(query))
    return saved


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


def _dead_since(decision: Decision) -> date:
    """The day a dead lead was let go by the rules (a stale application is let go long after
    its last message); date.min when the trace does not say."""
    for step in reversed(decision.trace):
        for key in ("dead_on", "stale_on"):
            if key in step.dates:
                return date.fromisoformat(step.dates[key])
    return date.min


def build_view(session: Session, settings: Settings, now: datetime, recipient: str) -> ViewResult:
    """Every lead with its latest decision; "let go" = dead since the last digest sent.

    Reads the stored decisions first and loads mail only for the leads it shows (open
    ones, ones with a draft to write, ones to let go): memory follows the live leads,
    not the mailbox's history.
    """
    zone = settings.zone
    today = now.astimezone(zone).date()
    summaries = _summaries(session)
    dead_now = {
        i
        for i, action, status in summaries
        if action == Action.DEAD.value or status == LeadStatus.DEAD.value
    }
    # As of ``now`` only messages with at <= now exist: a lead not started yet is left out.
    last_at = _last_visible(session, dead_now, now)
    dead = frozenset(last_at)
    previous = last_sent_digest(session, recipient, today)
    cutoff = now - timedelta(days=settings.policy.stale_days)
    if previous is not None:
        known_dead = {int(i) for i in (previous.content or {}).get("dead", [])}
        going = set(dead - known_dead)
    else:
        # The first digest: only leads that went quiet, or were let go, recently; not the
        # whole history. A stale application is let go long after its last message.
        quiet = {i for i in dead if last_at[i] >= cutoff}
        since = cutoff.astimezone(zone).date()
        going = quiet | {
            lead_id
            for lead_id, row in stored_decisions(session, dead - quiet).items()
            if _dead_since(stored_decision(row)) >= since
        }
    shown = {
        lead_id
        for lead_id, action, status in summaries
        if lead_id not in dead_now and (status not in _CLOSED or action in _DRAFTED)
    }
    wanted = sorted(shown | going)
    latest = stored_decisions(session, wanted)
    leads: dict[int, StoredLead] = {}
    for chunk in chunked(wanted):
        leads.update(
            (lead.id, lead)
            for lead in session.scalars(select(StoredLead).where(StoredLead.id.in_(chunk)))
        )
    rows = {
        lead_id: visible
        for lead_id, found in _lead_messages(session, wanted).items()
        if (visible := [r for r in found if (r.message.sent_at or r.message.stored_at) <= now])
    }
    saved = _saved_drafts(session, wanted)
    views = [
        _lead_view(lead, stored_decision(latest[lead_id]), rows[lead_id], now, saved)
        for lead_id, lead in sorted(leads.items())
        if lead_id in rows
    ]
    let_go = [v for v in views if v.lead_id in going and v.messages]
    view = DigestView(
        recipient=recipient,
        user_name=_user_name(session),
        leads=tuple(v for v in views if v.lead_id not in dead_now),
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
