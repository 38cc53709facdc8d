"""Return dates of out-of-office replies: 'back on Monday', 'out until 9 March'."""

from __future__ import annotations

import re
from datetime import date, datetime

from nlp.dates.common import _require_aware
from nlp.dates.relative import _next_business_day, _week_day
from nlp.dates.scan import _prepare, _Prepared, _scan
from nlp.dates.windows import _WINDOW, _window_deadline
from nlp.dates.written import (
    _DATE,
    _DATE_ONLY,
    _DAY_NUM,
    _MONTH,
    _NOT_TIME_AFTER_DAY,
    _YEAR,
    _calendar_date,
    _cased,
    _date_from_match,
    _day_first,
    _day_number,
    _month_number,
)

_OOO = re.compile(
    rf"""
(?:(?P<back>back|return(?:ing|s)?|resum(?:e|ing)|be\s+in(?=\s+(?:the\s+)?office)|reachable|available|
   re-?open(?:s|ing)?)\b
   (?:\s+(?:(?:to|in|at|into)\s+)?(?:(?:the|my|our)\s+)?(?:[a-z]+\s+){{0,2}}?(?:office|work|duty|duties|desk))?
   (?:\s+(?:on|from|by|as\s+of|after|starting|beginning))?
 |(?P<until>until|till|til|through|thru|up\s+to\s+and\s+including|up\s+to)\b
   (?P<incl>\s+and\s+including)?(?P<endof>\s+(?:the\s+)?end\s+of)?)
[\s,:]*
(?:{_DATE}|(?P<nxtwk>next\s+week)\b|{_WINDOW})
""",
    re.VERBOSE,
)
# "2-6 March", "March 2 to 6": an absence within one month.
_DAY_RANGE = re.compile(
    rf"""
(?P<dr_m1>{_MONTH})\s*(?P<dr_a>{_DAY_NUM})\s*(?:-|–|—|to|through|thru|until|till)\s*
    (?P<dr_b>{_DAY_NUM}){_NOT_TIME_AFTER_DAY}(?:,?\s*(?P<dr_y1>{_YEAR}))?
|(?P<dr_c>{_DAY_NUM})\s*(?:-|–|—|to|through|thru|until|till)\s*(?P<dr_d>{_DAY_NUM})
    (?:\s+of)?\s+(?P<dr_m2>{_MONTH})(?:,?\s*(?P<dr_y2>{_YEAR}))?
""",
    re.VERBOSE,
)
_RANGE_TO = re.compile(r"\s*(?:(?:to|through|thru|until|till)\b|[-–—])\s*")


def find_return_date(text: str, sent_at: datetime) -> date | None:
    """The first day an out-of-office sender says they are back, or None.

    "back on X", "returning X", "I will return on 03/16" give X; "out of the office
    until Monday 9 March" gives the 9th; "through Friday" and "from 2 to 6 March"
    give the next business day after the last day away; a weekend return day moves to
    Monday. An explicit "back"/"return" beats "through", which beats "until".
    """
    _require_aware(sent_at)
    if not text:
        return None
    base = sent_at.date()
    day_first = _day_first(sent_at)
    prepared = _prepare(text)
    best: tuple[int, date] | None = None
    for _, found in _scan(
        _OOO,
        prepared.low,
        prepared.ooo,
        lambda m: _ooo_candidate(m, text, base, day_first),
    ):
        if best is None or found[0] < best[0]:
            best = found
    ranged = _range_end(text, prepared, base, day_first)
    if ranged is not None and (best is None or best[0] > 1):
        return _next_business_day(ranged)
    return best[1] if best is not None else None


def _ooo_candidate(
    m: re.Match[str], text: str, base: date, day_first: bool
) -> tuple[int, date] | None:
    """(priority, return day): 0 back/return, 1 through, 2 until."""
    if m.start("nxtwk") != -1:
        day: date | None = _week_day(base, 1, 0)
    elif m.start("win") != -1:
        day = _window_deadline(
            base,
            m.group("win_pre") or "in",
            [m.group("win_n1"), m.group("win_n2"), m.group("win_n3")],
            m.group("win_kind"),
            m.group("win_unit"),
        )
    else:
        resolved = _date_from_match(m, text, base, day_first, strict_nth=True)
        day = resolved[1] if resolved is not None else None
    if day is None:
        return None
    if m.group("back") is not None:
        return 0, day
    word = m.group("until").lower()
    if word.startswith(("through", "thru", "up to and")) or m.group("incl") or m.group("endof"):
        return 1, _next_business_day(day)
    return 2, day if day.weekday() < 5 else _next_business_day(day)


def _range_end(text: str, prepared: _Prepared, base: date, day_first: bool) -> date | None:
    """The last day of a "from A to B" / "A - B" / "2-6 March" absence, if the text has one."""
    for _, day in _scan(
        _DAY_RANGE, prepared.low, prepared.date, lambda m: _day_range_end(text, m, base)
    ):
        return day
    previous: tuple[int, date] | None = None
    for m, (_, day) in _scan(
        _DATE_ONLY,
        prepared.low,
        prepared.date,
        lambda m: _date_from_match(m, text, base, day_first, strict_nth=True),
    ):
        if previous is not None and _RANGE_TO.fullmatch(prepared.low, previous[0], m.start()):
            return day if day >= previous[1] else None
        previous = (m.end(), day)
    return None


def _day_range_end(text: str, m: re.Match[str], base: date) -> date | None:
    if not _cased(text, m, ("dr_m1", "dr_m2")):
        return None
    first = m.group("dr_m1") is not None
    month = _month_number(m.group("dr_m1") if first else m.group("dr_m2"))
    year = m.group("dr_y1") if first else m.group("dr_y2")
    start, end = (m.group("dr_a"), m.group("dr_b")) if first else (m.group("dr_c"), m.group("dr_d"))
    start_day, end_day = _day_number(start), _day_number(end)
    if start_day is None or end_day is None or end_day < start_day:
        return None
    return _calendar_date(int(year) if year else None, month, end_day, base)
