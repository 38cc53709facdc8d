"""Interview datetimes: find_datetimes reads dates and the times written beside them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, tzinfo
from itertools import pairwise

from nlp.dates.clock import (
    _AMPM_SCAN,
    _BARE,
    _DAY_PART,
    _TIME,
    _TIME_ONLY,
    _clock_from_match,
    _declared_zone,
    _zone_after,
    _zone_label,
    _zoneless_military,
)
from nlp.dates.common import (
    _ONE_DAY,
    DateMention,
    _require_aware,
    _weekday_number,
    after_between,
)
from nlp.dates.itinerary import (
    _LABEL_BEFORE,
    _LINE_START,
    _LINE_TOPIC,
    _TIME_AFTER_DATE,
    _Found,
    _list_groups,
    _office_hours,
    _pair,
)
from nlp.dates.relative import _WEEK_OF_BEFORE, _after_anchor, _is_weak_weekday
from nlp.dates.scan import _prepare, _Prepared, _scan
from nlp.dates.written import _DATE_ONLY, _date_from_match, _day_first, _numeric_date

# A time in the short clause or question after a date: "friday morning? say 9.30?",
# "Thursday, would 2pm work?". _CLAUSE_END must follow the time.
_TIME_NEXT_CLAUSE = re.compile(
    rf"""
{_DAY_PART}
(?:[^\S\n]+(?:works?|suits?|is|would|could|be|good|great|fine|ok|okay|possible|perfect|better|
   best|ideal|for\s+(?:me|us|you)|then)\b)*
[^\S\n]*(?:[?,;–—]|\.\.\.)[^\S\n]*
(?:(?:say|let'?s\s+say|shall\s+we\s+say|maybe|perhaps|how\s+about|what\s+about|would|could|
   does|is|ideally|preferably|around|about|at|like|or|so|ok|okay)\b[^\S\n]*|@[^\S\n]*)*
