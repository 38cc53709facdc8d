"""Secrets come from the configured source, exactly, and failures never show the output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend

from watcher.config import AccountSettings, SmtpSettings
from watcher.errors import SecretError
from watcher.secrets import Secret, get_secret, secret_provider

PY = sys.executable


def account(**keys: Any) -> AccountSettings:
    return AccountSettings(name="personal", host="127.0.0.1", tls="none", username="me", **keys)


@pytest.mark.parametrize(
    ("keys", "env", "expected"),
    [
        ({"password_command": "printf 'hunter2\\n'"}, {}, Secret("password", "hunter2")),
        ({"password_command": "printf 'pa ss\\r\\n'"}, {}, Secret("password", "pa ss")),
        # one trailing newline is the command's, the rest is the password's
        ({"password_command": "printf 'pw \\n\\n'"}, {}, Secret("password", "pw \n")),
        # no shell: ';' and '$HOME' reach the program as text
        ({"password_command": "printf %s 'a;b $HOME'"}, {}, Secret("password", "a;b $HOME")),
        ({"password_env": "MAILPW"}, {"MAILPW": "from-env"}, Secret("password", "from-env")),
        ({"password": "plain"}, {}, Secret("password", "plain")),
        (
            {"oauth2_token_command": "printf tok", "password_command": "printf pw"},
            {},
            Secret("oauth2", "tok"),
        ),
        (
            {"password_command": "printf cmd", "password_env": "MAILPW"},
            {"MAILPW": "env"},
            Secret("password", "cmd"),
        ),
    ],
    ids=[
        "command-newline",
        "command-crlf",
        "command-keeps-inner-whitespace",
        "command-no-shell",
        "env",
        "plain",
        "oauth2-first",
        "command-before-env",
    ],
)
def test_get_secret_takes_first_source(
    keys: dict[str, Any], env: dict[str, str], expected: Secret
) -> None:
    assert get_secret(account(**keys), env) == expected


@pytest.mark.parametrize(
    ("keys", "env", "message"),
    [
        (
            {"password_command": f"{PY} -c 'print(\"s3cr3t-out\"); raise SystemExit(3)'"},
            {},
            "account 'personal': password_command",
        ),
        ({"password_command": "no-such-program-xyz"}, {}, "command not found: no-such-program"),
        ({"password_command": "true"}, {}, "printed nothing"),
        ({"password_command": "'unclosed"}, {}, "cannot be split"),
        ({"oauth2_token_command": "false"}, {}, "oauth2_token_command false failed"),
        ({"password_env": "MAILPW"}, {}, "MAILPW (password_env) is not set"),
        ({"password_env": "MAILPW"}, {"MAILPW": ""}, "MAILPW (password_env) is not set"),
        ({}, {}, "no secret configured"),
    ],
    ids=[
        "exit-status",
        "not-found",
        "empty",
        "bad-quoting",
        "oauth2-fails",
        "unset",
        "empty-env",
        "none",
    ],
)
def test_get_secret_failure_names_account_and_hides_output(
    keys: dict[str, Any], env: dict[str, str], message: str
) -> None:
    with pytest.raises(SecretError) as caught:
        get_secret(account(**keys), env)
    assert message in str(caught.value)
    assert str(caught.value).startswith("account 'personal'")
    assert "s3cr3t-out" not in str(caught.value)


def test_failing_command_reports_its_exit_status() -> None:
    with pytest.raises(SecretError, match="exit status 3"):
        get_secret(account(password_command=f"{PY} -c 'raise SystemExit(3)'"))


def test_smtp_secret_is_named_for_the_smtp_section() -> None:
    smtp = SmtpSettings(host="127.0.0.1", tls="none", password_env="NOPE")
    with pytest.raises(SecretError, match=r"^\[smtp\]: environment variable NOPE"):
        get_secret(smtp, {})


def test_secret_value_never_prints() -> None:
    secret = Secret("password", "hunter2")
    assert "hunter2" not in str(secret)
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in repr(account(password="hunter2"))


def test_provider_runs_the_command_again_on_each_call(tmp_path: Path) -> None:
    script = tmp_path / "token.py"
    script.write_text(
        "import pathlib\n"
        f"p = pathlib.Path({str(tmp_path / 'n')!r})\n"
        "p.write_text((p.read_text() if p.exists() else '') + 'x')\n"
        "print(p.read_text())\n"
    )
    provider = secret_provider(account(password_command=f"{PY} {script}"))
    assert [provider().value, provider().value] == ["x", "xx"]


class MemoryKeyring(KeyringBackend):
    """A keyring backend held in memory (the real library, a stand-in store)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def test_keyring_secret_is_looked_up_under_followup_and_username(
    memory_keyring: MemoryKeyring,
) -> None:
    keyring.set_password("followup", "me", "from-keyring")
    assert get_secret(account(keyring=True)) == Secret("password", "from-keyring")


def test_keyring_without_entry_says_how_to_store_one(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(SecretError, match="keyring set followup me"):
        get_secret(account(keyring=True))
