"""Pure date and time understanding: find and resolve date phrases against a message's Date.

One module per family of expressions:

- ``relative``: weekday names and relative words ("Friday", "next Tuesday", "tomorrow");
- ``written``: written dates ("March 10", "10/03", "2026-03-10", "the 14th");
- ``clock``: clock times and zones ("2:30 PM", "1430 hrs", "EST", "(UTC-05:00)");
- ``windows``: windows and deadlines ("by Friday", "within 5 business days") -> feedback_by;
- ``returns``: return dates of out-of-office replies ("back on Monday 9 March");
- ``datetimes`` and ``itinerary``: interview datetimes, with the times beside their
  dates, labelled lines, schedules and candidate-slot lists;
- ``common`` and ``scan``: number words, calendar arithmetic, the cheap trigger scan.

Conventions (DESIGN, detection contract), all on the SENDER's local dates, i.e.
``sent_at`` in its own offset; nothing here reads the clock.

Datetimes (interviews)
- Zone: the one named next to the time ("EST", "Eastern", "CET", "(GMT+01:00)",
  "Europe/Berlin"), else ``sent_at``'s own zone or offset. Abbreviations name the
  region, not the season: "2pm EST" in July is 14:00 America/New_York (EDT), the
  way people write it. "IST" is India. "GMT" is UTC+0, except from a sender whose
  Date offset is UK summer time (+01:00 while London is on BST): they mean UK time.
  Outlook's "(UTC-05:00) Eastern Time (US & Canada)" shows the standard offset all
  year, so a zone name beside an offset wins over the offset.
- A date without a time is 12:00 local; a time without a date is its next
  occurrence after ``sent_at``. A time without am/pm from 1 to 6 o'clock (not
  written with a leading zero) is afternoon: "at 2:30" is 14:30.
- A date without a year is the nearer of its occurrences around the sent date,
  with the future counted at half its distance ("March 3" sent March 5 is two days
  ago; "January 10" sent July 1 is next January).
- "10/03": day first unless the Date offset is an American one (-10:00 to -04:00,
  month first, US style); a part above 12 or a weekday written beside it decides
  first. "10.03.2026" is always day first; "10.03." without a year counts after a
  weekday or a preposition ("on 09.03. or 10.03.", "from 29.06. to 10.07.").
- A weekday name is the next such day strictly after the sent date ("Tuesday" sent
  on a Tuesday is a week later); "this Friday" may be today; "this coming Monday"
  is the next Monday; "next Friday" and "Friday next week" are the Friday of next
  (Monday to Sunday) week; "the following Tuesday" after a written date is the
  Tuesday after that date. "the 14th" is the next 14th on or after the sent date
  for a meeting, strictly after it for a deadline. "Mon", "thurs" count alone only
  with "on"/"next" before them, a time beside them or "?" after. "the week of
  March 9", "w/c 14th April" are a week, so a range (``is_range_or_list``).
- A date takes the time written after it in its sentence ("Friday's deep-dive at
  2:00 PM"), in the short clause or question after it ("friday morning? say 9.30?")
  or on a labelled next line ("Date: ... / Time: ..."); a slot's end ("End: ...",
  "10:00 - 11:00") is no second slot. A dated heading over schedule lines ("9:00 -
  9:15  Welcome") takes its first line's time; the later lines are the same day.
  "morning" keeps a bare hour as written, "afternoon"/"evening" make it pm. "All
  times Pacific" names the zone of every time in the message that names none.
  "1430" is a time only with a zone code or "hrs" after it; "2:30p" is pm. A dotted
  "10.30" is a time after "at"/"for" or in a range ("10.00 - 11.30"), else it may be
  a price; "half 2" is 14:30.
  Mentions joined by "or", commas, "to" or list lines are several candidate slots.
  "Mon–Fri 9:00–17:00" is opening hours, no date.
- A weekday right after a date naming the same day ("29/07/2025 (Tuesday)", "21st
  Aug, Friday") is part of it, and decides a numeric date's order. Days sharing one
  written month ("5 and 6 March", "April 21-25", "3, 4 and 5 September") are one
  mention of several days. A time written again in another zone ("10:00 your time /
  16:00 CET", "10:00 CET (09:00 UK time)") is one moment, in the zone the mail
  names (the first when both name one). A labelled time line above the date's
  ("Reporting Time: 09:30 / Date: 10/03/2026") is the date's time, as below it.

Deadlines (``feedback_by``): a weekday name is the next such day, strictly after the
sent date (so "by Friday" written on a Friday is a week later); "end of this week"
is this week's Friday (the next Friday when sent at the weekend); "next week" and
"end of next week" are next week's Friday, "early next week" its Tuesday, "start
of next week" its Monday, "middle of next week" its Wednesday; "within N days /
weeks / months" adds calendar days ("within 48 hours" is two days), "N business
days" counts Monday to Friday; "within the week" is within a week (7 days, "the
fortnight" 14, "the month" a month); "a couple" is 2, "a few" and "several" are 3,
"the coming days" is a few days; a range counts to its upper end; "end of the
month" is its last day, "mid-month" the 15th, "early next month" the 10th; "by the
24th" is the next 24th; "by the weekend" is Friday; "the week of March 9" is that
week's Friday; "end of play", "COB" are end of day; "calendar week 20", "KW 20" are that ISO week's
Friday; "the coming weeks" (no number) names no day, and "year-end" before a noun
("the year-end freeze") is no deadline. Weekday names followed by "next
week" are those days of next week ("on Monday or Tuesday next week" is next
Tuesday); "the following day" after a written date is the day after it. "before X"
counts as "by X": read
literally it ends a day earlier, but waiting one day too long is harmless where
nudging a day early is the error the rules exist to avoid.

Return dates (out of office): "back on X" / "returning X" / "until X" give X (so
"out until Monday 9 March" is back on the 9th, the usual template's meaning, and a
nudge waits until after it anyway); "through X", "until and including X" and a
range "from A to B" give the next business day after X or B; a return day that
falls on a weekend moves to Monday; "back next week" is next week's Monday; "back in
the Pune office on X" and "will reopen on X" give X.
"""

from nlp.dates.common import DateMention, add_business_days, after_between
from nlp.dates.datetimes import find_datetimes
from nlp.dates.returns import find_return_date
from nlp.dates.windows import find_deadlines, resolve_deadline

__all__ = [
    "DateMention",
    "add_business_days",
    "after_between",
    "find_datetimes",
    "find_deadlines",
    "find_return_date",
    "resolve_deadline",
]
