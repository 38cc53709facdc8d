"""Pure: a lead's timeline, the policy and a moment -> what to do and why (DESIGN, the rules).

``decide`` reads no clock, file or database. It implements the rule table and the
eleven precise semantics of DESIGN.md; where those leave a choice open, this is
the one made here:

Time and days
- Only messages with ``at <= now`` exist: deciding "as of" a past moment ignores
  mail that had not arrived yet. Overrides have no time and always apply.
- Every day count (first_nudge_days, nudge_due_days, grace_days, min_gap_days,
  give_up_days and stale_days too) uses the calendar (business days, public
  holidays when policy.holidays_country is set); with business_days = false every
  day is a working day, so "the next business day" is the next day. Adding N
  working days to a Saturday counts from the Monday (Sat + 2 = Tue).
- A date-only interview is 12:00 in the user's zone on the date as written.

Which facts count
- Out-of-office: an inbound ``recruiter_reply`` with ``auto_reply``. It only
  contributes ``away_until``. Automated mail of any other kind (an ATS rejection,
  a calendar confirmation, an application acknowledgement) counts for its kind.
- The interview is the user's override, else the latest message carrying an
  ``interview_at`` that is an ``interview_confirmation`` or an
  ``interview_invitation`` the user answered (its proposed time was accepted).
  A confirmation without a time gives no interview: set it with `followup set`.
- The promised date is the override, else the latest recruiter message carrying
  ``feedback_by``. It drives rule 8 when it is the override or it came in the
  latest recruiter message and is not before the interview's date; an older
  promise stays a floor: a later message without a date (rule 7's base) never
  makes the nudge open before the promise plus grace.
- ``no_followup`` from any recruiter message holds until overridden.
- ``away_until`` is that of the latest inbound message stating one; the nudge
  waits until after it: it opens no earlier than the first working day after that
  date ("out of the office until Friday, November 20" -> Monday the 23rd).
- Interview times are aware: a time the mail wrote without a zone is in the
  offset of its Date header (the store keeps it so); the rules compare moments.
- A rejection closes the lead unless a later invitation or confirmation reopens
  it; an offer answered by any later user message closes it (status ``offer``).

Due dates
- respond: the next business day after the invitation or offer arrived (a prompt
  answer, even to an offer); an offer's stated decision date ("let us know by
  Friday, November 20", ``reply_by``) is named in the reason and as ``decide_by``,
  and does not move the due day. The trace's last step names the message to answer.
- wait: the day the action next changes (the interview day, the day the nudge
  opens, or the day the lead will be let go); thank: the next business day after
  the interview; nudge: the window's due day (first nudge: nudge_due_days after
  the base; rule 8 and later nudges: the opening day itself).
- none and dead carry no due date; the reason names the dates.

Whom to write (``addressee``, the contact ``leads``, ``why`` and the digest show)
- The user's contact override; for ``respond`` whoever wrote the invitation or
  offer that needs the answer (a person, not a no-reply sender), in its thread;
  else the lead's contact once they had written by ``now``, else the latest person
  who had. Someone whose first mail is after ``now`` does not exist yet.

Nudges
- A later nudge opens min_gap_days after the latest follow-up and never before
  the first window; its due day is its opening day.
- After max_nudges follow-ups (or more, sent by the user anyway) the lead is
  dead give_up_days after the latest one; with max_nudges = 0 after the day the
  first nudge would have opened. Without follow-ups a due nudge stays due.
- The thank-you exception (rule 4) applies whether or not policy.thank_you is on.

Leads with no interview, no promise and no feedback_promise message are "an
application" (rule 10): ``none``, then ``dead`` stale_days after the latest
message in either direction. Their reason says where the lead stands ("You
answered their invitation on ...", "They acknowledged your application on ..."),
since the digest shows every open lead by that line. User overrides of status:
dead -> dead; ignored, rejected, offer -> none; active (or applied/interviewing) ignores a detected
rejection or offer and never lets the rules declare the lead dead (``wait``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time

from nlp.types import Detection, Kind
from watcher.config import PolicySettings
from watcher.domain import (
    Action,
    Decision,
    Direction,
    LeadStatus,
    LeadTimeline,
    TimelineEvent,
    TraceStep,
)
from watcher.leads import is_generic_sender
from watcher.workdays import Workdays

__all__ = ["LeadView", "Source", "Writer", "addressee", "decide", "read_timeline"]

_REOPENED = frozenset({LeadStatus.ACTIVE, LeadStatus.APPLIED, LeadStatus.INTERVIEWING})
_CLOSING_MARKS = {
    LeadStatus.DEAD: (Action.DEAD, "You marked this lead dead."),
    LeadStatus.IGNORED: (Action.NONE, "You marked this lead ignored."),
    LeadStatus.REJECTED: (Action.NONE, "You marked this lead rejected."),
    LeadStatus.OFFER: (Action.NONE, "You marked this lead as an offer."),
}
# Evidence labels are the detector's; these hints pick the phrase behind each fact.
_HINTS = {
    "interview": ("interview_at", "interview"),
    "promise": ("feedback_by", "feedback", "promise"),
    "no_followup": ("no_followup", "follow"),
    "away": ("away_until", "away", "auto_reply"),
    "kind": (),
}


@dataclass(frozen=True)
class Source:
    """Where a fact came from: a message (and the phrase quoted from it), or the user."""

    message_id: str | None = None
    phrase: str | None = None
    from_user: bool = False


USER = Source(from_user=True)


@dataclass(frozen=True)
class LeadView:
    """The timeline as of one moment, read into the facts the rules use."""

    company: str
    now: datetime
    today: date
    user: tuple[TimelineEvent, ...]  # the user's messages, in time order
    recruiter: tuple[TimelineEvent, ...]  # from the hiring side, out-of-office excluded
    interview: datetime | None = None
    interview_source: Source = field(default_factory=Source)
    promise: date | None = None
    promise_source: Source = field(default_factory=Source)
    promise_event: TimelineEvent | None = None
    no_followup: bool = False
    no_followup_source: Source = field(default_factory=Source)
    away: date | None = None
    away_source: Source = field(default_factory=Source)
    status: LeadStatus | None = None  # the user's mark

    @property
    def latest_recruiter(self) -> TimelineEvent | None:
        return self.recruiter[-1] if self.recruiter else None

    def kinds(self) -> set[Kind | None]:
        return {event.kind for event in self.recruiter}


@dataclass(frozen=True)
class _Outcome:
    status: LeadStatus
    action: Action
    due: date | None
    reason: str
    rule: str
    dates: Mapping[str, str] = field(default_factory=dict)
    source: Source = field(default_factory=Source)
    steps: tuple[TraceStep, ...] = ()


# --- reading the timeline ------------------------------------------------------------


def _phrase(detection: Detection | None, fact: str) -> str | None:
    if detection is None or not detection.evidence:
        return None
    for hint in _HINTS[fact]:
        for evidence in detection.evidence:
            if hint in evidence.label.lower():
                return evidence.text
    return detection.evidence[0].text


def _source(event: TimelineEvent, fact: str) -> Source:
    return Source(message_id=event.message_id, phrase=_phrase(event.detection, fact))


def _is_out_of_office(event: TimelineEvent) -> bool:
    detection = event.detection
    return (
        detection is not None
        and detection.auto_reply
        and detection.kind in (Kind.RECRUITER_REPLY, Kind.NOT_JOB)
    )


def _answered(
    invitation: TimelineEvent,
    user: Sequence[TimelineEvent],
    recruiter: Sequence[TimelineEvent],
) -> bool:
    """Rule 2: any later user message, or a later confirmation, answers an invitation."""
    return any(e.at > invitation.at for e in user) or any(
        e.at > invitation.at and e.kind is Kind.INTERVIEW_CONFIRMATION for e in recruiter
    )


def interview_moment(event: TimelineEvent, calendar: Workdays) -> datetime:
    """When the interview ``event`` names starts, as an aware moment."""
    detection = event.detection
    assert detection is not None
    assert detection.interview_at is not None
    if detection.interview_has_time:
        found = detection.interview_at
        # No zone named: it was read in the Date header's offset. When that offset is the
        # user's own at sending, the sender keeps the user's clock, so "10:00" stays 10:00
        # local across a DST change between the mail and the interview.
        named = (detection.interview_tz or "")[:1] not in ("", "+", "-")
        if not named and found.utcoffset() == event.at.astimezone(calendar.zone).utcoffset():
            return found.replace(tzinfo=calendar.zone)
        return found
    # Rule 3: a date without a time counts as 12:00 local.
    return datetime.combine(detection.interview_at.date(), time(12), tzinfo=calendar.zone)


def read_timeline(timeline: LeadTimeline, calendar: Workdays, now: datetime) -> LeadView:
    """The facts of ``timeline`` as of ``now``, each with where it came from."""
    visible = sorted(
        (e for e in timeline.events if e.at <= now), key=lambda e: (e.at, e.key, e.message_id)
    )
    user = tuple(e for e in visible if e.direction is Direction.OUTBOUND)
    inbound = [
        e
        for e in visible
        if e.direction is Direction.INBOUND and (e.kind is not Kind.NOT_JOB or _is_out_of_office(e))
    ]
    recruiter = tuple(e for e in inbound if not _is_out_of_office(e))
    facts = timeline.overrides
    view = LeadView(
        company=timeline.company,
        now=now,
        today=calendar.local_date(now),
        user=user,
        recruiter=recruiter,
        status=facts.status,
    )
    updates: dict[str, object] = {}

    if facts.interview_at is not None:
        updates.update(interview=facts.interview_at, interview_source=USER)
    else:
        for event in reversed(recruiter):
            detection = event.detection
            if detection is None or detection.interview_at is None:
                continue
            if event.kind is Kind.INTERVIEW_CONFIRMATION or (
                event.kind is Kind.INTERVIEW_INVITATION and _answered(event, user, recruiter)
            ):
                updates.update(
                    interview=interview_moment(event, calendar),
                    interview_source=_source(event, "interview"),
                )
                break

    if facts.feedback_by is not None:
        updates.update(promise=facts.feedback_by, promise_source=USER)
    else:
        for event in reversed(recruiter):
            if event.detection is not None and event.detection.feedback_by is not None:
                updates.update(
                    promise=event.detection.feedback_by,
                    promise_source=_source(event, "promise"),
                    promise_event=event,
                )
                break

    if facts.no_followup is not None:
        updates.update(no_followup=facts.no_followup, no_followup_source=USER)
    else:
        for event in recruiter:
            if event.detection is not None and event.detection.no_followup:
                updates.update(no_followup=True, no_followup_source=_source(event, "no_followup"))
                break

    for event in reversed(inbound):
        if event.detection is not None and event.detection.away_until is not None:
            updates.update(away=event.detection.away_until, away_source=_source(event, "away"))
            break

    return replace(view, **updates)  # type: ignore[arg-type]


# --- wording -------------------------------------------------------------------------


def _day(value: date) -> str:
    return f"{value:%a} {value.isoformat()}"


def _days(calendar: Workdays, count: int) -> str:
    unit = "business day" if calendar.business_days else "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _quote(source: Source) -> str:
    return f' ("{source.phrase}")' if source.phrase else ""


def _who(view: LeadView) -> str:
    return view.company or "The company"


# --- the rules, in order of precedence -----------------------------------------------


def _marked(view: LeadView) -> _Outcome | None:
    """Rule 1: the user's mark beats everything."""
    if view.status is None or view.status not in _CLOSING_MARKS:
        return None
    action, reason = _CLOSING_MARKS[view.status]
    return _Outcome(view.status, action, None, reason, "override", source=USER)


