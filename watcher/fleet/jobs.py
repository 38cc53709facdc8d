"""The fleet's jobs on Procrastinate: sync one account, analyse one job seeker, send one
digest, and the scheduler tick that queues what is due and hands dead workers' jobs on."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import random
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from sqlalchemy import text
from sqlalchemy.engine import make_url

from watcher.clock import SystemClock
from watcher.errors import DigestSendError, UsageError
from watcher.fleet import registry
from watcher.fleet.claims import account_claim, user_claim
from watcher.fleet.registry import Fleet

log = logging.getLogger(__name__)

# A worker beats every HEARTBEAT_SECONDS; one silent for STALLED_SECONDS is taken for dead
# and its running jobs are queued again by the next tick (every TICK seconds): a killed
# worker's work resumes within STALLED_SECONDS + TICK_SECONDS + a job's start (< 60 s).
HEARTBEAT_SECONDS = 4.0
STALLED_SECONDS = 20.0
TICK_SECONDS = 5
TICK_CRON = f"* * * * * */{TICK_SECONDS}"  # croniter: a sixth field is seconds

FINISHED_JOBS_KEPT_HOURS = 1

SYNC_TASK = "followup.sync_account"
ANALYSE_TASK = "followup.analyse"
DIGEST_TASK = "followup.digest"

_fleet: Fleet | None = None
# IMAP connections to one server host from the whole fleet at once (Gmail allows 15 per
# account; a provider sees all our job seekers' connections as one client): set by the worker.
connections_per_host = 8
_rng = random.Random()


def conninfo(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (``postgresql+psycopg://`` -> ``postgresql://``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def account_lock(user: str, account: str) -> str:
    """One running job per mailbox: never two connections to it."""
    return f"account:{user}:{account}"


def user_lock(user: str) -> str:
    """A job seeker's analysis and digest run one at a time, in the order queued."""
    return f"user:{user}"


def build_app(fleet: Fleet) -> procrastinate.App:
    """The Procrastinate app on the fleet's database, with the fleet's tasks."""
    global _fleet
    _fleet = fleet
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(fleet.url)),
        worker_defaults={
            "update_heartbeat_interval": HEARTBEAT_SECONDS,
            "stalled_worker_timeout": STALLED_SECONDS,
        },
    )
    # Mail-server trouble is not retried by the queue: the account's schedule backs off.
    app.task(name=SYNC_TASK, queue="sync")(sync_account_job)
    app.task(
        name=ANALYSE_TASK,
        queue="analyse",
        retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=5),
    )(analyse_job)
    app.task(
        name=DIGEST_TASK,
        queue="digest",
        retry=procrastinate.RetryStrategy(max_attempts=30, wait=20),
    )(digest_job)
    tick_task = app.task(name="followup.tick", queue="tick", pass_context=True)(tick)
    # no lock: the tick that requeues a dead worker's jobs must never wait on a dead tick
    app.periodic(cron=TICK_CRON, periodic_id="tick", queueing_lock="tick")(tick_task)
    return app


def apply_queue_schema(fleet: Fleet) -> None:
    """Procrastinate's tables, created once (serialised between workers starting together)."""
    import psycopg

    with psycopg.connect(conninfo(fleet.url), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (0x70726F63,))
        try:
            found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                connection.execute(SchemaManager.get_schema().encode())
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (0x70726F63,))


def run_worker(fleet: Fleet, concurrency: int, per_host: int) -> None:
    global connections_per_host
    connections_per_host = per_host
    apply_queue_schema(fleet)
    app = build_app(fleet)
    name = f"{socket.gethostname()}-{os.getpid()}"
    log.info("worker %s started (concurrency %d)", name, concurrency)
    app.run_worker(concurrency=concurrency, name=name, install_signal_handlers=True)


@contextlib.contextmanager
def host_slot(fleet: Fleet, host: str) -> Iterator[bool]:
    """One of ``connections_per_host`` slots for ``host``, across all workers: a PostgreSQL
    advisory lock held by a connection of its own for the sync's length (a killed worker's
    connection closes, and its slot with it). Yields whether a slot was free."""
    key = int.from_bytes(hashlib.sha256(host.lower().encode()).digest()[:4], "big", signed=True)
    with fleet.engine.connect() as connection:
        for slot in range(connections_per_host):
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key, :slot)"), {"key": key, "slot": slot}
            ).scalar()
            connection.commit()
            if taken:
                try:
                    yield True
                finally:
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key, :slot)"), {"key": key, "slot": slot}
                    )
                    connection.commit()
                return
        yield False


def _require_fleet() -> Fleet:
    if _fleet is None:
        raise RuntimeError("build_app() first")
    return _fleet


# --- jobs (synchronous: Procrastinate runs them in threads) -------------------------------


