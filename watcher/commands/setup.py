"""Commands that set things up: init, config check, db upgrade."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from watcher.commands.context import console, err_console, print_json, state
from watcher.errors import UsageError

if TYPE_CHECKING:
    from watcher.config import Settings
    from watcher.config_check import CheckResult

SAMPLE_CONFIG = """\
# followup configuration. Only [[account]] is required; every other key shows its default.
# Docs: `followup --help`, and the README.

[[account]]
name = "personal"                 # unique; used in messages and the CLI
host = "imap.example.org"
# port = 993                      # default from tls: 993 implicit, 143 starttls
tls = "implicit"                  # implicit | starttls | none (none: loopback only)
ca_file = ""                      # extra CA bundle; empty = system store
username = "alex@example.org"
addresses = ["alex@example.org"]  # your own addresses: mail from them is outbound
password_command = "pass show mail/imap"   # or: keyring = true | password_env = "VAR"
# oauth2_token_command = "oama access alex@gmail.com"   # Gmail / Microsoft 365
folders = "auto"                  # auto = INBOX + the \\Sent folder; or a list
since_days = 120                  # how far back the first sync looks
# maildir = "/home/alex/Mail/personal"   # a local Maildir instead of IMAP

# [smtp]                          # needed only to send the digest
# host = "smtp.example.org"
# port = 587
# tls = "starttls"                # implicit | starttls | none (loopback only)
# username = "alex@example.org"
# password_command = "pass show mail/smtp"
# from = "followup <alex@example.org>"

[digest]
# to = "alex@example.org"         # default: the first account's first address
time = "08:00"
timezone = "America/New_York"     # also the time zone for all date logic
send_empty = false
drafts = false                    # APPEND suggested messages to Drafts

[policy]
business_days = true
thank_you = true
first_nudge_days = 2              # nudge window opens this many days after the interview
nudge_due_days = 3
grace_days = 1                    # after a promised date
max_nudges = 2
min_gap_days = 7
give_up_days = 7
stale_days = 30
# holidays_country = "US"

[database]
# url = "sqlite:////home/alex/.local/share/followup/followup.db"   # the default
# url = "postgresql+psycopg://followup@localhost/followup"
"""


_SAMPLE_ZONE = "America/New_York"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file created with mode 0600 (atomically, via a temp file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(path)


def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing config.")] = False,
) -> None:
    """Write a commented config file (mode 0600) and create the database."""
    # imported when used: keeps `followup --help` fast
    from watcher.config import parse_settings
    from watcher.store.db import make_engine, upgrade

    app_state = state(ctx)
    path = app_state.resolved_config_path
    if path.exists() and not force:
        raise UsageError(f"{path} already exists; edit it, or pass --force to overwrite it")
    zone, country = proposed_zone()
    text = sample_config(zone, country)
    settings = parse_settings(text, None)  # the sample must stay valid
    _write_private(path, text)
    url = settings.database.effective_url
    upgrade(make_engine(url))
    if app_state.json_output:
        print_json({"config": str(path), "database": url, "timezone": zone, "holidays": country})
        return
    out = console()
    out.print(f"wrote {path}\ncreated database {url}")
    holidays = f"public holidays of {country} are days off" if country else "no public holidays"
    out.print(f"time zone {zone}; {holidays} (holidays_country in \\[policy])")
    out.print("next: edit the \\[\\[account]] section, then run `followup config check`")


def proposed_zone() -> tuple[str, str | None]:
    """This machine's zone if it is a place (else the example's), and that place's holidays."""
    from watcher.config import FALLBACK_ZONE, holidays_country_for, local_zone_name, zone_countries

    countries = zone_countries()
    local = local_zone_name()
    zone = local if local in countries else FALLBACK_ZONE
    return zone, holidays_country_for(zone, countries)


def sample_config(zone: str, country: str | None) -> str:
    """The commented config `init` writes, with the time zone and holidays proposed."""
    text = SAMPLE_CONFIG.replace(
        f'timezone = "{_SAMPLE_ZONE}"     #', f"timezone = {json.dumps(zone)}     #"
    )
    if country:
        text = text.replace(
            '# holidays_country = "US"',
            f"holidays_country = {json.dumps(country)}          # from timezone; remove to work "
            "through public holidays",
        )
    return text