def _closed(view: LeadView, calendar: Workdays) -> _Outcome | None:
    """A rejection, or an offer the user answered, closes the lead."""
    if view.status in _REOPENED:
        return None
    outcomes = [e for e in view.recruiter if e.kind in (Kind.REJECTION, Kind.OFFER)]
    if not outcomes:
        return None
    last = outcomes[-1]
    day = calendar.local_date(last.at)
    if last.kind is Kind.REJECTION:
        reopened = any(
            e.at > last.at and e.kind in (Kind.INTERVIEW_INVITATION, Kind.INTERVIEW_CONFIRMATION)
            for e in view.recruiter
        )
        if reopened:
            return None
        return _Outcome(
            LeadStatus.REJECTED,
            Action.NONE,
            None,
            f"{_who(view)} closed the process on {_day(day)}; nothing more to do.",
            "outcomes",
            {"rejected_on": day.isoformat()},
            Source(last.message_id, _phrase(last.detection, "kind")),
        )
    replies = [e for e in view.user if e.at > last.at]
    if not replies:
        return None
    answered = calendar.local_date(replies[0].at)
    return _Outcome(
        LeadStatus.OFFER,
        Action.NONE,
        None,
        f"{_who(view)} made you an offer on {_day(day)} and you answered on {_day(answered)}.",
        "outcomes",
        {"offer_on": day.isoformat(), "answered_on": answered.isoformat()},
        Source(last.message_id),
    )


