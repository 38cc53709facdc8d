"""What `followup --help` and `followup sync --once` with nothing new cost, beside the bare
interpreter (the floor no change can go under).

Run: ``.venv/bin/python benchmarks/startup.py [RUNS]`` (default 7). A Maildir account in a
temporary directory is synced once, then each command runs RUNS times as a fresh process;
the median wall and CPU time of each is printed with its ratio to ``python -c pass`` and to the
same process importing only ``watcher.cli``; importing the CLI and the store's tables
(SQLAlchemy's ORM) is the floor of any command that reads the database. On a busy machine
the figures swing: compare the ratios, measured in the same run.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``runs`` fresh processes."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True, timeout=120)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
            (root / "mail" / sub).mkdir(parents=True)
        config = root / "config.toml"
        config.write_text(
            f'[[account]]\nname = "personal"\nmaildir = "{root / "mail"}"\n'
            'addresses = ["alex@example.org"]\n\n'
            f'[database]\nurl = "sqlite:///{root / "followup.db"}"\n\n'
            '[digest]\ntimezone = "America/New_York"\n'
        )
        # As a user runs it: byte code cached after the first run (the warm-up below).
        env = {**os.environ, "FOLLOWUP_NOW": "", "FOLLOWUP_CONFIG": ""}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cli = [sys.executable, "-c", "import sys; from watcher.cli import main; main()"]
        sync = [*cli, "sync", "--once", "--config", str(config)]
        subprocess.run(sync, env=env, check=True, capture_output=True, timeout=120)
        subprocess.run([*cli, "--help"], env=env, check=True, capture_output=True, timeout=120)
        bare = _median([sys.executable, "-c", "pass"], env, runs)
        imported = _median([sys.executable, "-c", "import watcher.cli"], env, runs)
        store = [sys.executable, "-c", "import watcher.cli, watcher.store.tables"]
        figures = {
            "python -c pass": bare,
            "import watcher.cli": imported,
            # every command that opens the store pays this: SQLAlchemy's ORM and the tables
            "import watcher.cli + the store": _median(store, env, runs),
            "followup --help": _median([*cli, "--help"], env, runs),
            "followup sync --once (nothing new)": _median(sync, env, runs),
        }
    print(f"median of {runs} runs: wall time, CPU time (a busy machine inflates wall time)")
    for name, (wall, cpu) in figures.items():
        print(
            f"  {name:<38} {wall:6.3f} s wall {cpu:6.3f} s CPU  "
            f"x{wall / bare[0]:5.1f} bare  x{wall / imported[0]:4.2f} import"
        )


if __name__ == "__main__":
    main()
