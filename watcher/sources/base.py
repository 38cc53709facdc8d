"""The MailSource protocol: a read-only view of an account's folders, by UID."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from watcher.domain import FetchedMessage

FolderRole = Literal["inbox", "sent", "drafts", "other"]
KnownMessage = Callable[[FetchedMessage], bool]
"""known(header_only): whether a message, given by its Message-ID field and size, is stored."""


@dataclass(frozen=True)
class FolderInfo:
    """A folder to watch and what it holds for us."""

    name: str
    role: FolderRole


@dataclass(frozen=True)
class FolderStatus:
    """What one cheap round trip tells about a folder."""

    uidvalidity: int
    uidnext: int
    messages: int
    highestmodseq: int | None = None


class MailSource(Protocol):
    """A read-only mail source. Implementations never change flags or delete anything."""

    account: str

    def folders(self) -> list[FolderInfo]:
        """The folders to sync: the configured list, or INBOX plus the Sent folder."""
        ...

    def status(self, folder: str) -> FolderStatus:
        """UIDVALIDITY, UIDNEXT and message count, without selecting the folder."""
        ...

    def fetch_new(
        self,
        folder: str,
        after_uid: int,
        since: date | None,
        batch_size: int,
        known: KnownMessage | None = None,
    ) -> Iterator[list[FetchedMessage]]:
        """Messages with UID > ``after_uid`` (and, if given, dated on or after ``since``),
        in ascending UID order, in batches of at most ``batch_size``.

        With ``known`` (a rescan), a source may deliver a message that ``known`` accepts
        as its header alone instead of downloading it again."""
        ...

    def close(self) -> None:
        """Log out / release resources; safe to call twice."""
        ...
