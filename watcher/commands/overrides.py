"""The corrections CLI: set, mark, relabel, merge, split, ignore, undo, history, corrections.

Every command checks all of its input before it writes anything, then in one
transaction: regroups and decides as of ``--now`` (to know the values it replaces),
records its overrides with the command line and old and new values, and decides
again so that ``followup leads`` shows the change at once.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from nlp.types import Kind
from watcher.commands.context import AppState, console, print_json, print_table, state
from watcher.commands.leads import lead_row  # one shape for a lead everywhere
from watcher.domain import LeadStatus
from watcher.errors import UnknownLeadError, UsageError
from watcher.terminal import printable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from watcher.config import Settings
    from watcher.refresh import LeadState
    from watcher.rules import Source
    from watcher.store.tables import Override, StoredLead, StoredMessage

# The database, the rules and dateparser are imported in the functions that use them:
# keeps `followup --help` and the other commands fast.

MARKS = {
    "dead": LeadStatus.DEAD,
    "active": LeadStatus.ACTIVE,
    "ignored": LeadStatus.IGNORED,
    "offer": LeadStatus.OFFER,
    "rejected": LeadStatus.REJECTED,
}
HISTORY_COLUMNS = ("id", "made", "as of", "command", "field", "change", "undone")
# Kept beside an override's value, not part of it: when it was made (wall clock) and redone.
_META = ("recorded_at", "redone_at", "undone_recorded_at")


# --- input, checked before anything is written -----------------------------------------


def _command_line(ctx: typer.Context, app: AppState) -> str:
    """The command as the user gave it (canonical order; typed values kept verbatim)."""
    names: list[str] = []
    current: Any = ctx
    while current is not None and current.parent is not None:
        names.insert(0, current.info_name or "")
        current = current.parent
    parts = ["followup", *names]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value is False:
            continue
        if param.param_type_name == "argument":
            parts.append(str(value))
        elif value is True:
            parts.append(param.opts[0])
        else:
            parts.extend([param.opts[0], str(value)])
    if app.now_text:
        parts.extend(["--now", app.now_text])
    return shlex.join(parts)


def parse_kind(text: str) -> Kind:
    """A kind as typed ("rejection", "Interview-Invitation")."""
    cleaned = text.strip().lower().replace("-", "_")
    try:
        return Kind(cleaned)
    except ValueError:
        names = ", ".join(kind.value for kind in Kind)
        raise UsageError(f"unknown kind {text!r}; use one of: {names}") from None


def parse_mark(text: str) -> LeadStatus:
    try:
        return MARKS[text.strip().lower()]
    except KeyError:
        raise UsageError(f"unknown status {text!r}; use one of: {', '.join(MARKS)}") from None


def parse_address(text: str, option: str) -> str:
    """A bare, lower-cased address from "alex@x.org" or "Alex <alex@x.org>"."""
    _, address = parseaddr(text.strip())
    local, at, domain = address.partition("@")
    if not (local and at and "." in domain) or " " in address:
        raise UsageError(f"{option} {text!r} is not an e-mail address (name@example.org)")
    return address.lower()


def parse_domain(text: str) -> str:
    domain = text.strip().lower().lstrip("@")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels) or any(c in domain for c in " @/<>"):
        raise UsageError(f"--domain {text!r} is not a domain (example.org)")
    return domain


# --- one correcting command ----------------------------------------------------------


@dataclass
class _Work:
    """A correction in progress: its transaction, moment and command line."""

    session: Session
    settings: Settings
    now: datetime
    command: str
    recorded_at: datetime  # the wall clock: ``now`` is the --now the correction is made as of

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone

    def refresh(self) -> None:
        """Regroup and decide what changed as of now (stored, like a sync would)."""
        from watcher.refresh import refresh

        refresh(self.session, self.settings, self.now)

    def decide(self, lead_ids: Iterable[int]) -> dict[int, LeadState]:
        """After a refresh, the leads of ``lead_ids`` that hold mail as of now: a
        correction reads only the leads it touches, never the whole mailbox."""
        from watcher.refresh import lead_states

        found = lead_states(self.session, self.settings, self.now, lead_ids=set(lead_ids))
        return {s.lead.id: s for s in found}

    def lead_names(self) -> dict[int, dict[str, Any]]:
        """After a refresh, every lead that holds mail and has a decision: id -> its id,
        key and company (the leads an ignore may remove; no mail is read)."""
        from sqlalchemy import select

        from watcher.store.tables import LeadMessage, StoredDecision, StoredLead

        self.refresh()
        query = select(StoredLead.id, StoredLead.key, StoredLead.company).where(
            StoredLead.id.in_(select(LeadMessage.lead_id)),
            StoredLead.id.in_(select(StoredDecision.lead_id)),
        )
        return {
            i: {"id": i, "key": key, "company": company}
            for i, key, company in self.session.execute(query)
        }

    def record(self, **fields: Any) -> Override:
        from watcher.store.leads import add_override

        fields["new_value"] = {**fields["new_value"], "recorded_at": self.recorded_at.isoformat()}
        return add_override(self.session, at=self.now, command=self.command, **fields)

    def lead(self, reference: str) -> StoredLead:
        """A lead that holds mail, by id or company prefix; exit 2 when none or several,
        or when it does not exist yet as of --now (its first message came later)."""
        from watcher.refresh import started_leads
        from watcher.store.leads import find_lead
        from watcher.store.overrides import live_leads

        found = find_lead(reference, live_leads(self.session))
        started = started_leads(self.session, self.settings, self.now, str(found.id))
        if not started:
            raise UsageError(
                f"lead {found.id} ({found.company or '?'}) does not exist as of {self.as_of()}: "
                "its first message came later; use a later --now"
            )
        return found

    def message(self, reference: str) -> StoredMessage:
        """A stored message that exists as of --now; exit 2 when it came later."""
        from watcher.store.overrides import find_message

        found = find_message(self.session, reference)
        if (found.sent_at or found.stored_at) > self.now:
            raise UsageError(
                f"message {found.id} does not exist as of {self.as_of()}: it came later; "
                "use a later --now"
            )
        return found

    def as_of(self) -> str:
        return f"{self.now.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def current(self, states: Mapping[int, LeadState], lead: StoredLead) -> LeadState:
        found = states.get(lead.id)
        if found is None:
            raise UnknownLeadError(str(lead.id))
        return found


def _source(source: Source, value: object) -> str | None:
    if source.from_user:
        return "you"
    return "detected" if value else None


def _old_facts(work: _Work, current: LeadState) -> dict[str, dict[str, Any]]:
    """What each settable fact is before the change, and where it came from."""
    from watcher.rules import read_timeline
    from watcher.workdays import Workdays

    calendar = Workdays.from_policy(work.settings.policy, work.zone)
    view = read_timeline(current.timeline, calendar, work.now)
    facts = current.timeline.overrides
    return {
        "feedback_by": {
            "value": view.promise.isoformat() if view.promise else None,
            "source": _source(view.promise_source, view.promise),
        },
        "interview_at": {
            "value": view.interview.astimezone(work.zone).isoformat() if view.interview else None,
            "source": _source(view.interview_source, view.interview),
        },
        "no_followup": {
            "value": view.no_followup,
            "source": _source(view.no_followup_source, view.no_followup),
        },
        "contact": {
            "value": current.timeline.contact,
            "source": "you"
            if facts.contact
            else ("detected" if current.timeline.contact else None),
        },
        "status": {
            "value": current.decision.status.value,
            "source": "you" if facts.status else "rules",
        },
    }


# --- output -----------------------------------------------------------------------


def _moment(text: object, zone: ZoneInfo) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)).astimezone(zone) if text else None
    except ValueError:
        return None


def override_row(row: Override, zone: ZoneInfo) -> dict[str, Any]:
    """One audit-trail entry (times in the user's zone).

    ``as_of`` (also ``created_at``) is the moment the correction applies from (--now);
    ``recorded_at`` is when it was typed (rows from before it was kept: the same).
    """
    as_of = row.created_at.astimezone(zone)
    return {
        "id": row.id,
        "created_at": as_of,
        "as_of": as_of,
        "recorded_at": _moment(row.new_value.get("recorded_at"), zone) or as_of,
        "command": row.command,
        "target": row.target,
        "lead_id": row.lead_id,
        "message_key": row.message_key,
        "field": row.field,
        "old": row.old_value,
        "new": {k: v for k, v in row.new_value.items() if k not in _META},
        "undone_at": row.undone_at.astimezone(zone) if row.undone_at else None,
        "redone_at": _moment(row.new_value.get("redone_at"), zone),
    }


def show_value(value: Mapping[str, Any]) -> str:
    """An old or new value in a few words."""
    if "into_key" in value:
        return f"joins lead {value.get('into_id', '?')} ({value.get('into_company') or '?'})"
    if "lead_id" in value and "value" not in value:
        return f"in lead {value['lead_id']} ({value.get('company') or '?'})"
    if "value" not in value:
        return "-"
    raw = value["value"]
    text = "-" if raw is None else ("yes" if raw is True else "no" if raw is False else str(raw))
    source = value.get("source")
    return f"{text} ({source})" if source and raw is not None else text


def _print_change(rows: Iterable[Override], after: LeadState | None) -> None:
    out = console()
    for row in rows:
        out.print(
            f"{row.field}: {show_value(row.old_value)} -> {show_value(row.new_value)}",
            highlight=False,
        )
    if after is not None:
        _print_lead(after)


def _print_lead(current: LeadState) -> None:
    row = lead_row(current)
    due = f" by {row['due']}" if row["due"] else ""
    console().print(
        f"lead {row['id']} ({row['company'] or '?'}): {row['action']}{due}, {row['status']}. "
        f"{row['reason']}",
        highlight=False,
    )


def _emit(app: AppState, data: Mapping[str, Any], rows: list[Override], after: Any) -> None:
    if app.json_output:
        print_json(data)
    else:
        _print_change(rows, after)


def _begin(ctx: typer.Context) -> tuple[AppState, Settings, datetime, str]:
    app = state(ctx)
    settings = app.settings()
    return app, settings, app.clock().now(), _command_line(ctx, app)


def _work(session: Session, settings: Settings, now: datetime, command: str) -> _Work:
    """A correction made now (wall clock), as of ``now`` (--now)."""
    from watcher.clock import SystemClock

    return _Work(session, settings, now, command, SystemClock().now())


# --- the commands --------------------------------------------------------------------


def set_cmd(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or the start of its company name.")],
    feedback_by: Annotated[
        str | None,
        typer.Option(
            "--feedback-by", help="Day feedback was promised by: 2026-03-20, 'friday', 'in 3 days'."
        ),
    ] = None,
    interview_at: Annotated[
        str | None,
        typer.Option(
            "--interview-at",
            help="Interview time: 2026-03-12T14:00, 'next tuesday 2pm' (a day alone = noon).",
        ),
    ] = None,
    no_followup: Annotated[
        bool, typer.Option("--no-followup", help="They asked not to be chased: never nudge.")
    ] = False,
    followup_ok: Annotated[
        bool, typer.Option("--followup-ok", help="Following up is fine (undoes a detected ask).")
    ] = False,
    contact: Annotated[
        str | None, typer.Option("--contact", help="The recruiter's address to write to.")
    ] = None,
) -> None:
    """Override facts of a lead; they beat what was detected, from now on."""
    from watcher.cli_dates import describe_day, describe_moment, parse_day, parse_moment

    app, settings, now, command = _begin(ctx)
    if no_followup and followup_ok:
        raise UsageError("--no-followup and --followup-ok contradict each other; give one")
    changes: dict[str, Any] = {}
    readings: list[str] = []  # what each typed date was taken as, echoed before the change
    if feedback_by is not None:
        changes["feedback_by"] = parse_day(feedback_by, now, settings.zone, "--feedback-by")
        readings.append(f"--feedback-by {feedback_by!r}: {describe_day(changes['feedback_by'])}")
    if interview_at is not None:
        changes["interview_at"] = parse_moment(interview_at, now, settings.zone, "--interview-at")
        taken = describe_moment(changes["interview_at"], settings.zone)
        readings.append(f"--interview-at {interview_at!r}: {taken}")
    if no_followup or followup_ok:
        changes["no_followup"] = no_followup
    if contact is not None:
        changes["contact"] = parse_address(contact, "--contact")
    if not changes:
        raise UsageError(
            "nothing to set: give --feedback-by, --interview-at, --no-followup, "
            "--followup-ok or --contact"
        )
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        target = work.lead(lead)
        before = work.current(work.decide([target.id]), target)
        old = _old_facts(work, before)
        rows = [
            work.record(
                target="lead",
                lead_id=target.id,
                field=name,
                old_value=old[name],
                new_value={"value": value.isoformat() if hasattr(value, "isoformat") else value},
            )
            for name, value in changes.items()
        ]
        after = work.current(work.decide([target.id]), target)
        data = {
            "lead": lead_row(after),
            "overrides": [override_row(r, settings.zone) for r in rows],
        }
    if not app.json_output:
        for reading in readings:
            console().print(f"taking {reading}", highlight=False)
    _emit(app, data, rows, after)


def mark_cmd(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="Lead id or the start of its company name.")],
    status: Annotated[str, typer.Argument(help="dead, active, ignored, offer or rejected.")],
) -> None:
    """Override a lead's status (active reopens it; the others close it)."""
    app, settings, now, command = _begin(ctx)
    mark = parse_mark(status)
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        target = work.lead(lead)
        before = work.current(work.decide([target.id]), target)
        row = work.record(
            target="lead",
            lead_id=target.id,
            field="status",
            old_value=_old_facts(work, before)["status"],
            new_value={"value": mark.value},
        )
        after = work.current(work.decide([target.id]), target)
        data = {"lead": lead_row(after), "overrides": [override_row(row, settings.zone)]}
    _emit(app, data, [row], after)


def _message_row(message: StoredMessage, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": message.id,
        "message_id": message.message_id,
        "subject": message.subject,
        "sender": message.sender_email,
        # stored in UTC, shown in the user's zone like every other time
        "sent_at": message.sent_at.astimezone(zone) if message.sent_at else None,
    }


def _refuse_outbound(message: StoredMessage, what: str) -> None:
    if message.direction == "out":
        raise UsageError(f"message {message.id} is one you sent; {what}")


def relabel_cmd(
    ctx: typer.Context,
    message: Annotated[
        str, typer.Argument(help="Stored message id, Message-ID, or a unique start of it.")
    ],
    kind: Annotated[str, typer.Argument(help="The right kind (e.g. rejection, offer, not_job).")],
) -> None:
    """Correct the kind detected for one message; also kept as training data."""
    from watcher.store.leads import active_overrides
    from watcher.store.overrides import lead_of_message

    app, settings, now, command = _begin(ctx)
    wanted = parse_kind(kind)
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        found = work.message(message)
        _refuse_outbound(found, "only received mail has a kind")
        work.refresh()
        relabelled = active_overrides(session).kinds.get(found.message_key)
        detected = found.detection.kind if found.detection else None
        old = {
            "value": relabelled.value if relabelled else detected,
            "source": "you" if relabelled else ("detected" if detected else None),
        }
        row = work.record(
            target="message",
            message_key=found.message_key,
            field="kind",
            old_value=old,
            new_value={"value": wanted.value},
        )
        work.refresh()
        holder = lead_of_message(session, found.message_key)
        after = work.decide([holder.id]).get(holder.id) if holder else None
        data = {
            "message": {**_message_row(found, settings.zone), "kind": wanted.value},
            "lead": lead_row(after) if after else None,
            "overrides": [override_row(row, settings.zone)],
        }
    _emit(app, data, [row], after)


def merge_cmd(
    ctx: typer.Context,
    into: Annotated[str, typer.Argument(help="The lead that stays.")],
    other: Annotated[str, typer.Argument(help="The lead whose messages join it.")],
) -> None:
    """Merge two leads: `merge A B` moves B's messages into A (B then holds none)."""
    app, settings, now, command = _begin(ctx)
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        keep, gone = work.lead(into), work.lead(other)
        if keep.id == gone.id:
            raise UsageError(f"{into!r} and {other!r} are the same lead ({keep.id})")
        states = work.decide([keep.id, gone.id])
        for each in (keep, gone):
            work.current(states, each)
        row = work.record(
            target="lead",
            lead_id=gone.id,
            field="merge",
            old_value={"lead_id": gone.id, "key": gone.key, "company": gone.company},
            new_value={"into_key": keep.key, "into_id": keep.id, "into_company": keep.company},
        )
        after = work.current(work.decide([keep.id]), keep)
        data = {"lead": lead_row(after), "overrides": [override_row(row, settings.zone)]}
    _emit(app, data, [row], after)


def _message_count(session: Session, lead: StoredLead) -> int:
    from sqlalchemy import select

    from watcher.store.tables import LeadMessage, StoredMessage

    keys = session.scalars(
        select(StoredMessage.message_key)
        .join(LeadMessage, LeadMessage.message_id == StoredMessage.id)
        .where(LeadMessage.lead_id == lead.id)
    )
    return len(set(keys))


def split_cmd(
    ctx: typer.Context,
    lead: Annotated[str, typer.Argument(help="The lead the message is in now.")],
    message: Annotated[
        str, typer.Argument(help="Stored message id, Message-ID, or a unique start of it.")
    ],
) -> None:
    """Move one message out of a lead into a new lead of its own."""
    from watcher.store.overrides import lead_of_message

    app, settings, now, command = _begin(ctx)
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        source = work.lead(lead)
        found = work.message(message)
        _refuse_outbound(found, "only mail from the hiring side can start a lead")
        holder = lead_of_message(session, found.message_key)
        if holder is None or holder.id != source.id:
            where = f"lead {holder.id} ({holder.company})" if holder else "no lead"
            raise UsageError(f"message {found.id} is in {where}, not in lead {source.id}")
        if _message_count(session, source) < 2:
            raise UsageError(f"message {found.id} is the only message of lead {source.id}")
        work.current(work.decide([source.id]), source)
        row = work.record(
            target="message",
            message_key=found.message_key,
            field="split",
            old_value={"lead_id": source.id, "key": source.key, "company": source.company},
            new_value={"value": True},
        )
        work.refresh()
        moved = lead_of_message(session, found.message_key)
        states = work.decide([source.id] + ([moved.id] if moved else []))
        new = states.get(moved.id) if moved else None
        left = states.get(source.id)
        data = {
            "lead": lead_row(left) if left else None,
            "new_lead": lead_row(new) if new else None,
            "message": _message_row(found, settings.zone),
            "overrides": [override_row(row, settings.zone)],
        }
    if app.json_output:
        print_json(data)
        return
    into = f"new lead {new.lead.id}" if new is not None else "a lead of its own"
    console().print(
        f"moved message {found.id} ({found.subject or 'no subject'!r}) out of lead "
        f"{source.id} ({source.company or '?'}) into {into}",
        highlight=False,
    )
    for current in (left, new):
        if current is not None:
            _print_lead(current)


def ignore_cmd(
    ctx: typer.Context,
    sender: Annotated[
        str | None, typer.Option("--sender", help="Never make leads from this address.")
    ] = None,
    domain: Annotated[
        str | None, typer.Option("--domain", help="Never make leads from this domain.")
    ] = None,
) -> None:
    """Ignore a sender or a whole domain: their mail makes no lead (undo takes it back)."""
    from watcher.store.overrides import add_ignore_rule

    app, settings, now, command = _begin(ctx)
    if (sender is None) == (domain is None):
        raise UsageError("give exactly one of --sender ADDRESS or --domain DOMAIN")
    kind, value = (
        ("sender", parse_address(sender, "--sender"))
        if sender is not None
        else ("domain", parse_domain(domain or ""))
    )
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        _refuse_not_yet_written(work, kind, value)
        # what undo needs to bring the leads back under their ids (the rows go away)
        before = saved = work.lead_names()
        added = add_ignore_rule(session, kind, value, now)
        after = work.lead_names()
        removed = sorted(set(before) - set(after))
        row: Override | None = None
        if added:
            row = work.record(
                target=kind,
                field="ignore",
                old_value={"leads": [saved[i] for i in removed]},
                new_value={"value": value},
            )
        data = {
            "kind": kind,
            "value": value,
            "added": row is not None,
            "leads_removed": removed,
            "overrides": [override_row(row, settings.zone)] if row else [],
        }
    if app.json_output:
        print_json(data)
        return
    if row is None:
        console().print(f"{kind} {value} was already ignored", highlight=False)
        return
    gone = ", ".join(map(str, removed)) or "none"
    console().print(f"ignoring {kind} {value}; leads removed: {gone}", highlight=False)


def _refuse_not_yet_written(work: _Work, kind: str, value: str) -> None:
    """As of --now, a sender whose every message came later has not written yet."""
    from sqlalchemy import and_, or_, select

    from watcher.store.tables import StoredMessage

    column = StoredMessage.sender_email
    sender = column == value if kind == "sender" else column.endswith("@" + value)
    theirs = select(StoredMessage.id).where(sender, StoredMessage.direction == "in").limit(1)
    arrived = StoredMessage.sent_at <= work.now
    unknown = and_(StoredMessage.sent_at.is_(None), StoredMessage.stored_at <= work.now)
    if work.session.scalar(theirs) is None:
        return  # nothing from them at all: ignoring them ahead is fine
    if work.session.scalar(theirs.where(or_(arrived, unknown))) is None:
        raise UsageError(
            f"{kind} {value} has sent nothing as of {work.as_of()}: their first message "
            "came later; use a later --now"
        )


def _affected(session: Session, rows: Iterable[Override]) -> set[int]:
    from watcher.store.overrides import lead_of_message

    ids: set[int] = set()
    for row in rows:
        if row.lead_id is not None:
            ids.add(row.lead_id)
        if isinstance(row.new_value.get("into_id"), int):
            ids.add(row.new_value["into_id"])
        if row.message_key:
            holder = lead_of_message(session, row.message_key)
            if holder is not None:
                ids.add(holder.id)
    return ids


def undone_text(row: Override) -> str:
    """What taking ``row`` back restored, in words."""
    if row.field == "ignore":
        return f"no longer ignoring {row.target} {row.new_value.get('value')}"
    if row.field == "merge":
        return (
            f"lead {row.old_value.get('lead_id')} ({row.old_value.get('company')}) is apart again"
        )
    if row.field == "split":
        return f"the message is back {show_value(row.old_value)}"
    return f"{row.field} back to {show_value(row.old_value)}"


def undo_cmd(ctx: typer.Context) -> None:
    """Take back the last correction still in force (all that one command changed)."""
    from watcher.store.overrides import last_command, restore_leads, undo

    def apply(session: Session, rows: list[Override], work: _Work) -> None:
        undo(session, rows, work.now, work.recorded_at)
        restore_leads(session, rows, work.now)

    nothing = "nothing to undo: no correction is in force"
    _take(ctx, last_command, apply, "undone", "undid", undone_text, nothing)


def redone_text(row: Override) -> str:
    """What putting ``row`` back in force changed, in words."""
    if row.field == "ignore":
        return f"ignoring {row.target} {row.new_value.get('value')} again"
    if row.field == "merge":
        return f"lead {row.old_value.get('lead_id')} merged again"
    if row.field == "split":
        return "the message is on its own again"
    return f"{row.field} set again to {show_value(row.new_value)}"


def redo_cmd(ctx: typer.Context) -> None:
    """Put back the correction the last `undo` took back (until another correction is made)."""
    from watcher.store.overrides import last_undone, redo

    def apply(session: Session, rows: list[Override], work: _Work) -> None:
        redo(session, rows, work.recorded_at)

    nothing = (
        "nothing to redo: redo puts back what `followup undo` took back, "
        "until another correction is made"
    )
    _take(ctx, last_undone, apply, "redone", "redid", redone_text, nothing)


def _take(
    ctx: typer.Context,
    pick: Callable[[Session], list[Override]],
    apply: Callable[[Session, list[Override], _Work], None],
    key: str,
    verb: str,
    describe: Callable[[Override], str],
    nothing: str,
) -> None:
    """Undo or redo one command's rows, decide again, and show the leads they touched."""
    app, settings, now, command = _begin(ctx)
    with app.transaction() as session:
        work = _work(session, settings, now, command)
        rows = pick(session)
        if not rows:
            raise UsageError(nothing)
        affected = _affected(session, rows)
        apply(session, rows, work)
        work.refresh()
        affected |= _affected(session, rows)
        states = work.decide(affected)
        leads = [states[i] for i in sorted(affected) if i in states]
        data = {
            key: [override_row(r, settings.zone) for r in rows],
            "leads": [lead_row(s) for s in leads],
        }
        lines = [f"{verb} {row.command!r}: {describe(row)}" for row in rows]
    if app.json_output:
        print_json(data)
        return
    for line in lines:
        console().print(printable(line), highlight=False, markup=False)
    for current in leads:
        _print_lead(current)


def _history_lead(session: Session, reference: str) -> StoredLead:
    """Leads holding mail first; a lead merged away is still found by its id or name."""
    from sqlalchemy import select

    from watcher.store.leads import find_lead
    from watcher.store.overrides import live_leads
    from watcher.store.tables import StoredLead

    try:
        return find_lead(reference, live_leads(session))
    except UnknownLeadError as error:
        if error.candidates:
            raise
    return find_lead(reference, list(session.scalars(select(StoredLead).order_by(StoredLead.id))))


def history_cmd(
    ctx: typer.Context,
    lead: Annotated[
        str | None, typer.Argument(help="Only this lead's corrections (id or company).")
    ] = None,
) -> None:
    """The audit trail: every correction, when, by which command, old -> new, undone or not."""
    from watcher.store.overrides import history

    app = state(ctx)
    zone = app.settings().zone
    with app.transaction() as session:
        if lead is None:
            rows = history(session)
        else:
            found = _history_lead(session, lead)
            rows = history(session, found.id, found.key)
        data = [override_row(row, zone) for row in rows]
    if app.json_output:
        print_json(data)
        return
    print_table(
        [
            {
                "id": row["id"],
                "made": row["recorded_at"].strftime("%Y-%m-%d %H:%M"),
                "as of": row["as_of"].strftime("%Y-%m-%d %H:%M"),
                "command": row["command"],
                "field": row["field"],
                "change": f"{show_value(row['old'])} -> {show_value(row['new'])}",
                "undone": _undone_text(row),
            }
            for row in data
        ],
        HISTORY_COLUMNS,
        title="corrections",
        wrap="change",
        limits={"command": 30},
    )


def _undone_text(row: Mapping[str, Any]) -> str:
    if row["undone_at"]:
        return str(row["undone_at"].strftime("%Y-%m-%d %H:%M"))
    if row["redone_at"]:
        return f"redone {row['redone_at']:%Y-%m-%d %H:%M}"
    return ""


def export_cmd(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write to this file instead of stdout.", dir_okay=False),
    ] = None,
) -> None:
    """Write relabelled messages as corpus JSON Lines (nlp/corpus/README.md)."""
    from watcher.corrections import correction_records, write_records

    app = state(ctx)
    with app.transaction() as session:
        records = correction_records(session)
    if out is None:
        import sys

        write_records(records, sys.stdout)
        return
    try:
        with out.open("w", encoding="utf-8") as handle:
            count = write_records(records, handle)
    except OSError as exc:
        raise UsageError(f"--out {out}: {exc.strerror or exc}") from exc
    if app.json_output:
        print_json({"out": out, "records": count})
    else:
        console().print(f"wrote {count} correction(s) to {out}", highlight=False)


