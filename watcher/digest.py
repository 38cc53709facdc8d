"""Pure: the daily digest (text, HTML, .ics and the MIME message) from a view of the leads."""

from __future__ import annotations

import hashlib
import re
import shlex
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from icalendar import Calendar, Event
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from nlp.types import Kind
from watcher.domain import Action, Address, Decision, Direction, LeadStatus
from watcher.drafting import DraftFacts, SuggestedMessage, ThreadRef, suggest_message

__all__ = [
    "CheckItem",
    "DigestSections",
    "DigestView",
    "LeadView",
    "MessageMark",
    "RenderedDigest",
    "build_digest_message",
    "digest_message_id",
    "digest_sections",
    "draft_facts",
    "render_digest",
]

DIGEST_HEADER = "X-Followup-Digest"
MESSAGE_ID_DOMAIN = "followup.local"
COMING_UP_DAYS = 7
_FOLLOW_UP_ORDER = {Action.RESPOND: 0, Action.THANK: 1, Action.NUDGE: 2}
_CLOSED = {LeadStatus.DEAD, LeadStatus.IGNORED, LeadStatus.REJECTED}


@dataclass(frozen=True)
class MessageMark:
    """One message of a lead, as the timeline and the reply threading need it."""

    message_id: str
    at: datetime
    direction: Direction
    kind: Kind | None
    subject: str = ""
    sender: Address | None = None
    references: tuple[str, ...] = ()
    auto_reply: bool = False  # an out-of-office: no reply, nothing to answer (DESIGN: away)


@dataclass(frozen=True)
class LeadView:
    """A lead with its latest decision, as the digest shows it."""

    lead_id: int
    company: str
    decision: Decision
    contact: Address | None = None
    role: str = ""  # the role, or the thread's subject
    messages: tuple[MessageMark, ...] = ()  # in time order
    interview_at: datetime | None = None
    feedback_by: date | None = None
    draft_saved: bool = False  # the suggestion for this decision is in the Drafts folder

    @property
    def title(self) -> str:
        company = self.company or "Unknown company"
        return f"{company} — {self.role}" if self.role else company


@dataclass(frozen=True)
class CheckItem:
    """A detection the model was unsure about."""

    message_id: str
    subject: str
    sender: str
    kind: Kind
    confidence: float
    at: datetime
    company: str = ""

    @property
    def command(self) -> str:
        """The command that settles it (relabelling to the same kind confirms it)."""
        return f"followup relabel {shlex.quote(self.message_id)} {self.kind.value}"


@dataclass(frozen=True)
class DigestView:
    """Everything one digest is rendered from."""

    recipient: str
    user_name: str
    leads: tuple[LeadView, ...]
    let_go: tuple[LeadView, ...] = ()  # dead since the last digest
    checks: tuple[CheckItem, ...] = ()
    low_confidence: float = 0.6


@dataclass(frozen=True)
class FollowUp:
    lead: LeadView
    suggestion: SuggestedMessage | None


@dataclass(frozen=True)
class Upcoming:
    day: date
    label: str  # "Interview 14:00" or "Feedback promised"
    lead: LeadView


@dataclass(frozen=True)
class DigestSections:
    follow_up: tuple[FollowUp, ...]
    coming_up: tuple[Upcoming, ...]
    waiting: tuple[LeadView, ...]
    let_go: tuple[LeadView, ...]
    please_check: tuple[CheckItem, ...]
    # Open leads with nothing to do: every open lead gets a line, but they alone are no
    # reason to send a digest (not in counts(), so send_empty still means what it says).
    open: tuple[LeadView, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            "follow_up": len(self.follow_up),
            "coming_up": len(self.coming_up),
            "waiting": len(self.waiting),
            "let_go": len(self.let_go),
            "please_check": len(self.please_check),
        }

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str
    ics: bytes
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayCell:
    """One day of a lead's timeline strip."""

    day: date
    marks: tuple[tuple[str, str, str], ...]  # (symbol, colour, title)
    bar: str  # "", "window", "due", "interview"
    today: bool
    weekend: bool


@dataclass(frozen=True)
class WeekLabel:
    span: int
    text: str


