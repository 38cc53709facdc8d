"""The values nlp takes and returns: an email to read, and what was detected in it.

nlp is a leaf library: these types are its public contract and it imports
nothing from ``watcher``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Kind(StrEnum):
    """What a message is, from the job seeker's point of view (DESIGN, detection contract)."""

    APPLICATION_ACK = "application_ack"
    INTERVIEW_INVITATION = "interview_invitation"
    INTERVIEW_CONFIRMATION = "interview_confirmation"
    FEEDBACK_PROMISE = "feedback_promise"
    REJECTION = "rejection"
    OFFER = "offer"
    RECRUITER_REPLY = "recruiter_reply"
    NOT_JOB = "not_job"


@dataclass(frozen=True)
class Email:
    """The parts of a message the detector reads.

    ``text`` is the new text of the message (quoted history and signature removed
    where possible); ``full_text`` is the whole decoded body, for signatures.
    ``sent_at`` is the message's Date header as an aware datetime: every relative
    date in the text is resolved against it.
    """

    subject: str
    text: str
    sent_at: datetime
    sender_name: str = ""
    sender_email: str = ""
    full_text: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names


@dataclass(frozen=True)
class Evidence:
    """A phrase that decided part of a detection, and what it decided."""

    label: str
    text: str


@dataclass(frozen=True)
class Detection:
    """What the detector read out of one message (DESIGN, detection contract).

    ``interview_at`` is aware (in the zone the mail names, else the Date header's
    offset); ``interview_has_time`` is false when only a date was written, and
    then the time part is 12:00 by convention. ``interview_tz`` names the zone or
    offset as found ("Europe/London", "+02:00").
    """

    kind: Kind
    confidence: float
    interview_at: datetime | None = None
    interview_has_time: bool = False
    interview_tz: str | None = None
    feedback_by: date | None = None
    no_followup: bool = False
    auto_reply: bool = False
    away_until: date | None = None
    company: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    evidence: tuple[Evidence, ...] = ()
    model_version: str = ""
    reply_by: date | None = None  # an offer's stated decision date ("let us know by ...")

    def interview_at_text(self) -> str | None:
        """``YYYY-MM-DDTHH:MM`` (or ``YYYY-MM-DD`` without a time), local as written."""
        if self.interview_at is None:
            return None
        if self.interview_has_time:
            return self.interview_at.strftime("%Y-%m-%dT%H:%M")
        return self.interview_at.date().isoformat()
