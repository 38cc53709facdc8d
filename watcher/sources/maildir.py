"""MaildirSource: a local Maildir (mbsync, offlineimap, fetchmail+procmail) read as a MailSource.

Read-only: files are listed and read, never renamed, moved from new/ to cur/,
flagged or deleted (only ``mailbox.Maildir`` listing and reading calls are used).

Folders: INBOX is the root Maildir (or a child named INBOX, as mbsync's
``SubFolders Verbatim`` lays it out); other folders are Maildir++ children
(``.Sent``, ``.[Gmail].Sent Mail``) or plain child directories
(``Sent``, ``[Gmail]/Sent Mail``), named by their path below the root.

UIDs, per folder, one of two schemes:

* numbered: when the folder has a ``.uidvalidity`` file (mbsync's native
  scheme) or file names carrying ``,U=<n>`` (mbsync, offlineimap), the UID is
  that number and UIDVALIDITY is the file's first line (else derived from the
  folder). A file without ``,U=`` waits until the sync tool numbers it.
* derived: otherwise the UID is ``delivery_second * 1000 + rank``, where the
  delivery second is the leading timestamp of the Maildir file name (its
  mtime if the name has none) and the rank orders files of the same second by
  name. UIDVALIDITY is derived from the folder directory's identity.

Limits of the derived scheme: a file added later with an older delivery time
(restored from a backup with its old name, or a clock that went back) gets a
UID below what was already synced and is missed until the folder is resynced;
so is a file delivered in the same second as an already-synced one if its
name sorts before it. Deletions do not disturb other UIDs. Switching schemes
(mbsync run for the first time over a plain Maildir) changes UIDVALIDITY, so
the folder is resynced and the store's message keys keep that free of duplicates.
"""

from __future__ import annotations

import mailbox
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from watcher.config import AccountSettings
from watcher.domain import FetchedMessage
from watcher.errors import MailSourceError
from watcher.sources.base import FolderInfo, FolderRole, FolderStatus, KnownMessage
from watcher.sources.folders import Candidate, first_with_role, resolve, role_by_name

__all__ = ["MaildirSource", "folder_role"]

_NUMBERED = re.compile(r",U=(\d+)")
_LEADING_SECONDS = re.compile(r"^(\d{1,11})(?:\D|$)")
_RANK_SPAN = 1000  # files per delivery second the derived UIDs tell apart
_MAX_DEPTH = 3  # how deep plain child directories are searched for folders


def folder_role(name: str) -> FolderRole:
    """The role a folder name suggests: INBOX, a well-known Sent or Drafts name, or other."""
    # Maildir++ spells hierarchy with ".", mbsync Verbatim with "/"; both are separators here.
    return role_by_name(name, utf7=True)


@dataclass(frozen=True)
class _Entry:
    uid: int
    key: str
    delivered: datetime