def _short_day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b}"


def _local_day(value: datetime, zone: tzinfo) -> date:
    return value.astimezone(zone).date()


def _kind_text(kind: Kind | None) -> str:
    return kind.value.replace("_", " ") if kind else ""


def _is_business_day(value: date) -> bool:
    return value.weekday() < 5


def _next_business_day_end(value: date) -> date:
    day = value + timedelta(days=1)
    while not _is_business_day(day):
        day += timedelta(days=1)
    return day


def _follow_ups(lead: LeadView, zone: tzinfo) -> tuple[int, datetime | None]:
    """The user's follow-ups since the interview or the last recruiter message.

    The first message by the end of the next business day after the interview is
    the thank-you note, not a follow-up (DESIGN, rules 4-5); weekends only here,
    since this counts for wording, not for deciding.
    """
    inbound = [m.at for m in lead.messages if m.direction is Direction.INBOUND and not m.auto_reply]
    base_points = [*inbound[-1:], *([lead.interview_at] if lead.interview_at else [])]
    base = max(base_points) if base_points else None
    outbound = [
        m.at
        for m in lead.messages
        if m.direction is Direction.OUTBOUND and (base is None or m.at > base)
    ]
    if lead.interview_at and outbound and base == lead.interview_at:
        thank_by = _next_business_day_end(_local_day(lead.interview_at, zone))
        if _local_day(outbound[0], zone) <= thank_by:
            outbound = outbound[1:]
    return len(outbound), (outbound[-1] if outbound else None)


def _answered_message(lead: LeadView) -> MessageMark | None:
    """For ``respond``: the invitation or offer that needs the answer (the trace names it)."""
    if lead.decision.action is not Action.RESPOND or not lead.decision.trace:
        return None
    wanted = lead.decision.trace[-1].message_id
    return next((m for m in lead.messages if wanted and m.message_id == wanted), None)


def _respond_to(lead: LeadView) -> Kind | None:
    answered = _answered_message(lead)
    if answered is not None:
        return answered.kind
    for mark in reversed(lead.messages):
        if mark.direction is Direction.INBOUND and mark.kind not in (None, Kind.NOT_JOB):
            return mark.kind
    return None


def _reply_target(lead: LeadView) -> ThreadRef | None:
    """``respond`` replies to the message that needs the answer, in its thread; a thank-you
    or nudge to the latest message from the hiring side, or to the user's own later
    follow-up, so the references carry it and the draft threads under it."""
    answered = _answered_message(lead)
    if answered is not None:
        return ThreadRef(answered.message_id, answered.subject, answered.references)
    inbound = [m for m in lead.messages if m.direction is Direction.INBOUND and not m.auto_reply]
    candidates = inbound or list(lead.messages)
    if not candidates:
        return None
    target = candidates[-1]
    later = [m for m in lead.messages if m.direction is Direction.OUTBOUND and m.at > target.at]
    if later:
        own = later[-1]
        bare = {r.strip("<> ").lower() for r in own.references}
        earlier = () if target.message_id.strip("<> ").lower() in bare else (target.message_id,)
        return ThreadRef(own.message_id, own.subject or target.subject, (*earlier, *own.references))
    return ThreadRef(target.message_id, target.subject, target.references)


def draft_facts(lead: LeadView, user_name: str, zone: tzinfo) -> DraftFacts:
    """What the suggested message for ``lead`` is written from."""
    sent, last = _follow_ups(lead, zone)
    senders: list[Address] = []
    answered = _answered_message(lead)
    marks = [answered] if answered is not None else []
    for mark in [*marks, *reversed(lead.messages)]:
        if mark.direction is Direction.INBOUND and mark.sender and mark.sender not in senders:
            senders.append(mark.sender)
    return DraftFacts(
        action=lead.decision.action,
        company=lead.company,
        role=lead.role,
        contact=lead.contact,
        addresses=tuple(senders),
        interview_at=lead.interview_at,
        feedback_by=lead.feedback_by,
        follow_ups_sent=sent,
        last_follow_up_at=last,
        reply_to=_reply_target(lead),
        respond_to=_respond_to(lead),
        user_name=user_name,
    )


