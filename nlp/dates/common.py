"""Shared pieces of date reading: the mention type, number words, calendar arithmetic."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar


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


_T = TypeVar("_T")


_ONE_DAY = timedelta(days=1)
_WEEKDAY_NUMBERS = {
    name: i for i, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
}


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


_PRE_WORDS = (
    "by|before|on|until|till|til|through|thru|no later than|not later than|on or before|"
    "prior to|during|over|at|in|around|about|for|toward|towards|as of|from"
)
_PREP_BEFORE = re.compile(
    r"(?i:\b(?:on|by|before|until|till|til|through|thru|from|for|after|around|about|of|"
    r"due|than|between|back|returning|return|starting)[\s,]+)$"
)
# "the 14th" (always with a suffix) may also follow "and", "or", "is": it is not "24/7".
_LOOSE_PREP_BEFORE = re.compile(
    r"(?i:\b(?:on|by|before|until|till|til|through|thru|from|for|after|around|about|of|"
    r"due|than|and|or|to|between|back|returning|return|is|be|starting)[\s,]+)$"
)


# "between 9:00 and 17:00", "on 26 May between 9.00am and 4pm": a window, not a time.
_BETWEEN_BEFORE = re.compile(r"(?i:\bbetween)[^\w\n]*\Z")
_BETWEEN_REACH = 16


def after_between(text: str, start: int, since: int = 0) -> bool:
    """Is "between" written right before ``start`` (on its line, after ``since``)?

    The one test for a time window; read alone, its first time is no appointment.
    """
    return _BETWEEN_BEFORE.search(text, max(since, start - _BETWEEN_REACH), start) is not None


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


def _number(word: str) -> int | None:
    words = " ".join(word.lower().split())
    if words.isdigit():
        return int(words)
    words = words.removeprefix("a ").removesuffix(" of")
    if words in _VAGUE_NUMBERS:
        return _VAGUE_NUMBERS[words]
    return _CARDINALS.get(words.replace(" ", "-"))


def _weekday_number(word: str) -> int:
    return _WEEKDAY_NUMBERS[word[:3].lower()]


def _preceded_by_preposition(text: str, start: int, *, loose: bool = False) -> bool:
    pattern = _LOOSE_PREP_BEFORE if loose else _PREP_BEFORE
    return pattern.search(text, max(0, start - 14), start) is not None


def _require_aware(sent_at: datetime) -> None:
    if sent_at.utcoffset() is None:
        raise ValueError(f"sent_at must be timezone-aware, got {sent_at!r}")
