"""The one write to the mailbox: APPEND suggested messages to Drafts; and finding our own mail."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Self

from watcher.sources.imap import ImapSource

__all__ = ["DRAFT_FLAGS", "MailboxWriter", "drafts_folder_name"]

log = logging.getLogger(__name__)

DRAFT_FLAGS = (rb"\Draft", rb"\Seen")
DRAFTS_FALLBACKS = ("Drafts", "[Gmail]/Drafts", "INBOX.Drafts", "Draft")


def drafts_folder_name(listing: Iterable[tuple[Iterable[bytes], bytes | None, str]]) -> str | None:
    """The ``\\Drafts`` SPECIAL-USE folder, else the first of the usual names that exists."""
    names: dict[str, set[bytes]] = {}
    for flags, _, name in listing:
        names[name] = {bytes(f).lower() for f in flags}
    for name, flags in names.items():
        if rb"\drafts" in flags:
            return name
    lowered = {name.lower(): name for name in names}
    for candidate in DRAFTS_FALLBACKS:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


class MailboxWriter(ImapSource):
    """An IMAP account that may also APPEND drafts; reading stays EXAMINE-only."""

    def __enter__(self) -> Self:
        return self

    def contains_message_id(self, folders: Iterable[str], message_id: str) -> bool:
        """Whether a message with this Message-ID is in any of ``folders``."""
        client = self._connect()
        for folder in folders:
            with self._errors(f"searching {folder}"):
                client.select_folder(folder, readonly=True)
                found = client.search(["HEADER", "Message-ID", message_id])
            if found:
                return True
        return False

    def own_folders(self) -> list[str]:
        """INBOX and the Sent folder: where a sent digest shows up."""
        return [folder.name for folder in self.folders() if folder.role in ("inbox", "sent")]

    def drafts_folder(self) -> str | None:
        client = self._connect()
        with self._errors("listing folders"):
            listing = client.list_folders()
        return drafts_folder_name(listing)

    def append_draft(self, folder: str, raw: bytes, when: datetime) -> None:
        """APPEND one draft flagged ``\\Draft``; the only write this project makes."""
        client = self._connect()
        with self._errors(f"appending a draft to {folder}"):
            client.append(folder, raw, flags=DRAFT_FLAGS, msg_time=when)
        log.info("account %r: draft appended to %s", self.account, folder)
