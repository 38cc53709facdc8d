"""Windows and deadlines: 'by Friday', 'within 5 business days' -> feedback_by."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from nlp.dates.clock import _CLOCK
from nlp.dates.common import (
    _CARDINALS,
    _PRE_WORDS,
    _alternation,
    _number,
    _require_aware,
    _weekday_number,
    add_business_days,
)
from nlp.dates.relative import (
    _ANCHOR_REACH,
    _PART,
    _WD_FULL,
    _WEEK_OF,
    _WHICH,
    _WHICH_STRONG,
    _after_anchor,
    _is_abbreviation,
    _part_weekday,
    _week_day,
    _weekday_after,
)
from nlp.dates.scan import _prepare, _scan
from nlp.dates.written import (
    _AFTER_ORDINAL,
    _DATE,
    _DATE_KINDS,
    _MONTH,
    _YEAR,
    _add_months,
    _cased,
    _date_from_match,
    _day_first,
    _month_end,
    _month_number,
)

_NUM = (
    rf"\b(?:\d{{1,3}}|{_alternation(_CARDINALS)}"
    r"|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|several|an?)\b"
)
_PRE = rf"(?:{_alternation(_PRE_WORDS.split('|'))})"
# Prepositions that say nothing about a deadline when a date follows them.
_LOOSE_PRE = frozenset({"in", "at", "for", "from", "over", "during", "around", "about"})
_EOD = (
    r"(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?(?:business\s+|working\s+|work\s+)?day"
    r"|eod|cob|eob|eop|(?:close|end)\s+of\s+(?:business|play))"
)
_WINDOW_QUALIFIER = (
    r"(?:about|around|approximately|approx\.?|roughly|up\s+to|another|a\s+further|"
    r"an\s+additional|an?\s+extra|max(?:imum)?|at\s+most|at\s+least|the\s+next|less\s+than)"
)
_WINDOW_UNIT = r"(?:hours?|hrs?|days?|weeks?|wks?|months?|fortnights?)\b"
_WINDOW_KIND = r"(?:business|working|work|calendar|school)"
_WINDOW_TAIL = (
    r"(?:'s|’s|s'|s’)?(?:\s+time)?"
    r"(?!\s*(?:ago|earlier|prior|notice|’\s*notice|'\s*notice|per\b"
    r"|a\s+(?:week|month|day|year)|long|old|in\s+advance"
    r"|of\s+(?:experience|notice|training|onboarding|leave|holiday|vacation)))"
)
_WINDOW = rf"""
(?P<win>(?:(?P<win_pre>within|in|inside(?:\s+of)?|over|during|for|after|in\s+about|in\s+around)\s+)?
   (?:the\s+)?(?:(?:next|coming|following|upcoming)\s+)?(?:{_WINDOW_QUALIFIER}\s+)?
   (?P<win_n1>{_NUM})(?:\s*(?:-|–|—|to|or|/)\s*(?P<win_n2>{_NUM}))?\s*-?\s*
   (?P<win_kind>{_WINDOW_KIND})?\s*(?P<win_unit>{_WINDOW_UNIT}){_WINDOW_TAIL}
   (?:\s+or\s+(?:(?P<win_n3>{_NUM})(?!\s*{_WINDOW_UNIT})|so\b))?)
"""
_WINDOW_NEXT = rf"""
(?P<winb>(?:(?P<winb_pre>within|inside|in|over|during)\s+)?the\s+(?:next|coming|following|upcoming)\s+
   (?P<winb_kind>{_WINDOW_KIND})?\s*(?P<winb_unit>{_WINDOW_UNIT}){_WINDOW_TAIL}
   (?:\s+or\s+(?:(?P<winb_n3>{_NUM})(?!\s*{_WINDOW_UNIT})|so\b))?)
"""


_DEADLINE = re.compile(
    rf"""
