"""ImapSource: the MailSource over IMAP (imapclient), strictly read-only; errors translated here."""

from __future__ import annotations

import ast
import contextlib
import logging
import secrets as _random
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.imapclient import SocketTimeout
from imapclient.response_types import BodyData

from watcher.config import AccountSettings, is_loopback
from watcher.domain import FetchedMessage
from watcher.errors import (
    AuthenticationError,
    CertificateError,
    ConnectionLostError,
    MailSourceError,
    WatcherError,
)
from watcher.secrets import SecretProvider
from watcher.sources.base import FolderInfo, FolderStatus, KnownMessage
from watcher.sources.folders import Candidate, choose, resolve

log = logging.getLogger(__name__)

INBOX = "INBOX"
MAX_UID = 4294967295  # RFC 3501: UIDs are 32-bit; the top of a range when UIDNEXT is unknown
_UNSELECTABLE = {"\\noselect", "\\nonexistent"}
# RFC 2177: servers may drop an IDLE after 30 minutes; some (Microsoft 365) after ~10. Renewing
# well before either costs one round trip.
IDLE_RENEW_SECONDS = 9 * 60
# Before an IDLE is checked against STATUS, how long a late announcement may take.
IDLE_GRACE_SECONDS = 1.5
CONNECT_TIMEOUT_SECONDS = 30.0
READ_TIMEOUT_SECONDS = 120.0
# Server answers that mean "password login is off here, use OAuth2".
_OAUTH_ONLY_HINTS = (
    "basic authentication is disabled",
    "basicauthblocked",
    "web login required",
    "application-specific password required",
    "please use oauth",
)
_TRUNCATED_HEADER = b"X-Followup-Truncated"
# A FETCH command line stays below this whatever the message's structure: servers refuse
# longer lines (Dovecot at 64 KB: "IMAP command line too large"), some at far less.
MAX_FETCH_COMMAND_BYTES = 4000
# Of a message too big to fetch whole, at most this many text parts are read (the
# sender's words are in the first few; a thousand tiny parts are an attack, not mail).
MAX_TEXT_PARTS = 64
# One FETCH of whole messages answers with at most about this much (200 messages just
# under max_message_bytes would be 400 MB in one response).
MAX_FETCH_RESPONSE_BYTES = 16_000_000
MAX_FIELD_BYTES = 16_000  # of one header line of a message too big to fetch whole
# The head of a too-big message's body, read first: its boundary lines tell a flood of
# parts (more than FLOOD_PARTS in all) before the server is asked for the structure.
PROBE_BYTES = 32_768
FLOOD_PARTS = 2000
_MAX_PART_NUMBER = 40  # "1.2.1.1...": deeper nesting than this is no body a client shows
_MESSAGE_ID_FIELD = b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
# After this many rescans of one folder in one process, the server's UIDs are called unstable.
FLAPS_BEFORE_WARNING = 3

Listing = Sequence[tuple[Sequence[bytes], bytes | None, str]]


def choose_folders(listing: Listing, configured: Sequence[str] | None) -> list[FolderInfo]:
    """The folders to sync from a LIST answer: the configured ones, else INBOX + Sent.

    Roles come from watcher.sources.folders: a ``\\Sent`` flag in any case, else a
    well-known (or localised) name below any namespace prefix.
    """
    candidates = [
        Candidate(
            name,
            frozenset(_text(f) for f in flags),
            delimiter.decode("ascii", "replace") if delimiter else None,
        )
        for flags, delimiter, name in listing
        if not {_text(f).lower() for f in flags} & _UNSELECTABLE
    ]
    if configured is not None:
        names = [c.name for c in candidates]
        delimiter = next((c.delimiter for c in candidates if c.delimiter), None)
        configured = [resolve(name, names, delimiter) or name for name in configured]
    return choose(candidates, configured)


def _text(flag: bytes | str) -> str:
    return flag.decode("ascii", "replace") if isinstance(flag, bytes) else str(flag)


def text_parts(structure: BodyData) -> list[str]:
    """Part numbers (``1``, ``2.1`` ...) of a message's inline text parts, attachments skipped."""
    return [number for number, _ in _inline_text_parts(structure)]


