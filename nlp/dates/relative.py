"""Weekday names and relative words: 'Friday', 'next Tuesday', 'tomorrow'."""

from __future__ import annotations

import re
from datetime import date, timedelta

from nlp.dates.common import _preceded_by_preposition, _weekday_number, add_business_days

_WD_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WD_FULL = rf"(?:{_WD_NAMES})\b"
_WD = rf"(?:(?:{_WD_NAMES})\b|(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?)"
# Before a date, a week rather than a day: "the week of March 9", "w/c 14th April".
_WEEK_OF = (
    r"(?:the\s+)?(?:week\s+(?:of|commencing|beginning|starting)(?:\s+(?:on|from))?|w/c|w/b|"
    r"w\.c\.|w\.b\.|wc|wb)[\s:]+"
)
_PART = (
    r"(?:mid\s*-?\s*|(?:end|close|middle|beginning|start|early|late|later|"
    r"latter\s+part|earlier\s+part|first\s+half|second\s+half)(?:\s*-\s*|\s+of\s+|\s+))"
)
_WHICH = r"(?:this|next|the\s+following|following|the\s+coming|coming|current|the)"
_WHICH_STRONG = r"(?:this|next|the\s+following|following|the\s+coming|coming|current)"
_WEEKDAY_END = re.compile(r"[^\S\n]*(?:[?!.,;)]|$)")
_WEEK_OF_BEFORE = re.compile(rf"(?i:\b{_WEEK_OF})$")
_ANCHOR_REACH = 300  # "the following Tuesday" counts from a date this close before it


def _next_business_day(day: date) -> date:
    return add_business_days(day, 1)


def _weekday_after(base: date, weekday: int, *, strict: bool) -> date:
    ahead = (weekday - base.weekday()) % 7
    if ahead == 0 and strict:
        ahead = 7
    return base + timedelta(days=ahead)


def _week_day(base: date, weeks_ahead: int, weekday: int) -> date:
    """The ``weekday`` of the Monday-to-Sunday week ``weeks_ahead`` after ``base``'s."""
    return base + timedelta(days=7 * weeks_ahead + weekday - base.weekday())


def _after_anchor(m: re.Match[str], day: date, previous: tuple[int, date] | None) -> date:
    """ "the following Tuesday" after a written date is the Tuesday after that date."""
    if previous is None or m.start("wd_mod") == -1:
        return day
    if not m.group("wd_mod").lower().endswith("following") or m.end("wd_name") != m.end():
        return day  # "the following Tuesday the 14th", "... Tuesday next week" say which
    end, anchor = previous
    if m.start() - end > _ANCHOR_REACH:
        return day
    return _weekday_after(anchor, _weekday_number(m.group("wd_name")), strict=True)


def _is_abbreviation(weekday: str | None) -> bool:
    return weekday is not None and len(weekday.rstrip(".")) <= 5


def _is_weak_weekday(text: str, m: re.Match[str]) -> bool:
    """ "Mon", "thurs" alone count only with "on"/"next" before them or a time or "?" after."""
    if not _is_abbreviation(m.group("wd_name")) or m.group("wd_mod") or m.group("wd_d"):
        return False
    if m.group("wd_wk") or m.group("wd_an"):
        return False
    if m.group("wd_s") or _preceded_by_preposition(text, m.start(), loose=True):
        return False
    return _WEEKDAY_END.match(text, m.end()) is None


def _part_weekday(part: str | None, *, default: int) -> int:
    """Which weekday a part of a week stands for: end Friday, middle Wednesday, early Tuesday."""
    if not part:
        return default
    word = part.strip().lower()
    if word.startswith(("mid", "middle")):
        return 2
    if word.startswith(("beginning", "start", "first")):
        return 0
    if word.startswith(("early", "earlier")):
        return 1
    return 4
