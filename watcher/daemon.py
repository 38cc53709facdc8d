"""The service loop: sync on IDLE or poll, analyse, decide, send the digest on schedule.

Signals: SIGTERM/SIGINT finish the current message's transaction and exit 0 (within
STOP_DEADLINE_SECONDS whatever is running); SIGHUP reloads the config (a broken one is
reported and the old one kept). systemd gets READY=1 after the first sync, STATUS=
summaries and WATCHDOG=1 from the main loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
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
    ConnectionLostError,
    WatcherError,
)
from watcher.instance_lock import InstanceLock, lock_path_for
from watcher.store.db import dispose_all, open_database
from watcher.terminal import PrintableFormatter

log = logging.getLogger("followup.service")

MAX_BACKOFF_SECONDS = 300.0
# The longest sleep of the loop: the digest's time is checked at least this often.
MAX_SLEEP_SECONDS = 60.0
# Decisions change with the date and the hour even without new mail.
REFRESH_SECONDS = 300.0
# After SIGTERM/SIGINT: a step that cannot be interrupted (a long analysis, a hung
# connect) is abandoned after this long. Every stored message is committed with its
# folder's position, so an abandoned step is simply redone at the next start.
STOP_DEADLINE_SECONDS = 4.0
# One IDLE wait: short, so that a stop request is honoured within about this long.
IDLE_WAIT_SECONDS = 1.0
# WATCHDOG=1 while a long sync runs, at most this often.
PING_SECONDS = 1.0
START_EXTENSION_USEC = 60_000_000

Checkpoint = Callable[[], None]
"""Called between stored messages: pings the watchdog, and raises to stop when asked to."""


class Notifier(Protocol):
    def notify(self, state: str) -> object: ...


class ChangeWatcher(Protocol):
    """A source that can block until its INBOX changes (IMAP IDLE)."""

    def wait_for_change(self, folder: str, timeout: float) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ServiceParts:
    """What the loop calls; injected so the loop itself stays testable."""

    sync_account: Callable[[AccountSettings, sessionmaker[Session], Clock, Checkpoint], int]
    after_sync: Callable[[Settings, sessionmaker[Session], Clock, Checkpoint], int]
    send_digest: Callable[[Settings, sessionmaker[Session], Clock], bool]
    open_watcher: Callable[[AccountSettings], ChangeWatcher | None]


class StopRequested(BaseException):
    """Raised at a checkpoint once a stop was asked for. A BaseException, so that no
    ``except Exception`` on the way up mistakes it for a failure and carries on."""


def backoff_seconds(failures: int, rng: random.Random) -> float:
    """Exponential backoff with jitter, capped at five minutes."""
    base = min(MAX_BACKOFF_SECONDS, 5.0 * 2 ** min(16, max(0, failures - 1)))
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
        self._digest_quiet_day: date | None = None
        self._refresh_at = 0.0
        self._last_ping = 0.0
        self._ready = False
        self._idle_flags: dict[str, threading.Event] = {}
        self._idle_silent: set[str] = set()  # accounts whose IDLE was seen not to announce
        self._deadline: threading.Timer | None = None

    # -- signals -------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_reload_signal)

    def _on_stop_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._deadline is None:
            self._deadline = threading.Timer(STOP_DEADLINE_SECONDS, _abandon, args=(signum,))
            self._deadline.daemon = True
            self._deadline.start()
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
        # The lock comes first: a second instance must not even migrate the database.
        with InstanceLock(lock_path_for(settings.database.effective_url), "followup run"):
            sessions = open_database(settings.database.effective_url)
            log.info(
                "started (pid %d): %d account(s), database %s",
                os.getpid(),
                len(settings.accounts),
                _safe_url(settings.database.effective_url),
            )
            try:
                return self._loop(settings, sessions)
            except StopRequested:
                return 0
            finally:
                self._stop_watchers()
                self.notifier.notify("STOPPING=1")
                dispose_all()
                log.info("stopped")

    def _loop(self, settings: Settings, sessions: sessionmaker[Session]) -> int:
        self._start_watchers(settings)
        self._step(settings, sessions, first=True)
        if self._stop.is_set():
            return 0
        self.notifier.notify("READY=1")
        self._ready = True
        log.info("ready: first sync done; watching for new mail")
        watchdog = _watchdog_interval()
        while not self._stop.is_set():
            self._ping(force=True)
            self._wake.wait(timeout=self._sleep_seconds(watchdog))
            self._wake.clear()
            if self._stop.is_set():
                break
            if self._reload.is_set():
                self._reload.clear()
                settings = self._reloaded(settings)
            self._step(settings, sessions, first=False)
        return 0

    def _ping(self, *, force: bool = False) -> None:
        now = self.monotonic()
        if force or now - self._last_ping >= PING_SECONDS:
            self._last_ping = now
            if self._ready:
                self.notifier.notify("WATCHDOG=1")
            else:
                # A first sync of a big mailbox outlasts TimeoutStartSec: while it makes
                # progress, ask systemd (>= 236) for more time.
                self.notifier.notify(f"EXTEND_TIMEOUT_USEC={START_EXTENSION_USEC}")

    def _checkpoint(self) -> None:
        if self._stop.is_set():
            raise StopRequested
        self._ping()

    def _sleep_seconds(self, watchdog: float | None) -> float:
        now = self.monotonic()
        pending = [s.next_sync for s in self._accounts.values()]
        wait = min([MAX_SLEEP_SECONDS, *(max(0.0, t - now) for t in pending)])
        if watchdog is not None:
            wait = min(wait, watchdog)
        return max(0.05, wait)

    def _reloaded(self, settings: Settings) -> Settings:
        try:
            new = self.load_settings()
        except ConfigError as error:
            log.error("config reload failed, keeping the old config: %s", error)
            return settings
        for warning in new.warnings:
            log.warning("%s", warning)
        if new.database.effective_url != settings.database.effective_url:
            log.warning("database.url changed: the service keeps the old one until restarted")
        log.info("config reloaded: %d account(s)", len(new.accounts))
        self._stop_watchers()
        self._accounts.clear()
        self._digest_quiet_day = None
        self._refresh_at = 0.0
        self._start_watchers(new)
        return new

    def _step(self, settings: Settings, sessions: sessionmaker[Session], *, first: bool) -> None:
        """Sync what is due, then analyse, decide, and send the digest if it is time."""
        now = self.monotonic()
        synced = 0
        attempted = False
        for account in settings.accounts:
            state = self._accounts.setdefault(account.name, _AccountState())
            woke = self._idle_woke(account)
            if not first and now < state.next_sync and not woke:
                continue
            attempted = True
            self._checkpoint()
            try:
                synced += self.parts.sync_account(account, sessions, self.clock, self._checkpoint)
            except Exception as error:  # the service outlives any one failure
                state.failures += 1
                delay = backoff_seconds(state.failures, self.rng)
                if isinstance(error, AuthenticationError | CertificateError):
                    delay = MAX_BACKOFF_SECONDS  # permanent until the user acts
                state.next_sync = self.monotonic() + delay
                log.error(
                    "account %r: sync failed (%d in a row), retrying in %.0f s: %s",
                    account.name,
                    state.failures,
                    delay,
                    _reason(account, error),
                )
                continue
            if state.failures:
                log.info("account %r: sync works again", account.name)
            state.failures = 0
            state.next_sync = self.monotonic() + account.poll_seconds
        self._checkpoint()
        if attempted or self.monotonic() >= self._refresh_at:
            self._analyse(settings, sessions, synced)
        if synced:
            self._digest_quiet_day = None  # new mail may give an empty day something to say
        self._maybe_send_digest(settings, sessions)

    def _analyse(self, settings: Settings, sessions: sessionmaker[Session], synced: int) -> None:
        self._refresh_at = self.monotonic() + REFRESH_SECONDS
        try:
            live = self.parts.after_sync(settings, sessions, self.clock, self._checkpoint)
        except Exception as error:  # retried at the next sync or refresh
            log.error("analysis failed: %s", _describe(error))
            self.notifier.notify(f"STATUS=analysis failed: {_describe(error)}")
            return
        if synced:
            log.info("synced %d new message(s); %d live lead(s)", synced, live)
        failing = sorted(name for name, s in self._accounts.items() if s.failures)
        trouble = f"; failing: {', '.join(failing)}" if failing else ""
        self.notifier.notify(
            f"STATUS=checked {_local(self.clock.now(), settings)}: "
            f"{synced} new message(s), {live} live lead(s){trouble}"
        )

    def _idle_woke(self, account: AccountSettings) -> bool:
        flag = self._idle_flags.get(account.name)
        if flag is not None and flag.is_set():
            flag.clear()
            return True
        return False

    def _maybe_send_digest(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        if self.monotonic() < self._digest_retry_at:
            return
        local = self.clock.now().astimezone(settings.zone)
        if local.date() == self._digest_quiet_day:
            return
        try:
            sent = self.parts.send_digest(settings, sessions, self.clock)
        except Exception as error:
            self._digest_failures += 1
            delay = backoff_seconds(self._digest_failures, self.rng)
            self._digest_retry_at = self.monotonic() + delay
            log.error("digest not sent, retrying in %.0f s: %s", delay, _describe(error))
            return
        self._digest_failures = 0
        if sent:
            log.info("digest sent")
        if sent or local.strftime("%H:%M") >= settings.digest.time:
            # Sent, already sent, or nothing to say: ask again tomorrow or after new mail,
            # not at every wake-up (rendering recomputes every lead).
            self._digest_quiet_day = local.date()

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
        deadline = self.monotonic() + 1.5
        for thread in self._watchers:
            thread.join(timeout=max(0.0, deadline - self.monotonic()))
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
                if failures:
                    # mail may have arrived while the connection was down: sync now
                    log.info("account %r: IDLE connected again", account.name)
                    self._wake_for(flag)
                failures = 0
                while not stop.is_set():
                    # short waits so a stop request is honoured within a second
                    cpu = time.thread_time()
                    if watcher.wait_for_change("INBOX", timeout=IDLE_WAIT_SECONDS):
                        self._wake_for(flag)
                        self._say_if_idle_is_silent(account, watcher)
                    elif time.thread_time() - cpu > IDLE_WAIT_SECONDS / 2:
                        # A wait that burns CPU instead of blocking is reading a dead socket
                        # (imapclient's idle_check returns [] at EOF): reconnect.
                        raise ConnectionLostError(
                            "IDLE: the connection seems closed", account=account.name
                        )
            except Exception as error:  # a thread that died would stop IDLE for good
                failures += 1
                delay = backoff_seconds(failures, rng)
                # The sync reports the outage once per failure; IDLE says it once per outage.
                log.log(
                    logging.WARNING if failures == 1 else logging.DEBUG,
                    "account %r: IDLE connection lost, reconnecting in %.0f s: %s",
                    account.name,
                    delay,
                    _reason(account, error),
                )
                stop.wait(delay)
            finally:
                if watcher is not None:
                    with contextlib.suppress(WatcherError):
                        watcher.close()

    def _say_if_idle_is_silent(self, account: AccountSettings, watcher: ChangeWatcher) -> None:
        """Once per account: a poll found mail the server's IDLE never announced."""
        missed = getattr(watcher, "idle_missed", 0)
        if not missed or getattr(watcher, "idle_announced", False):
            return
        if account.name in self._idle_silent:
            return
        self._idle_silent.add(account.name)
        log.warning(
            "account %r: the server's IDLE did not announce new mail that a poll found; "
            "relying on polls every %d s (lower poll_seconds to see mail sooner)",
            account.name,
            account.poll_seconds,
        )

    def _wake_for(self, flag: threading.Event) -> None:
        flag.set()
        self._wake.set()


