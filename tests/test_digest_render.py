"""The digest rendered from a known set of leads: sections, escaping, calendar, MIME structure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from nlp.types import Kind
from watcher.digest import (
    CheckItem,
    DigestView,
    LeadView,
    MessageMark,
    build_digest_message,
    digest_message_id,
    render_digest,
    timeline,
)
from watcher.domain import Action, Address, Decision, Direction, LeadStatus

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=ZONE)  # a Tuesday, after the switch to EDT
SCRIPT = "<script>alert('x')</script>"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def _lead(
    lead_id: int,
    company: str,
    action: Action,
    due: date | None,
    reason: str,
    contact: Address | None,
    role: str,
    messages: tuple[MessageMark, ...] = (),
    interview_at: datetime | None = None,
    feedback_by: date | None = None,
    status: LeadStatus = LeadStatus.INTERVIEWING,
) -> LeadView:
    return LeadView(
        lead_id=lead_id,
        company=company,
        decision=Decision(lead_id, status, action, due, reason),
        contact=contact,
        role=role,
        messages=messages,
        interview_at=interview_at,
        feedback_by=feedback_by,
    )


JANE = Address("Jane Doe", "jane@acme.example")
BOB = Address("Bob Stone", "bob.stone@gmail.com")
ANN = Address("Ann Lee", "ann@initech.example")
GAVIN = Address("Gavin Belson", "gavin@hooli.example")
ALICE = Address("Alice Wu", "alice@umbrella.example")


def sample_view(recipient: str = "alex@example.org") -> DigestView:
    """Six leads, one in each situation the digest knows, and one unsure detection."""
    acme = _lead(
        1,
        "Acme Corp",
        Action.NUDGE,
        date(2026, 3, 11),
        "No feedback 2 business days after the interview on Thu 5 Mar.",
        JANE,
        "Senior Engineer",
        (
            MessageMark(
                "<a1@acme.example>",
                at("2026-03-02T10:00"),
                Direction.INBOUND,
                Kind.INTERVIEW_CONFIRMATION,
                f"Interview {SCRIPT}",
                JANE,
            ),
            MessageMark("<u1@example.org>", at("2026-03-05T18:00"), Direction.OUTBOUND, None),
        ),
        interview_at=at("2026-03-05T14:00"),
    )
    globex = _lead(
        2,
        "Globex",
        Action.THANK,
        date(2026, 3, 10),
        "Interview yesterday; no thank-you note sent yet.",
        BOB,
        "Data Analyst",
        (
            MessageMark(
                "<g1@globex.example>",
                at("2026-03-03T10:00"),
                Direction.INBOUND,
                Kind.INTERVIEW_CONFIRMATION,
                "Your interview",
                BOB,
            ),
        ),
        interview_at=at("2026-03-09T11:00"),
    )
    initech = _lead(
        3,
        "Initech",
        Action.WAIT,
        date(2026, 3, 16),
        "Feedback promised by Fri 13 Mar; waiting through it plus 1 business day.",
        ANN,
        "Backend Developer",
        (
            MessageMark(
                "<i1@initech.example>",
                at("2026-03-06T10:00"),
                Direction.INBOUND,
                Kind.FEEDBACK_PROMISE,
                "Next steps",
                ANN,
            ),
        ),
        interview_at=at("2026-03-04T15:00"),
        feedback_by=date(2026, 3, 13),
    )
    hooli = _lead(
        4,
        "Hooli",
        Action.WAIT,
        date(2026, 3, 12),
        "Interview confirmed for Thu 12 Mar 15:00.",
        GAVIN,
        "Platform Engineer",
        (
            MessageMark(
                "<h1@hooli.example>",
                at("2026-03-08T10:00"),
                Direction.INBOUND,
                Kind.INTERVIEW_CONFIRMATION,
                "Interview",
                GAVIN,
            ),
        ),
        interview_at=at("2026-03-12T15:00"),
    )
    umbrella = _lead(
        6,
        "Umbrella",
        Action.RESPOND,
        date(2026, 3, 10),
        "Offer received on Mon 9 Mar; not answered yet.",
        ALICE,
        "Lead Engineer",
        (
            MessageMark(
                "<o1@umbrella.example>",
                at("2026-03-09T10:00"),
                Direction.INBOUND,
                Kind.OFFER,
                "Offer",
                ALICE,
            ),
        ),
        status=LeadStatus.OFFER,
    )
    vandelay = _lead(
        5,
        "Vandelay",
        Action.DEAD,
        None,
        "Two nudges and 7 business days of silence since Mon 23 Feb.",
        None,
        "Importer",
        status=LeadStatus.DEAD,
    )
    checks = (
        CheckItem(
            "<x1@recruit.example>",
            "Quick question about your profile",
            "Sam <sam@recruit.example>",
            Kind.RECRUITER_REPLY,
            0.41,
            at("2026-03-09T09:00"),
        ),
        CheckItem(
            "<x2@recruit.example>",
            "Sure thing",
            "Sam <sam@recruit.example>",
            Kind.REJECTION,
            0.95,
            at("2026-03-09T09:30"),
        ),
    )
    return DigestView(
        recipient=recipient,
        user_name="Alex Smith",
        leads=(acme, globex, initech, hooli, umbrella),
        let_go=(vandelay,),
        checks=checks,
        low_confidence=0.6,
    )


def _section(text: str, heading: str) -> str:
    """The lines of one text section, up to the next heading."""
    start = text.index(heading)
    rest = text[start + len(heading) :]
    ends = [
        rest.index(h)
        for h in ("\nCOMING UP", "\nWAITING", "\nLET GO", "\nPLEASE CHECK", "\n-- ")
        if h in rest
    ]
    return rest[: min(ends)] if ends else rest


def test_digest_text_lists_every_lead_in_its_section() -> None:
    rendered = render_digest(sample_view(), NOW, ZONE)
    text = rendered.text

    follow = _section(text, "FOLLOW UP TODAY (3)")
    assert follow.index("Umbrella") < follow.index("Globex") < follow.index("Acme Corp")
    assert "respond, due today" in follow
    assert "nudge, due Wed 11 Mar" in follow
    assert "Hooli" not in follow
    assert "Initech" not in follow

    coming = _section(text, "COMING UP (2)")
    assert "Thu 12 Mar: Interview at 15:00 — Hooli — Platform Engineer" in coming
    assert "Fri 13 Mar: Feedback promised by this day — Initech — Backend Developer" in coming

    waiting = _section(text, "WAITING (2)")
    assert "Hooli — Platform Engineer — until Thu 12 Mar" in waiting
    assert "Initech — Backend Developer — until Mon 16 Mar" in waiting
    assert "waiting through it plus 1 business day" in waiting

    let_go = _section(text, "LET GO (1)")
    assert "Vandelay — Importer" in let_go

    check = _section(text, "PLEASE CHECK (1)")
    assert "followup relabel '<x1@recruit.example>' recruiter_reply" in check
    assert "41% sure" in check
    assert "x2@recruit.example" not in check  # confident detections are not listed

    assert rendered.counts == {
        "follow_up": 3,
        "coming_up": 2,
        "waiting": 2,
        "let_go": 1,
        "please_check": 1,
    }
    assert rendered.subject == (
        "Follow-ups for Tue 10 Mar: 3 to follow up, 2 coming up, 2 waiting, 1 to let go, 1 to check"
    )


def test_digest_follow_up_carries_the_suggested_message() -> None:
    text = render_digest(sample_view(), NOW, ZONE).text
    follow = _section(text, "FOLLOW UP TODAY (3)")
    assert "To: Jane Doe <jane@acme.example>" in follow
    assert f"Subject: Re: Interview {SCRIPT}" in follow  # plain text is not HTML
    assert "| I hope you are well. I am following up on my interview on Thursday 5" in follow
    assert "Note: only a personal address (bob.stone@gmail.com) is known for Globex" in follow


def test_digest_html_escapes_a_subject_with_a_script_tag() -> None:
    html = render_digest(sample_view(), NOW, ZONE).html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_digest_html_has_every_section_and_no_scripts_or_svg() -> None:
    html = render_digest(sample_view(), NOW, ZONE).html
    for anchor in ("follow-up", "coming-up", "waiting", "let-go", "please-check"):
        assert f'id="{anchor}"' in html
    assert "<svg" not in html
    assert "<style" not in html
    assert "followup relabel &#39;&lt;x1@recruit.example&gt;&#39; recruiter_reply" in html


def test_empty_digest_says_there_is_nothing_to_do() -> None:
    view = DigestView("alex@example.org", "Alex", leads=())
    rendered = render_digest(view, NOW, ZONE)
    assert rendered.subject == "Follow-ups for Tue 10 Mar: nothing to do"
    assert "Nothing to follow up" in rendered.text
    assert "FOLLOW UP TODAY" not in rendered.text
    assert not any(rendered.counts.values())


def test_calendar_has_due_follow_ups_and_upcoming_interviews() -> None:
    calendar = Calendar.from_ical(render_digest(sample_view(), NOW, ZONE).ics)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Reply to Umbrella",
        "Thank Globex",
        "Follow up with Acme Corp",
        "Interview: Hooli — Platform Engineer",
    }
    assert events["Follow up with Acme Corp"].decoded("dtstart") == date(2026, 3, 11)
    interview = events["Interview: Hooli — Platform Engineer"].decoded("dtstart")
    assert interview == datetime(2026, 3, 12, 19, 0, tzinfo=UTC)  # 15:00 EDT
    assert str(calendar["method"]) == "PUBLISH"


@pytest.mark.parametrize(
    ("lead_id", "day", "expected"),
    [
        (3, date(2026, 3, 4), ("◆", "interview")),
        (3, date(2026, 3, 6), ("●", "")),
        (3, date(2026, 3, 9), ("", "window")),
        (3, date(2026, 3, 13), ("▲", "window")),
        (3, date(2026, 3, 16), ("", "due")),
        (1, date(2026, 3, 11), ("", "due")),
        (1, date(2026, 3, 5), ("●◆", "interview")),
    ],
    ids=[
        "interview-day",
        "recruiter-message",
        "waiting-window",
        "promised-date-inside-window",
        "wait-ends",
        "nudge-due",
        "thank-you-note-on-interview-day",
    ],
)
def test_timeline_marks_messages_and_bars_the_window_and_due_day(
    lead_id: int, day: date, expected: tuple[str, str]
) -> None:
    lead = next(lead for lead in sample_view().leads if lead.lead_id == lead_id)
    cells, weeks = timeline(lead, NOW, ZONE)
    cell = next(c for c in cells if c.day == day)
    assert ("".join(m[0] for m in cell.marks), cell.bar) == expected
    assert cells[0].day.weekday() == 0
    assert len(cells) == 7 * len(weeks)
    assert [c.day for c in cells if c.today] == [date(2026, 3, 10)]


def test_digest_message_is_mixed_alternative_plus_calendar() -> None:
    rendered = render_digest(sample_view(), NOW, ZONE)
    message_id = digest_message_id(date(2026, 3, 10), "alex@example.org")
    built = build_digest_message(
        rendered,
        sender="followup <alex@example.org>",
        recipient="alex@example.org",
        message_id=message_id,
        now=NOW,
    )
    parsed = BytesParser(policy=policy.default).parsebytes(built.as_bytes())
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative, attachment = parsed.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "followup.ics"
    assert attachment.get_param("method") == "PUBLISH"
    assert parsed["X-Followup-Digest"] == "1"
    assert parsed["Message-ID"] == message_id
    assert parsed["Subject"] == rendered.subject
    plain = alternative.get_body(("plain",))
    assert plain is not None
    assert "FOLLOW UP TODAY (3)" in plain.get_content()


def test_digest_message_id_is_per_recipient_and_local_day() -> None:
    day = date(2026, 3, 10)
    first = digest_message_id(day, "alex@example.org")
    assert first == digest_message_id(day, "Alex <ALEX@example.org>")
    assert first.startswith("<digest-20260310-")
    assert first.endswith("@followup.local>")
    assert first != digest_message_id(day, "sam@example.org")
    assert first != digest_message_id(date(2026, 3, 11), "alex@example.org")
    assert first != digest_message_id(day, "alex@example.org", sequence=2)
