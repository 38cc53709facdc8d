"""A throwaway Cyrus IMAP 3.6 (what Fastmail runs) on 127.0.0.1, from Debian packages unpacked
(not installed: they conflict with Dovecot's) under ``$FOLLOWUP_OTHER_SERVERS/root-cyrus``.

Cyrus marks Sent with ``\\sent`` in lower case and autocreates INBOX, Sent and Drafts at the
first login; ``idled`` runs, so IDLE pushes (Debian's stock cyrus.conf leaves it off).
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from tests.servers.dovecot import Dovecot, ImapUser, free_port
from tests.servers.unpacked import UnpackedServer

IMAPD_CONF = """\
configdirectory: {root}/lib
defaultpartition: default
partition-default: {root}/spool
cyrus_user: nobody
cyrus_group: nogroup
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {root}/sasldb2
sasl_mech_list: PLAIN LOGIN
altnamespace: yes
unixhierarchysep: yes
autocreate_quota: 0
autocreate_inbox_folders: Sent | Drafts
xlist-sent: Sent
xlist-drafts: Drafts
"""

CYRUS_CONF = """\
START {{
  recover cmd="{bin}/ctl_cyrusdb -C {root}/imapd.conf -r"
}}
SERVICES {{
  imap cmd="{bin}/imapd -C {root}/imapd.conf" listen="{host}:{port}" prefork=0
}}
EVENTS {{
}}
DAEMON {{
  idled cmd="{bin}/idled -C {root}/imapd.conf"
}}
"""


def unpacked(base: Path) -> Path | None:
    """The unpacked package root under ``base``, or None."""
    root = base / "root-cyrus"
    return root if (root / "usr/lib/cyrus/bin/master").exists() else None


class Cyrus(UnpackedServer):
    """One Cyrus master (imapd + idled) with its own config, users and spool in a temp dir."""

    name = "cyrus"

    def __init__(self, package_root: Path) -> None:
        if os.geteuid() != 0:
            raise RuntimeError("Cyrus' master must start as root (it drops to nobody)")
        self.package_root = package_root
        self.bin = package_root / "usr/lib/cyrus/bin"
        self.root = Path(tempfile.mkdtemp(prefix="followup-cyrus-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.tls_port = self.port  # plain only: loopback
        self.ca_file = Path()
        for part in ("lib/socket", "lib/proc", "lib/db", "lib/log", "spool", "run"):
            (self.root / part).mkdir(parents=True)
        (self.root / "imapd.conf").write_text(IMAPD_CONF.format(root=self.root))
        (self.root / "cyrus.conf").write_text(
            CYRUS_CONF.format(bin=self.bin, root=self.root, host=self.host, port=self.port)
        )
        self._counter = itertools.count(1)
        self.add_user()  # creates sasldb2, so that the chown below covers it
        shutil.chown(self.root, "nobody", "nogroup")
        for path in self.root.rglob("*"):
            shutil.chown(path, "nobody", "nogroup")

    def start(self, timeout: float = 15.0) -> None:
        env = {**os.environ, "LD_LIBRARY_PATH": str(self.package_root / "usr/lib/x86_64-linux-gnu")}
        argv = [
            str(self.bin / "master"), "-C", str(self.root / "imapd.conf"),
            "-M", str(self.root / "cyrus.conf"), "-p", str(self.root / "run/master.pid"),
            "-L", str(self.root / "lib/log/master.log"),
        ]  # fmt: skip
        self._launch(argv, env, "master.out", timeout)

    def add_user(self) -> ImapUser:
        """A user; Cyrus creates INBOX, Sent (``\\sent``) and Drafts at its first login."""
        user = ImapUser(f"user{next(self._counter)}{secrets.token_hex(3)}", secrets.token_hex(8))
        subprocess.run(
            ["saslpasswd2", "-f", str(self.root / "sasldb2"), "-c", "-p", user.name],
            input=user.password.encode(),
            check=True,
            capture_output=True,
        )
        sasldb = self.root / "sasldb2"
        if sasldb.exists():
            shutil.chown(sasldb, "nobody", "nogroup")
        if self._process is not None:
            with self.connect(user):
                pass  # the first login creates the folders
        return user

    def append(self, user: ImapUser, folder: str, raw: bytes, date: datetime | None = None) -> int:
        return Dovecot.append(self, user, folder, raw, date)  # type: ignore[arg-type]

    def move_sent_to(self, user: ImapUser, name: str) -> None:
        """Make ``name`` the ``\\Sent`` folder, leaving a plain folder called "Sent"."""
        with self.connect(user) as client:
            client._imap.xatom(  # imapclient has no SETMETADATA
                "SETMETADATA", "Sent", "(/private/specialuse NIL)"
            )
            client._imap.xatom("CREATE", f'"{name}"', "(USE (\\Sent))")
