"""Pure date and time understanding: find and resolve date phrases against a message's Date."""

# Conventions (DESIGN, detection contract), all on the SENDER's local dates, i.e.
# ``sent_at`` in its own offset; nothing here reads the clock.
#
# Datetimes (interviews)
# - Zone: the one named next to the time ("EST", "Eastern", "CET", "(GMT+01:00)",
#   "Europe/Berlin"), else ``sent_at``'s own zone or offset. Abbreviations name the
#   region, not the season: "2pm EST" in July is 14:00 America/New_York (EDT), the
#   way people write it. "IST" is India. "GMT" is UTC+0, except from a sender whose
#   Date offset is UK summer time (+01:00 while London is on BST): they mean UK time.
#   Outlook's "(UTC-05:00) Eastern Time (US & Canada)" shows the standard offset all
#   year, so a zone name beside an offset wins over the offset.
# - A date without a time is 12:00 local; a time without a date is its next
#   occurrence after ``sent_at``. A time without am/pm from 1 to 6 o'clock (not
#   written with a leading zero) is afternoon: "at 2:30" is 14:30.
# - A date without a year is the nearer of its occurrences around the sent date,
#   with the future counted at half its distance ("March 3" sent March 5 is two days
#   ago; "January 10" sent July 1 is next January).
# - "10/03": day first unless the Date offset is an American one (-10:00 to -04:00,
#   month first, US style); a part above 12 or a weekday written beside it decides
#   first. "10.03.2026" is always day first.
# - A weekday name is the next such day strictly after the sent date ("Tuesday" sent
#   on a Tuesday is a week later); "this Friday" may be today; "this coming Monday"
#   is the next Monday; "next Friday" and "Friday next week" are the Friday of next
#   (Monday to Sunday) week; "the following Tuesday" after a written date is the
#   Tuesday after that date. "the 14th" is the next 14th on or after the sent date
#   for a meeting, strictly after it for a deadline. "Mon", "thurs" count alone only
#   with "on"/"next" before them, a time beside them or "?" after. "the week of
#   March 9", "w/c 14th April" are a week, so a range (``is_range_or_list``).
# - A date takes the time written after it in its sentence ("Friday's deep-dive at
#   2:00 PM"), in the short clause or question after it ("friday morning? say 9.30?")
#   or on a labelled next line ("Date: ... / Time: ..."); a slot's end ("End: ...",
#   "10:00 - 11:00") is no second slot. A dated heading over schedule lines ("9:00 -
#   9:15  Welcome") takes its first line's time; the later lines are the same day.
#   "morning" keeps a bare hour as written, "afternoon"/"evening" make it pm. "All
#   times Pacific" names the zone of every time in the message that names none.
#   "1430" is a time only with a zone code or "hrs" after it; "2:30p" is pm.
#   Mentions joined by "or", commas, "to" or list lines are several candidate slots.
#   "Mon–Fri 9:00–17:00" is opening hours, no date.
#
# Deadlines (``feedback_by``): a weekday name is the next such day, strictly after the
# sent date (so "by Friday" written on a Friday is a week later); "end of this week"
# is this week's Friday (the next Friday when sent at the weekend); "next week" and
# "end of next week" are next week's Friday, "early next week" its Tuesday, "start
# of next week" its Monday, "middle of next week" its Wednesday; "within N days /
# weeks / months" adds calendar days ("within 48 hours" is two days), "N business
# days" counts Monday to Friday; "within the week" is within a week (7 days, "the
# fortnight" 14, "the month" a month); "a couple" is 2, "a few" and "several" are 3,
# "the coming days" is a few days; a range counts to its upper end; "end of the
# month" is its last day, "mid-month" the 15th, "early next month" the 10th; "by the
# 24th" is the next 24th; "by the weekend" is Friday; "the week of March 9" is that
# week's Friday; "end of play", "COB" are end of day. "before X" counts as "by X": read
# literally it ends a day earlier, but waiting one day too long is harmless where
# nudging a day early is the error the rules exist to avoid.
#
# Return dates (out of office): "back on X" / "returning X" / "until X" give X (so
# "out until Monday 9 March" is back on the 9th, the usual template's meaning, and a
# nudge waits until after it anyway); "through X", "until and including X" and a
# range "from A to B" give the next business day after X or B; a return day that
# falls on a weekend moves to Monday; "back next week" is next week's Monday.

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "DateMention",
    "add_business_days",
    "find_datetimes",
    "find_deadlines",
    "find_return_date",
    "resolve_deadline",
]


@dataclass(frozen=True)
class DateMention:
    """A concrete date or time written in a text, resolved to an aware datetime."""

    start: int
    end: int
    text: str
    value: datetime
    has_time: bool
    tz_name: str | None
    is_range_or_list: bool


# ---------------------------------------------------------------- vocabulary

_T = TypeVar("_T")

_ONE_DAY = timedelta(days=1)

