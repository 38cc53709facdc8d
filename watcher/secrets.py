"""Secrets for an account or the SMTP server: password command, keyring, environment, or token."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from watcher.config import AccountSettings, SmtpSettings
from watcher.errors import SecretError

KEYRING_SERVICE = "followup"
COMMAND_TIMEOUT_SECONDS = 60

SecretKind = Literal["password", "oauth2"]


@dataclass(frozen=True)
class Secret:
    """A password, or an OAuth2 access token for XOAUTH2. Its value never prints."""

    kind: SecretKind
    value: str = field(repr=False)

    def __str__(self) -> str:
        return f"<{self.kind} hidden>"


SecretProvider = Callable[[], Secret]


def describe(settings: AccountSettings | SmtpSettings) -> str:
    """Whose secret this is, for messages: ``account 'personal'`` or ``[smtp]``."""
    if isinstance(settings, AccountSettings):
        return f"account {settings.name!r}"
    return "[smtp]"


def get_secret(
    settings: AccountSettings | SmtpSettings, env: Mapping[str, str] | None = None
) -> Secret:
    """The secret from the first configured source (same order as ``secret_source()``)."""
    owner = describe(settings)
    if settings.oauth2_token_command:
        return Secret("oauth2", _run(settings.oauth2_token_command, "oauth2_token_command", owner))
    if settings.password_command:
        return Secret("password", _run(settings.password_command, "password_command", owner))
    if settings.keyring:
        return Secret("password", _from_keyring(settings.username, owner))
    if settings.password_env:
        environ = os.environ if env is None else env
        value = environ.get(settings.password_env)
        if not value:
            raise SecretError(
                f"{owner}: environment variable {settings.password_env} (password_env) "
                "is not set or empty"
            )
        return Secret("password", value)
    if settings.password:
        return Secret("password", settings.password)
    raise SecretError(
        f"{owner}: no secret configured; set password_command, keyring = true, "
        "password_env or oauth2_token_command"
    )


def secret_provider(
    settings: AccountSettings | SmtpSettings, env: Mapping[str, str] | None = None
) -> SecretProvider:
    """A provider that fetches the secret afresh on each call (tokens expire, commands rotate)."""
    return lambda: get_secret(settings, env)


def _run(command: str, key: str, owner: str) -> str:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise SecretError(f"{owner}: {key} cannot be split into words: {exc}") from exc
    if not argv:
        raise SecretError(f"{owner}: {key} is empty")
    try:
        # No shell, and the output is never shown: it is the secret.
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise SecretError(f"{owner}: {key}: command not found: {argv[0]}") from exc
    except PermissionError as exc:
        raise SecretError(f"{owner}: {key}: not executable: {argv[0]}") from exc
    except subprocess.TimeoutExpired:
        # Not chained: the timeout exception carries the partial output, i.e. the secret.
        raise SecretError(
            f"{owner}: {key} {argv[0]} did not finish in {COMMAND_TIMEOUT_SECONDS} s"
        ) from None
    if result.returncode != 0:
        raise SecretError(
            f"{owner}: {key} {argv[0]} failed with exit status {result.returncode}; "
            "run it by hand to see why"
        )
    value = result.stdout.decode("utf-8", "replace").removesuffix("\n").removesuffix("\r")
    if not value:
        raise SecretError(f"{owner}: {key} {argv[0]} printed nothing")
    return value


def _from_keyring(username: str, owner: str) -> str:
    import keyring  # imported late: backends probe D-Bus and the like on import
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(KEYRING_SERVICE, username)
    except KeyringError as exc:
        raise SecretError(
            f"{owner}: the system keyring failed ({exc}); once it works, store the secret with "
            f"`keyring set {KEYRING_SERVICE} {username}`, or use password_command instead"
        ) from exc
    if not value:
        raise SecretError(
            f"{owner}: no password in the keyring for service {KEYRING_SERVICE!r}, "
            f"user {username!r}; store one with `keyring set {KEYRING_SERVICE} {username}`"
        )
    return value