# Shown as "secret" (the program's name only): a command line may carry a secret itself.
_SECRET_FIELDS = {"password", "password_command", "oauth2_token_command"}


def _masked(settings: Settings) -> dict[str, object]:
    """The effective settings as plain data; secrets replaced by where they come from."""
    accounts = []
    for account in settings.accounts:
        data = account.model_dump(exclude=_SECRET_FIELDS)
        data["port"] = account.effective_port
        data["secret"] = account.secret_source()
        accounts.append(data)
    smtp = None
    if settings.smtp is not None:
        smtp = settings.smtp.model_dump(exclude=_SECRET_FIELDS, by_alias=True)
        smtp["port"] = settings.smtp.effective_port
        smtp["secret"] = settings.smtp.secret_source()
    return {
        "config": str(settings.path),
        "account": accounts,
        "smtp": smtp,
        "digest": settings.digest.model_dump(),
        "policy": settings.policy.model_dump(),
        "database": {"url": settings.database.effective_url},
        "warnings": list(settings.warnings),
    }


def config_check(
    ctx: typer.Context,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Check the file only; do not log in to the servers."),
    ] = False,
) -> None:
    """Validate the config, print the effective settings (secrets masked), and log in.

    Logs in to each account (read-only) and the SMTP server, and lists the folders it will
    read; one line per problem. Exit 2 when the file itself is wrong (example host,
    missing username or ca_file, password program not installed), 1 when a server
    refuses the login or cannot be reached. --offline checks only what needs no server.
    """
    from watcher.config_check import check_settings

    app_state = state(ctx)
    settings = app_state.settings()
    data = _masked(settings)
    results = check_settings(settings, connect=not offline)
    failed = [r for r in results if not r.ok]
    if app_state.json_output:
        data["checks"] = [{"target": r.target, "ok": r.ok, "detail": r.detail} for r in results]
        print_json(data)
        if failed:
            raise typer.Exit(_check_exit(failed))
        return
    out = console()
    out.print(f"[green]file ok[/]: {escape(str(settings.path))}")
    for section, values in data.items():
        if section in ("config", "warnings"):
            continue
        items = values if isinstance(values, list) else [values]
        for item in items:
            if item is None:
                out.print(f"[bold]\\[{section}][/] (not set)")
                continue
            out.print(f"[bold]\\[{section}][/]")
            assert isinstance(item, dict)
            for key, value in item.items():
                out.print(f"  {key} = {escape(repr(value))}")
    for result in results:
        if result.ok:
            out.print(f"[green]ok[/]: {escape(result.line)}")
        else:
            err_console().print(f"[red]error:[/] {escape(result.line)}", soft_wrap=True)
    if failed:
        raise typer.Exit(_check_exit(failed))


def _check_exit(failed: list[CheckResult]) -> int:
    """2 when the file itself is wrong (bad input), else 1 (a server refused or is down)."""
    return 2 if any(r.bad_input for r in failed) else 1


def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending database migrations (also done on every start); safe to repeat."""
    # imported when used: keeps `followup --help` fast
    from watcher.store.db import current_revision, head_revision, make_engine, upgrade

    app_state = state(ctx)
    url = app_state.settings().database.effective_url
    engine = make_engine(url)
    applied = upgrade(engine)
    revision = current_revision(engine)
    if app_state.json_output:
        print_json({"database": url, "revision": revision, "applied": applied})
    else:
        word = "upgraded to" if applied else "already at"
        console().print(f"database {word} revision {revision} (head {head_revision()})")


def register(app: typer.Typer) -> None:
    app.command()(init)
    config_app = typer.Typer(help="Check the configuration.", no_args_is_help=True)
    config_app.command("check")(config_check)
    app.add_typer(config_app, name="config")
    db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
    db_app.command("upgrade")(db_upgrade)
    app.add_typer(db_app, name="db")
