"""Dates as people type them for `set`: resolved against --now (nearest year), echoed back."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from typer.testing import Result

from tests.clirun import invoke
from tests.test_overrides_cli import NOW, Setup, setup  # noqa: F401  (the fixture)
from watcher.cli_dates import parse_day, parse_moment
from watcher.errors import UsageError

NY = ZoneInfo("America/New_York")
TUESDAY = datetime(2026, 11, 10, 9, 0, tzinfo=NY)  # before Thursday Nov 12
FRIDAY = datetime(2026, 11, 13, 9, 0, tzinfo=NY)  # the day after it
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=NY)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("2026-11-12 3:30pm", TUESDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("2026-11-12 at 3:30 pm", TUESDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("nov 12 3:30pm", TUESDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("nov 12 3:30pm", FRIDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),  # not 2027
        ("November 12, 3:30 PM", FRIDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("12 nov 15:30", FRIDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("Thursday 15:30", TUESDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),
        ("Thursday 15:30", FRIDAY, datetime(2026, 11, 12, 15, 30, tzinfo=NY)),  # yesterday
        ("thursday", MONDAY, datetime(2026, 11, 19, 12, 0, tzinfo=NY)),  # 3 ahead, not 4 back
        ("tuesday 3pm", TUESDAY, datetime(2026, 11, 10, 15, 0, tzinfo=NY)),  # today
        ("next thursday 10am", FRIDAY, datetime(2026, 11, 19, 10, 0, tzinfo=NY)),
        ("jan 5 10am", FRIDAY, datetime(2027, 1, 5, 10, 0, tzinfo=NY)),  # nearer next year
        ("dec 30 2025 10am", FRIDAY, datetime(2025, 12, 30, 10, 0, tzinfo=NY)),  # year given
        ("nov 12", FRIDAY, datetime(2026, 11, 12, 12, 0, tzinfo=NY)),  # a day alone: noon
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_typed_interview_times_resolve_near_now(
    text: str, now: datetime, expected: datetime
) -> None:
    assert parse_moment(text, now, NY, "--interview-at") == expected


def test_feedback_day_by_month_name_is_the_nearest_one() -> None:
    assert parse_day("nov 12", FRIDAY, NY) == date(2026, 11, 12)
    assert parse_day("jan 8", FRIDAY, NY) == date(2027, 1, 8)


@pytest.mark.parametrize("text", ["2026-02-30 3pm", "2026-13-01 10:00", "2026-11-12 banana"])
def test_impossible_iso_days_are_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_moment(text, TUESDAY, NY, "--interview-at")


def set_interview(setup: Setup, text: str, *extra: str) -> Result:  # noqa: F811
    return invoke(
        ["set", "Acme", "--interview-at", text, "--config", str(setup.config), "--now", NOW,
         *extra],
        env=setup.env,
    )  # fmt: skip


def test_set_accepts_an_iso_day_with_pm_and_echoes_what_it_took(setup: Setup) -> None:  # noqa: F811
    result = set_interview(setup, "2026-03-04 2:30pm")
    assert result.exit_code == 0, result.stderr
    assert "taking --interview-at '2026-03-04 2:30pm': Wed 2026-03-04 14:30 EST" in result.stdout


def test_set_month_day_after_it_passed_is_this_year_not_next(setup: Setup) -> None:  # noqa: F811
    result = set_interview(setup, "mar 4 3:30pm", "--json")
    assert result.exit_code == 0, result.stderr
    assert '"2026-03-04T15:30:00-05:00"' in result.stdout
    assert "2027" not in result.stdout


def test_set_refuses_a_date_it_cannot_read_with_exit_2(setup: Setup) -> None:  # noqa: F811
    result = set_interview(setup, "the day after never")
    assert result.exit_code == 2
    assert "--interview-at" in result.stderr