class MaildirSource:
    """A MailSource over ``account.maildir``; see the module docstring for UIDs and limits."""

    def __init__(self, account: AccountSettings) -> None:
        if not account.maildir:
            raise MailSourceError("no maildir path configured", account=account.name)
        self.account = account.name
        self._settings = account
        self._root = Path(account.maildir).expanduser()
        self._boxes: dict[str, mailbox.Maildir] = {}
        self._found: dict[str, Path] = {}
        self._mtimes: dict[tuple[str, str], float] = {}  # (folder, key) -> mtime, for odd names

    # --- MailSource ----------------------------------------------------------------

    def folders(self) -> list[FolderInfo]:
        found = self._found = self._discover()
        if self._settings.folders != "auto":
            return [FolderInfo(name, folder_role(name)) for name in self._configured(found)]
        chosen = [FolderInfo("INBOX", "inbox")] if "INBOX" in found else []
        sent = first_with_role([Candidate(name) for name in found], "sent", utf7=True)
        if sent is not None:
            chosen.append(FolderInfo(sent, "sent"))
        if not chosen:
            raise self._error(f"{self._root} holds no Maildir (no cur/ and new/ directories)")
        return chosen

    def status(self, folder: str) -> FolderStatus:
        numbered, entries = self._entries(folder)
        last = max((e.uid for e in entries), default=0)
        return FolderStatus(
            uidvalidity=self._uidvalidity(folder, numbered),
            uidnext=last + 1,
            messages=len(entries),
        )

    def fetch_new(
        self,
        folder: str,
        after_uid: int,
        since: date | None,
        batch_size: int,
        known: KnownMessage | None = None,  # reading local files again costs little
    ) -> Iterator[list[FetchedMessage]]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        _, entries = self._entries(folder)
        wanted = [
            e
            for e in entries
            if e.uid > after_uid and (since is None or e.delivered.date() >= since)
        ]
        box = self._box(folder)
        for start in range(0, len(wanted), batch_size):
            batch = [self._read(box, e) for e in wanted[start : start + batch_size]]
            present = [m for m in batch if m is not None]
            if present:
                yield present

    def close(self) -> None:
        self._boxes.clear()
        self._found.clear()

    # --- folders -------------------------------------------------------------------

    def _discover(self) -> dict[str, Path]:
        """Folder name -> directory, for every Maildir below the root."""
        if not self._root.is_dir():
            raise self._error(f"maildir {self._root} does not exist or is not a directory")
        found: dict[str, Path] = {}
        if _is_maildir(self._root):
            found["INBOX"] = self._root
        try:
            self._walk(self._root, (), found)
        except OSError as exc:
            raise self._error(f"cannot list {self._root}: {exc}") from exc
        if "INBOX" not in found:
            # mbsync Verbatim keeps INBOX as a child directory, in any case.
            for name in list(found):
                if name.lower() == "inbox":
                    found["INBOX"] = found.pop(name)
                    break
        return found

    def _walk(self, directory: Path, parts: tuple[str, ...], found: dict[str, Path]) -> None:
        for child in sorted(directory.iterdir()):
            if not child.is_dir() or child.name in {"cur", "new", "tmp"}:
                continue
            if child.name.startswith("."):
                # Maildir++ children live only at the root; other dot-dirs are tool state.
                if not parts and len(child.name) > 1 and _is_maildir(child):
                    found[child.name[1:]] = child
                continue
            name_parts = (*parts, child.name)
            if _is_maildir(child):
                found["/".join(name_parts)] = child
            if len(name_parts) < _MAX_DEPTH:
                self._walk(child, name_parts, found)

    def _configured(self, found: dict[str, Path]) -> list[str]:
        names: list[str] = []
        missing: list[str] = []
        listed = list(found)
        for wanted in self._settings.folders:
            name = resolve(wanted, listed)
            if name is None:
                missing.append(wanted)
            else:
                names.append(name)
        if missing:
            available = ", ".join(sorted(found)) or "none"
            raise self._error(f"no such folder {', '.join(missing)}; available: {available}")
        return names

    def _path(self, folder: str) -> Path:
        path = self._found.get(folder)
        if path is None or not path.is_dir():
            self._found = self._discover()
            path = self._found.get(folder)
        if path is None:
            raise self._error(f"no folder {folder!r} in {self._root}")
        return path

    def _box(self, folder: str) -> mailbox.Maildir:
        box = self._boxes.get(folder)
        if box is None:
            # create=False: a missing folder is an error, never something we make.
            box = mailbox.Maildir(self._path(folder), factory=None, create=False)
            self._boxes[folder] = box
        return box

    # --- UIDs ----------------------------------------------------------------------

    def _entries(self, folder: str) -> tuple[bool, list[_Entry]]:
        """Whether the folder is numbered, and its messages in ascending UID order."""
        box = self._box(folder)
        try:
            keys = sorted(box.keys())
        except OSError as exc:
            raise self._error(f"cannot list folder {folder!r}: {exc}") from exc
        numbered = self._has_uidvalidity_file(folder) or any(_NUMBERED.search(k) for k in keys)
        entries: list[_Entry] = []
        if numbered:
            for key in keys:
                match = _NUMBERED.search(key)
                if match:
                    uid = int(match.group(1))
                    entries.append(_Entry(uid, key, self._delivered(folder, box, key)))
        else:
            seconds: dict[int, int] = {}
            timed = sorted((self._delivered(folder, box, key), key) for key in keys)
            for delivered, key in timed:
                second = int(delivered.timestamp())
                rank = seconds.get(second, 0)
                seconds[second] = rank + 1
                uid = second * _RANK_SPAN + min(rank, _RANK_SPAN - 1)
                entries.append(_Entry(uid, key, delivered))
        entries.sort(key=lambda e: e.uid)
        return numbered, entries

    def _delivered(self, folder: str, box: mailbox.Maildir, key: str) -> datetime:
        match = _LEADING_SECONDS.match(key)
        if match:
            return datetime.fromtimestamp(int(match.group(1)), UTC)
        cached = self._mtimes.get((folder, key))
        if cached is None:
            # A name without the usual timestamp: the file's mtime (read once, remembered).
            cached = box.get_message(key).get_date()
            self._mtimes[(folder, key)] = cached
        return datetime.fromtimestamp(int(cached), UTC)

    def _has_uidvalidity_file(self, folder: str) -> bool:
        return (self._path(folder) / ".uidvalidity").is_file()

    def _uidvalidity(self, folder: str, numbered: bool) -> int:
        path = self._path(folder)
        if numbered:
            try:
                first = (path / ".uidvalidity").read_text("ascii").split()[0]
                return int(first)
            except (OSError, ValueError, IndexError, UnicodeDecodeError):
                pass
        # Stable while the directory exists; a folder deleted and rebuilt gets a new one.
        identity = f"{'numbered' if numbered else 'derived'}:{path.stat().st_ino}:{path.resolve()}"
        return zlib.crc32(identity.encode("utf-8", "surrogateescape")) & 0x7FFFFFFF or 1

    # --- reading -------------------------------------------------------------------

    def _read(self, box: mailbox.Maildir, entry: _Entry) -> FetchedMessage | None:
        """The message's bytes (cut at max_message_bytes), or None if it vanished meanwhile."""
        limit = self._settings.max_message_bytes
        for _ in range(2):  # a mail client may move new/ -> cur/ between listing and reading
            try:
                with box.get_file(entry.key) as handle:
                    raw = handle.read(limit)
                    handle.seek(0, 2)
                    size = handle.tell()
            except (KeyError, FileNotFoundError):
                continue
            except OSError as exc:
                raise self._error(f"cannot read {entry.key}: {exc}") from exc
            return FetchedMessage(uid=entry.uid, raw=raw, internal_date=entry.delivered, size=size)
        return None

    def _error(self, message: str) -> MailSourceError:
        return MailSourceError(message, account=self.account)


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()
