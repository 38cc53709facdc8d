"""The keyring error says how to store the secret; the digest's .ics part names its charset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import invoke, run
from tests.servers.dovecot import Dovecot, ImapUser, write_config
from tests.servers.smtp import SmtpServer
from tests.test_digest_send import make_setup, seed_leads


@pytest.mark.dovecot
@pytest.mark.parametrize(
    "backend",
    ["keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"],
    ids=["no-keyring", "no-password-stored"],
)
def test_keyring_problem_says_how_to_store_the_secret(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path, backend: str
) -> None:
    account = dovecot.account_toml(imap_user, tmp_path, password_command=None, keyring=True)
    config = write_config(tmp_path, account)
    result = run(
        ["config", "check", "--config", str(config)],
        env={"PYTHON_KEYRING_BACKEND": backend, "FOLLOWUP_CONFIG": ""},
    )
    assert result.returncode == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("error:")]
    assert f"`keyring set followup {imap_user.name}`" in line


def test_the_digest_calendar_part_names_its_charset(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    sent = invoke(["--config", str(setup.config), "--now", "2026-03-10T08:30", "digest", "--send"])
    assert sent.exit_code == 0, sent.stderr
    (mail,) = smtp_server.received
    (calendar,) = [p for p in mail.message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_param("method") == "PUBLISH"
    assert b"BEGIN:VCALENDAR" in calendar.get_payload(decode=True)


def test_keyring_cli_exists() -> None:
    # the command the message tells the user to run is installed with followup
    done = subprocess.run(
        [str(Path(sys.executable).parent / "keyring"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "set" in done.stdout
