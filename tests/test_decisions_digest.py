"""The digest and drafts for issue 13's cases, rendered from known leads (pure, explicit now)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from nlp.types import Kind
from tests.test_digest_render import at
from watcher.digest import DigestView, LeadView, MessageMark, draft_facts, render_digest
from watcher.domain import Action, Address, Decision, Direction, LeadStatus, TraceStep
from watcher.drafting import draft_email, suggest_message

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 12, 8, 0, tzinfo=ZONE)
DANA = Address("Dana Whitfield", "dana.whitfield@globex.com")
TOM = Address("Tom Becker", "tom.becker@globex.com")
ME = Address("Alex Morgan", "alex@example.org")


def decision(
    lead_id: int,
    status: LeadStatus,
    action: Action,
    due: date | None,
    reason: str,
    message_id: str | None = None,
) -> Decision:
    return Decision(lead_id, status, action, due, reason, (TraceStep("x", reason, {}, message_id),))


GLOBEX = LeadView(
    1,
    "Globex",
    decision(
        1,
        LeadStatus.INTERVIEWING,
        Action.RESPOND,
        date(2026, 11, 11),
        "Globex invited you to interview on Tue 2026-11-10 and you have not answered.",
        "g1@globex.com",
    ),
    contact=DANA,
    messages=(
        MessageMark(
            "g1@globex.com",
            at("2026-11-10 10:00"),
            Direction.INBOUND,
            Kind.INTERVIEW_INVITATION,
            "Final round interview",
            DANA,
        ),
        MessageMark(
            "g2@globex.com",
            at("2026-11-10 14:00"),
            Direction.INBOUND,
            Kind.RECRUITER_REPLY,
            "Take-home exercise",
            TOM,
        ),
    ),
)
HOOLI = LeadView(
    2,
    "Hooli",
    decision(2, LeadStatus.INTERVIEWING, Action.NUDGE, date(2026, 11, 12), "Nudge Hooli."),
    contact=Address("Hank Moody", "hank@hooli.com"),
    messages=(
        MessageMark(
            "h1@hooli.com",
            at("2026-11-05 14:00"),
            Direction.INBOUND,
            Kind.INTERVIEW_CONFIRMATION,
            "Interview",
            Address("Hank Moody", "hank@hooli.com"),
        ),
        MessageMark(
            "h2@example.org",
            at("2026-11-09 17:00"),
            Direction.OUTBOUND,
            None,
            "Re: Interview",
            ME,
            ("h1@hooli.com",),
        ),
    ),
    interview_at=at("2026-11-09 11:00"),
    draft_saved=True,
)
UMBRELLA = LeadView(
    3,
    "Umbrella Health",
    decision(
        3,
        LeadStatus.INTERVIEWING,
        Action.NONE,
        None,
        "You answered their invitation on Tue 2026-11-10; nothing to do until they write.",
    ),
)
CLOSED = LeadView(
    4,
    "Initech",
    decision(4, LeadStatus.REJECTED, Action.NONE, None, "Initech closed the process."),
)
ANSWERED_OFFER = LeadView(
    5,
    "Kestrel Labs",
    decision(5, LeadStatus.OFFER, Action.NONE, None, "You answered their offer."),
)


def test_respond_draft_goes_to_the_invitations_writer_in_its_thread() -> None:
    facts = draft_facts(GLOBEX, "Alex Morgan", ZONE)
    suggestion = suggest_message(facts, ZONE)
    assert suggestion is not None
    assert (suggestion.to, suggestion.subject) == (DANA, "Re: Final round interview")
    assert suggestion.template == "respond_invitation"
    mail = draft_email(
        suggestion, sender=str(ME), message_id="<d@followup.local>", now=NOW, lead_id=1
    )
    assert mail["In-Reply-To"] == "<g1@globex.com>"
    assert mail["References"] == "<g1@globex.com>"


def test_nudge_draft_threads_under_the_users_last_message() -> None:
    suggestion = suggest_message(draft_facts(HOOLI, "Alex Morgan", ZONE), ZONE)
    assert suggestion is not None
    mail = draft_email(
        suggestion, sender=str(ME), message_id="<d@followup.local>", now=NOW, lead_id=2
    )
    assert mail["In-Reply-To"] == "<h2@example.org>"
    assert mail["References"] == "<h1@hooli.com> <h2@example.org>"


def test_every_open_lead_has_a_line_and_closed_ones_do_not() -> None:
    view = DigestView("alex@example.org", "Alex", (GLOBEX, HOOLI, UMBRELLA, CLOSED, ANSWERED_OFFER))
    rendered = render_digest(view, NOW, ZONE)
    section = rendered.text.split("OPEN, NOTHING TO DO (1)", 1)[1]
    assert "Umbrella Health" in section
    assert "You answered their invitation on Tue 2026-11-10" in section
    assert "Initech" not in rendered.text
    assert "Kestrel" not in rendered.text
    assert "Open, nothing to do" in rendered.html
    assert "Umbrella Health" in rendered.html
    # An idle open lead alone is no reason to send a digest (send_empty keeps its meaning).
    assert "open" not in rendered.counts


def test_digest_says_which_suggestion_is_saved_as_a_draft() -> None:
    rendered = render_digest(DigestView("alex@example.org", "Alex", (GLOBEX, HOOLI)), NOW, ZONE)
    note = "A draft of this message is saved in your Drafts folder."
    hooli = rendered.text.split("* Hooli", 1)[1]
    globex = rendered.text.split("* Globex", 1)[1].split("* Hooli", 1)[0]
    assert note in hooli
    assert note not in globex
    assert rendered.html.count(note) == 1
