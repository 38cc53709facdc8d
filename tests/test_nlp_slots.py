"""Dates read from whole mails: a hiring event, a booked appointment or a past visit is no
interview; a quoted line is no promise."""

from __future__ import annotations

from datetime import datetime

import pytest
from spacy.language import Language

import nlp
from nlp.types import Email

SENT = datetime.fromisoformat("2026-03-04T13:30:00-05:00")  # a Wednesday


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


def _interview_at(pipeline: Language, subject: str, text: str) -> str | None:
    email = Email(
        subject=subject,
        text=text,
        sent_at=SENT,
        sender_name="Human Resources",
        sender_email="hr@bayside-schools.org",
        full_text=text,
    )
    return nlp.analyze(email, pipeline).interview_at_text()


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Teacher Recruitment Fair - you're on our list",
            "Dear Alex,\n\nBecause you applied to Bayside Schools, we'd like you to join our "
            "Teacher Recruitment Fair on Saturday, March 14, 9:00 AM - 1:00 PM at Harbor High "
            "School. Please bring copies of your certificates.\n\nBayside Schools HR",
        ),
        (
            "Invitation: virtual insight evening for applicants",
            "Dear Alex,\n\nThank you for applying to our Graduate Programme. We'd like to invite "
            "you to a virtual insight evening for applicants on 17 March, 18:00-19:30, where "
            "you'll hear from current graduates. Attendance is optional.\n\nEarly Careers",
        ),
        (
            "Confirmed: Physio appointment - Harbour Sports Physio",
            "Your booking has been confirmed.\nWhat:\nInitial physiotherapy assessment (45 min)"
            "\nWhen:\nWednesday, 11 March 2026 7:30am - 8:15am (America/New_York)\nWho:\n"
            "Liam Cooper (Physiotherapist) - Organizer\nPowered by Cal.com",
        ),
    ],
)
def test_an_event_or_appointment_gives_no_interview_date(
    pipeline: Language, subject: str, text: str
) -> None:
    assert _interview_at(pipeline, subject, text) is None


def test_an_interview_call_beside_a_past_meetup_keeps_its_time(pipeline: Language) -> None:
    text = (
        "hi alex, vikram from kesari labs here. can we talk tomorrow 7pm about the devops "
        "opening we discussed at the meetup. 30 min video call with me and our cto\npls confirm"
    )
    assert _interview_at(pipeline, "devops opening", text) == "2026-03-05T19:00"


def test_a_booked_interview_keeps_its_time(pipeline: Language) -> None:
    text = (
        "Your booking has been confirmed.\nWhat:\nRecruiter screen (30 min)\nWhen:\n"
        "Wednesday, 11 March 2026 10:00am - 10:30am (America/New_York)\nPowered by Cal.com"
    )
    assert _interview_at(pipeline, "Confirmed: Recruiter screen", text) == "2026-03-11T10:00"


def test_a_promise_on_quoted_lines_is_not_the_new_one(pipeline: Language) -> None:
    text = (
        "On 06/03/2026 4:55 PM, Alex Morgan wrote:\n> Dear Henrik,\n>\n> Thank you for the "
        "interview today. You mentioned you'd decide by Friday.\n>\n> Alex\n"
        "Hi Alex,\n\nThanks for your note, and sorry we missed Friday. The second interviewer "
        "only got back to me this morning. You'll have our answer by Wednesday.\n\nHenrik\n"
    )
    email = Email(
        subject="Re: Thank you",
        text=text,
        sent_at=datetime.fromisoformat("2026-03-09T09:40:00+01:00"),  # a Monday
        full_text=text,
    )
    detection = nlp.analyze(email, pipeline)
    assert detection.feedback_by is not None
    assert detection.feedback_by.isoformat() == "2026-03-11"


def test_deciding_after_an_interview_is_the_promise(pipeline: Language) -> None:
    text = (
        "hi alex, thanks for coming in today, the team liked you. we'll decide next week "
        "once we've seen the last two people.\nbia"
    )
    email = Email(subject="shift lead", text=text, sent_at=SENT, full_text=text)
    detection = nlp.analyze(email, pipeline)
    assert detection.kind.value == "feedback_promise"
    assert detection.feedback_by is not None
    assert detection.feedback_by.isoformat() == "2026-03-13"  # next week's Friday
