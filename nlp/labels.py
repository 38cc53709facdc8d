"""What a labelled email should give: the corpus ``label`` object, read and checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from nlp.types import Kind


@dataclass(frozen=True)
class Label:
    """What a labelled email should give (the corpus ``label`` object)."""

    kind: Kind
    interview_at: str | None = None
    feedback_by: date | None = None
    no_followup: bool = False
    auto_reply: bool = False
    away_until: date | None = None
    company: str | None = None


def _optional_date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not YYYY-MM-DD") from None


def parse_label(data: Mapping[str, Any]) -> Label:
    """A corpus label object -> Label; ValueError says what is wrong."""
    try:
        kind = Kind(str(data.get("kind")))
    except ValueError:
        raise ValueError(f"kind {data.get('kind')!r} is not one of the 8 kinds") from None
    interview_at = data.get("interview_at")
    if interview_at not in (None, ""):
        text = str(interview_at)
        if len(text) not in (10, 16):
            raise ValueError(f"interview_at {text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        interview_at = text
    else:
        interview_at = None
    return Label(
        kind=kind,
        interview_at=interview_at,
        feedback_by=_optional_date(data.get("feedback_by"), "feedback_by"),
        no_followup=bool(data.get("no_followup", False)),
        auto_reply=bool(data.get("auto_reply", False)),
        away_until=_optional_date(data.get("away_until"), "away_until"),
        company=data.get("company") or None,
    )
