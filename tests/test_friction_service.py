"""`followup service install` warns when the unit's sandbox (PrivateTmp, ProtectHome) would
hide a file the service needs: the program, a ca_file, a password file, the database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.clirun import run
from watcher.commands.service import sandbox_warnings, unit_text


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWUP_", "XDG_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return env


def test_install_warns_about_files_under_tmp(tmp_path: Path) -> None:
    secret = tmp_path / "imap.pw"
    ca = tmp_path / "ca.pem"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[account]]\nname = "personal"\nhost = "imap.example.net"\nusername = "alex"\n'
        f'ca_file = "{ca}"\npassword_command = "cat {secret}"\n'
        f'[database]\nurl = "sqlite:////var/lib/followup-test/followup.db"\n'
    )
    done = run(["service", "install", "--print", "--config", str(config)], _env(tmp_path))
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert any(f"account 'personal' ca_file {ca} is under /tmp" in w for w in warnings), warnings
    assert any(f"password_command file {secret} is under /tmp" in w for w in warnings), warnings
    assert all("PrivateTmp=yes" in w for w in warnings)
    assert not any("the database" in w for w in warnings)  # /var/lib is visible to it
    assert "[Service]" in done.stdout  # the unit is still printed


def test_install_is_quiet_when_nothing_is_hidden(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[account]]\nname = "personal"\nhost = "imap.example.net"\nusername = "alex"\n'
        'password_command = "pass show mail/imap"\n'
        '[database]\nurl = "sqlite:////var/lib/followup-test/followup.db"\n'
    )
    done = run(["service", "install", "--print", "--config", str(config)], _env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "ca_file" not in done.stderr
    assert "password_command" not in done.stderr


SHIPPED = unit_text(Path("/home/alex/.venv/bin/followup"))


@pytest.mark.parametrize(
    ("unit", "path", "hidden_by"),
    [
        (SHIPPED, "/tmp/venv/bin/followup", "PrivateTmp=yes"),
        (SHIPPED, "/var/tmp/ca.pem", "PrivateTmp=yes"),
        (SHIPPED, "/home/alex/.venv/bin/followup", None),  # ProtectHome=read-only: readable
        (
            SHIPPED.replace("ProtectHome=read-only", "ProtectHome=yes"),
            "/home/alex/pw",
            "ProtectHome=yes",
        ),
        (
            SHIPPED.replace("ProtectHome=read-only", "ProtectHome=tmpfs"),
            "/root/ca.pem",
            "ProtectHome=tmpfs",
        ),
        (SHIPPED.replace("PrivateTmp=yes", "PrivateTmp=no"), "/tmp/ca.pem", None),
        (SHIPPED, "/opt/followup/bin/followup", None),
    ],
    ids=["tmp", "var-tmp", "home-read-only", "home-hidden", "root-tmpfs", "no-private-tmp", "opt"],
)
def test_sandbox_warnings(unit: str, path: str, hidden_by: str | None) -> None:
    found = sandbox_warnings(unit, [("the file", Path(path))])
    if hidden_by is None:
        assert found == []
    else:
        (line,) = found
        assert line.startswith(f"the file {path} is under ")
        assert hidden_by in line
