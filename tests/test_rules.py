"""The follow-up rules as a table: one row per situation, with an explicit `now`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nlp.types import Detection, Evidence, Kind
from watcher.config import PolicySettings
from watcher.domain import (
    Action,
    Decision,
    Direction,
    LeadFacts,
    LeadStatus,
    LeadTimeline,
    TimelineEvent,
)
from watcher.rules import decide
from watcher.workdays import Workdays, public_holidays

NY = ZoneInfo("America/New_York")
EST = timezone(timedelta(hours=-5))  # a Date header's offset, not a named zone
_ids = itertools.count(1)

# March 2026: Mon 2, Fri 6, Mon 9, Fri 13, Mon 16, Fri 20, Mon 23, Fri 27, Mon 30.


def t(text: str) -> datetime:
    """A local New York moment, '2026-03-09 15:00' (or a date: 00:00)."""
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def d(text: str) -> date:
    return date.fromisoformat(text)


def inbound(when: str, kind: Kind, *, phrase: str | None = None, **facts: Any) -> TimelineEvent:
    """A message from the hiring side; interview_at given as '2026-03-09 15:00' text."""
    interview = facts.pop("interview_at", None)
    if isinstance(interview, str):
        facts["interview_has_time"] = " " in interview
        facts["interview_at"] = t(interview if " " in interview else interview + " 12:00")
    elif interview is not None:
        facts["interview_at"] = interview
    for name in ("feedback_by", "away_until", "reply_by"):
        if isinstance(facts.get(name), str):
            facts[name] = d(facts[name])
    evidence = (Evidence("feedback", phrase),) if phrase else ()
    detection = Detection(kind=kind, confidence=0.9, evidence=evidence, **facts)
    number = next(_ids)
    return TimelineEvent(f"m{number}@x", t(when), Direction.INBOUND, detection, key=f"k{number}")


def ooo(when: str, away_until: str | None = None) -> TimelineEvent:
    return inbound(when, Kind.RECRUITER_REPLY, auto_reply=True, away_until=away_until)


def sent(when: str) -> TimelineEvent:
    number = next(_ids)
    return TimelineEvent(f"u{number}@me", t(when), Direction.OUTBOUND, None, key=f"k{number}")


def confirmed(when: str, interview: str) -> TimelineEvent:
    return inbound(when, Kind.INTERVIEW_CONFIRMATION, interview_at=interview)


def promise(when: str, by: str | None, **facts: Any) -> TimelineEvent:
    return inbound(when, Kind.FEEDBACK_PROMISE, feedback_by=by, **facts)


def lead(*events: TimelineEvent, **overrides: Any) -> LeadTimeline:
    return LeadTimeline(7, "Acme", tuple(events), LeadFacts(**overrides))


def calendar(policy: PolicySettings) -> Workdays:
    return Workdays.from_policy(policy, NY)


def run(timeline: LeadTimeline, now: str, **policy: Any) -> Decision:
    settings = PolicySettings(**policy)
    return decide(timeline, settings, calendar(settings), t(now))


@dataclass(frozen=True)
class Row:
    timeline: LeadTimeline
    now: str
    action: Action
    due: str | None
    status: LeadStatus | None = None
    policy: dict[str, Any] = field(default_factory=dict)
    says: str | None = None  # a phrase the reason must contain
    source: str | None = None  # the message the final step must name


# Interviews used below: Mon 2026-03-09 15:00 and Fri 2026-03-06 15:00.
MON = confirmed("2026-03-05 10:00", "2026-03-09 15:00")
INVITATION = inbound("2026-03-10 10:00", Kind.INTERVIEW_INVITATION)
# Issue 13: "Thursday, November 12 at 3:30 PM" in a mail whose Date is -0500.
AT_1530_EST = inbound(
    "2026-11-10 10:00",
    Kind.INTERVIEW_CONFIRMATION,
    interview_at=datetime(2026, 11, 12, 15, 30, tzinfo=EST),
    interview_has_time=True,
)
FRI = confirmed("2026-03-02 10:00", "2026-03-06 15:00")

ROWS: dict[str, Row] = {
    # before the interview, thank-you, timely follow-up
    "before-interview-waits-until-the-day": Row(
        lead(MON), "2026-03-09 09:00", Action.WAIT, "2026-03-09", LeadStatus.INTERVIEWING
    ),
    "interview-passed-suggests-thank-you": Row(
        lead(MON), "2026-03-09 15:00", Action.THANK, "2026-03-10", LeadStatus.INTERVIEWING
    ),
    "thank-you-until-end-of-next-business-day": Row(
        lead(MON), "2026-03-10 23:59", Action.THANK, "2026-03-10"
    ),
    "friday-interview-thank-you-due-monday": Row(
        lead(FRI), "2026-03-07 10:00", Action.THANK, "2026-03-09"
    ),
    "no-thank-you-when-user-already-wrote": Row(
        lead(MON, sent("2026-03-09 17:00")), "2026-03-09 18:00", Action.WAIT, "2026-03-11"
    ),
    "thank-you-off-by-policy-waits": Row(
        lead(MON), "2026-03-09 16:00", Action.WAIT, "2026-03-11", policy={"thank_you": False}
    ),
    "nudge-window-opens-two-business-days-after": Row(
        lead(MON), "2026-03-11 00:00", Action.NUDGE, "2026-03-12"
    ),
    "nudge-window-skips-the-weekend": Row(
        lead(FRI), "2026-03-10 08:00", Action.NUDGE, "2026-03-11"
    ),
    "nudge-stays-due-when-overdue": Row(
        lead(MON, sent("2026-03-09 17:00")), "2026-03-20 08:00", Action.NUDGE, "2026-03-12"
    ),
    "thank-you-note-is-not-a-follow-up": Row(
        lead(MON, sent("2026-03-10 09:00")), "2026-03-11 09:00", Action.NUDGE, "2026-03-12"
    ),
    "calendar-days-variant": Row(
        lead(FRI), "2026-03-08 10:00", Action.NUDGE, "2026-03-09", policy={"business_days": False}
    ),
    "calendar-days-thank-you-due-saturday": Row(
        lead(FRI), "2026-03-07 10:00", Action.THANK, "2026-03-07", policy={"business_days": False}
    ),
    "date-only-interview-counts-from-noon": Row(
        lead(confirmed("2026-03-02 10:00", "2026-03-09")),
        "2026-03-09 11:59",
        Action.WAIT,
        "2026-03-09",
    ),
    "date-only-interview-past-at-noon": Row(
        lead(confirmed("2026-03-02 10:00", "2026-03-09")),
        "2026-03-09 12:00",
        Action.THANK,
        "2026-03-10",
    ),
    # promised date
    "promised-friday-waits-through-monday-grace": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-10 11:00", "2026-03-13")),
        "2026-03-16 18:00",
        Action.WAIT,
        "2026-03-17",
    ),
    "promised-friday-nudge-opens-tuesday": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-10 11:00", "2026-03-13")),
        "2026-03-17 00:00",
        Action.NUDGE,
        "2026-03-17",
    ),
    "promised-date-beats-the-usual-window": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-10 11:00", "2026-03-13")),
        "2026-03-12 09:00",
        Action.WAIT,
        "2026-03-17",
    ),
    "promise-without-a-date-counts-from-its-message": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-12 11:00", None)),
        "2026-03-13 09:00",
        Action.WAIT,
        "2026-03-16",
    ),
    "promise-without-a-date-nudge-two-days-later": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-12 11:00", None)),
        "2026-03-16 09:00",
        Action.NUDGE,
        "2026-03-17",
    ),
    "later-dateless-reply-keeps-the-promise-floor": Row(
        lead(
            MON,
            sent("2026-03-09 18:00"),
            promise("2026-03-10 11:00", "2026-03-20"),
            inbound("2026-03-11 11:00", Kind.RECRUITER_REPLY),
        ),
        "2026-03-16 09:00",
        Action.WAIT,
        "2026-03-24",
    ),
    "user-set-feedback-date-wins": Row(
        lead(MON, sent("2026-03-09 18:00"), feedback_by=d("2026-03-20")),
        "2026-03-23 09:00",
        Action.WAIT,
        "2026-03-24",
    ),
    "promise-without-interview-still-applies": Row(
        lead(promise("2026-03-10 11:00", "2026-03-13")),
        "2026-03-17 09:00",
        Action.NUDGE,
        "2026-03-17",
        LeadStatus.INTERVIEWING,
    ),
    # a reply resets
    "reply-after-first-nudge-with-new-date-starts-over": Row(
        lead(
            MON,
            sent("2026-03-09 18:00"),
            sent("2026-03-12 09:00"),
            promise("2026-03-12 15:00", "2026-03-20"),
        ),
        "2026-03-24 09:00",
        Action.NUDGE,
        "2026-03-24",
    ),
    "reply-after-last-allowed-nudge-revives-the-lead": Row(
        lead(
            MON,
            sent("2026-03-09 18:00"),
            sent("2026-03-12 09:00"),
            sent("2026-03-23 09:00"),
            inbound("2026-04-01 10:00", Kind.RECRUITER_REPLY),
        ),
        "2026-04-06 09:00",
        Action.NUDGE,
        "2026-04-06",
    ),
    # not too often, move on
    "own-follow-up-from-sent-counts": Row(
        lead(MON, sent("2026-03-09 18:00"), sent("2026-03-11 09:00")),
        "2026-03-12 09:00",
        Action.WAIT,
        "2026-03-20",
    ),
    "second-nudge-opens-after-min-gap": Row(
        lead(MON, sent("2026-03-09 18:00"), sent("2026-03-11 09:00")),
        "2026-03-20 09:00",
        Action.NUDGE,
        "2026-03-20",
    ),
    "min-gap-in-calendar-days": Row(
        lead(MON, sent("2026-03-09 18:00"), sent("2026-03-11 09:00")),
        "2026-03-18 00:00",
        Action.NUDGE,
        "2026-03-18",
        policy={"business_days": False},
    ),
    "third-nudge-never-suggested": Row(
        lead(MON, sent("2026-03-09 18:00"), sent("2026-03-11 09:00"), sent("2026-03-20 09:00")),
        "2026-03-25 09:00",
        Action.WAIT,
        "2026-03-31",
    ),
    "dead-give-up-days-after-last-allowed-nudge": Row(
        lead(MON, sent("2026-03-09 18:00"), sent("2026-03-11 09:00"), sent("2026-03-20 09:00")),
        "2026-03-31 00:00",
        Action.DEAD,
        None,
        LeadStatus.DEAD,
    ),
    "early-own-follow-up-defers-window": Row(
        # The first message after the thank-you window is a follow-up even if early.
        lead(FRI, sent("2026-03-10 07:00")),
        "2026-03-12 09:00",
        Action.WAIT,
        "2026-03-19",
    ),
    # no follow-ups
    "no-followup-waits-instead-of-nudging": Row(
        lead(MON, sent("2026-03-09 18:00"), promise("2026-03-10 11:00", None, no_followup=True)),
        "2026-03-16 09:00",
        Action.WAIT,
        "2026-03-23",
    ),
    "no-followup-with-promise-waits-until-give-up": Row(
        lead(
            confirmed("2026-03-04 15:00", "2026-03-10 10:00"),
            promise("2026-03-10 16:05", "2026-03-24", no_followup=True),
        ),
        "2026-04-03 09:00",
        Action.WAIT,
        "2026-04-06",
    ),
    "no-followup-with-promise-dead-after-give-up": Row(
        lead(
            confirmed("2026-03-04 15:00", "2026-03-10 10:00"),
            promise("2026-03-10 16:05", "2026-03-24", no_followup=True),
        ),
        "2026-04-06 00:00",
        Action.DEAD,
        None,
        LeadStatus.DEAD,
    ),
    "no-followup-still-allows-thank-you": Row(
        lead(
            confirmed("2026-03-04 15:00", "2026-03-10 10:00"),
            promise("2026-03-10 16:05", "2026-03-24", no_followup=True),
        ),
        "2026-03-11 09:00",
        Action.THANK,
        "2026-03-11",
    ),
    "user-lifts-no-followup": Row(
        lead(
            MON,
            sent("2026-03-09 18:00"),
            promise("2026-03-10 11:00", None, no_followup=True),
            no_followup=False,
        ),
        "2026-03-16 09:00",
        Action.NUDGE,
        "2026-03-13",
    ),
    # away
    # A nudge waits until AFTER the stated return date: the first business day after it
    # (these rows said "on the return day" before; DESIGN "away" says after it).
    "out-of-office-pushes-the-nudge": Row(
        lead(MON, sent("2026-03-09 17:00"), ooo("2026-03-09 17:01", "2026-03-18")),
        "2026-03-12 09:00",
        Action.WAIT,
        "2026-03-19",
    ),
    "out-of-office-return-day-still-waits": Row(
        lead(MON, sent("2026-03-09 17:00"), ooo("2026-03-09 17:01", "2026-03-18")),
        "2026-03-18 00:00",
        Action.WAIT,
        "2026-03-19",
    ),
    "out-of-office-nudge-the-day-after-return": Row(
        lead(MON, sent("2026-03-09 17:00"), ooo("2026-03-09 17:01", "2026-03-18")),
        "2026-03-19 00:00",
        Action.NUDGE,
        "2026-03-19",
    ),
    "out-of-office-back-friday-nudge-opens-monday": Row(
        # Issue 13: "out of the office until Friday, November 20" -> not before Mon 11-23.
        lead(
            confirmed("2026-11-05 14:00", "2026-11-09 11:00"),
            sent("2026-11-09 17:00"),
            ooo("2026-11-09 17:01", "2026-11-20"),
        ),
        "2026-11-20 09:00",
        Action.WAIT,
        "2026-11-23",
        says="not before Mon 2026-11-23",
    ),
    "out-of-office-back-friday-nudge-on-monday": Row(
        lead(
            confirmed("2026-11-05 14:00", "2026-11-09 11:00"),
            sent("2026-11-09 17:00"),
            ooo("2026-11-09 17:01", "2026-11-20"),
        ),
        "2026-11-23 00:00",
        Action.NUDGE,
        "2026-11-23",
    ),
    "out-of-office-resets-nothing": Row(
        lead(
            MON,
            sent("2026-03-09 17:00"),
            sent("2026-03-12 09:00"),
            ooo("2026-03-12 09:01"),
            sent("2026-03-23 09:00"),
        ),
        "2026-04-01 00:00",
        Action.DEAD,
        None,
    ),
    "out-of-office-return-on-weekend-opens-monday": Row(
        lead(MON, sent("2026-03-09 17:00"), ooo("2026-03-09 17:01", "2026-03-14")),
        "2026-03-14 09:00",
        Action.WAIT,
        "2026-03-16",
    ),
    # An interview time written without a zone is in the sender's zone (the Date's -05:00):
    # at noon New York time on the day, a 15:30-05:00 interview is still ahead.
    "zone-less-interview-time-still-ahead-at-noon": Row(
        lead(AT_1530_EST),
        "2026-11-12 12:00",
        Action.WAIT,
        "2026-11-12",
        says="at 15:30",
    ),
    "zone-less-interview-time-thank-after-it": Row(
        lead(AT_1530_EST),
        "2026-11-12 16:00",
        Action.THANK,
        "2026-11-13",
    ),
    # outcomes
    "unanswered-invitation-responds-next-business-day": Row(
        lead(inbound("2026-03-06 16:00", Kind.INTERVIEW_INVITATION)),
        "2026-03-07 09:00",
        Action.RESPOND,
        "2026-03-09",
        LeadStatus.INTERVIEWING,
    ),
    "answered-invitation-without-time-is-none": Row(
        lead(inbound("2026-03-06 16:00", Kind.INTERVIEW_INVITATION), sent("2026-03-06 18:00")),
        "2026-03-10 09:00",
        Action.NONE,
        None,
        LeadStatus.INTERVIEWING,
        says="You answered their invitation on Fri 2026-03-06; nothing to do until Acme writes",
    ),
    "acknowledged-application-says-so": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK)),
        "2026-03-04 09:00",
        Action.NONE,
        None,
        LeadStatus.APPLIED,
        says="They acknowledged your application on Mon 2026-03-02; nothing to do",
    ),
    "respond-to-the-invitation-not-a-later-reply": Row(
        # The take-home the same day needs no answer; the invitation does (the trace names it).
        lead(INVITATION, inbound("2026-03-10 14:00", Kind.RECRUITER_REPLY)),
        "2026-03-10 15:00",
        Action.RESPOND,
        "2026-03-11",
        LeadStatus.INTERVIEWING,
        source=INVITATION.message_id,
    ),
    "offer-with-a-decision-date-shows-it": Row(
        lead(inbound("2026-11-13 16:00", Kind.OFFER, reply_by="2026-11-20")),
        "2026-11-13 17:00",
        Action.RESPOND,
        "2026-11-16",
        LeadStatus.OFFER,
        says="They asked for your decision by Fri 2026-11-20.",
    ),
    "invitation-answered-by-confirmation": Row(
        lead(inbound("2026-03-02 16:00", Kind.INTERVIEW_INVITATION), MON),
        "2026-03-06 09:00",
        Action.WAIT,
        "2026-03-09",
    ),
    "accepted-proposed-time-is-the-interview": Row(
        lead(
            inbound("2026-03-02 16:00", Kind.INTERVIEW_INVITATION, interview_at="2026-03-09 15:00"),
            sent("2026-03-02 17:00"),
        ),
        "2026-03-09 16:00",
        Action.THANK,
        "2026-03-10",
    ),
    "respond-beats-waiting-for-the-interview": Row(
        lead(MON, inbound("2026-03-06 09:00", Kind.INTERVIEW_INVITATION)),
        "2026-03-06 10:00",
        Action.RESPOND,
        "2026-03-09",
    ),
    "unanswered-offer-responds": Row(
        lead(MON, sent("2026-03-09 17:00"), inbound("2026-03-16 10:00", Kind.OFFER)),
        "2026-03-16 12:00",
        Action.RESPOND,
        "2026-03-17",
        LeadStatus.OFFER,
    ),
    "answered-offer-closes": Row(
        lead(MON, inbound("2026-03-16 10:00", Kind.OFFER), sent("2026-03-16 11:00")),
        "2026-03-16 12:00",
        Action.NONE,
        None,
        LeadStatus.OFFER,
    ),
    "rejection-closes": Row(
        lead(MON, inbound("2026-03-12 10:00", Kind.REJECTION)),
        "2026-03-12 11:00",
        Action.NONE,
        None,
        LeadStatus.REJECTED,
    ),
    "rejection-beats-unanswered-invitation": Row(
        lead(
            inbound("2026-03-02 16:00", Kind.INTERVIEW_INVITATION),
            inbound("2026-03-03 16:00", Kind.REJECTION),
        ),
        "2026-03-04 09:00",
        Action.NONE,
        None,
        LeadStatus.REJECTED,
    ),
    "invitation-after-rejection-reopens": Row(
        lead(
            inbound("2026-03-03 16:00", Kind.REJECTION),
            inbound("2026-03-10 16:00", Kind.INTERVIEW_INVITATION),
        ),
        "2026-03-11 09:00",
        Action.RESPOND,
        "2026-03-11",
    ),
    "future-rejection-not-yet-known": Row(
        lead(MON, inbound("2026-03-20 10:00", Kind.REJECTION)),
        "2026-03-12 11:00",
        Action.NUDGE,
        "2026-03-12",
    ),
    # applications
    "application-ack-is-none": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK)),
        "2026-03-20 09:00",
        Action.NONE,
        None,
        LeadStatus.APPLIED,
    ),
    "stale-application-dead-after-thirty-business-days": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK)),
        "2026-04-13 00:00",
        Action.DEAD,
        None,
        LeadStatus.DEAD,
    ),
    "stale-application-day-before": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK)),
        "2026-04-12 23:59",
        Action.NONE,
        None,
    ),
    "stale-application-calendar-days": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK)),
        "2026-04-01 00:00",
        Action.DEAD,
        None,
        policy={"business_days": False},
    ),
    "user-message-keeps-application-fresh": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK), sent("2026-03-20 09:00")),
        "2026-04-13 09:00",
        Action.NONE,
        None,
    ),
    # user overrides
    "user-marks-dead": Row(
        lead(MON, status=LeadStatus.DEAD), "2026-03-09 09:00", Action.DEAD, None, LeadStatus.DEAD
    ),
    "user-marks-ignored": Row(
        lead(MON, status=LeadStatus.IGNORED),
        "2026-03-09 09:00",
        Action.NONE,
        None,
        LeadStatus.IGNORED,
    ),
    "user-marks-active-over-rejection": Row(
        # The misread rejection still counts as their latest message.
        lead(MON, inbound("2026-03-12 10:00", Kind.REJECTION), status=LeadStatus.ACTIVE),
        "2026-03-12 11:00",
        Action.WAIT,
        "2026-03-16",
        LeadStatus.ACTIVE,
    ),
    "user-marks-active-keeps-it-from-dying": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK), status=LeadStatus.ACTIVE),
        "2026-05-01 09:00",
        Action.WAIT,
        None,
        LeadStatus.ACTIVE,
    ),
    "user-sets-interview-time": Row(
        lead(inbound("2026-03-02 19:45", Kind.APPLICATION_ACK), interview_at=t("2026-03-09 15:00")),
        "2026-03-09 16:00",
        Action.THANK,
        "2026-03-10",
    ),
    "user-moves-interview-later": Row(
        lead(MON, interview_at=t("2026-03-16 10:00")),
        "2026-03-12 09:00",
        Action.WAIT,
        "2026-03-16",
    ),
    "max-nudges-zero-dies-after-window": Row(
        lead(MON, sent("2026-03-09 17:00")),
        "2026-03-20 00:00",
        Action.DEAD,
        None,
        policy={"max_nudges": 0},
    ),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_decide(row: Row) -> None:
    decision = run(row.timeline, row.now, **row.policy)
    got = (decision.action, decision.due.isoformat() if decision.due else None)
    assert got == (row.action, row.due), decision.reason
    if row.status is not None:
        assert decision.status is row.status
    assert decision.reason
    assert decision.trace[-1].detail == decision.reason
    if row.says is not None:
        assert row.says in decision.reason
    if row.source is not None:
        assert decision.trace[-1].message_id == row.source


# Thanksgiving, Thu 2026-11-26, is off in the US calendar; the interview is Wed 11-25.
THANKSGIVING = confirmed("2026-11-20 10:00", "2026-11-25 10:00")
HOLIDAY_ROWS: dict[str, Row] = {
    "thank-you-due-after-thanksgiving": Row(
        lead(THANKSGIVING), "2026-11-26 10:00", Action.THANK, "2026-11-27"
    ),
    "wait-over-thanksgiving-weekend": Row(
        lead(THANKSGIVING, sent("2026-11-25 18:00")), "2026-11-28 10:00", Action.WAIT, "2026-11-30"
    ),
    "nudge-window-skips-thanksgiving": Row(
        lead(THANKSGIVING, sent("2026-11-25 18:00")), "2026-11-30 00:00", Action.NUDGE, "2026-12-01"
    ),
    "holidays-ignored-in-calendar-days": Row(
        lead(THANKSGIVING, sent("2026-11-25 18:00")),
        "2026-11-27 00:00",
        Action.NUDGE,
        "2026-11-28",
        policy={"business_days": False},
    ),
}


@pytest.mark.parametrize("row", HOLIDAY_ROWS.values(), ids=HOLIDAY_ROWS.keys())
def test_decide_with_public_holidays(row: Row) -> None:
    decision = run(row.timeline, row.now, **{"holidays_country": "US", **row.policy})
    got = (decision.action, decision.due.isoformat() if decision.due else None)
    assert got == (row.action, row.due), decision.reason


def test_calendar_friday_plus_one_business_day_is_monday() -> None:
    days = Workdays(NY)
    assert days.add(d("2026-03-13"), 1) == d("2026-03-16")
    assert days.add(d("2026-03-14"), 2) == d("2026-03-17")
    assert days.next_workday(d("2026-03-13")) == d("2026-03-16")
    assert days.add(d("2026-03-13"), 0) == d("2026-03-13")


def test_public_holidays_knows_a_subdivision() -> None:
    assert d("2026-03-31") in public_holidays("US-CA")  # César Chávez Day


def test_trace_names_the_promise_message_and_phrase() -> None:
    said = promise("2026-03-10 11:00", "2026-03-13", phrase="by Friday")
    decision = run(lead(MON, sent("2026-03-09 18:00"), said), "2026-03-16 09:00")
    step = next(s for s in decision.trace if s.dates.get("feedback_by") == "2026-03-13")
    assert (step.message_id, step.phrase, step.from_user) == (said.message_id, "by Friday", False)
    assert "2026-03-13" in decision.reason
    assert "2026-03-17" in decision.reason


def test_trace_marks_facts_from_the_user() -> None:
    decision = run(lead(MON, feedback_by=d("2026-03-20")), "2026-03-16 09:00")
    assert any(s.from_user and s.dates.get("feedback_by") == "2026-03-20" for s in decision.trace)


def test_action_changes_at_local_midnight() -> None:
    timeline = lead(MON, sent("2026-03-09 17:00"))
    assert run(timeline, "2026-03-10 23:59").action is Action.WAIT
    assert run(timeline, "2026-03-11 00:00").action is Action.NUDGE
    # 00:30 in New York is still the 10th there, though already the 11th in UTC.
    utc = datetime.fromisoformat("2026-03-11T03:59:00+00:00")
    settings = PolicySettings()
    assert decide(timeline, settings, calendar(settings), utc).action is Action.WAIT
