"""Run the detector over stored messages that have no detection yet, or an outdated one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, Select, insert, select, update
from sqlalchemy.orm import Session

from nlp.types import Email
from watcher.domain import Direction
from watcher.store.detections import detection_to_facts
from watcher.store.tables import RefreshState, RegroupQueue, StoredDetection, StoredMessage

if TYPE_CHECKING:
    from spacy.language import Language  # spaCy loads only when there is mail to read

BATCH = 200
# The columns the detector reads: plain rows, so a long analysis holds no ORM objects.
_COLUMNS = (
    StoredMessage.id,
    StoredMessage.message_key,
    StoredMessage.subject,
    StoredMessage.text,
    StoredMessage.new_text,
    StoredMessage.sent_at,
    StoredMessage.stored_at,
    StoredMessage.sender_name,
    StoredMessage.sender_email,
    StoredMessage.headers,
)


def model_version(analyzer: Language) -> str:
    """The version stamped on detections made by ``analyzer`` (``nlp.load()``)."""
    return str(analyzer.meta.get("followup_model_version", "rules"))


def stored_to_email(message: StoredMessage | Row[Any]) -> Email:
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
    session: Session,
    analyzer: Language,
    messages: Sequence[Row[Any]],
    now: datetime,
    *,
    replace: bool,
) -> int:
    """Detect ``messages`` and write the batch at once (one statement, not one per message).

    Each message is read within its CPU budget (watcher.budget); one read truncated is
    marked so in its facts."""
    from watcher.budget import analyse_within_budget

    detections = analyse_within_budget([stored_to_email(m) for m in messages], analyzer)
    values = [
        {
            "message_id": message.id,
            "kind": detection.kind.value,
            "confidence": detection.confidence,
            "facts": {**detection_to_facts(detection), **({"truncated": True} if cut else {})},
            "model_version": detection.model_version,
            "analysed_at": now,
        }
        for message, (detection, cut) in zip(messages, detections, strict=True)
    ]
    if replace:
        for value in values:  # re-analysis is rare: one UPDATE per message is fine
            session.execute(
                update(StoredDetection)
                .where(StoredDetection.message_id == value["message_id"])
                .values(**{k: v for k, v in value.items() if k != "message_id"})
            )
    elif values:
        session.execute(insert(StoredDetection), values)
        # Leads are regrouped around these messages at the next refresh.
        session.execute(insert(RegroupQueue), [{"message_key": m.message_key} for m in messages])
    return len(values)


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
    messages: Select[Any],
    *,
    replace: bool = False,
    limit: int | None = None,
) -> int:
    """Analyse what ``messages`` selects, BATCH at a time in id order, at most ``limit``
    messages; returns how many."""
    total = 0
    last_id = 0
    size = BATCH if limit is None else min(BATCH, limit)
    while limit is None or total < limit:
        query = messages.where(StoredMessage.id > last_id).order_by(StoredMessage.id).limit(size)
        batch = list(session.execute(query))
        if not batch:
            return total
        total += _analyse(session, analyzer, batch, now, replace=replace)
        last_id = batch[-1].id
    return total


def _pending() -> Select[Any]:
    return (
        select(*_COLUMNS)
        .outerjoin(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .where(StoredDetection.id.is_(None), *_inbound())
    )


def has_pending(session: Session) -> bool:
    """Whether any message waits for the detector (checked before loading it)."""
    return session.execute(_pending().limit(1)).first() is not None


def analyse_pending(
    session: Session, analyzer: Language, now: datetime, limit: int | None = None
) -> int:
    """Detect every parsed inbound message without a detection (at most ``limit``);
    returns how many.

    The user's own (outbound) messages and our digests and drafts get none.
    """
    return _analyse_in_batches(session, analyzer, now, _pending(), limit=limit)


def reanalyse(session: Session, analyzer: Language, now: datetime) -> int:
    """Re-detect messages whose detection came from another model version; returns how many.

    User overrides live in their own table, so they survive this. Leads are then
    regrouped from scratch, once, at the next refresh.
    """
    outdated = (
        select(*_COLUMNS)
        .join(StoredDetection, StoredDetection.message_id == StoredMessage.id)
        .where(StoredDetection.model_version != model_version(analyzer), *_inbound())
    )
    count = _analyse_in_batches(session, analyzer, now, outdated, replace=True)
    if count:
        state = session.get(RefreshState, 1)
        if state is not None:
            state.regroup_all = True
    return count