def _abandon(signum: int) -> None:
    """The stop deadline passed with a step still running: leave without waiting for it."""
    log.warning(
        "still busy %.0f s after %s; exiting now (unfinished work is redone at the next start)",
        STOP_DEADLINE_SECONDS,
        signal.Signals(signum).name,
    )
    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    os._exit(0)


def _reason(account: AccountSettings, error: Exception) -> str:
    """The error's message without the ``account 'x': `` the log line starts with anyway."""
    return _describe(error).removeprefix(f"account {account.name!r}: ")


def _describe(error: Exception) -> str:
    """Our errors' one-line messages; anything else is a bug, named with its type (the
    traceback goes to the debug log)."""
    if isinstance(error, WatcherError):
        return str(error)
    log.debug("unexpected error", exc_info=error)
    return f"unexpected {type(error).__name__}: {error}"


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


# -- logs for journald --------------------------------------------------------------------

_PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


class JournalFormatter(PrintableFormatter):
    """One line a record with a ``<N>`` syslog priority prefix, which journald turns into
    the entry's priority (so `journalctl -p warning` works); newlines are flattened."""

    def format(self, record: logging.LogRecord) -> str:
        text = " ".join(super().format(record).splitlines())
        priority = next((p for level, p in _PRIORITIES.items() if record.levelno >= level), 7)
        return f"<{priority}>{text}"


def stderr_is_journal() -> bool:
    """True when systemd connected stderr to the journal (JOURNAL_STREAM=dev:inode)."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    if not device.isdigit() or not inode.isdigit():
        return False
    try:
        stat = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError):
        return False
    return (stat.st_dev, stat.st_ino) == (int(device), int(inode))


def use_timestamps() -> None:
    """Each line of a foreground run gets its local time: a terminal or a log file adds none
    (journald does, so under it see use_journal_priorities)."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z"
            )
        )


def use_journal_priorities() -> None:
    """Give the root logger's handlers journald priorities (the CLI set their format)."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JournalFormatter("%(levelname)s %(name)s: %(message)s"))
