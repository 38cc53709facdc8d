"""One service per database: the lock file names its holder, and dies with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from watcher.errors import AlreadyRunningError
from watcher.instance_lock import InstanceLock, lock_path_for

HOLD = """
import sys, time
from pathlib import Path
from watcher.instance_lock import InstanceLock
with InstanceLock(Path(sys.argv[1]), "followup run"):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/followup/followup.db", Path("/srv/followup/followup.db.lock")),
        ("sqlite:///relative.db", Path("relative.db.lock")),
    ],
    ids=["absolute", "relative"],
)
def test_lock_of_a_sqlite_database_sits_beside_it(url: str, expected: Path) -> None:
    assert lock_path_for(url) == expected


def test_lock_of_a_server_database_is_in_the_data_dir_and_names_no_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    one = lock_path_for("postgresql+psycopg://alex:secret@db.example/followup")
    other = lock_path_for("postgresql+psycopg://alex:other@db.example/followup")
    assert one.parent == tmp_path / "followup"
    assert one == other  # the same database, whatever the password
    assert "secret" not in str(one)
    assert lock_path_for("postgresql+psycopg://alex@db.example/other") != one


def test_second_holder_is_refused_with_the_first_ones_pid_and_command(tmp_path: Path) -> None:
    path = tmp_path / "followup.db.lock"
    with InstanceLock(path, "followup run"):
        with pytest.raises(AlreadyRunningError) as refused:
            InstanceLock(path, "followup sync").acquire()
        assert f"pid {os.getpid()}: followup run" in str(refused.value)
        assert refused.value.exit_code == 1
    with InstanceLock(path, "followup sync"):  # released: free again
        assert path.read_text().splitlines() == [str(os.getpid()), "followup sync"]


def test_lock_is_free_again_once_its_holder_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "followup.db.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunningError, match=f"pid {holder.pid}: followup run"):
            InstanceLock(path).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        started = time.monotonic()
        with InstanceLock(path):  # the stale file with a dead pid does not block
            assert time.monotonic() - started < 1
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
