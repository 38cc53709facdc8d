"""`followup sync` (fetch, store, analyse) and `followup status` (what is stored, per folder)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from watcher.commands.context import AppState, console, err_console, print_json, print_table, state
from watcher.errors import MailSourceError
from watcher.terminal import printable

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.orm import Session, sessionmaker

    from watcher.ingest import AccountReport
    from watcher.ingest import Progress as ProgressCallback
    from watcher.store.messages import FolderCounts

log = logging.getLogger("followup.sync")


def sync(
    ctx: typer.Context,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Sync once and exit (the only mode; `followup run` keeps going)."
        ),
    ] = False,
) -> None:
    """Fetch new mail of every account (read-only), analyse it, and update leads."""
    # imported when used: keeps `followup --help` fast
    from watcher.ingest import sync_configured_account
    from watcher.instance_lock import InstanceLock, lock_path_for

    app_state = state(ctx)
    settings = app_state.settings()
    sessions = app_state.sessions()
    clock = app_state.clock()
    reports: list[AccountReport] = []
    # the service holds the same lock: two writers would race on the same folders
    with InstanceLock(lock_path_for(settings.database.effective_url)):
        with _progress(app_state) as bar:
            for account in settings.accounts:
                with _fleet_claim(app_state, account.name):
                    reports.append(
                        sync_configured_account(account, sessions, clock, bar(account.name))
                    )
        _after_sync(app_state, sessions)
    _print_reports(app_state, reports)
    problems = [problem for report in reports for problem in report.problems()]
    if problems:
        raise MailSourceError("sync failed: " + "; ".join(problems))


def _after_sync(app_state: AppState, sessions: sessionmaker[Session]) -> None:
    """Analyse what was stored and recompute leads (watcher.pipeline, the lead maintainer's).

    Guarded: until watcher.pipeline and the modules it imports exist, sync only stores mail.
    Remove the guard once they have landed.
    """
    try:
        from watcher.pipeline import after_sync

        after_sync(app_state.settings(), sessions, app_state.clock())
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("watcher."):
            raise
        log.warning("analysis skipped: %s is not there yet", exc.name)


class _Bars:
    """progress(folder, done, total) callbacks drawing one rich bar per account and folder."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[tuple[str, str], Any] = {}

    def __call__(self, account: str) -> ProgressCallback:
        def update(folder: str, done: int, total: int | None) -> None:
            key = (account, folder)
            if key not in self._tasks:
                self._tasks[key] = self._progress.add_task(f"{account} {folder}", total=total)
            self._progress.update(self._tasks[key], completed=done, total=max(total or 0, done))

        return update


@contextmanager
def _fleet_claim(app_state: AppState, account: str) -> Iterator[None]:
    """With --user: the account's fleet claim, so no worker reads the mailbox meanwhile."""
    if app_state.user is None:
        yield
        return
    from watcher.fleet.claims import account_claim

    with account_claim(app_state.fleet(), app_state.user, account) as mine:
        if not mine:
            raise MailSourceError(
                f"{account}: a fleet worker is reading this mailbox now; try again in a minute"
            )
        yield


@contextmanager
def _progress(app_state: AppState) -> Iterator[Any]:
    """A bar factory on a terminal; elsewhere (pipes, --json) a factory of no-ops."""
    err = err_console()
    if app_state.json_output or not err.is_terminal:
        yield lambda account: None
        return
    # imported for a terminal only: a piped or --json sync never draws a bar
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True) as progress:
        yield _Bars(progress)


def _print_reports(app_state: AppState, reports: list[AccountReport]) -> None:
    if app_state.json_output:
        print_json(
            {
                "accounts": [
                    {
                        "name": report.name,
                        "folders": [
                            {"folder": f.folder, "new": f.new, "failed": f.failed}
                            for f in report.folders
                        ],
                    }
                    for report in reports
                ]
            }
        )
        return
    out = console()
    for report in reports:
        if report.error is not None and not report.folders:
            out.print(f"{report.name}: [red]failed[/]", highlight=False)
        for f in report.folders:
            outcome = f"{f.new} new, {f.failed} failed" + (" [red](error)[/]" if f.error else "")
            out.print(f"{report.name} {f.folder}: {outcome}", highlight=False)


SHOWN_FAILURES = 5  # messages that could not be read, latest first, under `status`


def status(ctx: typer.Context) -> None:
    """Per account and folder: messages stored, failed to parse, last sync; totals."""
    from watcher.store.messages import folder_counts, lead_count, recent_failures

    app_state = state(ctx)
    settings = app_state.settings()
    with app_state.transaction() as session:
        counts = folder_counts(session)
        leads = lead_count(session)
        failures = recent_failures(session, SHOWN_FAILURES)
    names = [a.name for a in settings.accounts]
    names += sorted({c.account for c in counts} - set(names))  # synced, since removed from config
    zone = settings.zone
    data = {
        "messages": sum(c.messages for c in counts),
        "failed": sum(c.failed for c in counts),
        "leads": leads,
        "accounts": [
            {
                "name": name,
                "folders": [
                    {
                        "folder": c.folder,
                        "messages": c.messages,
                        "failed": c.failed,
                        "last_sync": _local(c.last_sync_at, zone),
                    }
                    for c in counts
                    if c.account == name
                ],
            }
            for name in names
        ],
    }
    if app_state.json_output:
        print_json(data)
        return
    print_table(_status_rows(names, counts, zone), ["account", "folder", "messages", "failed",
                "last sync", "result"])  # fmt: skip
    console().print(
        f"{data['messages']} messages ({data['failed']} failed to parse), {leads} leads",
        highlight=False,
    )
    for account, folder, uid, reason in failures:  # why, for the latest ones
        line = f"  failed: {account} {folder} UID {uid}: {reason}"
        console().print(printable(line, one_line=True), highlight=False, markup=False)


def _status_rows(
    names: list[str], counts: list[FolderCounts], zone: ZoneInfo
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in names:
        mine = [c for c in counts if c.account == name]
        if not mine:
            rows.append({"account": name, "folder": "", "result": "never synced"})
        for c in mine:
            at = _local(c.last_sync_at, zone)
            rows.append(
                {
                    "account": name,
                    "folder": c.folder,
                    "messages": c.messages,
                    "failed": c.failed,
                    "last sync": at.strftime("%Y-%m-%d %H:%M %Z") if at else "never",
                    "result": c.last_sync_result or "",
                }
            )
    return rows


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.astimezone(zone) if moment is not None else None


def register(app: typer.Typer) -> None:
    app.command()(sync)
    app.command()(status)
