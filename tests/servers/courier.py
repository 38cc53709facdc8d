"""A throwaway Courier-IMAP 5.0 on 127.0.0.1, from the Debian package unpacked (not installed:
it conflicts with Dovecot's) under ``$FOLLOWUP_OTHER_SERVERS/root-courier``, run by couriertcpd
(courier-base) with Debian's default settings.

Courier has no SPECIAL-USE, no UNSELECT and no CONDSTORE, keeps folders under "INBOX." and,
with Debian's IMAP_ENHANCEDIDLE=0, looks for new mail during IDLE every 60 s only.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from tests.servers.dovecot import Dovecot, ImapUser, free_port
from tests.servers.unpacked import UnpackedServer

LOGIN = Path(__file__).with_name("courier_login.py")
NOBODY = 65534


def unpacked(base: Path) -> Path | None:
    """The unpacked package root under ``base``, or None (couriertcpd must be installed)."""
    root = base / "root-courier"
    found = (root / "usr/bin/imapd").exists() and shutil.which("couriertcpd", path="/usr/sbin")
    return root if found else None


class Courier(UnpackedServer):
    """couriertcpd + Courier imapd, with users in a temp dir; ``sent`` names their Sent folder
    below "INBOX." (Maildir++ ``.Sent``)."""

    name = "couriertcpd"

    def __init__(self, package_root: Path, *, sent: str = "Sent") -> None:
        self.package_root = package_root
        self.sent = sent
        self.root = Path(tempfile.mkdtemp(prefix="followup-courier-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.tls_port = self.port  # plain only: loopback
        self.ca_file = Path()
        self.users_file = self.root / "users"
        self.users_file.write_text("")
        self._counter = itertools.count(1)

    def _environment(self) -> dict[str, str]:
        """Debian's /etc/courier/imapd defaults, as the package ships them."""
        defaults = self.package_root / "etc/courier/imapd"
        dumped = subprocess.run(
            ["sh", "-c", f"set -a; . {defaults}; env -0"],
            check=True,
            capture_output=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        ).stdout
        env = dict(item.split("=", 1) for item in dumped.decode().split("\0") if "=" in item)
        return {
            **env,
            "COURIER_TEST_USERS": str(self.users_file),
            "COURIER_IMAPD": str(self.package_root / "usr/bin/imapd"),
            "PYTHONPATH": "",
        }

    def start(self, timeout: float = 15.0) -> None:
        argv = [
            "/usr/sbin/couriertcpd", f"-address={self.host}", "-nodnslookup", "-noidentlookup",
            "-maxprocs=100", "-maxperip=100", str(self.port), sys.executable, str(LOGIN),
        ]  # fmt: skip
        self._launch(argv, self._environment(), "couriertcpd.out", timeout)

    def add_user(self, *folders: str) -> ImapUser:
        """A user with a Maildir holding INBOX, the Sent folder and ``folders`` (Maildir++)."""
        user = ImapUser(f"user{next(self._counter)}{secrets.token_hex(3)}", secrets.token_hex(8))
        home = self.root / "home" / user.name
        home.mkdir(parents=True)
        maildir = home / "Maildir"
        subprocess.run(["maildirmake.courier", str(maildir)], check=True, capture_output=True)
        for folder in (self.sent, *folders):
            subprocess.run(
                ["maildirmake.courier", "-f", folder, str(maildir)],
                check=True,
                capture_output=True,
            )
        if os.geteuid() == 0:
            for path in (home.parent, home, *home.rglob("*")):
                os.chown(path, NOBODY, NOBODY)
        with self.users_file.open("a") as handle:
            handle.write(f"{user.name}:{user.password}:{home}\n")
        return user

    def folder(self, name: str) -> str:
        """A folder's IMAP name: everything lives below "INBOX."."""
        return "INBOX" if name == "INBOX" else f"INBOX.{name}"

    def append(self, user: ImapUser, folder: str, raw: bytes, date: datetime | None = None) -> int:
        return Dovecot.append(self, user, self.folder(folder), raw, date)  # type: ignore[arg-type]
