"""Storing fetched mail: STATUS first, then each fetched batch with its folder's last_uid in one
transaction, so a crash at any moment loses nothing and stores nothing twice."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import format_datetime, parseaddr

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from watcher.clock import Clock
from watcher.config import AccountSettings
from watcher.domain import Direction, FetchedMessage, Message
from watcher.errors import (
    AuthenticationError,
    CertificateError,
    MailSourceError,
    MessageParseError,
    SecretError,
    StorageError,
    WatcherError,
)
from watcher.secrets import secret_provider
from watcher.sources.base import FolderStatus, KnownMessage, MailSource
from watcher.store.db import transaction
from watcher.store.messages import account_folders, ensure_account, ensure_folder, store_batch
from watcher.store.tables import Folder, StoredMessage

log = logging.getLogger("followup.sync")

# Our own digests and drafts carry one of these; they are stored but never analysed.
OWN_MARKERS = ("x-followup-digest", "x-followup-draft")

# Column sizes in watcher/store/tables.py: PostgreSQL refuses longer values.
ID_CHARS = 998
NAME_CHARS = 500

Progress = Callable[[str, int, int | None], None]
"""progress(folder, done, total): called for each message once its batch is committed; total
may be an estimate."""


@dataclass
class FolderReport:
    folder: str
    new: int = 0
    failed: int = 0
    error: str | None = None


@dataclass
class AccountReport:
    """What one account's sync did; ``exception`` is the error that stopped something."""

    name: str
    folders: list[FolderReport] = field(default_factory=list)
    error: str | None = None
    exception: WatcherError | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and all(f.error is None for f in self.folders)

    @property
    def new(self) -> int:
        return sum(f.new for f in self.folders)

    def raise_for_failure(self) -> None:
        """Raise the error that stopped the account or a folder (the service backs off on it)."""
        if self.exception is not None:
            raise self.exception

    def problems(self) -> list[str]:
        """One line per failure, each naming the account."""
        if self.error is not None:
            return [self.error]
        return [f"{f.error}" for f in self.folders if f.error is not None]


def open_source(account: AccountSettings) -> MailSource:
    """The account's source: a local Maildir when ``maildir`` is set, else IMAP."""
    if account.maildir:
        from watcher.sources.maildir import MaildirSource

        return MaildirSource(account)
    from watcher.sources.imap import ImapSource

    return ImapSource(account, secret_provider(account))


def sync_configured_account(
    account: AccountSettings,
    sessions: sessionmaker[Session],
    clock: Clock,
    progress: Progress | None = None,
) -> AccountReport:
    """Open the account's source, sync it, close it (what `sync` and the service call)."""
    source = open_source(account)
    try:
        return sync_account(source, account, sessions, clock, progress)
    finally:
        source.close()


def sync_account(
    source: MailSource,
    account: AccountSettings,
    sessions: sessionmaker[Session],
    clock: Clock,
    progress: Progress | None = None,
) -> AccountReport:
    """Fetch and store what is new in each folder of one account; never raises for mail
    or server trouble (it is in the report), only for a broken database."""
    report = AccountReport(account.name)
    try:
        infos = source.folders()
    except (MailSourceError, SecretError) as exc:
        _fail_account(report, exc, sessions, clock)
        return report
    with transaction(sessions) as session:
        row = ensure_account(session, account.name)
        folder_ids = {info.name: ensure_folder(session, row, info).id for info in infos}
    for info in infos:
        folder_report = FolderReport(info.name)
        report.folders.append(folder_report)
        try:
            _sync_folder(source, account, sessions, clock, folder_ids[info.name], folder_report,
                         progress)  # fmt: skip
        except (AuthenticationError, CertificateError, SecretError) as exc:
            # permanent for the whole account: the other folders would fail the same way
            folder_report.error = str(exc)
            _fail_account(report, exc, sessions, clock)
            return report
        except MailSourceError as exc:
            folder_report.error = str(exc)
            report.exception = report.exception or exc
            log.debug("%s", exc)  # in the report; the caller says it once
        _record(sessions, folder_ids[info.name], _result(folder_report), clock.now())
    return report


