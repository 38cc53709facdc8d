"""`--help` as a user reads it: flags shown as flags, paragraphs wrapped to the terminal."""

from __future__ import annotations

import itertools

import pytest
import typer

from tests.clirun import invoke, run
from watcher.cli import app, unwrap_help


def _all_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]
    pending: list[tuple[tuple[str, ...], object]] = [((), typer.main.get_command(app))]
    while pending:
        path, command = pending.pop()
        for name, sub in getattr(command, "commands", {}).items():
            paths.append((*path, name))
            pending.append(((*path, name), sub))
    return sorted(paths)


PATHS = _all_paths()


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "followup" for p in PATHS])
def test_help_renders_flags_without_a_value_type(path: tuple[str, ...]) -> None:
    result = invoke([*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    assert "<bool>" not in result.stdout


def test_global_json_flag_is_shown_as_a_flag() -> None:
    result = invoke(["--help"], env={"COLUMNS": "100"})
    line = next(x for x in result.stdout.splitlines() if "--json" in x)
    assert "<" not in line.split("Machine-readable")[0]


def _body_lines(text: str) -> list[str]:
    """The description between the usage line and the first option box."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("╭"))
    return [line.rstrip() for line in lines[start:end]]


def test_run_help_paragraphs_fill_the_line_at_80_columns() -> None:
    result = run(["run", "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
    assert result.returncode == 0, result.stderr
    body = _body_lines(result.stdout)
    for line, following in itertools.pairwise(body):
        if line.strip() and following.strip():
            # a line followed by more of its paragraph was wrapped for the width, not early
            assert len(line) > 60, f"broken wrap: {line!r} / {following!r}"
    assert "a broken one is reported" in " ".join(x.strip() for x in body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One line.", "One line."),
        ("First.\n\nTwo\nlines.", "First.\n\nTwo lines."),
        ("Head.\n\nItems:\n- one\n- two", "Head.\n\nItems:\n- one\n- two"),
        ("  Indented\n  docstring.\n\n  Next\n  para.", "Indented docstring.\n\nNext para."),
    ],
    ids=["single", "joined", "list-kept", "dedented"],
)
def test_unwrap_help(text: str, expected: str) -> None:
    assert unwrap_help(text) == expected
