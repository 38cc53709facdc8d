"""The exception tree of the watcher; the CLI maps each class to a message and exit code.

WatcherError                      base; carries a one-line, user-facing message
├── UsageError                    bad input on the command line (exit 2)
│   └── UnknownLeadError          a lead name that matches nothing or too much
├── ConfigError                   a broken config file; lists every problem (exit 2)
├── MailSourceError               talking to a mail source failed (exit 1)
│   ├── AuthenticationError       permanent: wrong credentials, OAuth2 needed
│   ├── CertificateError          permanent: TLS certificate not trusted
│   ├── ConnectionLostError       transient: back off and retry
│   └── UidValidityChangedError   the folder was renumbered: resync it
├── SecretError                   a password command or keyring lookup failed (exit 1)
├── MessageParseError             one message could not be parsed: record it and go on
├── StorageError                  the database failed (exit 1)
├── DigestSendError               SMTP refused or was unreachable (exit 1)
└── AlreadyRunningError           another instance holds the lock (exit 1)
"""

from __future__ import annotations

from collections.abc import Sequence


class WatcherError(Exception):
    """Base class; ``str(error)`` is a one-line message for the user."""

    exit_code = 1


class UsageError(WatcherError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2


class UnknownLeadError(UsageError):
    """A lead reference that names no lead, or several."""

    def __init__(self, reference: str, candidates: Sequence[str] = ()) -> None:
        self.reference = reference
        self.candidates = list(candidates)
        if self.candidates:
            shown = ", ".join(self.candidates[:8])
            message = f"lead {reference!r} is ambiguous: it matches {shown}; use the id"
        else:
            message = f"no lead matches {reference!r}; see `followup leads --all`"
        super().__init__(message)


class ConfigError(WatcherError):
    """A config file that cannot be used; every problem is reported at once."""

    exit_code = 2

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


class MailSourceError(WatcherError):
    """Talking to a mail source failed."""

    def __init__(self, message: str, *, account: str | None = None) -> None:
        self.account = account
        prefix = f"account {account!r}: " if account else ""
        super().__init__(prefix + message)


class AuthenticationError(MailSourceError):
    """The server refused the credentials; retrying will not help."""


class CertificateError(MailSourceError):
    """The server's TLS certificate is not trusted."""


class ConnectionLostError(MailSourceError):
    """The connection failed or dropped; worth retrying with backoff."""


class UidValidityChangedError(MailSourceError):
    """The folder's UIDVALIDITY changed: the stored UIDs mean nothing any more."""

    def __init__(self, folder: str, old: int, new: int, *, account: str | None = None) -> None:
        self.folder = folder
        self.old = old
        self.new = new
        super().__init__(f"folder {folder!r} UIDVALIDITY changed {old} -> {new}", account=account)


class SecretError(WatcherError):
    """A secret could not be obtained (password command, keyring, environment)."""


class MessageParseError(WatcherError):
    """One message could not be parsed; it is recorded as failed and the sync goes on."""


class StorageError(WatcherError):
    """The database could not be read or written."""


class DigestSendError(WatcherError):
    """The digest could not be sent."""


class AlreadyRunningError(WatcherError):
    """Another instance of the service holds the lock on this database."""
