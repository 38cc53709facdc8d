"""The systemd units pass `systemd-analyze verify`, as shipped and as `service install` writes
them, and `followup service install` leaves a user with a unit and the next commands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.clirun import FOLLOWUP, run
from tests.servers.dovecot import write_config

ROOT = Path(__file__).resolve().parent.parent
USER_UNIT = ROOT / "watcher" / "units" / "followup.service"
INSTANCE_UNIT = ROOT / "systemd" / "followup@.service"
ANALYZE = shutil.which("systemd-analyze")

needs_analyze = pytest.mark.skipif(
    ANALYZE is None, reason="systemd-analyze is missing: apt-get install systemd"
)


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A user's environment with HOME, the XDG dirs and the runtime dir in tmp_path (no
    systemd user instance runs there)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "XDG_"))}
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        XDG_DATA_HOME=str(tmp_path / "home" / ".local" / "share"),
        XDG_RUNTIME_DIR=str(runtime),
    )
    return env


def verify(
    unit: Path, env: dict[str, str], *, user: bool = False
) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    args = [ANALYZE, "verify", *(["--user"] if user else []), str(unit)]
    return subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=60)


def problems(done: subprocess.CompletedProcess[str], unit: Path) -> list[str]:
    """What systemd-analyze said about our unit (it may also talk about units it pulls in)."""
    return [line for line in done.stderr.splitlines() if unit.stem.split("@")[0] in line]


def exec_start(text: str) -> str:
    found = re.search(r"^ExecStart=(.*)$", text, re.MULTILINE)
    assert found, text
    return found.group(1)


@needs_analyze
@pytest.mark.parametrize("user", [False, True], ids=["system-manager", "user-manager"])
def test_printed_unit_runs_this_installation_and_verifies(
    tmp_path: Path, home: dict[str, str], user: bool
) -> None:
    printed = run(["service", "install", "--print"], home)
    assert printed.returncode == 0, printed.stderr
    assert exec_start(printed.stdout) == f"{FOLLOWUP.absolute()} run"
    assert FOLLOWUP.exists()
    unit = tmp_path / "followup.service"
    unit.write_text(printed.stdout)
    done = verify(unit, home, user=user)
    assert done.returncode == 0, done.stderr
    assert problems(done, unit) == []
    # --print prints and does nothing else
    assert not (Path(home["XDG_CONFIG_HOME"]) / "systemd").exists()


@needs_analyze
@pytest.mark.parametrize("shipped", [USER_UNIT, INSTANCE_UNIT], ids=["user", "instance"])
def test_shipped_unit_verifies_once_execstart_names_an_installed_followup(
    tmp_path: Path, home: dict[str, str], shipped: Path
) -> None:
    text = shipped.read_text()
    command = exec_start(text)
    assert command.endswith("followup run")
    unit = tmp_path / shipped.name
    unit.write_text(text.replace(command, f"{FOLLOWUP} run"))
    done = verify(unit, home)
    assert done.returncode == 0, done.stderr
    assert problems(done, unit) == []
    for key in ("Type=notify", "NotifyAccess=main", "WatchdogSec=", "ExecReload=/bin/kill -HUP"):
        assert key in text, key


@needs_analyze
def test_verify_fails_when_execstart_names_a_missing_binary(
    tmp_path: Path, home: dict[str, str]
) -> None:
    """The check above can fail: a unit whose binary is not there does not verify."""
    unit = tmp_path / "followup.service"
    text = USER_UNIT.read_text()
    unit.write_text(text.replace(exec_start(text), f"{tmp_path / 'nowhere' / 'followup'} run"))
    done = verify(unit, home)
    assert done.returncode != 0
    assert "nowhere/followup" in done.stderr


def test_the_systemd_dir_links_to_the_packaged_user_unit() -> None:
    link = ROOT / "systemd" / "followup.service"
    assert link.is_symlink()
    assert link.resolve() == USER_UNIT


def test_install_writes_the_unit_and_prints_the_next_commands_without_systemd(
    home: dict[str, str],
) -> None:
    done = run(["service", "install"], home)
    assert done.returncode == 0, done.stderr
    unit = Path(home["XDG_CONFIG_HOME"]) / "systemd" / "user" / "followup.service"
    assert unit.is_file()
    assert exec_start(unit.read_text()) == f"{FOLLOWUP.absolute()} run"
    out = done.stdout
    assert f"wrote {unit}" in out
    assert "not running here" in out
    # no config yet: init comes first, then what systemd needs
    steps = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert steps == [
        "followup init",
        "systemctl --user daemon-reload",
        "systemctl --user enable --now followup",
    ]
    # the directories the sandbox makes writable exist (a missing one would stay read-only)
    assert (Path(home["XDG_DATA_HOME"]) / "followup").is_dir()
    assert (Path(home["XDG_CONFIG_HOME"]) / "followup").is_dir()


@needs_analyze
def test_install_with_a_config_elsewhere_passes_it_and_its_database_dir(
    tmp_path: Path, home: dict[str, str]
) -> None:
    where = tmp_path / "my mail"  # a blank in the path must survive the unit's quoting
    where.mkdir()
    config = write_config(where, '[[account]]\nname = "x"\nmaildir = "/srv/mail"\n')
    done = run(["service", "install", "--config", str(config), "--json"], home)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["reloaded"] is False
    assert report["next"] == [
        "systemctl --user daemon-reload",
        "systemctl --user enable --now followup",
    ]
    unit = Path(report["unit"])
    text = unit.read_text()
    assert exec_start(text) == f'{FOLLOWUP.absolute()} run --config "{config}"'
    assert f'-"{where}"' in text  # the SQLite file's directory is writable
    done = verify(unit, home)
    assert done.returncode == 0, done.stderr
    assert problems(done, unit) == []
