"""`followup digest --preview/--send`, the exactly-once delivery behind it, and the service hook."""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from watcher.commands.context import console, print_json, state
from watcher.errors import (
    ConfigError,
    ConnectionLostError,
    DigestSendError,
    MailSourceError,
    UsageError,
    WatcherError,
)
from watcher.terminal import printable

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session, sessionmaker

    from watcher.clock import Clock
    from watcher.config import AccountSettings, Settings
    from watcher.digest import RenderedDigest
    from watcher.drafting import SuggestedMessage
    from watcher.drafts import MailboxWriter
    from watcher.store.digests import ViewResult

    Recompute = Callable[[Session, Settings, datetime], object]

# The database, the renderer, SMTP and IMAP are imported in the functions that use them:
# keeps `followup --help` and the other commands fast.

__all__ = ["DigestOutcome", "append_drafts", "deliver_digest", "register", "send_due_digest"]

log = logging.getLogger(__name__)

# After a crash mid-send the digest may still be on its way to the INBOX: give it this long
# to show up before concluding it was never accepted and sending it again.
SETTLE_SECONDS = 15 * 60


@dataclass(frozen=True)
class DigestOutcome:
    day: date
    to: str
    message_id: str
    sent: bool  # today's digest has been accepted (now or earlier)
    sent_now: bool  # ... by this call
    rendered: RenderedDigest
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "to": self.to,
            "message_id": self.message_id,
            "sent": self.sent,
            "sections": dict(self.counts),
        }


def digest_recipient(settings: Settings) -> str:
    """``[digest] to``, else the first account's first address."""
    if settings.digest.to:
        return settings.digest.to
    for account in settings.accounts:
        if account.addresses:
            return account.addresses[0]
        if "@" in account.username:
            return account.username
    raise ConfigError(
        str(settings.path or "<config>"), ["[digest] to is not set and no account has an address"]
    )


def refresh_decisions(session: Session, settings: Settings, now: datetime) -> None:
    """Recompute the decisions first when the rules are installed (watcher.refresh)."""
    try:
        module = importlib.import_module("watcher.refresh")
    except ModuleNotFoundError as exc:
        if exc.name != "watcher.refresh":
            raise
        return
    module.refresh(session, settings, now)


def _mailbox_account(settings: Settings, recipient: str) -> AccountSettings | None:
    """The IMAP account the digest is delivered to (the one owning the address)."""
    imap = [a for a in settings.accounts if a.host]
    email = recipient.rpartition("<")[2].rstrip(">").strip().lower()
    for account in imap:
        if email in account.own_addresses:
            return account
    return imap[0] if imap else None


def _open_mailbox(account: AccountSettings) -> MailboxWriter:
    from watcher.drafts import MailboxWriter
    from watcher.secrets import secret_provider

    return MailboxWriter(account, secret_provider(account))


def _already_delivered(settings: Settings, recipient: str, message_id: str) -> bool | None:
    """Whether the digest with this Message-ID is in the user's INBOX or Sent; None: no IMAP."""
    account = _mailbox_account(settings, recipient)
    if account is None:
        return None
    try:
        with _open_mailbox(account) as mailbox:
            found: bool = mailbox.contains_message_id(mailbox.own_folders(), message_id)
            return found
    except MailSourceError as exc:
        raise DigestSendError(
            f"cannot check whether an earlier attempt arrived ({exc}); not resending yet"
        ) from exc


def _render(
    session: Session, settings: Settings, now: datetime, recipient: str, recompute: Recompute | None
) -> tuple[ViewResult, RenderedDigest]:
    from watcher.digest import render_digest
    from watcher.store.digests import build_view

    if recompute is not None:
        recompute(session, settings, now)
    result = build_view(session, settings, now, recipient)
    return result, render_digest(result.view, now, settings.zone)