def _respond(view: LeadView, calendar: Workdays) -> _Outcome | None:
    """Rule 2: an invitation or offer the user has not answered."""
    pending: list[TimelineEvent] = []
    invitations = [e for e in view.recruiter if e.kind is Kind.INTERVIEW_INVITATION]
    if invitations and not _answered(invitations[-1], view.user, view.recruiter):
        pending.append(invitations[-1])
    offers = [e for e in view.recruiter if e.kind is Kind.OFFER]
    if offers and not any(e.at > offers[-1].at for e in view.user):
        pending.append(offers[-1])
    if not pending:
        return None
    event = max(pending, key=lambda e: e.at)
    day = calendar.local_date(event.at)
    due = calendar.next_workday(day)
    dates = {"received_on": day.isoformat(), "due": due.isoformat()}
    decide_by = ""
    if event.kind is Kind.OFFER:
        status, what = LeadStatus.OFFER, "made you an offer"
        asked = event.detection.reply_by if event.detection else None
        if asked is not None:
            dates["decide_by"] = asked.isoformat()
            decide_by = f" They asked for your decision by {_day(asked)}."
    else:
        status, what = LeadStatus.INTERVIEWING, "invited you to interview"
    return _Outcome(
        status,
        Action.RESPOND,
        due,
        f"{_who(view)} {what} on {_day(day)} and you have not answered; "
        f"reply by {_day(due)}.{decide_by}",
        "outcomes",
        dates,
        Source(event.message_id, _phrase(event.detection, "kind")),
    )


