"""Frozen values shared by the parts of the watcher: messages, leads, decisions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from nlp.types import Detection, Kind

__all__ = [
    "Action",
    "Address",
    "Decision",
    "Detection",
    "Direction",
    "FetchedMessage",
    "Kind",
    "LeadFacts",
    "LeadStatus",
    "LeadTimeline",
    "Message",
    "TimelineEvent",
    "TraceStep",
]


_SPECIALS = re.compile(r'[][\\()<>@,:;".]')


class Direction(StrEnum):
    """Whether a message came to the user or was written by the user."""

    INBOUND = "in"
    OUTBOUND = "out"


class Action(StrEnum):
    """What the user should do about a lead now (DESIGN, the follow-up rules)."""

    RESPOND = "respond"
    THANK = "thank"
    NUDGE = "nudge"
    WAIT = "wait"
    DEAD = "dead"
    NONE = "none"


class LeadStatus(StrEnum):
    """Where a hiring process stands; the last five can be set with `followup mark`."""

    APPLIED = "applied"
    INTERVIEWING = "interviewing"
    ACTIVE = "active"
    OFFER = "offer"
    REJECTED = "rejected"
    DEAD = "dead"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Address:
    """A display name and an e-mail address (lower-cased)."""

    name: str
    email: str

    def __str__(self) -> str:
        if not self.name:
            return self.email
        # RFC 5322: a name with specials is quoted, so that "Acme <x@evil.example>, Acme"
        # reads (and pastes) as one name of one recipient
        name = self.name
        if _SPECIALS.search(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} <{self.email}>"


@dataclass(frozen=True)
class FetchedMessage:
    """Raw bytes of one message as a source delivered them."""

    uid: int
    raw: bytes
    internal_date: datetime | None = None
    size: int | None = None
    # Why the source could not deliver it (the server refused the FETCH): stored as failed
    error: str | None = None


@dataclass(frozen=True)
class Message:
    """One parsed e-mail.

    ``text`` is the whole decoded body as text (HTML converted); ``new_text`` is
    what this message added, without quoted history or signature.
    """

    message_id: str
    subject: str
    sender: Address | None
    recipients: tuple[Address, ...]
    sent_at: datetime
    text: str
    new_text: str
    direction: Direction
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    bulk: bool = False


@dataclass(frozen=True)
class TimelineEvent:
    """One message of a lead as the rules see it."""

    message_id: str
    at: datetime
    direction: Direction
    detection: Detection | None  # None for the user's own messages
    subject: str = ""
    key: str = ""  # the stored message_key (what `followup relabel` names)

    @property
    def kind(self) -> Kind | None:
        return self.detection.kind if self.detection else None


@dataclass(frozen=True)
class LeadFacts:
    """Facts the user set with the CLI; each one beats what was detected."""

    feedback_by: date | None = None
    interview_at: datetime | None = None
    no_followup: bool | None = None
    status: LeadStatus | None = None
    contact: str | None = None


@dataclass(frozen=True)
class LeadTimeline:
    """A lead with its messages in time order and the user's overrides."""

    lead_id: int
    company: str
    events: tuple[TimelineEvent, ...]
    overrides: LeadFacts = field(default_factory=LeadFacts)
    contact: str | None = None


@dataclass(frozen=True)
class TraceStep:
    """One step of the reasoning behind a decision."""

    rule: str
    detail: str
    dates: Mapping[str, str] = field(default_factory=dict)
    message_id: str | None = None
    phrase: str | None = None
    from_user: bool = False


@dataclass(frozen=True)
class Decision:
    """What to do about a lead as of one moment, and why."""

    lead_id: int
    status: LeadStatus
    action: Action
    due: date | None
    reason: str
    trace: tuple[TraceStep, ...] = ()