def _inline_text_parts(structure: BodyData) -> list[tuple[str, int]]:
    """(number, size in octets) of each inline text part, in order."""

    def walk(part: BodyData, number: str) -> list[tuple[str, int]]:
        if part.is_multipart:
            found: list[tuple[str, int]] = []
            for index, child in enumerate(part[0], 1):
                found.extend(walk(child, f"{number}.{index}" if number else str(index)))
            return found
        if not _is_inline_text(part):
            return []
        size = part[6] if len(part) > 6 and isinstance(part[6], int) else 0
        return [(number or "1", size)]

    return walk(structure, "")


def _is_inline_text(part: BodyData) -> bool:
    kind = bytes(part[0]).lower() if isinstance(part[0], bytes) else b""
    subtype = bytes(part[1]).lower() if isinstance(part[1], bytes) else b""
    if kind != b"text" or subtype not in (b"plain", b"html"):
        return False
    # text parts: type subtype params id description encoding size lines md5 disposition ...
    disposition = part[9] if len(part) > 9 else None
    if isinstance(disposition, tuple) and disposition:
        return bytes(disposition[0]).lower() != b"attachment"
    return True


def _drop_fields(header: bytes, names: Sequence[bytes]) -> bytes:
    """The header block without the named fields (and their continuation lines)."""
    kept: list[bytes] = []
    skipping = False
    for line in header.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        field = line.split(b":", 1)[0].strip().lower()
        skipping = field in names
        if not skipping and line.strip():
            kept.append(line)
    return b"".join(kept)


def _bounded_header(header: bytes, limit: int) -> bytes:
    """The header block within ``limit`` bytes, each field cut to MAX_FIELD_BYTES: a 2 MB
    Subject must not push the Message-ID under it out of what is kept."""
    kept: list[bytes] = []
    total = 0
    for line in header.splitlines(keepends=True):
        if len(line) > MAX_FIELD_BYTES:
            line = line[:MAX_FIELD_BYTES] + b"\r\n"
        if total + len(line) > limit:
            break
        kept.append(line)
        total += len(line)
    return b"".join(kept)


def _server_text(exc: BaseException) -> str:
    """What the server said, on one line, without imaplib's ``b'...'`` wrapping."""
    said: object = exc.args[0] if exc.args else str(exc)
    if isinstance(said, str) and said.startswith(("b'", 'b"')):
        # imapclient re-raises with str(bytes): undo that to get the server's text back
        with contextlib.suppress(ValueError, SyntaxError):
            said = ast.literal_eval(said)
    if isinstance(said, bytes):
        said = said.decode("utf-8", "replace")
    return " ".join(str(said).split())


