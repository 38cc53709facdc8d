"""Bugs an independent QA run found, end to end: mail in a real Dovecot, `followup sync --once`,
then the CLI as a user types it (expected dates by hand from DESIGN: business days, no holidays,
America/New_York)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.scenarios.first_week import at
from tests.scenarios.harness import Scenario, make_scenario
from tests.scenarios.job_search import USER, USER_ADDRESS, Mail
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

_QUINN = "Quinn Reyes <quinn.reyes@quillanalytics.com>"

# Quill Analytics: interview Mon 11-16 10:00, thank-you at 14:00, out-of-office at 14:01.
QUILL = [
    Mail(
        "Q1",
        "INBOX",
        at(11, 12, 10, 0),
        _QUINN,
        USER_ADDRESS,
        "Interview confirmation: Data Engineer",
        "Hi Alex,\n\nThis confirms your interview for the Data Engineer position on Monday, "
        "November 16 at 10:00 AM.\n\nBest,\nQuinn Reyes\nTalent Acquisition, Quill Analytics",
    ),
    Mail(
        "Q2",
        "Sent",
        at(11, 16, 14, 0),
        USER,
        _QUINN,
        "Thank you",
        "Hi Quinn,\n\nThank you for today's conversation, I enjoyed meeting the team.\n\n"
        "Best regards,\nAlex",
        reply_to="Q1",
    ),
    Mail(
        "Q3",
        "INBOX",
        at(11, 16, 14, 1),
        _QUINN,
        USER_ADDRESS,
        "Automatic reply: Thank you",
        "I am out of the office until Friday, November 20.",
        reply_to="Q2",
        quote=False,
        headers=(("Auto-Submitted", "auto-replied"),),
    ),
]
MAILS = QUILL
BY_KEY = {mail.key: mail for mail in MAILS}


@pytest.fixture(scope="module")
def smtp(tls_certificate: tuple[Path, Path]) -> Any:
    server = SmtpServer(*tls_certificate, tls="none")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def box(dovecot: Dovecot, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The mailbox in Dovecot, synced once; drafts on, digests to the test SMTP server."""
    built = make_scenario(dovecot, tmp_path_factory.mktemp("qa"))
    text = built.config.read_text().replace(
        "[digest]\n",
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\n'
        'from = "followup <alex.morgan@example.org>"\n\n'
        '[digest]\nto = "alex.morgan@example.org"\ndrafts = true\n',
    )
    built.config.write_text(text)
    built.deliver(MAILS, BY_KEY)
    built.sync()
    return built


def lead_of(box: Scenario, now: datetime, company: str) -> dict[str, Any]:
    rows = [r for r in box.leads(now) if company in str(r.get("company") or "").lower()]
    assert len(rows) == 1, f"{company} as of {now.isoformat()}: {box.leads(now)}"
    return rows[0]


def test_out_of_office_reply_joins_its_lead_and_holds_the_nudge(box: Scenario) -> None:
    """The auto-reply (kind not_job) answers the thank-you: the nudge, which would open Wed
    11-18, waits until the first business day after Fri 11-20; `why` shows the message."""
    wednesday = lead_of(box, at(11, 18, 12), "quill")
    assert (wednesday["action"], wednesday["due"]) == ("wait", "2026-11-23"), wednesday
    assert "away until" in wednesday["reason"], wednesday
    monday = lead_of(box, at(11, 23, 9), "quill")
    assert (monday["action"], monday["due"]) == ("nudge", "2026-11-23"), monday
    why = box.cli("why", str(wednesday["id"]), "--now", at(11, 18, 12).isoformat())
    subjects = [item.get("subject") for item in why["timeline"]]
    assert "Automatic reply: Thank you" in subjects, why["timeline"]
    assert len([r for r in box.leads(at(11, 18, 12))]) == 1, "the auto-reply started a lead"