def _before_interview(view: LeadView, calendar: Workdays) -> _Outcome | None:
    """An interview that is confirmed and still ahead: wait for it."""
    if view.interview is None or view.now >= view.interview:
        return None
    local = view.interview.astimezone(calendar.zone)
    return _Outcome(
        LeadStatus.INTERVIEWING,
        Action.WAIT,
        local.date(),
        f"Your interview is on {_day(local.date())} at {local:%H:%M}; nothing to do before it.",
        "before-interview",
        {"interview_at": local.isoformat()},
        view.interview_source,
    )


def _thank_deadline(view: LeadView, calendar: Workdays) -> date | None:
    if view.interview is None:
        return None
    return calendar.next_workday(calendar.local_date(view.interview))


def _thank(view: LeadView, policy: PolicySettings, calendar: Workdays) -> _Outcome | None:
    """Rule 4: from the interview to the end of the next business day, if nothing was sent."""
    deadline = _thank_deadline(view, calendar)
    if not policy.thank_you or view.interview is None or deadline is None:
        return None
    if view.now < view.interview or view.today > deadline:
        return None
    interview = view.interview
    if any(e.at >= interview for e in view.user):
        return None
    day = calendar.local_date(interview)
    return _Outcome(
        LeadStatus.INTERVIEWING,
        Action.THANK,
        deadline,
        f"Your interview was on {_day(day)}; send a short thank-you note "
        f"by the end of {_day(deadline)}.",
        "thank-you",
        {
            "interview_at": interview.astimezone(calendar.zone).isoformat(),
            "due": deadline.isoformat(),
        },
        view.interview_source,
    )


