"""`followup config check`: the settings tried against the world (files, programs, servers).

Each account and the SMTP server get a result: ok with what was found, or one line per
problem. Checks that need no network run first (the unedited example host, a missing
username, ca_file or password program), so a broken entry is not dialled. Those are
problems in the file itself (``bad_input``: exit 2); a server that refuses the login or
cannot be reached is a runtime failure (exit 1).
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

from watcher.config import AccountSettings, Settings, SmtpSettings
from watcher.errors import WatcherError

__all__ = ["CheckResult", "check_settings", "static_problems"]

# RFC 2606 names: `followup init` writes imap.example.org; nobody's real server is there.
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True)
class CheckResult:
    """One thing checked: ``target`` ("account 'personal'", "[smtp]"), ok, what was found."""

    target: str
    ok: bool
    detail: str
    bad_input: bool = False  # a problem in the file itself, not in the world

    @property
    def line(self) -> str:
        return f"{self.target}: {self.detail}"


def _is_example(host: str) -> bool:
    name = host.lower().rstrip(".")
    return any(name == d or name.endswith("." + d) for d in _EXAMPLE_DOMAINS)


def _program_problem(command: str | None, key: str) -> str | None:
    """The password/token command's program must exist before it can be run."""
    if not command:
        return None
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return f"{key} cannot be split into words: {exc}"
    if not argv:
        return f"{key} is empty"
    program = argv[0]
    if shutil.which(program) is None:
        return f"{key}: program {program!r} is not installed or not on PATH"
    return None


def static_problems(settings: AccountSettings | SmtpSettings, server: str) -> list[str]:
    """What is wrong without connecting: one line each, most basic first."""
    problems: list[str] = []
    host = settings.host
    if host and _is_example(host):
        problems.append(
            f"host {host!r} is the example from `followup init`; set your {server} server"
        )
    is_imap = isinstance(settings, AccountSettings)
    if isinstance(settings, AccountSettings) and settings.maildir:
        root = Path(settings.maildir).expanduser()
        if not root.is_dir():
            problems.append(f"maildir {str(root)!r} is not a directory")
        return problems
    has_secret = settings.secret_source() != "none"
    if not settings.username and (is_imap or has_secret):
        problems.append(f"username is empty; set it to your {server} login")
    if is_imap and not has_secret:
        problems.append(
            "no secret configured; set password_command, keyring = true, password_env "
            "or oauth2_token_command"
        )
    if settings.ca_file and not Path(settings.ca_file).expanduser().is_file():
        problems.append(f"ca_file {settings.ca_file!r} does not exist")
    for key in ("oauth2_token_command", "password_command"):
        found = _program_problem(getattr(settings, key), key)
        if found:
            problems.append(found)
    return problems


def _counted(folder: str, messages: int) -> str:
    return f"{folder} ({messages} message{'' if messages == 1 else 's'})"


def _check_account(account: AccountSettings) -> CheckResult:
    from watcher.ingest import open_source

    target = f"account {account.name!r}"
    source = open_source(account)
    try:
        folders = source.folders()
        counts = [_counted(f.name, source.status(f.name).messages) for f in folders]
    except WatcherError as error:
        # the error names the account already
        return CheckResult(target, False, str(error).removeprefix(f"{target}: "))
    finally:
        source.close()
    if account.maildir:
        where = f"Maildir {account.maildir}"
    else:
        where = f"logged in as {account.username!r} at {account.host}:{account.effective_port}"
    return CheckResult(target, True, f"{where}; will read {', '.join(counts)}")


def _check_smtp(smtp: SmtpSettings) -> CheckResult:
    from watcher.smtp import check_login

    try:
        return CheckResult("[smtp]", True, check_login(smtp))
    except WatcherError as error:
        return CheckResult("[smtp]", False, str(error))


def check_settings(settings: Settings, *, connect: bool = True) -> list[CheckResult]:
    """Every account, then SMTP: static checks, then (``connect``) a read-only login."""
    results: list[CheckResult] = []
    targets: list[tuple[str, AccountSettings | SmtpSettings, str]] = [
        (f"account {a.name!r}", a, "IMAP") for a in settings.accounts
    ]
    if settings.smtp is not None:
        targets.append(("[smtp]", settings.smtp, "SMTP"))
    for target, section, server in targets:
        problems = static_problems(section, server)
        if problems:
            results.extend(CheckResult(target, False, p, bad_input=True) for p in problems)
        elif not connect:
            results.append(CheckResult(target, True, "not connected (--offline)"))
        elif isinstance(section, AccountSettings):
            results.append(_check_account(section))
        else:
            results.append(_check_smtp(section))
    return results
