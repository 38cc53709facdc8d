"""Invariants of the follow-up rules over random timelines (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.types import Detection, Kind
from tests.test_rules import NY
from watcher.config import PolicySettings
from watcher.domain import Action, Direction, LeadFacts, LeadTimeline, TimelineEvent
from watcher.rules import decide
from watcher.workdays import Workdays

START = datetime(2026, 3, 2, 8, 0, tzinfo=NY)
HORIZON_HOURS = 24 * 45


@st.composite
def detections(draw: st.DrawFn, at: datetime) -> Detection:
    # Weighted toward the kinds that drive follow-ups; closures end the interesting part.
    kind = draw(
        st.sampled_from(
            [Kind.INTERVIEW_CONFIRMATION] * 3
            + [Kind.FEEDBACK_PROMISE] * 3
            + [Kind.RECRUITER_REPLY] * 4
            + [Kind.APPLICATION_ACK, Kind.INTERVIEW_INVITATION, Kind.REJECTION, Kind.OFFER]
        )
    )
    facts: dict[str, Any] = {}
    if kind is Kind.INTERVIEW_CONFIRMATION:
        facts["interview_at"] = at + timedelta(hours=draw(st.integers(2, 24 * 14)))
        facts["interview_has_time"] = draw(st.booleans())
    if kind in (Kind.FEEDBACK_PROMISE, Kind.RECRUITER_REPLY) and draw(st.booleans()):
        facts["feedback_by"] = at.date() + timedelta(days=draw(st.integers(0, 12)))
    if kind is Kind.RECRUITER_REPLY and draw(st.integers(0, 3)) == 0:
        facts["auto_reply"] = True
        if draw(st.booleans()):
            facts["away_until"] = at.date() + timedelta(days=draw(st.integers(1, 15)))
    facts["no_followup"] = draw(st.integers(0, 7)) == 0
    return Detection(kind=kind, confidence=0.9, **facts)


@st.composite
def timelines(draw: st.DrawFn) -> LeadTimeline:
    count = draw(st.integers(1, 9))
    events = []
    for number in range(count):
        at = START + timedelta(hours=draw(st.integers(0, 24 * 30)))
        if draw(st.integers(0, 2)) == 0:
            event = TimelineEvent(f"u{number}", at, Direction.OUTBOUND, None, key=f"k{number}")
        else:
            detection = draw(detections(at))
            event = TimelineEvent(f"m{number}", at, Direction.INBOUND, detection, key=f"k{number}")
        events.append(event)
    feedback_by = draw(st.sampled_from([None, None, None, date(2026, 3, 20)]))
    no_followup = draw(st.sampled_from([None, None, None, True, False]))
    return LeadTimeline(1, "Acme", tuple(events), LeadFacts(feedback_by, None, no_followup))


@st.composite
def after_interview(draw: st.DrawFn) -> LeadTimeline:
    """An interview, then replies (some with promised dates) and the user's messages."""
    interview = START + timedelta(days=3, hours=draw(st.integers(0, 8)))
    confirmation = Detection(
        Kind.INTERVIEW_CONFIRMATION, 0.9, interview_at=interview, interview_has_time=True
    )
    events = [TimelineEvent("c", START, Direction.INBOUND, confirmation, key="c")]
    for number in range(draw(st.integers(1, 6))):
        at = interview + timedelta(hours=draw(st.integers(1, 24 * 25)))
        if draw(st.booleans()):
            events.append(
                TimelineEvent(f"u{number}", at, Direction.OUTBOUND, None, key=f"u{number}")
            )
            continue
        promised = draw(
            st.none() | st.integers(0, 15).map(lambda n, at=at: at.date() + timedelta(n))
        )
        kind = Kind.FEEDBACK_PROMISE if promised else Kind.RECRUITER_REPLY
        detection = Detection(kind, 0.9, feedback_by=promised)
        events.append(
            TimelineEvent(f"m{number}", at, Direction.INBOUND, detection, key=f"m{number}")
        )
    return LeadTimeline(1, "Acme", tuple(events))


policies = st.builds(
    lambda business, first, extra, grace, most, gap, give_up: PolicySettings(
        business_days=business,
        first_nudge_days=first,
        nudge_due_days=first + extra,
        grace_days=grace,
        max_nudges=most,
        min_gap_days=gap,
        give_up_days=give_up,
    ),
    st.booleans(),
    st.integers(0, 4),
    st.integers(0, 2),
    st.integers(0, 3),
    st.integers(0, 3),
    st.integers(0, 9),
    st.integers(0, 9),
)
moments = st.integers(0, HORIZON_HOURS).map(lambda h: START + timedelta(hours=h))


def _visible(timeline: LeadTimeline, now: datetime) -> list[TimelineEvent]:
    return sorted((e for e in timeline.events if e.at <= now), key=lambda e: (e.at, e.key))