def preview_digest(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    recompute: Recompute | None = refresh_decisions,
) -> DigestOutcome:
    """Today's digest as it would go out, and whether it already went."""
    from watcher.digest import digest_message_id
    from watcher.store.db import transaction
    from watcher.store.digests import find_digest

    recipient = digest_recipient(settings)
    day = now.astimezone(settings.zone).date()
    with transaction(sessions) as session:
        _, rendered = _render(session, settings, now, recipient, recompute)
        row = find_digest(session, day, recipient)
        sent = row is not None and row.sent_at is not None
        message_id = row.message_id if row else digest_message_id(day, recipient)
    return DigestOutcome(
        day, recipient, message_id, sent, False, rendered, counts=dict(rendered.counts)
    )


def _settling(content: dict[str, Any], now: datetime) -> bool:
    attempt = content.get("attempt_at")
    if not isinstance(attempt, str):
        return False
    elapsed = (now - datetime.fromisoformat(attempt)).total_seconds()
    return 0 <= elapsed < SETTLE_SECONDS


def deliver_digest(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    force: bool = False,
    send_empty: bool = True,
    recompute: Recompute | None = refresh_decisions,
) -> DigestOutcome:
    """Send today's digest exactly once (DESIGN, non-negotiables).

    The row with the deterministic Message-ID is committed before SMTP is called; after
    a crash between SMTP and recording, the mailbox is searched for that Message-ID
    before anything is sent again.
    """
    from watcher.digest import build_digest_message, digest_message_id
    from watcher.smtp import envelope_sender, send_message
    from watcher.store.db import transaction
    from watcher.store.digests import (
        find_digest,
        mark_digest_failed,
        mark_digest_sent,
        start_digest_attempt,
    )

    if settings.smtp is None:
        raise ConfigError(
            str(settings.path or "<config>"), ["no [smtp] section: add one to send digests"]
        )
    smtp = settings.smtp
    recipient = digest_recipient(settings)
    day = now.astimezone(settings.zone).date()
    with transaction(sessions) as session:
        result, rendered = _render(session, settings, now, recipient, recompute)
        row = find_digest(session, day, recipient)
        row_id = row.id if row else None
        content = dict(row.content or {}) if row else {}
        sequence = int(content.get("sequence", 1))
        message_id = row.message_id if row else digest_message_id(day, recipient)
        already_sent = row is not None and row.sent_at is not None
        interrupted = row is not None and not already_sent and (row.attempts or 0) > 0
        crashed = interrupted and row is not None and row.last_error is None
    counts = dict(rendered.counts)

    def outcome(sent: bool, sent_now: bool, note: str = "") -> DigestOutcome:
        return DigestOutcome(day, recipient, message_id, sent, sent_now, rendered, note, counts)

    if already_sent and not force:
        return outcome(True, False, "already sent")
    if already_sent:
        sequence += 1
        message_id = digest_message_id(day, recipient, sequence)
    elif interrupted:
        delivered = _already_delivered(settings, recipient, message_id)
        if delivered:
            assert row_id is not None
            with transaction(sessions) as session:
                mark_digest_sent(session, row_id, now, how="found in mailbox")
            log.info("digest %s found in the mailbox: recorded as sent", message_id)
            return outcome(True, False, "an earlier attempt had arrived")
        if crashed and delivered is not None and _settling(content, now) and not force:
            raise DigestSendError(
                "an interrupted attempt may still be on its way; checking again later"
            )
    if not any(counts.values()) and not send_empty and not already_sent:
        return outcome(False, False, "nothing to report")

    with transaction(sessions) as session:
        digest = start_digest_attempt(
            session,
            day=day,
            recipient=recipient,
            message_id=message_id,
            now=now,
            content={
                "sections": counts,
                "dead": sorted(result.dead_ids),
                "subject": rendered.subject,
                "sequence": sequence,
            },
        )
        row_id = digest.id
    message = build_digest_message(
        rendered,
        sender=envelope_sender(smtp, recipient),
        recipient=recipient,
        message_id=message_id,
        now=now,
    )
    try:
        send_message(smtp, message)
    except DigestSendError as error:
        with transaction(sessions) as session:
            mark_digest_failed(session, row_id, str(error))
        raise
    with transaction(sessions) as session:
        mark_digest_sent(session, row_id, now)
    return outcome(True, True, "sent")


# --- drafts --------------------------------------------------------------------------------------


