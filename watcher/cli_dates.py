"""Dates typed on the command line: ISO 8601 or plain English, read against ``--now``."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from watcher.errors import UsageError

__all__ = ["describe_day", "describe_moment", "parse_day", "parse_moment"]

# Anything that starts like an ISO date is taken as one: "2026-02-30" is a mistake
# to report, not a phrase for dateparser to guess around.
_ISO_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
# A month named without a year ("nov 12"): the year is the one nearest to --now.
_MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b\d{4}\b")
# A weekday alone ("thursday 15:30", not "next thursday"): for an interview, the nearest one,
# which may be past (recording an interview that happened) or ahead.
_BARE_WEEKDAY = re.compile(
    r"^(on\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b(?!.*\b(next|last|this|coming|week)\b)",
    re.IGNORECASE,
)
# DESIGN, rule 3: a day without a time counts as noon local.
NOON = time(12)


def _invalid(option: str, text: str, why: str) -> UsageError:
    return UsageError(
        f"{option} {text!r} {why}; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or words like "
        "'friday', 'next tuesday 2pm', 'in 3 days'"
    )


def _parse_words(text: str, now: datetime, zone: ZoneInfo, option: str) -> tuple[datetime, bool]:
    """(local naive datetime, whether a time of day was written) for an English phrase."""
    base = now.astimezone(zone).replace(tzinfo=None)
    parser = DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "future",
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None:
        raise _invalid(option, text, "is not a date")
    value = data.date_obj
    if value.tzinfo is not None:  # "3pm CET": keep the named zone's instant, shown locally
        value = value.astimezone(zone).replace(tzinfo=None)
    if _MONTH_NAME.search(text) and not _YEAR.search(text):
        value = _nearest_year(value, base)
    return value, data.period == "time"


def _nearest_year(value: datetime, base: datetime) -> datetime:
    """ "nov 12" typed on Nov 13 is yesterday's Nov 12, not next year's (dateparser's pick)."""
    candidates = []
    for year in (base.year - 1, base.year, base.year + 1):
        try:
            candidates.append(value.replace(year=year))
        except ValueError:  # Feb 29 in a common year
            continue
    return min(candidates, key=lambda c: (abs(c - base), c < base))


def _iso_moment(text: str, option: str, now: datetime, zone: ZoneInfo) -> tuple[datetime, bool]:
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text), True
        return datetime.combine(date.fromisoformat(text), NOON), False
    except ValueError:
        pass
    shape = _ISO_SHAPE.match(text)
    try:
        if shape is None:
            raise ValueError(text)
        day = date.fromisoformat("-".join(f"{int(p):02d}" for p in shape.group().split("-")))
    except ValueError:
        raise _invalid(option, text, "is not a valid date") from None
    # "2026-11-12 3:30pm": an ISO day with the time as people write it
    value, has_time = _parse_words(text, now, zone, option)
    if value.date() != day:
        raise _invalid(option, text, "is not a valid date")
    return value, has_time


def _nearest_weekday(value: datetime, base: datetime) -> datetime:
    """dateparser's coming weekday, or the same weekday a week earlier when that is nearer."""
    earlier = value - timedelta(days=7)
    if abs((base.date() - earlier.date()).days) < abs((value.date() - base.date()).days):
        return earlier
    return value


def describe_moment(value: datetime, zone: ZoneInfo) -> str:
    """How a moment typed by the user was read: "Thu 2026-11-12 15:30 EST"."""
    local = value.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


def describe_day(value: date) -> str:
    """How a day typed by the user was read: "Fri 2026-11-20"."""
    return f"{value:%a %Y-%m-%d}"


def parse_day(text: str, now: datetime, zone: ZoneInfo, option: str = "date") -> date:
    """A calendar day in ``zone``: "2026-03-20", "friday", "in 3 days", "tomorrow"."""
    cleaned = text.strip()
    if not cleaned:
        raise _invalid(option, text, "is empty")
    if _ISO_SHAPE.match(cleaned):
        moment, _ = _iso_moment(cleaned, option, now, zone)
        if moment.tzinfo is not None:
            return moment.astimezone(zone).date()
        return moment.date()
    value, _ = _parse_words(cleaned, now, zone, option)
    return value.date()


def parse_moment(text: str, now: datetime, zone: ZoneInfo, option: str = "time") -> datetime:
    """An aware moment: ISO (no offset = ``zone``) or words; a day alone means 12:00 local.

    A weekday alone is the nearest such day ("thursday" typed on Friday is yesterday); a
    month and day without a year are in the nearest year.
    """
    cleaned = text.strip()
    if not cleaned:
        raise _invalid(option, text, "is empty")
    if _ISO_SHAPE.match(cleaned):
        moment, _ = _iso_moment(cleaned, option, now, zone)
    else:
        moment, has_time = _parse_words(cleaned, now, zone, option)
        if _BARE_WEEKDAY.match(cleaned):
            moment = _nearest_weekday(moment, now.astimezone(zone).replace(tzinfo=None))
        if not has_time:
            moment = datetime.combine(moment.date(), NOON)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment
