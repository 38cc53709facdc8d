"""`followup run` (the service) and `followup service install` (the systemd user unit)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import platformdirs
import typer

from watcher.commands.context import print_json, state
from watcher.errors import ConfigError

if TYPE_CHECKING:
    from watcher.config import AccountSettings, Settings, SmtpSettings

# The config (pydantic), SQLAlchemy and the service are imported in the functions that use
# them: keeps `followup --help` fast.


def run(ctx: typer.Context) -> None:
    """Run the service: sync on IDLE or poll, analyse, decide, send the digest on schedule.

    SIGTERM/SIGINT stop it cleanly within 5 s, SIGHUP reloads the config (a broken one is
    reported and the old one kept). Logs go to stderr, one line an event (--verbose for
    more, --quiet for warnings only). One instance per database: a second one exits 1.
    Meant for systemd (Type=notify, watchdog); see `followup service install`.
    """
    from watcher.config import load_settings
    from watcher.daemon import Service, stderr_is_journal, use_journal_priorities, use_timestamps
    from watcher.service import default_parts

    app_state = state(ctx)
    path = app_state.resolved_config_path
    if stderr_is_journal():
        use_journal_priorities()
    else:
        use_timestamps()
    service = Service(
        load_settings=lambda: load_settings(path), clock=app_state.clock(), parts=default_parts()
    )
    service.install_signal_handlers()
    # a broken config at start is a ConfigError from run(): one line and exit 2
    raise typer.Exit(service.run())


TEMPLATE_EXEC = "ExecStart=%h/.local/bin/followup run"
TEMPLATE_PATHS = "ReadWritePaths=-%h/.local/share/followup -%h/.config/followup"


def _unit_word(path: Path) -> str:
    """A path as one word of a unit file line: % escaped, quoted when it has blanks."""
    text = str(path).replace("%", "%%")
    if any(c in text for c in ' \t"\\'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def unit_text(executable: Path, config: Path | None = None, writable: Sequence[Path] = ()) -> str:
    """The shipped user unit with ExecStart pointing at this installation.

    ``config``: a config file other than the default one, passed with --config;
    ``writable``: more directories the service writes (a SQLite database elsewhere).
    """
    template = resources.files("watcher").joinpath("units/followup.service").read_text()
    command = f"ExecStart={_unit_word(executable)} run"
    if config is not None:
        command += f" --config {_unit_word(config)}"
    paths = " ".join([TEMPLATE_PATHS, *(f"-{_unit_word(p)}" for p in writable)])
    return template.replace(TEMPLATE_EXEC, command).replace(TEMPLATE_PATHS, paths)


def _executable() -> Path:
    """This installation's `followup` script: beside the running Python first (a venv)."""
    beside = Path(sys.executable).parent / "followup"
    if beside.exists():
        return beside.absolute()
    found = shutil.which("followup")
    return Path(found).absolute() if found else beside


def _own_dirs() -> list[Path]:
    from watcher.config import APP_NAME, default_data_dir

    return [default_data_dir(), Path(platformdirs.user_config_dir(APP_NAME))]


