"""`followup fleet add/remove/list` and `followup worker`: many job seekers on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from watcher.commands.context import console, print_json, print_table, state


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The job seeker's name in the fleet.")],
    file: Annotated[
        Path, typer.Argument(help="Their config file: accounts, smtp, digest, policy.")
    ],
    history: Annotated[
        bool,
        typer.Option(
            "--import",
            help="Also bring in their history from their personal database, the one FILE's "
            "database url names (SQLite: copied; PostgreSQL: upgraded in place).",
        ),
    ] = False,
) -> None:
    """Register a job seeker (or replace their settings) from their config file.

    Secrets are stored only as references (password_command, keyring, password_env);
    a config with a plain-text password is refused. With --import, a job seeker who ran
    followup on their own joins with their messages, detections, leads, corrections,
    digests and folder cursors: nothing is downloaded again, today's digest is not sent
    twice. Stop their own `followup run` first.
    """
    from watcher.fleet.registry import add_job_seeker

    app_state = state(ctx)
    if history:
        from watcher.fleet.personal import import_personal

        imported = import_personal(app_state.fleet(), name, file, app_state.clock().now())
        console().print(imported.summary(name), markup=False, soft_wrap=True)
        return
    created = add_job_seeker(app_state.fleet(), name, file, app_state.clock().now())
    console().print(f"{'added' if created else 'updated'} {name}", markup=False)


def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The job seeker to remove, with all their data.")],
) -> None:
    """Remove a job seeker: their settings, mail, leads and digests."""
    from watcher.fleet.registry import remove_job_seeker

    remove_job_seeker(state(ctx).fleet(), name)
    console().print(f"removed {name}", markup=False)


def list_(ctx: typer.Context) -> None:
    """The fleet's job seekers: accounts, messages, leads, last sync, last digest."""
    from watcher.fleet.registry import summaries

    app_state = state(ctx)
    rows = summaries(app_state.fleet())
    if app_state.json_output:
        print_json(rows)
        return
    print_table(rows, ["name", "accounts", "messages", "leads", "last_sync", "last_digest"])


def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=64, help="Jobs run at once.")
    ] = 1,
    per_host: Annotated[
        int,
        typer.Option(
            "--connections-per-host",
            min=1,
            help="IMAP connections to one server from the whole fleet at once.",
        ),
    ] = 8,
) -> None:
    """A fleet worker: syncs accounts, analyses mail, sends digests (run any number)."""
    from watcher.fleet.jobs import run_worker
    from watcher.fleet.registry import fleet_database_url, open_fleet

    url = fleet_database_url(state(ctx).resolved_config_path)
    # per job thread: its work, its account claim and its host slot; plus the scheduler's
    # and one spare
    run_worker(open_fleet(url, pool_size=3 * concurrency + 2), concurrency, per_host)


def register(app: typer.Typer) -> None:
    fleet_app = typer.Typer(
        help="Many job seekers in one PostgreSQL database (a career service).",
        no_args_is_help=True,
    )
    fleet_app.command("add")(add)
    fleet_app.command("remove")(remove)
    fleet_app.command("list")(list_)
    app.add_typer(fleet_app, name="fleet")
    app.command()(worker)