class ImapSource:
    """One IMAP account. Folders are only ever EXAMINEd and bodies read with BODY.PEEK."""

    def __init__(
        self,
        account: AccountSettings,
        secret: SecretProvider,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not account.host:
            raise ValueError(f"account {account.name!r} has no IMAP host")
        self.account = account.name
        self.settings = account
        self._secret = secret
        self._sleep = sleep
        self._monotonic = monotonic
        self._client: IMAPClient | None = None
        self._idling: str | None = None  # the folder in IDLE right now
        self._idle_renew_at = 0.0
        self._idle_poll_at = 0.0
        self._idle_uidnext: int | None = None  # UIDNEXT of the IDLE folder at the last check
        self._idle_messages: int | None = None  # and its message count
        self.idle_announced = False  # IDLE announced new mail at least once
        self.idle_missed = 0  # polls that found new mail IDLE had not announced
        self._selected: str | None = None  # the folder EXAMINEd on this connection
        self._early: dict[str, FolderStatus] = {}  # STATUS asked ahead by folders()
        self._statuses: dict[str, FolderStatus] = {}  # the last STATUS of each folder

    @property
    def _where(self) -> str:
        return f"{self.settings.host}:{self.settings.effective_port}"

    # -- connection -------------------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.ca_file:
            try:
                context.load_verify_locations(cafile=self.settings.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise MailSourceError(
                    f"ca_file {self.settings.ca_file!r} cannot be read as PEM certificates: {exc}",
                    account=self.account,
                ) from exc
        return context

    def _connect(self) -> IMAPClient:
        if self._client is not None:
            return self._client
        settings = self.settings
        timeout = SocketTimeout(connect=CONNECT_TIMEOUT_SECONDS, read=READ_TIMEOUT_SECONDS)
        if settings.tls == "none" and not is_loopback(settings.host):
            raise MailSourceError(
                f"tls = 'none' is only allowed to a loopback address, not {settings.host!r}",
                account=self.account,
            )
        with self._errors("connecting"):
            if settings.tls == "implicit":
                client = IMAPClient(
                    settings.host,
                    port=settings.effective_port,
                    ssl=True,
                    ssl_context=self._ssl_context(),
                    timeout=timeout,
                )
            else:
                client = IMAPClient(
                    settings.host, port=settings.effective_port, ssl=False, timeout=timeout
                )
            try:
                if settings.tls == "starttls":
                    if not client.has_capability("STARTTLS"):
                        raise MailSourceError(
                            f"{self._where} speaks plain text and does not offer STARTTLS; "
                            + self._no_starttls_hint(),
                            account=self.account,
                        )
                    client.starttls(self._ssl_context())
                self._login(client)
            except BaseException:
                with contextlib.suppress(Exception):
                    client.shutdown()
                raise
        # INTERNALDATE as aware datetimes, not naive local time
        client.normalise_times = False
        self._client = client
        return client

    def _no_starttls_hint(self) -> str:
        """What fits a server that greeted in plain text without offering STARTTLS."""
        if is_loopback(self.settings.host):
            return 'for a server on this machine use tls = "none"'
        return 'it cannot encrypt on this port: use tls = "implicit" with port 993'

    def _login(self, client: IMAPClient) -> None:
        secret = self._secret()
        username = self.settings.username
        try:
            if secret.kind == "oauth2":
                client.oauth2_login(username, secret.value)
            else:
                client.login(username, secret.value)
        except LoginError as exc:
            said = _server_text(exc)
            if any(hint in said.lower() for hint in _OAUTH_ONLY_HINTS):
                raise AuthenticationError(
                    f"{self._where} refuses password login ({said}); it needs OAuth2: "
                    "set oauth2_token_command to a command that prints an access token",
                    account=self.account,
                ) from exc
            raise AuthenticationError(
                f"login as {username!r} at {self._where} was refused ({said}); check username "
                f"and {self.settings.secret_source()}",
                account=self.account,
            ) from exc

    def _ready(self) -> IMAPClient:
        """A connected client that is not in IDLE, ready for a command."""
        client = self._connect()
        if self._idling is not None:
            with self._errors("ending IDLE"):
                self._stop_idle(client)
        return client

    def _drop(self) -> None:
        self._idling = None
        self._selected = None
        self._early.clear()
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Translate library and socket errors into the watcher's tree, at this one edge."""
        try:
            yield
        except WatcherError:
            raise
        except ssl.SSLCertVerificationError as exc:
            self._drop()
            raise CertificateError(
                f"the TLS certificate of {self._where} is not trusted ({exc.verify_message}); "
                "if the server uses a private CA or a self-signed certificate, set ca_file "
                "to that CA's PEM file",
                account=self.account,
            ) from exc
        except ssl.SSLError as exc:
            self._drop()
            if "WRONG_VERSION_NUMBER" not in str(exc):
                raise ConnectionLostError(
                    f"{doing}: TLS with {self._where} failed: {exc}", account=self.account
                ) from exc
            # implicit TLS got a plain-text greeting: the port is a STARTTLS or plain one
            raise MailSourceError(
                f"{doing}: {self._where}: the server speaks plain text on this port: "
                'use tls = "starttls" (port 143/587)',
                account=self.account,
            ) from exc
        except (IMAPClientAbortError, OSError, EOFError) as exc:
            # OSError covers refused, reset, timeouts, DNS and TLS failures.
            self._drop()
            raise ConnectionLostError(
                f"{doing}: connection to {self._where} failed: {exc or type(exc).__name__}",
                account=self.account,
            ) from exc
        except IMAPClientError as exc:
            raise MailSourceError(
                f"{doing}: the server said: {_server_text(exc)}", account=self.account
            ) from exc

    def close(self) -> None:
        client, self._client = self._client, None
        self._selected = None
        self._early.clear()
        if client is not None:
            with contextlib.suppress(Exception):
                self._stop_idle(client)
            with contextlib.suppress(Exception):
                client.logout()
            with contextlib.suppress(Exception):
                client.shutdown()

    def __enter__(self) -> ImapSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- MailSource -------------------------------------------------------------------------------

    def folders(self) -> list[FolderInfo]:
        client = self._ready()
        configured = None if self.settings.folders == "auto" else list(self.settings.folders)
        # Dovecot 2.3 keeps INBOX out of its mailbox list index by default, and once a session
        # has listed folders each STATUS INBOX on Maildir re-reads the whole dovecot-uidlist
        # (about 20 ms at 50,000 messages; before any LIST it costs a fifth of that). So the
        # poll's STATUS INBOX goes first, and status() hands it out once.
        self._early.clear()
        if configured is None or any(_is_inbox(name) for name in configured):
            self._early[INBOX] = self._status(client, INBOX)
        with self._errors("listing folders"):
            listing = client.list_folders()
        chosen = choose_folders(listing, configured)
        if configured is None and len(chosen) == 1:
            log.warning("account %r: no Sent folder found; syncing INBOX only", self.account)
        return chosen

    def status(self, folder: str) -> FolderStatus:
        client = self._ready()
        early = self._early.pop(INBOX, None) if _is_inbox(folder) else None
        return early or self._status(client, folder)

    def _status(self, client: IMAPClient, folder: str) -> FolderStatus:
        with self._errors(f"STATUS {folder}"):
            if self._selected is not None and _same_folder(self._selected, folder):
                # STATUS of the selected folder may report what it held when selected
                # (RFC 9051 6.3.11): leave it first, so that new mail always shows
                self._unselect(client)
            what = [b"MESSAGES", b"UIDNEXT", b"UIDVALIDITY"]
            if client.has_capability("CONDSTORE"):
                what.append(b"HIGHESTMODSEQ")
            found = client.folder_status(folder, what)
        modseq = found.get(b"HIGHESTMODSEQ")
        status = FolderStatus(
            uidvalidity=int(found[b"UIDVALIDITY"]),
            uidnext=int(found[b"UIDNEXT"]),
            messages=int(found[b"MESSAGES"]),
            highestmodseq=int(modseq) if modseq is not None else None,
        )
        self._statuses[_folder_key(folder)] = status
        return status

    def fetch_new(
        self,
        folder: str,
        after_uid: int,
        since: date | None,
        batch_size: int,
        known: KnownMessage | None = None,
    ) -> Iterator[list[FetchedMessage]]:
        client = self._ready()
        self._early.clear()
        # Never `n:*`: it matches the highest UID even below n, and some servers (GNU
        # Mailutils) answer nothing at all to it. The top is UIDNEXT-1 of the STATUS the
        # caller just asked, or of the EXAMINE if that is later (GNU Mailutils' Maildir gives
        # a message in new/ a new UID at every look), else the highest UID there can be.
        status = self._statuses.get(_folder_key(folder))
        with self._errors(f"searching {folder}"):
            selected = client.select_folder(folder, readonly=True)  # EXAMINE: flags stay
            self._selected = folder
            top = MAX_UID
            if status is not None:
                top = max(status.uidnext, int(selected.get(b"UIDNEXT", 0))) - 1
            uids = self._search(client, after_uid, top, since)
            if not uids and status is not None:
                self._check_nothing_found(client, folder, status, after_uid, since)
        if known is not None:
            _RESCANS.note(self.settings, folder)
        for start in range(0, len(uids), batch_size):
            chunk = uids[start : start + batch_size]
            with self._errors(f"fetching from {folder}"):
                matched = self._match_known(client, chunk, known) if known else {}
                rest = [uid for uid in chunk if uid not in matched]
                fetched = [*matched.values(), *(self._fetch(client, rest) if rest else [])]
            client = self._client or client  # reconnected if the server hung up over a message
            yield sorted(fetched, key=lambda message: message.uid)

    @staticmethod
    def _match_known(
        client: IMAPClient, uids: list[int], known: KnownMessage
    ) -> dict[int, FetchedMessage]:
        """A rescan's messages already stored (same Message-ID and size): their header field
        is enough to give them their new UID, so their bodies are not downloaded again."""
        found = client.fetch(uids, [b"RFC822.SIZE", b"INTERNALDATE", _MESSAGE_ID_FIELD])
        matched: dict[int, FetchedMessage] = {}
        for uid, data in found.items():
            size = int(data.get(b"RFC822.SIZE", 0))
            header = _first_body(data)
            stub = FetchedMessage(uid, header, data.get(b"INTERNALDATE"), size)
            if size and header.strip() and known(stub):
                matched[uid] = stub
        return matched

    @staticmethod
    def _search(client: IMAPClient, after_uid: int, top: int, since: date | None) -> list[int]:
        """UIDs in ``after_uid+1 .. top`` (delivered on or after ``since``), ascending."""
        if top <= after_uid:
            return []
        criteria: list[Any] = ["UID", f"{after_uid + 1}:{top}"]
        if since is not None:
            criteria += ["SINCE", since]
        return sorted(uid for uid in client.search(criteria) if after_uid < uid <= top)

    def _check_nothing_found(
        self,
        client: IMAPClient,
        folder: str,
        status: FolderStatus,
        after_uid: int,
        since: date | None,
    ) -> None:
        """Raise if an empty search contradicts the STATUS: a server whose search answers
        nothing must fail loudly, never pass for a folder without news."""
        top = status.uidnext - 1
        first_sync = after_uid == 0 and status.messages > 0
        if not first_sync and top <= after_uid:
            return
        if since is not None and self._search(client, after_uid, top, None):
            return  # the range search works; everything in it is older than `since`
        everything = client.search(["ALL"])
        if everything and not any(after_uid < uid <= top for uid in everything):
            return  # what was new has been expunged meanwhile
        if not everything and status.messages == 0:
            return  # the folder was emptied
        said = f"STATUS reports {status.messages} message(s) and UIDNEXT {status.uidnext}"
        raise MailSourceError(
            f"folder {folder!r}: {said}, but UID SEARCH {after_uid + 1}:{top} found nothing "
            f"(SEARCH ALL found {len(everything)}): the server's search is unreliable; "
            "nothing was stored, the next sync tries again",
            account=self.account,
        )

    def _fetch(self, client: IMAPClient, uids: list[int]) -> list[FetchedMessage]:
        limit = self.settings.max_message_bytes
        meta = client.fetch(uids, [b"RFC822.SIZE", b"INTERNALDATE"])
        present = [uid for uid in uids if uid in meta]  # expunged since the SEARCH: gone
        small = [uid for uid in present if int(meta[uid].get(b"RFC822.SIZE", 0)) <= limit]
        large = [uid for uid in present if uid not in small]
        raws: dict[int, bytes] = {}
        refused: dict[int, str] = {}
        sizes = {uid: int(meta[uid].get(b"RFC822.SIZE", 0)) for uid in small}
        for chunk in _by_size(small, sizes, MAX_FETCH_RESPONSE_BYTES):
            client = self._fetch_whole(client, chunk, raws, refused)
        for uid in large:
            try:
                raws[uid] = self._fetch_text_only(client, uid, int(meta[uid][b"RFC822.SIZE"]))
            except IMAPClientError as exc:
                client = self._after_refusal(client, exc)
                refused[uid] = self._refusal(uid, exc)
                client, raws[uid] = self._header_only(client, uid)
            except (RecursionError, ValueError, TypeError, KeyError, IndexError) as exc:
                # a BODYSTRUCTURE no parser expected: this message only
                refused[uid] = f"its structure cannot be read: {type(exc).__name__}"
                client, raws[uid] = self._header_only(client, uid)
        return [
            FetchedMessage(
                uid=uid,
                raw=raws[uid],
                internal_date=meta[uid].get(b"INTERNALDATE"),
                size=int(meta[uid].get(b"RFC822.SIZE", 0)) or None,
                error=refused.get(uid),
            )
            for uid in present
            if uid in raws  # expunged between the two FETCHes: gone, not broken
        ]

    def _fetch_whole(
        self, client: IMAPClient, uids: list[int], raws: dict[int, bytes], refused: dict[int, str]
    ) -> IMAPClient:
        """BODY.PEEK[] of ``uids``; a refused FETCH is retried in halves, then per message,
        so that one message the server will not send never holds back the others.

        Returns the connection to go on with: a new one when the server hung up.
        """
        if not uids:
            return client
        try:
            answer = client.fetch(uids, [b"BODY.PEEK[]"])
        except IMAPClientError as exc:
            client = self._after_refusal(client, exc)
            if len(uids) > 1:
                half = len(uids) // 2
                client = self._fetch_whole(client, uids[:half], raws, refused)
                return self._fetch_whole(client, uids[half:], raws, refused)
            if isinstance(exc, IMAPClientAbortError):
                # once more on the new connection: a hang-up may have had nothing to do with it
                with contextlib.suppress(IMAPClientError):
                    answer = client.fetch(uids, [b"BODY.PEEK[]"])
                    raws[uids[0]] = bytes(answer.get(uids[0], {}).get(b"BODY[]") or b"")
                    return client
                client = self._after_refusal(client, exc)
            refused[uids[0]] = self._refusal(uids[0], exc)
            client, raws[uids[0]] = self._header_only(client, uids[0])
            return client
        for uid, data in answer.items():
            raws[uid] = bytes(data.get(b"BODY[]") or b"")
        return client

    def _after_refusal(self, client: IMAPClient, exc: IMAPClientError) -> IMAPClient:
        """The connection to go on with after a refused FETCH.

        Some servers answer a message they cannot read with BYE (Dovecot: "Internal error
        occurred"): the server spoke, so reconnect, EXAMINE the folder again and go on. A
        socket error is the network's, not the message's: it is raised as it is.
        """
        if not isinstance(exc, IMAPClientAbortError):
            return client
        if "socket error" in str(exc).lower() or self._selected is None:
            raise exc
        folder = self._selected
        self._drop()
        client = self._ready()
        client.select_folder(folder, readonly=True)
        self._selected = folder
        return client

    def _header_only(self, client: IMAPClient, uid: int) -> tuple[IMAPClient, bytes]:
        """What a refused message still tells (its Message-ID and sender), best effort;
        and the connection to go on with."""
        try:
            data = client.fetch([uid], [b"BODY.PEEK[HEADER]<0.65536>"]).get(uid, {})
        except IMAPClientError as exc:
            client = self._after_refusal(client, exc)
        else:
            if header := _first_body(data):
                return client, header
        # a unique stand-in, so that two such messages are not taken for one
        return client, f"X-Followup-Unfetched: UID {uid}\r\n\r\n".encode()

    def _refusal(self, uid: int, exc: IMAPClientError) -> str:
        reason = f"the server refused to send it: {_server_text(exc)}"[:300]
        log.warning("account %r: UID %s: %s", self.account, uid, reason)
        return reason

    def _fetch_text_only(self, client: IMAPClient, uid: int, size: int) -> bytes:
        """A message too big to fetch whole: its header and text parts, never its attachments.

        Whatever its BODYSTRUCTURE says, the FETCH lines stay short (at most
        MAX_FETCH_COMMAND_BYTES, at most MAX_TEXT_PARTS parts) and the bytes read stay
        near ``max_message_bytes``.
        """
        limit = self.settings.max_message_bytes
        probe = f"BODY.PEEK[TEXT]<0.{PROBE_BYTES}>".encode()
        first = client.fetch([uid], [b"BODY.PEEK[HEADER]", probe]).get(uid, {})
        header = _bounded_header(bytes(first.get(b"BODY[HEADER]") or b""), limit)
        head = bytes(first.get(b"BODY[TEXT]<0>") or b"")
        if _flooded(head, size):
            # thousands of parts: their BODYSTRUCTURE alone takes the client a second to
            # read (Dovecot sends up to 10,000); the head of the body holds the text
            note = _TRUNCATED_HEADER + f": {size} bytes; first {len(head)} read\r\n".encode()
            return header.rstrip(b"\r\n") + b"\r\n" + note + b"\r\n" + head
        first = client.fetch([uid], [b"BODYSTRUCTURE"]).get(uid, {})
        structure = first.get(b"BODYSTRUCTURE")
        note = _TRUNCATED_HEADER + f": {size} bytes; only text parts fetched\r\n".encode()
        found = _inline_text_parts(structure) if isinstance(structure, BodyData) else []
        if not isinstance(structure, BodyData) or not structure.is_multipart:
            body = b""
            if found:
                data = client.fetch([uid], [f"BODY.PEEK[TEXT]<0.{limit}>".encode()]).get(uid, {})
                body = _first_body(data)
            return header.rstrip(b"\r\n") + b"\r\n" + note + b"\r\n" + body
        parts = _within_budget(found, limit)
        sections: dict[bytes, Any] = {}
        for chunk in _command_chunks(parts, limit):
            sections.update(client.fetch([uid], chunk).get(uid, {}))
        boundary = f"followup-{_random.token_hex(12)}".encode()
        out = [
            _drop_fields(header, (b"content-type", b"content-transfer-encoding")),
            b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n',
            note,
            b"\r\n",
        ]
        for number in parts:
            mime = bytes(sections.get(f"BODY[{number}.MIME]".encode()) or b"")
            content = bytes(sections.get(f"BODY[{number}]<0>".encode()) or b"")
            out += [b"--" + boundary + b"\r\n", mime, content, b"\r\n"]
        out.append(b"--" + boundary + b"--\r\n")
        return b"".join(out)

    # -- waiting for mail (the daemon) -------------------------------------------------------------

    def idle_supported(self) -> bool:
        """Whether wait_for_change() will IDLE (else it polls STATUS); connects to find out."""
        if not self.settings.idle:
            return False
        client = self._connect()
        with self._errors("CAPABILITY"):
            return bool(client.has_capability("IDLE"))

    def wait_for_change(self, folder: str, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until ``folder`` may have new mail.

        Uses IDLE when the server offers it and the account allows it (renewed every
        ``IDLE_RENEW_SECONDS`` and checked against a STATUS every ``poll_seconds``, which
        may add ``IDLE_GRACE_SECONDS`` to this call), else polls STATUS every
        ``poll_seconds``. True means "something arrived, sync now"; False means the time
        ran out quietly. ``idle_missed`` counts the polls that found mail IDLE kept quiet
        about; ``idle_announced`` says whether IDLE ever announced any.
        """
        if self.idle_supported():
            return self._idle(self._connect(), folder, timeout)
        return self._poll(folder, timeout)

    def _idle(self, client: IMAPClient, folder: str, timeout: float) -> bool:
        # The IDLE stays open between calls (the daemon calls with short timeouts so it can
        # stop quickly); it is only renewed every IDLE_RENEW_SECONDS or for another folder.
        # Every poll_seconds it is checked against a STATUS: some servers' IDLE never
        # announces anything (GNU Mailutils), others only every minute (stock Cyrus, Courier).
        deadline = self._monotonic() + timeout
        while (remaining := deadline - self._monotonic()) > 0:
            with self._errors(f"IDLE on {folder}"):
                announced = False
                if self._idling != folder or self._monotonic() >= self._idle_renew_at:
                    announced = self._stop_idle(client)
                    self._start_idle(client, folder)
                if announced:
                    return True
                until = min(self._idle_renew_at, self._idle_poll_at)
                wait = min(remaining, max(0.0, until - self._monotonic()))
                started = self._monotonic()
                responses = client.idle_check(timeout=wait)
                # imapclient answers [] at once when the server closed the connection:
                # ending the IDLE raises on a dead connection (else we simply re-enter it)
                returned_early = self._monotonic() - started < wait / 2
                if not responses and returned_early and self._stop_idle(client):
                    return True
                if any(_announces_mail(r) for r in responses):
                    self.idle_announced = True
                    self._idle_uidnext = None  # the next poll takes a fresh baseline
                    return True
                if self._monotonic() >= self._idle_poll_at and self._idle_poll(client, folder):
                    return True
        return False

    def _start_idle(self, client: IMAPClient, folder: str) -> None:
        selected = client.select_folder(folder, readonly=True)
        self._selected = folder
        if self._idle_uidnext is None and b"UIDNEXT" in selected:
            self._idle_uidnext = int(selected[b"UIDNEXT"])
            self._idle_messages = int(selected.get(b"EXISTS", 0))
        client.idle()
        self._idling = folder
        now = self._monotonic()
        self._idle_renew_at = now + IDLE_RENEW_SECONDS
        if not self._idle_poll_at:
            self._idle_poll_at = now + self._poll_every

    @property
    def _poll_every(self) -> float:
        return float(self.settings.poll_seconds)

    def _idle_poll(self, client: IMAPClient, folder: str) -> bool:
        """The STATUS check of an IDLE: True if mail came that IDLE did not announce."""
        # A late announcement is no lie: give the server a moment (Dovecot takes ~0.5 s).
        if any(_announces_mail(r) for r in client.idle_check(timeout=IDLE_GRACE_SECONDS)):
            self.idle_announced = True
            self._idle_uidnext = None
            return True
        self._stop_idle(client)  # what DONE reports came too late to count as a push
        status = self._status(client, folder)
        before, self._idle_uidnext = self._idle_uidnext, status.uidnext
        counted, self._idle_messages = self._idle_messages, status.messages
        self._idle_poll_at = self._monotonic() + self._poll_every
        if before is None or status.uidnext <= before:
            return False
        # UIDNEXT alone also moves when a server renumbers (GNU Mailutils' Maildir does at
        # every look): only more messages prove that IDLE kept quiet about new mail.
        if counted is not None and status.messages > counted:
            self.idle_missed += 1
        return True

    def _unselect(self, client: IMAPClient) -> None:
        if client.has_capability("UNSELECT"):
            client.unselect_folder()
        else:
            client.close_folder()  # on a read-only (EXAMINEd) folder CLOSE expunges nothing
        self._selected = None

    def _stop_idle(self, client: IMAPClient) -> bool:
        """End a running IDLE; True if its last responses announced new mail."""
        if self._idling is None:
            return False
        self._idling = None
        _, responses = client.idle_done()
        return any(_announces_mail(r) for r in responses)

    def _poll(self, folder: str, timeout: float) -> bool:
        deadline = self._monotonic() + timeout
        before = self.status(folder)
        while (remaining := deadline - self._monotonic()) > 0:
            self._sleep(min(remaining, float(self.settings.poll_seconds)))
            now = self.status(folder)
            if (now.uidvalidity, now.uidnext) != (before.uidvalidity, before.uidnext):
                return True
        return False


class _RescanCounter:
    """Rescans per (account, folder) in this process: a server whose UIDVALIDITY keeps
    changing (GNU Mailutils' Maildir store) is named once, not at every poll."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def note(self, account: AccountSettings, folder: str) -> None:
        # by server and login: a fleet worker serves many users' accounts called "personal"
        key = (account.host, account.username, folder)
        with self._lock:
            count = self._counts[key] = self._counts.get(key, 0) + 1
        if count == FLAPS_BEFORE_WARNING:
            log.warning(
                "account %r folder %r: renumbered %d times since start: the server's UIDs "
                "are unstable; each time, stored mail is matched by Message-ID and size and "
                "only the rest is downloaded again",
                account.name,
                folder,
                count,
            )


_RESCANS = _RescanCounter()


def _is_inbox(name: str) -> bool:
    return name.upper() == INBOX


def _folder_key(name: str) -> str:
    return INBOX if _is_inbox(name) else name


def _same_folder(a: str, b: str) -> bool:
    """Folder names compare exactly, except INBOX, whose name is case-insensitive."""
    return a == b or (_is_inbox(a) and _is_inbox(b))


def _announces_mail(response: Any) -> bool:
    return isinstance(response, tuple) and len(response) >= 2 and response[1] == b"EXISTS"


def _by_size(uids: list[int], sizes: dict[int, int], limit: int) -> Iterator[list[int]]:
    """``uids`` in runs whose messages add up to at most ``limit`` bytes (one at least)."""
    run: list[int] = []
    total = 0
    for uid in uids:
        if run and total + sizes[uid] > limit:
            yield run
            run, total = [], 0
        run.append(uid)
        total += sizes[uid]
    if run:
        yield run


def _flooded(head: bytes, size: int) -> bool:
    """Whether a message whose body starts with ``head`` has thousands of MIME parts, by
    the boundary lines in its head scaled to its size."""
    if not head:
        return False
    return head.count(b"\n--") * size / len(head) > FLOOD_PARTS


def _within_budget(parts: list[tuple[str, int]], limit: int) -> list[str]:
    """The text parts worth reading: the first ones, up to about ``limit`` bytes in all."""
    chosen: list[str] = []
    total = 0
    for number, size in parts:
        if len(number) > _MAX_PART_NUMBER:
            continue
        if len(chosen) >= MAX_TEXT_PARTS or (chosen and total + size > limit):
            break
        chosen.append(number)
        total += size
    return chosen


def _command_chunks(numbers: list[str], limit: int) -> Iterator[list[bytes]]:
    """The FETCH items for ``numbers``, split so that no command exceeds the line budget."""
    chunk: list[bytes] = []
    length = 0
    for number in numbers:
        items = [f"BODY.PEEK[{number}.MIME]".encode(), f"BODY.PEEK[{number}]<0.{limit}>".encode()]
        cost = sum(len(item) + 1 for item in items)
        if chunk and length + cost > MAX_FETCH_COMMAND_BYTES - 100:  # 100: tag, UID, "FETCH"
            yield chunk
            chunk, length = [], 0
        chunk += items
        length += cost
    if chunk:
        yield chunk


def _first_body(data: dict[bytes, Any]) -> bytes:
    for key, value in data.items():
        if key.startswith(b"BODY[") and isinstance(value, bytes):
            return value
    return b""
