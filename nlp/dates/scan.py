"""The cheap trigger scan: where in a lower-cased text each finder may start a phrase."""

# The big patterns run on the lower-cased text (same offsets) and only at the start
# of candidate words found by a cheap trigger pattern: scanning every position with
# them costs milliseconds a message. Zones are matched case-sensitively on the
# original text ("ET", "IST"), and _CASED_WORDS are checked there too.

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from nlp.dates.common import _CARDINALS, _PRE_WORDS, _T, _trie
from nlp.dates.relative import _WD_NAMES
from nlp.dates.written import _MONTH_NAMES

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
        "play w wc wb cw kw calendar",
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
        "back return returning returns resume resuming be reachable available reopen reopens "
        "reopening re-open until till til "
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
