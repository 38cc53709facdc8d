"""ImapSource: the MailSource over IMAP (imapclient), strictly read-only; errors translated here."""

from __future__ import annotations

import ast
import contextlib
import logging
import secrets as _random
import ssl
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
from watcher.sources.base import FolderInfo, FolderRole, FolderStatus

log = logging.getLogger(__name__)

INBOX = "INBOX"
SENT_FALLBACKS = ("Sent", "Sent Items", "Sent Messages", "[Gmail]/Sent Mail", "INBOX.Sent")
# RFC 2177: servers may drop an IDLE after 30 minutes; some (Microsoft 365) after ~10. Renewing
# well before either costs one round trip.
IDLE_RENEW_SECONDS = 9 * 60
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
MAX_FIELD_BYTES = 16_000  # of one header line of a message too big to fetch whole
_MAX_PART_NUMBER = 40  # "1.2.1.1...": deeper nesting than this is no body a client shows

Listing = Sequence[tuple[Sequence[bytes], bytes | None, str]]


def choose_folders(listing: Listing, configured: Sequence[str] | None) -> list[FolderInfo]:
    """The folders to sync from a LIST answer: the configured ones, else INBOX + Sent.

    The Sent folder is the one marked ``\\Sent`` (SPECIAL-USE), else the first of the
    usual names that exists.
    """
    names = {name: {bytes(f).lower() for f in flags} for flags, _, name in listing}
    sent = next((n for n, flags in names.items() if b"\\sent" in flags), None)
    if sent is None:
        sent = next((n for n in SENT_FALLBACKS if n in names), None)

    def role(name: str) -> FolderRole:
        if name.upper() == "INBOX":
            return "inbox"
        if name == sent:
            return "sent"
        return "drafts" if b"\\drafts" in names.get(name, set()) else "other"

    if configured is not None:
        return [FolderInfo(name, role(name)) for name in configured]
    inbox = next((n for n in names if n.upper() == "INBOX"), "INBOX")
    chosen = [FolderInfo(inbox, "inbox")]
    if sent is not None:
        chosen.append(FolderInfo(sent, "sent"))
    return chosen


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
        self._selected: str | None = None  # the folder EXAMINEd on this connection
        self._early: dict[str, FolderStatus] = {}  # STATUS asked ahead by folders()

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
                            f"{self._where} does not offer STARTTLS; use tls = 'implicit'",
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
        return FolderStatus(
            uidvalidity=int(found[b"UIDVALIDITY"]),
            uidnext=int(found[b"UIDNEXT"]),
            messages=int(found[b"MESSAGES"]),
            highestmodseq=int(modseq) if modseq is not None else None,
        )

    def fetch_new(
        self, folder: str, after_uid: int, since: date | None, batch_size: int
    ) -> Iterator[list[FetchedMessage]]:
        client = self._ready()
        self._early.clear()
        with self._errors(f"searching {folder}"):
            client.select_folder(folder, readonly=True)  # EXAMINE: flags stay as they are
            self._selected = folder
            criteria: list[Any] = ["UID", f"{after_uid + 1}:*"]
            if since is not None:
                criteria += ["SINCE", since]
            # `n:*` always matches the highest UID, even when it is below n
            uids = sorted(uid for uid in client.search(criteria) if uid > after_uid)
        for start in range(0, len(uids), batch_size):
            with self._errors(f"fetching from {folder}"):
                fetched = self._fetch(client, uids[start : start + batch_size])
            client = self._client or client  # reconnected if the server hung up over a message
            yield fetched

    def _fetch(self, client: IMAPClient, uids: list[int]) -> list[FetchedMessage]:
        limit = self.settings.max_message_bytes
        meta = client.fetch(uids, [b"RFC822.SIZE", b"INTERNALDATE"])
        present = [uid for uid in uids if uid in meta]  # expunged since the SEARCH: gone
        small = [uid for uid in present if int(meta[uid].get(b"RFC822.SIZE", 0)) <= limit]
        large = [uid for uid in present if uid not in small]
        raws: dict[int, bytes] = {}
        refused: dict[int, str] = {}
        client = self._fetch_whole(client, small, raws, refused)
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
        first = client.fetch([uid], [b"BODYSTRUCTURE", b"BODY.PEEK[HEADER]"]).get(uid, {})
        header = _bounded_header(bytes(first.get(b"BODY[HEADER]") or b""), limit)
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
        ``IDLE_RENEW_SECONDS``), else polls STATUS every ``poll_seconds``. True means
        "something arrived, sync now"; False means the time ran out quietly.
        """
        if self.idle_supported():
            return self._idle(self._connect(), folder, timeout)
        return self._poll(folder, timeout)

    def _idle(self, client: IMAPClient, folder: str, timeout: float) -> bool:
        # The IDLE stays open between calls (the daemon calls with short timeouts so it can
        # stop quickly); it is only renewed every IDLE_RENEW_SECONDS or for another folder.
        deadline = self._monotonic() + timeout
        while (remaining := deadline - self._monotonic()) > 0:
            with self._errors(f"IDLE on {folder}"):
                announced = False
                if self._idling != folder or self._monotonic() >= self._idle_renew_at:
                    announced = self._stop_idle(client)
                    client.select_folder(folder, readonly=True)
                    self._selected = folder
                    client.idle()
                    self._idling = folder
                    self._idle_renew_at = self._monotonic() + IDLE_RENEW_SECONDS
                if announced:
                    return True
                wait = min(remaining, max(0.0, self._idle_renew_at - self._monotonic()))
                started = self._monotonic()
                responses = client.idle_check(timeout=wait)
                # imapclient answers [] at once when the server closed the connection:
                # ending the IDLE raises on a dead connection (else we simply re-enter it)
                returned_early = self._monotonic() - started < wait / 2
                if not responses and returned_early and self._stop_idle(client):
                    return True
            if any(_announces_mail(r) for r in responses):
                return True
        return False

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


def _is_inbox(name: str) -> bool:
    return name.upper() == INBOX


def _same_folder(a: str, b: str) -> bool:
    """Folder names compare exactly, except INBOX, whose name is case-insensitive."""
    return a == b or (_is_inbox(a) and _is_inbox(b))


def _announces_mail(response: Any) -> bool:
    return isinstance(response, tuple) and len(response) >= 2 and response[1] == b"EXISTS"


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
