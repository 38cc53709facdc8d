"""Written dates: 'March 10', '10th of March 2026', '2026-03-10', '10/03', 'the 14th'."""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from nlp.dates.common import (
    _ONE_DAY,
    _ORDINALS,
    _alternation,
    _preceded_by_preposition,
    _weekday_number,
)
from nlp.dates.relative import _WD, _is_abbreviation, _week_day, _weekday_after

_MONTH_NUMBERS = {
    name: i
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# Month and weekday words that are also English words count only when capitalised.
_CASED_WORDS = frozenset({"march", "mar", "may", "wed", "sat", "sun"})
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)
_MONTH = rf"(?:(?:{_MONTH_NAMES})\b|(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\b\.?)"
_DAY_NUM = r"(?<![\d.,:/$£€-])(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
_DAY_SUFFIXED = r"(?<![\d.,:/$£€-])(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)\b"
_DAY_WORD = rf"(?:{_alternation(_ORDINALS)})\b"
_YEAR = r"(?:19|20)\d\d\b"
_NOT_TIME_AFTER_DAY = r"(?!\s*(?:[:.]\d|[ap]\.?\s?m\b|[%$£€]))"
# After "the 14th" only words that go on a sentence, not nouns ("the 2nd round").
_AFTER_ORDINAL = (
    r"(?!\s+(?!(?:at|of|or|and|to|from|between|in|by|for|we|i|you|the|a|an|if|so|but|when|as|"
    r"latest|please|which|then|with|via|is|will|would|could|should|around|about|after|"
    r"before|until|this|that|it|our|your|works?|suits?|morning|afternoon|evening|"
    r"instead|too|also|are|were|was)\b)[a-z])"
)


_DATE = rf"""
(?P<md>(?:(?P<md_wd>{_WD}),?\s+)?(?P<md_m>{_MONTH})\s*(?:the\s+)?
    (?P<md_d>{_DAY_NUM}|{_DAY_WORD}){_NOT_TIME_AFTER_DAY}(?:,?\s*(?P<md_y>{_YEAR}))?)
|(?P<dm>(?:(?P<dm_wd>{_WD}),?\s+)?(?:the\s+)?(?P<dm_d>{_DAY_NUM}|{_DAY_WORD})
    (?:\s+of\s+|[\s-]+)(?P<dm_m>{_MONTH})(?:[\s,-]*(?P<dm_y>{_YEAR}))?)
|(?P<iso>(?<![\d/.-])(?P<iso_y>(?:19|20)\d\d)(?P<iso_sep>[-/])(?P<iso_m>0?[1-9]|1[0-2])
    (?P=iso_sep)(?P<iso_d>3[01]|[12]\d|0?[1-9])(?!\d))
|(?P<num>(?:(?P<num_wd>{_WD}),?\s+)?(?<![\d/.,:$£€-])(?:
    (?P<num_a>\d{{1,2}})/(?P<num_b>\d{{1,2}})(?:/(?P<num_y>\d{{4}}|\d\d))?(?![\d/]|\.\d)
    |(?P<num_c>\d{{1,2}})(?P<num_sep>[.-])(?P<num_d>\d{{1,2}})
     (?:(?P=num_sep)(?P<num_z>\d{{4}})|(?<=\.\d)\.|(?<=\.\d\d)\.)(?!\d)))
|(?P<rel>(?:the\s+day\s+after\s+tomorrow|tomorrow|today|tonight|tmrw|tmw|tmr|tomoz)\b)
|(?P<wd>(?:(?P<wd_mod>this(?:\s+coming)?|next|(?:the\s+)?coming|(?:the\s+)?following)\s+)?
    (?P<wd_name>{_WD})
    (?:,?\s+(?:the\s+(?P<wd_d>{_DAY_NUM})|(?P<wd_s>{_DAY_SUFFIXED}))
    {_NOT_TIME_AFTER_DAY}(?![/-]\d)
    |\s+(?:of\s+)?(?P<wd_wk>next|this|the\s+following|following)\s+week\b
    |\s+(?P<wd_an>after\s+next)\b)?)
|(?P<nth>the\s+(?P<nth_d>{_DAY_SUFFIXED}){_AFTER_ORDINAL})
"""
_JOINED_BEFORE = re.compile(r"(?i:\b(?:to|or)[\s,]+)$")
_DATE_KINDS = ("md", "dm", "iso", "num", "rel", "wd", "nth")
_CASED_GROUPS = ("md_wd", "md_m", "dm_wd", "dm_m", "num_wd", "wd_name")


_DATE_ONLY = re.compile(_DATE, re.VERBOSE)


def _cased(text: str, m: re.Match[str], groups: Iterable[str]) -> bool:
    """Are "March", "May", "Wed", "Sat", "Sun" capitalised where the match used them?"""
    for group in groups:
        start = m.start(group)
        if start != -1 and m.group(group).rstrip(".") in _CASED_WORDS and text[start].islower():
            return False
    return True


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _nearest_occurrence(month: int, day: int, base: date) -> date | None:
    """The year for a date written without one: the nearer occurrence, the future at half."""
    best: date | None = None
    best_score = math.inf
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        delta = (candidate - base).days
        score = delta / 2 if delta >= 0 else -delta
        if score < best_score:
            best, best_score = candidate, score
    return best


def _next_day_of_month(base: date, day: int, *, strict: bool, weekday: int | None = None) -> date:
    """The next date whose day of the month is ``day`` (and weekday, when one matches)."""
    first: date | None = None
    for offset in range(15):
        year, month = divmod(base.year * 12 + base.month - 1 + offset, 12)
        try:
            candidate = date(year, month + 1, day)
        except ValueError:
            continue
        if candidate < base or (strict and candidate == base):
            continue
        if weekday is None or candidate.weekday() == weekday:
            return candidate
        first = first or candidate
    if first is None:
        raise ValueError(f"no day {day} near {base}")
    return first


