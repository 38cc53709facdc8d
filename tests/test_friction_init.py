"""`followup init` writes this machine's time zone and proposes its public holidays."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.clirun import run
from watcher.config import holidays_country_for, parse_zone_tab, zone_countries


@pytest.mark.parametrize(
    ("tz", "zone", "country"),
    [
        ("Europe/Berlin", "Europe/Berlin", "DE"),
        ("America/New_York", "America/New_York", "US"),
        ("America/Chicago", "America/Chicago", "US"),
        ("Asia/Tokyo", "Asia/Tokyo", "JP"),
        ("UTC", "America/New_York", "US"),  # no place: the example zone, and its holidays
    ],
    ids=["berlin", "new-york", "chicago", "tokyo", "utc"],
)
def test_init_writes_the_zone_and_its_holidays_country(
    tmp_path: Path, tz: str, zone: str, country: str
) -> None:
    config = tmp_path / "config.toml"
    env = {
        "TZ": tz,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "FOLLOWUP_CONFIG": "",
        "FOLLOWUP_NOW": "",
    }
    result = run(["init", "--config", str(config)], env=env)
    assert result.returncode == 0, result.stderr
    written = tomllib.loads(config.read_text())
    assert written["digest"]["timezone"] == zone
    assert written["policy"]["holidays_country"] == country
    assert f"time zone {zone}; public holidays of {country} are days off" in result.stdout
    check = run(["config", "check", "--offline", "--json", "--config", str(config)], env=env)
    assert json.loads(check.stdout)["policy"]["holidays_country"] == country


def test_zone_tab_is_read_one_country_a_zone() -> None:
    text = (
        "# comment\nDE\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
        "US\t+4042-07400\tAmerica/New_York\n"
    )
    assert parse_zone_tab(text) == {"Europe/Berlin": "DE", "America/New_York": "US"}
    assert zone_countries()["Europe/Berlin"] == "DE"


@pytest.mark.parametrize(
    ("zone", "table", "expected"),
    [
        ("Europe/Berlin", {"Europe/Berlin": "DE"}, "DE"),
        ("Etc/UTC", {"Europe/Berlin": "DE"}, None),  # not a place
        ("Mars/Olympus", {"Mars/Olympus": "ZZ"}, None),  # a country `holidays` does not know
    ],
    ids=["known", "no-country", "unknown-country"],
)
def test_holidays_country_for(zone: str, table: dict[str, str], expected: str | None) -> None:
    assert holidays_country_for(zone, table) == expected