def _live_status(view: LeadView) -> LeadStatus:
    if view.status in _REOPENED:
        assert view.status is not None
        return view.status
    kinds = view.kinds()
    if view.interview is not None or kinds & {
        Kind.INTERVIEW_INVITATION,
        Kind.INTERVIEW_CONFIRMATION,
        Kind.FEEDBACK_PROMISE,
    }:
        return LeadStatus.INTERVIEWING
    if kinds - {Kind.APPLICATION_ACK}:
        return LeadStatus.ACTIVE
    return LeadStatus.APPLIED


def _application(view: LeadView, policy: PolicySettings, calendar: Workdays) -> _Outcome:
    """Rule 10: an application without an interview yet; stale after stale_days of silence."""
    activity = [*view.user, *view.recruiter]
    status = _live_status(view)
    if not activity:
        return _Outcome(status, Action.NONE, None, "No messages in this lead yet.", "application")
    last = max(activity, key=lambda e: e.at)
    last_day = calendar.local_date(last.at)
    stale_day = calendar.add(last_day, policy.stale_days)
    dates = {"last_message": last_day.isoformat(), "stale_on": stale_day.isoformat()}
    if view.today >= stale_day:
        return _Outcome(
            LeadStatus.DEAD,
            Action.DEAD,
            None,
            f"Nothing since {_day(last_day)}: after {_days(calendar, policy.stale_days)} "
            f"without a message the application went stale on {_day(stale_day)}.",
            "stale",
            dates,
            Source(last.message_id),
        )
    hint = ""
    if Kind.INTERVIEW_CONFIRMATION in view.kinds():
        hint = " An interview was confirmed without a time: set it with `followup set`."
    return _Outcome(
        status,
        Action.NONE,
        None,
        f"{_where_it_stands(view, calendar)}; nothing to do until {_who(view)} writes "
        f"(the latest message was on {_day(last_day)}; stale on {_day(stale_day)}).{hint}",
        "application",
        dates,
        Source(last.message_id),
    )


def _where_it_stands(view: LeadView, calendar: Workdays) -> str:
    """What the user last did or got, for a lead with nothing to do (the digest's line)."""
    invitations = [e for e in view.recruiter if e.kind is Kind.INTERVIEW_INVITATION]
    if invitations:
        answers = [e for e in view.user if e.at > invitations[-1].at]
        if answers:
            return f"You answered their invitation on {_day(calendar.local_date(answers[0].at))}"
    if view.recruiter and view.recruiter[-1].kind is Kind.APPLICATION_ACK:
        acked = calendar.local_date(view.recruiter[-1].at)
        return f"They acknowledged your application on {_day(acked)}"
    return "No interview yet"


@dataclass(frozen=True)
class _Window:
    """When the next nudge opens and is due, and why then."""

    opens: date
    due: date
    rule: str
    why: str
    dates: dict[str, str]
    source: Source