def _account_names(session: Session) -> dict[int, str]:
    from sqlalchemy import select

    from watcher.store.tables import Account

    return {row.id: row.name for row in session.scalars(select(Account))}


def append_drafts(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    recompute: Recompute | None = None,
) -> int:
    """APPEND a draft for each thank/nudge/respond decision that has none yet; returns how many.

    Opt-in (``[digest] drafts = true``). A row per (lead, action, due) is committed before
    the APPEND, and the Drafts folder is searched for its Message-ID first, so a draft
    is never appended twice, even after a crash.
    """
    from watcher.digest import draft_facts
    from watcher.drafting import draft_message_id, suggest_message
    from watcher.store.db import transaction
    from watcher.store.digests import build_view, claim_draft, mark_draft_appended

    if not settings.digest.drafts:
        return 0
    zone = settings.zone
    recipient = digest_recipient(settings)
    with transaction(sessions) as session:
        if recompute is not None:
            recompute(session, settings, now)
        result = build_view(session, settings, now, recipient)
        names = _account_names(session)
    pending: dict[str, list[tuple[int, str, Any]]] = {}
    for lead in result.view.leads:
        suggestion = suggest_message(draft_facts(lead, result.view.user_name, zone), zone)
        if suggestion is None:
            continue
        if suggestion.to is None or "@" not in suggestion.to.email:
            log.warning("lead %d: draft not written: no address to send it to", lead.lead_id)
            continue
        account_id = result.account_ids.get(lead.lead_id)
        account = _draft_account(settings, names.get(account_id) if account_id else None)
        if account is None:
            continue
        decision = lead.decision
        message_id = draft_message_id(lead.lead_id, decision.action, decision.due, account.name)
        sender = _draft_sender(account, result.view.user_name)
        # Built before the draft row is claimed: a message that cannot be written (hostile
        # mail reaches corners of the email package) leaves no claim behind, and the
        # other leads still get theirs.
        raw = _draft_bytes(suggestion, sender, message_id, now, lead.lead_id)
        if raw is None:
            continue
        with transaction(sessions) as session:
            draft = claim_draft(
                session, lead.lead_id, decision.action.value, decision.due, message_id
            )
            if draft is None:
                continue
            draft_id, claimed_id = draft.id, draft.message_id
        if claimed_id != message_id:  # claimed earlier under another id: keep that one
            raw = _draft_bytes(suggestion, sender, claimed_id, now, lead.lead_id) or raw
        pending.setdefault(account.name, []).append((draft_id, claimed_id, raw))
    appended = 0
    for name, drafts in pending.items():
        account = settings.account(name)
        with _open_mailbox(account) as mailbox:
            folder = mailbox.drafts_folder()
            if folder is None:
                log.warning("account %r has no Drafts folder; drafts not saved", name)
                continue
            for draft_id, message_id, message in drafts:
                if not mailbox.contains_message_id([folder], message_id):
                    try:
                        mailbox.append_draft(folder, message, now)
                    except ConnectionLostError:
                        raise
                    except MailSourceError as exc:  # refused: this draft only, tried again
                        log.warning("draft %s not saved: %s", message_id, exc)
                        continue
                    appended += 1
                with transaction(sessions) as session:
                    mark_draft_appended(session, draft_id, now)
    return appended


def _draft_bytes(
    suggestion: SuggestedMessage, sender: str, message_id: str, now: datetime, lead_id: int
) -> bytes | None:
    from watcher.drafting import draft_email

    try:
        message = draft_email(
            suggestion, sender=sender, message_id=message_id, now=now, lead_id=lead_id
        )
        return message.as_bytes()
    except Exception as exc:  # one lead's bad draft is skipped, never the others'
        log.warning("lead %d: draft not written: %s: %s", lead_id, type(exc).__name__, exc)
        return None


def _draft_account(settings: Settings, name: str | None) -> AccountSettings | None:
    imap = [a for a in settings.accounts if a.host]
    for account in imap:
        if account.name == name:
            return account
    return imap[0] if imap and name is None else None


