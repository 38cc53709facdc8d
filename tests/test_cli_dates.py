"""Dates typed on the command line, read against an explicit ``now`` in the user's zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from watcher.cli_dates import parse_day, parse_moment
from watcher.errors import UsageError

NEW_YORK = ZoneInfo("America/New_York")
# Tuesday 2026-03-10, 22:30 in New York, already Wednesday in UTC.
NOW = datetime(2026, 3, 11, 2, 30, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-20", date(2026, 3, 20)),
        ("  2026-03-20 ", date(2026, 3, 20)),
        ("2026-03-20T23:30-05:00", date(2026, 3, 21)),  # an instant, seen in New York (EDT)
        ("friday", date(2026, 3, 13)),
        ("Friday", date(2026, 3, 13)),
        ("tomorrow", date(2026, 3, 11)),  # the user's tomorrow, not UTC's
        ("in 3 days", date(2026, 3, 13)),
        ("next tuesday", date(2026, 3, 17)),
        ("tuesday", date(2026, 3, 17)),  # today is Tuesday: the future one
        ("march 20", date(2026, 3, 20)),
    ],
    ids=lambda v: str(v),
)
def test_parse_day_reads_iso_and_words_in_the_users_zone(text: str, expected: date) -> None:
    assert parse_day(text, NOW, NEW_YORK, "--feedback-by") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-20T10:00", datetime(2026, 3, 20, 10, 0, tzinfo=NEW_YORK)),
        ("2026-03-20 10:00", datetime(2026, 3, 20, 10, 0, tzinfo=NEW_YORK)),
        ("2026-03-20", datetime(2026, 3, 20, 12, 0, tzinfo=NEW_YORK)),  # a day alone: noon
        ("next tuesday 2pm", datetime(2026, 3, 17, 14, 0, tzinfo=NEW_YORK)),
        ("friday 3pm", datetime(2026, 3, 13, 15, 0, tzinfo=NEW_YORK)),
        ("friday", datetime(2026, 3, 13, 12, 0, tzinfo=NEW_YORK)),
        ("tomorrow 9am", datetime(2026, 3, 11, 9, 0, tzinfo=NEW_YORK)),
    ],
    ids=lambda v: str(v),
)
def test_parse_moment_gives_aware_local_times(text: str, expected: datetime) -> None:
    got = parse_moment(text, NOW, NEW_YORK, "--interview-at")
    assert got.tzinfo is not None
    assert got == expected
    assert got.astimezone(NEW_YORK).replace(tzinfo=None) == expected.replace(tzinfo=None)


def test_parse_moment_keeps_an_explicit_offset() -> None:
    got = parse_moment("2026-03-20T10:00+01:00", NOW, NEW_YORK)
    assert got.utcoffset() is not None
    assert got.astimezone(ZoneInfo("UTC")).hour == 9


def test_parse_moment_converts_a_named_zone_to_the_same_instant() -> None:
    got = parse_moment("friday 3pm CET", NOW, NEW_YORK)
    assert got.astimezone(ZoneInfo("UTC")) == datetime(2026, 3, 13, 14, 0, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    "text",
    ["2026-02-30", "2026-13-01", "2026-03-20T25:00", "", "   ", "whenever", "soonish"],
    ids=repr,
)
def test_impossible_or_unreadable_dates_are_usage_errors(text: str) -> None:
    for parse in (parse_day, parse_moment):
        with pytest.raises(UsageError) as caught:
            parse(text, NOW, NEW_YORK, "--feedback-by")
        message = str(caught.value)
        assert "--feedback-by" in message
        assert "\n" not in message
        assert caught.value.exit_code == 2