def _first_window(
    view: LeadView, policy: PolicySettings, calendar: Workdays, base: datetime | None
) -> _Window:
    """Rules 7 and 8: the first nudge's window after the interview or the latest reply."""
    latest = view.latest_recruiter
    interview_day = calendar.local_date(view.interview) if view.interview else None
    promise = view.promise
    if promise is not None:
        last_wait = calendar.add(promise, policy.grace_days)
        promise_opens = calendar.next_workday(last_wait)
        current = view.promise_source.from_user or (
            view.promise_event is not None
            and view.promise_event is latest
            and (interview_day is None or promise >= interview_day)
        )
        if current:
            return _Window(
                promise_opens,
                promise_opens,
                "promised-date",
                f"they promised an answer by {_day(promise)}{_quote(view.promise_source)}; "
                f"with {_days(calendar, policy.grace_days)} of grace you wait through "
                f"{_day(last_wait)}",
                {"feedback_by": promise.isoformat(), "wait_through": last_wait.isoformat()},
                view.promise_source,
            )
    base_day = calendar.local_date(base) if base is not None else view.today
    if view.interview is not None and base == view.interview:
        basis = f"the interview on {_day(base_day)}"
        source = view.interview_source
    else:
        basis = f"their last message on {_day(base_day)}"
        source = Source(latest.message_id) if latest else Source()
    opens = calendar.add(base_day, policy.first_nudge_days)
    due = calendar.add(base_day, policy.nudge_due_days)
    why = f"{_days(calendar, policy.first_nudge_days)} after {basis}"
    dates = {"base": base_day.isoformat()}
    if promise is not None and promise_opens > opens:
        # An older promise is not withdrawn by a later message that names no date.
        opens, due = promise_opens, max(due, promise_opens)
        why += f", and not before their promise of {_day(promise)} plus grace has passed"
        dates["feedback_by"] = promise.isoformat()
    return _Window(opens, due, "timely-follow-up", why, dates, source)


def _thank_note(view: LeadView, calendar: Workdays) -> TimelineEvent | None:
    """Rule 4: the first user message after the interview, by the end of the next business day."""
    deadline = _thank_deadline(view, calendar)
    if view.interview is None or deadline is None:
        return None
    for event in view.user:
        if event.at >= view.interview:
            return event if calendar.local_date(event.at) <= deadline else None
    return None