(?>(?P<pre>{_PRE}\s+)?)
(?>(?:(?P<tpre>{_CLOCK})\s+(?:on\s+)?)?)
(?P<eod>(?:{_EOD}|(?:the\s+)?end\s+of(?=\s+{_WD_FULL}))(?:\s+on)?[\s,]+)?
(?P<wkof>{_WEEK_OF})?
(?:
 (?P<wdr>(?P<wdr1>{_WD_FULL})\s*(?:or|to|and|through|thru|[-–/])\s*(?P<wdr2>{_WD_FULL}))
|{_DATE}
|{_WINDOW_NEXT}
|(?P<within>(?:within|inside(?:\s+of)?)\s+the\s+(?P<within_unit>week|fortnight|month)\b
    (?!\s+(?:of|after|before|commencing|beginning|starting|ending)\b))
|(?P<week>(?:the\s+)?(?:(?P<wk_part>{_PART})(?:the\s+)?(?P<wk_which>{_WHICH})?
    |(?P<wk_which2>{_WHICH_STRONG})|(?=week\s+after\s+next))\s*-?\s*(?P<wk_unit>weekend|week|wk)\b
    (?P<wk_after>\s+after\s+next)?)
|(?P<wkend>(?:the\s+)?weekend\b)
|(?P<month>(?:the\s+)?(?:(?P<mo_part>{_PART})(?:the\s+)?(?P<mo_which>{_WHICH})?
    |(?P<mo_which2>{_WHICH_STRONG}))\s*(?:calendar\s+)?month\b(?P<mo_end>\s*-?\s*end\b)?
   |(?P<mo_end2>(?:month\s*-?\s*end|eom)\b{_AFTER_ORDINAL}))
|(?P<mname>(?:the\s+)?(?P<mn_part>{_PART})(?:the\s+month\s+of\s+)?(?P<mn_m>{_MONTH})
    (?![\s.]*\d{{1,2}}\b)(?:,?\s*(?P<mn_y>{_YEAR}))?)
|(?P<mname2>(?P<mn2_m>{_MONTH})(?![\s.]*\d{{1,2}}\b)
    (?:,?\s*(?P<mn2_y>{_YEAR}))?)
|(?P<quarter>(?:the\s+)?(?:end|close)(?:\s*-\s*|\s+of\s+|\s+)(?:(?:the|this)\s+)?
    (?:quarter|q(?P<q_n>[1-4])(?:\s+(?P<q_y>{_YEAR}))?)\b)
|(?P<year>(?:the\s+)?(?:end|close)(?:\s*-\s*|\s+of\s+|\s+)(?:(?:the|this)\s+)?
    (?:calendar\s+)?year\b|(?:year\s*-?\s*end|eoy)\b{_AFTER_ORDINAL})
|(?P<cw>(?:the\s+)?(?P<cw_part>{_PART})?(?:the\s+)?(?:calendar\s+week|cw|kw)\s*(?P<cw_n>[1-4]?\d|5[0-3])\b)
|{_WINDOW}
|(?P<eodx>{_EOD}|later\s+today|end\s+of\s+today)\b
)
(?P<trail>,?\s+(?:at\s+the\s+latest|{_EOD})\b)?
""",
    re.VERBOSE,
)


def find_deadlines(text: str, sent_at: datetime) -> list[tuple[int, int, str, date]]:
    """Every deadline or window phrase in ``text``: (start, end, phrase, last day).

    "by Friday", "within two weeks", "by the end of next week", "early next week",
    "in 5 business days", "5-7 business days", "by the 24th", "end of the month",
    "by March 14", "end of day Thursday" ... resolved against ``sent_at``'s local date
    by the conventions at the top of this module. The caller decides which phrases a
    feedback promise governs (and drops conditional ones).
    """
    _require_aware(sent_at)
    if not text:
        return []
    base = sent_at.date()
    day_first = _day_first(sent_at)
    prepared = _prepare(text)
    found: list[tuple[int, int, str, date]] = []
    previous: tuple[int, date] | None = None
    bare_weekday = -1  # where the last phrase of bare weekday names ended
    for m, day in _scan(
        _DEADLINE,
        prepared.low,
        prepared.deadline,
        lambda m: _deadline_day(m, text, base, day_first),
    ):
        if m.start("wd") != -1:
            day = _after_anchor(m, day, previous)
        start = _deadline_start(m)
        if (
            found
            and bare_weekday == found[-1][1]
            and _NEXT_WEEK_AFTER.fullmatch(prepared.low, bare_weekday, m.end())
        ):
            # "on Monday or Tuesday next week": the days of next week, one phrase.
            start, _, _, named = found.pop()
            day = _week_day(base, 1, named.weekday())
        if (
            previous is not None
            and m.start() - previous[0] <= _ANCHOR_REACH
            and _DAY_AFTER_ANCHOR.fullmatch(prepared.low, m.start(), m.end())
        ):
            day = previous[1] + timedelta(days=1)  # "on June 20 ... the following day"
        if any(m.start(kind) != -1 for kind in _DATE_KINDS):
            previous = (m.end(), day)
        found.append((start, m.end(), text[start : m.end()], day))
        bare_weekday = m.end() if _is_bare_weekday(m) else -1
    return found


_DAY_AFTER_ANCHOR = re.compile(
    r"(?:(?:on|by)\s+)?(?:the\s+(?:following|next)\s+day|the\s+day\s+after)\b[\s,]*"
)
_NEXT_WEEK_AFTER = re.compile(r"[\s,]*next\s+week\b.*", re.DOTALL)


def _is_bare_weekday(m: re.Match[str]) -> bool:
    """Weekday names alone ("on Monday or Tuesday"), nothing placing them in a week."""
    if m.start("wdr") != -1:
        return True
    return m.start("wd") != -1 and m.end() == m.end("wd_name") and m.group("wd_mod") is None


def _deadline_start(m: re.Match[str]) -> int:
    """Where the phrase starts: "by Friday" keeps its "by", "coming in today" drops its "in"."""
    pre = m.group("pre")
    if pre and pre.split()[0] in _LOOSE_PRE and any(m.start(k) != -1 for k in _DATE_KINDS):
        return m.end("pre")
    return m.start()


def resolve_deadline(phrase: str, sent_at: datetime) -> date | None:
    """The last day of a feedback window phrase, or None when it names no day.

    The phrase's own patterns decide; only a phrase they cannot read but that names
    a month and a day goes to dateparser.
    """
    found = find_deadlines(phrase, sent_at)
    if found:
        return found[0][3]
    return _dateparser_day(" ".join(phrase.split()), sent_at.replace(tzinfo=None))


@lru_cache(maxsize=1024)
def _dateparser_day(phrase: str, base: datetime) -> date | None:
    if not _MONTH_ANYWHERE.search(phrase.lower()) or len(phrase) > 80:
        return None
    import dateparser  # slow to import; only this rare path needs it

    parsed = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "REQUIRE_PARTS": ["day", "month"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    return parsed.date() if parsed is not None else None


# A phrase worth handing to dateparser names a month or is a numeric date ("2026.03.14").
_MONTH_ANYWHERE = re.compile(rf"{_MONTH}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}")


def _deadline_day(m: re.Match[str], text: str, base: date, day_first: bool) -> date | None:
    pre = " ".join((m.group("pre") or "").lower().split())
    if m.start("wdr") != -1:
        first = _weekday_after(base, _weekday_number(m.group("wdr1")), strict=True)
        second = _weekday_number(m.group("wdr2"))
        return _weekday_after(first, second, strict=True)
    if _is_abbreviation(m.group("wd_name")) and not (pre or m.group("wd_mod")):
        return None  # "by Fri" is a deadline, "Mon" alone is not
    if any(m.start(kind) != -1 for kind in _DATE_KINDS):
        resolved = _date_from_match(m, text, base, day_first, strict_nth=True)
        if resolved is None or m.start("wkof") == -1:
            return resolved[1] if resolved is not None else None
        return _week_day(resolved[1], 0, 4)  # "the week of March 9": a window to its Friday
    if m.start("wkof") != -1:
        return None
    if m.start("within") != -1:  # "within the week": within a week
        unit = m.group("within_unit").lower()
        if unit == "month":
            return _add_months(base, 1)
        return base + timedelta(weeks=2 if unit == "fortnight" else 1)
    if m.start("week") != -1:
        return _week_deadline(m, base, pre)
    if m.start("wkend") != -1:
        if not pre:
            return None
        sunday = _week_day(base, 0, 6)
        return sunday - timedelta(days=2) if pre in ("by", "before", "until") else sunday
    if m.start("month") != -1:
        return _month_deadline(m, base)
    if not _cased(text, m, ("mn_m", "mn2_m")):
        return None
    if m.start("mname") != -1:
        year = m.group("mn_y")
        return _named_month_day(
            _month_number(m.group("mn_m")), int(year) if year else None, m.group("mn_part"), base
        )
    if m.start("mname2") != -1:
        if pre not in ("in", "during"):
            return None  # "in March" is its end; "May" alone is no deadline
        year = m.group("mn2_y")
        return _named_month_day(
            _month_number(m.group("mn2_m")), int(year) if year else None, "end", base
        )
    if m.start("quarter") != -1:
        quarter = int(m.group("q_n")) if m.group("q_n") else (base.month - 1) // 3 + 1
        year = int(m.group("q_y")) if m.group("q_y") else base.year
        end = _month_end(year, quarter * 3)
        return end if m.group("q_y") or end >= base else _month_end(year + 1, quarter * 3)
    if m.start("year") != -1:
        return date(base.year, 12, 31)
    if m.start("cw") != -1:
        return _calendar_week_day(base, int(m.group("cw_n")), m.group("cw_part"))
    if m.start("win") != -1:
        return _window_deadline(
            base,
            pre or (m.group("win_pre") or ""),
            [m.group("win_n1"), m.group("win_n2"), m.group("win_n3")],
            m.group("win_kind"),
            m.group("win_unit"),
        )
    if m.start("winb") != -1:
        unit = m.group("winb_unit")
        many = unit.lower().endswith("s")
        if many and not unit.lower().startswith(("d", "h")) and not m.group("winb_n3"):
            return None  # "over the coming weeks": no number, no day
        if not (pre or m.group("winb_pre") or many or m.group("winb_n3")):
            # "the following week" on its own is next week, not a seven-day window.
            if unit.lower().startswith("w"):
                return _week_day(base, 1, 4)
            if unit.lower().startswith("m"):
                first = _add_months(base.replace(day=1), 1)
                return _month_end(first.year, first.month)
        return _window_deadline(
            base, "in", ["few" if many else "1", m.group("winb_n3")], m.group("winb_kind"), unit
        )
    if m.start("eodx") != -1:
        return base
    return None


def _week_deadline(m: re.Match[str], base: date, pre: str) -> date | None:
    which = " ".join((m.group("wk_which") or m.group("wk_which2") or "").lower().split())
    part = m.group("wk_part")
    if not part and which in ("", "the") and not m.group("wk_after"):
        return None
    weeks = 1 if which in ("next", "following", "the following", "coming", "the coming") else 0
    if m.group("wk_after"):
        weeks = 2
    if m.group("wk_unit").lower() == "weekend":
        sunday = _week_day(base, weeks, 6)
        return sunday - timedelta(days=2) if pre in ("by", "before", "until") else sunday
    target = _week_day(base, weeks, _part_weekday(part, default=4))
    if weeks == 0 and target < base:
        # Written at the weekend, "end of this week" is the coming Friday.
        return _week_day(base, 1, target.weekday()) if base.weekday() >= 5 else base
    return target


def _calendar_week_day(base: date, week: int, part: str | None) -> date | None:
    """ "calendar week 20", "KW 20": its Friday (or the part's day), this year or next."""
    weekday = _part_weekday(part, default=4)
    for year in (base.year, base.year + 1):
        try:
            day = date.fromisocalendar(year, week, weekday + 1)
        except ValueError:
            continue
        if day >= base - timedelta(days=7):
            return day
    return None


def _month_part_day(year: int, month: int, part: str | None) -> date:
    word = (part or "end").strip().lower()
    if word.startswith(("mid", "middle")):
        return date(year, month, 15)
    if word.startswith(("beginning", "start", "first")):
        return date(year, month, 1)
    if word.startswith(("early", "earlier")):
        return date(year, month, 10)
    return _month_end(year, month)


def _month_deadline(m: re.Match[str], base: date) -> date | None:
    if m.group("mo_end2") is not None:
        return _month_end(base.year, base.month)
    which = " ".join((m.group("mo_which") or m.group("mo_which2") or "").lower().split())
    part = m.group("mo_part") or ("end" if m.group("mo_end") else None)
    if not part and which in ("", "the"):
        return None
    months = 1 if which in ("next", "following", "the following", "coming", "the coming") else 0
    first = _add_months(base.replace(day=1), months)
    day = _month_part_day(first.year, first.month, part)
    if months == 0 and day < base:
        first = _add_months(first, 1)
        day = _month_part_day(first.year, first.month, part)
    return day


def _named_month_day(month: int, year: int | None, part: str | None, base: date) -> date:
    if year is not None:
        return _month_part_day(year, month, part)
    day = _month_part_day(base.year, month, part)
    if _month_end(base.year, month) < base:
        day = _month_part_day(base.year + 1, month, part)
    return day


def _window_deadline(
    base: date, pre: str, numbers: list[str | None], kind: str | None, unit: str
) -> date | None:
    values = [_number(n) for n in numbers if n is not None]
    counts = [v for v in values if v is not None]
    if not counts:
        return None
    first = (numbers[0] or "").strip().lower()
    if first in ("a", "an", "one") and len(counts) == 1 and not pre:
        return None  # "a day", "one week" alone are not windows; "within a week" is
    count = max(counts)
    unit_word = unit.lower()
    if count > 400:
        return None
    if unit_word.startswith("h"):
        return base + timedelta(days=math.ceil(count / 24))
    if unit_word.startswith("d"):
        if kind and kind.lower() in ("business", "working", "work", "school"):
            return add_business_days(base, count)
        return base + timedelta(days=count)
    if unit_word.startswith("fortnight"):
        return base + timedelta(days=14 * count)
    if unit_word.startswith("w"):
        return base + timedelta(weeks=count)
    if count > 36:
        return None
    return _add_months(base, count)
