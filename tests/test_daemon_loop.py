"""The service loop's own decisions (backoff, digest schedule, surviving failures, stopping),
with stand-in parts and a fast clock; the real parts are tested in test_daemon_parts.py and
the whole service as a subprocess in test_daemon_run.py."""

from __future__ import annotations

import itertools
import logging
import os
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watcher.clock import Clock, FixedClock
from watcher.config import AccountSettings, Settings, load_settings
from watcher.daemon import (
    MAX_BACKOFF_SECONDS,
    Checkpoint,
    JournalFormatter,
    Service,
    ServiceParts,
    backoff_seconds,
    stderr_is_journal,
)
from watcher.errors import ConnectionLostError, StorageError

NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("failures", "low", "high"),
    [(1, 2.5, 5), (2, 5, 10), (3, 10, 20), (5, 40, 80), (7, 150, 300), (8, 150, 300),
     (50, 150, 300)],
    ids=lambda v: str(v),
)  # fmt: skip
def test_backoff_doubles_with_jitter_and_is_capped_at_five_minutes(
    failures: int, low: float, high: float
) -> None:
    delays = {backoff_seconds(failures, random.Random(seed)) for seed in range(50)}
    assert all(low <= d <= high for d in delays), delays
    assert len(delays) > 40  # jitter: retries of many clients do not line up


@given(st.integers(min_value=0, max_value=10_000), st.integers())
def test_backoff_is_never_zero_and_never_above_the_cap(failures: int, seed: int) -> None:
    assert 2.5 <= backoff_seconds(failures, random.Random(seed)) <= MAX_BACKOFF_SECONDS


def test_journal_lines_carry_the_syslog_priority_and_stay_on_one_line() -> None:
    formatter = JournalFormatter("%(levelname)s %(name)s: %(message)s")

    def line(level: int, message: str) -> str:
        record = logging.LogRecord("followup.service", level, __file__, 1, message, None, None)
        return formatter.format(record)

    assert line(logging.ERROR, "sync failed") == "<3>ERROR followup.service: sync failed"
    assert line(logging.WARNING, "a\nb") == "<4>WARNING followup.service: a b"
    assert line(logging.INFO, "ready").startswith("<6>")
    assert line(logging.DEBUG, "x").startswith("<7>")


def test_stderr_is_the_journal_only_when_journal_stream_names_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stat = os.fstat(2)
    monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino}")
    assert stderr_is_journal()
    monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino + 1}")
    assert not stderr_is_journal()
    monkeypatch.delenv("JOURNAL_STREAM")
    assert not stderr_is_journal()


# -- the loop with stand-in parts -------------------------------------------------------------


@dataclass
class Parts:
    """Stand-ins that count their calls; ``sync_results`` are returned (or raised) in turn."""

    sync_results: list[int | BaseException] = field(default_factory=list)
    after_sync_error: BaseException | None = None
    syncs: int = 0
    digests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sync(self, _a: AccountSettings, _s: object, _c: Clock, checkpoint: Checkpoint) -> int:
        checkpoint()
        with self.lock:
            self.syncs += 1
            result = self.sync_results.pop(0) if self.sync_results else 0
        if isinstance(result, BaseException):
            raise result
        return result

    def after_sync(self, _settings: Settings, _s: object, _c: Clock, _p: object) -> int:
        if self.after_sync_error is not None:
            raise self.after_sync_error
        return 2

    def send_digest(self, _settings: Settings, _s: object, _c: Clock) -> bool:
        with self.lock:
            self.digests += 1
        return False  # nothing to report, or before the time

    def build(self) -> ServiceParts:
        return ServiceParts(self.sync, self.after_sync, self.send_digest, lambda _a: None)


class Notes:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def notify(self, state: str) -> None:
        self.sent.append(state)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "Maildir").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[account]]\nname = "local"\nmaildir = "{tmp_path / "Maildir"}"\n\n'
        '[digest]\ntime = "08:00"\ntimezone = "America/New_York"\n\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "followup.db"}"\n'
    )
    config.chmod(0o600)
    return load_settings(config)