def _follow_up(view: LeadView, policy: PolicySettings, calendar: Workdays) -> _Outcome:
    """Rules 5, 7, 8, 9 and 11: nudge, wait or let go after the interview or a promise."""
    latest = view.latest_recruiter
    moments = [m for m in (view.interview, latest.at if latest else None) if m is not None]
    base = max(moments) if moments else None
    thank_note = _thank_note(view, calendar)
    follow_ups = [e for e in view.user if (base is None or e.at > base) and e is not thank_note]
    window = _first_window(view, policy, calendar, base)
    steps: list[TraceStep] = []
    if thank_note is not None:
        steps.append(
            TraceStep(
                "thank-you-note",
                "your first message after the interview is the thank-you note, not a follow-up",
                {"sent_on": calendar.local_date(thank_note.at).isoformat()},
                thank_note.message_id,
            )
        )
    sent_days = [calendar.local_date(e.at) for e in follow_ups]
    steps.append(
        TraceStep(
            "not-too-often",
            f"{len(follow_ups)} follow-up(s) of at most {policy.max_nudges} since "
            + (f"{_day(calendar.local_date(base))}" if base else "the start"),
            {f"follow_up_{i}": d.isoformat() for i, d in enumerate(sent_days, 1)},
        )
    )
    status = _live_status(view)

    exhausted = len(follow_ups) >= policy.max_nudges
    if exhausted and follow_ups:
        last = sent_days[-1]
        dead_day = calendar.add(last, policy.give_up_days)
        dates = {"last_follow_up": last.isoformat(), "dead_on": dead_day.isoformat()}
        src = Source(follow_ups[-1].message_id)
        if view.today >= dead_day:
            return _Outcome(
                LeadStatus.DEAD,
                Action.DEAD,
                None,
                f"No answer to your {len(follow_ups)} follow-up(s), the last on {_day(last)}; "
                f"after {_days(calendar, policy.give_up_days)} of silence, let it go "
                f"(since {_day(dead_day)}).",
                "move-on",
                dates,
                src,
                tuple(steps),
            )
        return _Outcome(
            status,
            Action.WAIT,
            dead_day,
            f"You have followed up {len(follow_ups)} time(s), the last on {_day(last)}, "
            f"the most the policy allows; if nothing comes by {_day(dead_day)}, let it go.",
            "move-on",
            dates,
            src,
            tuple(steps),
        )

    opens, due, rule, why = window.opens, window.due, window.rule, window.why
    dates = dict(window.dates)
    source = window.source
    if follow_ups:
        gap_opens = calendar.add(sent_days[-1], policy.min_gap_days)
        dates["last_follow_up"] = sent_days[-1].isoformat()
        if gap_opens > opens:
            opens, due, rule = gap_opens, gap_opens, "not-too-often"
            why = (
                f"you followed up on {_day(sent_days[-1])} and follow-ups are at least "
                f"{_days(calendar, policy.min_gap_days)} apart"
            )
            source = Source(follow_ups[-1].message_id)
    if view.away is not None:
        # DESIGN "away": the nudge waits until after the stated return date.
        back = calendar.next_workday(view.away)
        if back > opens:
            opens, due = back, max(due, back)
            why += (
                f"; they are away until {_day(view.away)}{_quote(view.away_source)}, "
                f"so not before {_day(back)}"
            )
            dates["away_until"] = view.away.isoformat()
    dates.update(opens=opens.isoformat(), due=due.isoformat())

    if view.no_followup or exhausted:
        dead_day = calendar.add(opens, policy.give_up_days)
        dates["dead_on"] = dead_day.isoformat()
        asked = (
            f"they asked not to be chased{_quote(view.no_followup_source)}"
            if view.no_followup
            else f"the policy allows {policy.max_nudges} follow-ups"
        )
        if view.today >= dead_day:
            return _Outcome(
                LeadStatus.DEAD,
                Action.DEAD,
                None,
                f"No news, and {asked}: a follow-up would have been due from {_day(opens)} "
                f"({why}); after {_days(calendar, policy.give_up_days)} more, let it go "
                f"(since {_day(dead_day)}).",
                "no-follow-ups" if view.no_followup else "move-on",
                dates,
                view.no_followup_source if view.no_followup else source,
                tuple(steps),
            )
        return _Outcome(
            status,
            Action.WAIT,
            dead_day,
            f"Wait: {asked}. A follow-up would be due from {_day(opens)} ({why}); "
            f"if nothing comes by {_day(dead_day)}, let it go.",
            "no-follow-ups" if view.no_followup else "move-on",
            dates,
            view.no_followup_source if view.no_followup else source,
            tuple(steps),
        )

    nth = "a second" if len(follow_ups) == 1 else "a" if not follow_ups else "another"
    if view.today >= opens:
        return _Outcome(
            status,
            Action.NUDGE,
            due,
            f"No answer yet; send {nth} short follow-up by {_day(due)} "
            f"(the window opened {_day(opens)}: {why}).",
            rule,
            dates,
            source,
            tuple(steps),
        )
    return _Outcome(
        status,
        Action.WAIT,
        opens,
        f"Wait until {_day(opens)} before sending {nth} follow-up ({why}).",
        rule,
        dates,
        source,
        tuple(steps),
    )


def _rest(view: LeadView, policy: PolicySettings, calendar: Workdays) -> _Outcome:
    if (
        view.interview is not None
        or view.promise is not None
        or Kind.FEEDBACK_PROMISE in view.kinds()
    ):
        return _follow_up(view, policy, calendar)
    return _application(view, policy, calendar)


# --- the decision --------------------------------------------------------------------