def sync_account_job(user: str, account: str) -> None:
    """Fetch what is new in one mailbox of one job seeker; flag them for analysis."""
    from watcher.analysis import has_pending
    from watcher.daemon import backoff_seconds
    from watcher.ingest import sync_configured_account
    from watcher.store.db import transaction

    fleet = _require_fleet()
    try:
        seeker = registry.job_seeker(fleet, user)
        settings = seeker.settings.account(account)
    except (UsageError, KeyError):
        log.info("%s/%s is no longer in the fleet: nothing to sync", user, account)
        return
    clock = SystemClock()
    with (
        account_claim(fleet, user, account) as mine,
        host_slot(fleet, settings.host or "maildir") as granted,
    ):
        if not (mine and granted):
            # another process still reads this mailbox, or the provider has its share of
            # connections: try again shortly, not a failure
            wait = _rng.uniform(1.0, 3.0)
            registry.record_sync(fleet, user, account, clock.now(), None, wait, busy=True)
            return
        sessions = registry.user_sessions(fleet, seeker.schema)
        report = sync_configured_account(settings, sessions, clock)
    # Asked of the database, not of this sync's count: mail stored by a sync that was
    # killed before it could say so is analysed too.
    with transaction(sessions) as session:
        unread = report.new > 0 or has_pending(session)  # Sent mail: refresh leads too
    problems = report.problems()
    if problems:
        failures = registry.failures(fleet, user, account) + 1
        wait = backoff_seconds(failures, _rng)
        log.warning("%s/%s: %s (next try in %.0f s)", user, account, "; ".join(problems), wait)
        registry.record_sync(
            fleet, user, account, clock.now(), "; ".join(problems), wait, new_mail=unread
        )
    else:
        registry.record_sync(fleet, user, account, clock.now(), None, 0, new_mail=unread)
    if report.new:
        log.info("%s/%s: %d new message(s)", user, account, report.new)


def analyse_job(user: str) -> None:
    """Analyse one job seeker's new mail and refresh their leads."""
    from watcher.pipeline import after_sync

    fleet = _require_fleet()
    try:
        seeker = registry.job_seeker(fleet, user)
    except UsageError:
        return
    with user_claim(fleet, user) as mine:
        if not mine:
            # a paused worker is still at it: ask again, the scheduler queues it later
            registry.flag_analysis(fleet, user)
            return
        after_sync(seeker.settings, registry.user_sessions(fleet, seeker.schema), SystemClock())


def digest_job(user: str) -> None:
    """Send one job seeker's digest for their local today, exactly once (the personal
    digest's row-before-SMTP mechanism makes a retry after a crash safe)."""
    from watcher.commands.digest import send_due_digest

    fleet = _require_fleet()
    try:
        seeker = registry.job_seeker(fleet, user)
    except UsageError:
        return
    clock = SystemClock()
    sessions = registry.user_sessions(fleet, seeker.schema)
    with user_claim(fleet, user) as mine:
        if not mine:
            # a paused worker may be half-way through sending it: the day stays undone,
            # so the scheduler queues it again and it is sent once that one has finished
            return
        try:
            sent_now = send_due_digest(seeker.settings, sessions, clock)
        except DigestSendError:
            raise  # the retry strategy tries again; the row keeps it exactly-once
    now = clock.now()
    local = now.astimezone(seeker.settings.zone)
    if local.time() >= _digest_time(seeker.settings.digest.time):
        registry.record_digest(fleet, user, local.date(), now if sent_now else None)
        if sent_now:
            log.info("%s: digest sent", user)


# --- the scheduler tick (one per TICK_SECONDS across all workers) --------------------------


async def tick(context: procrastinate.JobContext, timestamp: int) -> None:
    """Queue due syncs, analyses and digests; requeue the jobs of workers that died."""
    app = context.app
    await _requeue_stalled(app)
    if timestamp % 3600 < TICK_SECONDS:
        # an account's sync every few minutes and a tick every few seconds: finished jobs
        # are kept an hour for inspection, then go
        await app.job_manager.delete_old_jobs(
            nb_hours=FINISHED_JOBS_KEPT_HOURS, include_failed=True
        )
    fleet = _require_fleet()
    now = datetime.now(UTC)
    for due in await asyncio.to_thread(registry.claim_due_syncs, fleet, now):
        await _defer(
            app,
            SYNC_TASK,
            lock=account_lock(due.user, due.account),
            queueing_lock=f"sync:{due.user}:{due.account}",
            user=due.user,
            account=due.account,
        )
    for user in await asyncio.to_thread(registry.claim_pending_analyses, fleet):
        await _defer(
            app, ANALYSE_TASK, lock=user_lock(user), queueing_lock=f"analyse:{user}", user=user
        )
    for schedule in await asyncio.to_thread(registry.digest_schedules, fleet):
        if digest_due(schedule, now):
            await _defer(
                app,
                DIGEST_TASK,
                lock=user_lock(schedule.user),
                queueing_lock=f"digest:{schedule.user}",
                user=schedule.user,
            )


def digest_due(schedule: registry.DigestSchedule, now: datetime) -> bool:
    """Pure: is it past the digest time in the job seeker's zone on a day not yet done?"""
    local = now.astimezone(ZoneInfo(schedule.zone))
    if local.time() < _digest_time(schedule.digest_time):
        return False
    return schedule.last_digest_day is None or schedule.last_digest_day < local.date()


async def _defer(
    app: procrastinate.App, task_name: str, *, lock: str, queueing_lock: str, **kwargs: Any
) -> None:
    task = app.tasks[task_name]
    # one waiting already (its queueing lock): the queue does not pile up
    with contextlib.suppress(queue_errors.AlreadyEnqueued):
        await task.configure(lock=lock, queueing_lock=queueing_lock).defer_async(**kwargs)


async def _requeue_stalled(app: procrastinate.App) -> None:
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS)
    for job in stalled:
        assert job.id is not None
        try:
            await manager.retry_job(job)
            log.warning("job %s (%s) of a dead worker queued again", job.id, job.task_name)
        except queue_errors.ProcrastinateException:
            # the same work is already queued (its queueing lock): close the dead one so
            # its lock no longer holds the queued one back
            await manager.finish_job_by_id_async(job.id, status=Status.FAILED, delete_job=False)
            log.warning("job %s (%s) of a dead worker closed: queued again", job.id, job.task_name)


def _digest_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