(?:{_TIME}|{_BARE})(?:[^\S\n]*-?ish\b)?
""",
    re.VERBOSE,
)
_CLAUSE_END = re.compile(
    r"[^\S\n]*(?:[?!.,;)]|\n|$|(?i:works?|suits?|ok|okay|good|fine|alright|possible|any\s+good|"
    r"for\s+you|then)\b)"
)
_DATE_AFTER_TIME = re.compile(r"[^\S\n]*[,(\-–]?[^\S\n]*(?:on\s+)?")
# A weekday right after a date, naming the same day: "29/07/2025 (Tuesday)", "21st Aug, Friday".
# Days sharing one written month: "3, 4 and 5 September", "April 21-25", "March 10 or 11".
_DAYS_BEFORE = re.compile(
    r"(?<![\d:.,/])(?:\d{1,2}(?:st|nd|rd|th)?[^\S\n]*,[^\S\n]*)*\d{1,2}(?:st|nd|rd|th)?"
    r"[^\S\n]*(?:,|and|or|&|-|–|to|through)[^\S\n]*$"
)
_DAYS_AFTER = re.compile(
    r"[^\S\n]*(?:-|–|and|or|&|to|through)[^\S\n]*(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
    r"(?![\d:]|\.\d|[^\S\n]*(?:[ap]\.?m\b|h\b|hrs?\b|o'clock))"
)
_WEAK_JOIN = re.compile(r"(?i)[^\S\n]*(?:,|/|or|and|&)[^\S\n]*")
_ECHO_GAP = re.compile(r"[^\S\n]*(?:,|\()?[^\S\n]*")
_ECHO_CLOSE = re.compile(r"[^\S\n]*\)")
_STRONG_BEFORE_TIME = re.compile(r"(?i:\b(?:at|for|from|by|until|till|between)\s+|@\s*)$")


def find_datetimes(text: str, sent_at: datetime) -> list[DateMention]:
    """Every concrete date or time mention in ``text``, resolved against ``sent_at``.

    Handles "Tuesday, March 10 at 2:30 PM EST", "12 March at 10:30 EST", "next Tuesday
    at 2pm", "tomorrow at 10", "on the 14th at 15:00 CET", "3pm BST", "10:00 Eastern",
    "2026-03-10 14:00", "Mon 9 Mar, 09:30 – 10:15 (GMT)" and numeric dates (see the
    conventions at the top of this module). Mentions joined by "or", commas, "to" or
    list lines are marked ``is_range_or_list``; a time range ("09:30 – 10:15") is one
    mention whose value is its start.
    """
    _require_aware(sent_at)
    if not text:
        return []
    found = _collect(text, _prepare(text), sent_at)
    mentions: list[DateMention] = []
    for group in _list_groups(text, found):
        # "2pm or 3pm on Tuesday": a bare time in a list takes its nearest neighbour's day.
        dated = [item for item in group if item.day is not None]
        starts = [item.start for item in dated]
        values = []
        for item in group:
            day = item.day
            if day is None and dated:
                i = bisect_right(starts, item.start)
                nearest = [dated[j] for j in (i - 1, i) if 0 <= j < len(dated)]
                day = min(nearest, key=lambda f: abs(f.start - item.start)).day
            values.append(_moment(day, item.clock, item.zone, sent_at))
        several = len({value for value, _ in values}) > 1
        mentions.extend(
            DateMention(
                start=item.start,
                end=item.end,
                text=text[item.start : item.end],
                value=value,
                has_time=item.clock is not None,
                tz_name=label,
                is_range_or_list=item.listed or several,
            )
            for item, (value, label) in zip(group, values, strict=True)
        )
    return mentions


def _collect(text: str, prepared: _Prepared, sent_at: datetime) -> list[_Found]:
    """Dates with the time written after or before them, then lone dates and lone times."""
    base = sent_at.date()
    day_first = _day_first(sent_at)
    low = prepared.low
    dates_at: dict[int, tuple[int, date, bool]] = {}  # start: end, day, weak
    # A date that is one of several days: after "the week of", or with its month shared
    # ("5 and 6 March", "April 21-25"): its start, the phrase's start.
    weeks: dict[int, int] = {}
    weekdays: list[tuple[int, int]] = []
    previous: tuple[int, date] | None = None
    last: tuple[re.Match[str], date] | None = None
    for m, (kind, day) in _scan(
        _DATE_ONLY,
        low,
        prepared.date,
        lambda m: _date_from_match(m, text, base, day_first, strict_nth=False),
    ):
        echoed = _echoed_date(low, m, kind, last, base, day_first)
        if echoed is not None:
            last_m, last_day = echoed
            dates_at[last_m.start()] = (_echo_end(low, last_m, m), last_day, False)
            last = None
            continue
        last = (m, day)
        day = _after_anchor(m, day, previous)
        previous = (m.end(), day)
        dates_at[m.start()] = (m.end(), day, kind == "wd" and _is_weak_weekday(text, m))
        week = _WEEK_OF_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if week is not None:
            weeks[m.start()] = week.start()
        elif kind in ("md", "dm"):
            shared = _shared_month_start(low, m, kind)
            if shared is not None:
                weeks[m.start()] = shared
        if kind == "wd" and m.group("wd_d") is None and m.group("wd_s") is None:
            weekdays.append((m.start(), m.end()))
    ignored = _office_hours(low, weekdays)
    for start, _ in ignored:
        dates_at.pop(start, None)
    found: list[_Found] = []
    used: set[int] = set(weeks)
    for start, (end, day, _) in dates_at.items():
        if start in weeks:
            continue
        timed = _time_after_date(text, low, end, sent_at)
        if timed is not None:
            clock, zone, stop, listed = timed
            found.append(_Found(start, stop, day, clock, zone, listed))
            used.add(start)
    claimed = _SpanSet(
        [(f.start, f.end) for f in found] + [(s, e) for s, (e, _, _) in dates_at.items()] + ignored
    )

    def clock_of(m: re.Match[str]) -> tuple[int, int] | None:
        return None if claimed.overlaps(m.start(), m.end()) else _clock_from_match(m)

    for m, clock in _scan(_TIME_ONLY, low, prepared.time, clock_of):
        zone, stop = _zone_after(text, m.end(), sent_at)
        if _zoneless_military(text, m, stop):
            continue
        after = _DATE_AFTER_TIME.match(low, stop)
        date_start = after.end() if after is not None else stop
        listed = _and_joined(text, m)
        if date_start in dates_at and date_start not in used:
            used.add(date_start)
            end, day, _ = dates_at[date_start]
            found.append(_Found(m.start(), end, day, clock, zone, listed))
            continue
        strength = _time_strength(text, m, zone)
        line = _LINE_START.search(text, max(0, m.start() - 24), m.start()) is not None
        line = line and _LINE_TOPIC.match(text, stop) is not None
        if strength is None and line:
            strength = 0.5  # a schedule line counts only under a dated heading
        if strength is not None:
            found.append(
                _Found(m.start(), stop, None, clock, zone, listed, weak=strength < 1, line=line)
            )
    with_time = _SpanSet((f.start, f.end) for f in found if f.day is not None)
    found.extend(
        _Found(weeks.get(start, start), end, day, None, None, listed=start in weeks, weak=weak)
        for start, (end, day, weak) in dates_at.items()
        if (start not in used or start in weeks) and not with_time.overlaps(start, end)
    )
    found.sort(key=lambda f: f.start)
    kept = [f for f in _joined_weak(text, _pair(text, found)) if not f.weak]
    declared = _declared_zone(text, low, sent_at)
    if declared is not None:
        for item in kept:
            if item.clock is not None and item.zone is None:
                item.zone = declared
    return kept


def _shared_month_start(low: str, m: re.Match[str], kind: str) -> int | None:
    """Where a run of days sharing the month of date ``m`` starts, if it is one."""
    if kind == "dm":
        before = _DAYS_BEFORE.search(low, max(0, m.start() - 40), m.start())
        return before.start() if before is not None else None
    if m.group("md_y") is None and _DAYS_AFTER.match(low, m.end()) is not None:
        return m.start()
    return None


def _joined_weak(text: str, found: list[_Found]) -> list[_Found]:
    """A short weekday ("thu") joined by "or" to a day that counts ("fri 4pm") counts too:
    "thu or fri 4pm Irish time both grand" offers two days."""
    for item, nxt in pairwise(found):
        if (
            item.weak
            and item.day is not None
            and not nxt.weak
            and nxt.day is not None
            and _WEAK_JOIN.fullmatch(text, item.end, nxt.start)
        ):
            item.weak = False
    return found


def _echoed_date(
    low: str,
    m: re.Match[str],
    kind: str,
    last: tuple[re.Match[str], date] | None,
    base: date,
    day_first: bool,
) -> tuple[re.Match[str], date] | None:
    """The date a bare weekday ``m`` repeats ("29/07/2025 (Tuesday)"), read again with
    that weekday when it is numeric ("08/03/2026 (Sunday)" is the 8th of March)."""
    if last is None or kind != "wd" or m.group("wd_mod") is not None or m.end() != m.end("wd_name"):
        return None
    last_m, last_day = last
    if not _ECHO_GAP.fullmatch(low, last_m.end(), m.start()):
        return None
    weekday = _weekday_number(m.group("wd_name"))
    if last_m.start("num") != -1 and last_m.group("num_wd") is None:
        last_day = _numeric_date(last_m, base, day_first, weekday) or last_day
    return (last_m, last_day) if last_day.weekday() == weekday else None


def _echo_end(low: str, date_m: re.Match[str], weekday_m: re.Match[str]) -> int:
    """Where a date and its echoed weekday end, with the closing bracket if one opened."""
    if "(" not in low[date_m.end() : weekday_m.start()]:
        return weekday_m.end()
    close = _ECHO_CLOSE.match(low, weekday_m.end())
    return close.end() if close is not None else weekday_m.end()


def _time_after_date(
    text: str, low: str, end: int, sent_at: datetime
) -> tuple[tuple[int, int], tuple[tzinfo, str] | None, int, bool] | None:
    """The time written right after a date ending at ``end``, or in the short clause after
    it ("friday morning? say 9.30?"): (clock, zone, where it ends, several slots)."""
    glued = _TIME_AFTER_DATE.match(low, end)
    if glued is not None and (glued.group("conn") or "").startswith("between"):
        return None  # "on 26 May between 9.00am and 4.00pm": a window on that day, no time
    if glued is not None and (glued.group("bare") is None or _is_at(glued.group("conn"))):
        clock = _clock_from_match(glued)
        if clock is not None:
            zone, stop = _zone_after(text, glued.end(), sent_at)
            if not _zoneless_military(text, glued, stop):
                return clock, zone, stop, _and_joined(text, glued)
    asked = _TIME_NEXT_CLAUSE.match(low, end)
    if asked is None:
        return None
    clock = _clock_from_match(asked)
    if clock is None:
        return None
    zone, stop = _zone_after(text, asked.end(), sent_at)
    if _zoneless_military(text, asked, stop) or _CLAUSE_END.match(text, stop) is None:
        return None
    return clock, zone, stop, _and_joined(text, asked)


def _and_joined(text: str, m: re.Match[str]) -> bool:
    """Two times joined by "and" are two slots unless "between" comes first."""
    if m.group("t2") is None or "and" not in text[m.end("t1") : m.start("t2")].lower():
        return False
    return not after_between(text, m.start("t1"))


def _is_at(conn: str | None) -> bool:
    return conn is not None and conn.strip().lower() in ("at", "@")


class _SpanSet:
    """Character spans, merged, for quick "does this overlap anything?" questions."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, end - 1) - 1  # the last span starting before ``end``
        return i >= 0 and self._ends[i] > start


