"""Components on a pipeline without the trained classifier: cues, promised dates, slots, flags."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

import nlp
from nlp import patterns as P
from nlp.company import extract_company, extract_contact, strip_legal
from nlp.components import compile_patterns, cue_spans, cues_of
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


# --- which promise governs a date (rules pipeline: no classifier) ----------------------


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "After your interview",
            "Thanks for coming in. It will be a couple of weeks before we can give you an answer.",
            date(2026, 3, 17),
        ),
        (
            "After your interview",
            "We are speaking to the panel today and Monday, so give us a few days and "
            "I'll come back to you.",
            date(2026, 3, 6),
        ),
        (
            "Re: timing",
            "I'm chasing the panel today and will be in touch as soon as I hear.",
            None,
        ),
        (
            "Re: timing",
            "I can't promise an answer before Friday, but we're doing what we can.",
            None,
        ),
        (
            "Re: timing",
            "Our coordinator will be in touch separately to book a time for you to present "
            "next week.",
            None,
        ),
        (
            "After your interview",
            "Thanks for your time today. We will reach out again in a few days.",
            date(2026, 3, 6),
        ),
        (
            "After your interview",
            "Please allow one to two weeks for the panel to compare notes.",
            date(2026, 3, 17),
        ),
        (
            "Re: timing",
            "Please allow up to 48 hours for the calendar invite to arrive.",
            None,
        ),
    ],
    ids=[
        "window-before-promise",
        "few-days-before-promise",
        "bare-day-before-promise-is-not-its-own",
        "negated-promise",
        "scheduling-governs-the-date",
        "reach-out-without-to-you",
        "please-allow-a-window",
        "allow-time-for-a-delivery-is-no-promise",
    ],
)
def test_feedback_by_follows_the_promise_that_governs_the_date(
    rules: Language, subject: str, text: str, expected: date | None
) -> None:
    detection = nlp.analyze(_email(text, subject), rules)
    assert detection.feedback_by == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thank you for applying. Shortlisted candidates will be contacted within two weeks.",
            date(2026, 3, 17),
        ),
        (
            "Thank you for applying. If you are shortlisted, we will contact you within two weeks.",
            None,
        ),
        (
            "Thank you for applying. The vacancy closes on 20 March and we will write to you "
            "within three weeks of the closing date.",
            None,
        ),
        ("Thank you for applying. We get back to everyone within three weeks.", date(2026, 3, 24)),
        (
            "Thank you for applying. We will review applications over the next 7-10 business days.",
            date(2026, 3, 17),
        ),
        (
            "Thank you for applying. Interview invitations will go out within four weeks.",
            date(2026, 3, 31),
        ),
    ],
    ids=[
        "shortlist-window",
        "shortlist-condition",
        "window-from-a-future-event",
        "promise-to-everyone",
        "review-window",
        "invitations-window",
    ],
)
def test_an_acknowledgement_gives_the_window_it_states(
    rules: Language, text: str, expected: date | None
) -> None:
    detection = nlp.analyze(_email(text, "Application received: Analyst"), rules)
    assert detection.kind is Kind.APPLICATION_ACK
    assert detection.feedback_by == expected


def test_after_an_interview_results_for_selected_candidates_still_have_a_date(
    rules: Language,
) -> None:
    text = (
        "Thank you for attending the interview today. Results will be communicated to the "
        "selected candidates within 7 days."
    )
    detection = nlp.analyze(_email(text, "Interview results timeline"), rules)
    assert detection.feedback_by == date(2026, 3, 10)


def test_an_automatic_reply_promises_no_feedback(rules: Language) -> None:
    text = "I am out of the office until Thursday and will reply to everything by Friday."
    detection = nlp.analyze(
        _email(text, "Automatic reply: Interview follow-up", headers={"auto-submitted": "auto"}),
        rules,
    )
    assert detection.auto_reply
    assert detection.feedback_by is None


# --- which date is the interview -------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "Onsite interview",
            "We'd like to invite you to an onsite interview: either Monday 16 March or "
            "Tuesday 17 March, starting at 09:30. Which day suits you?",
            None,
        ),
        (
            "Intro call",
            "I'd like to schedule a call about the analyst role. I'm free between 10am and 4pm "
            "ET most days next week, "
            "send me a few times that work?",
            None,
        ),
        (
            "Interview invitation",
            "You are invited to interview. Interviews take place by video between 9 March and "
            "13 March; please book a slot.",
            None,
        ),
        (
            "Interview confirmed",
            "Your interview is confirmed.\n\nDate: Thursday 12 March 2026\nLocation: 1 Dock "
            "Street\n\nPlease reply by Monday 9 March if you need parking.",
            "2026-03-12",
        ),
        (
            "Interview invitation",
            "Thank you for the call last Wednesday. We'd like to invite you to a second "
            "interview on Tuesday 10 March at 2pm.",
            "2026-03-10T14:00",
        ),
    ],
    ids=[
        "two-days-one-time-are-options",
        "availability-window-is-no-slot",
        "booking-range-is-no-slot",
        "written-day-not-the-deadline",
        "past-day-is-history",
    ],
)
def test_the_interview_is_the_one_concrete_slot(
    rules: Language, subject: str, text: str, expected: str | None
) -> None:
    detection = nlp.analyze(_email(text, subject), rules)
    assert detection.kind in (Kind.INTERVIEW_INVITATION, Kind.INTERVIEW_CONFIRMATION)
    assert detection.interview_at_text() == expected


def test_a_confirmed_itinerary_starts_at_its_first_time(rules: Language) -> None:
    text = (
        "Your onsite interview is confirmed for Wednesday 11 March. The plan:\n\n"
        "10:00 AM  Welcome\n10:30 AM  System design\n12:00 PM  Lunch with the team\n"
    )
    detection = nlp.analyze(_email(text, "Onsite confirmed"), rules)
    assert detection.kind is Kind.INTERVIEW_CONFIRMATION
    assert detection.interview_at_text() == "2026-03-11T10:00"


# --- hiring words in another sense -----------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "text", "headers"),
    [
        (
            "Your admission interview",
            "Thank you for interviewing with the MBA admissions committee. Decisions will be "
            "released by March 20 on the applicant portal.",
            {},
        ),
        (
            "Re: flat application",
            "We've received your rental application and the landlord will let you know by Friday.",
            {},
        ),
        (
            "Catch-up call",
            "Here is the invitation for our call about the garden design on Thursday, "
            "12 March at 18:00. Join Zoom meeting: https://zoom.us/j/1 Meeting ID: 1",
            {},
        ),
        (
            "Automatic reply: Boiler service",
            "I am on holiday until Monday 9 March. For emergencies call the office.",
            {"auto-submitted": "auto-replied"},
        ),
    ],
    ids=["admissions", "rental", "plain-meeting", "auto-reply-about-a-boiler"],
)
def test_hiring_words_in_another_sense_are_not_job(
    rules: Language, subject: str, text: str, headers: dict[str, str]
) -> None:
    email = _email(text, subject, headers=headers, sender_email="someone@example.net")
    detection = nlp.analyze(email, rules)
    assert detection.kind is Kind.NOT_JOB
    assert detection.feedback_by is None
    assert detection.interview_at is None


def test_abbreviation_dots_end_no_sentence(rules: Language) -> None:
    doc = rules(make_doc(rules, _email("Are you free between 10 a.m. and 5 p.m. on Friday?")))
    ids = doc.user_data["followup_sentence_ids"]
    body = [i for tok, i in zip(doc, ids, strict=True) if tok.idx > len("Re: your interview")]
    assert len(set(body)) == 1


# --- the cue matcher ------------------------------------------------------------------


def _reference_cues(doc: Doc) -> set[tuple[str, int, int]]:
    """Every label's patterns as one regex run over the whole text (the plain way)."""
    norms = ["\u00b6" if tok.is_space else tok.norm_.replace(" ", "_") for tok in doc]
    offsets = []
    position = 0
    for word in norms:
        offsets.append(position)
        position += len(word) + 1
    text = " ".join(norms) + " "
    by_label: dict[str, list[list[dict[str, object]]]] = {}
    for pattern in P.all_patterns():
        by_label.setdefault(pattern["label"], []).append(pattern["pattern"])
    found = set()
    for label, patterns in by_label.items():
        for match in compile_patterns(patterns).finditer(text):
            if match.end() - 1 <= match.start():
                continue
            start = offsets.index(match.start())
            end = bisect.bisect_left(offsets, match.end() - 1)
            found.add((label, start, end))
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for applying! We have received your application and will review it. "
        "If your experience matches, we'll get back to you within two weeks.",
        "Unfortunately we have decided to move forward with other candidates. We will keep "
        "your CV on file for future opportunities and wish you the best.",
        "Could you do Thursday at 2pm? Please book a slot via https://calendly.com/jane/30. "
        "Looking forward to speaking with you on Thursday.",
        "We're delighted to offer you the role! The offer letter is attached; your start date "
        "and base salary are in it. Please do not contact the panel about the status.",
    ],
)
def test_cue_matcher_finds_what_the_plain_regexes_find(rules: Language, text: str) -> None:
    doc = rules(make_doc(rules, _email(text)))
    ours = {(c.label, c.start, c.end) for c in cues_of(doc)}
    # The plain regexes' one-word alternatives can be shadowed by longer ones of the same
    # label at the same place; ours records those words separately, so compare the phrases.
    assert _reference_cues(doc) <= ours


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "Updated: Hiring Manager Interview",
            "Your event has been rescheduled.\n\nEvent Type:\nHiring Manager Interview\n\n"
            "New Date/Time:\n2:15pm - 3:00pm, Thursday, March 5, 2026\n\n"
            "Previous Date/Time:\n11:00am - 11:45am, Wednesday, March 4, 2026\n",
            "2026-03-05T14:15",
        ),
        (
            "Interview moved",
            "We need to move your interview to Friday 6 March at 10:00, instead of "
            "Thursday 5 March at 10:00. Does that work?",
            "2026-03-06T10:00",
        ),
        (
            "Save the date - onsite",
            "Just a heads-up: we are planning final interviews in the week of March 16. "
            "I'll send a few options once the panel's calendars are set.",
            None,
        ),
    ],
    ids=["reschedule-previous-slot", "reschedule-instead-of", "week-to-save"],
)
def test_a_reschedule_names_one_slot_and_a_week_is_no_slot(
    rules: Language, subject: str, text: str, expected: str | None
) -> None:
    detection = nlp.analyze(_email(text, subject), rules)
    assert detection.interview_at_text() == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thanks for interviewing with us. Due to the high volume of candidates, we are "
            "unable to respond to individual status inquiries.",
            False,
        ),
        (
            "Thank you for applying. Please do not contact us regarding the status of your "
            "application; we review every submission.",
            False,
        ),
        (
            "Unfortunately we have decided to move forward with other candidates. Please do "
            "not contact us about this decision.",
            True,
        ),
    ],
    ids=["volume-no-verdict", "ack-no-verdict", "verdict-and-no-chase"],
)
def test_a_no_chase_ask_alone_is_no_rejection(text: str, expected: bool) -> None:
    detection = nlp.analyze(_email(text, "Your application with Acme Robotics"))
    assert detection.no_followup is True
    assert (detection.kind is Kind.REJECTION) is expected, detection.kind
