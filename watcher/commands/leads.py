"""`followup leads` and `followup why LEAD`: the decisions as of --now, and the reasons."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.markup import escape

from watcher.commands.context import console, print_json, print_table, state
from watcher.domain import Action, Decision, Direction, TimelineEvent
from watcher.terminal import printable

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.orm import Session

    from watcher.refresh import LeadState

LEAD_COLUMNS = ("id", "company", "contact", "status", "action", "due", "reason")
RECENT_DAYS = 30  # dead leads quiet for longer are hidden without --all
_ORDER = {a: i for i, a in enumerate(Action)}  # respond, thank, nudge, wait, dead, none


class _Unset:
    """No contact given: the lead's own."""


_UNSET = _Unset()


def senders_of(session: Session, states: list[LeadState]) -> dict[str, str]:
    """Message-ID -> sender address of the inbound messages of ``states`` (for the contact
    as of now); only those leads' messages are read, never the whole mailbox."""
    from sqlalchemy import select

    from watcher.store.tables import StoredMessage

    ids = sorted(
        {
            e.message_id
            for found in states
            for e in found.timeline.events
            if e.direction is Direction.INBOUND and e.message_id
        }
    )
    senders: dict[str, str] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists
        query = select(StoredMessage.message_id, StoredMessage.sender_email).where(
            StoredMessage.direction == Direction.INBOUND.value,
            StoredMessage.message_id.in_(ids[start : start + 500]),
        )
        senders.update(
            (message_id, (sender or "").lower()) for message_id, sender in session.execute(query)
        )
    return senders


def contact_as_of(found: LeadState, senders: Mapping[str, str], now: datetime) -> str | None:
    """The lead's contact as of ``now``: nobody who first writes later (watcher.rules)."""
    from watcher.rules import Writer, addressee

    writers = [
        Writer(
            e.message_id,
            e.at,
            senders.get(e.message_id, ""),
            e.detection.contact_email if e.detection else None,
        )
        for e in found.timeline.events
        if e.direction is Direction.INBOUND
    ]
    return addressee(
        found.decision,
        writers,
        found.lead.contact_email,
        found.timeline.overrides.contact,
        now,
    )


def lead_row(found: LeadState, contact: str | _Unset | None = _UNSET) -> dict[str, Any]:
    """One row of `followup leads`; ``contact`` as of --now (default: the lead's own)."""
    decision = found.decision
    return {
        "id": found.lead.id,
        "company": found.lead.company,
        "contact": found.timeline.contact if isinstance(contact, _Unset) else contact,
        "status": decision.status.value,
        "action": decision.action.value,
        "due": decision.due.isoformat() if decision.due else None,
        "reason": decision.reason,
    }


def _last_activity(found: LeadState, now: datetime) -> datetime | None:
    moments = [e.at for e in found.timeline.events if e.at <= now]
    return max(moments) if moments else None


def _started(found: LeadState, now: datetime) -> bool:
    """A lead exists as of ``now`` once its first message has arrived."""
    return _last_activity(found, now) is not None


def _shown(found: LeadState, now: datetime) -> bool:
    """Without --all: no closed leads, and dead ones only while recent."""
    action = found.decision.action
    if action is Action.NONE:
        return False
    if action is Action.DEAD:
        last = _last_activity(found, now)
        return last is not None and now - last <= timedelta(days=RECENT_DAYS)
    return True


def _sort_key(found: LeadState) -> tuple[int, date, int]:
    decision = found.decision
    return (_ORDER[decision.action], decision.due or date.max, found.lead.id)


