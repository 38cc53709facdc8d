"""Sending the digest exactly once: real SQLite, a real SMTP server (aiosmtpd) and Dovecot."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from nlp.types import Detection, Kind
from tests.clirun import invoke
from tests.servers.dovecot import Dovecot, ImapUser, free_port
from tests.servers.smtp import SmtpServer
from watcher.clock import FixedClock
from watcher.commands.digest import (
    SETTLE_SECONDS,
    deliver_digest,
    preview_digest,
    send_due_digest,
)
from watcher.config import Settings, parse_settings
from watcher.digest import build_digest_message, digest_message_id
from watcher.domain import Action, LeadStatus
from watcher.errors import DigestSendError
from watcher.smtp import send_message
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.detections import detection_to_facts
from watcher.store.digests import find_digest, start_digest_attempt
from watcher.store.tables import (
    Account,
    Digest,
    Folder,
    LeadMessage,
    Override,
    StoredDecision,
    StoredDetection,
    StoredLead,
    StoredMessage,
)

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 8, 30, tzinfo=ZONE)  # Tuesday, after digest.time 08:00
DAY = date(2026, 3, 10)
NO_REFRESH = None  # these tests seed the decisions themselves


def config_text(
    tmp_path: Path,
    *,
    smtp_port: int,
    imap: tuple[Dovecot, ImapUser] | None = None,
    recipient: str = "alex@example.org",
    drafts: bool = False,
    send_empty: bool = False,
) -> str:
    if imap is not None:
        dovecot, user = imap
        account = (
            f'host = "127.0.0.1"\nport = {dovecot.port}\ntls = "none"\n'
            f'username = "{user.name}"\npassword = "{user.password}"\n'
        )
        recipient = user.address
    else:
        maildir = tmp_path / "Maildir"
        account = f'maildir = "{maildir}"\n'
    return (
        f'[[account]]\nname = "personal"\n{account}addresses = ["{recipient}"]\n\n'
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntls = "none"\n'
        f'from = "followup <{recipient}>"\n\n'
        f'[digest]\nto = "{recipient}"\ntimezone = "America/New_York"\n'
        f"drafts = {str(drafts).lower()}\nsend_empty = {str(send_empty).lower()}\n\n"
        f'[database]\nurl = "sqlite:///{tmp_path / "followup.db"}"\n'
    )


@dataclass
class Setup:
    settings: Settings
    sessions: sessionmaker[Session]
    config: Path


def make_setup(tmp_path: Path, **kwargs: object) -> Setup:
    text = config_text(tmp_path, **kwargs)  # type: ignore[arg-type]
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    settings = parse_settings(text, path)
    return Setup(settings, open_database(settings.database.effective_url), path)


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


# --- seeding the store ---------------------------------------------------------------------------


def _folder(session: Session) -> Folder:
    account = session.scalar(select(Account).where(Account.name == "personal"))
    if account is None:
        account = Account(name="personal")
        session.add(account)
        session.flush()
    folder = session.scalar(select(Folder).where(Folder.account_id == account.id))
    if folder is None:
        folder = Folder(account_id=account.id, name="INBOX", role="inbox")
        session.add(folder)
        session.flush()
    return folder


def add_message(
    session: Session,
    *,
    message_id: str,
    subject: str,
    sent_at: datetime,
    sender: tuple[str, str],
    detection: Detection | None,
    lead: StoredLead | None = None,
    direction: str = "in",
    references: tuple[str, ...] = (),
) -> StoredMessage:
    folder = _folder(session)
    uid = (session.scalar(select(StoredMessage.uid).order_by(StoredMessage.uid.desc())) or 0) + 1
    message = StoredMessage(
        account_id=folder.account_id,
        folder_id=folder.id,
        uid=uid,
        message_id=message_id,
        message_key=message_id,
        references=list(references),
        sender_name=sender[0],
        sender_email=sender[1],
        recipients=[],
        sent_at=sent_at,
        subject=subject,
        direction=direction,
        stored_at=sent_at,
    )
    session.add(message)
    session.flush()
    if detection is not None:
        session.add(
            StoredDetection(
                message_id=message.id,
                kind=detection.kind.value,
                confidence=detection.confidence,
                facts=detection_to_facts(detection),
                analysed_at=sent_at,
            )
        )
    if lead is not None:
        session.add(LeadMessage(message_id=message.id, lead_id=lead.id))
    session.flush()
    return message


def add_lead(
    session: Session,
    company: str,
    contact: tuple[str, str],
    action: Action,
    due: date | None,
    reason: str,
    status: LeadStatus = LeadStatus.INTERVIEWING,
    at: datetime = NOW,
) -> StoredLead:
    folder = _folder(session)
    lead = StoredLead(
        account_id=folder.account_id,
        key=company.lower(),
        company=company,
        contact_name=contact[0],
        contact_email=contact[1],
        status=status.value,
        created_at=at,
        updated_at=at,
    )
    session.add(lead)
    session.flush()
    set_decision(session, lead.id, status, action, due, reason, at)
    return lead


def set_decision(
    session: Session,
    lead_id: int,
    status: LeadStatus,
    action: Action,
    due: date | None,
    reason: str,
    at: datetime,
) -> None:
    session.add(
        StoredDecision(
            lead_id=lead_id,
            computed_at=at,
            as_of=at,
            status=status.value,
            action=action.value,
            due=due,
            reason=reason,
            trace=[],
        )
    )


def seed_leads(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Acme (nudge, in a thread), Initech (waiting), Vandelay (dead), one unsure detection."""
    with transaction(sessions) as session:
        acme = add_lead(
            session,
            "Acme",
            ("Jane Doe", "jane@acme.example"),
            Action.NUDGE,
            date(2026, 3, 11),
            "No feedback 2 business days after the interview on Thu 5 Mar.",
        )
        add_message(
            session,
            message_id="<a1@acme.example>",
            subject="Interview for Senior Engineer",
            sent_at=datetime(2026, 3, 2, 10, tzinfo=ZONE),
            sender=("Jane Doe", "jane@acme.example"),
            detection=Detection(
                Kind.INTERVIEW_CONFIRMATION,
                0.93,
                interview_at=datetime(2026, 3, 5, 14, tzinfo=ZONE),
                interview_has_time=True,
            ),
            lead=acme,
            references=("<a0@acme.example>",),
        )
        initech = add_lead(
            session,
            "Initech",
            ("Ann Lee", "ann@initech.example"),
            Action.WAIT,
            date(2026, 3, 16),
            "Feedback promised by Fri 13 Mar.",
        )
        add_message(
            session,
            message_id="<i1@initech.example>",
            subject="Next steps",
            sent_at=datetime(2026, 3, 6, 10, tzinfo=ZONE),
            sender=("Ann Lee", "ann@initech.example"),
            detection=Detection(Kind.FEEDBACK_PROMISE, 0.88, feedback_by=date(2026, 3, 13)),
            lead=initech,
        )
        vandelay = add_lead(
            session,
            "Vandelay",
            ("", "hr@vandelay.example"),
            Action.DEAD,
            None,
            "Two nudges and 7 business days of silence.",
            status=LeadStatus.DEAD,
        )
        add_message(
            session,
            message_id="<v1@vandelay.example>",
            subject="Importer role",
            sent_at=datetime(2026, 2, 10, 10, tzinfo=ZONE),
            sender=("", "hr@vandelay.example"),
            detection=Detection(Kind.RECRUITER_REPLY, 0.9),
            lead=vandelay,
        )
        add_message(
            session,
            message_id="<x1@recruit.example>",
            subject="Quick question",
            sent_at=datetime(2026, 3, 9, 9, tzinfo=ZONE),
            sender=("Sam", "sam@recruit.example"),
            detection=Detection(Kind.RECRUITER_REPLY, 0.41),
        )
        return {"acme": acme.id, "initech": initech.id, "vandelay": vandelay.id}


