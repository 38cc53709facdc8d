"""The suggested messages: brief, to the official address, each kind worded for its moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from email import policy
from email.parser import BytesParser
from zoneinfo import ZoneInfo

import pytest

from nlp.types import Kind
from tests.test_digest_render import ZONE as NY
from tests.test_digest_render import sample_view
from watcher.digest import MessageMark, draft_facts
from watcher.domain import Action, Address, Direction
from watcher.drafting import (
    DraftFacts,
    ThreadRef,
    choose_recipient,
    draft_email,
    draft_message_id,
    reply_subject,
    suggest_message,
)

ZONE = ZoneInfo("Europe/Berlin")
JANE = Address("Jane Doe", "jane@acme.example")
THREAD = ThreadRef(
    "<m2@acme.example>", "RE: Re: Interview for Senior Engineer", ("<m1@acme.example>",)
)


def facts(action: Action, **changes: object) -> DraftFacts:
    base = DraftFacts(
        action=action,
        company="Acme",
        role="Senior Engineer",
        contact=JANE,
        addresses=(JANE,),
        interview_at=datetime(2026, 3, 5, 14, 0, tzinfo=ZONE),
        feedback_by=None,
        follow_ups_sent=0,
        last_follow_up_at=None,
        reply_to=THREAD,
        respond_to=None,
        user_name="Alex Smith",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


CASES = {
    "thank": facts(Action.THANK),
    "first_nudge": facts(Action.NUDGE),
    "second_nudge": facts(
        Action.NUDGE, follow_ups_sent=1, last_follow_up_at=datetime(2026, 3, 9, 9, tzinfo=ZONE)
    ),
    "respond_offer": facts(Action.RESPOND, respond_to=Kind.OFFER),
    "respond_invitation": facts(Action.RESPOND, respond_to=Kind.INTERVIEW_INVITATION),
}


@pytest.mark.parametrize(
    ("case", "phrases"),
    [
        ("thank", ("Thank you for taking the time", "Thursday 5 March", "Senior Engineer role")),
        ("first_nudge", ("following up on my interview on Thursday 5 March", "update")),
        ("second_nudge", ("checking in once more", "my note of Monday 9 March")),
        ("respond_offer", ("Thank you very much for the offer", "Your answer")),
        ("respond_invitation", ("invitation to interview", "Your availability")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_suggestion_reads_for_its_moment(case: str, phrases: tuple[str, ...]) -> None:
    message = suggest_message(CASES[case], ZONE)
    assert message is not None
    assert message.template == case
    for phrase in phrases:
        assert phrase in message.body
    assert "[[" in message.body
    assert "]]" in message.body
    assert message.body.startswith("Hi Jane,")
    assert message.body.rstrip().endswith("Alex Smith")
    assert len(message.body.split()) < 110  # brief


def test_the_kinds_of_suggestion_differ_from_each_other() -> None:
    bodies = {case: suggest_message(f, ZONE) for case, f in CASES.items()}
    texts = [b.body for b in bodies.values() if b is not None]
    assert len(set(texts)) == len(CASES)


def test_thank_you_mentions_a_place_for_an_idea_from_the_interview() -> None:
    message = suggest_message(CASES["thank"], ZONE)
    assert message is not None
    assert "solution to, a problem raised in the interview" in message.body


def test_first_nudge_names_the_promised_date_when_there_was_one() -> None:
    message = suggest_message(facts(Action.NUDGE, feedback_by=date(2026, 3, 13)), ZONE)
    assert message is not None
    assert "you mentioned there might be news by Friday 13 March" in message.body


@pytest.mark.parametrize("action", [Action.WAIT, Action.DEAD, Action.NONE])
def test_no_suggestion_for_actions_without_a_message(action: Action) -> None:
    assert suggest_message(facts(action), ZONE) is None


def test_suggestion_replies_in_the_thread() -> None:
    message = suggest_message(CASES["first_nudge"], ZONE)
    assert message is not None
    assert message.subject == "Re: Interview for Senior Engineer"
    assert message.in_reply_to == "<m2@acme.example>"
    assert message.references == ("<m1@acme.example>", "<m2@acme.example>")


def test_suggestion_without_a_thread_gets_its_own_subject() -> None:
    message = suggest_message(facts(Action.THANK, reply_to=None), ZONE)
    assert message is not None
    assert message.subject == "Thank you — Senior Engineer interview"
    assert message.in_reply_to is None


@pytest.mark.parametrize(
    ("contact", "addresses", "chosen", "warned"),
    [
        (JANE, (), "jane@acme.example", False),
        (
            Address("Bob", "bob@gmail.com"),
            (Address("HR", "people@acme.example"),),
            "people@acme.example",
            False,
        ),
        (Address("Bob", "bob@gmail.com"), (), "bob@gmail.com", True),
        (None, (Address("", "no-reply@acme.example"),), None, True),
        (None, (Address("", "noreply@jobs.acme.example"), JANE), "jane@acme.example", False),
    ],
    ids=[
        "official-contact",
        "official-beats-free-mail",
        "only-free-mail-warns",
        "only-no-reply-warns",
        "no-reply-skipped",
    ],
)
def test_recipient_is_the_official_address(
    contact: Address | None, addresses: tuple[Address, ...], chosen: str | None, warned: bool
) -> None:
    to, warnings = choose_recipient(contact, addresses, "Acme")
    assert (to.email if to else None) == chosen
    assert bool(warnings) == warned


def test_free_mail_warning_reaches_the_suggestion() -> None:
    bob = Address("Bob", "bob@gmail.com")
    message = suggest_message(facts(Action.THANK, contact=bob, addresses=(bob,)), ZONE)
    assert message is not None
    assert message.to == bob
    assert "only a personal address (bob@gmail.com)" in message.warnings[0]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Interview", "Re: Interview"),
        ("Re: Interview", "Re: Interview"),
        ("RE: AW: Fwd: Interview", "Re: Interview"),
        ("", "fallback"),
    ],
)
def test_reply_subject_never_stacks_prefixes(subject: str, expected: str) -> None:
    assert reply_subject(subject, "fallback") == expected


def test_draft_email_is_a_threaded_reply_with_the_marker_header() -> None:
    bob = Address("Bob", "bob@gmail.com")
    suggestion = suggest_message(facts(Action.NUDGE, contact=bob, addresses=(bob,)), ZONE)
    assert suggestion is not None
    message_id = draft_message_id(7, Action.NUDGE, date(2026, 3, 11), "personal")
    email = draft_email(
        suggestion,
        sender="Alex Smith <alex@example.org>",
        message_id=message_id,
        now=datetime(2026, 3, 10, 8, tzinfo=ZONE),
        lead_id=7,
    )
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    assert parsed["To"] == "Bob <bob@gmail.com>"
    assert parsed["In-Reply-To"] == "<m2@acme.example>"
    assert parsed["References"] == "<m1@acme.example> <m2@acme.example>"
    assert parsed["X-Followup-Draft"] == "lead=7; action=nudge"
    assert parsed["Message-ID"] == message_id
    body = parsed.get_body(("plain",))
    assert body is not None
    assert body.get_content().startswith("[[ Note: only a personal address")
    assert message_id == draft_message_id(7, Action.NUDGE, date(2026, 3, 11), "personal")
    assert message_id != draft_message_id(7, Action.NUDGE, date(2026, 3, 18), "personal")


def test_second_nudge_is_chosen_after_a_follow_up_not_after_the_thank_you() -> None:
    acme = next(lead for lead in sample_view().leads if lead.company == "Acme Corp")
    # The user's message on the interview day is the thank-you note, not a follow-up.
    assert draft_facts(acme, "Alex", NY).follow_ups_sent == 0
    first = suggest_message(draft_facts(acme, "Alex", NY), NY)
    assert first is not None
    assert first.template == "first_nudge"

    nudge = MessageMark(
        "<u2@example.org>", datetime(2026, 3, 9, 9, tzinfo=NY), Direction.OUTBOUND, None
    )
    later = replace(acme, messages=(*acme.messages, nudge))
    assert draft_facts(later, "Alex", NY).follow_ups_sent == 1
    second = suggest_message(draft_facts(later, "Alex", NY), NY)
    assert second is not None
    assert second.template == "second_nudge"
    assert "my note of Monday 9 March" in second.body
