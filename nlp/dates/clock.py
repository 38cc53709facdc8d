"""Clock times and zones: '2:30 PM', 'half past two', '1430 hrs', 'EST', '(UTC-05:00)'."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from nlp.dates.common import _CARDINALS, _UNIT_WORDS, _alternation
from nlp.dates.written import _AFTER_ORDINAL

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
# "10.00 - 11.30", "at 10.30": dotted times count in a range or after "at"/"for"; a lone
# "10.00" may be a price.
_DOTTED = rf"(?<![\d:.,$£€]){_H24}\.[0-5]\d(?![\d.,])"
_TIME = rf"""
(?P<t1>{_CLOCK}|(?<![\d:.,$£€]){_H24}(?:[:.][0-5]\d)?(?=(?:{_RANGE_SEP}|\s+and\s+){_CLOCK_AMPM})
  |{_DOTTED}(?={_RANGE_SEP}{_H24}[.:][0-5]\d)|(?:(?<=at\s)|(?<=for\s)){_DOTTED})
(?:(?:{_RANGE_SEP}|(?<=\d)\s+and\s+)(?P<t2>{_CLOCK}|{_DOTTED}))?
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
_TIME_ONLY = re.compile(_TIME, re.VERBOSE)
# A clock without am/pm after a date ("at 10", "at 11.30", "at half two"), and the
# part of the day that says which half it is in ("Friday morning at 9").
_BARE = (
    rf"(?P<bare>(?<![\d:.]){_H24}(?:\.[0-5]\d)?|(?:half\s+(?:past\s+)?|quarter\s+(?:past|to)\s+)?"
    rf"{_HOUR_WORD}\b{_AFTER_ORDINAL}|half\s+(?:past\s+)?(?:1[0-2]|[1-9])(?![\d:.]))"
    r"(?:\s*o['’]?clock|-?ish)?\b(?![:.]\d|\s*[/%$£€-])"
)
_DAY_PART = r"(?:[^\S\n]+(?P<part>morning|afternoon|evening|night|lunchtime)\b)?"


_OFFSET_PARTS = re.compile(r"([+−–-])\s*(\d{1,2}):?(\d\d)?")
_CLOCK_PARTS = re.compile(r"(\d{1,2})(?:[:.h]?(\d\d))?")
_AMPM_SCAN = re.compile(r"(?<![a-z])([ap])(?:\.?\s?m|(?![a-z']))", re.IGNORECASE)
_MILITARY = re.compile(r"\d{4}(?![\d\s]*h)")  # "1430", not "1430 hrs"
_ZONE_CODE = re.compile(r"[^\S\n]*(?:[A-Z]{1,5}\b|\(?(?:UTC|GMT)?[+−-]\d)")
# "All times Pacific", "All times are in CET", "Times shown are ET": the zone of every
# time in the message that names none.
_ZONE_DECLARED = re.compile(
    rf"""(?i:\ball\s+times\b|\btimes\s+(?:are|shown|listed|given|quoted|mentioned|below)\b)
(?i:[^\S\n]+(?:are|is|shown|listed|given|quoted|below|above|mentioned|here|will\s+be|in|
   (?:in|on)\s+(?:this|the)\s+(?:email|message|invite|invitation|schedule|itinerary|agenda))\b)*
[^\S\n]*[:\-–]?[^\S\n]*(?P<zone>{_ZONE_WORD})""",
    re.VERBOSE,
)


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


def _zone_after(text: str, pos: int, sent_at: datetime) -> tuple[tuple[tzinfo, str] | None, int]:
    """The zone written right after a time at ``pos``, and where the phrase ends."""
    m = _ZONE_AFTER.match(text, pos)
    if m is None:
        return None, pos
    zone = _resolve_zone(m.group(), sent_at)
    return (zone, m.end()) if zone is not None else (None, pos)
