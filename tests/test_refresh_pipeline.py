"""after_sync on a real SQLite file, in a fresh interpreter: spaCy loads only for new mail."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Seeds one message (analysed or not), runs after_sync, reports what it loaded and decided.
SCRIPT = """
import json, sys
from datetime import UTC, datetime
from sqlalchemy import select
from watcher.clock import FixedClock
from watcher.config import DatabaseSettings, DigestSettings, PolicySettings, Settings
from watcher.pipeline import after_sync
from watcher.store.db import open_database, transaction
from watcher.store.tables import Account, Folder, StoredDetection, StoredLead, StoredMessage

url, analysed = sys.argv[1], sys.argv[2] == "yes"
now = datetime(2026, 3, 10, 9, tzinfo=UTC)
sessions = open_database(url)
with transaction(sessions) as session:
    account = Account(name="personal")
    session.add(account)
    session.flush()
    folder = Folder(account_id=account.id, name="INBOX")
    session.add(folder)
    session.flush()
    message = StoredMessage(
        account_id=account.id, folder_id=folder.id, uid=1, message_id="<1@acme.com>",
        message_key="k1", sender_name="Jane Doe", sender_email="jane@acme.com",
        sent_at=datetime(2026, 3, 9, 15, tzinfo=UTC), subject="Interview invitation",
        text="Hi Sam, we would love to invite you to an interview. Which times suit you?",
        new_text="Hi Sam, we would love to invite you to an interview. Which times suit you?",
        stored_at=now,
    )
    session.add(message)
    session.flush()
    if analysed:
        session.add(StoredDetection(message_id=message.id, kind="not_job", confidence=0.9,
                                    facts={}, analysed_at=now))
settings = Settings(path=None, accounts=(), smtp=None, digest=DigestSettings(),
                    policy=PolicySettings(), database=DatabaseSettings())
live = after_sync(settings, sessions, FixedClock(now))
with transaction(sessions) as session:
    leads = [lead.company for lead in session.scalars(select(StoredLead))]
print(json.dumps({"spacy": "spacy" in sys.modules, "live": live, "leads": leads}))
"""


def run_after_sync(tmp_path: Path, analysed: bool) -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            f"sqlite:///{tmp_path / 'f.db'}",
            "yes" if analysed else "no",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_nothing_to_read_leaves_spacy_unloaded(tmp_path: Path) -> None:
    result = run_after_sync(tmp_path, analysed=True)
    assert result == {"spacy": False, "live": 0, "leads": []}


def test_new_mail_loads_the_reader_and_makes_a_lead(tmp_path: Path) -> None:
    result = run_after_sync(tmp_path, analysed=False)
    assert result["spacy"] is True
    assert result["live"] == 1  # the invitation asks for a reply
    assert len(result["leads"]) == 1  # type: ignore[arg-type]