def _sync_folder(
    source: MailSource,
    account: AccountSettings,
    sessions: sessionmaker[Session],
    clock: Clock,
    folder_id: int,
    report: FolderReport,
    progress: Progress | None,
) -> None:
    name = report.folder
    status = source.status(name)
    with transaction(sessions) as session:
        folder = _folder(session, folder_id)
        if folder.uidvalidity == status.uidvalidity:
            if folder.scan_complete and status.uidnext - 1 <= folder.last_uid:
                return  # unchanged: one STATUS was the whole cost
        else:
            if folder.uidvalidity is not None:
                log.warning(
                    "account %r folder %r was renumbered (UIDVALIDITY %s -> %s): rescanning",
                    account.name, name, folder.uidvalidity, status.uidvalidity,
                )  # fmt: skip
            # Stored messages stay; the rescan matches them by message_key and updates UIDs.
            folder.uidvalidity = status.uidvalidity
            folder.last_uid = 0
            folder.scan_complete = False
        after_uid, scanning = folder.last_uid, not folder.scan_complete
    since = _look_back(clock.now(), account.since_days) if scanning else None
    total = _estimate(status, after_uid, scanning)
    done = 0
    with _session(sessions) as session:
        known = _stored_check(session, folder_id, account, clock.now()) if scanning else None
        for batch in source.fetch_new(name, after_uid, since, account.batch_size, known):
            parsed = [message_values(fetched, account, clock.now()) for fetched in batch]
            with _unit(session):
                new = store_batch(session, _folder(session, folder_id), [v for v, _ in parsed])
            for is_new, (_, failed) in zip(new, parsed, strict=True):
                if is_new:
                    report.new += 1
                    report.failed += failed
                done += 1
                if progress is not None:
                    progress(name, done, total)
        with _unit(session):
            folder = _folder(session, folder_id)
            # UIDs below UIDNEXT that the search did not return are expunged or too old
            folder.last_uid = max(folder.last_uid, status.uidnext - 1)
            folder.scan_complete = True
            folder.highestmodseq = status.highestmodseq


def _stored_check(
    session: Session, folder_id: int, account: AccountSettings, now: datetime
) -> KnownMessage | None:
    """For a rescan: whether a message, by its Message-ID field and size, is stored in the
    folder already (keyed exactly as storing it would key it), so the source need not
    download it again. None for a folder with nothing stored."""
    rows = session.execute(
        select(StoredMessage.message_key, StoredMessage.size).where(
            StoredMessage.folder_id == folder_id
        )
    ).all()
    session.rollback()  # a read: leave no transaction open for the batches' own
    stored = {(key, size) for key, size in rows}
    if not stored:
        return None

    def known(header_only: FetchedMessage) -> bool:
        values, _ = message_values(header_only, account, now)
        return (values["message_key"], values["size"]) in stored

    return known


def _look_back(now: datetime, days: int) -> date:
    return (now - timedelta(days=days)).date()


def _estimate(status: FolderStatus, after_uid: int, scanning: bool) -> int | None:
    if scanning:
        return status.messages
    return max(0, min(status.messages, status.uidnext - 1 - after_uid))


def message_values(
    fetched: FetchedMessage, account: AccountSettings, now: datetime
) -> tuple[dict[str, object], bool]:
    """The columns of a StoredMessage for a fetched message, and whether it failed to parse."""
    # imported when there is mail: the parser (mailparser, lxml) costs ~0.1 s at start
    from watcher.mail import parse_message

    if fetched.error is not None:
        return _failed_values(fetched, account, fetched.error, now), True
    try:
        message = parse_message(fetched.raw, account.own_addresses, fetched.internal_date)
    except MessageParseError as exc:
        return _failed_values(fetched, account, str(exc), now), True
    except Exception as exc:  # the parser promises MessageParseError; a bug must not stop sync
        log.exception("parser crashed on UID %s", fetched.uid)
        reason = f"parser crashed: {type(exc).__name__}: {exc}"[:500]
        return _failed_values(fetched, account, reason, now), True
    return _parsed_values(fetched, message, now), False


