"""Files another local user could plant or read: the lock, the database, secret commands."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirun import invoke
from watcher.errors import StorageError
from watcher.instance_lock import InstanceLock
from watcher.store.db import dispose_all, open_database

SECRET = "hunter2-on-the-command-line"


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


def test_a_lock_file_planted_as_a_symlink_is_refused_and_its_target_untouched(
    tmp_path: Path,
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    lock = tmp_path / "followup.db.lock"
    lock.symlink_to(target)

    with pytest.raises(StorageError, match="symbolic link"), InstanceLock(lock):
        pass
    assert target.read_text() == "keep me\n"


def test_a_database_readable_by_others_is_made_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "followup.db"
    open_database(f"sqlite:///{path}")
    dispose_all()
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING):
        open_database(f"sqlite:///{path}")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "readable by others" in caplog.text


def _config_with_commands(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[account]]\nname = "personal"\nhost = "imap.sam.test"\nusername = "sam"\n'
        f'password_command = "/usr/bin/printf {SECRET}"\n\n'
        '[smtp]\nhost = "smtp.sam.test"\nusername = "sam"\nfrom = "sam@example.org"\n'
        f'oauth2_token_command = "/bin/echo access --secret {SECRET}"\n\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "followup.db"}"\n'
    )
    config.chmod(0o600)
    return config


@pytest.mark.parametrize("json_output", [False, True], ids=["table", "json"])
def test_config_check_names_only_the_program_of_a_secret_command(
    tmp_path: Path, json_output: bool
) -> None:
    config = _config_with_commands(tmp_path)
    args = ["config", "check", "--offline", "--config", str(config)]
    args += ["--json"] if json_output else []

    result = invoke(args)

    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "printf" in result.stdout
    assert "echo" in result.stdout
    if json_output:
        data = json.loads(result.stdout)
        assert data["account"][0]["secret"] == "password_command (runs printf)"