def lead_rows(
    states: list[LeadState],
    now: datetime,
    show_all: bool,
    senders: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The rows of `followup leads`, most urgent first; leads not yet started are left out.

    With ``senders`` (``senders_of``), each contact is the one as of ``now``."""
    return [
        lead_row(s, _UNSET if senders is None else contact_as_of(s, senders, now))
        for s in sorted(states, key=_sort_key)
        if _started(s, now) and (show_all or _shown(s, now))
    ]


def _left_out(session: Session, states: list[LeadState], now: datetime) -> int:
    """Leads existing as of ``now`` that ``lead_states(live_since=...)`` did not load (the
    refresh left every decision as of ``now``: a lead not started yet has no last message)."""
    from sqlalchemy import func, select

    from watcher.store.tables import StoredDecision

    started = StoredDecision.last_at.is_not(None)
    decided = (
        session.scalar(select(func.count(func.distinct(StoredDecision.lead_id))).where(started))
        or 0
    )
    return max(0, decided - sum(1 for s in states if _started(s, now)))


def hidden_count(states: list[LeadState], now: datetime) -> int:
    """How many existing leads `followup leads` leaves out without --all."""
    return sum(1 for s in states if _started(s, now) and not _shown(s, now))


# The table on a terminal: the reason wraps; company and contact are cut; contact, then
# status, make way on a narrow terminal (both are in `why` and --json).
LEAD_LAYOUT: dict[str, Any] = {
    "wrap": "reason",
    "limits": {"company": 14, "contact": 22},
    "droppable": ("contact", "status"),
}


def leads(
    ctx: typer.Context,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also closed leads and leads let go long ago.")
    ] = False,
) -> None:
    """One row a lead: what to do about it as of now (or --now), and why.

    A lead whose first message is after --now is not listed: it did not exist yet.
    """
    # imported when used: keeps `followup --help` fast
    from watcher.refresh import lead_states

    app = state(ctx)
    settings = app.settings()
    now = app.clock().now()
    since = None if show_all else now - timedelta(days=RECENT_DAYS)
    with app.transaction() as session:
        states = lead_states(session, settings, now, live_since=since)
        rows = lead_rows(states, now, show_all, senders_of(session, states))
        hidden = 0 if show_all else hidden_count(states, now) + _left_out(session, states, now)
    if app.json_output:
        print_json(rows)
        return
    if rows:
        print_table(rows, LEAD_COLUMNS, **LEAD_LAYOUT)
    elif not hidden:
        console().print("no leads")
    if hidden:
        what = "lead" if hidden == 1 else "leads"
        lead = "no leads need attention; " if not rows else ""
        console().print(
            f"{lead}{hidden} {what} with nothing to do; `followup leads --all` shows them"
        )


def _facts(event: TimelineEvent, zone: ZoneInfo) -> dict[str, Any]:
    detection = event.detection
    if detection is None:
        return {}
    facts: dict[str, Any] = {}
    if detection.interview_at is not None:
        facts["interview_at"] = detection.interview_at_text()
    if detection.feedback_by is not None:
        facts["feedback_by"] = detection.feedback_by.isoformat()
    if detection.no_followup:
        facts["no_followup"] = True
    if detection.auto_reply:
        facts["auto_reply"] = True
    if detection.away_until is not None:
        facts["away_until"] = detection.away_until.isoformat()
    if detection.evidence:
        facts["evidence"] = [e.text for e in detection.evidence]
    return facts


def _timeline(found: LeadState, now: datetime, zone: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "date": event.at.astimezone(zone).date().isoformat(),
            "at": event.at.astimezone(zone).isoformat(timespec="minutes"),
            "direction": event.direction.value,
            "kind": "sent" if event.direction is Direction.OUTBOUND else _kind(event),
            "subject": event.subject,
            "message_id": event.message_id,
            "key": event.key,
            "facts": _facts(event, zone),
        }
        for event in found.timeline.events
        if event.at <= now
    ]


def _stored_ids(session: Session, timeline: list[dict[str, Any]]) -> None:
    """Give each timeline item the number `relabel` and `split` take (the first stored copy)."""
    from sqlalchemy import func, select

    from watcher.store.tables import StoredMessage

    keys = {item["key"] for item in timeline if item["key"]}
    found: dict[str, int] = {
        key: number
        for key, number in session.execute(
            select(StoredMessage.message_key, func.min(StoredMessage.id))
            .where(StoredMessage.message_key.in_(keys))
            .group_by(StoredMessage.message_key)
        )
    }
    for item in timeline:
        item["id"] = found.get(item["key"])


def _kind(event: TimelineEvent) -> str | None:
    return event.kind.value if event.kind else None


def _user_facts(found: LeadState) -> dict[str, Any]:
    facts = found.timeline.overrides
    values = {
        "feedback_by": facts.feedback_by,
        "interview_at": facts.interview_at,
        "no_followup": facts.no_followup,
        "status": facts.status,
        "contact": facts.contact,
    }
    return {name: value for name, value in values.items() if value is not None}


def _fact_text(facts: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in facts.items() if k != "evidence"]
    parts += [f'"{phrase}"' for phrase in facts.get("evidence", [])[:2]]
    return "; ".join(parts)


def _print_why(
    found: LeadState, decision: Decision, timeline: list[dict[str, Any]], contact: str | None
) -> None:
    out = console()
    lead = found.lead
    due = f", due {decision.due.isoformat()}" if decision.due else ""
    out.print(f"[bold]#{lead.id} {escape(printable(lead.company or '(unknown company)'))}[/]")
    if contact:
        out.print(f"contact: {escape(printable(contact))}")
    out.print(f"{decision.status.value}: [bold]{decision.action.value}[/]{due}")
    out.print(escape(printable(decision.reason)))
    rows = [
        {
            **item,
            "#": item.get("id"),
            "subject": item["subject"],
            "facts": _fact_text(item["facts"]),
        }
        for item in timeline
    ]
    print_table(
        rows,
        ("date", "direction", "kind", "#", "subject", "facts"),
        title="timeline",
        wrap="facts",
        limits={"subject": 24, "kind": 16},
        droppable=("direction", "subject"),
    )
    out.print("#: the message number that `followup relabel` and `followup split` take")
    out.print("[bold]rule trace[/]")
    for step in decision.trace:
        origin = " (set by you)" if step.from_user else ""
        quote = f' "{step.phrase}"' if step.phrase else ""
        where = f" <{step.message_id}>" if step.message_id else ""
        out.print(escape(printable(f"  {step.rule}: {step.detail}{origin}{quote}{where}")))


def why(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id, or the start of its company name.")],
) -> None:
    """A lead's timeline and the rule trace behind its action as of now (or --now)."""
    # imported when used: keeps `followup --help` fast
    from watcher.refresh import lead_states, started_leads
    from watcher.store.leads import find_lead, trace_to_json

    app = state(ctx)
    settings = app.settings()
    now = app.clock().now()
    with app.transaction() as session:
        chosen = find_lead(lead, started_leads(session, settings, now, lead))
        found = lead_states(session, settings, now, lead_ids=[chosen.id])[0]
        timeline = _timeline(found, now, settings.zone)
        _stored_ids(session, timeline)
        decision = found.decision
        contact = contact_as_of(found, senders_of(session, [found]), now)
        if app.json_output:
            print_json(
                {
                    **lead_row(found, contact),
                    "timeline": timeline,
                    "trace": trace_to_json(decision.trace),
                    "overrides": _user_facts(found),
                }
            )
            return
        _print_why(found, decision, timeline, contact)


def register(app: typer.Typer) -> None:
    app.command("leads")(leads)
    app.command("why")(why)