_MONTH_NUMBERS = {
    name: i
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_WEEKDAY_NUMBERS = {
    name: i for i, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
}
# Month and weekday words that are also English words count only when capitalised.
_CASED_WORDS = frozenset({"march", "mar", "may", "wed", "sat", "sun"})

_UNIT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEEN_WORDS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_TEN_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_UNITS = "first second third fourth fifth sixth seventh eighth ninth"
_ORDINAL_TEENS = (
    "tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth"
)


def _build_cardinals() -> dict[str, int]:
    words = {w: i for i, w in enumerate(_UNIT_WORDS, 1)}
    words.update({w: i for i, w in enumerate(_TEEN_WORDS.split(), 10)})
    for tens, word in enumerate(_TEN_WORDS, 2):
        words[word] = tens * 10
        for unit, unit_word in enumerate(_UNIT_WORDS, 1):
            words[f"{word}-{unit_word}"] = tens * 10 + unit
    return words


def _build_ordinals() -> dict[str, int]:
    words = {w: i for i, w in enumerate(_ORDINAL_UNITS.split(), 1)}
    words.update({w: i for i, w in enumerate(_ORDINAL_TEENS.split(), 10)})
    words["twentieth"] = 20
    words["thirtieth"] = 30
    for unit, unit_word in enumerate(_ORDINAL_UNITS.split(), 1):
        words[f"twenty-{unit_word}"] = 20 + unit
    words["thirty-first"] = 31
    return words


_CARDINALS = _build_cardinals()
_ORDINALS = _build_ordinals()
_VAGUE_NUMBERS = {"couple": 2, "few": 3, "several": 3, "a": 1, "an": 1}


def _trie(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, branching character by character.

    The engine rejects a branch on its first character, so a trie of 200 words costs
    a few checks per position where a flat alternation costs 200.
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + render(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return render(tree)


def _alternation(words: Iterable[str]) -> str:
    """A regex for any of ``words``, longest first; a hyphen matches a space, a space any."""
    return _trie(words).replace(r"\-", r"[-\s]").replace(r"\ ", r"\s+")


# Zone names people write after a time, normalised by _zone_key (lower case, letters
# only, without standard/daylight/summer/time) -> IANA zone. "gmt" is special-cased.
_ZONE_KEYS = {
    "America/New_York": "et est edt eastern useastern eastcoast newyork ny nyc boston miami",
    "America/Chicago": "ct cst cdt central uscentral chicago austin dallas houston",
    "America/Denver": "mt mst mdt mountain usmountain denver",
    "America/Phoenix": "arizona phoenix",
    "America/Los_Angeles": (
        "pt pst pdt pacific uspacific westcoast losangeles la sanfrancisco sf seattle california"
    ),
    "America/Anchorage": "akst akdt alaska",
    "Pacific/Honolulu": "hst hawaii hawaiian",
    "America/Halifax": "ast adt atlantic halifax",
    "America/St_Johns": "nst ndt newfoundland",
    "America/Toronto": "toronto ottawa montreal",
    "America/Vancouver": "vancouver",
    "America/Sao_Paulo": "brt brasilia saopaulo brazil",
    "America/Argentina/Buenos_Aires": "art buenosaires argentina",
    "America/Mexico_City": "mexicocity",
    "Europe/London": "bst uk british london england britain",
    "Europe/Dublin": "ireland irish dublin",
    "Europe/Lisbon": "wet west westerneuropean lisbon portugal",
    "Europe/Berlin": "cet cest centraleuropean berlin germany munich frankfurt",
    "Europe/Paris": "paris france",
    "Europe/Amsterdam": "amsterdam netherlands",
    "Europe/Madrid": "madrid spain barcelona",
    "Europe/Rome": "rome italy milan",
    "Europe/Brussels": "brussels belgium",
    "Europe/Zurich": "zurich switzerland",
    "Europe/Vienna": "vienna austria",
    "Europe/Stockholm": "stockholm sweden",
    "Europe/Oslo": "oslo norway",
    "Europe/Copenhagen": "copenhagen denmark",
    "Europe/Warsaw": "warsaw poland",
    "Europe/Prague": "prague",
    "Europe/Athens": "eet eest easterneuropean athens greece",
    "Europe/Helsinki": "helsinki finland",
    "Europe/Kyiv": "kyiv kiev ukraine",
    "Europe/Bucharest": "bucharest romania",
    "Europe/Istanbul": "istanbul turkey",
    "Europe/Moscow": "msk moscow",
    "Asia/Jerusalem": "israel telaviv",
    "Asia/Dubai": "gst gulf dubai uae",
    "Asia/Karachi": "pkt pakistan",
    "Asia/Kolkata": "ist india indian bangalore bengaluru mumbai delhi kolkata chennai pune",
    "Asia/Bangkok": "ict bangkok",
    "Asia/Jakarta": "wib jakarta",
    "Asia/Singapore": "sgt singapore",
    "Asia/Kuala_Lumpur": "myt kualalumpur malaysia",
    "Asia/Manila": "pht manila philippine philippines",
    "Asia/Hong_Kong": "hkt hongkong",
    "Asia/Shanghai": "china beijing shanghai",
    "Asia/Tokyo": "jst japan tokyo",
    "Asia/Seoul": "kst korea seoul",
    "Australia/Sydney": "aest aedt australianeastern sydney melbourne canberra",
    "Australia/Brisbane": "brisbane",
    "Australia/Adelaide": "acst acdt australiancentral adelaide",
    "Australia/Perth": "awst australianwestern perth",
    "Pacific/Auckland": "nzst nzdt newzealand nz auckland wellington",
    "Africa/Johannesburg": "sast southafrica johannesburg capetown",
    "Africa/Lagos": "wat lagos nigeria",
    "Africa/Nairobi": "eat nairobi kenya",
    "Africa/Cairo": "cairo egypt",
    "UTC": "utc coordinateduniversal ut z zulu",
    "GMT": "gmt greenwichmean",
}
_ZONES = {key: zone for zone, keys in _ZONE_KEYS.items() for key in keys.split()}
# Upper-case abbreviations ("EST", "CEST", "IST"); the short place keys are not written so.
_ZONE_ABBREVIATIONS = [
    k.upper()
    for k in _ZONES
    if 2 <= len(k) <= 4 and k not in {"ny", "nyc", "la", "sf", "nz", "uk", "uae", "z", "gulf"}
]
_ZONE_IGNORED_WORDS = frozenset(
    {"standard", "daylight", "summer", "time", "prevailing", "us", "u", "s", "zone", "local"}
)

# ---------------------------------------------------------------- patterns
#
# The big patterns run on the lower-cased text (same offsets) and only at the start
# of candidate words found by a cheap trigger pattern: scanning every position with
# them costs milliseconds a message. Zones are matched case-sensitively on the
# original text ("ET", "IST"), and _CASED_WORDS are checked there too.

_WD_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_WD_FULL = rf"(?:{_WD_NAMES})\b"
_WD = rf"(?:(?:{_WD_NAMES})\b|(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?)"
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
_DATE_KINDS = ("md", "dm", "iso", "num", "rel", "wd", "nth")
_CASED_GROUPS = ("md_wd", "md_m", "dm_wd", "dm_m", "num_wd", "wd_name")

# "p.m." keeps its dot, "pm." leaves the full stop; a lone "p" only right after "2:30".
_AMPM = r"(?:[ap]\.\s?m\b\.?|[ap]\s?m\b|(?<=:[0-5]\d)[ap]\b(?!['’]))"
_H24 = r"(?:[01]?\d|2[0-3])"
_HOUR_WORD = rf"(?:{_alternation([*_UNIT_WORDS, 'ten', 'eleven', 'twelve'])})"
_CLOCK_AMPM = rf"(?<![\d:.,$£€]){_H24}(?:[:.][0-5]\d)?\s*{_AMPM}"
_CLOCK = (
    rf"(?:{_CLOCK_AMPM}"
    rf"|(?<![\d:.,$£€]){_H24}:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?:\s*(?:h|hrs|uhr)\b)?(?![\d:])"
    rf"|(?<![\d:.,$£€]){_H24}h(?:[0-5]\d)?\b"
    r"|(?<![a-z])(?:12\s+noon|noon|midday|midnight)\b"
    # "1430 GMT", "0900 hrs": four digits count only with a zone or "hrs" (see _military).
    r"|(?<![\d:.,$£€/+-])(?:[01]\d|2[0-3])[0-5]\d(?:\s*(?:hrs|h)\b|(?=z\b|[^\S\n]+\(?[a-z+]))"
    rf"|(?<![a-z])(?:half\s+past|quarter\s+(?:past|to))\s+(?:{_HOUR_WORD}|1[0-2]|0?[1-9])\b"
    rf"(?![:.]\d)|(?<![a-z]){_HOUR_WORD}\s+o['’]?clock\b)"
)
_RANGE_SEP = r"\s*(?:-|–|—|to|until|till)\s*"
_TIME = rf"""
(?P<t1>{_CLOCK}|(?<![\d:.,$£€]){_H24}(?:[:.][0-5]\d)?(?=(?:{_RANGE_SEP}|\s+and\s+){_CLOCK_AMPM}))
(?:(?:{_RANGE_SEP}|(?<=\d)\s+and\s+)(?P<t2>{_CLOCK}))?
"""

# Zones: case-sensitive, on the original text.
_ZONE_OFFSET = r"(?i:utc|gmt|ut)\s*[+−–-]\s*(?:1[0-4]|0?\d)(?::?[0-5]\d)?\b"
_ZONE_ISO_OFFSET = r"(?<=[\d\s])[+−-](?:0\d|1[0-4]):?[0-5]\d\b|(?<=\d)Z\b"
_ZONE_IANA = (
    r"\b(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific|US|Canada|Etc)"
    r"/[A-Za-z_]+(?:/[A-Za-z_]+)?"
)
# "London time", "UK time", "Central European Summer Time": any place the zone table
# knows (_named_zone looks the words up), followed by "time".
_ZONE_PLACE_TIME = r"(?:[^\W\d_][\w.]*(?:[^\S\n]+[^\W\d_][\w.]*){0,3}[^\S\n]+(?i:time))\b"
_ZONE_REGION = (
    r"(?i:(?:u\.?s\.?\s+)?(?:eastern|central|mountain|pacific|atlantic|alaska|hawaii)"
    r"(?:\s+(?:standard|daylight|prevailing))?(?:\s+time)?)\b"
)
_ZONE_ABBR = rf"\b(?:{_alternation(_ZONE_ABBREVIATIONS)})\b"
_ZONE_WORD = rf"(?:{_ZONE_OFFSET}|{_ZONE_IANA}|{_ZONE_PLACE_TIME}|{_ZONE_REGION}|{_ZONE_ABBR})"
_ZONE_AFTER = re.compile(
    rf"""
 [^\S\n]*\(\s*(?:{_ZONE_WORD})[^()\n]{{0,40}}\)
   (?:\s*(?:{_ZONE_PLACE_TIME}|{_ZONE_REGION})(?:\s*\([^()\n]{{0,30}}\))?)?
|[^\S\n]*(?:{_ZONE_ISO_OFFSET})
|[^\S\n]*(?:{_ZONE_WORD})(?:\s*(?:[-–]\s*)?\((?i:u\.?s\.?|usa)[^()\n]{{0,20}}\))?
""",
    re.VERBOSE,
)
_ZONE_SCAN = re.compile(rf"(?P<off>{_ZONE_OFFSET}|{_ZONE_ISO_OFFSET})|(?P<name>{_ZONE_WORD})")

_NUM = (
    rf"\b(?:\d{{1,3}}|{_alternation(_CARDINALS)}"
    r"|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|several|an?)\b"
)
_PRE_WORDS = (
    "by|before|on|until|till|til|through|thru|no later than|not later than|on or before|"
    "prior to|during|over|at|in|around|about|for|toward|towards|as of|from"
)
_PRE = rf"(?:{_alternation(_PRE_WORDS.split('|'))})"
# Prepositions that say nothing about a deadline when a date follows them.
_LOOSE_PRE = frozenset({"in", "at", "for", "from", "over", "during", "around", "about"})
_EOD = (
    r"(?:(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?(?:business\s+|working\s+|work\s+)?day"
    r"|eod|cob|eob|eop|(?:close|end)\s+of\s+(?:business|play))"
)
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
   |(?P<mo_end2>month\s*-?\s*end\b|eom\b))
|(?P<mname>(?:the\s+)?(?P<mn_part>{_PART})(?:the\s+month\s+of\s+)?(?P<mn_m>{_MONTH})
    (?![\s.]*\d{{1,2}}\b)(?:,?\s*(?P<mn_y>{_YEAR}))?)
|(?P<mname2>(?P<mn2_m>{_MONTH})(?![\s.]*\d{{1,2}}\b)
    (?:,?\s*(?P<mn2_y>{_YEAR}))?)
|(?P<quarter>(?:the\s+)?(?:end|close)(?:\s*-\s*|\s+of\s+|\s+)(?:(?:the|this)\s+)?
    (?:quarter|q(?P<q_n>[1-4])(?:\s+(?P<q_y>{_YEAR}))?)\b)
|(?P<year>(?:the\s+)?(?:end|close)(?:\s*-\s*|\s+of\s+|\s+)(?:(?:the|this)\s+)?
    (?:calendar\s+)?year\b|year\s*-?\s*end\b|eoy\b)
|{_WINDOW}
|(?P<eodx>{_EOD}|later\s+today|end\s+of\s+today)\b
)
(?P<trail>,?\s+(?:at\s+the\s+latest|{_EOD})\b)?
""",
    re.VERBOSE,
)

_DATE_ONLY = re.compile(_DATE, re.VERBOSE)
_TIME_ONLY = re.compile(_TIME, re.VERBOSE)
# A clock without am/pm after a date ("at 10", "at 11.30", "at half two"), and the
# part of the day that says which half it is in ("Friday morning at 9").
_BARE = (
    rf"(?P<bare>(?<![\d:.]){_H24}(?:\.[0-5]\d)?|(?:half\s+(?:past\s+)?|quarter\s+(?:past|to)\s+)?"
    rf"{_HOUR_WORD}\b{_AFTER_ORDINAL})(?:\s*o['’]?clock|-?ish)?\b(?![:.]\d|\s*[/%$£€-])"
)
_DAY_PART = r"(?:[^\S\n]+(?P<part>morning|afternoon|evening|night|lunchtime)\b)?"
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
_OOO = re.compile(
    rf"""
(?:(?P<back>back|return(?:ing|s)?|resum(?:e|ing)|be\s+in(?=\s+(?:the\s+)?office)|reachable|available)\b
   (?:\s+(?:(?:to|in|at|into)\s+)?(?:(?:the|my)\s+)?(?:office|work|duty|duties|desk))?
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

_OFFSET_PARTS = re.compile(r"([+−–-])\s*(\d{1,2}):?(\d\d)?")
_CLOCK_PARTS = re.compile(r"(\d{1,2})(?:[:.h]?(\d\d))?")
_AMPM_SCAN = re.compile(r"(?<![a-z])([ap])(?:\.?\s?m|(?![a-z']))", re.IGNORECASE)
_MILITARY = re.compile(r"\d{4}(?![\d\s]*h)")  # "1430", not "1430 hrs"
_ZONE_CODE = re.compile(r"[^\S\n]*(?:[A-Z]{1,5}\b|\(?(?:UTC|GMT)?[+−-]\d)")
_PREP_BEFORE = re.compile(
    r"(?i:\b(?:on|by|before|until|till|til|through|thru|from|for|after|around|about|of|"
    r"due|than|between|back|returning|return|starting)[\s,]+)$"
)
# "the 14th" (always with a suffix) may also follow "and", "or", "is": it is not "24/7".
_LOOSE_PREP_BEFORE = re.compile(
    r"(?i:\b(?:on|by|before|until|till|til|through|thru|from|for|after|around|about|of|"
    r"due|than|and|or|to|between|back|returning|return|is|be|starting)[\s,]+)$"
)
_BETWEEN_BEFORE = re.compile(r"(?i:\bbetween)\W*$")
_STRONG_BEFORE_TIME = re.compile(r"(?i:\b(?:at|from|by|until|till|between)\s+|@\s*)$")
# A line label before a value: "Time:", "Arrival   ", or a time word and one space
# (a table flattened to text: "Time 1:00 PM Eastern").
_LABEL = (
    r"(?:[A-Za-z][A-Za-z ]{0,24}(?::|[^\S\n]{2,}|\t)"
    r"|(?i:(?:interview\s+|start\s+|local\s+)?time|start|starts|arrival|begins?|when|slot)"
    r"[^\S\n])"
)
_LABEL_BEFORE = re.compile(rf"(?m:^[^\S\n]*{_LABEL}[^\S\n]*)$")
# Between a date and its time: the same sentence, or a next line with a label ("Time:").
_PAIR_GAP = re.compile(rf"[^.!?;\n]{{0,40}}|[^\S\n]*:?[^\S\n]*\n[^\S\n]*{_LABEL}[^\S\n]*")
# Between a start and the end of the same slot: "Start: ... / End: ...", "10:00 until 11:00".
_END_GAP = re.compile(
    r"[^\S\n]*(?:-|–|—|to|until|till)[^\S\n]*"
    r"|[^\S\n]*\n[^\S\n]*(?i:end|ends|finish|finishes|until)(?:[^\S\n]*:|[^\S\n])[^\S\n]*"
)
_WEEKDAY_DASH = re.compile(r"[^\S\n]*[-–—][^\S\n]*")
_WEEKDAY_END = re.compile(r"[^\S\n]*(?:[?!.,;)]|$)")
_LIST_GAP = re.compile(
    r"(?:[\s,;/|()*•·⋅\-–—]|\b(?i:or|and|either|alternatively|also|on|at|to|through|until|"
    r"till|from|between|option|slot|and/or)\b|\b\d{1,2}[.):]\s)*"
)
_LIST_JOINER = re.compile(r"\n|[,;/]|\b(?i:or|and|to|through|until|till)\b|[-–—]")
# A schedule line: a time (or range) opening a line, then what happens ("9:00 - 9:15  Welcome").
_LINE_START = re.compile(r"(?:^|\n)[^\S\n]*(?:[-*•·‣◦▪]+[^\S\n]*)?$")
_LINE_TOPIC = re.compile(r"[^\S\n]*(?:[-–—:|)]|\t)?[^\S\n]*[^\W\d_]")
_HEADING_REACH = 300  # characters from a dated heading to its first schedule line
# "All times Pacific", "All times are in CET", "Times shown are ET": the zone of every
# time in the message that names none.
_ZONE_DECLARED = re.compile(
    rf"""(?i:\ball\s+times\b|\btimes\s+(?:are|shown|listed|given|quoted|mentioned|below)\b)
(?i:[^\S\n]+(?:are|is|shown|listed|given|quoted|below|above|mentioned|here|will\s+be|in|
   (?:in|on)\s+(?:this|the)\s+(?:email|message|invite|invitation|schedule|itinerary|agenda))\b)*
[^\S\n]*[:\-–]?[^\S\n]*(?P<zone>{_ZONE_WORD})""",
    re.VERBOSE,
)
_WEEK_OF_BEFORE = re.compile(rf"(?i:\b{_WEEK_OF})$")
_ANCHOR_REACH = 300  # "the following Tuesday" counts from a date this close before it


# ---------------------------------------------------------------- scanning


# Word classes for the trigger scan: which finders may start a phrase at the word.
_AT_DATE, _AT_TIME, _AT_CORE, _AT_WEAK, _AT_OOO, _AT_MODIFIER = 1, 2, 4, 8, 16, 32
_DATE_WORDS = (
    f"{_WD_NAMES.replace('|', ' ')} mon tue tues wed thu thur thurs fri sat sun "
    f"{_MONTH_NAMES.replace('|', ' ')} jan feb mar apr jun jul aug sep sept oct nov dec "
    "today tomorrow tonight tmrw tmw tmr tomoz"
)
_WORD_CLASSES: dict[str, int] = {}
for _words, _flags in (
    (_DATE_WORDS, _AT_DATE | _AT_CORE),
    ("the this next coming following", _AT_DATE | _AT_MODIFIER | _AT_WEAK),
    ("noon midday midnight", _AT_TIME | _AT_CORE),
    ("half quarter one two three four five six seven eight nine ten eleven twelve", _AT_TIME),
    # Every deadline phrase has a core word; weak words start one only just before a core.
    (" ".join(w for w in _CARDINALS if "-" not in w), _AT_CORE),
    (
        "couple few several week weekend weeks wk wks midweek month months year quarter q1 q2 "
        "q3 q4 eom eoy eod cob eob eop hour hours hr hrs day days fortnight fortnights business "
        "play w wc wb",
        _AT_CORE,
    ),
    (" ".join(p.split()[0] for p in _PRE_WORDS.split("|")), _AT_WEAK),
    (
        "end close mid middle beginning start early late later latter earlier first second "
        "current upcoming within inside after approximately approx roughly up another an a max "
        "maximum less",
        _AT_WEAK,
    ),
    (
        "back return returning returns resume resuming be reachable available until till til "
        "through thru up",
        _AT_OOO,
    ),
):
    for _word in _words.split():
        _WORD_CLASSES[_word] = _WORD_CLASSES.get(_word, 0) | _flags
_AT_DIGIT = _AT_DATE | _AT_TIME | _AT_CORE
_WEAK_REACH = 32  # characters from a weak word to the core word of its phrase
_MODIFIER_REACH = 24  # from "the", "next" ... to the date word they modify


def _lowered(text: str) -> str:
    """``text`` in lower case with the same offsets (a few characters lengthen in lower())."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


# In " " + lower-cased text: the character before a trigger word (or a digit), so the
# engine can skip quickly from one word start to the next.
_TRIGGER = re.compile(
    rf"[^a-z0-9](?:(?P<w>{_trie(_WORD_CLASSES)})(?![a-z0-9])|(?<![:./,$£€+-])[0-9])"
)


@dataclass(frozen=True)
class _Prepared:
    """A text lower-cased and the word starts where each finder may match."""

    low: str
    date: tuple[int, ...]
    time: tuple[int, ...]
    deadline: tuple[int, ...]
    ooo: tuple[int, ...]


@lru_cache(maxsize=16)
def _prepare(text: str) -> _Prepared:
    # Cached: the detector asks for datetimes, deadlines and return dates of one text.
    low = _lowered(text)
    words: list[tuple[int, int]] = []
    for m in _TRIGGER.finditer(" " + low):
        word = m.group("w")
        words.append((m.start(), _WORD_CLASSES[word] if word else _AT_DIGIT))
    cores = [pos for pos, flags in words if flags & _AT_CORE]
    dates = [pos for pos, flags in words if flags & _AT_DATE and not flags & _AT_MODIFIER]
    date_starts = [
        pos
        for pos, flags in words
        if flags & _AT_DATE and (not flags & _AT_MODIFIER or _near(dates, pos, _MODIFIER_REACH))
    ]
    deadline = [
        pos
        for pos, flags in words
        if flags & _AT_CORE or (flags & _AT_WEAK and _near(cores, pos, _WEAK_REACH))
    ]
    return _Prepared(
        low=low,
        date=tuple(date_starts),
        time=tuple(pos for pos, flags in words if flags & _AT_TIME),
        deadline=tuple(deadline),
        ooo=tuple(pos for pos, flags in words if flags & _AT_OOO),
    )


def _near(sorted_positions: list[int], pos: int, reach: int) -> bool:
    """Is there a position in ``sorted_positions`` after ``pos`` and within ``reach``?"""
    i = bisect_right(sorted_positions, pos)
    return i < len(sorted_positions) and sorted_positions[i] - pos <= reach


def _scan(
    pattern: re.Pattern[str],
    low: str,
    starts: Iterable[int],
    accept: Callable[[re.Match[str]], _T | None],
) -> list[tuple[re.Match[str], _T]]:
    """Leftmost, non-overlapping matches of ``pattern`` at ``starts`` that ``accept`` reads."""
    found: list[tuple[re.Match[str], _T]] = []
    end = 0
    for pos in starts:
        if pos < end:
            continue
        m = pattern.match(low, pos)
        if m is None or m.end() == pos:
            continue
        try:
            value = accept(m)
        except (ValueError, OverflowError):
            continue  # a date beyond the calendar's range, near year 1 or 9999
        if value is not None:
            found.append((m, value))
            end = m.end()
    return found


def _cased(text: str, m: re.Match[str], groups: Iterable[str]) -> bool:
    """Are "March", "May", "Wed", "Sat", "Sun" capitalised where the match used them?"""
    for group in groups:
        start = m.start(group)
        if start != -1 and m.group(group).rstrip(".") in _CASED_WORDS and text[start].islower():
            return False
    return True


# ---------------------------------------------------------------- arithmetic


def add_business_days(day: date, n: int) -> date:
    """``day`` moved by ``n`` business days (Monday to Friday); ``n`` may be negative.

    A weekend start counts from the adjacent business day, so Saturday + 1 is Monday
    and Sunday - 1 is Friday; ``n == 0`` returns ``day`` unchanged.
    """
    if n == 0:
        return day
    step = 1 if n > 0 else -1
    if day.weekday() >= 5:
        # Saturday/Sunday behave like the Friday before (forward) or Monday after (back).
        day = (
            day - timedelta(days=day.weekday() - 4)
            if step > 0
            else day + timedelta(days=7 - day.weekday())
        )
    weeks, rest = divmod(abs(n), 5)
    day += timedelta(weeks=weeks * step)
    while rest:
        day += timedelta(days=step)
        if day.weekday() < 5:
            rest -= 1
    return day


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


# ---------------------------------------------------------------- parsing pieces


def _number(word: str) -> int | None:
    words = " ".join(word.lower().split())
    if words.isdigit():
        return int(words)
    words = words.removeprefix("a ").removesuffix(" of")
    if words in _VAGUE_NUMBERS:
        return _VAGUE_NUMBERS[words]
    return _CARDINALS.get(words.replace(" ", "-"))


def _day_number(word: str) -> int | None:
    digits = word.rstrip("stndrhSTNDRH")
    if digits.isdigit():
        return int(digits)
    return _ORDINALS.get(" ".join(word.lower().split()).replace(" ", "-"))


def _month_number(word: str) -> int:
    return _MONTH_NUMBERS[word[:3].lower()]


def _weekday_number(word: str) -> int:
    return _WEEKDAY_NUMBERS[word[:3].lower()]


def _year_number(word: str) -> int:
    value = int(word)
    return value + 2000 if value < 100 else value


def _day_first(sent_at: datetime) -> bool:
    """Numeric dates are month-first (US) only from an American Date offset."""
    offset = sent_at.utcoffset() or timedelta(0)
    return not timedelta(hours=-10) <= offset <= timedelta(hours=-4)


def _preceded_by_preposition(text: str, start: int, *, loose: bool = False) -> bool:
    pattern = _LOOSE_PREP_BEFORE if loose else _PREP_BEFORE
    return pattern.search(text, max(0, start - 14), start) is not None


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
        if m.group("num_c") is not None and m.group("num_z") is None and weekday is None:
            return None  # "10.04." without a year: only after a weekday ("Friday 10.04.")
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


# ---------------------------------------------------------------- zones and clocks


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _zone_label(moment: datetime) -> str | None:
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = moment.utcoffset()
    return None if offset is None else _offset_label(offset)


@lru_cache(maxsize=64)
def _zone_info(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _zone_key(token: str) -> str:
    plain = unicodedata.normalize("NFKD", token.lower()).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z]+", plain)
    return "".join(w for w in words if w not in _ZONE_IGNORED_WORDS)


def _parse_offset(token: str) -> tuple[tzinfo, str] | None:
    if token.strip().upper() == "Z":
        return UTC, "UTC"
    parts = _OFFSET_PARTS.search(token)
    if parts is None:
        return None
    sign = -1 if parts.group(1) in "−–-" else 1
    hours = int(parts.group(2))
    minutes = int(parts.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    offset = sign * timedelta(hours=hours, minutes=minutes)
    return timezone(offset), _offset_label(offset)


def _named_zone(token: str, sent_at: datetime) -> tuple[tzinfo, str] | None:
    if "/" in token and token.strip() in _iana_names():
        key = token.strip()
    else:
        found = _ZONES.get(_zone_key(token))
        if found is None:
            return None
        key = found
    if key == "GMT":
        london = _zone_info("Europe/London")
        # A UK sender on summer time who writes "GMT" means UK time.
        if (
            london is not None
            and sent_at.utcoffset() == timedelta(hours=1)
            and sent_at.astimezone(london).utcoffset() == timedelta(hours=1)
        ):
            return london, "Europe/London"
    zone = _zone_info(key)
    return (zone, key) if zone is not None else None


def _resolve_zone(text: str, sent_at: datetime) -> tuple[tzinfo, str] | None:
    """The zone a zone phrase names; a name beats an offset printed beside it."""
    if not text:
        return None
    stripped = text.strip()
    if stripped[:1] in ("+", "-", "−", "Z"):
        return _parse_offset(stripped)
    offset: tuple[tzinfo, str] | None = None
    for part in _ZONE_SCAN.finditer(text):
        if part.group("name") is not None:
            named = _named_zone(part.group("name"), sent_at)
            if named is not None:
                return named
        elif offset is None:
            offset = _parse_offset(part.group("off"))
    return offset


def _parse_clock(token: str, part: str | None = None) -> tuple[int, int, str | None] | None:
    """(hour, minute, meridiem) of a clock token; meridiem "a"/"p", "=" fixed, None unknown."""
    lower = token.lower()
    if "noon" in lower or "midday" in lower:
        return 12, 0, "="
    if "midnight" in lower:
        return 0, 0, "="
    if lower.startswith(("half", "quarter")) or "clock" in lower:
        return *_bare_clock(lower, part), "="
    parts = _CLOCK_PARTS.search(lower)
    if parts is None:
        return None
    hour, minute = int(parts.group(1)), int(parts.group(2) or 0)
    ampm = _AMPM_SCAN.search(lower, parts.end())
    if ampm is None:
        # "14:00", "09:30", "1430" are 24-hour; "2:30" alone is read below.
        fixed = hour > 12 or hour == 0 or lower.startswith("0") or "h" in lower
        return hour, minute, "=" if fixed or _MILITARY.match(lower) else None
    return hour, minute, ampm.group(1)


def _apply_meridiem(hour: int, meridiem: str) -> int:
    if hour > 12:
        return hour
    if meridiem == "a":
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12


def _hour_of_day(hour: int, part: str | None) -> int:
    """A time written without am/pm: as written in the morning, pm later in the day;
    with no part of the day, 1 to 6 o'clock is the afternoon."""
    if part == "morning":
        return hour
    if part in ("afternoon", "evening", "night"):
        return hour + 12 if 1 <= hour < 12 else hour
    return hour + 12 if 1 <= hour <= 6 else hour


def _bare_clock(bare: str, part: str | None = None) -> tuple[int, int]:
    """ "at 10", "at 11.30", "at half two" (14:30), "at quarter to three" (14:45)."""
    words = bare.replace("o'clock", "").replace("o’clock", "").replace("oclock", "").split()
    hour_text, _, minute_text = words[-1].partition(".")
    hour = _hour_of_day(int(hour_text) if hour_text.isdigit() else _CARDINALS[hour_text], part)
    minute = int(minute_text or 0)
    if words[0] == "half":
        minute = 30
    elif words[0] == "quarter":
        minute = 15 if words[1] == "past" else -15
    total = (hour * 60 + minute) % (24 * 60)
    return total // 60, total % 60


def _clock_from_match(m: re.Match[str]) -> tuple[int, int] | None:
    groups = m.groupdict()
    part = groups.get("part")
    if groups.get("bare") is not None:
        return _bare_clock(groups["bare"], part)
    first = _parse_clock(m.group("t1"), part)
    if first is None:
        return None
    hour, minute, meridiem = first
    second = _parse_clock(m.group("t2"), part) if m.group("t2") else None
    if meridiem in ("a", "p"):
        hour = _apply_meridiem(hour, meridiem)
    elif meridiem is None and second is not None and second[2] in ("a", "p"):
        end = _apply_meridiem(second[0], second[2]) * 60 + second[1]
        same = _apply_meridiem(hour, second[2])
        other = _apply_meridiem(hour, "a" if second[2] == "p" else "p")
        hour = same if same * 60 + minute <= end else other
    elif meridiem is None:
        hour = _hour_of_day(hour, part)
    if hour > 23 or minute > 59:
        return None
    return hour, minute


def _zoneless_military(text: str, m: re.Match[str], zone_end: int) -> bool:
    """ "1430" counts as a time only with "hrs" or a zone code after it ("1430 GMT")."""
    first = m.group("t1")
    if first is None or not _MILITARY.match(first):
        return False
    return zone_end == m.end() or _ZONE_CODE.match(text, m.end(), zone_end) is None


# ---------------------------------------------------------------- datetimes


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


def _require_aware(sent_at: datetime) -> None:
    if sent_at.utcoffset() is None:
        raise ValueError(f"sent_at must be timezone-aware, got {sent_at!r}")


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
    weeks: dict[int, int] = {}  # a date after "the week of": its start, the phrase's start
    weekdays: list[tuple[int, int]] = []
    previous: tuple[int, date] | None = None
    for m, (kind, day) in _scan(
        _DATE_ONLY,
        low,
        prepared.date,
        lambda m: _date_from_match(m, text, base, day_first, strict_nth=False),
    ):
        day = _after_anchor(m, day, previous)
        previous = (m.end(), day)
        dates_at[m.start()] = (m.end(), day, kind == "wd" and _is_weak_weekday(text, m))
        week = _WEEK_OF_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if week is not None:
            weeks[m.start()] = week.start()
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
    kept = [f for f in _pair(text, found) if not f.weak]
    declared = _declared_zone(text, low, sent_at)
    if declared is not None:
        for item in kept:
            if item.clock is not None and item.zone is None:
                item.zone = declared
    return kept


def _time_after_date(
    text: str, low: str, end: int, sent_at: datetime
) -> tuple[tuple[int, int], tuple[tzinfo, str] | None, int, bool] | None:
    """The time written right after a date ending at ``end``, or in the short clause after
    it ("friday morning? say 9.30?"): (clock, zone, where it ends, several slots)."""
    glued = _TIME_AFTER_DATE.match(low, end)
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


def _declared_zone(text: str, low: str, sent_at: datetime) -> tuple[tzinfo, str] | None:
    """The zone of a message-level declaration: "All times Pacific", "Times are in CET"."""
    pos = low.find("times")
    while pos != -1:
        m = _ZONE_DECLARED.search(text, max(0, pos - 4), pos + 80)
        if m is not None:
            zone = _resolve_zone(m.group("zone"), sent_at)
            if zone is not None:
                return zone
        pos = low.find("times", pos + 5)
    return None


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
            item.clock is None
            and nxt.day is None
            and _PAIR_GAP.fullmatch(text, item.end, nxt.start)
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


def _zone_after(text: str, pos: int, sent_at: datetime) -> tuple[tuple[tzinfo, str] | None, int]:
    """The zone written right after a time at ``pos``, and where the phrase ends."""
    m = _ZONE_AFTER.match(text, pos)
    if m is None:
        return None, pos
    zone = _resolve_zone(m.group(), sent_at)
    return (zone, m.end()) if zone is not None else (None, pos)


def _and_joined(text: str, m: re.Match[str]) -> bool:
    """Two times joined by "and" are two slots unless "between" comes first."""
    if m.group("t2") is None or "and" not in text[m.end("t1") : m.start("t2")].lower():
        return False
    return _BETWEEN_BEFORE.search(text, max(0, m.start("t1") - 12), m.start("t1")) is None


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


# ---------------------------------------------------------------- deadlines


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
    found = []
    previous: tuple[int, date] | None = None
    for m, day in _scan(
        _DEADLINE,
        prepared.low,
        prepared.deadline,
        lambda m: _deadline_day(m, text, base, day_first),
    ):
        if m.start("wd") != -1:
            day = _after_anchor(m, day, previous)
        if any(m.start(kind) != -1 for kind in _DATE_KINDS):
            previous = (m.end(), day)
        start = _deadline_start(m)
        found.append((start, m.end(), text[start : m.end()], day))
    return found


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


# ---------------------------------------------------------------- out of office


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
