"""The pipeline the service runs, assembled from the parts: sync, analyse, decide, digest."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session, sessionmaker

from watcher.clock import Clock
from watcher.config import AccountSettings, Settings
from watcher.daemon import ChangeWatcher, Checkpoint, ServiceParts
from watcher.ingest import sync_configured_account
from watcher.pipeline import after_sync, warm_analyzer

log = logging.getLogger("followup.service")


def sync_once(
    account: AccountSettings,
    sessions: sessionmaker[Session],
    clock: Clock,
    checkpoint: Checkpoint,
) -> int:
    """Sync one account; a failed account raises so the loop backs off and retries.

    ``checkpoint`` runs for each stored message once it is committed: a stop request ends
    the sync there, and a long sync keeps systemd informed that it makes progress.
    """
    report = sync_configured_account(
        account, sessions, clock, progress=lambda _folder, _done, _total: checkpoint()
    )
    report.raise_for_failure()
    return report.new


def send_digest(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> bool:
    from watcher.commands.digest import send_due_digest

    return send_due_digest(settings, sessions, clock)


def open_watcher(account: AccountSettings) -> ChangeWatcher | None:
    """An IMAP connection to IDLE on, or None when the account cannot IDLE (polled)."""
    if account.maildir or not account.idle:
        return None
    from watcher.secrets import secret_provider
    from watcher.sources.imap import ImapSource

    source = ImapSource(account, secret_provider(account))
    warm_analyzer()  # new mail is decided within a second of IDLE's word, not after a load
    if not source.idle_supported():
        source.close()
        log.info(
            "account %r: the server has no IDLE; polling every %d s",
            account.name,
            account.poll_seconds,
        )
        return None
    return source


def default_parts() -> ServiceParts:
    return ServiceParts(
        sync_account=sync_once,
        after_sync=after_sync,
        send_digest=send_digest,
        open_watcher=open_watcher,
    )
