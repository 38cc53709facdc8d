"""Folder roles for IMAP and Maildir alike: SPECIAL-USE flags first, then well-known names."""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from imapclient import imap_utf7

from watcher.sources.base import FolderInfo, FolderRole

__all__ = [
    "Candidate",
    "choose",
    "first_with_role",
    "name_key",
    "resolve",
    "role_by_name",
    "role_of",
]

# RFC 6154 flags; servers differ in case (Cyrus says \sent), so they are compared lower-cased.
_SPECIAL_USE: dict[str, FolderRole] = {"\\sent": "sent", "\\drafts": "drafts"}
# Namespace prefixes a server or sync tool puts before the folder's own name.
_PREFIXES = ("inbox", "[gmail]", "[google mail]")
_SEPARATORS = ("/", ".", "\\")
# Leaf names (case-folded), most usual first: the first one present wins.
_ROLE_NAMES: dict[FolderRole, tuple[str, ...]] = {
    "sent": (
        "sent", "sent items", "sent messages", "sent mail", "sent-mail", "sent-items",
        "sent-messages", "sentmail", "gesendet", "gesendete elemente", "gesendete objekte",
        "gesendete nachrichten", "envoyés", "éléments envoyés", "messages envoyés", "envoyes",
        "elements envoyes", "enviados", "elementos enviados", "mensajes enviados",
        "itens enviados", "posta inviata", "elementi inviati", "inviati", "verzonden",
        "verzonden items", "verzonden berichten", "skickat", "skickade objekt",
        "skickade meddelanden", "sendt", "sendte elementer", "sendt post", "sendte",
        "wysłane", "elementy wysłane", "lähetetyt", "lähetetyt kohteet", "odeslané",
        "odeslaná pošta", "elküldött", "elküldött elemek", "отправленные", "gönderilenler",
    ),
    "drafts": (
        "drafts", "draft", "entwürfe", "brouillons", "borradores", "rascunhos", "bozze",
        "concepten", "utkast", "kladder", "kladde", "wersje robocze", "luonnokset",
        "koncepty", "piszkozatok", "черновики", "taslaklar",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A folder as a LIST (or a Maildir walk) shows it: name, flags and hierarchy delimiter."""

    name: str
    flags: frozenset[str] = frozenset()
    delimiter: str | None = None


def name_key(name: str, delimiter: str | None = None, *, utf7: bool = False) -> str:
    """The comparable form of a folder name: case-folded, NFC, one separator, no namespace
    prefix ("INBOX.Sent Items", "INBOX/Sent Items" and "sent items" are alike)."""
    parts = _parts(name, delimiter, utf7)
    while len(parts) > 1 and parts[0] in _PREFIXES:
        parts = parts[1:]
    return "/".join(parts)


def _parts(name: str, delimiter: str | None, utf7: bool) -> list[str]:
    if utf7 and "&" in name and name.isascii():
        # Maildir++ and Courier keep non-ASCII folder names in IMAP's modified UTF-7
        with contextlib.suppress(ValueError, UnicodeError):
            name = imap_utf7.decode(name.encode("ascii"))
    text = unicodedata.normalize("NFC", name).casefold().strip()
    for separator in (*_SEPARATORS, delimiter or "/"):
        text = text.replace(separator, "/")
    return [part.strip() for part in text.split("/") if part.strip()]


def _is_inbox(name: str) -> bool:
    return name.strip().upper() == "INBOX"


def role_by_name(name: str, delimiter: str | None = None, *, utf7: bool = False) -> FolderRole:
    """The role a folder's name suggests: INBOX, a well-known Sent or Drafts name, or other."""
    if _is_inbox(name):
        return "inbox"
    key = name_key(name, delimiter, utf7=utf7)
    for role, names in _ROLE_NAMES.items():
        if key in names:
            return role
    return "other"


def role_of(candidate: Candidate, *, utf7: bool = False) -> FolderRole:
    """A folder's role: INBOX by name, then its SPECIAL-USE flag in any case, then its name."""
    if _is_inbox(candidate.name):
        return "inbox"
    for flag in candidate.flags:
        role = _SPECIAL_USE.get(flag.lower())
        if role is not None:
            return role
    return role_by_name(candidate.name, candidate.delimiter, utf7=utf7)


def _rank(candidate: Candidate, role: FolderRole, utf7: bool) -> tuple[int, int, int]:
    """Lower is better: flagged before named, usual names before rare ones, unprefixed first."""
    flagged = any(_SPECIAL_USE.get(f.lower()) == role for f in candidate.flags)
    key = name_key(candidate.name, candidate.delimiter, utf7=utf7)
    names = _ROLE_NAMES[role]
    order = names.index(key) if key in names else len(names)
    prefixed = int(len(_parts(candidate.name, candidate.delimiter, utf7)) > key.count("/") + 1)
    return (0 if flagged else 1, order, prefixed)


def first_with_role(
    candidates: Iterable[Candidate], role: FolderRole, *, utf7: bool = False
) -> str | None:
    """The best folder for ``role`` among ``candidates``, or None."""
    fitting = [c for c in candidates if role_of(c, utf7=utf7) == role]
    if not fitting:
        return None
    return min(fitting, key=lambda c: _rank(c, role, utf7)).name


def resolve(wanted: str, names: Sequence[str], delimiter: str | None = None) -> str | None:
    """The listed folder a configured name means: exact, else alike by :func:`name_key`."""
    if wanted in names:
        return wanted
    if _is_inbox(wanted):
        return next((n for n in names if _is_inbox(n)), None)
    key = name_key(wanted, delimiter)
    return next((n for n in names if name_key(n, delimiter) == key), None)


def choose(
    candidates: Sequence[Candidate], configured: Sequence[str] | None, *, utf7: bool = False
) -> list[FolderInfo]:
    """The folders to sync: the configured ones (roles still found), else INBOX + Sent."""
    by_name = {c.name: c for c in candidates}
    sent = first_with_role(candidates, "sent", utf7=utf7)

    def info(name: str) -> FolderInfo:
        return FolderInfo(name, role_of(by_name.get(name, Candidate(name)), utf7=utf7))

    if configured is not None:
        return [info(name) for name in configured]
    inbox = next((c.name for c in candidates if _is_inbox(c.name)), "INBOX")
    chosen = [FolderInfo(inbox, "inbox")]
    if sent is not None:
        chosen.append(FolderInfo(sent, "sent"))
    return chosen