def _time_strength(text: str, m: re.Match[str], zone: tuple[tzinfo, str] | None) -> float | None:
    """1 for a time that counts alone, 0.5 for one that counts only beside a date, else None.

    Alone: with am/pm, a zone, "noon", or "at"/"from" before it ("10:00 Eastern",
    "at 14:00"); beside a date: after a line label ("Arrival: 08:45"). So
    "Mon–Fri 9:00–17:00" in a signature is no mention.
    """
    token = m.group(0).lower()
    if zone is not None or _AMPM_SCAN.search(token):
        return 1
    if any(w in token for w in ("noon", "midday", "midnight", "past", "quarter", "clock")):
        return 1  # "half past ten", "quarter to three", "ten o'clock"
    if _STRONG_BEFORE_TIME.search(text, max(0, m.start() - 10), m.start()) is not None:
        return 1
    if _LABEL_BEFORE.search(text, max(0, m.start() - 32), m.start()) is not None:
        return 0.5
    return None


def _moment(
    day: date | None,
    clock: tuple[int, int] | None,
    zone: tuple[tzinfo, str] | None,
    sent_at: datetime,
) -> tuple[datetime, str | None]:
    zone_info, label = zone if zone is not None else (sent_at.tzinfo, _zone_label(sent_at))
    assert zone_info is not None
    if clock is None:
        assert day is not None
        return datetime.combine(day, time(12, 0), tzinfo=zone_info), label
    hour, minute = clock
    if day is not None:
        return datetime.combine(day, time(hour, minute), tzinfo=zone_info), label
    local_day = sent_at.astimezone(zone_info).date() if zone is not None else sent_at.date()
    value = datetime.combine(local_day, time(hour, minute), tzinfo=zone_info)
    if value <= sent_at:
        value = datetime.combine(local_day + _ONE_DAY, time(hour, minute), tzinfo=zone_info)
    return value, label