def _fact_steps(view: LeadView, calendar: Workdays) -> list[TraceStep]:
    steps: list[TraceStep] = []
    if view.status is not None:
        steps.append(TraceStep("fact", f"status marked {view.status.value}", from_user=True))
    if view.interview is not None:
        local = view.interview.astimezone(calendar.zone).isoformat(timespec="minutes")
        steps.append(
            _fact_step(f"interview at {local}", {"interview_at": local}, view.interview_source)
        )
    if view.promise is not None:
        steps.append(
            _fact_step(
                f"feedback promised by {_day(view.promise)}",
                {"feedback_by": view.promise.isoformat()},
                view.promise_source,
            )
        )
    if view.no_followup or view.no_followup_source.from_user:
        word = "asked not to be chased" if view.no_followup else "follow-ups allowed"
        steps.append(_fact_step(word, {}, view.no_followup_source))
    if view.away is not None:
        steps.append(
            _fact_step(
                f"away until {_day(view.away)}",
                {"away_until": view.away.isoformat()},
                view.away_source,
            )
        )
    return steps


def _fact_step(detail: str, dates: Mapping[str, str], source: Source) -> TraceStep:
    return TraceStep("fact", detail, dates, source.message_id, source.phrase, source.from_user)


def decide(
    timeline: LeadTimeline, policy: PolicySettings, calendar: Workdays, now: datetime
) -> Decision:
    """What to do about ``timeline`` as of ``now``: status, action, due date, reason, trace."""
    view = read_timeline(timeline, calendar, now)
    outcome = (
        _marked(view)
        or _closed(view, calendar)
        or _respond(view, calendar)
        or _before_interview(view, calendar)
        or _thank(view, policy, calendar)
        or _rest(view, policy, calendar)
    )
    if view.status in _REOPENED and outcome.action is Action.DEAD:
        assert view.status is not None
        outcome = _Outcome(
            view.status,
            Action.WAIT,
            None,
            f"You marked this lead {view.status.value}, so it is kept open; "
            f"the rules alone would let it go: {outcome.reason}",
            "override",
            outcome.dates,
            USER,
            outcome.steps,
        )
    final = TraceStep(
        outcome.rule,
        outcome.reason,
        outcome.dates,
        outcome.source.message_id,
        outcome.source.phrase,
        outcome.source.from_user,
    )
    return Decision(
        lead_id=timeline.lead_id,
        status=outcome.status,
        action=outcome.action,
        due=outcome.due,
        reason=outcome.reason,
        trace=(*_fact_steps(view, calendar), *outcome.steps, final),
    )


# --- whom the action is addressed to ------------------------------------------------------


@dataclass(frozen=True)
class Writer:
    """Who wrote one inbound message of a lead, and the recruiter it names, if any."""

    message_id: str
    at: datetime
    sender: str  # lower-cased address
    contact: str | None = None  # the human recruiter the detector found in it


def _human(address: str | None) -> bool:
    return bool(address) and "@" in (address or "") and not is_generic_sender(address or "")


def addressee(
    decision: Decision,
    writers: Sequence[Writer],
    contact: str | None,
    override: str | None,
    now: datetime,
) -> str | None:
    """The lead's contact as of ``now``: whom its action is addressed to.

    The user's override wins. ``respond`` goes to whoever wrote the message that needs
    the answer (the trace's last step names it), when that is a person. Otherwise the
    lead's ``contact`` (grouping's choice over all mail), once they had written by
    ``now``; else the latest person who had: nobody who writes after ``now`` exists yet.
    """
    if override:
        return override
    known = sorted((w for w in writers if w.at <= now), key=lambda w: w.at)
    if decision.action is Action.RESPOND and decision.trace:
        wanted = decision.trace[-1].message_id
        for writer in known:
            if writer.message_id == wanted:
                for address in (writer.sender, writer.contact):
                    if _human(address):
                        return address
    if contact and any(contact.lower() in (w.sender, (w.contact or "").lower()) for w in known):
        return contact
    for writer in reversed(known):
        for address in (writer.contact, writer.sender):
            if _human(address):
                return (address or "").lower()
    return None
