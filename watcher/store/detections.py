"""Detections in the store: the nlp Detection <-> the ``facts`` JSON of a StoredDetection."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from nlp.types import Detection, Evidence, Kind
from watcher.store.tables import StoredDetection, StoredMessage

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$")


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _zone(name: str | None) -> tzinfo | None:
    """The zone an ``interview_tz`` names: an offset ("-05:00") or an IANA name."""
    if not name:
        return None
    found = _OFFSET.match(name.strip())
    if found:
        sign = -1 if found.group(1) == "-" else 1
        minutes = int(found.group(2)) * 60 + int(found.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(name.strip())
    except (ValueError, ZoneInfoNotFoundError):
        return None


def _aware(value: datetime | None, zone_name: str | None) -> datetime | None:
    """Every stored datetime is aware: a naive one is in the zone the mail named."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=_zone(zone_name) or UTC)


def detection_to_facts(detection: Detection) -> dict[str, Any]:
    """Everything but kind and confidence, as JSON-safe values (aware ISO datetimes)."""
    return {
        "interview_at": _iso(_aware(detection.interview_at, detection.interview_tz)),
        "interview_has_time": detection.interview_has_time,
        "interview_tz": detection.interview_tz,
        "feedback_by": _iso(detection.feedback_by),
        "no_followup": detection.no_followup,
        "auto_reply": detection.auto_reply,
        "away_until": _iso(detection.away_until),
        "reply_by": _iso(detection.reply_by),
        "company": detection.company,
        "contact_name": detection.contact_name,
        "contact_email": detection.contact_email,
        "evidence": [{"label": e.label, "text": e.text} for e in detection.evidence],
    }


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _datetime(value: Any, zone_name: str | None) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return _aware(datetime.fromisoformat(value), zone_name)


def facts_to_detection(
    kind: str, confidence: float, facts: dict[str, Any], model_version: str = ""
) -> Detection:
    """The inverse of ``detection_to_facts``."""
    return Detection(
        kind=Kind(kind),
        confidence=confidence,
        interview_at=_datetime(facts.get("interview_at"), facts.get("interview_tz")),
        interview_has_time=bool(facts.get("interview_has_time")),
        interview_tz=facts.get("interview_tz"),
        feedback_by=_date(facts.get("feedback_by")),
        no_followup=bool(facts.get("no_followup")),
        auto_reply=bool(facts.get("auto_reply")),
        away_until=_date(facts.get("away_until")),
        company=facts.get("company"),
        contact_name=facts.get("contact_name"),
        contact_email=facts.get("contact_email"),
        evidence=tuple(
            Evidence(label=str(e.get("label", "")), text=str(e.get("text", "")))
            for e in facts.get("evidence", [])
            if isinstance(e, dict)
        ),
        model_version=model_version,
        reply_by=_date(facts.get("reply_by")),
    )


def stored_to_detection(row: StoredDetection) -> Detection:
    return facts_to_detection(row.kind, row.confidence, row.facts, row.model_version)


def save_detection(
    session: Session, message: StoredMessage, detection: Detection, analysed_at: datetime
) -> StoredDetection:
    """Store (or replace) the detection of one message."""
    row = message.detection
    if row is None:
        row = StoredDetection(message_id=message.id)
        message.detection = row
    row.kind = detection.kind.value
    row.confidence = detection.confidence
    row.facts = detection_to_facts(detection)
    row.model_version = detection.model_version
    row.analysed_at = analysed_at
    session.add(row)
    return row
