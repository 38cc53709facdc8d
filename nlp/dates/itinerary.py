"""Itineraries and slot lists: date/time pairs across labelled lines, schedules, candidate lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo
from itertools import pairwise

from nlp.dates.clock import _BARE, _DAY_PART, _TIME
from nlp.dates.common import after_between
from nlp.dates.relative import _WD

# A time right after a date: "Tuesday, March 10 at 2:30 PM EST", "Mon 9 Mar, 09:30 – 10:15 (GMT)".
_TIME_AFTER_DATE = re.compile(
    rf"""
(?:[^\S\n]*\(\s*{_WD}\s*\))?{_DAY_PART}
(?:[^\S\n]*[,·⋅|;:\-–—]|t(?=\d))?[^\S\n]*
(?P<conn>(?:at|@|from|between|starting\s+at|beginning\s+at|start(?:s|ing)?\s+at)[^\S\n]*)?
(?:{_TIME}|{_BARE})
""",
    re.VERBOSE,
)
# A line label before a value: "Time:", "Arrival   ", or a time word and one space
# (a table flattened to text: "Time 1:00 PM Eastern", "From Time 10:00", "Heure / Time 10:00").
_LABEL = (
    r"(?:[A-Za-z][A-Za-z ]{0,24}(?::|[^\S\n]{2,}|\t)"
    r"|(?i:(?:[^\W\d_]+[^\S\n]*/[^\S\n]*)?(?:interview\s+|start\s+|local\s+|from\s+)?time"
    r"|start|starts|arrival|begins?|when|slot)[^\S\n])"
)
_LABEL_BEFORE = re.compile(rf"(?m:^[^\S\n]*{_LABEL}[^\S\n]*)$")
# Between a date and its time: the same sentence, or a next line with a label ("Time:").
_LABEL_GAP = re.compile(rf"[^\S\n]*:?[^\S\n]*\n[^\S\n]*{_LABEL}[^\S\n]*")
_PAIR_GAP = re.compile(rf"[^.!?;\n]{{0,40}}|{_LABEL_GAP.pattern}")
# A time written again in another zone: "10:00 your time / 16:00 CET", "10:00 CET (09:00 UK
# time)". "or" is no such joiner: "10:00 or 16:00 CET" are two slots.
_OTHER_ZONE_GAP = re.compile(
    r"[^\S\n]*(?:\(?(?i:your|local|my)(?:[^\S\n]+local)?[^\S\n]+time\)?|(?i:for\s+you))?"
    r"[^\S\n]*[/(|][^\S\n]*(?i:i\.e\.\s*|that's\s+|which\s+is\s+)?"
)
_ZONE_CLOSE = re.compile(r"[^\S\n]*\)")
# Between a start and the end of the same slot: "Start: ... / End: ...", "10:00 until 11:00".
_END_GAP = re.compile(
    r"[^\S\n]*(?:-|–|—|to|until|till)[^\S\n]*"
    r"|[^\S\n]*\n[^\S\n]*(?i:end|ends|finish|finishes|until)(?:[^\S\n]*:|[^\S\n])[^\S\n]*"
)
_WEEKDAY_DASH = re.compile(r"[^\S\n]*[-–—][^\S\n]*")
_LIST_GAP = re.compile(
    r"(?:[\s,;/|()*•·⋅\-–—]|\b(?i:or|and|either|alternatively|also|on|at|to|through|until|"
    r"till|from|between|option|slot|and/or)\b|\b\d{1,2}[.):]\s)*"
)
_LIST_JOINER = re.compile(r"\n|[,;/]|\b(?i:or|and|to|through|until|till)\b|[-–—]")
# A schedule line: a time (or range) opening a line, then what happens ("9:00 - 9:15  Welcome").
_LINE_START = re.compile(r"(?:^|\n)[^\S\n]*(?:[-*•·‣◦▪]+[^\S\n]*)?$")
_LINE_TOPIC = re.compile(r"[^\S\n]*(?:[-–—:|)]|\t)?[^\S\n]*[^\W\d_]")
_HEADING_REACH = 300  # characters from a dated heading to its first schedule line


@dataclass
class _Found:
    start: int
    end: int
    day: date | None
    clock: tuple[int, int] | None
    zone: tuple[tzinfo, str] | None
    listed: bool = False  # "at 14:00 and 16:00": two slots, not a range
    weak: bool = False  # kept only if paired: "Arrival: 08:45" under "Date: ...", a bare "Mon"
    line: bool = False  # opens a schedule line: "9:00 - 9:15  Welcome"


def _office_hours(low: str, weekdays: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of "Mon–Fri 9:00–17:00", "Monday-Friday 9am-5pm": opening hours, not dates."""
    spans: list[tuple[int, int]] = []
    for (start, end), (next_start, next_end) in pairwise(weekdays):
        if _WEEKDAY_DASH.fullmatch(low, end, next_start):
            spans.append((start, end))
            hours = _TIME_AFTER_DATE.match(low, next_end)
            spans.append((next_start, hours.end() if hours is not None else next_end))
    return spans


