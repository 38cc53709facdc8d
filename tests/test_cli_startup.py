"""`followup` imports the CLI before anything else: the slow libraries wait for a command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

# Each costs a noticeable part of a second; only the commands that use them may import them.
DEFERRED = ("sqlalchemy.orm", "alembic", "spacy", "dateparser", "jinja2")

# The command modules whose top-level imports are already light.
LIGHT_COMMAND_MODULES = (
    "watcher.commands.context",
    "watcher.commands.setup",
    "watcher.commands.service",
    "watcher.commands.leads",
    "watcher.commands.overrides",
    "watcher.commands.digest",
    "watcher.commands.demo",
)


def loaded_after_importing(modules: Sequence[str]) -> set[str]:
    """The modules a fresh interpreter holds after importing ``modules``."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


@pytest.fixture(scope="module")
def loaded_by_cli() -> set[str]:
    return loaded_after_importing(["watcher.cli"])


@pytest.fixture(scope="module")
def loaded_by_command_modules() -> set[str]:
    return loaded_after_importing(LIGHT_COMMAND_MODULES)


@pytest.mark.parametrize(
    "module",
    [
        "sqlalchemy.orm",
        "alembic",
        "spacy",
        "dateparser",
        "jinja2",
    ],
)
def test_importing_the_cli_leaves_slow_library_unloaded(
    loaded_by_cli: set[str], module: str
) -> None:
    assert module not in loaded_by_cli


@pytest.mark.parametrize("module", DEFERRED)
def test_command_modules_leave_slow_library_unloaded(
    loaded_by_command_modules: set[str], module: str
) -> None:
    assert module not in loaded_by_command_modules


def test_the_cli_check_sees_what_it_looks_for() -> None:
    """The check itself works: importing the database layer does load SQLAlchemy's ORM."""
    assert "sqlalchemy.orm" in loaded_after_importing(["watcher.store.tables"])


@pytest.mark.parametrize(
    "module",
    ["mailparser", "lxml", "jinja2", "spacy", "rich.progress", "rich.table", "alembic"],
)
def test_a_sync_with_nothing_new_leaves_the_mail_reader_unloaded(module: str) -> None:
    """What `sync --once` imports before it knows whether there is mail: the parser, the
    draft templates, spaCy, the progress bar, the tables it does not print and the
    migrations wait until something needs them."""
    loaded = loaded_after_importing(
        [
            "watcher.cli",
            "watcher.commands.mail",
            "watcher.ingest",
            "watcher.pipeline",
            "watcher.analysis",
            "watcher.refresh",
            "watcher.store.db",
        ]
    )
    assert module not in loaded


def test_loading_the_config_reads_no_package_metadata(tmp_path: Path) -> None:
    """No pydantic plugin is used: building the config's models does not read the metadata
    of every installed package looking for one (a twentieth of a second on each command)."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[account]]\nname = "personal"\nmaildir = "{tmp_path / "mail"}"\n'
        'addresses = ["alex@example.org"]\n'
    )
    config.chmod(0o600)
    code = (
        "import importlib.metadata, sys\n"
        "scans = []\n"
        "real = importlib.metadata.entry_points\n"
        "def counted(*args, **kwargs):\n"
        "    scans.append(kwargs)\n"
        "    return real(*args, **kwargs)\n"
        "importlib.metadata.entry_points = counted\n"
        "from pathlib import Path\nfrom watcher.config import load_settings\n"
        "settings = load_settings(Path(sys.argv[1]))\n"
        "print(settings.account('personal').name, len(scans))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(config)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=env,
    )
    assert done.stdout.split() == ["personal", "0"]