def _extra_writable(config: Path) -> list[Path]:
    """The SQLite database's directory, when the config puts it outside our own dirs."""
    from sqlalchemy.engine import make_url

    from watcher.config import load_settings

    try:
        settings = load_settings(config)
    except ConfigError:
        return []
    url = make_url(settings.database.effective_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return []
    folder = Path(url.database or "").expanduser().absolute().parent
    if any(folder.is_relative_to(own) for own in _own_dirs()):
        return []
    return [folder]


_TRUE = ("yes", "true", "on", "1")
_TMP_DIRS = (Path("/tmp"), Path("/var/tmp"))
_HOME_DIRS = (Path("/home"), Path("/root"), Path("/run/user"))


def _unit_settings(unit: str) -> dict[str, str]:
    """The [Service] section's keys (the last value of each wins, as in systemd)."""
    found: dict[str, str] = {}
    section = ""
    for raw in unit.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith(("#", ";")):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def sandbox_warnings(unit: str, paths: Sequence[tuple[str, Path]]) -> list[str]:
    """What the unit's sandbox would hide from the service, one line per path.

    PrivateTmp gives the service an empty /tmp and /var/tmp of its own; ProtectHome=yes
    or tmpfs hides /home, /root and /run/user (read-only still lets it read them).
    """
    settings = _unit_settings(unit)
    private_tmp = settings.get("PrivateTmp", "no").lower() in _TRUE
    protect_home = settings.get("ProtectHome", "no").lower()
    hidden_home = protect_home in (*_TRUE, "tmpfs")
    warnings: list[str] = []
    for what, path in paths:
        if private_tmp and any(path.is_relative_to(d) for d in _TMP_DIRS):
            warnings.append(
                f"{what} {path} is under /tmp, which the unit's PrivateTmp=yes replaces with "
                "an empty directory: the service will not find it; move it out of /tmp"
            )
        elif hidden_home and any(path.is_relative_to(d) for d in _HOME_DIRS):
            warnings.append(
                f"{what} {path} is under {path.parts[1] if len(path.parts) > 1 else '/'}, which "
                f"the unit's ProtectHome={protect_home} hides: the service will not find it"
            )
    return warnings


def _command_files(command: str | None) -> Iterator[Path]:
    """Files a password or token command names (`cat /tmp/pw`, `gpg -d ~/pw.gpg`)."""
    try:
        words = shlex.split(command or "")
    except ValueError:
        return
    for word in words:
        if word.startswith(("/", "~")):
            yield Path(word).expanduser()


def service_paths(settings: Settings, executable: Path) -> list[tuple[str, Path]]:
    """Every file or directory the service needs to read, named for a message."""
    from sqlalchemy.engine import make_url

    found: list[tuple[str, Path]] = [("the followup program", executable)]
    sections: list[tuple[str, AccountSettings | SmtpSettings]] = [
        (f"account {a.name!r}", a) for a in settings.accounts
    ]
    if settings.smtp is not None:
        sections.append(("[smtp]", settings.smtp))
    for owner, section in sections:
        if section.ca_file:
            found.append((f"{owner} ca_file", Path(section.ca_file).expanduser()))
        for key in ("password_command", "oauth2_token_command"):
            found += [(f"{owner} {key} file", p) for p in _command_files(getattr(section, key))]
        maildir = getattr(section, "maildir", None)
        if maildir:
            found.append((f"{owner} maildir", Path(maildir).expanduser()))
    url = make_url(settings.database.effective_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        found.append(("the database", Path(url.database or "").expanduser()))
    return [(what, path.absolute()) for what, path in found]


def _sandbox_problems(config: Path, unit: str, executable: Path) -> list[str]:
    from watcher.config import load_settings

    try:
        settings = load_settings(config)
    except ConfigError:
        return sandbox_warnings(unit, [("the followup program", executable)])
    return sandbox_warnings(unit, service_paths(settings, executable))


def _user_manager() -> str | None:
    """systemctl, when systemd's user instance is running for us (else None)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    systemctl = shutil.which("systemctl")
    if not runtime or systemctl is None or not (Path(runtime) / "systemd" / "private").exists():
        return None
    return systemctl


def install(
    ctx: typer.Context,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the unit instead of installing it.")
    ] = False,
) -> None:
    """Write the systemd user unit for this installation and say what to run next.

    The unit runs `followup run` from this installation (with --config when you gave one).
    Where systemd's user instance runs, it is reloaded; elsewhere the commands are printed.
    """
    from watcher.config import APP_NAME

    app_state = state(ctx)
    config = app_state.resolved_config_path.expanduser().absolute()
    default = (Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml").absolute()
    explicit = None if config == default else config
    writable = _extra_writable(config) if config.exists() else []
    text = unit_text(_executable(), explicit, writable)
    warnings = _sandbox_problems(config, text, _executable()) if config.exists() else []
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    if print_only:
        sys.stdout.write(text)
        return
    target = Path(platformdirs.user_config_dir("systemd")) / "user" / "followup.service"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    for folder in _own_dirs():  # the unit makes them writable; a missing one stays read-only
        folder.mkdir(parents=True, exist_ok=True)
    systemctl = _user_manager()
    reloaded = False
    if systemctl is not None:
        done = subprocess.run(
            [systemctl, "--user", "daemon-reload"], capture_output=True, text=True, check=False
        )
        reloaded = done.returncode == 0
    steps = [] if reloaded else ["systemctl --user daemon-reload"]
    steps.append("systemctl --user enable --now followup")
    if not config.exists():
        steps.insert(0, "followup init" + (f" --config {explicit}" if explicit else ""))
    if app_state.json_output:
        print_json({"unit": str(target), "reloaded": reloaded, "next": steps, "warnings": warnings})
        return
    # plain echo: paths are neither wrapped nor read as markup
    typer.echo(f"wrote {target}")
    if reloaded:
        typer.echo("systemd (user instance) reloaded.")
    else:
        typer.echo("systemd's user instance is not running here, so nothing was reloaded.")
    typer.echo("next, run:")
    for step in steps:
        typer.echo(f"  {step}")
    typer.echo("logs: journalctl --user -u followup -f")
    typer.echo("to keep it running while you are logged out: loginctl enable-linger")


def register(app: typer.Typer) -> None:
    app.command()(run)
    service_app = typer.Typer(help="Install the systemd user service.", no_args_is_help=True)
    service_app.command("install")(install)
    app.add_typer(service_app, name="service")