def _parsed_values(fetched: FetchedMessage, message: Message, now: datetime) -> dict[str, object]:
    from watcher.mail import message_key

    headers = dict(message.headers)
    # sent_at is stored in UTC; the Date with the sender's offset goes back via to_message()
    headers["date"] = format_datetime(message.sent_at)
    return {
        "uid": fetched.uid,
        "message_id": message.message_id[:ID_CHARS],
        "message_key": message_key(message.message_id),
        "in_reply_to": message.in_reply_to[:ID_CHARS] if message.in_reply_to else None,
        "references": list(message.references),
        "sender_name": message.sender.name[:NAME_CHARS] if message.sender else "",
        "sender_email": message.sender.email[:NAME_CHARS] if message.sender else "",
        "recipients": [{"name": r.name, "email": r.email} for r in message.recipients],
        "sent_at": message.sent_at,
        "subject": message.subject,
        "text": message.text,
        "new_text": message.new_text,
        "direction": message.direction.value,
        "headers": headers,
        "bulk": message.bulk,
        "ours": any(marker in headers for marker in OWN_MARKERS),
        "size": fetched.size if fetched.size is not None else len(fetched.raw),
        "parse_error": None,
        "stored_at": now,
    }


def _failed_values(
    fetched: FetchedMessage, account: AccountSettings, reason: str, now: datetime
) -> dict[str, object]:
    """What can be read of a message the parser refused: its headers, if any."""
    from watcher.mail import message_key, raw_key

    fields: dict[str, str] = {}
    with contextlib.suppress(Exception):  # best effort on mail already known to be broken
        parsed = BytesHeaderParser(policy=compat32).parsebytes(fetched.raw)
        for name in ("message-id", "subject", "from", *OWN_MARKERS):
            value = parsed.get(name)
            if value is not None:
                fields[name] = _safe_text(" ".join(str(value).split()), ID_CHARS)
    message_id = fields.get("message-id", "").strip().strip("<>").strip()
    key = message_key(message_id) if message_id else raw_key(fetched.raw)
    sender_name, sender_email = parseaddr(fields.get("from", ""))
    sender_email = sender_email.lower() if "@" in sender_email else ""
    direction = Direction.OUTBOUND if sender_email in account.own_addresses else Direction.INBOUND
    return {
        "uid": fetched.uid,
        "message_id": message_id or f"unparsed-{key}@followup.invalid",
        "message_key": key,
        "sender_name": sender_name[:NAME_CHARS],
        "sender_email": sender_email[:NAME_CHARS],
        "sent_at": fetched.internal_date,
        "subject": fields.get("subject", ""),
        "direction": direction.value,
        "headers": {k: v for k, v in fields.items() if k in OWN_MARKERS},
        "ours": any(marker in fields for marker in OWN_MARKERS),
        "size": fetched.size if fetched.size is not None else len(fetched.raw),
        "parse_error": reason,
        "stored_at": now,
    }


def _safe_text(value: str, limit: int) -> str:
    """Storable on any database: no NULs, no lone surrogates (8-bit headers), bounded."""
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value[:limit]


def _folder(session: Session, folder_id: int) -> Folder:
    folder = session.get(Folder, folder_id)
    if folder is None:
        raise StorageError(f"folder {folder_id} vanished from the database during sync")
    return folder


def _result(report: FolderReport) -> str:
    if report.error is not None:
        return f"error: {report.error}"
    return f"ok: {report.new} new, {report.failed} failed"


def _record(sessions: sessionmaker[Session], folder_id: int, result: str, now: datetime) -> None:
    with transaction(sessions) as session:
        folder = _folder(session, folder_id)
        folder.last_sync_at = now
        folder.last_sync_result = result


def _fail_account(
    report: AccountReport, exc: WatcherError, sessions: sessionmaker[Session], clock: Clock
) -> None:
    report.error = str(exc)
    report.exception = exc
    log.debug("%s", exc)  # the caller reports it: the CLI's error line, the service's retry log
    with transaction(sessions) as session:
        for folder in account_folders(session, report.name):
            folder.last_sync_at = clock.now()
            folder.last_sync_result = f"error: {exc}"


@contextlib.contextmanager
def _session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    session = sessions()
    try:
        yield session
    finally:
        session.close()


@contextlib.contextmanager
def _unit(session: Session) -> Iterator[None]:
    """One transaction on a long-lived session (cheaper than a session per message)."""
    try:
        with session.begin():
            yield
    except SQLAlchemyError as exc:
        raise StorageError(f"database error: {exc}") from exc
