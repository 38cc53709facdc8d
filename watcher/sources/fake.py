"""InMemorySource: a MailSource held in memory, for fast tests of everything above the sources."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from watcher.domain import FetchedMessage
from watcher.errors import MailSourceError
from watcher.sources.base import FolderInfo, FolderRole, FolderStatus, KnownMessage

__all__ = ["InMemorySource"]


@dataclass
class _Folder:
    role: FolderRole
    uidvalidity: int
    uidnext: int = 1
    messages: dict[int, FetchedMessage] = field(default_factory=dict)


class InMemorySource:
    """Folders with UIDVALIDITY and messages with UIDs, changed only through its own methods.

    Beyond the protocol it lets a test deliver and expunge mail, renumber a folder
    (a new UIDVALIDITY), and make the next calls fail, and it counts what was asked
    of it, so a test can check that a poll of an unchanged folder costs nothing.
    """

    def __init__(self, account: str = "fake", *, sent_folder: str = "Sent") -> None:
        self.account = account
        self._folders: dict[str, _Folder] = {}
        self._failures: list[tuple[int, MailSourceError]] = []
        self.closed = False
        self.status_calls = 0
        self.fetched_uids: list[int] = []
        self.add_folder("INBOX", "inbox")
        self.add_folder(sent_folder, "sent")

    # --- test controls -------------------------------------------------------------

    def add_folder(self, name: str, role: FolderRole = "other", uidvalidity: int = 1) -> None:
        self._folders[name] = _Folder(role=role, uidvalidity=uidvalidity)

    def add(self, folder: str, raw: bytes, internal_date: datetime | None = None) -> int:
        """Deliver a message; returns its UID (the folder's next one)."""
        box = self._folder(folder)
        uid = box.uidnext
        box.uidnext += 1
        box.messages[uid] = FetchedMessage(
            uid=uid, raw=raw, internal_date=internal_date, size=len(raw)
        )
        return uid

    def expunge(self, folder: str, uid: int) -> None:
        self._folder(folder).messages.pop(uid, None)

    def reset_uidvalidity(self, folder: str, uidvalidity: int | None = None) -> int:
        """Renumber the folder as a server does after a rebuild: new UIDVALIDITY, UIDs from 1."""
        box = self._folder(folder)
        box.uidvalidity = uidvalidity if uidvalidity is not None else box.uidvalidity + 1
        old = [box.messages[uid] for uid in sorted(box.messages)]
        box.messages = {}
        box.uidnext = 1
        for message in old:
            self.add(folder, message.raw, message.internal_date)
        return box.uidvalidity

    def fail_after(self, calls: int, error: MailSourceError) -> None:
        """Raise ``error`` once, on the protocol call after the next ``calls`` ones.

        A batch of ``fetch_new`` counts as a call, so a failure can land between batches.
        """
        self._failures.append((calls, error))

    def contents(self) -> dict[str, tuple[int, int, tuple[FetchedMessage, ...]]]:
        """Every folder's UIDVALIDITY, UIDNEXT and messages, read without counting as a call."""
        return {
            name: (
                box.uidvalidity,
                box.uidnext,
                tuple(box.messages[u] for u in sorted(box.messages)),
            )
            for name, box in self._folders.items()
        }

    # --- MailSource ----------------------------------------------------------------

    def folders(self) -> list[FolderInfo]:
        self._tick()
        return [FolderInfo(name=name, role=box.role) for name, box in self._folders.items()]

    def status(self, folder: str) -> FolderStatus:
        self._tick()
        self.status_calls += 1
        box = self._folder(folder)
        return FolderStatus(
            uidvalidity=box.uidvalidity, uidnext=box.uidnext, messages=len(box.messages)
        )

    def fetch_new(
        self,
        folder: str,
        after_uid: int,
        since: date | None,
        batch_size: int,
        known: KnownMessage | None = None,  # in memory: nothing to save
    ) -> Iterator[list[FetchedMessage]]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._tick()
        box = self._folder(folder)
        wanted = [
            box.messages[uid]
            for uid in sorted(box.messages)
            if uid > after_uid and _on_or_after(box.messages[uid], since)
        ]
        for start in range(0, len(wanted), batch_size):
            if start:
                self._tick()
            batch = wanted[start : start + batch_size]
            self.fetched_uids.extend(m.uid for m in batch)
            yield batch

    def close(self) -> None:
        self.closed = True

    # --- internals -----------------------------------------------------------------

    def _folder(self, name: str) -> _Folder:
        try:
            return self._folders[name]
        except KeyError:
            raise MailSourceError(f"no folder {name!r}", account=self.account) from None

    def _tick(self) -> None:
        if self.closed:
            raise MailSourceError("source is closed", account=self.account)
        due = [(n - 1, e) for n, e in self._failures]
        self._failures = [(n, e) for n, e in due if n >= 0]
        fired = [e for n, e in due if n < 0]
        if fired:
            raise fired[0]


def _on_or_after(message: FetchedMessage, since: date | None) -> bool:
    if since is None or message.internal_date is None:
        return True
    arrived = message.internal_date
    if arrived.tzinfo is None:
        arrived = arrived.replace(tzinfo=UTC)
    return arrived.astimezone(UTC).date() >= since
