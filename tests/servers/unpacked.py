"""What the servers run from unpacked Debian packages (Cyrus, Courier) share: a process group
started and waited for, and Dovecot's helpers for users' mail over IMAP."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.servers.dovecot import Dovecot
from tests.servers.imap4d import wait_listening

HOST = "127.0.0.1"


class UnpackedServer:
    """Subclasses set ``root`` (their temp dir), ``port`` and ``name`` (for error messages)."""

    host = HOST
    name = "server"
    root: Path
    port: int
    _process: subprocess.Popen[bytes] | None = None

    def _launch(self, argv: Sequence[str], env: dict[str, str], log: str, timeout: float) -> None:
        """Start ``argv`` in its own process group (output in ``root/log``) and wait for it."""
        with (self.root / log).open("ab") as out:
            self._process = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                start_new_session=True, cwd=self.root,
            )  # fmt: skip
        try:
            wait_listening(self._process, self.host, (self.port,), timeout)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{self.name}: {exc}") from None

    stop = Dovecot.stop

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    ssl_context = Dovecot.ssl_context
    connect = Dovecot.connect
    flags = Dovecot.flags
    uids = Dovecot.uids
    account_settings = Dovecot.account_settings
    account_toml = Dovecot.account_toml