def _draft_sender(account: AccountSettings, user_name: str) -> str:
    address = account.addresses[0] if account.addresses else account.username
    return f"{user_name} <{address}>" if user_name else address


# --- the service hook ----------------------------------------------------------------------------


def _digest_time(settings: Settings) -> time:
    hours, minutes = settings.digest.time.split(":")
    return time(int(hours), int(minutes))


def send_due_digest(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    *,
    recompute: Recompute | None = refresh_decisions,
) -> bool:
    """For the service loop: send today's digest once it is ``digest.time``; True if sent now.

    Empty days are skipped unless ``send_empty``. Raises DigestSendError when SMTP is
    down; the loop retries with backoff, and the row makes the retry exactly-once.
    """
    from watcher.store.db import transaction
    from watcher.store.digests import find_digest

    if settings.smtp is None:
        return False
    now = clock.now()
    local = now.astimezone(settings.zone)
    if local.time() < _digest_time(settings):
        return False
    recipient = digest_recipient(settings)
    with transaction(sessions) as session:
        row = find_digest(session, local.date(), recipient)
        if row is not None and row.sent_at is not None:
            return False
    # Drafts first, so the digest can say which suggestions are already in Drafts.
    try:
        append_drafts(settings, sessions, now, recompute=recompute)
    except (MailSourceError, DigestSendError) as exc:
        log.warning("drafts not saved: %s", exc)
    outcome = deliver_digest(
        settings, sessions, now, send_empty=settings.digest.send_empty, recompute=recompute
    )
    return outcome.sent_now


# --- the command ---------------------------------------------------------------------------------


def _when(value: datetime | None, settings: Settings) -> str:
    if value is None:
        return ""
    local = value.astimezone(settings.zone)
    return f" at {local:%H:%M}"


def digest(
    ctx: typer.Context,
    preview: Annotated[
        bool, typer.Option("--preview", help="Print today's digest (the default).")
    ] = False,
    send: Annotated[bool, typer.Option("--send", help="Send today's digest over SMTP.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --send: send again although already sent.")
    ] = False,
    html: Annotated[
        bool, typer.Option("--html", help="With --preview: print the HTML part instead.")
    ] = False,
) -> None:
    """Render (--preview) or send (--send) today's digest; one digest a day, even on retries."""
    if preview and send:
        raise UsageError("choose one of --preview and --send")
    if force and not send:
        raise UsageError("--force only goes with --send")
    app_state = state(ctx)
    settings = app_state.settings()
    now = app_state.clock().now()
    sessions = app_state.sessions()
    if not send:
        result = preview_digest(settings, sessions, now)
        if app_state.json_output:
            print_json(result.as_json())
        else:
            sys.stdout.write(printable(result.rendered.html if html else result.rendered.text))
            sys.stdout.flush()
        return
    drafts_error: WatcherError | None = None
    if settings.digest.drafts:
        # Before the digest, so it can say which suggestions are in Drafts; a failing Drafts
        # folder must not stop the digest, and is reported after it.
        try:
            append_drafts(settings, sessions, now, recompute=refresh_decisions)
        except (MailSourceError, DigestSendError) as exc:
            drafts_error = exc
    result = deliver_digest(settings, sessions, now, force=force)
    if app_state.json_output:
        print_json(result.as_json())
    else:
        _say_delivered(result, settings, sessions)
    if drafts_error is not None:
        raise drafts_error


def _say_delivered(
    result: DigestOutcome, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    from watcher.store.db import transaction
    from watcher.store.digests import find_digest

    day = f"{result.day:%a} {result.day.day} {result.day:%b}"
    if result.sent_now:
        console().print(f"sent the digest for {day} to {result.to} ({result.message_id})")
    elif result.note == "already sent":
        with transaction(sessions) as session:
            row = find_digest(session, result.day, result.to)
            at = _when(row.sent_at if row else None, settings)
        console().print(
            f"the digest for {day} was already sent to {result.to}{at}; "
            "use --send --force to send it again"
        )
    else:
        console().print(f"the digest for {day} was sent to {result.to} ({result.note})")


def register(app: typer.Typer) -> None:
    app.command()(digest)
