"""nlp.dates: interview times, feedback deadlines and return dates, resolved against a Date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.dates import (
    DateMention,
    add_business_days,
    after_between,
    find_datetimes,
    find_deadlines,
    find_return_date,
    resolve_deadline,
)

NEW_YORK = ZoneInfo("America/New_York")


def at(stamp: str) -> datetime:
    """An aware datetime from ISO 8601 with its offset, like a parsed Date header."""
    value = datetime.fromisoformat(stamp)
    assert value.tzinfo is not None
    return value


def d(text: str) -> date:
    return date.fromisoformat(text)


# Reference week (2026): Mon 2 Mar ... Thu 5 Mar ... Sun 8 Mar (US clocks go forward),
# Mon 9 ... Fri 13; Sun 29 Mar Europe goes forward; Sun 1 Nov US goes back.
THU = at("2026-03-05T09:30:00-05:00")  # Thursday morning, New York in winter
THU_LONDON = at("2026-03-05T09:30:00+00:00")
FRI = at("2026-03-06T16:00:00-05:00")
SAT = at("2026-03-07T11:00:00-05:00")
SUN = at("2026-03-08T20:00:00-04:00")
MON = at("2026-03-09T08:00:00-04:00")
TUE_BERLIN = at("2026-03-10T10:00:00+01:00")
NEW_YEARS_EVE = at("2025-12-31T17:00:00-05:00")  # a Wednesday
MONTH_END = at("2026-01-30T12:00:00+01:00")  # a Friday, last weekday of January
SUMMER_LONDON = at("2026-06-10T09:00:00+01:00")  # a Wednesday, UK on BST
SUMMER_BERLIN = at("2026-06-10T09:00:00+02:00")
AUTUMN_NY = at("2026-10-29T10:00:00-04:00")  # Thursday before US clocks go back
INDIA = at("2026-03-05T15:00:00+05:30")


# ---------------------------------------------------------------- find_datetimes

DATETIME_CASES = [
    # text, sent_at, value (ISO with offset), has_time, tz_name
    (
        "Tuesday, March 10 at 2:30 PM EST",
        THU,
        "2026-03-10T14:30:00-04:00",  # EST written after US DST: Eastern time, EDT
        True,
        "America/New_York",
    ),
    ("12 March at 10:30 EST", THU, "2026-03-12T10:30:00-04:00", True, "America/New_York"),
    ("next Tuesday at 2pm", THU, "2026-03-10T14:00:00-05:00", True, "-05:00"),
    ("next Tuesday at 2pm", MON, "2026-03-17T14:00:00-04:00", True, "-04:00"),
    ("Tuesday at 2pm", MON, "2026-03-10T14:00:00-04:00", True, "-04:00"),
    ("tomorrow at 10", THU, "2026-03-06T10:00:00-05:00", True, "-05:00"),
    ("tomorrow at 3", THU, "2026-03-06T15:00:00-05:00", True, "-05:00"),
    ("on the 14th at 15:00 CET", THU, "2026-03-14T15:00:00+01:00", True, "Europe/Berlin"),
    ("3pm BST", THU_LONDON, "2026-03-05T15:00:00+00:00", True, "Europe/London"),
    ("3pm BST", SUMMER_LONDON, "2026-06-10T15:00:00+01:00", True, "Europe/London"),
    ("at 8am BST", SUMMER_LONDON, "2026-06-11T08:00:00+01:00", True, "Europe/London"),
    ("10:00 Eastern", THU, "2026-03-05T10:00:00-05:00", True, "America/New_York"),
    ("10:00 Eastern Time", FRI, "2026-03-07T10:00:00-05:00", True, "America/New_York"),
    ("2026-03-10 14:00", THU, "2026-03-10T14:00:00-05:00", True, "-05:00"),
    ("2026-03-10T14:00:00+01:00", THU, "2026-03-10T14:00:00+01:00", True, "+01:00"),
    ("2026-03-10T14:00Z", THU, "2026-03-10T14:00:00+00:00", True, "UTC"),
    ("Mon 9 Mar, 09:30 – 10:15 (GMT)", THU_LONDON, "2026-03-09T09:30:00+00:00", True, "GMT"),
    (
        # No zone written: the Date header's offset, even across the DST change (DESIGN).
        "Thursday, March 12, 2026 10:00 AM – 11:00 AM",
        THU,
        "2026-03-12T10:00:00-05:00",
        True,
        "-05:00",
    ),
    ("Friday the 13th at 9am", THU, "2026-03-13T09:00:00-05:00", True, "-05:00"),
    ("on Friday, March 13th at noon", THU, "2026-03-13T12:00:00-05:00", True, "-05:00"),
    ("2-3pm on Friday", THU, "2026-03-06T14:00:00-05:00", True, "-05:00"),
    ("between 2 and 4pm on Friday", THU, "2026-03-06T14:00:00-05:00", True, "-05:00"),
    ("11-12pm tomorrow", THU, "2026-03-06T11:00:00-05:00", True, "-05:00"),
    ("10am PT", THU, "2026-03-05T10:00:00-08:00", True, "America/Los_Angeles"),
    ("15:00 UK time", THU, "2026-03-05T15:00:00+00:00", True, "Europe/London"),
    ("14:00 São Paulo time", THU, "2026-03-05T14:00:00-03:00", True, "America/Sao_Paulo"),
    ("10am my time", THU, "2026-03-05T10:00:00-05:00", True, "-05:00"),  # no zone named
    ("14:00 (GMT+1)", THU, "2026-03-06T14:00:00+01:00", True, "+01:00"),
    ("16:00 UTC+2", THU, "2026-03-06T16:00:00+02:00", True, "+02:00"),  # today's has passed
    ("11:00 IST on Monday", THU, "2026-03-09T11:00:00+05:30", True, "Asia/Kolkata"),
    ("9am AEST on Monday 9 March", THU, "2026-03-09T09:00:00+11:00", True, "Australia/Sydney"),
    ("at 10:00 Europe/Berlin on 12 March", THU, "2026-03-12T10:00:00+01:00", True, "Europe/Berlin"),
    (
        "When: Tuesday, March 10, 2026 2:30 PM-3:00 PM (UTC-05:00) Eastern Time (US & Canada).",
        THU,
        "2026-03-10T14:30:00-04:00",  # Outlook prints the standard offset; the name wins
        True,
        "America/New_York",
    ),
    (
        "Event Date/Time: 02:30pm - 03:00pm (Eastern Time - US & Canada) on Tuesday, "
        "March 10, 2026",
        THU,
        "2026-03-10T14:30:00-04:00",
        True,
        "America/New_York",
    ),
    (
        "Time: Mar 10, 2026 02:00 PM Eastern Time (US and Canada)",
        THU,
        "2026-03-10T14:00:00-04:00",
        True,
        "America/New_York",
    ),
    ("Wednesday 4th March", THU, "2026-03-04T12:00:00-05:00", False, "-05:00"),
    ("Tuesday, March 10", THU, "2026-03-10T12:00:00-05:00", False, "-05:00"),
    ("next Tuesday", THU, "2026-03-10T12:00:00-05:00", False, "-05:00"),
    ("this Friday", FRI, "2026-03-06T12:00:00-05:00", False, "-05:00"),
    ("Friday", FRI, "2026-03-13T12:00:00-05:00", False, "-05:00"),
    ("tomorrow", NEW_YEARS_EVE, "2026-01-01T12:00:00-05:00", False, "-05:00"),
    ("the day after tomorrow", THU, "2026-03-07T12:00:00-05:00", False, "-05:00"),
    ("January 5 at 10am", NEW_YEARS_EVE, "2026-01-05T10:00:00-05:00", True, "-05:00"),
    ("on March 3", THU, "2026-03-03T12:00:00-05:00", False, "-05:00"),  # recent past
    ("on 10/03", THU, "2026-10-03T12:00:00-05:00", False, "-05:00"),  # US sender: Oct 3
    ("on 10/03", TUE_BERLIN, "2026-03-10T12:00:00+01:00", False, "+01:00"),  # Europe: 10 Mar
    ("on 10/03", INDIA, "2026-03-10T12:00:00+05:30", False, "+05:30"),
    ("Tuesday 10/03", THU, "2026-03-10T12:00:00-05:00", False, "-05:00"),  # weekday decides
    ("on 13/03", THU, "2026-03-13T12:00:00-05:00", False, "-05:00"),  # only one reading
    ("I will return on 03/16", THU, "2026-03-16T12:00:00-05:00", False, "-05:00"),
    ("10.03.2026, 14:00", THU, "2026-03-10T14:00:00-05:00", True, "-05:00"),
    ("on the 2nd at 10am", THU, "2026-04-02T10:00:00-05:00", True, "-05:00"),
    ("the fourteenth of March", THU, "2026-03-14T12:00:00-05:00", False, "-05:00"),
    ("Nov 2 at 9:00 ET", AUTUMN_NY, "2026-11-02T09:00:00-05:00", True, "America/New_York"),
    (
        "14:00 GMT",
        SUMMER_LONDON,
        "2026-06-10T14:00:00+01:00",  # a UK sender on summer time means UK time
        True,
        "Europe/London",
    ),
    ("14:00 GMT", SUMMER_BERLIN, "2026-06-10T14:00:00+00:00", True, "GMT"),
    (
        "Sunday March 8 at 2:30am Eastern",
        THU,
        "2026-03-08T02:30:00-05:00",
        True,
        "America/New_York",
    ),
    # Casual and abbreviated writing.
    ("can u do a call thurs 3pm? lmk", MON, "2026-03-12T15:00:00-04:00", True, "-04:00"),
    ("Confirmed 3pm Thurs.", MON, "2026-03-12T15:00:00-04:00", True, "-04:00"),
    ("Does Tue 2pm EST work?", THU, "2026-03-10T14:00:00-04:00", True, "America/New_York"),
    ("Want to chat Mon?", THU, "2026-03-09T12:00:00-05:00", False, "-05:00"),
    ("call w the hiring mgr tmrw at 4", THU, "2026-03-06T16:00:00-05:00", True, "-05:00"),
    ("Would Wednesday at half two suit?", THU, "2026-03-11T14:30:00-05:00", True, "-05:00"),
    ("tomorrow at quarter to three", THU, "2026-03-06T14:45:00-05:00", True, "-05:00"),
    (
        "on Tuesday 3 March at 11.30 for your meeting",
        at("2026-02-27T10:00:00+00:00"),
        "2026-03-03T11:30:00+00:00",
        True,
        "+00:00",
    ),
    (
        "Could we move to Friday 10.04. at 10:00 instead?",
        at("2026-04-06T09:00:00+02:00"),
        "2026-04-10T10:00:00+02:00",
        True,
        "+02:00",
    ),
    (
        "scheduled on 18-04-2026 (Saturday) at 11:00 AM IST",
        INDIA,
        "2026-04-18T11:00:00+05:30",
        True,
        "Asia/Kolkata",
    ),
    # A date and the time later in its sentence, or on a labelled next line.
    ("Are you free tomorrow, would 2pm suit?", THU, "2026-03-06T14:00:00-05:00", True, "-05:00"),
    (
        "Friday's technical deep-dive at 2:00 PM will cover",
        THU,
        "2026-03-06T14:00:00-05:00",
        True,
        "-05:00",
    ),
    (
        "Date: Saturday, 13 Dec 2025\nTime: 10 AM to 1 PM\nVenue: Hyderabad",
        at("2025-12-08T10:00:00+05:30"),
        "2025-12-13T10:00:00+05:30",
        True,
        "+05:30",
    ),
    (
        "Date   Wednesday, September 17, 2025\n   Time   1:00 PM Eastern",
        at("2025-09-14T04:00:00+00:00"),
        "2025-09-17T13:00:00-04:00",
        True,
        "America/New_York",
    ),
    (
        "Date 2026-04-15\nTime 09:00-10:00 CEST",
        at("2026-04-09T13:14:00+02:00"),
        "2026-04-15T09:00:00+02:00",
        True,
        "Europe/Berlin",
    ),
    (
        "Date: Tuesday 24 November 2026\nArrival: 08:45 (start 09:00, finish approx. 16:30)",
        at("2026-11-13T10:00:00+00:00"),
        "2026-11-24T08:45:00+00:00",
        True,
        "+00:00",
    ),
    (
        "Start: 2027-07-06T15:00 (Europe/London)\nEnd: 2027-07-06T16:00 (Europe/London)",
        at("2027-06-30T08:00:00+01:00"),
        "2027-07-06T15:00:00+01:00",
        True,
        "Europe/London",
    ),
    # The time in the short clause or question after the day.
    (
        "are you around for a quick call friday morning? say 9.30? want to te",
        at("2027-09-14T18:32:00+02:00"),
        "2027-09-17T09:30:00+02:00",
        True,
        "+02:00",
    ),
    ("Thursday works, say 2?", THU, "2026-03-12T14:00:00-05:00", True, "-05:00"),
    ("Monday, would 9:30 work for you?", THU, "2026-03-09T09:30:00-05:00", True, "-05:00"),
    ("Can we do Monday... around 11ish?", THU, "2026-03-09T11:00:00-05:00", True, "-05:00"),
    ("Are you free Friday? Would 2pm suit?", THU, "2026-03-06T14:00:00-05:00", True, "-05:00"),
    ("Friday, 3 o'clock?", THU, "2026-03-06T15:00:00-05:00", True, "-05:00"),
    # The part of the day says which half a bare hour is in.
    ("Tuesday afternoon at 2", THU, "2026-03-10T14:00:00-05:00", True, "-05:00"),
    ("Tuesday evening at 6", THU, "2026-03-10T18:00:00-05:00", True, "-05:00"),
    ("Tuesday morning at 6", THU, "2026-03-10T06:00:00-05:00", True, "-05:00"),
    # A dated heading over a schedule: its first line, in the zone the message declares.
    (
        "Here is your itinerary for Thursday, April 23, 2026 at the Fremont studio "
        "(3417 Evanston Ave N, Seattle). All times Pacific.\n\n"
        "  9:00 - 9:15   Welcome & studio tour - Marisol Achebe\n"
        "  9:15 - 10:15  Systems design - Hana Brooks, Principal Engineer\n"
        " 10:30 - 11:30  Debugging session - Luis Ortega, SRE\n"
        " 12:30 - 1:15   Collaboration & values - Greta Olsen\n",
        at("2026-04-13T16:20:00-07:00"),
        "2026-04-23T09:00:00-07:00",
        True,
        "America/Los_Angeles",
    ),
    (
        "Your interview is confirmed for Tuesday, March 10.\n\n"
        "10:00 - 10:45 Technical interview with Sam\n11:00 - 11:30 Chat with the hiring manager",
        THU,
        "2026-03-10T10:00:00-05:00",
        True,
        "-05:00",
    ),
    (
        "Thursday, 12 March\n  9:30am  Arrival\n  10:00am  Panel (all times ET)\n",
        THU,
        "2026-03-12T09:30:00-04:00",
        True,
        "America/New_York",
    ),
    # Clock forms.
    ("Tues 3/17 @ 2:30p ET", THU, "2026-03-17T14:30:00-04:00", True, "America/New_York"),
    ("1430 GMT", MON, "2026-03-09T14:30:00+00:00", True, "GMT"),
    ("1430Z", MON, "2026-03-09T14:30:00+00:00", True, "UTC"),
    ("Friday 0900 hrs", THU, "2026-03-06T09:00:00-05:00", True, "-05:00"),
    ("2:30pm-3:15pm EDT", AUTUMN_NY, "2026-10-29T14:30:00-04:00", True, "America/New_York"),
    ("at noon", THU, "2026-03-05T12:00:00-05:00", True, "-05:00"),
    ("at midday Thursday", MON, "2026-03-12T12:00:00-04:00", True, "-04:00"),
    ("9am sharp", THU, "2026-03-06T09:00:00-05:00", True, "-05:00"),
    ("half past ten", THU, "2026-03-05T10:30:00-05:00", True, "-05:00"),
    ("quarter to three", THU, "2026-03-05T14:45:00-05:00", True, "-05:00"),
    ("at ten o'clock on Friday", THU, "2026-03-06T10:00:00-05:00", True, "-05:00"),
    # Weekdays with a week.
    ("this coming Monday", THU, "2026-03-09T12:00:00-05:00", False, "-05:00"),
    ("this coming Monday", MON, "2026-03-16T12:00:00-04:00", False, "-04:00"),
    ("Monday next week", MON, "2026-03-16T12:00:00-04:00", False, "-04:00"),
    ("Wednesday next week", MON, "2026-03-18T12:00:00-04:00", False, "-04:00"),
    ("Friday next week at 3pm", THU, "2026-03-13T15:00:00-05:00", True, "-05:00"),
    ("Friday this week", THU, "2026-03-06T12:00:00-05:00", False, "-05:00"),
    ("Tuesday after next", THU, "2026-03-17T12:00:00-05:00", False, "-05:00"),
    ("the following Tuesday", THU, "2026-03-10T12:00:00-05:00", False, "-05:00"),  # no anchor
    # A weekday echoing the date is that date, and decides a numeric date's order.
    (
        "Date: 24/03/2026 (Tuesday)\nTime: 11:00 AM IST",
        INDIA,
        "2026-03-24T11:00:00+05:30",
        True,
        "Asia/Kolkata",
    ),
    ("on 20th Mar, Friday at 3 PM IST", INDIA, "2026-03-20T15:00:00+05:30", True, "Asia/Kolkata"),
    (
        "DATE : 14.03.2026 (SATURDAY)\nTIME : 10:00 AM",
        INDIA,
        "2026-03-14T10:00:00+05:30",
        True,
        "+05:30",
    ),
    ("on 03/07/2026 (Saturday)", INDIA, "2026-03-07T12:00:00+05:30", False, "+05:30"),
    ("on 07/03/2026 (Saturday)", THU, "2026-03-07T12:00:00-05:00", False, "-05:00"),
    ("on March 10 - 2pm works", THU, "2026-03-10T14:00:00-05:00", True, "-05:00"),
    # One moment in two zones: the zone the mail names; a time's line above its date's.
    (
        "on Tuesday 10 March at 10:00 your time / 16:00 CET",
        THU_LONDON,
        "2026-03-10T16:00:00+01:00",
        True,
        "Europe/Berlin",
    ),
    (
        "on Tuesday 10 March at 16:00 CET (10:00 your time)",
        THU_LONDON,
        "2026-03-10T16:00:00+01:00",
        True,
        "Europe/Berlin",
    ),
    (
        "on Tuesday 10 March at 10:00 CET (09:00 UK time).",
        THU_LONDON,
        "2026-03-10T10:00:00+01:00",
        True,
        "Europe/Berlin",
    ),
    ("Reporting Time: 09:30\nDate: 10/03/2026", INDIA, "2026-03-10T09:30:00+05:30", True, "+05:30"),
    # ATS tables flattened to text: the time label may be "From Time" or bilingual.
    (
        "Scheduled On 24-03-2026\nFrom Time 10:00\nTo Time 11:00",
        TUE_BERLIN,
        "2026-03-24T10:00:00+01:00",
        True,
        "+01:00",
    ),
    (
        "Date 27-03-2026\nHeure / Time 10:00 – 11:00",
        TUE_BERLIN,
        "2026-03-27T10:00:00+01:00",
        True,
        "+01:00",
    ),
]


@pytest.mark.parametrize(
    ("text", "sent_at", "value", "has_time", "tz_name"),
    DATETIME_CASES,
    ids=[f"{c[0][:48]}|{c[1].strftime('%a %m-%d %z')}" for c in DATETIME_CASES],
)
def test_find_datetimes_resolves_one_mention(
    text: str, sent_at: datetime, value: str, has_time: bool, tz_name: str
) -> None:
    mentions = find_datetimes(text, sent_at)
    assert len(mentions) == 1, mentions
    (mention,) = mentions
    # In UTC: PEP 495 makes a time in a DST gap unequal to everything in another zone.
    assert mention.value.astimezone(UTC) == at(value).astimezone(UTC)
    assert mention.value.replace(tzinfo=None) == at(value).replace(tzinfo=None)
    assert mention.value.utcoffset() == at(value).utcoffset()
    assert mention.has_time is has_time
    assert mention.tz_name == tz_name
    assert mention.is_range_or_list is False
    assert text[mention.start : mention.end] == mention.text


def test_find_datetimes_keeps_the_whole_phrase_as_written() -> None:
    text = "Could we meet Tuesday, March 10 at 2:30 PM EST? Thanks!"
    (mention,) = find_datetimes(text, THU)
    assert mention.text == "Tuesday, March 10 at 2:30 PM EST"
    assert (mention.start, mention.end) == (14, 46)


def test_find_datetimes_zone_follows_the_date_across_dst() -> None:
    before, after = find_datetimes("Fri 6 Mar 10am ET or Mon 9 Mar 10am ET", THU)
    assert before.value.utcoffset() == timedelta(hours=-5)
    assert after.value.utcoffset() == timedelta(hours=-4)
    assert before.value.astimezone(NEW_YORK).hour == after.value.astimezone(NEW_YORK).hour == 10


LIST_CASES = [
    ("Would Tuesday at 2pm or Wednesday at 10am work?", THU, 2),
    ("2pm or 3pm on Tuesday", THU, 2),
    ("Are you free Monday, Tuesday or Wednesday next week?", THU, 3),
    ("between Monday and Wednesday", THU, 2),
    ("at 14:00 and 16:00", THU, 1),
    (
        "Options:\n- Monday, March 9: 10:00 - 11:00\n- Tuesday, March 10: 14:00\n"
        "- Wednesday, March 11: 9:30am",
        THU,
        3,
    ),
    ("from 9 March to 13 March", THU, 2),
    ("Tuesday 10 March at 10:00 CET / Wednesday 11 March at 14:00 CET", THU, 2),
    ("any chance of a call? thu or fri 4pm both grand", THU, 2),
    # Days sharing one written month are one mention of several days.
    ("Slots are available on 9 and 10 March at the depot.", THU, 1),
    ("Interviews will take place March 23-27.", THU, 1),
    ("Assessment centres run on 16, 17 and 18 March 2026.", THU, 1),
    ("Could you do March 10 or 11?", THU, 1),
]


@pytest.mark.parametrize(
    ("text", "sent_at", "count"), LIST_CASES, ids=[c[0][:40] for c in LIST_CASES]
)
def test_find_datetimes_marks_candidate_slots(text: str, sent_at: datetime, count: int) -> None:
    mentions = find_datetimes(text, sent_at)
    assert len(mentions) == count, mentions
    assert all(m.is_range_or_list for m in mentions)


def test_bare_time_in_a_list_takes_the_date_written_beside_it() -> None:
    first, second = find_datetimes("2pm or 3pm on Tuesday", THU)
    assert first.value == at("2026-03-10T14:00:00-05:00")
    assert second.value == at("2026-03-10T15:00:00-05:00")


def test_a_date_and_a_time_in_different_sentences_stay_apart() -> None:
    mentions = find_datetimes("We met on Monday. I can talk again at 3pm.", THU)
    assert [(m.text, m.has_time) for m in mentions] == [("Monday", False), ("3pm", True)]


def test_a_time_in_a_later_clause_that_goes_on_is_not_the_days() -> None:
    text = "Are you free Friday? At 2pm we have our standup, so a morning is better."
    mentions = find_datetimes(text, THU)
    assert [(m.text, m.has_time) for m in mentions] == [("Friday", False), ("2pm", True)]


@pytest.mark.parametrize(
    "text",
    [
        "See you Friday, 10 of us will attend.",
        "Is Friday ok? 10 or 11?",
        "We close Friday, 5 days later we reopen.",
        "Interview on Friday.\n\nRegards,\nJo\nOffice hours\n9:00 - 17:00 weekdays",
    ],
)
def test_a_day_keeps_no_time_from_numbers_near_it(text: str) -> None:
    (mention,) = find_datetimes(text, THU)
    assert mention.value == at("2026-03-06T12:00:00-05:00")
    assert mention.has_time is False


def test_the_following_weekday_counts_from_the_date_before_it() -> None:
    text = (
        "We're proposing Thursday, April 23, starting at 9:00 AM PT. If that doesn't work "
        "we can also do the following Tuesday."
    )
    proposed, following = find_datetimes(text, at("2026-04-09T14:51:00-07:00"))
    assert proposed.value == at("2026-04-23T09:00:00-07:00")
    assert following.text == "the following Tuesday"
    assert following.value.date() == d("2026-04-28")


def test_a_declared_zone_applies_to_every_time_without_one() -> None:
    text = "All times are in CET.\nMonday 9 March at 10:00 or Tuesday 10 March at 14:00 GMT"
    first, second = find_datetimes(text, THU)
    assert (first.value, first.tz_name) == (at("2026-03-09T10:00:00+01:00"), "Europe/Berlin")
    assert (second.value, second.tz_name) == (at("2026-03-10T14:00:00+00:00"), "GMT")
    text = "Tuesday 10 March, 9:30am. All times in this email are Eastern."
    (mention,) = find_datetimes(text, TUE_BERLIN)
    assert (mention.value, mention.tz_name) == (at("2026-03-10T09:30:00-04:00"), "America/New_York")


@pytest.mark.parametrize(
    ("text", "sent_at", "phrase", "first_day"),
    [
        ("Interviews run the week of March 9.", THU, "the week of March 9", "2026-03-09"),
        (
            "We plan to meet w/c 14th April",
            at("2025-04-02T10:00:00+01:00"),
            "w/c 14th April",
            "2025-04-14",
        ),
        (
            "during the week commencing 4 May 2026",
            THU,
            "the week commencing 4 May 2026",
            "2026-05-04",
        ),
    ],
)
def test_a_week_of_a_date_is_a_range_not_a_day(
    text: str, sent_at: datetime, phrase: str, first_day: str
) -> None:
    (mention,) = find_datetimes(text, sent_at)
    assert mention.text == phrase
    assert mention.value.date() == d(first_day)
    assert mention.is_range_or_list is True


def test_times_after_between_are_a_window_on_the_day_not_its_time() -> None:
    text = "The panel sits on Tuesday 10 March between 9.00am and 4.00pm AEDT."
    day, *times = find_datetimes(text, THU)
    assert (day.text, day.has_time) == ("Tuesday 10 March", False)
    assert day.value.date() == d("2026-03-10")
    assert [t.is_range_or_list for t in times] == [True, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("available between 9:00 and 17:00", True),
        ("on 26 May between 9.00am and 4pm", True),
        ("Between (9:00", True),
        ("between\n9:00", False),  # "between" ends the line above: a heading, not this time
        ("the gap in between is short, at 9:00", False),
        ("at 9:00", False),
    ],
)
def test_after_between_reads_only_the_word_right_before(text: str, expected: bool) -> None:
    assert after_between(text, text.index("9")) is expected


@pytest.mark.parametrize(
    ("text", "sent_at", "expected"),
    [
        # (text, sent_at, [(mention text, value, several slots)])
        (
            "Could you do a video interview on 09.03. or 10.03., in both cases at 10:00 CET?",
            at("2026-03-02T15:00:00+01:00"),
            [
                ("09.03.", "2026-03-09T12:00:00+01:00", True),
                ("10.03., in both cases at 10:00 CET", "2026-03-10T10:00:00+01:00", True),
            ],
        ),
        (
            "We confirm the appointment on Wednesday, 18.3.2026, 10.00 - 11.30 in Zurich.",
            at("2026-03-11T08:15:00+01:00"),
            [("Wednesday, 18.3.2026, 10.00 - 11.30", "2026-03-18T10:00:00+01:00", False)],
        ),
        (
            "Could you pop in for a chat next Wednesday at half 2?",
            THU_LONDON,
            [("next Wednesday at half 2", "2026-03-11T14:30:00+00:00", False)],
        ),
        (
            "Your interview is at 10.30 on Tuesday 10 March.",
            THU_LONDON,
            [("10.30 on Tuesday 10 March", "2026-03-10T10:30:00+00:00", False)],
        ),
        ("The fee is 10.00 - 12.50 per hour.", THU_LONDON, []),
        ("The price is 10.30 per unit.", THU_LONDON, []),
        ("See sections 3.2. and 3.4. of the handbook.", THU_LONDON, []),
    ],
    ids=[
        "dotted-days-listed",
        "dotted-time-range",
        "half-2",
        "at-dotted-time",
        "dotted-prices",
        "dotted-price",
        "sections",
    ],
)
def test_continental_and_british_ways_of_writing_a_slot(
    text: str, sent_at: datetime, expected: list[tuple[str, str, bool]]
) -> None:
    found = find_datetimes(text, sent_at)
    assert [(m.text, m.value.isoformat(), m.is_range_or_list) for m in found] == expected


def test_a_time_range_is_one_slot() -> None:
    (mention,) = find_datetimes("Mon 9 Mar, 09:30 – 10:15 (GMT)", THU_LONDON)
    assert mention.is_range_or_list is False
    assert mention.text == "Mon 9 Mar, 09:30 – 10:15 (GMT)"


def test_separate_sentences_are_not_a_list() -> None:
    text = "Your interview is on Tuesday, March 10 at 2pm. We will decide by Friday, March 13."
    mentions = find_datetimes(text, THU)
    assert [m.text for m in mentions] == ["Tuesday, March 10 at 2pm", "Friday, March 13"]
    assert not any(m.is_range_or_list for m in mentions)


DATETIME_NEGATIVES = [
    "Office hours Mon-Fri 9am-5pm",
    "Monday – Friday, 9:00 to 17:30",
    "C'mon, the sun is out.",
    "Meeting notes: Arrival 08:45 at the depot",
    "Do you have a car?",
    "We use version 2.3 of the library.",
    "Call me on 555-123-4567 or +44 20 7946 0958.",
    "You bring 5 years of experience.",
    "We are a top 10 employer.",
    "The salary is $120,000, with a $10.50 lunch allowance and 2.5% bonus.",
    "Our support is available 24/7.",
    "The 2nd round will be with the team.",
    "Our office is on the 2nd floor.",
    "You may want to review the deck.",
    "Please march on.",
    "I sat down with the team on a sunny wed-ding day.",
    "Office hours Mon–Fri 9:00–17:00",
    "Ref 10.03, ticket 1/2, score 3:1",
    "Half of the 50/50 split",
    "We had 1500 applicants; call 0800 123 4567. Copyright 2025 Example Corp.",
    "Room 12a, section 3a.",
    "Is 3p ok?",
    "Agenda\n9:00 Welcome\n10:00 Coffee",  # schedule lines under no dated heading
    "Office hours\n9:00 - 17:00 weekdays",
    "There are times when it rains. All times are approximate.",
    "",
]


@pytest.mark.parametrize(
    "text", DATETIME_NEGATIVES, ids=[t[:30] or "empty" for t in DATETIME_NEGATIVES]
)
def test_find_datetimes_ignores_numbers_that_are_not_dates(text: str) -> None:
    assert find_datetimes(text, THU) == []


def test_find_datetimes_in_a_typical_invitation() -> None:
    text = (
        "Hi Alex,\n\nThanks for your time last week. We would like to invite you to a 60-minute "
        "technical interview. Would Tuesday, March 10 at 2:30 PM EST work for you? The panel "
        "has 2 engineers and you can reach me at 555-123-4567.\n\nBest,\nJordan"
    )
    (mention,) = find_datetimes(text, THU)
    assert mention.text == "Tuesday, March 10 at 2:30 PM EST"


def test_find_datetimes_requires_an_aware_sent_at() -> None:
    with pytest.raises(ValueError, match="aware"):
        find_datetimes("Tuesday at 2pm", datetime(2026, 3, 5, 9, 30))


def test_find_datetimes_uses_a_zoneinfo_sent_at_by_name() -> None:
    sent = datetime(2026, 3, 5, 9, 30, tzinfo=NEW_YORK)
    (mention,) = find_datetimes("Tuesday at 2pm", sent)
    assert mention.tz_name == "America/New_York"
    assert mention.value.utcoffset() == timedelta(hours=-4)  # after the DST change


# ---------------------------------------------------------------- deadlines

DEADLINE_CASES = [
    # phrase, sent_at, last day
    ("by Friday", THU, "2026-03-06"),
    ("by Friday", FRI, "2026-03-13"),  # the next such day, strictly after
    ("by Friday", SAT, "2026-03-13"),
    ("by Monday", FRI, "2026-03-09"),
    ("on Monday", THU, "2026-03-09"),
    ("by Thursday", THU, "2026-03-12"),
    ("this Friday", FRI, "2026-03-06"),
    ("next Friday", THU, "2026-03-13"),
    ("next Friday", MON, "2026-03-20"),
    ("end of day Thursday", MON, "2026-03-12"),
    ("by EOD Friday", THU, "2026-03-06"),
    ("by 5pm Friday", THU, "2026-03-06"),
    ("by noon tomorrow", THU, "2026-03-06"),
    ("tomorrow", NEW_YEARS_EVE, "2026-01-01"),
    ("today", THU, "2026-03-05"),
    ("by end of day", THU, "2026-03-05"),
    ("within two weeks", THU, "2026-03-19"),
    ("within 2 weeks", NEW_YEARS_EVE, "2026-01-14"),
    ("within a week", THU, "2026-03-12"),
    ("within 10 days", THU, "2026-03-15"),
    ("within 48 hours", THU, "2026-03-07"),
    ("within the next 24-48 hours", THU, "2026-03-07"),
    ("in 72 hours", THU, "2026-03-08"),
    ("in 5 business days", THU, "2026-03-12"),
    ("in 5 business days", FRI, "2026-03-13"),
    ("3 working days", FRI, "2026-03-11"),
    ("5-7 business days", THU, "2026-03-16"),
    ("two to three days", THU, "2026-03-08"),
    ("a day or two", THU, "2026-03-07"),
    ("a week or two", THU, "2026-03-19"),
    ("one or two weeks", THU, "2026-03-19"),
    ("1-2 weeks", THU, "2026-03-19"),
    ("2-3 weeks", THU, "2026-03-26"),
    ("a couple of weeks", THU, "2026-03-19"),
    ("a couple weeks", THU, "2026-03-19"),
    ("a few days", THU, "2026-03-08"),
    ("the next few days", THU, "2026-03-08"),
    ("in the coming days", THU, "2026-03-08"),
    ("in the next week or two", THU, "2026-03-19"),
    ("within the next week", THU, "2026-03-12"),
    ("in a fortnight", THU, "2026-03-19"),
    ("within a month", MONTH_END, "2026-02-28"),
    ("in 2 months", THU, "2026-05-05"),
    ("within twenty-one days", THU, "2026-03-26"),
    ("next week", THU, "2026-03-13"),
    ("next week", FRI, "2026-03-13"),
    ("next week", SUN, "2026-03-13"),
    ("next week", NEW_YEARS_EVE, "2026-01-09"),
    ("by the end of next week", THU, "2026-03-13"),
    ("end of next week", MON, "2026-03-20"),
    ("early next week", THU, "2026-03-10"),
    ("early next week", NEW_YEARS_EVE, "2026-01-06"),
    ("at the start of next week", THU, "2026-03-09"),
    ("middle of next week", THU, "2026-03-11"),
    ("mid-next week", THU, "2026-03-11"),
    ("late next week", THU, "2026-03-13"),
    ("the week after next", THU, "2026-03-20"),
    ("the following week", THU, "2026-03-13"),
    ("by the end of the week", THU, "2026-03-06"),
    ("end of this week", FRI, "2026-03-06"),
    ("end of this week", SAT, "2026-03-13"),
    ("by the end of the week", SUN, "2026-03-13"),
    ("later this week", THU, "2026-03-06"),
    ("by the weekend", THU, "2026-03-06"),
    ("over the weekend", THU, "2026-03-08"),
    ("end of the month", THU, "2026-03-31"),
    ("by the end of this month", NEW_YEARS_EVE, "2025-12-31"),
    ("end of the month", MONTH_END, "2026-01-31"),
    ("by month-end", THU, "2026-03-31"),
    ("end of next month", THU, "2026-04-30"),
    ("early next month", THU, "2026-04-10"),
    ("by mid-April", THU, "2026-04-15"),
    ("by the end of April", THU, "2026-04-30"),
    ("in January", NEW_YEARS_EVE, "2026-01-31"),
    ("by the end of February", MONTH_END, "2026-02-28"),
    ("end of Q2", THU, "2026-06-30"),
    ("by the end of the year", THU, "2026-12-31"),
    ("by the 24th", THU, "2026-03-24"),
    ("by the 5th", THU, "2026-04-05"),  # the next 5th, strictly after the sent date
    ("by the 31st", at("2026-04-05T10:00:00+01:00"), "2026-05-31"),
    ("by March 14", THU, "2026-03-14"),
    ("by 14 March 2026", THU, "2026-03-14"),
    ("by March 3", THU, "2026-03-03"),  # the nearer occurrence: two days ago
    ("by January 9", NEW_YEARS_EVE, "2026-01-09"),
    ("before the 3rd of April", THU, "2026-04-03"),  # "before" counts as "by"
    ("before Friday", THU, "2026-03-06"),
    ("no later than Tuesday, March 10", THU, "2026-03-10"),
    ("on or before 3/20", THU, "2026-03-20"),
    ("by 20/03/2026", TUE_BERLIN, "2026-03-20"),
    ("by Thursday or Friday", MON, "2026-03-13"),
    ("Monday or Tuesday", THU, "2026-03-10"),
    ("Mar-14", THU, "2026-03-14"),  # read by dateparser
    ("2026.03.14", THU, "2026-03-14"),
    ("within the week", at("2025-11-18T14:05:00-05:00"), "2025-11-25"),  # a week: 7 days
    ("within the fortnight", THU, "2026-03-19"),
    ("within the month", THU, "2026-04-05"),
    ("w/c 14th April", at("2025-04-02T10:00:00+01:00"), "2025-04-18"),  # that week's Friday
    ("the week of March 9", THU, "2026-03-13"),
    ("during the week commencing 4 May 2026", THU, "2026-05-08"),
    ("by COB Thursday", THU, "2026-03-12"),
    ("EOD Friday", THU, "2026-03-06"),
    ("by end of play Wednesday", THU, "2026-03-11"),
    ("no later than 3/20", THU, "2026-03-20"),
    ("over the next couple of days", THU, "2026-03-07"),
    ("sometime next week", THU, "2026-03-13"),
    ("by mid-April", SAT, "2026-04-15"),
    ("by the end of Q2", THU, "2026-06-30"),
    ("this coming Monday", THU, "2026-03-09"),
    ("Monday next week", THU, "2026-03-09"),
    ("by Wednesday next week", MON, "2026-03-18"),
    ("Tuesday after next", THU, "2026-03-17"),
]


@pytest.mark.parametrize(
    ("phrase", "sent_at", "expected"),
    DEADLINE_CASES,
    ids=[f"{c[0]}|{c[1].strftime('%a %Y-%m-%d')}" for c in DEADLINE_CASES],
)
def test_resolve_deadline(phrase: str, sent_at: datetime, expected: str) -> None:
    assert resolve_deadline(phrase, sent_at) == d(expected)


DEADLINE_NONE = [
    "soon",
    "as soon as possible",
    "shortly",
    "in due course",
    "we will be in touch",
    "in 2019",
    "5 years of experience",
    "top 10",
    "24/7",
    "version 2.3",
    "the week",
    "a day",
    "may I ask",
    "before the holidays",
    "in the new year",
    "within the weekend",
    "the week of",
    "",
]


@pytest.mark.parametrize("phrase", DEADLINE_NONE, ids=[p or "empty" for p in DEADLINE_NONE])
def test_resolve_deadline_none_without_a_day(phrase: str) -> None:
    assert resolve_deadline(phrase, THU) is None


FIND_DEADLINE_CASES = [
    (
        "We will get back to you within two weeks.",
        [("within two weeks", "2026-03-19")],
    ),
    (
        "Thanks for coming in today! You'll hear from us by the end of next week at the latest.",
        [("today", "2026-03-05"), ("by the end of next week at the latest", "2026-03-13")],
    ),
    (
        "The team meets on Monday and we should have an answer in 5 business days.",
        [("on Monday", "2026-03-09"), ("in 5 business days", "2026-03-12")],
    ),
    (
        "Feedback usually takes 5-7 business days; if you have not heard from us within "
        "six weeks, please assume we went another way.",
        [("5-7 business days", "2026-03-16"), ("within six weeks", "2026-04-16")],
    ),
    (
        "Please send your references by March 14, and we'll decide early next week.",
        [("by March 14", "2026-03-14"), ("early next week", "2026-03-10")],
    ),
    (
        "I'll write up my notes and get back to you within the week on whether they want "
        "to bring you in.",
        [("within the week", "2026-03-12")],
    ),
    (
        "We interview on March 17 and will decide the following Friday.",
        [("on March 17", "2026-03-17"), ("the following Friday", "2026-03-20")],
    ),
    (
        "Please confirm by end of play Wednesday; we'll reply by Monday next week.",
        [("by end of play Wednesday", "2026-03-11"), ("by Monday next week", "2026-03-09")],
    ),
    (
        "I hope to phone everyone on Monday or Tuesday next week at the latest.",
        [("on Monday or Tuesday next week at the latest", "2026-03-10")],
    ),
    (
        "We'll call on Wednesday. Next week the panel is away.",
        [("on Wednesday", "2026-03-11"), ("Next week", "2026-03-13")],
    ),
    (
        "We decide at the board meeting on March 12 and will let you know the following day.",
        [("on March 12", "2026-03-12"), ("the following day", "2026-03-13")],
    ),
    ("You bring 5 years of experience and work 5 days a week; call 555-123-4567.", []),
    (
        "We will inform you about our decision by the end of calendar week 11.",
        [("by the end of calendar week 11", "2026-03-13")],
    ),
    ("Feedback in KW 12 at the latest.", [("in KW 12 at the latest", "2026-03-20")]),
    (
        "Our timeline shifted with the year-end freeze; we now expect to decide within two weeks.",
        [("within two weeks", "2026-03-19")],
    ),
    ("We will review applications over the coming weeks.", []),
    ("We will be in touch over the coming days.", [("over the coming days", "2026-03-08")]),
    ("We gave 2 weeks' notice 3 days ago.", []),
    ("Do you have a car? Our support is 24/7.", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), FIND_DEADLINE_CASES, ids=[c[0][:40] for c in FIND_DEADLINE_CASES]
)
def test_find_deadlines_spans_and_days(text: str, expected: list[tuple[str, str]]) -> None:
    found = find_deadlines(text, THU)
    assert [(phrase, day.isoformat()) for _, _, phrase, day in found] == expected
    for start, end, phrase, _ in found:
        assert text[start:end] == phrase


def test_find_deadlines_case_of_words_that_are_also_months() -> None:
    assert find_deadlines("You may hear from us in May.", THU) == [
        (21, 27, "in May", d("2026-05-31"))
    ]


# ---------------------------------------------------------------- business days

BUSINESS_DAY_CASES = [
    ("2026-03-05", 1, "2026-03-06"),  # Thu -> Fri
    ("2026-03-06", 1, "2026-03-09"),  # Fri -> Mon
    ("2026-03-07", 1, "2026-03-09"),  # Sat -> Mon
    ("2026-03-08", 1, "2026-03-09"),  # Sun -> Mon
    ("2026-03-05", 5, "2026-03-12"),
    ("2026-03-06", 5, "2026-03-13"),
    ("2026-03-07", 5, "2026-03-13"),
    ("2026-03-02", 10, "2026-03-16"),
    ("2025-12-31", 2, "2026-01-02"),  # holidays are not skipped: weekends only
    ("2026-03-05", 0, "2026-03-05"),
    ("2026-03-07", 0, "2026-03-07"),
    ("2026-03-09", -1, "2026-03-06"),  # Mon -> Fri
    ("2026-03-08", -1, "2026-03-06"),  # Sun -> Fri
    ("2026-03-13", -5, "2026-03-06"),
]


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    BUSINESS_DAY_CASES,
    ids=[f"{c[0]}{c[1]:+d}" for c in BUSINESS_DAY_CASES],
)
def test_add_business_days(start: str, n: int, expected: str) -> None:
    assert add_business_days(d(start), n) == d(expected)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(-60, 60))
def test_add_business_days_counts_only_weekdays(start: date, n: int) -> None:
    end = add_business_days(start, n)
    if n == 0:
        assert end == start
        return
    assert end.weekday() < 5
    low, high = (start, end) if n > 0 else (end, start)
    between = [low + timedelta(days=i) for i in range(1, (high - low).days + 1)]
    if n < 0:
        between = [low + timedelta(days=i) for i in range((high - low).days)]
    assert sum(day.weekday() < 5 for day in between) == abs(n)


# ---------------------------------------------------------------- out of office

RETURN_CASES = [
    (
        "I am on field visits and will be back in Pune office on Thursday, 12th March.",
        THU,
        "2026-03-12",
    ),
    ("Our office is closed for the holidays and will reopen on Monday 9 March.", THU, "2026-03-09"),
    (
        "I am out of the office from 09.03. to 13.03. and will answer after that.",
        THU_LONDON,
        "2026-03-16",
    ),
    (
        "I am out of the office until Monday 9 March with limited access to email.",
        THU,
        "2026-03-09",
    ),
    ("I'm out until Friday, March 13.", THU, "2026-03-13"),
    ("I'm out until Saturday 7 March.", THU, "2026-03-09"),  # a weekend return day: Monday
    ("I'll be back on the 14th.", THU, "2026-03-14"),
    ("Returning Tuesday.", THU, "2026-03-10"),
    ("I will return on 03/16.", THU, "2026-03-16"),
    ("I'm on annual leave, returning on 16/03/2026.", TUE_BERLIN, "2026-03-16"),
    ("I am out of office through March 13.", THU, "2026-03-16"),
    ("Out through Friday, back in the office next week.", THU, "2026-03-09"),
    ("I'm on leave from 2 March to 6 March.", MON, "2026-03-09"),
    ("I'm away 2–6 March.", MON, "2026-03-09"),
    ("I will be back in two weeks.", THU, "2026-03-19"),
    ("Back tomorrow.", THU, "2026-03-06"),
    ("I'm travelling until 5 January and will reply when I'm back.", NEW_YEARS_EVE, "2026-01-05"),
    (
        "I am currently out of the office until Monday, March 9th. I will get back to you "
        "upon my return on Tuesday, March 10.",
        THU,
        "2026-03-10",  # an explicit return beats "until"
    ),
]


@pytest.mark.parametrize(
    ("text", "sent_at", "expected"), RETURN_CASES, ids=[c[0][:44] for c in RETURN_CASES]
)
def test_find_return_date(text: str, sent_at: datetime, expected: str) -> None:
    assert find_return_date(text, sent_at) == d(expected)


RETURN_NONE = [
    "I am away until further notice.",
    "I will get back to you on Monday.",
    "Thank you for your email. I am currently out of the office.",
    "Please contact my colleague at jobs@example.com.",
]


@pytest.mark.parametrize("text", RETURN_NONE, ids=[t[:30] for t in RETURN_NONE])
def test_find_return_date_none_without_a_return_day(text: str) -> None:
    assert find_return_date(text, THU) is None


# ---------------------------------------------------------------- never raise

_WORDS = [
    "by",
    "on",
    "the",
    "next",
    "this",
    "end",
    "of",
    "week",
    "weeks",
    "month",
    "within",
    "in",
    "a",
    "few",
    "couple",
    "two",
    "5",
    "10/03",
    "2026-03-10",
    "14:00",
    "2pm",
    "at",
    "EST",
    "(GMT+1)",
    "Friday",
    "Mon",
    "Mar",
    "March",
    "May",
    "14th",
    "or",
    "and",
    "-",
    "–",
    ",",
    "business",
    "days",
    "hours",
    "until",
    "back",
    "returning",
    "through",
    "from",
    "to",
    "noon",
    "tomorrow",
    "early",
    "mid",
    "Q2",
    "24/7",
    "31/02",
    "29 Feb",
    "12",
    "99",
    "\n",
    "?",
    "say",
    "morning",
    "half",
    "past",
    "quarter",
    "o'clock",
    "1430",
    "GMT",
    "2:30p",
    "w/c",
    "following",
    "All times",
    "Pacific",
    "9:00 - 9:15",
]
_SENT = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)).flatmap(
    lambda naive: st.integers(-14 * 4, 14 * 4).map(
        lambda quarters: naive.replace(tzinfo=timezone(timedelta(minutes=15 * quarters)))
    )
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), _SENT)
def test_finders_never_raise_on_arbitrary_text(text: str, sent_at: datetime) -> None:
    _check_finders(text, sent_at)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join), _SENT)
def test_finders_never_raise_on_date_word_soup(text: str, sent_at: datetime) -> None:
    _check_finders(text, sent_at)


def test_finders_survive_the_ends_of_the_calendar() -> None:
    for sent_at in (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
    ):
        _check_finders(
            "by Friday, within 2 weeks, next month, on the 31st, Dec 31 at 10pm", sent_at
        )


def _check_finders(text: str, sent_at: datetime) -> None:
    mentions = find_datetimes(text, sent_at)
    for mention in mentions:
        assert isinstance(mention, DateMention)
        assert text[mention.start : mention.end] == mention.text
        assert mention.value.utcoffset() is not None
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
    previous_end = 0
    for start, end, phrase, day in find_deadlines(text, sent_at):
        assert start >= previous_end
        assert text[start:end] == phrase
        assert isinstance(day, date)
        previous_end = end
    find_return_date(text, sent_at)
    resolve_deadline(text[:80], sent_at)