def digest_row(sessions: sessionmaker[Session], day: date, recipient: str) -> Digest | None:
    with transaction(sessions) as session:
        return find_digest(session, day, recipient)


def unstarted_smtp(tls_certificate: tuple[Path, Path]) -> SmtpServer:
    """An SMTP server with its port chosen but not listening yet: "SMTP is down"."""
    return SmtpServer(*tls_certificate)


# --- exactly once -----------------------------------------------------------------------------


def test_send_twice_on_one_day_sends_one_message(tmp_path: Path, smtp_server: SmtpServer) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)

    first = deliver_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH)
    second = deliver_digest(
        setup.settings, setup.sessions, NOW + timedelta(hours=3), recompute=NO_REFRESH
    )

    assert len(smtp_server.received) == 1
    assert first.sent_now
    assert second.sent
    assert not second.sent_now
    assert second.note == "already sent"
    mail = smtp_server.received[0].message
    assert mail["Message-ID"] == digest_message_id(DAY, "alex@example.org")
    assert mail["X-Followup-Digest"] == "1"
    assert mail["To"] == "alex@example.org"
    row = digest_row(setup.sessions, DAY, "alex@example.org")
    assert row is not None
    assert row.sent_at is not None
    assert row.attempts == 1


def test_force_sends_again_with_a_message_id_of_its_own(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    deliver_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH)
    again = deliver_digest(setup.settings, setup.sessions, NOW, force=True, recompute=NO_REFRESH)
    ids = [m.message["Message-ID"] for m in smtp_server.received]
    assert len(ids) == 2
    assert ids[1] == digest_message_id(DAY, "alex@example.org", sequence=2) == again.message_id
    assert ids[0] != ids[1]


