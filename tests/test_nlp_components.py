"""Components on a pipeline without the trained classifier: cues, promised dates, slots, flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import spacy
from spacy.language import Language
from spacy.matcher import Matcher

import nlp
from nlp import patterns as P
from nlp.company import extract_company, extract_contact, strip_legal
from nlp.components import cue_spans
from nlp.pipeline import make_doc
from nlp.types import Email, Kind

TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=timezone(timedelta(hours=-5)))


@pytest.fixture(scope="module")
def rules() -> Language:
    return nlp.load("rules")


def _email(text: str, subject: str = "Re: your interview", **kw: object) -> Email:
    return Email(subject=subject, text=text, sent_at=TUESDAY, **kw)  # type: ignore[arg-type]


def test_every_pattern_family_validates() -> None:
    matcher = Matcher(spacy.blank("en").vocab, validate=True)
    for name in P.FAMILIES:
        patterns = P.FAMILIES[name]()
        assert patterns, name
        for pattern in patterns:
            matcher.add(pattern["label"], [pattern["pattern"]])


def test_cues_match_contractions_and_curly_apostrophes(rules: Language) -> None:
    for text in (
        "We'll get back to you soon.",
        "We’ll get back to you soon.",
        "we will get back to you",
    ):
        doc = rules(make_doc(rules, _email(text)))
        assert "PROMISE" in {s.label_ for s in cue_spans(doc)}, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks for coming in. We'll get back to you by Friday.", date(2026, 3, 6)),
        ("You'll hear from us within two weeks.", date(2026, 3, 17)),
        ("We expect to make a decision by the end of next week.", date(2026, 3, 13)),
        ("We will be in touch in 5 business days.", date(2026, 3, 10)),
        (
            "If you haven't heard from us within six weeks, please assume you were unsuccessful.",
            None,
        ),
        ("Please let us know by Friday whether you accept.", None),
        ("Please send the exercise back by Monday.", None),
        ("We are finishing interviews this week and will let you know soon.", None),
        ("Don't hesitate to reach out. We'll be in touch.", None),
    ],
    ids=[
        "by-friday",
        "within-two-weeks",
        "decision-end-of-next-week",
        "business-days",
        "conditional-window",
        "request-to-candidate",
        "candidate-deadline",
        "process-not-promise",
        "no-date",
    ],
)
def test_feedback_by_needs_a_promise_governing_the_date(
    rules: Language, text: str, expected: date | None
) -> None:
    detection = nlp.analyze(_email(text), rules)
    if detection.kind is Kind.FEEDBACK_PROMISE or expected is not None:
        assert detection.feedback_by == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Please do not follow up on your application; we will contact you.", True),
        ("Please don't chase us for an update.", True),
        ("Kindly refrain from contacting the office about the status of your application.", True),
        ("This mailbox is not monitored. Please do not reply to this message.", False),
        ("Don't hesitate to reach out if you have questions.", False),
        ("Feel free to follow up with me next week.", False),
    ],
)
def test_no_followup_only_for_explicit_asks(rules: Language, text: str, expected: bool) -> None:
    body = "Thank you for applying to the analyst role. " + text
    assert nlp.analyze(_email(body), rules).no_followup is expected


def test_one_concrete_slot_is_the_interview_time(rules: Language) -> None:
    text = "Your interview is confirmed for Thursday, March 5 at 2:30 PM. See you then!"
    detection = nlp.analyze(_email(text, "Interview confirmation"), rules)
    assert detection.kind is Kind.INTERVIEW_CONFIRMATION
    assert detection.interview_at_text() == "2026-03-05T14:30"
    assert detection.interview_tz == "-05:00"


def test_a_list_of_candidate_slots_gives_no_interview_time(rules: Language) -> None:
    text = (
        "We'd like to invite you to an interview. Would any of these work for you?\n\n"
        "- Thursday, March 5 at 2:30 PM\n- Friday, March 6 at 10:00 AM\n"
    )
    detection = nlp.analyze(_email(text, "Interview invitation"), rules)
    assert detection.kind is Kind.INTERVIEW_INVITATION
    assert detection.interview_at is None


def test_confirmation_without_any_date_is_an_invitation(rules: Language) -> None:
    text = "Thanks for confirming! Your interview is scheduled; details to follow."
    assert nlp.analyze(_email(text), rules).kind is not Kind.INTERVIEW_CONFIRMATION


@pytest.mark.parametrize(
    ("headers", "subject", "text", "auto"),
    [
        ({"auto-submitted": "auto-replied"}, "Re: role", "Thanks for your message.", True),
        ({"auto-submitted": "no"}, "Re: role", "Thanks for your message.", False),
        ({"x-autoreply": "yes"}, "Re: role", "Thanks.", True),
        ({}, "Out of Office: Re: role", "I am away.", True),
        ({}, "Re: role", "I am currently out of the office with limited access to email.", True),
        ({}, "Re: role", "Thanks for the chat, we'll be back in touch by Friday.", False),
    ],
)
def test_auto_reply_by_header_subject_or_wording(
    rules: Language, headers: dict[str, str], subject: str, text: str, auto: bool
) -> None:
    detection = nlp.analyze(_email(text, subject, headers=headers), rules)
    assert detection.auto_reply is auto


def test_out_of_office_gives_the_return_date(rules: Language) -> None:
    text = "I am out of the office and will be back on Monday 9 March. For urgent matters call Jo."
    detection = nlp.analyze(_email(text, "Automatic reply: role"), rules)
    assert detection.auto_reply
    assert detection.away_until == date(2026, 3, 9)


def test_sales_promise_outside_hiring_is_not_job(rules: Language) -> None:
    text = (
        "Thanks for the demo call. I'll get back to you by Friday with a quote for 25 seats "
        "and the annual discount on your subscription."
    )
    detection = nlp.analyze(_email(text, "Your quote"), rules)
    assert detection.kind is Kind.NOT_JOB
    assert detection.feedback_by is None


@pytest.mark.parametrize(
    ("name", "address", "subject", "company"),
    [
        ("Acme Talent Team", "no-reply@greenhouse.io", "Thanks for applying", "Acme"),
        ("Jane Doe", "jane.doe@brightwateranalytics.com", "Interview", "Brightwater Analytics"),
        (
            "Recruiting",
            "no-reply@hire.lever.co",
            "Thank you for applying to Quillstack",
            "Quillstack",
        ),
        (
            "Talent Acquisition at Monarch Freight",
            "x@talent.icims.com",
            "Update",
            "Monarch Freight",
        ),
        ("Bob", "bob.smith@gmail.com", "Role", None),
    ],
)
def test_company_from_display_name_domain_or_text(
    name: str, address: str, subject: str, company: str | None
) -> None:
    email = Email(
        subject=subject,
        text="Brightwater Analytics | Senior Recruiter" if "brightwater" in address else "Hi",
        sent_at=datetime(2026, 3, 3, tzinfo=UTC),
        sender_name=name,
        sender_email=address,
    )
    assert extract_company(email) == company


def test_contact_is_a_person_not_a_system() -> None:
    person = Email("s", "t", TUESDAY, sender_name="Jane Doe", sender_email="jane@acme.com")
    system = Email("s", "t", TUESDAY, sender_name="Acme", sender_email="no-reply@greenhouse.io")
    assert extract_contact(person) == ("Jane Doe", "jane@acme.com")
    assert extract_contact(system) == (None, None)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Halden & Rowe LLP", "Halden & Rowe"),
        ("Kovalent Software Pvt. Ltd.", "Kovalent Software"),
        ("Veltmann Logistik GmbH", "Veltmann Logistik"),
        ("Acme, Inc.", "Acme"),
    ],
)
def test_legal_suffixes_are_not_part_of_the_company(raw: str, clean: str) -> None:
    assert strip_legal(raw) == clean
