"""Which leads the digest shows, read from the stored decisions (real SQLite, real SMTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from nlp.types import Detection, Kind
from tests.servers.smtp import SmtpServer
from tests.test_digest_send import NO_REFRESH, NOW, add_lead, add_message, make_setup
from watcher.commands.digest import preview_digest
from watcher.domain import Action, LeadStatus
from watcher.store.db import dispose_all, transaction


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


def _lead(session: Session, company: str, action: Action, status: LeadStatus, at: datetime) -> None:
    domain = f"{company.lower()}.example"
    lead = add_lead(
        session,
        company,
        ("", f"hr@{domain}"),
        action,
        None if action in (Action.DEAD, Action.NONE) else date(2026, 3, 12),
        f"{company} reason.",
        status=status,
    )
    add_message(
        session,
        message_id=f"<1@{domain}>",
        subject=f"{company} role",
        sent_at=at,
        sender=("", f"hr@{domain}"),
        detection=Detection(Kind.RECRUITER_REPLY, 0.9),
        lead=lead,
    )


@pytest.mark.parametrize(
    ("company", "action", "status", "days_ago", "section"),
    [
        ("Recent", Action.DEAD, LeadStatus.DEAD, 5, "LET GO (1)"),  # went quiet lately
        ("Ancient", Action.DEAD, LeadStatus.DEAD, 200, None),  # let go long before
        ("Refused", Action.NONE, LeadStatus.REJECTED, 3, None),  # closed: nothing to do
        ("Talking", Action.WAIT, LeadStatus.INTERVIEWING, 3, "WAITING (1)"),
        ("Quiet", Action.NONE, LeadStatus.APPLIED, 3, "OPEN, NOTHING TO DO (1)"),
    ],
)
def test_first_digest_shows_open_leads_and_recent_let_gos_only(
    tmp_path: Path,
    smtp_server: SmtpServer,
    company: str,
    action: Action,
    status: LeadStatus,
    days_ago: int,
    section: str | None,
) -> None:
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    with transaction(setup.sessions) as session:
        _lead(session, company, action, status, NOW - timedelta(days=days_ago))
    text = preview_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH).rendered.text
    if section is None:
        assert company not in text
    else:
        assert section in text
        assert company in text.split(section, 1)[1]


def test_a_lead_whose_mail_comes_after_now_is_not_let_go(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """As of a past moment a lead is there only once its first message is."""
    setup = make_setup(tmp_path, smtp_port=smtp_server.port)
    with transaction(setup.sessions) as session:
        _lead(session, "Later", Action.DEAD, LeadStatus.DEAD, NOW + timedelta(days=1))
        _lead(session, "Earlier", Action.DEAD, LeadStatus.DEAD, NOW - timedelta(days=1))
    text = preview_digest(setup.settings, setup.sessions, NOW, recompute=NO_REFRESH).rendered.text
    assert "LET GO (1)" in text
    assert "Earlier" in text
    assert "Later" not in text
