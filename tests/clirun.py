"""Running the CLI in tests: in process (typer's CliRunner) or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from typer.testing import CliRunner, Result

from watcher.cli import app

FOLLOWUP = Path(sys.executable).parent / "followup"


def invoke(args: Sequence[str], env: Mapping[str, str] | None = None) -> Result:
    """Run the app in process; stdout and stderr are captured separately."""
    return CliRunner().invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)


def run(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the installed `followup` console script as a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [str(FOLLOWUP), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
