"""`followup sync` against the real Dovecot: what a user of the CLI would notice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import FOLLOWUP, invoke
from tests.servers.dovecot import Dovecot, ImapUser, write_config
from tests.servers.messages import raw_message
from watcher.instance_lock import InstanceLock, lock_path_for

pytestmark = pytest.mark.dovecot

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
RECENT = NOW - timedelta(days=2)


def config_for(dovecot: Dovecot, user: ImapUser, tmp_path: Path, **keys: Any) -> Path:
    return write_config(tmp_path, dovecot.account_toml(user, tmp_path, **keys))


def sync(config: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    result = invoke(["--config", str(config), "--now", NOW.isoformat(), "sync", "--json", *extra])
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, data, result.stderr


def news(data: dict[str, object]) -> dict[str, tuple[int, int]]:
    """{"account/folder": (new, failed)} from sync --json output."""
    found: dict[str, tuple[int, int]] = {}
    for account in data["accounts"]:  # type: ignore[attr-defined]
        for folder in account["folders"]:
            found[f"{account['name']}/{folder['folder']}"] = (folder["new"], folder["failed"])
    return found


def rows(tmp_path: Path, where: str = "") -> list[tuple[str, int, str, str, str | None]]:
    """(folder, uid, message_id, direction, parse_error) of stored messages."""
    with sqlite3.connect(tmp_path / "followup.db") as db:
        return db.execute(
            "select f.name, m.uid, m.message_id, m.direction, m.parse_error from messages m "
            f"join folders f on f.id = m.folder_id {where} order by f.name, m.uid"
        ).fetchall()


def count(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as db:
            return int(db.execute("select count(*) from messages").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created or not migrated yet


def test_first_sync_imports_exactly_inbox_and_sent_and_second_imports_nothing(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    me = f"Me <{imap_user.address}>"
    dovecot.append_many(imap_user, "INBOX", [raw_message(n) for n in (1, 2, 3)], RECENT)
    dovecot.append(imap_user, "Sent", raw_message(4, sender=me), RECENT)
    dovecot.append(imap_user, "Drafts", raw_message(5, sender=me), RECENT)
    dovecot.create_folder(imap_user, "Archive")
    dovecot.append(imap_user, "Archive", raw_message(6), RECENT)
    config = config_for(dovecot, imap_user, tmp_path)

    code, first, _ = sync(config)
    assert code == 0
    assert news(first) == {"personal/INBOX": (3, 0), "personal/Sent": (1, 0)}
    assert [(f, m, d) for f, _, m, d, _ in rows(tmp_path)] == [
        ("INBOX", "msg-1@test.example", "in"),
        ("INBOX", "msg-2@test.example", "in"),
        ("INBOX", "msg-3@test.example", "in"),
        ("Sent", "msg-4@test.example", "out"),
    ]

    code, second, _ = sync(config)
    assert code == 0
    assert news(second) == {"personal/INBOX": (0, 0), "personal/Sent": (0, 0)}
    # the unchanged poll fetched no message at all (sessions: 5 APPENDs and such, 2 syncs)
    poll = dovecot.logout_stats(imap_user, at_least=7)[6]
    assert poll.body_count == 0
    assert poll.bytes_out < 2_000

    dovecot.append(imap_user, "INBOX", raw_message(7), NOW)
    code, third, _ = sync(config)
    assert news(third) == {"personal/INBOX": (1, 0), "personal/Sent": (0, 0)}
    assert len(rows(tmp_path)) == 5


def test_sync_leaves_every_flag_as_it_was(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), RECENT)
    dovecot.append(imap_user, "INBOX", raw_message(2), RECENT, flags=["\\Seen"])
    dovecot.append(imap_user, "INBOX", raw_message(3), RECENT, flags=["\\Answered", "\\Flagged"])
    before = dovecot.flags(imap_user, "INBOX")

    assert sync(config_for(dovecot, imap_user, tmp_path))[0] == 0

    assert dovecot.flags(imap_user, "INBOX") == before
    assert before[1] == frozenset()  # still unread


def test_first_sync_looks_back_since_days(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), NOW - timedelta(days=20))
    dovecot.append(imap_user, "INBOX", raw_message(2), NOW - timedelta(days=5))

    code, data, _ = sync(config_for(dovecot, imap_user, tmp_path, since_days=10))

    assert code == 0
    assert news(data)["personal/INBOX"] == (1, 0)
    assert [m for _, _, m, _, _ in rows(tmp_path)] == ["msg-2@test.example"]


def test_uidvalidity_reset_gives_no_duplicates(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    me = f"Me <{imap_user.address}>"
    dovecot.append_many(imap_user, "Sent", [raw_message(n, sender=me) for n in (1, 2, 3)], RECENT)
    config = config_for(dovecot, imap_user, tmp_path)
    assert sync(config)[0] == 0
    dovecot.delete_folder(imap_user, "Sent")  # Sent is rebuilt with the same mail, renumbered
    dovecot.create_folder(imap_user, "Sent")
    dovecot.append_many(imap_user, "Sent", [raw_message(n, sender=me) for n in (2, 3, 4)], RECENT)

    code, data, _ = sync(config)

    assert code == 0
    assert news(data)["personal/Sent"] == (1, 0)
    sent = [(uid, m) for f, uid, m, _, _ in rows(tmp_path) if f == "Sent"]
    # msg-1 is gone from the server but stays known; the others carry their new UIDs
    assert sorted(m for _, m in sent) == [f"msg-{n}@test.example" for n in (1, 2, 3, 4)]
    assert dict((m, uid) for uid, m in sent)["msg-4@test.example"] == 3


def test_broken_message_is_recorded_with_its_error_and_the_rest_imports(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), RECENT)
    dovecot.append(imap_user, "INBOX", b"no headers at all, only words\r\nand more\r\n", RECENT)
    dovecot.append(imap_user, "INBOX", raw_message(3), RECENT)
    config = config_for(dovecot, imap_user, tmp_path)

    code, data, _ = sync(config)

    assert code == 0
    assert news(data)["personal/INBOX"] == (3, 1)
    errors = [(uid, error) for _, uid, _, _, error in rows(tmp_path) if error]
    assert len(errors) == 1
    assert errors[0][0] == 2
    assert "no mail headers" in (errors[0][1] or "")
    status = json.loads(invoke(["--config", str(config), "status", "--json"]).stdout)
    assert (status["messages"], status["failed"]) == (3, 1)
    inbox = status["accounts"][0]["folders"][0]
    assert (inbox["folder"], inbox["messages"], inbox["failed"]) == ("INBOX", 3, 1)
    assert datetime.fromisoformat(inbox["last_sync"]) == NOW


def test_wrong_password_exits_1_naming_the_account(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    config = config_for(dovecot, imap_user, tmp_path, name="work")
    (tmp_path / "work.password").write_text("wrong-password\n")

    code, data, stderr = sync(config)

    assert code == 1
    assert "account 'work'" in stderr
    assert "login" in stderr
    assert "wrong-password" not in stderr
    assert data == {"accounts": [{"name": "work", "folders": []}]}


def test_untrusted_certificate_is_refused_and_says_to_set_ca_file(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    config = config_for(dovecot, imap_user, tmp_path, tls="implicit", ca_file="")

    code, _, stderr = sync(config)

    assert code == 1
    assert "not trusted" in stderr
    assert "ca_file" in stderr


def test_implicit_tls_with_ca_file_syncs(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), RECENT)
    code, data, _ = sync(config_for(dovecot, imap_user, tmp_path, tls="implicit"))
    assert code == 0
    assert news(data)["personal/INBOX"] == (1, 0)


def test_one_failing_account_does_not_stop_the_other(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    other = dovecot.add_user()
    dovecot.append(imap_user, "INBOX", raw_message(1), RECENT)
    dovecot.append(other, "INBOX", raw_message(2), RECENT)
    broken = dovecot.account_toml(other, tmp_path, name="broken")
    (tmp_path / "broken.password").write_text("nope\n")
    config = write_config(tmp_path, broken, dovecot.account_toml(imap_user, tmp_path, name="good"))

    code, data, stderr = sync(config)

    assert code == 1
    assert "account 'broken'" in stderr
    assert "account 'good'" not in stderr
    assert news(data) == {"good/INBOX": (1, 0), "good/Sent": (0, 0)}


def test_secret_never_reaches_output_logs_or_database(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), RECENT)
    config = config_for(dovecot, imap_user, tmp_path)
    outputs: list[str] = []
    for args in (["sync", "--json"], ["sync"], ["status", "--json"], ["status"],
                 ["config", "check", "--json"]):  # fmt: skip
        result = invoke(["--config", str(config), "--now", NOW.isoformat(), "--debug", "-v", *args])
        assert result.exit_code == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    assert imap_user.password not in "".join(outputs)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("followup.db*"))
    assert len(stored) > 10_000
    assert imap_user.password.encode() not in stored
    assert b"Hello, this is message number 1" in stored  # the grep can find things


def _start_sync(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(FOLLOWUP), "--config", str(config), "--now", NOW.isoformat(), "sync", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "FOLLOWUP_CONFIG": str(config)},
    )


def _wait_for_count(db: Path, at_least: int, process: subprocess.Popen[str]) -> int:
    deadline = time.monotonic() + 60
    while (stored := count(db)) < at_least:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "sync stored nothing in 60 s"
        time.sleep(0.005)
    return stored


SEEDED = 2000


@pytest.mark.slow
def test_sigkill_mid_sync_then_rerun_stores_every_message_once(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    dovecot.append_many(imap_user, "INBOX", (raw_message(n) for n in range(SEEDED)), RECENT)
    config = config_for(dovecot, imap_user, tmp_path, batch_size=100)

    process = _start_sync(config)
    _wait_for_count(tmp_path / "followup.db", 100, process)  # the first batch is committed
    process.send_signal(signal.SIGKILL)
    process.communicate()
    at_kill = count(tmp_path / "followup.db")
    assert 100 <= at_kill < SEEDED, "the kill must land mid-sync"

    rerun = subprocess.run(
        [str(FOLLOWUP), "--config", str(config), "--now", NOW.isoformat(), "sync", "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert rerun.returncode == 0, rerun.stderr
    assert news(json.loads(rerun.stdout))["personal/INBOX"] == (SEEDED - at_kill, 0)
    stored = rows(tmp_path)
    assert len(stored) == SEEDED
    assert len({m for _, _, m, _, _ in stored}) == SEEDED
    assert [uid for _, uid, _, _, _ in stored] == list(range(1, SEEDED + 1))


@pytest.mark.slow
def test_server_stopped_mid_sync_exits_1_and_next_sync_completes(
    private_dovecot: Dovecot, tmp_path: Path
) -> None:
    user = private_dovecot.add_user()
    private_dovecot.append_many(user, "INBOX", (raw_message(n) for n in range(SEEDED)), RECENT)
    config = write_config(tmp_path, private_dovecot.account_toml(user, tmp_path, batch_size=100))

    process = _start_sync(config)
    _wait_for_count(tmp_path / "followup.db", 100, process)
    private_dovecot.stop()
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "account 'personal'" in stderr
    assert "connection" in stderr
    partial = news(json.loads(stdout))["personal/INBOX"][0]
    assert 100 <= partial < SEEDED

    private_dovecot.start()
    code, data, stderr = sync(config)

    assert code == 0, stderr
    assert news(data)["personal/INBOX"] == (SEEDED - partial, 0)
    assert count(tmp_path / "followup.db") == SEEDED


def test_status_before_any_sync_lists_the_account_with_no_folders(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    config = config_for(dovecot, imap_user, tmp_path)
    result = invoke(["--config", str(config), "status", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "messages": 0,
        "failed": 0,
        "leads": 0,
        "accounts": [{"name": "personal", "folders": []}],
    }
    table = invoke(["--config", str(config), "status"])
    assert "never synced" in table.stdout


def test_sync_refuses_while_the_service_holds_the_database(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path
) -> None:
    config = config_for(dovecot, imap_user, tmp_path)
    with InstanceLock(lock_path_for(f"sqlite:///{tmp_path / 'followup.db'}")):
        code, _, stderr = sync(config)
    assert code == 1
    assert "running on this database" in stderr
