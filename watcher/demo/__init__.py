"""`followup demo`: the whole pipeline on a bundled sample mailbox, walking time forward.

The bundled Maildir holds five weeks of an invented job search (mailbox/, written by
scripts/make-demo-mailbox.py). The demo delivers each message into a temporary Maildir
once the demo's clock passes its Date, then syncs, analyses, decides and renders the
digest exactly as the service would — no server, no config, no network.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from watcher.config import Settings, load_settings
from watcher.errors import UsageError

MAILBOX = Path(__file__).parent / "mailbox"
ZONE = ZoneInfo("America/New_York")
USER = "sam.rivera@example.net"
# Tuesday mornings, a week apart: the day after a weekend is when nudges come due.
STEPS = tuple(
    datetime(2026, month, day, 8, 0, tzinfo=ZONE)
    for month, day in ((3, 3), (3, 10), (3, 17), (3, 24), (3, 31), (4, 7), (4, 14))
)

CONFIG = """\
[[account]]
name = "demo"
maildir = "{maildir}"
addresses = ["{user}"]
since_days = 3650

[digest]
to = "{user}"
timezone = "America/New_York"

[database]
url = "sqlite:///{database}"
"""


@dataclass(frozen=True)
class BundledMessage:
    """One file of the bundled Maildir and when it arrives."""

    path: Path
    folder: str  # "" for INBOX, ".Sent" for Sent
    arrives: datetime
    subject: str
    sender: str


def bundled_messages(mailbox: Path = MAILBOX) -> list[BundledMessage]:
    """The sample mail in arrival order."""
    parser = BytesHeaderParser()
    found = []
    for folder in ("", ".Sent"):
        for path in sorted((mailbox / folder / "cur").iterdir()):
            with path.open("rb") as handle:
                headers = parser.parse(handle)
            found.append(
                BundledMessage(
                    path=path,
                    folder=folder,
                    arrives=parsedate_to_datetime(str(headers["Date"])),
                    subject=str(headers["Subject"]),
                    sender=str(headers["From"]),
                )
            )
    return sorted(found, key=lambda m: m.arrives)


@contextmanager
def demo_home(keep: Path | None = None) -> Iterator[Path]:
    """A fresh directory with an empty Maildir and a config; removed afterwards unless kept."""
    if keep is not None:
        if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
            # a second run over kept files would find no new mail at any step
            raise UsageError(f"--keep {keep}: give a new or empty directory")
        keep.mkdir(parents=True, exist_ok=True)
        root = keep
    else:
        root = Path(tempfile.mkdtemp(prefix="followup-demo-"))
    try:
        maildir = root / "Maildir"
        for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        config = root / "config.toml"
        config.write_text(
            CONFIG.format(maildir=maildir, user=USER, database=root / "followup.db"),
            encoding="utf-8",
        )
        config.chmod(0o600)
        yield root
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def deliver_until(
    messages: list[BundledMessage], maildir: Path, moment: datetime
) -> list[BundledMessage]:
    """Copy into ``maildir`` every bundled message that has arrived by ``moment``."""
    delivered = []
    for message in messages:
        target = maildir / message.folder / "cur" / message.path.name
        if message.arrives <= moment and not target.exists():
            shutil.copyfile(message.path, target)
            delivered.append(message)
    return delivered


def demo_settings(root: Path) -> Settings:
    return load_settings(root / "config.toml")