def _recruiter(events: list[TimelineEvent]) -> list[TimelineEvent]:
    return [
        e
        for e in events
        if e.direction is Direction.INBOUND
        and not (e.detection and e.detection.auto_reply and e.kind is Kind.RECRUITER_REPLY)
    ]


def _latest_promise(timeline: LeadTimeline, events: list[TimelineEvent]) -> date | None:
    if timeline.overrides.feedback_by is not None:
        return timeline.overrides.feedback_by
    dated = [e for e in _recruiter(events) if e.detection and e.detection.feedback_by]
    return dated[-1].detection.feedback_by if dated and dated[-1].detection else None


def _no_followup(timeline: LeadTimeline, events: list[TimelineEvent]) -> bool:
    if timeline.overrides.no_followup is not None:
        return timeline.overrides.no_followup
    return any(e.detection and e.detection.no_followup for e in _recruiter(events))


def _since_last_reply(timeline: LeadTimeline, now: datetime) -> list[TimelineEvent]:
    """User messages after the hiring side's latest message: at least every follow-up."""
    events = _visible(timeline, now)
    recruiter = _recruiter(events)
    after = recruiter[-1].at if recruiter else None
    return [
        e for e in events if e.direction is Direction.OUTBOUND and (after is None or e.at > after)
    ]


@settings(max_examples=400, deadline=None)
@given(timelines() | after_interview(), policies, moments)
def test_never_nudge_before_promise_plus_grace(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime
) -> None:
    calendar = Workdays.from_policy(policy, NY)
    decision = decide(timeline, policy, calendar, now)
    promised = _latest_promise(timeline, _visible(timeline, now))
    if decision.action is Action.NUDGE and promised is not None:
        assert calendar.local_date(now) > calendar.add(promised, policy.grace_days)


@settings(max_examples=400, deadline=None)
@given(timelines(), policies, moments)
def test_never_nudge_when_asked_not_to(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime
) -> None:
    decision = decide(timeline, policy, Workdays.from_policy(policy, NY), now)
    if _no_followup(timeline, _visible(timeline, now)):
        assert decision.action is not Action.NUDGE


@settings(max_examples=400, deadline=None)
@given(timelines() | after_interview(), policies, moments)
def test_never_more_than_max_nudges(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime
) -> None:
    calendar = Workdays.from_policy(policy, NY)
    decision = decide(timeline, policy, calendar, now)
    if decision.action is not Action.NUDGE:
        return
    # Messages after the latest reply and a day past any thank-you window are follow-ups.
    events = _visible(timeline, now)
    interviews = [
        e.detection.interview_at
        for e in _recruiter(events)
        if e.detection and e.detection.interview_at
    ]
    cutoff = max(interviews) + timedelta(days=6) if interviews else None
    surely = [e for e in _since_last_reply(timeline, now) if cutoff is None or e.at > cutoff]
    assert len(surely) < policy.max_nudges


@settings(max_examples=400, deadline=None)
@given(timelines(), policies, moments)
def test_dead_only_after_last_allowed_nudge_plus_give_up(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime
) -> None:
    calendar = Workdays.from_policy(policy, NY)
    decision = decide(timeline, policy, calendar, now)
    if decision.action is not Action.DEAD:
        return
    rule = decision.trace[-1].rule
    events = _visible(timeline, now)
    if rule == "no-follow-ups":
        assert _no_followup(timeline, events)
    elif rule == "stale":
        assert not any(e.kind is Kind.FEEDBACK_PROMISE for e in events)
        assert _latest_promise(timeline, events) is None
    else:
        assert rule == "move-on"
        sent = _since_last_reply(timeline, now)
        if policy.max_nudges:
            assert len(sent) >= policy.max_nudges
            last = calendar.local_date(sent[-1].at)
            assert calendar.local_date(now) >= calendar.add(last, policy.give_up_days)


@settings(max_examples=300, deadline=None)
@given(timelines(), policies, moments, st.randoms(use_true_random=False))
def test_decision_ignores_event_order_and_has_due_iff_actionable(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime, random: Any
) -> None:
    calendar = Workdays.from_policy(policy, NY)
    decision = decide(timeline, policy, calendar, now)
    shuffled = list(timeline.events)
    random.shuffle(shuffled)
    again = decide(
        LeadTimeline(1, "Acme", tuple(shuffled), timeline.overrides), policy, calendar, now
    )
    assert again == decision
    assert (decision.due is None) == (decision.action in (Action.NONE, Action.DEAD))


@settings(max_examples=300, deadline=None)
@given(timelines(), policies, moments, st.integers(1, 24 * 30))
def test_dead_stays_dead_until_a_new_message(
    timeline: LeadTimeline, policy: PolicySettings, now: datetime, later_hours: int
) -> None:
    calendar = Workdays.from_policy(policy, NY)
    later = now + timedelta(hours=later_hours)
    if any(now < e.at <= later for e in timeline.events):
        return
    if decide(timeline, policy, calendar, now).action is Action.DEAD:
        assert decide(timeline, policy, calendar, later).action is Action.DEAD
