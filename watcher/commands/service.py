"""`followup run` (the service) and `followup service install` (the systemd user unit)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import platformdirs
import typer

from watcher.commands.context import console, print_json, state
from watcher.config import load_settings


def run(ctx: typer.Context) -> None:
    """Run the service: sync on IDLE or poll, analyse, decide, send the digest on schedule.

    SIGTERM/SIGINT stop it cleanly, SIGHUP reloads the config. Meant for systemd
    (Type=notify); see `followup service install`.
    """
    from watcher.daemon import Service, stderr_is_journal, use_journal_priorities
    from watcher.service import default_parts

    app_state = state(ctx)
    path = app_state.resolved_config_path
    if stderr_is_journal():
        use_journal_priorities()
    service = Service(
        load_settings=lambda: load_settings(path), clock=app_state.clock(), parts=default_parts()
    )
    service.install_signal_handlers()
    # a broken config at start is a ConfigError from run(): one line and exit 2
    raise typer.Exit(service.run())


def unit_text(executable: Path) -> str:
    """The shipped user unit with ExecStart pointing at this installation."""
    template = resources.files("watcher").joinpath("units/followup.service").read_text()
    return template.replace("ExecStart=%h/.local/bin/followup run", f"ExecStart={executable} run")


def _executable() -> Path:
    found = shutil.which("followup")
    if found:
        return Path(found).resolve()
    return Path(sys.executable).parent / "followup"


def install(
    ctx: typer.Context,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the unit instead of installing it.")
    ] = False,
) -> None:
    """Write the systemd user unit, reload systemd and say what to run next."""
    app_state = state(ctx)
    text = unit_text(_executable())
    unit_dir = Path(platformdirs.user_config_dir("systemd")) / "user"
    target = unit_dir / "followup.service"
    if print_only:
        sys.stdout.write(text)
        return
    systemctl = shutil.which("systemctl")
    unit_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    reloaded = False
    if systemctl:
        result = subprocess.run(
            [systemctl, "--user", "daemon-reload"], capture_output=True, text=True, check=False
        )
        reloaded = result.returncode == 0
    next_step = "systemctl --user enable --now followup"
    if app_state.json_output:
        print_json({"unit": str(target), "reloaded": reloaded, "next": next_step})
        return
    out = console()
    out.print(f"wrote {target}")
    if reloaded:
        out.print(f"systemd reloaded; next: {next_step}")
    else:
        out.print("systemd (user instance) is not reachable here, so nothing was reloaded.")
        out.print(f"on a systemd machine run: systemctl --user daemon-reload && {next_step}")
    out.print("logs: journalctl --user -u followup -f")


def register(app: typer.Typer) -> None:
    app.command()(run)
    service_app = typer.Typer(help="Install the systemd user service.", no_args_is_help=True)
    service_app.command("install")(install)
    app.add_typer(service_app, name="service")
