"""One service instance per database: an flock'd lock file that names its holder's PID."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import sys
import time
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import make_url

from watcher.config import default_data_dir
from watcher.errors import AlreadyRunningError, StorageError


def lock_path_for(database_url: str) -> Path:
    """Beside a SQLite file; in the data dir (named after the URL) for a server database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.lock")
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return default_data_dir() / f"followup-{digest}.lock"


def _read_holder(fd: int) -> str:
    """Who holds the lock, from its file; a holder that has only just taken the lock may
    not have written its pid yet, so look again for a moment."""
    for _ in range(20):
        text = os.pread(fd, 200, 0).decode(errors="replace")
        if text.strip():
            break
        time.sleep(0.05)
    pid, _, command = text.partition("\n")
    pid, command = pid.strip(), command.strip()
    if not pid.isdigit():
        return "pid unknown"
    return f"pid {pid}: {command}" if command else f"pid {pid}"


class InstanceLock:
    """Held for the life of the service; the kernel drops it if the process dies."""

    def __init__(self, path: Path, holder: str | None = None) -> None:
        self.path = path
        # what the next one is told holds the lock, e.g. "followup run"
        self.holder = holder or Path(sys.argv[0]).name
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_NOFOLLOW: a symlink planted here must not make us truncate its target
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
            raise StorageError(
                f"cannot open the lock file {self.path}: {why}; remove it and start again"
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise AlreadyRunningError(
                f"followup is already running on this database ({holder}); stop it first "
                f"(lock file {self.path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n{self.holder}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
