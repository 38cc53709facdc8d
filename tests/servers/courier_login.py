"""Courier's imaplogin for the tests: LOGIN against a users file, then the real Courier imapd.

couriertcpd runs this once a connection, on the socket. The real imaplogin asks authdaemond,
whose configuration path (/etc/courier) is compiled in; this stand-in keeps the tests out of
/etc. After LOGIN it hands the connection to the real imapd as the user, exactly as imaplogin
does: AUTHENTICATED and IMAPLOGINTAG in the environment (imapd then answers the LOGIN).
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path


def _line() -> bytes:
    # Byte by byte: nothing the client sends after LOGIN may be left in a buffer at exec.
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            sys.exit(0)
        data += chunk
    return bytes(data)


def _say(text: str) -> None:
    os.write(1, text.encode() + b"\r\n")


def main() -> None:
    users: dict[str, tuple[str, str]] = {}
    with Path(os.environ["COURIER_TEST_USERS"]).open() as handle:
        for row in handle:
            name, password, home = row.rstrip("\n").split(":", 2)
            users[name] = (password, home)
    capability = os.environ.get("IMAP_CAPABILITY", "IMAP4rev1")
    _say(f"* OK [CAPABILITY {capability}] Courier-IMAP ready (test login).")
    while True:
        words = shlex.split(_line().decode("utf-8", "replace"))
        tag, command = [*words, "", ""][:2]
        command = command.upper()
        if command == "CAPABILITY":
            _say(f"* CAPABILITY {capability}")
            _say(f"{tag} OK CAPABILITY completed")
        elif command == "LOGOUT":
            _say("* BYE Courier-IMAP server shutting down")
            _say(f"{tag} OK LOGOUT completed")
            return
        elif command == "LOGIN" and len(words) == 4 and users.get(words[2], ("",))[0] == words[3]:
            home = users[words[2]][1]
            os.chdir(home)
            if os.geteuid() == 0:
                stat = Path(home).stat()
                os.setgid(stat.st_gid)
                os.setuid(stat.st_uid)
            env = {**os.environ, "AUTHENTICATED": words[2], "IMAPLOGINTAG": tag, "HOME": home}
            imapd = os.environ["COURIER_IMAPD"]
            os.execve(imapd, [imapd, "Maildir"], env)
        elif command == "LOGIN":
            _say(f"{tag} NO Login failed.")
        else:
            _say(f"{tag} BAD Not logged in.")


if __name__ == "__main__":
    main()