def _pair(text: str, found: list[_Found]) -> list[_Found]:
    """Join a date and the time that follows it in its sentence or on a labelled next line.

    "Are you free tomorrow, would 2pm suit?", "Friday's deep-dive at 2:00 PM",
    "Date: Tuesday 24 November 2026 / Arrival: 08:45"; and a slot's start and end
    ("Start: 2027-07-06T15:00 / End: 2027-07-06T16:00") into one.
    """
    paired: list[_Found] = []
    i = 0
    while i < len(found):
        item = found[i]
        nxt = found[i + 1] if i + 1 < len(found) else None
        if nxt is None or item.listed or nxt.listed:
            pass
        elif item.clock is None and nxt.line and nxt.day is None and _heading(text, item, nxt):
            # A dated heading over a schedule: the day starts with its first line.
            paired.append(_Found(item.start, nxt.end, item.day, nxt.clock, nxt.zone))
            i += 2
            while i < len(found) and found[i].line and found[i].day is None:
                if text.count("\n", found[i - 1].end, found[i].start) > 2:
                    break
                i += 1  # the later lines are the same day's programme
            continue
        elif (
            item.clock is not None
            and nxt.clock is not None
            and (item.day is None or nxt.day in (None, item.day))
            and (item.zone is not None or nxt.zone is not None)
            and _OTHER_ZONE_GAP.fullmatch(text, item.end, nxt.start)
        ):
            # One moment in two zones: the zone the mail names, over "your time".
            end = nxt.end
            close = _ZONE_CLOSE.match(text, end)
            if close is not None and "(" in text[item.end : nxt.start]:
                end = close.end()
            first = item if item.zone is not None else nxt
            day = item.day or nxt.day
            found[i + 1] = _Found(item.start, end, day, first.clock, first.zone)
            i += 1
            continue
        elif (
            item.day is None
            and item.clock is not None
            and nxt.clock is None
            and nxt.day is not None
            and _LABEL_GAP.fullmatch(text, item.end, nxt.start)
        ):
            # "Reporting Time: 09:30 / Date: 10/03/2026": the time's line above the date's.
            paired.append(_Found(item.start, nxt.end, nxt.day, item.clock, item.zone))
            i += 2
            continue
        elif (
            item.clock is None
            and nxt.day is None
            and _PAIR_GAP.fullmatch(text, item.end, nxt.start)
            and not after_between(text, nxt.start, item.end)  # a window that day
        ):
            paired.append(_Found(item.start, nxt.end, item.day, nxt.clock, nxt.zone))
            i += 2
            continue
        elif (
            item.clock is not None
            and nxt.clock is not None
            and item.day is not None
            and nxt.day in (None, item.day)
            and _END_GAP.fullmatch(text, item.end, nxt.start)
        ):
            # The end of the same slot, not a second one: keep the start.
            paired.append(_Found(item.start, nxt.end, item.day, item.clock, item.zone))
            i += 2
            continue
        paired.append(item)
        i += 1
    return paired


def _heading(text: str, item: _Found, line: _Found) -> bool:
    """Is ``item`` a date heading the schedule that starts with ``line``? On the line
    before it, or the one before that, within _HEADING_REACH characters."""
    if line.start - item.end > _HEADING_REACH or "\n" not in text[item.end : line.start]:
        return False
    between = text[item.end : line.start].split("\n")[1:-1]
    return sum(1 for row in between if row.strip()) <= 1


def _list_groups(text: str, found: list[_Found]) -> list[list[_Found]]:
    """The mentions in runs: a list or range of slots, or one mention alone."""
    groups: list[list[_Found]] = []
    for i, item in enumerate(found):
        if i:
            gap = text[found[i - 1].end : item.start]
            if (
                len(gap) <= 40
                and _LIST_GAP.fullmatch(gap)
                and (_LIST_JOINER.search(gap) or not gap.strip())
            ):
                groups[-1].append(item)
                continue
        groups.append([item])
    return groups
