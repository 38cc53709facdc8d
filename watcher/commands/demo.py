"""`followup demo`: the whole pipeline on the bundled sample mailbox, week by week."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from watcher.commands.context import console, print_json, state
from watcher.terminal import printable


def demo(
    ctx: typer.Context,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", help="Keep the demo's Maildir, config and database in this dir."),
    ] = None,
    digest: Annotated[
        bool, typer.Option("--digest/--no-digest", help="Show the digest preview at each step.")
    ] = True,
) -> None:
    """Run the whole pipeline on a bundled five-week job search; no server or config needed."""
    # imported here: spaCy and the pipeline would slow every other command's start
    from watcher.clock import FixedClock
    from watcher.commands.digest import preview_digest
    from watcher.commands.leads import lead_rows
    from watcher.demo import STEPS, ZONE, bundled_messages, deliver_until, demo_home, demo_settings
    from watcher.ingest import sync_configured_account
    from watcher.pipeline import after_sync
    from watcher.refresh import refresh_leads
    from watcher.store.db import dispose_all, open_database, transaction

    app_state = state(ctx)
    quiet = logging.getLogger("followup")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # the steps say what happened
    out = console()
    messages = bundled_messages()
    steps: list[dict[str, Any]] = []
    with demo_home(keep) as root:
        settings = demo_settings(root)
        sessions = open_database(settings.database.effective_url)
        account = settings.accounts[0]
        try:
            for moment in STEPS:
                clock = FixedClock(moment)
                arrived = deliver_until(messages, root / "Maildir", moment)
                report = sync_configured_account(account, sessions, clock)
                after_sync(settings, sessions, clock)
                with transaction(sessions) as session:
                    rows = lead_rows(refresh_leads(session, settings, moment), moment, True)
                preview = preview_digest(settings, sessions, moment) if digest else None
                step = {
                    "now": moment.isoformat(),
                    "new_messages": [
                        {"date": m.arrives.isoformat(), "from": m.sender, "subject": m.subject}
                        for m in arrived
                    ],
                    "stored": report.new,
                    "leads": rows,
                }
                steps.append(step)
                if not app_state.json_output:
                    _show_step(moment.astimezone(ZONE).strftime("%A %d %B %Y, %H:%M"), step,
                               preview.rendered.text if preview else None)  # fmt: skip
        finally:
            dispose_all()
            quiet.setLevel(level)
        if app_state.json_output:
            print_json(steps)
        else:
            where = f"files kept in {root}" if keep else "files removed (--keep DIR keeps them)"
            out.print(
                f"\ndemo finished: {len(messages)} messages, {len(steps)} steps; {escape(where)}"
            )
            if keep:
                out.print(
                    "look around: followup leads --all --config "
                    f"{escape(str(root / 'config.toml'))} --now {STEPS[-1].isoformat()}"
                )


def _show_step(title: str, step: dict[str, Any], digest_text: str | None) -> None:
    from rich.rule import Rule  # imported here: only the demo draws rules

    out = console()
    out.print(Rule(f"[bold]{title}[/]"))
    if step["new_messages"]:
        out.print("[bold]New mail since the last step:[/]")
        for message in step["new_messages"]:
            sender = escape(printable(message["from"], one_line=True))
            subject = escape(printable(message["subject"], one_line=True))
            out.print(f"  {message['date'][:16].replace('T', ' ')}  {sender}: {subject}")
    else:
        out.print("no new mail since the last step")
    out.print("[bold]Leads:[/]")
    for lead in step["leads"]:
        due = f" (due {lead['due']})" if lead["due"] else ""
        out.print(
            f"  #{lead['id']} [bold]{escape(printable(lead['company'] or '?'))}[/]: "
            f"[cyan]{lead['action']}[/]{due}. {escape(printable(lead['reason']))}"
        )
    if digest_text:
        out.print(Rule("digest preview", style="dim"))
        out.print(printable(digest_text.rstrip()), markup=False)


def register(app: typer.Typer) -> None:
    app.command()(demo)
