"""The service loop: sync on IDLE or poll, analyse, decide, send the digest on schedule.

Signals: SIGTERM/SIGINT finish the current step and exit 0; SIGHUP reloads the config
(a broken one is reported and the old one kept). systemd gets READY=1 after the first
sync, STATUS= summaries and WATCHDOG=1 from the main loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Protocol

import sdnotify
from sqlalchemy.orm import Session, sessionmaker

from watcher.clock import Clock
from watcher.config import AccountSettings, Settings
from watcher.errors import (
    AuthenticationError,
    CertificateError,
    ConfigError,
    DigestSendError,
    WatcherError,
)
from watcher.instance_lock import InstanceLock, lock_path_for
from watcher.store.db import dispose_all, open_database

log = logging.getLogger("followup.service")

MAX_BACKOFF_SECONDS = 300.0
IDLE_RENEW_SECONDS = 25 * 60  # RFC 2177 servers may drop IDLE after 29 minutes


class Notifier(Protocol):
    def notify(self, state: str) -> object: ...


class ChangeWatcher(Protocol):
    """A source that can block until its INBOX changes (IMAP IDLE)."""

    def wait_for_change(self, folder: str, timeout: float) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ServiceParts:
    """What the loop calls; injected so the loop itself stays testable."""

    sync_account: Callable[[AccountSettings, sessionmaker[Session], Clock], int]
    after_sync: Callable[[Settings, sessionmaker[Session], Clock], int]
    send_digest: Callable[[Settings, sessionmaker[Session], Clock], bool]
    open_watcher: Callable[[AccountSettings], ChangeWatcher | None]


def backoff_seconds(failures: int, rng: random.Random) -> float:
    """Exponential backoff with jitter, capped at five minutes."""
    base = min(MAX_BACKOFF_SECONDS, 5.0 * 2 ** max(0, failures - 1))
    return float(min(MAX_BACKOFF_SECONDS, base * rng.uniform(0.5, 1.0)))


@dataclass
class _AccountState:
    next_sync: float = 0.0
    failures: int = 0


@dataclass
class Service:
    """One running instance: owns the settings, the database and the wake-up events."""

    load_settings: Callable[[], Settings]
    clock: Clock
    parts: ServiceParts
    notifier: Notifier = field(default_factory=sdnotify.SystemdNotifier)
    monotonic: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._reload = threading.Event()
        self._accounts: dict[str, _AccountState] = {}
        self._watchers: list[threading.Thread] = []
        self._watcher_stop = threading.Event()
        self._digest_retry_at = 0.0
        self._digest_failures = 0
        self._idle_flags: dict[str, threading.Event] = {}

    # -- signals -------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_reload_signal)

    def _on_stop_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stop()

    def _on_reload_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._reload.set()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    # -- the loop ------------------------------------------------------------------
    def run(self) -> int:
        settings = self.load_settings()
        for warning in settings.warnings:
            log.warning("%s", warning)
        sessions = open_database(settings.database.effective_url)
        with InstanceLock(lock_path_for(settings.database.effective_url)):
            log.info(
                "started: %d account(s), database %s",
                len(settings.accounts),
                _safe_url(settings.database.effective_url),
            )
            try:
                return self._loop(settings, sessions)
            finally:
                self._stop_watchers()
                self.notifier.notify("STOPPING=1")
                dispose_all()
                log.info("stopped")

    def _loop(self, settings: Settings, sessions: sessionmaker[Session]) -> int:
        self._start_watchers(settings)
        self._step(settings, sessions, force=True)
        self.notifier.notify("READY=1")
        watchdog = _watchdog_interval()
        while not self._stop.is_set():
            self.notifier.notify("WATCHDOG=1")
            self._wake.wait(timeout=self._sleep_seconds(settings, watchdog))
            self._wake.clear()
            if self._stop.is_set():
                break
            if self._reload.is_set():
                self._reload.clear()
                settings = self._reloaded(settings)
            self._step(settings, sessions, force=False)
        return 0

    def _sleep_seconds(self, settings: Settings, watchdog: float | None) -> float:
        now = self.monotonic()
        pending = [s.next_sync for s in self._accounts.values()]
        wait = min([60.0, *(max(0.0, t - now) for t in pending)])
        if watchdog is not None:
            wait = min(wait, watchdog)
        return max(0.05, wait)

    def _reloaded(self, settings: Settings) -> Settings:
        try:
            new = self.load_settings()
        except ConfigError as error:
            log.error("config reload failed, keeping the old config: %s", error)
            return settings
        log.info("config reloaded")
        self._stop_watchers()
        self._accounts.clear()
        self._start_watchers(new)
        return new

    def _step(self, settings: Settings, sessions: sessionmaker[Session], *, force: bool) -> None:
        """Sync what is due, then analyse, decide, and send the digest if it is time."""
        now = self.monotonic()
        synced = 0
        for account in settings.accounts:
            if self._stop.is_set():
                return
            state = self._accounts.setdefault(account.name, _AccountState())
            if not force and now < state.next_sync and not self._idle_woke(account):
                continue
            try:
                synced += self.parts.sync_account(account, sessions, self.clock)
            except WatcherError as error:
                state.failures += 1
                delay = backoff_seconds(state.failures, self.rng)
                if isinstance(error, AuthenticationError | CertificateError):
                    delay = MAX_BACKOFF_SECONDS
                state.next_sync = now + delay
                log.error("sync failed, retrying in %.0f s: %s", delay, error)
                continue
            if state.failures:
                log.info("account %r: sync works again", account.name)
            state.failures = 0
            state.next_sync = now + account.poll_seconds
        leads = 0
        try:
            leads = self.parts.after_sync(settings, sessions, self.clock)
        except WatcherError as error:
            log.error("analysis failed: %s", error)
        if synced:
            log.info("synced %d new message(s)", synced)
        self.notifier.notify(
            f"STATUS=last sync {_local(self.clock.now(), settings)}: "
            f"{synced} new message(s), {leads} live lead(s)"
        )
        self._maybe_send_digest(settings, sessions)

    def _idle_woke(self, account: AccountSettings) -> bool:
        flag = self._idle_flags.get(account.name)
        if flag is not None and flag.is_set():
            flag.clear()
            return True
        return False

    def _maybe_send_digest(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        now = self.monotonic()
        if now < self._digest_retry_at:
            return
        try:
            if self.parts.send_digest(settings, sessions, self.clock):
                log.info("digest sent")
            self._digest_failures = 0
        except (DigestSendError, WatcherError) as error:
            self._digest_failures += 1
            delay = backoff_seconds(self._digest_failures, self.rng)
            self._digest_retry_at = now + delay
            log.error("digest not sent, retrying in %.0f s: %s", delay, error)

    # -- IDLE watchers ---------------------------------------------------------------
    def _start_watchers(self, settings: Settings) -> None:
        self._watcher_stop = threading.Event()
        for account in settings.accounts:
            if not account.host or not account.idle:
                continue
            flag = self._idle_flags.setdefault(account.name, threading.Event())
            thread = threading.Thread(
                target=self._watch,
                args=(account, flag, self._watcher_stop),
                name=f"idle-{account.name}",
                daemon=True,
            )
            thread.start()
            self._watchers.append(thread)

    def _stop_watchers(self) -> None:
        self._watcher_stop.set()
        for thread in self._watchers:
            thread.join(timeout=1.0)
        self._watchers.clear()

    def _watch(
        self, account: AccountSettings, flag: threading.Event, stop: threading.Event
    ) -> None:
        """IDLE on INBOX in a thread of its own; wakes the main loop on any change."""
        failures = 0
        rng = random.Random()
        while not stop.is_set():
            watcher: ChangeWatcher | None = None
            try:
                watcher = self.parts.open_watcher(account)
                if watcher is None:
                    return  # the server has no IDLE: the main loop polls
                failures = 0
                while not stop.is_set():
                    # short waits so a stop request is honoured within a second or two
                    if watcher.wait_for_change("INBOX", timeout=1.0):
                        flag.set()
                        self._wake.set()
            except WatcherError as error:
                failures += 1
                delay = backoff_seconds(failures, rng)
                log.warning(
                    "IDLE on account %r lost, reconnecting in %.0f s: %s",
                    account.name,
                    delay,
                    error,
                )
                stop.wait(delay)
            finally:
                if watcher is not None:
                    with contextlib.suppress(WatcherError):
                        watcher.close()


def _watchdog_interval() -> float | None:
    usec = os.environ.get("WATCHDOG_USEC")
    if not usec or not usec.isdigit():
        return None
    return max(0.5, int(usec) / 1_000_000 / 2)


def _local(instant: datetime, settings: Settings) -> str:
    return instant.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