def _live(lead: LeadView) -> bool:
    return lead.decision.action is not Action.DEAD and lead.decision.status not in _CLOSED


def _open(lead: LeadView) -> bool:
    """Not closed: no rejection, no answered offer, not let go or ignored."""
    return _live(lead) and lead.decision.status is not LeadStatus.OFFER


def _upcoming(leads: tuple[LeadView, ...], now: datetime, zone: tzinfo) -> list[Upcoming]:
    today = now.astimezone(zone).date()
    horizon = today + timedelta(days=COMING_UP_DAYS)
    items: list[Upcoming] = []
    for lead in leads:
        if not _live(lead):
            continue
        if lead.interview_at is not None and lead.interview_at >= now:
            local = lead.interview_at.astimezone(zone)
            if local.date() <= horizon:
                items.append(Upcoming(local.date(), f"Interview at {local:%H:%M}", lead))
        if lead.feedback_by is not None and today <= lead.feedback_by <= horizon:
            items.append(Upcoming(lead.feedback_by, "Feedback promised by this day", lead))
    return sorted(items, key=lambda u: (u.day, u.lead.title))


def digest_sections(view: DigestView, now: datetime, zone: tzinfo) -> DigestSections:
    """Sort the leads into the digest's sections."""
    follow = [
        lead for lead in view.leads if lead.decision.action in _FOLLOW_UP_ORDER and _live(lead)
    ]
    follow.sort(
        key=lambda lead: (
            _FOLLOW_UP_ORDER[lead.decision.action],
            lead.decision.due or date.max,
            lead.title,
        )
    )
    waiting = sorted(
        (lead for lead in view.leads if lead.decision.action is Action.WAIT and _live(lead)),
        key=lambda lead: (lead.decision.due or date.max, lead.title),
    )
    checks = sorted(
        (c for c in view.checks if c.confidence < view.low_confidence), key=lambda c: c.at
    )
    idle = sorted(
        (lead for lead in view.leads if lead.decision.action is Action.NONE and _open(lead)),
        key=lambda lead: lead.title,
    )
    return DigestSections(
        follow_up=tuple(
            FollowUp(lead, suggest_message(draft_facts(lead, view.user_name, zone), zone))
            for lead in follow
        ),
        coming_up=tuple(_upcoming(view.leads, now, zone)),
        waiting=tuple(waiting),
        let_go=tuple(sorted(view.let_go, key=lambda lead: lead.title)),
        please_check=tuple(checks),
        open=tuple(idle),
    )


# --- the timeline strip -------------------------------------------------------

_INBOUND_COLOUR = "#0969da"
_OUTBOUND_COLOUR = "#1a7f37"
_INTERVIEW_COLOUR = "#8250df"
_PROMISE_COLOUR = "#bc4c00"


def _strip_bounds(lead: LeadView, today: date, zone: tzinfo) -> tuple[date, date]:
    points = [_local_day(m.at, zone) for m in lead.messages]
    ahead = [today + timedelta(days=6)]
    if lead.interview_at:
        points.append(_local_day(lead.interview_at, zone))
        ahead.append(_local_day(lead.interview_at, zone))
    for value in (lead.decision.due, lead.feedback_by):
        if value:
            ahead.append(value)
    start = max(min([*points, today - timedelta(days=6)]), today - timedelta(days=27))
    end = min(max(ahead), today + timedelta(days=20))
    start -= timedelta(days=start.weekday())  # weeks start on Monday
    end += timedelta(days=6 - end.weekday())
    return start, end


def _window_start(lead: LeadView, zone: tzinfo) -> date | None:
    points = [_local_day(m.at, zone) for m in lead.messages]
    if lead.interview_at:
        points.append(_local_day(lead.interview_at, zone))
    return max(points) if points else None


