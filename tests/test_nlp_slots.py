"""Dates read from whole mails: a hiring event, a booked appointment or a past visit is no
interview; a quoted line is no promise."""

from __future__ import annotations

from datetime import datetime

import pytest
from spacy.language import Language

import nlp
from nlp.types import Detection, Email

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


def _detect(
    pipeline: Language, subject: str, text: str, sent: str = "2026-03-04T13:30:00-05:00"
) -> Detection:
    email = Email(subject=subject, text=text, sent_at=datetime.fromisoformat(sent), full_text=text)
    return nlp.analyze(email, pipeline)


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "Interview moved",
            "Hi Sam,\n\nAs discussed, your interview moves from Thursday 5 March 14:00 to "
            "Monday 9 March 10:30. The location stays the same.\n\nKind regards,\nSanne",
            "2026-03-09T10:30",
        ),
        (
            "Re: Reschedule?",
            "Hi Sam,\n\nNo problem at all. I've moved your onsite from Thursday to Monday, "
            "March 9 - same time, 10am. Updated calendar invite to follow.\n\nKim",
            "2026-03-09T10:00",
        ),
        (
            "Your interview has been canceled",
            "Hi Sam,\n\nYour interview with Ferntech scheduled for Thursday has been canceled "
            "by the hiring team. Your recruiter will reach out to you directly.\n\nFerntech",
            None,
        ),
        (
            "Invitation to interview - Teacher of Geography",
            "Dear Sam,\n\nI am pleased to tell you that you have been shortlisted and I would "
            "like to invite you for interview on Tuesday 10th March 2026.\n\nThe day will "
            "begin at 8.45am with a tour of the school.\n\nYours sincerely,\nMrs J. Allcott",
            "2026-03-10T08:45",
        ),
    ],
    ids=["moves-from-to", "moved-from-weekday", "cancelled", "time-in-next-sentence"],
)
def test_the_interview_date_is_the_slot_that_holds(
    pipeline: Language, subject: str, text: str, expected: str | None
) -> None:
    assert _detect(pipeline, subject, text).interview_at_text() == expected


@pytest.mark.parametrize(
    ("subject", "text", "expected"),
    [
        (
            "Next step: online assessment",
            "Hi Sam,\n\nCongratulations - you've been selected to move forward! You'll receive "
            "a separate invitation from our testing partner within 24 hours. Please complete "
            "it within 5 days of receiving the invitation.\n\nTalent Acquisition",
            None,
        ),
        (
            "Re: Connecting",
            "Hi Sam,\n\nThanks for accepting my invite! I've got a few clients who'd be very "
            "interested in your background. Are you open to hearing about opportunities at "
            "the moment, or shall I check back in a few months?\n\nSophie",
            None,
        ),
        (
            "RE: checking in",
            "Hi Sam - sorry, crazy week. HM is out until Tues, we should have an answe for you "
            "by end of next week.\n\nKelly",
            "2026-03-13",
        ),
        (
            "Update on your application",
            "Dear Sam,\n\nWe initially promised you a decision by 6 March. Unfortunately one of "
            "the panel members is off sick, so we will now come back to you by 11 March.\n\n"
            "Kind regards,\nMathilde",
            "2026-03-11",
        ),
        (
            "Development Associate interview",
            "Good morning Sam,\n\nThank you for speaking with us yesterday. Our Executive "
            "Director is traveling, so it may take a week or two before we can get back to you "
            "with a decision. I appreciate your patience.\n\nSandra Lee",
            "2026-03-18",
        ),
        (
            "Walk-in interview - thank you",
            "Dear Sam,\n\nThank you for attending the walk-in interview today. Shortlisted "
            "candidates from today's drive will be informed about the next round (plant "
            "manager discussion) by Friday.",
            "2026-03-06",
        ),
    ],
    ids=[
        "a-test-invitation-is-no-answer",
        "a-question",
        "no-cue-words",
        "a-new-promise",
        "words-inside-the-promise-are-no-rival",
        "a-named-step-is-no-rival",
    ],
)
def test_feedback_by_is_what_the_sender_promises(
    pipeline: Language, subject: str, text: str, expected: str | None
) -> None:
    detection = _detect(pipeline, subject, text)
    found = detection.feedback_by.isoformat() if detection.feedback_by else None
    assert found == expected


def test_out_of_office_news_about_a_colleague_is_no_automatic_reply(
    pipeline: Language,
) -> None:
    text = (
        "Dear Sam,\n\nThanks for your email asking for feedback. I have passed your request to "
        "the recruiting manager, who is on leave until next Monday. She will get back to you "
        "directly once she is back."
    )
    detection = _detect(pipeline, "Re: feedback request", text)
    assert detection.auto_reply is False
    assert detection.away_until is None


def test_a_programme_of_several_days_starts_with_its_first_item(pipeline: Language) -> None:
    text = (
        "Dear Dr. Rivera,\n\nWe are delighted to welcome you for your interview. Your "
        "itinerary:\n\n"
        "Monday, March 9\n6:30 PM  Dinner with the search committee\n\nTuesday, March 10\n"
        "8:30 AM  Breakfast with the Chair\n9:30 AM  Research seminar\n11:00 AM  Meeting with "
        "the Dean\n\nThe department will cover your hotel and travel."
    )
    detection = _detect(pipeline, "Interview itinerary - Assistant Professor", text)
    assert detection.interview_at_text() == "2026-03-09T18:30"


def test_a_calendar_cancellation_names_no_interview(pipeline: Language) -> None:
    text = (
        "This event has been canceled and removed from your calendar.\n\nInterview - Sam "
        "Rivera\nThursday March 12, 2026 ⋅ 2pm – 3pm (Eastern Time - New York)\n\nInvitation "
        "from Google Calendar"
    )
    subject = "Canceled event: Interview - Sam Rivera @ Thu Mar 12, 2026 2pm - 3pm (EDT)"
    assert _detect(pipeline, subject, text).interview_at_text() is None
