"""Run the detector over stored messages that have no detection yet, or an outdated one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from spacy.language import Language
from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from nlp.types import Email
from watcher.budget import analyse_within_budget
from watcher.domain import Direction
from watcher.store.detections import save_detection
from watcher.store.tables import StoredDetection, StoredMessage

BATCH = 200


def model_version(analyzer: Language) -> str:
    """The version stamped on detections made by ``analyzer`` (``nlp.load()``)."""
    return str(analyzer.meta.get("followup_model_version", "rules"))


def stored_to_email(message: StoredMessage) -> Email:
    """The detector's view of a stored message (the same fields as ``mail.to_nlp_email``)."""
    sent_at = message.sent_at or message.stored_at
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    headers = {str(k).lower(): str(v) for k, v in (message.headers or {}).items()}
    sent_at = _in_sender_zone(sent_at, headers.get("date", ""))
    return Email(
        subject=message.subject or "",
        text=message.new_text or message.text or "",
        sent_at=sent_at,
        sender_name=message.sender_name or "",
        sender_email=message.sender_email or "",
        full_text=message.text or "",
        headers=headers,
    )


def _in_sender_zone(sent_at: datetime, date_header: str) -> datetime:
    """``sent_at`` (stored in UTC) in the offset of the Date header: a time the mail writes
    without a zone ("Thursday at 3:30 PM") is in the sender's zone, not in UTC."""
    try:
        written = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError, IndexError):
        return sent_at
    if written is None or written.tzinfo is None:
        return sent_at
    return sent_at.astimezone(written.tzinfo)


def _analyse(
    session: Session, analyzer: Language, messages: Sequence[StoredMessage], now: datetime
) -> int:
    detections = analyse_within_budget([stored_to_email(m) for m in messages], analyzer)
    count = 0
    for message, (detection, cut) in zip(messages, detections, strict=True):
        row = save_detection(session, message, detection, now)
        if cut:  # read truncated: over the CPU budget of one message
            row.facts = {**row.facts, "truncated": True}
        count += 1
    session.flush()
    return count


def _inbound() -> list[ColumnElement[bool]]:
    return [
        StoredMessage.parse_error.is_(None),
        StoredMessage.ours.is_(False),
        StoredMessage.direction == Direction.INBOUND.value,
    ]


def _analyse_in_batches(
    session: Session,
    analyzer: Language,
    now: datetime,
    messages: Select[StoredMessage],
    limit: int | None = None,
) -> int:
    """Analyse what ``messages`` selects, BATCH at a time in id order, at most ``limit``
    messages; returns how many."""
    total = 0
    last_id = 0
    size = BATCH if limit is None else min(BATCH, limit)
    while limit is None or total < limit:
        query = messages.where(StoredMessage.id > last_id).order_by(StoredMessage.id).limit(size)
        batch = list(session.scalars(query))
        if not batch:
            return total
        total += _analyse(session, analyzer, batch, now)
        last_id = batch[-1].id
    return total


def analyse_pending(
    session: Session, analyzer: Language, now: datetime, limit: int | None = None
) -> int:
    """Detect every parsed inbound message without a detection (at most ``limit``);
    returns how many.

    The user's own (outbound) messages and our digests and drafts get none.
    """
    pending = (
        select(StoredMessage)
        .outerjoin(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .where(StoredDetection.id.is_(None), *_inbound())
    )
    return _analyse_in_batches(session, analyzer, now, pending, limit)


def reanalyse(session: Session, analyzer: Language, now: datetime) -> int:
    """Re-detect messages whose detection came from another model version; returns how many.

    User overrides live in their own table, so they survive this.
    """
    outdated = (
        select(StoredMessage)
        .join(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .where(StoredDetection.model_version != model_version(analyzer), *_inbound())
    )
    return _analyse_in_batches(session, analyzer, now, outdated)