def timeline(
    lead: LeadView, now: datetime, zone: tzinfo
) -> tuple[tuple[DayCell, ...], tuple[WeekLabel, ...]]:
    """Day cells (messages as marks, the waiting window and due day as bars) and week labels."""
    today = now.astimezone(zone).date()
    start, end = _strip_bounds(lead, today, zone)
    due = lead.decision.due
    window_from = _window_start(lead, zone)
    interview_day = _local_day(lead.interview_at, zone) if lead.interview_at else None
    marks: dict[date, list[tuple[str, str, str]]] = {}
    for message in lead.messages:
        day = _local_day(message.at, zone)
        if message.direction is Direction.INBOUND:
            title = f"{_short_day(day)}: from them ({_kind_text(message.kind) or 'message'})"
            marks.setdefault(day, []).append(("●", _INBOUND_COLOUR, title))
        else:
            marks.setdefault(day, []).append(
                ("●", _OUTBOUND_COLOUR, f"{_short_day(day)}: from you")
            )
    if interview_day is not None:
        marks.setdefault(interview_day, []).append(
            ("◆", _INTERVIEW_COLOUR, f"{_short_day(interview_day)}: interview")
        )
    if lead.feedback_by is not None:
        marks.setdefault(lead.feedback_by, []).append(
            ("▲", _PROMISE_COLOUR, f"{_short_day(lead.feedback_by)}: feedback promised by")
        )
    cells: list[DayCell] = []
    day = start
    while day <= end:
        bar = ""
        if due is not None and day == due:
            bar = "due"
        elif interview_day is not None and day == interview_day:
            bar = "interview"
        elif due is not None and window_from is not None and window_from < day < due:
            bar = "window"
        cells.append(
            DayCell(day, tuple(marks.get(day, [])[:3]), bar, day == today, day.weekday() >= 5)
        )
        day += timedelta(days=1)
    weeks = tuple(
        WeekLabel(7, f"{cells[i].day.day} {cells[i].day:%b}") for i in range(0, len(cells), 7)
    )
    return tuple(cells), weeks


# --- text helpers -------------------------------------------------------------


def _message_line(mark: MessageMark, zone: tzinfo) -> str:
    day = _short_day(_local_day(mark.at, zone))
    if mark.direction is Direction.OUTBOUND:
        return f"{day} from you"
    kind = "auto-reply" if mark.auto_reply else _kind_text(mark.kind)
    return f"{day} from them ({kind})" if kind else f"{day} from them"


def _timeline_text(lead: LeadView, zone: tzinfo) -> str:
    items = [(m.at, _message_line(m, zone)) for m in lead.messages[-6:]]
    if lead.interview_at:
        local = lead.interview_at.astimezone(zone)
        items.append((lead.interview_at, f"{_short_day(local.date())} {local:%H:%M} interview"))
    items.sort(key=lambda item: item[0])
    return "; ".join(text for _, text in items)


def _wrap(text: str, indent: str = "  ", width: int = 76) -> str:
    lines: list[str] = []
    for paragraph in text.splitlines():
        if not paragraph.strip():
            lines.append(indent.rstrip())
            continue
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=width,
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return "\n".join(lines)


_PLACEHOLDER = re.compile(r"\[\[.*?\]\]", re.DOTALL)


def _nl2br(text: str) -> Markup:
    """Escaped text with line breaks, the [[ ... ]] places to fill in highlighted."""
    html = str(escape(text))
    html = _PLACEHOLDER.sub(
        lambda m: f'<span style="background-color:#fff8c5;">{m.group(0)}</span>', html
    )
    return Markup(html.replace("\n", "<br>\n"))  # built from escaped text


def _due_text(decision: Decision, today: date) -> str:
    if decision.due is None:
        return ""
    if decision.due < today:
        return f"overdue since {_short_day(decision.due)}"
    if decision.due == today:
        return "due today"
    return f"due {_short_day(decision.due)}"