def test_next_day_sends_a_new_digest_and_lists_a_let_go_lead_only_once(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    deliver_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH)
    deliver_digest(setup.settings, setup.sessions, NOW + timedelta(days=1), recompute=NO_REFRESH)

    first, second = (m.message for m in smtp_server.received)
    assert first["Message-ID"] != second["Message-ID"]
    first_text = first.get_body(("plain",)).get_content()
    second_text = second.get_body(("plain",)).get_content()
    assert "LET GO (1)" in first_text
    assert "Vandelay" in first_text
    assert "Vandelay" not in second_text
    assert "followup relabel '<x1@recruit.example>' recruiter_reply" in first_text


def test_crash_between_smtp_and_recording_does_not_send_a_second_digest(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user))
    seed_leads(setup.sessions)
    recipient = imap_user.address
    message_id = digest_message_id(DAY, recipient)
    # What deliver_digest does up to the crash: the row first, then SMTP accepts ...
    with transaction(setup.sessions) as session:
        start_digest_attempt(
            session, day=DAY, recipient=recipient, message_id=message_id, now=NOW, content={}
        )
    rendered = preview_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH).rendered
    message = build_digest_message(
        rendered, sender=recipient, recipient=recipient, message_id=message_id, now=NOW
    )
    assert setup.settings.smtp is not None
    send_message(setup.settings.smtp, message)
    dovecot.append(imap_user, "INBOX", message.as_bytes())  # ... and it was delivered.
    # The process died before recording sent_at.

    outcome = deliver_digest(
        setup.settings, setup.sessions, NOW + timedelta(minutes=1), recompute=NO_REFRESH
    )

    assert len(smtp_server.received) == 1
    assert outcome.sent
    assert not outcome.sent_now
    row = digest_row(setup.sessions, DAY, recipient)
    assert row is not None
    assert row.sent_at is not None
    assert row.content["confirmed_by"] == "found in mailbox"


def test_interrupted_attempt_not_in_the_mailbox_is_resent_only_after_settling(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user))
    seed_leads(setup.sessions)
    recipient = imap_user.address
    with transaction(setup.sessions) as session:
        start_digest_attempt(
            session,
            day=DAY,
            recipient=recipient,
            message_id=digest_message_id(DAY, recipient),
            now=NOW,
            content={},
        )

    with pytest.raises(DigestSendError, match="may still be on its way"):
        deliver_digest(
            setup.settings, setup.sessions, NOW + timedelta(minutes=2), recompute=NO_REFRESH
        )
    assert smtp_server.received == []

    later = NOW + timedelta(seconds=SETTLE_SECONDS + 60)
    outcome = deliver_digest(setup.settings, setup.sessions, later, recompute=NO_REFRESH)
    assert outcome.sent_now
    assert len(smtp_server.received) == 1


def test_smtp_down_then_back_delivers_exactly_once(
    tmp_path: Path,
    tls_certificate: tuple[Path, Path],
    dovecot: Dovecot,
    imap_user: ImapUser,
) -> None:
    server = unstarted_smtp(tls_certificate)
    setup = make_setup(tmp_path, smtp_port=server.port, imap=(dovecot, imap_user))
    seed_leads(setup.sessions)
    clock = FixedClock(NOW)

    with pytest.raises(DigestSendError, match="unreachable"):
        send_due_digest(setup.settings, setup.sessions, clock, recompute=NO_REFRESH)
    row = digest_row(setup.sessions, DAY, imap_user.address)
    assert row is not None
    assert row.sent_at is None
    assert row.last_error is not None

    server.start()
    try:
        clock.advance_to(NOW + timedelta(minutes=5))
        assert send_due_digest(setup.settings, setup.sessions, clock, recompute=NO_REFRESH)
        clock.advance_to(NOW + timedelta(minutes=10))
        assert not send_due_digest(setup.settings, setup.sessions, clock, recompute=NO_REFRESH)
        assert len(server.received) == 1
    finally:
        server.stop()
    row = digest_row(setup.sessions, DAY, imap_user.address)
    assert row is not None
    assert row.attempts == 2
    assert row.sent_at is not None


