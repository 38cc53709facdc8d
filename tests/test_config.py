"""Config parsing: the contract's keys, defaults, and errors that name the key and file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from watcher.config import load_settings, parse_settings
from watcher.errors import ConfigError

HOST = 'host = "imap.example.org"'
MINIMAL = """
[[account]]
name = "personal"
host = "imap.example.org"
username = "alex@example.org"
password_env = "IMAP_PASSWORD"
"""


def test_minimal_config_gets_every_default() -> None:
    settings = parse_settings(MINIMAL)
    account = settings.accounts[0]
    assert account.effective_port == 993
    assert account.tls == "implicit"
    assert account.folders == "auto"
    assert account.since_days == 120
    assert account.own_addresses == frozenset({"alex@example.org"})
    assert settings.smtp is None
    assert settings.digest.time == "08:00"
    assert settings.digest.timezone == "America/New_York"
    assert settings.digest.send_empty is False
    policy = settings.policy
    assert (policy.first_nudge_days, policy.nudge_due_days, policy.grace_days) == (2, 3, 1)
    assert (policy.max_nudges, policy.min_gap_days, policy.give_up_days) == (2, 7, 7)
    assert policy.stale_days == 30
    assert policy.business_days is True
    assert settings.database.effective_url.startswith("sqlite:///")


def test_starttls_defaults_to_port_143() -> None:
    settings = parse_settings(
        MINIMAL.replace('host = "imap.example.org"', 'host = "h"\ntls = "starttls"')
    )
    assert settings.accounts[0].effective_port == 143


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("[policy]\nmax_nudge = 3\n", "unknown key 'policy.max_nudge'"),
        ('[digest]\ntimezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ('[digest]\ntime = "8am"\n', "digest.time"),
        ('[policy]\ngrace_days = "one"\n', "policy.grace_days"),
        ("[smtp]\nport = 25\n", "missing required key 'smtp.host'"),
        ("[database]\nurl = 5\n", "database.url"),
        ("[frobnicate]\nx = 1\n", "unknown key 'frobnicate'"),
    ],
    ids=[
        "misspelt-key",
        "bad-zone",
        "bad-time",
        "wrong-type",
        "missing-smtp-host",
        "url-type",
        "unknown-section",
    ],
)
def test_bad_config_names_the_key(extra: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(MINIMAL + extra, Path("/etc/followup.toml"))
    assert expected in str(caught.value)
    assert str(caught.value).startswith("/etc/followup.toml: ")


def test_account_key_errors_say_which_account() -> None:
    text = MINIMAL + '\n[[account]]\nname = "work"\nhots = "x"\nmaildir = "/m"\n'
    with pytest.raises(ConfigError, match=r"unknown key 'account\[2\]\.hots'"):
        parse_settings(text)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(MINIMAL + "[policy]\nmax_nudge = 1\nmin_gap = 2\n")
    assert len(caught.value.problems) == 2


def test_plaintext_only_to_loopback() -> None:
    with pytest.raises(ConfigError, match="loopback"):
        parse_settings(
            MINIMAL.replace('host = "imap.example.org"', 'host = "imap.example.org"\ntls = "none"')
        )
    settings = parse_settings(
        MINIMAL.replace('host = "imap.example.org"', 'host = "127.0.0.1"\ntls = "none"')
    )
    assert settings.accounts[0].tls == "none"


def test_account_names_must_be_unique() -> None:
    with pytest.raises(ConfigError, match="unique: personal"):
        parse_settings(MINIMAL + MINIMAL)


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="followup init"):
        load_settings(tmp_path / "nope.toml")


def test_world_readable_config_with_password_is_warned_about(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL.replace('password_env = "IMAP_PASSWORD"', 'password = "hunter2"'))
    path.chmod(0o644)
    warnings = load_settings(path).warnings
    assert len(warnings) == 1
    assert "chmod 600" in warnings[0]
    assert "hunter2" not in warnings[0]
    path.chmod(0o600)
    assert load_settings(path).warnings == ()


def test_private_config_without_password_has_no_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINIMAL)
    os.chmod(path, 0o644)  # noqa: PTH101 - readable, but holds no secret
    assert load_settings(path).warnings == ()
