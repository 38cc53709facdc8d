"""`followup config check` logs in for real (Dovecot, aiosmtpd) and says what is wrong, one
line a problem; `--offline` checks only the file; TLS mismatches get a hint that fits."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import invoke, run
from tests.servers.dovecot import Dovecot, ImapUser, free_port, write_config
from tests.servers.messages import raw_message
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

SMTP_PASSWORD = "smtp-Pa55-word"
ENV = {"FOLLOWUP_CONFIG": "", "FOLLOWUP_NOW": ""}


def smtp_toml(server: SmtpServer, directory: Path, *, password: str = SMTP_PASSWORD) -> str:
    secret = directory / "smtp.password"
    secret.write_text(password + "\n")
    secret.chmod(0o600)
    return (
        f'[smtp]\nhost = "{server.host}"\nport = {server.port}\ntls = "{server.tls}"\n'
        f'ca_file = "{server.ca_file or ""}"\nusername = "alex"\n'
        f'password_command = "cat {secret}"\nfrom = "followup <alex@example.org>"\n'
    )


def check(config: Path, *extra: str) -> tuple[int, str, str]:
    result = invoke(["config", "check", "--config", str(config), *extra], env=ENV)
    return result.exit_code, result.stdout, result.stderr


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture
def smtp(make_smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
    return make_smtp_server(tls="starttls", username="alex", password=SMTP_PASSWORD)


def test_good_account_and_smtp_log_in_and_list_folders(
    dovecot: Dovecot, imap_user: ImapUser, smtp: SmtpServer, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1))
    config = write_config(
        tmp_path,
        dovecot.account_toml(imap_user, tmp_path, tls="starttls"),
        smtp_toml(smtp, tmp_path),
    )
    result = run(["config", "check", "--config", str(config)], env=ENV)
    assert result.returncode == 0, result.stderr
    account = next(x for x in result.stdout.splitlines() if x.startswith("ok: account"))
    assert f"logged in as {imap_user.name!r}" in account
    assert "INBOX (1 message)" in account
    assert "Sent (0 messages)" in account
    assert any(x.startswith("ok: [smtp]: logged in as 'alex'") for x in result.stdout.splitlines())
    assert imap_user.password not in result.stdout + result.stderr
    assert smtp.received == []  # a check sends nothing


def test_json_lists_each_check(dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path) -> None:
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path))
    code, stdout, _ = check(config, "--json")
    assert code == 0
    (only,) = json.loads(stdout)["checks"]
    assert only["target"] == "account 'personal'"
    assert only["ok"] is True
    assert "INBOX" in only["detail"]


def test_wrong_password_is_one_line_and_exit_1(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path))
    (tmp_path / "personal.password").write_text("wrong\n")
    code, _, stderr = check(config)
    assert code == 1
    (line,) = errors(stderr)
    assert "account 'personal'" in line
    assert "refused" in line
    assert "Traceback" not in stderr


def test_offline_does_not_log_in(dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path) -> None:
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path))
    (tmp_path / "personal.password").write_text("wrong\n")
    code, stdout, stderr = check(config, "--offline")
    assert code == 0, stderr
    assert "not connected (--offline)" in stdout


def test_refused_port_is_reported(dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path) -> None:
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path, port=free_port()))
    code, _, stderr = check(config)
    assert code == 1
    (line,) = errors(stderr)
    assert "connection to 127.0.0.1" in line
    assert "refused" in line.lower()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"username": ""}, "username is empty"),
        ({"ca_file": "/nonexistent/ca.pem", "tls": "starttls"}, "ca_file '/nonexistent/ca.pem'"),
        ({"password_command": "no-such-pass-program show x"}, "'no-such-pass-program' is not"),
        ({"host": "imap.example.org", "tls": "starttls"}, "example from `followup init`"),
    ],
    ids=["no-username", "missing-ca-file", "program-not-installed", "example-host"],
)
@pytest.mark.parametrize("offline", [False, True], ids=["connect", "offline"])
def test_setup_mistakes_are_named(
    dovecot: Dovecot,
    imap_user: ImapUser,
    tmp_path: Path,
    keys: dict[str, str],
    expected: str,
    offline: bool,
) -> None:
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path, **keys))
    code, _, stderr = check(config, *(["--offline"] if offline else []))
    assert code == 2  # the file itself is wrong: bad input
    (line,) = errors(stderr)
    assert expected in line
    assert line.startswith("error: account 'personal': ")


def test_the_unedited_init_template_fails_the_check(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    env = {**ENV, "XDG_DATA_HOME": str(tmp_path / "data")}
    assert invoke(["init", "--config", str(config)], env=env).exit_code == 0
    result = invoke(["config", "check", "--config", str(config)], env=env)
    assert result.exit_code == 2
    lines = errors(result.stderr)
    assert "'imap.example.org' is the example from `followup init`" in lines[0]
    # its `pass show ...` is named too when that program is not installed
    assert all(line.startswith("error: account 'personal': ") for line in lines)


def test_wrong_smtp_password_names_smtp(
    dovecot: Dovecot, imap_user: ImapUser, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        dovecot.account_toml(imap_user, tmp_path),
        smtp_toml(smtp, tmp_path, password="nope"),
    )
    code, stdout, stderr = check(config)
    assert code == 1
    assert "ok: account 'personal'" in stdout
    (line,) = errors(stderr)
    assert line.startswith("error: [smtp]: ")
    assert "refused the login for 'alex'" in line


# --- TLS hints ------------------------------------------------------------------------------


def test_implicit_tls_on_a_plain_imap_port_suggests_starttls(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    account = dovecot.account_toml(imap_user, tmp_path, tls="implicit", port=dovecot.port)
    code, _, stderr = check(write_config(tmp_path, account))
    assert code == 1
    (line,) = errors(stderr)
    assert 'the server speaks plain text on this port: use tls = "starttls"' in line
    assert "WRONG_VERSION_NUMBER" not in line


def test_implicit_tls_on_a_plain_smtp_port_suggests_starttls(
    dovecot: Dovecot,
    imap_user: ImapUser,
    make_smtp_server: Callable[..., SmtpServer],
    tls_certificate: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    server = make_smtp_server(tls="starttls", username="alex", password=SMTP_PASSWORD)
    section = smtp_toml(server, tmp_path).replace('tls = "starttls"', 'tls = "implicit"')
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path), section)
    code, _, stderr = check(config)
    assert code == 1
    (line,) = errors(stderr)
    assert line.startswith("error: [smtp]: ")
    assert 'speaks plain text on this port: use tls = "starttls"' in line


def test_smtp_without_starttls_never_advises_implicit_tls_for_a_plain_server(
    dovecot: Dovecot,
    imap_user: ImapUser,
    make_smtp_server: Callable[..., SmtpServer],
    tmp_path: Path,
) -> None:
    plain = make_smtp_server(tls="none")
    section = smtp_toml(plain, tmp_path).replace('tls = "none"', 'tls = "starttls"')
    config = write_config(tmp_path, dovecot.account_toml(imap_user, tmp_path), section)
    code, _, stderr = check(config)
    assert code == 1
    (line,) = errors(stderr)
    assert "does not offer STARTTLS" in line
    assert "implicit" not in line
    assert 'tls = "none"' in line  # the loopback server speaks plain text: that fits


def test_a_file_problem_and_a_refused_login_together_exit_2(
    dovecot: Dovecot, imap_user: ImapUser, smtp: SmtpServer, tmp_path: Path
) -> None:
    """The wrong SMTP password is a runtime failure (1), the missing IMAP ca_file bad input
    (2): both reported, one line each, and the exit code says the file must be fixed."""
    config = write_config(
        tmp_path,
        dovecot.account_toml(imap_user, tmp_path, ca_file=str(tmp_path / "missing.pem")),
        smtp_toml(smtp, tmp_path, password="wrong"),
    )
    code, _, stderr = check(config)
    assert code == 2, stderr
    lines = errors(stderr)
    assert len(lines) == 2, stderr
    assert "ca_file" in lines[0]
    assert lines[1].startswith("error: [smtp]")
