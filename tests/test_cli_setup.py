"""init, config check, db upgrade and the global options, as a user runs them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.clirun import invoke, run


@pytest.fixture
def xdg(tmp_path: Path) -> dict[str, str]:
    """Point platformdirs at temporary XDG dirs so the defaults are used but isolated."""
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "FOLLOWUP_CONFIG": "",
        "FOLLOWUP_NOW": "",
    }


def test_init_then_config_check_succeeds(tmp_path: Path, xdg: dict[str, str]) -> None:
    config = tmp_path / "x" / "config.toml"
    result = run(["init", "--config", str(config)], env=xdg)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert (tmp_path / "data" / "followup" / "followup.db").exists()
    check = run(["config", "check", "--offline", "--config", str(config), "--json"], env=xdg)
    assert check.returncode == 2, check.stderr  # the template's example host: bad input
    data = json.loads(check.stdout)
    assert data["account"][0]["name"] == "personal"
    assert data["account"][0]["port"] == 993
    assert data["policy"]["max_nudges"] == 2


def test_init_refuses_to_overwrite_without_force(tmp_path: Path, xdg: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("# mine\n")
    result = invoke(["init", "--config", str(config)], env=xdg)
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert config.read_text() == "# mine\n"
    assert invoke(["init", "--config", str(config), "--force"], env=xdg).exit_code == 0
    assert "[[account]]" in config.read_text()


def test_init_uses_the_user_config_dir_by_default(tmp_path: Path, xdg: dict[str, str]) -> None:
    assert invoke(["init"], env=xdg).exit_code == 0
    assert (tmp_path / "config" / "followup" / "config.toml").exists()


def test_misspelt_key_exits_2_naming_key_and_file(tmp_path: Path, xdg: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[account]]\nname = "a"\nhost = "h"\n[policy]\nmax_nudgez = 3\n')
    result = run(["config", "check", "--config", str(config)], env=xdg)
    assert result.returncode == 2
    assert "policy.max_nudgez" in result.stderr
    assert str(config) in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_exits_2_with_hint(tmp_path: Path, xdg: dict[str, str]) -> None:
    result = invoke(["config", "check", "--config", str(tmp_path / "none.toml")], env=xdg)
    assert result.exit_code == 2
    assert "followup init" in result.stderr


def test_secrets_are_masked_in_config_check(tmp_path: Path, xdg: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[account]]\nname = "a"\nhost = "h"\nusername = "a"\npassword = "s3cret-value"\n'
    )
    config.chmod(0o600)
    result = invoke(["config", "check", "--offline", "--config", str(config), "--json"], env=xdg)
    assert result.exit_code == 0
    assert "s3cret-value" not in result.stdout + result.stderr
    assert json.loads(result.stdout)["account"][0]["secret"] == "password = '********'"


def test_db_upgrade_is_idempotent(tmp_path: Path, xdg: dict[str, str]) -> None:
    config = tmp_path / "config.toml"
    db = tmp_path / "f.db"
    config.write_text(f'[[account]]\nname = "a"\nhost = "h"\n[database]\nurl = "sqlite:///{db}"\n')
    first = invoke(["db", "upgrade", "--config", str(config), "--json"], env=xdg)
    second = invoke(["--json", "db", "upgrade", "--config", str(config)], env=xdg)
    assert json.loads(first.stdout)["applied"] is True
    assert json.loads(second.stdout)["applied"] is False
    assert json.loads(second.stdout)["revision"] == json.loads(first.stdout)["revision"]


@pytest.mark.parametrize("bad", ["yesterday-ish", "2026-02-30", "2026-13-01T10:00"])
def test_bad_now_is_a_usage_error(bad: str) -> None:
    from watcher.commands.context import parse_now
    from watcher.errors import UsageError

    with pytest.raises(UsageError, match="--now"):
        parse_now(bad, __import__("zoneinfo").ZoneInfo("UTC"))


def test_now_without_offset_is_local_time() -> None:
    from zoneinfo import ZoneInfo

    from watcher.commands.context import parse_now

    value = parse_now("2026-03-10T09:00", ZoneInfo("America/New_York"))
    assert value.utcoffset() is not None
    assert value.isoformat() == "2026-03-10T09:00:00-04:00"


def test_global_options_accepted_after_the_command() -> None:
    from watcher.cli import hoist_global_options

    args = ["leads", "--json", "--now", "2026-03-10", "--all", "--config=x.toml"]
    assert hoist_global_options(args) == [
        "--json",
        "--now",
        "2026-03-10",
        "--config=x.toml",
        "leads",
        "--all",
    ]
    assert hoist_global_options(["detect", "--", "--json"]) == ["detect", "--", "--json"]


def test_version_and_help() -> None:
    assert invoke(["--version"]).stdout.startswith("followup ")
    result = invoke(["--help"])
    assert result.exit_code == 0
    assert "init" in result.stdout