@pytest.fixture
def running() -> Iterator[Callable[[Service], list[int]]]:
    """Start a Service's run() in a thread; stopped and joined at the end."""
    started: list[tuple[Service, threading.Thread]] = []

    def start(service: Service) -> list[int]:
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(service.run()), daemon=True)
        thread.start()
        started.append((service, thread))
        return result

    yield start
    for service, thread in started:
        service.stop()
        thread.join(5)
        assert not thread.is_alive()


def fast_service(settings: Settings, parts: Parts, notes: Notes, clock: Clock) -> Service:
    """Each reading of the monotonic clock is 1000 s after the last: every sync is always due
    and every backoff over, so the loop goes round every 50 ms."""
    ticks = itertools.count(step=1000.0)
    return Service(
        load_settings=lambda: settings,
        clock=clock,
        parts=parts.build(),
        notifier=notes,
        monotonic=lambda: float(next(ticks)),
    )


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        done.wait(0.02)
    pytest.fail("condition not met in time")


def test_loop_survives_failed_and_broken_syncs_and_says_when_sync_works_again(
    settings: Settings,
    running: Callable[[Service], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    parts = Parts(sync_results=[ConnectionLostError("refused", account="local"),
                                RuntimeError("a bug"), 1])  # fmt: skip
    notes = Notes()
    service = fast_service(settings, parts, notes, FixedClock(datetime(2026, 3, 3, 7, tzinfo=NY)))
    with caplog.at_level(logging.INFO, logger="followup"):
        result = running(service)
        wait_until(lambda: "sync works again" in caplog.text)
        service.stop()
        wait_until(lambda: result == [0])
    assert "READY=1" in notes.sent  # ready even though the first sync failed
    failures = [r.getMessage() for r in caplog.records if "sync failed" in r.getMessage()]
    assert failures[0].startswith("account 'local': sync failed (1 in a row), retrying in")
    assert failures[0].endswith(": refused")
    assert "(2 in a row)" in failures[1]
    assert failures[1].endswith("unexpected RuntimeError: a bug")
    assert "synced 1 new message(s); 2 live lead(s)" in caplog.text


def test_analysis_failure_is_reported_and_the_loop_goes_on(
    settings: Settings,
    running: Callable[[Service], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    parts = Parts(after_sync_error=StorageError("database is locked"))
    notes = Notes()
    service = fast_service(settings, parts, notes, FixedClock(datetime(2026, 3, 3, 7, tzinfo=NY)))
    with caplog.at_level(logging.INFO, logger="followup"):
        running(service)
        wait_until(lambda: parts.syncs >= 3)
    assert "analysis failed: database is locked" in caplog.text
    assert "STATUS=analysis failed: database is locked" in notes.sent


@pytest.mark.parametrize(
    ("hour", "expect_many"),
    [(7, True), (9, False)],
    ids=["before-digest-time-asks-each-time", "after-digest-time-asks-once"],
)
def test_digest_is_asked_for_once_after_its_time_until_new_mail_comes(
    settings: Settings,
    running: Callable[[Service], list[int]],
    hour: int,
    expect_many: bool,
) -> None:
    parts = Parts()
    service = fast_service(
        settings, parts, Notes(), FixedClock(datetime(2026, 3, 3, hour, tzinfo=NY))
    )
    running(service)
    wait_until(lambda: parts.syncs >= 10)
    assert (parts.digests > 5) is expect_many, parts.digests
    if not expect_many:
        assert parts.digests == 1
        parts.sync_results.append(1)  # new mail may give the day something to say
        wait_until(lambda: parts.digests == 2)


def test_stop_during_a_sync_ends_it_at_the_next_message(
    settings: Settings, running: Callable[[Service], list[int]]
) -> None:
    entered = threading.Event()

    def endless_sync(_a: AccountSettings, _s: object, _c: Clock, checkpoint: Checkpoint) -> int:
        entered.set()
        while True:  # a huge first sync: a checkpoint after every stored message
            checkpoint()
            threading.Event().wait(0.001)

    parts = Parts().build()
    service = Service(
        load_settings=lambda: settings,
        clock=FixedClock(datetime(2026, 3, 3, 7, tzinfo=NY)),
        parts=ServiceParts(endless_sync, parts.after_sync, parts.send_digest, parts.open_watcher),
        notifier=Notes(),
    )
    result = running(service)
    assert entered.wait(5)
    service.stop()
    wait_until(lambda: result == [0], timeout=1.0)