def train_user_model(
    ctx: typer.Context,
    *,
    corpus: Path | None,
    out: Path | None,
    seed: int,
    split: str,
    reset: bool,
) -> None:
    """`followup train --with-corrections` / `--reset`: the user's own model, or none."""
    from watcher.corpus import CORPUS_DIR
    from watcher.corrections import (
        correction_records,
        reset_model,
        train_with_corrections,
        user_model_dir,
    )

    app = state(ctx)
    if reset:
        removed = reset_model()
        reanalysed = _reanalyse(app, "auto") if app.resolved_config_path.exists() else 0
        summary: dict[str, Any] = {"reset": removed, "reanalysed": reanalysed}
        message = (
            "removed your retrained model; using the shipped one"
            if removed
            else "no retrained model to remove; using the shipped one"
        )
    else:
        with app.transaction() as session:
            records = correction_records(session)
        if not records:
            raise UsageError("no corrections yet: relabel messages with `followup relabel` first")
        target = out or user_model_dir()
        result = train_with_corrections(records, corpus or CORPUS_DIR, target, seed, split)
        reanalysed = _reanalyse(app, target) if target == user_model_dir() else 0
        summary = {
            "model_version": result.model_version,
            "examples": result.examples,
            "corrections": result.corrections,
            "out": result.out_dir,
            "seed": seed,
            "reanalysed": reanalysed,
        }
        message = (
            f"trained {result.model_version} on {result.examples} examples "
            f"({result.corrections} correction(s)) -> {result.out_dir}"
        )
    if app.json_output:
        print_json(summary)
    else:
        console().print(message, highlight=False)


def _reanalyse(app: AppState, model: str | Path) -> int:
    """Detect stored mail again with ``model`` and decide again (overrides still win)."""
    from nlp.pipeline import load
    from watcher.analysis import reanalyse
    from watcher.refresh import refresh

    settings = app.settings()
    now = app.clock().now()
    analyzer = load(model)
    with app.transaction() as session:
        count = reanalyse(session, analyzer, now)
        refresh(session, settings, now)  # stored; nothing here shows the leads
    return count


def register(app: typer.Typer) -> None:
    app.command("set")(set_cmd)
    app.command("mark")(mark_cmd)
    app.command("relabel")(relabel_cmd)
    app.command("merge")(merge_cmd)
    app.command("split")(split_cmd)
    app.command("ignore")(ignore_cmd)
    app.command("undo")(undo_cmd)
    app.command("redo")(redo_cmd)
    app.command("history")(history_cmd)
    corrections = typer.Typer(help="Your relabels as training data.", no_args_is_help=True)
    corrections.command("export")(export_cmd)
    app.add_typer(corrections, name="corrections")
