"""The typer app: global options, one error handler, and the commands' registration."""

from __future__ import annotations

import inspect
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup, TyperOption

from watcher import __version__
from watcher.commands.context import AppState, err_console
from watcher.errors import WatcherError
from watcher.terminal import PrintableFormatter, printable

# Global options are accepted anywhere on the line (`followup leads --json --now D`):
# the root group moves them in front of the subcommand before parsing.
_GLOBAL_WITH_VALUE = ("--config", "--now", "--user")
_GLOBAL_FLAGS = ("--json", "--debug", "--verbose", "-v", "--quiet", "-q")


def hoist_global_options(args: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if name in _GLOBAL_WITH_VALUE:
            if "=" in arg:
                front.append(arg)
            elif index + 1 < len(args):
                front.extend(args[index : index + 2])
                index += 1
            else:
                rest.append(arg)
        elif arg in _GLOBAL_FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return front + rest


def report_error(error: WatcherError, debug: bool) -> int:
    """Print a one-line message for a known error; the traceback only with --debug."""
    if debug:
        err_console().print_exception()
    message = str(error).replace("\n", " ")
    err_console().print(
        f"[red]error:[/] {escape(printable(message))}", highlight=False, soft_wrap=True
    )
    return error.exit_code


def unwrap_help(text: str) -> str:
    """Docstring paragraphs as single lines, so the help re-wraps them to the terminal.

    Typer keeps the hard line breaks of every paragraph after the first, and rich then wraps
    each source line on its own: "one is" / "reported ..." on an 80-column terminal.
    Lines that start a list item ("- ...", "  ...") keep their break.
    """
    paragraphs = inspect.cleandoc(text).split("\n\n")
    joined = []
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        out = lines[:1]
        for line in lines[1:]:
            if line.startswith(("-", "*", " ", "\b")) or out[-1].startswith("\b"):
                out.append(line)
            else:
                out[-1] = f"{out[-1]} {line}"
        joined.append("\n".join(out))
    return "\n\n".join(joined)


def _tidy_help(command: Any) -> None:  # a click Command or Group
    if command.help:
        command.help = unwrap_help(command.help)
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


_typed_display = TyperOption.display_type_rich


def _flag_display(self: TyperOption, ctx: Any) -> str | None:
    """A flag takes no value: show no type (typer 0.29 shows `--json <bool>`)."""
    return None if self.is_flag else _typed_display(self, ctx)


TyperOption.display_type_rich = _flag_display  # type: ignore[method-assign]


class FollowupGroup(TyperGroup):
    """Root group: global options anywhere, WatcherError mapped to exit codes."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # a click Context
        _tidy_help(self)
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: Any) -> Any:  # a click Context
        try:
            return super().invoke(ctx)
        except WatcherError as error:
            debug = isinstance(ctx.obj, AppState) and ctx.obj.debug
            ctx.exit(report_error(error, debug))
        except KeyboardInterrupt:
            err_console().print("interrupted")
            ctx.exit(130)


app = typer.Typer(
    cls=FollowupGroup,
    help="Watches your job-search mail and tells you whom to nudge, whom to wait for, "
    "and which leads to let go.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _version(value: bool) -> None:
    if value:
        typer.echo(f"followup {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            envvar="FOLLOWUP_CONFIG",
            help="Config file (default: followup/config.toml in the user config dir).",
            dir_okay=False,
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            envvar="FOLLOWUP_NOW",
            help="Decide as if it were this moment (ISO 8601; no offset = your time zone).",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="FOLLOWUP_USER",
            help="Act on this job seeker of the fleet that --config's [database] holds.",
        ),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Machine-readable output instead of tables.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log output.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options; every command accepts them before or after its name."""
    ctx.obj = AppState(
        config_path=config, now_text=now, json_output=json_output, debug=debug, user=user or None
    )
    # The service logs what it does; other commands print results and keep the log for trouble.
    usual = logging.INFO if ctx.invoked_subcommand == "run" else logging.WARNING
    ours = logging.DEBUG if verbose or debug else logging.WARNING if quiet else usual
    # --verbose is about our own steps; libraries stay at INFO unless --debug
    libraries = logging.DEBUG if debug else min(ours, logging.INFO) if verbose else ours
    handler = _CurrentStderrHandler()
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=libraries, handlers=[handler], force=True)
    for name in ("followup", "watcher", "nlp"):
        logging.getLogger(name).setLevel(ours)
    for noisy in ("imapclient", "mailparser", "alembic", "asyncio"):
        logging.getLogger(noisy).setLevel(max(libraries, logging.WARNING))


def _register() -> None:
    """Add each topic's commands, in the order `--help` lists them."""
    from watcher.commands import demo, digest, fleet, leads, mail, nlp, overrides, service, setup

    for topic in (setup, mail, service, leads, overrides, digest, nlp, demo, fleet):
        topic.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    # pydantic reads every installed package's metadata looking for plugins when the
    # first model is built (tens of ms on each command); followup uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()
