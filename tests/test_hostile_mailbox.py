"""Hostile mail played into the real Dovecot among good mail: nothing stops, leaks or forges.

The corpus (tests/hostile_corpus.py) is generated: thousands of MIME parts, a 2 MB
subject, a CR/LF encoded-word subject, a display name carrying a second address, OSC/CSI
sequences in name, subject and body, repeated-word subjects, long single-letter runs,
"Am schrieb schrieb" lines, deep MIME nesting and bad charsets.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path

import pytest

from tests.clirun import invoke
from tests.hostile_corpus import HOSTILE, good
from tests.servers.dovecot import Dovecot, ImapUser, write_config
from tests.servers.smtp import SmtpServer
from tests.test_sync_dovecot import NOW, RECENT
from watcher.store.db import dispose_all

pytestmark = pytest.mark.dovecot

# What a terminal acts on: C0 controls but tab and newline, DEL, C1 controls.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LATER = NOW + timedelta(days=1, hours=1)  # the digest's time has come


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


def _config(dovecot: Dovecot, user: ImapUser, tmp_path: Path, smtp_port: int) -> Path:
    account = dovecot.account_toml(user, tmp_path, max_message_bytes=200_000, batch_size=5)
    smtp = (
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntls = "none"\n'
        f'from = "followup <{user.address}>"\n'
    )
    digest = f'[digest]\nto = "{user.address}"\ntimezone = "UTC"\ndrafts = true\n'
    return write_config(tmp_path, account, smtp, digest)


def _cli(config: Path, *args: str, now: str = NOW.isoformat()) -> tuple[int, str, str]:
    result = invoke(["--config", str(config), "--now", now, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def module_smtp(tls_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = SmtpServer(*tls_certificate)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hostile_user(dovecot: Dovecot) -> ImapUser:
    return dovecot.add_user()


@pytest.fixture(scope="module")
def mailbox(
    dovecot: Dovecot,
    hostile_user: ImapUser,
    tmp_path_factory: pytest.TempPathFactory,
    module_smtp: SmtpServer,
) -> Path:
    """INBOX: good mail, then every hostile message with good mail between; synced once.

    Shared by the tests that only read; the one that sends the digest runs last.
    """
    user = hostile_user
    raws = [good(0)]
    for number, make in enumerate(HOSTILE.values(), 1):
        raws += [make(), good(number)]
    dovecot.append_many(user, "INBOX", raws, RECENT)
    config = _config(dovecot, user, tmp_path_factory.mktemp("hostile"), module_smtp.port)
    code, _out, err = _cli(config, "sync", "--json")
    assert code == 0, err
    dispose_all()
    return config


def _stored(config: Path) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(config.parent / "followup.db") as db:
        return db.execute(
            "select message_id, parse_error, subject from messages order by uid"
        ).fetchall()


def test_mail_around_every_hostile_message_is_stored_and_the_folder_moves_on(
    mailbox: Path, dovecot: Dovecot, hostile_user: ImapUser
) -> None:
    stored = {mid: error for mid, error, _ in _stored(mailbox)}
    goods = [f"good-{n}@hostile.example" for n in range(len(HOSTILE) + 1)]
    assert all(stored.get(mid, "missing") is None for mid in goods), stored
    # every hostile message is recorded, read or with the reason it could not be
    assert len(stored) == 2 * len(HOSTILE) + 1
    with sqlite3.connect(mailbox.parent / "followup.db") as db:
        (last_uid,) = db.execute("select last_uid from folders where name = 'INBOX'").fetchone()
    assert last_uid == max(dovecot.uids(hostile_user, "INBOX"))
    code, out, _ = _cli(mailbox, "sync", "--json")
    assert code == 0
    assert json.loads(out)["accounts"][0]["folders"][0]["new"] == 0


def test_the_many_parts_message_is_read_from_its_text_parts(mailbox: Path) -> None:
    stored = {mid: (error, subject) for mid, error, subject in _stored(mailbox)}
    error, subject = stored["many-parts@hostile.example"]
    assert error is None
    assert subject == "Interview invitation: Data Analyst"


def test_stored_subjects_are_bounded_and_one_line(mailbox: Path) -> None:
    subjects = {mid: subject for mid, _, subject in _stored(mailbox)}
    assert all(len(s) <= 500 for s in subjects.values())
    assert subjects["huge-subject@hostile.example"].endswith("[...]")
    assert "\n" not in subjects["crlf-subject@hostile.example"]
    assert "\r" not in subjects["crlf-subject@hostile.example"]


@pytest.mark.parametrize(
    "command",
    [("leads", "--all"), ("status",), ("history",), ("digest", "--preview")],
    ids=["leads", "status", "history", "digest-preview"],
)
def test_terminal_output_carries_no_escape_sequence(mailbox: Path, command: tuple[str]) -> None:
    code, out, err = _cli(mailbox, *command)
    assert code == 0, err
    assert not TERMINAL_CONTROLS.search(out + err)


def test_why_of_every_lead_carries_no_escape_sequence(mailbox: Path) -> None:
    code, out, _ = _cli(mailbox, "leads", "--all", "--json")
    assert code == 0
    leads = json.loads(out)
    assert any("Globex" in (lead["company"] or "") for lead in leads)
    for lead in leads:
        code, text, err = _cli(mailbox, "why", str(lead["id"]))
        assert code == 0, err
        assert not TERMINAL_CONTROLS.search(text + err), lead


def test_json_output_keeps_what_the_mail_said(mailbox: Path) -> None:
    code, out, _ = _cli(mailbox, "leads", "--all", "--json")
    assert code == 0
    (globex,) = [lead for lead in json.loads(out) if "Globex" in (lead["company"] or "")]
    code, out, _ = _cli(mailbox, "why", str(globex["id"]), "--json")
    assert code == 0
    assert "\x1b" not in out  # escaped by JSON, and exact once decoded
    subjects = [item["subject"] for item in json.loads(out)["timeline"]]
    assert any("\x1b]52;c;" in subject for subject in subjects)


def test_detect_on_hostile_files_prints_no_escape_sequence(tmp_path: Path) -> None:
    files = []
    for name, make in HOSTILE.items():
        path = tmp_path / f"{name}.eml"
        path.write_bytes(make())
        files.append(str(path))
    result = invoke(["--now", NOW.isoformat(), "detect", *files])
    assert result.exit_code == 0, result.stderr
    assert not TERMINAL_CONTROLS.search(result.stdout + result.stderr)
    assert "Globex" in result.stdout


def test_digest_send_and_every_draft_survive_a_poisoned_subject(
    mailbox: Path, dovecot: Dovecot, hostile_user: ImapUser, module_smtp: SmtpServer
) -> None:
    code, _, err = _cli(mailbox, "digest", "--send", now=LATER.isoformat())
    assert code == 0, err
    assert "Traceback" not in err
    assert len(module_smtp.received) == 1
    body = module_smtp.received[0].message.get_body(("plain",))
    assert body is not None
    shown = [line.strip()[4:] for line in body.get_content().splitlines() if "To: " in line]
    assert any("careers@acme.example" in line for line in shown)
    # each suggested recipient in the digest reads (and pastes) as one address
    assert all(len(getaddresses([line])) == 1 for line in shown if "@" in line), shown
    with dovecot.connect(hostile_user) as client:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        found = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    drafts = [BytesParser(policy=policy.default).parsebytes(d[b"BODY[]"]) for d in found.values()]
    assert len(drafts) >= 3  # the hostile leads' drafts among them
    for draft in drafts:
        assert len(draft["To"].addresses) == 1, draft["To"]
        assert "evil.example" not in str(draft["To"].addresses[0].addr_spec)
        assert "\n" not in str(draft["Subject"])
        assert len(str(draft["Subject"])) <= 300
    recipients = {draft["To"].addresses[0].addr_spec for draft in drafts}
    assert "careers@acme.example" in recipients
    assert "kim@crlf.example" in recipients
    # no draft row is left claimed but not written
    with sqlite3.connect(mailbox.parent / "followup.db") as db:
        dangling = db.execute("select count(*) from drafts where appended_at is null").fetchone()
    assert dangling == (0,)


def test_a_message_the_server_cannot_send_is_recorded_as_failed_and_the_rest_stored(
    dovecot: Dovecot, imap_user: ImapUser, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    dovecot.append_many(imap_user, "INBOX", [good(n) for n in range(1, 6)], RECENT)
    maildir = dovecot.root / "home" / imap_user.name / "Maildir"
    (broken,) = [p for p in maildir.rglob("*,S=*") if b"good-3@" in p.read_bytes()]
    broken.chmod(0)  # Dovecot answers its FETCH with "Internal error" and hangs up
    config = _config(dovecot, imap_user, tmp_path, smtp_server.port)

    code, _, err = _cli(config, "sync")
    assert code == 0, err
    stored = {mid: error for mid, error, _ in _stored(config)}
    assert [stored[f"good-{n}@hostile.example"] for n in (1, 2, 4, 5)] == [None] * 4
    (failed,) = [error for error in stored.values() if error is not None]
    assert "refused" in failed
    code, out, _ = _cli(config, "status", "--json")
    assert json.loads(out)["failed"] == 1
    code, out, _ = _cli(config, "status")
    assert "failed: personal INBOX UID 3: the server refused to send it" in out
    code, out, _ = _cli(config, "sync", "--json")
    assert json.loads(out)["accounts"][0]["folders"][0]["new"] == 0  # the folder moved on
