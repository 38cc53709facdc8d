"""Drafts APPENDed to the real Dovecot: in \\Drafts, flagged \\Draft, in the thread, once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select

from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.smtp import SmtpServer
from tests.test_digest_send import NOW, ZONE, make_setup, seed_leads, set_decision
from watcher.clock import FixedClock
from watcher.commands.digest import append_drafts, send_due_digest
from watcher.domain import Action, LeadStatus
from watcher.drafting import draft_message_id
from watcher.store.db import transaction
from watcher.store.digests import claim_draft
from watcher.store.tables import Draft


def drafts_in(dovecot: Dovecot, user: ImapUser) -> list[tuple[EmailMessage, frozenset[str]]]:
    with dovecot.connect(user) as client:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        found = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
    parsed = []
    for data in found.values():
        mail = BytesParser(policy=policy.default).parsebytes(data[b"BODY[]"])
        assert isinstance(mail, EmailMessage)
        flags = frozenset(f.decode() if isinstance(f, bytes) else f for f in data[b"FLAGS"])
        parsed.append((mail, flags))
    return parsed


def test_draft_lands_in_drafts_flagged_in_the_thread_and_only_once(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user), drafts=True)
    seed_leads(setup.sessions)

    assert append_drafts(setup.settings, setup.sessions, NOW) == 1
    assert append_drafts(setup.settings, setup.sessions, NOW + timedelta(hours=2)) == 0

    ((draft, flags),) = drafts_in(dovecot, imap_user)
    assert "\\Draft" in flags
    assert draft["To"] == "Jane Doe <jane@acme.example>"
    assert draft["Subject"] == "Re: Interview for Senior Engineer"
    assert draft["In-Reply-To"] == "<a1@acme.example>"
    assert draft["References"] == "<a0@acme.example> <a1@acme.example>"
    assert draft["X-Followup-Draft"].startswith("lead=")
    assert imap_user.address in draft["From"]
    body = draft.get_body(("plain",))
    assert body is not None
    assert "following up on my interview on Thursday 5 March" in body.get_content()
    # Nothing else in the mailbox was touched.
    with dovecot.connect(imap_user) as client:
        assert client.select_folder("INBOX", readonly=True)[b"EXISTS"] == 0


def test_a_new_decision_gets_its_own_draft(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user), drafts=True)
    leads = seed_leads(setup.sessions)
    append_drafts(setup.settings, setup.sessions, NOW)
    with transaction(setup.sessions) as session:
        set_decision(
            session,
            leads["acme"],
            LeadStatus.INTERVIEWING,
            Action.NUDGE,
            date(2026, 3, 20),
            "Second follow-up window open.",
            NOW + timedelta(days=8),
        )
    assert append_drafts(setup.settings, setup.sessions, NOW + timedelta(days=8)) == 1
    assert len(drafts_in(dovecot, imap_user)) == 2


def test_draft_appended_before_a_crash_is_not_appended_again(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user), drafts=True)
    leads = seed_leads(setup.sessions)
    message_id = draft_message_id(leads["acme"], Action.NUDGE, date(2026, 3, 11), "personal")
    # The row was claimed and the APPEND done, then the process died before recording it.
    with transaction(setup.sessions) as session:
        claim_draft(session, leads["acme"], "nudge", date(2026, 3, 11), message_id)
    copy = EmailMessage()
    copy["Message-ID"] = message_id
    copy["Subject"] = "Re: Interview for Senior Engineer"
    copy.set_content("draft")
    dovecot.append(imap_user, "Drafts", copy.as_bytes(), flags=["\\Draft"])

    assert append_drafts(setup.settings, setup.sessions, NOW) == 0
    assert len(drafts_in(dovecot, imap_user)) == 1
    with transaction(setup.sessions) as session:
        row = session.scalar(select(Draft).where(Draft.message_id == message_id))
        assert row is not None
        assert row.appended_at is not None


def test_drafts_are_off_unless_asked_for(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user))
    seed_leads(setup.sessions)
    assert send_due_digest(setup.settings, setup.sessions, FixedClock(NOW), recompute=None)
    assert drafts_in(dovecot, imap_user) == []


def test_service_saves_drafts_with_the_digest(
    tmp_path: Path, smtp_server: SmtpServer, dovecot: Dovecot, imap_user: ImapUser
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port, imap=(dovecot, imap_user), drafts=True)
    seed_leads(setup.sessions)
    clock = FixedClock(datetime(2026, 3, 10, 9, 0, tzinfo=ZONE))
    assert send_due_digest(setup.settings, setup.sessions, clock, recompute=None)
    assert len(smtp_server.received) == 1
    assert len(drafts_in(dovecot, imap_user)) == 1
