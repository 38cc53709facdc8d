"""What every command gets: global options, lazily loaded settings, clock, database, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.markup import escape

from watcher.clock import Clock, FixedClock, SystemClock
from watcher.errors import UsageError
from watcher.terminal import printable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from watcher.config import Settings
    from watcher.fleet.registry import Fleet

# The config (pydantic) and the database (SQLAlchemy, alembic) are imported when first
# used: every `followup` invocation imports this module, most before they need either.


def parse_now(text: str, zone: ZoneInfo) -> datetime:
    """``--now``: ISO 8601; a value without an offset is local time in ``zone``."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"--now {text!r} is not an ISO-8601 date or time; use e.g. 2026-03-10T09:00"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value


@dataclass
class AppState:
    """Global options and the things built from them, created once per invocation."""

    config_path: Path | None = None
    now_text: str | None = None
    json_output: bool = False
    debug: bool = False
    user: str | None = None  # --user: a fleet's job seeker (watcher.fleet)
    _settings: Settings | None = field(default=None, repr=False)
    _clock: Clock | None = field(default=None, repr=False)
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False)
    _fleet: Fleet | None = field(default=None, repr=False)

    @property
    def resolved_config_path(self) -> Path:
        from watcher.config import default_config_path

        return self.config_path or default_config_path()

    def settings(self) -> Settings:
        """The config file's settings; a missing or broken file is a ConfigError."""
        if self._settings is None and self.user is not None:
            from watcher.fleet.registry import job_seeker

            self._settings = job_seeker(self.fleet(), self.user).settings
        if self._settings is None:
            from watcher.config import load_settings

            self._settings = load_settings(self.resolved_config_path)
            for warning in self._settings.warnings:
                err_console().print(f"[yellow]warning:[/] {warning}", highlight=False)
        return self._settings

    def settings_or_defaults(self) -> Settings:
        """Settings when a config exists, else the defaults (for detect, demo)."""
        if self._settings is None and not self.resolved_config_path.exists():
            from watcher.config import defaults_without_file

            return defaults_without_file()
        return self.settings()

    def clock(self) -> Clock:
        if self._clock is None:
            if self.now_text:
                zone = self.settings_or_defaults().zone
                self._clock = FixedClock(parse_now(self.now_text, zone))
            else:
                self._clock = SystemClock()
        return self._clock

    def sessions(self) -> sessionmaker[Session]:
        if self._sessions is None and self.user is not None:
            from watcher.fleet.registry import job_seeker, user_sessions

            seeker = job_seeker(self.fleet(), self.user)
            self._settings = self._settings or seeker.settings
            self._sessions = user_sessions(self.fleet(), seeker.schema)
        if self._sessions is None:
            from watcher.store.db import open_database

            self._sessions = open_database(self.settings().database.effective_url)
        return self._sessions

    def fleet(self) -> Fleet:
        """The fleet whose PostgreSQL the config's [database] names (fleet and --user)."""
        if self._fleet is None:
            from watcher.fleet.registry import fleet_database_url, open_fleet

            self._fleet = open_fleet(fleet_database_url(self.resolved_config_path))
        return self._fleet

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        from watcher.store.db import transaction

        with transaction(self.sessions()) as session:
            yield session


def state(ctx: typer.Context) -> AppState:
    obj = ctx.find_root().obj
    if not isinstance(obj, AppState):
        obj = AppState()
        ctx.find_root().obj = obj
    return obj


def console(width: int | None = None) -> Console:
    """Stdout: laid out for the terminal's width, or full lines when it is not a terminal.

    Piped or redirected output is read by programs and grep: text is never wrapped at an
    assumed 80 columns (rules and the like still are), and tables get ``width``.
    """
    out = Console(highlight=False, soft_wrap=False)
    if out.is_terminal:
        return out
    return Console(highlight=False, soft_wrap=True, width=max(width or 0, out.width))


def err_console() -> Console:
    return Console(stderr=True, highlight=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    """One JSON document on stdout (an object or an array), ISO dates."""
    sys.stdout.write(json.dumps(_jsonable(value), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_json_line(value: Any) -> None:
    """One line of JSON Lines, flushed so a reader sees it as it goes."""
    sys.stdout.write(json.dumps(_jsonable(value), ensure_ascii=False) + "\n")
    sys.stdout.flush()


MAX_CELL_CHARS = 2000


def _cell(value: Any) -> str:
    """Table cells are text, not rich markup: "[External] Re: ..." must stay as written."""
    if value is None:
        return ""
    text = printable(_jsonable(value))
    if len(text) > MAX_CELL_CHARS:  # a field from mail stored before fields were bounded
        text = text[: MAX_CELL_CHARS - 6] + " [...]"
    return escape(text)


def print_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    wrap: str | None = None,
    limits: Mapping[str, int] | None = None,
    droppable: Sequence[str] = (),
) -> None:
    """Rows as a rich table (the human form of a --json array).

    On a terminal the table fits its width: ``wrap`` (e.g. the reason) wraps, columns in
    ``limits`` are cut to that many cells, ``droppable`` ones make way when still too
    narrow (see layout.plan_columns). Not on a terminal, every cell is printed whole.
    """
    from rich.cells import cell_len
    from rich.table import Table  # here: most commands print no table

    from watcher.commands.layout import overhead, plan_columns

    out = console()
    cells = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    natural = {
        c: max([cell_len(c), *(cell_len(line) for r in cells for line in _plain(r[c]))])
        for c in columns
    }
    if out.is_terminal:
        layout = plan_columns(natural, out.width, wrap=wrap, limits=limits, droppable=droppable)
        if layout.squeezed:  # too narrow for a readable table: one block a row
            _print_records(out, cells, columns, title)
            return
    else:  # every cell whole: the table is as wide as its widest row
        whole = sum(natural.values()) + overhead(len(natural))
        out = console(max(whole, cell_len(title or "")))
        layout = plan_columns(natural, out.width)
    table = Table(title=title, show_lines=False)
    for column in layout.columns:
        width = layout.widths[column]
        if column == wrap or width is None:
            table.add_column(column, overflow="fold", width=width)
        else:
            table.add_column(column, overflow="ellipsis", no_wrap=True, width=width)
    for row in cells:
        table.add_row(*(row[c] for c in layout.columns))
    out.print(table)
    if layout.hidden:
        shown = ", ".join(layout.hidden)
        out.print(f"[dim](left out at this width: {shown}; --json shows all)[/]")


def _print_records(
    out: Console, cells: Sequence[Mapping[str, str]], columns: Sequence[str], title: str | None
) -> None:
    """Rows as blocks: the first column heads each, then one "column: value" line each."""
    if title:
        out.print(f"[bold]{escape(title)}[/]")
    first, *rest = columns
    for row in cells:
        out.print(f"[bold]{escape(first)} {row[first]}[/]")
        for column in rest:
            if row[column]:
                out.print(f"  {escape(column)}: {row[column]}")


def _plain(cell: str) -> list[str]:
    """A cell's lines as shown (markup escapes removed)."""
    from rich.text import Text

    return Text.from_markup(cell).plain.splitlines() or [""]