_ENV = Environment(
    loader=PackageLoader("watcher", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENV.filters["wrap"] = _wrap
_ENV.filters["nl2br"] = _nl2br
_ENV.filters["short_day"] = _short_day
# The text part is never HTML: a separate environment without escaping.
_TEXT_ENV = _ENV.overlay(autoescape=False)


def _subject(sections: DigestSections, today: date) -> str:
    counts = sections.counts()
    parts = []
    if counts["follow_up"]:
        parts.append(f"{counts['follow_up']} to follow up")
    if counts["coming_up"]:
        parts.append(f"{counts['coming_up']} coming up")
    if counts["waiting"]:
        parts.append(f"{counts['waiting']} waiting")
    if counts["let_go"]:
        parts.append(f"{counts['let_go']} to let go")
    if counts["please_check"]:
        parts.append(f"{counts['please_check']} to check")
    summary = ", ".join(parts) if parts else "nothing to do"
    return f"Follow-ups for {_short_day(today)}: {summary}"


def _calendar(sections: DigestSections, now: datetime, zone: tzinfo) -> bytes:
    today = now.astimezone(zone).date()
    calendar = Calendar()
    calendar.add("prodid", "-//followup//digest//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    stamp = now.astimezone(UTC)
    verbs = {Action.RESPOND: "Reply to", Action.THANK: "Thank", Action.NUDGE: "Follow up with"}
    for item in sections.follow_up:
        decision = item.lead.decision
        day = max(decision.due or today, today)
        event = Event()
        event.add(
            "uid", f"followup-{item.lead.lead_id}-{decision.action.value}-{day}@{MESSAGE_ID_DOMAIN}"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", f"{verbs[decision.action]} {item.lead.company or item.lead.title}")
        description = decision.reason
        if item.suggestion is not None:
            description += f"\n\nSubject: {item.suggestion.subject}\n\n{item.suggestion.body}"
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    for upcoming in sections.coming_up:
        interview = upcoming.lead.interview_at
        if interview is None or not upcoming.label.startswith("Interview"):
            continue
        event = Event()
        event.add(
            "uid",
            f"followup-{upcoming.lead.lead_id}-interview-{interview:%Y%m%dT%H%M}@{MESSAGE_ID_DOMAIN}",
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", interview.astimezone(UTC))
        event.add("dtend", interview.astimezone(UTC) + timedelta(hours=1))
        event.add("summary", f"Interview: {upcoming.lead.title}")
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics


def render_digest(view: DigestView, now: datetime, zone: tzinfo) -> RenderedDigest:
    """The digest for the local day of ``now``: subject, text, HTML and calendar."""
    if now.tzinfo is None:
        raise ValueError("render_digest needs an aware now")
    today = now.astimezone(zone).date()
    sections = digest_sections(view, now, zone)
    subject = _subject(sections, today)
    context = {
        "subject": subject,
        "today": today,
        "view": view,
        "sections": sections,
        "zone": zone,
        "timeline": lambda lead: timeline(lead, now, zone),
        "timeline_text": lambda lead: _timeline_text(lead, zone),
        "due_text": lambda decision: _due_text(decision, today),
        "commands_help": ", ".join(k.value for k in Kind),
        "drafts_note": "A draft of this message is saved in your Drafts folder.",
    }
    text = _TEXT_ENV.get_template("digest.txt").render(context)
    html = _ENV.get_template("digest.html").render(context)
    return RenderedDigest(
        subject=subject,
        text=text,
        html=html,
        ics=_calendar(sections, now, zone),
        counts=sections.counts(),
    )


def digest_message_id(day: date, recipient: str, sequence: int = 1) -> str:
    """The same Message-ID for the same recipient and local day (``sequence`` > 1: --force)."""
    addresses = getaddresses([recipient])
    email = (addresses[0][1] if addresses else recipient).strip().lower() or recipient
    digest = hashlib.sha256(email.encode("utf-8")).hexdigest()[:16]
    suffix = f".{sequence}" if sequence > 1 else ""
    return f"<digest-{day:%Y%m%d}-{digest}{suffix}@{MESSAGE_ID_DOMAIN}>"


def build_digest_message(
    rendered: RenderedDigest,
    *,
    sender: str,
    recipient: str,
    message_id: str,
    now: datetime,
) -> EmailMessage:
    """multipart/mixed: (text/plain | text/html) alternative + a text/calendar attachment."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message[DIGEST_HEADER] = "1"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message.add_attachment(
        rendered.ics,
        maintype="text",
        subtype="calendar",
        filename="followup.ics",
        params={"method": "PUBLISH", "charset": "utf-8"},  # summaries hold names, not ASCII
    )
    return message