def test_service_sends_at_digest_time_and_skips_empty_days(
    tmp_path: Path, make_smtp_server: Callable[..., SmtpServer]
) -> None:
    server = make_smtp_server()
    setup = make_setup(tmp_path, smtp_port=server.port)
    early = FixedClock(datetime(2026, 3, 10, 7, 59, tzinfo=ZONE))
    assert not send_due_digest(setup.settings, setup.sessions, early, recompute=NO_REFRESH)
    # Nothing in the store: an empty day is skipped ...
    assert not send_due_digest(
        setup.settings, setup.sessions, FixedClock(NOW), recompute=NO_REFRESH
    )
    assert server.received == []
    # ... until there is something to say.
    seed_leads(setup.sessions)
    assert send_due_digest(setup.settings, setup.sessions, FixedClock(NOW), recompute=NO_REFRESH)
    assert len(server.received) == 1


def test_service_sends_an_empty_digest_when_asked_to(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, send_empty=True)
    assert send_due_digest(setup.settings, setup.sessions, FixedClock(NOW), recompute=NO_REFRESH)
    assert "nothing to do" in str(smtp_server.received[0].message["Subject"])


# --- the command ---------------------------------------------------------------------------


def test_cli_send_twice_says_already_sent_and_exits_0(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    args = ["--config", str(setup.config), "--now", "2026-03-10T08:30", "digest", "--send"]

    first = invoke(args)
    second = invoke(args)

    assert first.exit_code == 0, first.stderr
    assert "sent the digest for Tue 10 Mar to alex@example.org" in first.stdout
    assert second.exit_code == 0, second.stderr
    assert "already sent" in second.stdout
    assert "--force" in second.stdout
    assert len(smtp_server.received) == 1


def test_cli_json_reports_day_recipient_message_id_and_section_counts(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    base = ["--config", str(setup.config), "--now", "2026-03-10T08:30", "--json", "digest"]

    preview = invoke([*base, "--preview"])
    sent = invoke([*base, "--send"])

    assert preview.exit_code == 0, preview.stderr
    before = json.loads(preview.stdout)
    after = json.loads(sent.stdout)
    assert set(before) == {"day", "to", "message_id", "sent", "sections"}
    assert before["day"] == "2026-03-10"
    assert before["to"] == "alex@example.org"
    assert before["message_id"] == digest_message_id(DAY, "alex@example.org")
    assert before["sent"] is False
    assert after["sent"] is True
    assert set(before["sections"]) == {
        "follow_up",
        "coming_up",
        "waiting",
        "let_go",
        "please_check",
    }
    assert after["message_id"] == before["message_id"]


def test_cli_preview_prints_the_text_digest(tmp_path: Path, smtp_server: SmtpServer) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    result = invoke(["--config", str(setup.config), "--now", "2026-03-10T08:30", "digest"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Follow-ups for Tue 10 Mar")
    assert smtp_server.received == []


def test_cli_send_with_smtp_down_exits_1_with_one_line(tmp_path: Path) -> None:
    setup = make_setup(tmp_path, smtp_port=free_port())  # nothing listens there
    seed_leads(setup.sessions)
    result = invoke(
        ["--config", str(setup.config), "--now", "2026-03-10T08:30", "digest", "--send"]
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "is unreachable" in result.stderr
    row = digest_row(setup.sessions, DAY, "alex@example.org")
    assert row is not None
    assert row.sent_at is None


def test_cli_rejects_force_without_send(tmp_path: Path, smtp_server: SmtpServer) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    result = invoke(["--config", str(setup.config), "digest", "--force"])
    assert result.exit_code == 2
    assert "--force only goes with --send" in result.stderr


def test_a_relabelled_message_leaves_please_check(tmp_path: Path, smtp_server: SmtpServer) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    seed_leads(setup.sessions)
    before = preview_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH)
    assert before.counts["please_check"] == 1
    with transaction(setup.sessions) as session:
        session.add(
            Override(
                created_at=NOW,
                command="followup relabel '<x1@recruit.example>' recruiter_reply",
                target="message",
                message_key="<x1@recruit.example>",
                field="kind",
                old_value={"kind": "recruiter_reply"},
                new_value={"kind": "recruiter_reply"},
            )
        )
    after = preview_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH)
    assert after.counts["please_check"] == 0
    assert "PLEASE CHECK" not in after.rendered.text