def _day_number(word: str) -> int | None:
    digits = word.rstrip("stndrhSTNDRH")
    if digits.isdigit():
        return int(digits)
    return _ORDINALS.get(" ".join(word.lower().split()).replace(" ", "-"))


def _month_number(word: str) -> int:
    return _MONTH_NUMBERS[word[:3].lower()]


def _year_number(word: str) -> int:
    value = int(word)
    return value + 2000 if value < 100 else value


def _day_first(sent_at: datetime) -> bool:
    """Numeric dates are month-first (US) only from an American Date offset."""
    offset = sent_at.utcoffset() or timedelta(0)
    return not timedelta(hours=-10) <= offset <= timedelta(hours=-4)


def _calendar_date(year: int | None, month: int, day: int, base: date) -> date | None:
    if year is None:
        return _nearest_occurrence(month, day, base)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(
    m: re.Match[str], base: date, day_first: bool, weekday: int | None
) -> date | None:
    year: int | None
    if m.group("num_c") is not None:
        # Dotted or dashed with a year: dots are always day first; dashes follow the locale.
        a, b = int(m.group("num_c")), int(m.group("num_d"))
        year = int(m.group("num_z")) if m.group("num_z") else None
        first_is_day = day_first or m.group("num_sep") == "."
    else:
        a, b = int(m.group("num_a")), int(m.group("num_b"))
        raw_year = m.group("num_y")
        year = _year_number(raw_year) if raw_year else None
        first_is_day = day_first
    readings: list[date] = []
    for month, day in ((b, a), (a, b)) if first_is_day else ((a, b), (b, a)):
        if 1 <= month <= 12 and 1 <= day <= 31:
            found = _calendar_date(year, month, day, base)
            if found is not None and found not in readings:
                readings.append(found)
    if not readings:
        return None
    if weekday is not None:
        matching = [d for d in readings if d.weekday() == weekday]
        if matching:
            return matching[0]
    return readings[0]


def _date_from_match(
    m: re.Match[str], text: str, base: date, day_first: bool, *, strict_nth: bool
) -> tuple[str, date] | None:
    """The kind of date fragment that matched and the date it names, or None if invalid.

    ``m`` matched the lower-cased ``text``; ``text`` is the original.
    """
    if not _cased(text, m, _CASED_GROUPS):
        return None
    for kind in ("md", "dm"):
        if m.start(kind) != -1:
            day = _day_number(m.group(f"{kind}_d"))
            year = int(m.group(f"{kind}_y")) if m.group(f"{kind}_y") else None
            month = _month_number(m.group(f"{kind}_m"))
            found = None if day is None else _calendar_date(year, month, day, base)
            return (kind, found) if found else None
    if m.start("iso") != -1:
        found = _calendar_date(
            int(m.group("iso_y")), int(m.group("iso_m")), int(m.group("iso_d")), base
        )
        return ("iso", found) if found else None
    if m.start("num") != -1:
        weekday_word = m.group("num_wd")
        weekday = _weekday_number(weekday_word) if weekday_word else None
        if (
            m.group("num_c") is not None
            and m.group("num_z") is None
            and weekday is None
            and not _preceded_by_preposition(text, m.start("num"))
            and _JOINED_BEFORE.search(text, max(0, m.start("num") - 6), m.start("num")) is None
        ):
            return None  # "10.04." without a year: after a weekday, "on", "from", "to", "or"
        if (
            m.group("num_a") is not None
            and m.group("num_y") is None
            and weekday is None
            and not _preceded_by_preposition(text, m.start("num"))
        ):
            return None  # "24/7", "1/2": a bare day/month needs a weekday or "on"/"by" before it
        found = _numeric_date(m, base, day_first, weekday)
        return ("num", found) if found else None
    if m.start("rel") != -1:
        word = m.group("rel").lower()
        if word.startswith("the"):
            return "rel", base + 2 * _ONE_DAY
        return "rel", base if word in ("today", "tonight") else base + _ONE_DAY
    if m.start("wd") != -1:
        if _is_abbreviation(m.group("wd_name")) and text[
            m.start("wd_name") - 1 : m.start("wd_name")
        ] in ("'", "’"):
            return None  # "C'mon"
        weekday = _weekday_number(m.group("wd_name"))
        day_text = m.group("wd_d") or m.group("wd_s")
        if day_text:
            return "wd", _next_day_of_month(
                base, int(day_text.rstrip("stndrhSTNDRH")), strict=False, weekday=weekday
            )
        if m.group("wd_wk"):  # "Monday next week", "Friday this week"
            return "wd", _week_day(base, 0 if m.group("wd_wk").lower() == "this" else 1, weekday)
        if m.group("wd_an"):  # "Tuesday after next"
            return "wd", _weekday_after(base, weekday, strict=True) + timedelta(weeks=1)
        mod = " ".join((m.group("wd_mod") or "").lower().split())
        if mod == "this":
            return "wd", _weekday_after(base, weekday, strict=False)
        if mod in ("next", "following", "the following"):
            return "wd", _week_day(base, 1, weekday)
        return "wd", _weekday_after(base, weekday, strict=True)  # "Tuesday", "this coming Monday"
    if m.start("nth") != -1:
        if not _preceded_by_preposition(text, m.start("nth"), loose=True):
            return None
        day = int(m.group("nth_d").rstrip("stndrhSTNDRH"))
        return "nth", _next_day_of_month(base, day, strict=strict_nth)
    return None
