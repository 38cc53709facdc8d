"""Every command has useful help and is in the README, as users discover them there."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from tests.clirun import invoke
from watcher.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _command_paths() -> list[tuple[str, ...]]:
    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            paths.extend((name, sub) for sub in subcommands)
        else:
            paths.append((name,))
    return sorted(paths)


COMMANDS = _command_paths()


def test_the_contract_commands_exist() -> None:
    names = {path[0] for path in COMMANDS}
    design = {"init", "sync", "run", "status", "leads", "why", "set", "mark", "relabel",
              "merge", "undo", "digest", "detect", "demo"}  # fmt: skip
    assert design <= names


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_command_has_help(path: tuple[str, ...]) -> None:
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout
    summary = typer.main.get_command(app)
    for part in path:
        summary = summary.commands[part]  # type: ignore[attr-defined]
    assert len((summary.help or "").strip()) > 15, f"{path}: write a docstring"


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_command_is_in_the_readme(path: tuple[str, ...]) -> None:
    assert f"followup {' '.join(path)}" in README, f"add `followup {' '.join(path)}` to README"


def test_readme_starts_with_the_two_commands() -> None:
    head = README[: README.index("## The follow-up rules")]
    assert "pip install . && .venv/bin/followup demo" in head
    assert "scripts/test" in head
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in ci
