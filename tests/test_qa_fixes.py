"""Bugs an independent QA run found, end to end: mail in a real Dovecot, `followup sync --once`,
then the CLI as a user types it (expected dates by hand from DESIGN: business days, no holidays,
America/New_York)."""

from __future__ import annotations

import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.clirun import run
from tests.scenarios.first_week import at
from tests.scenarios.harness import Scenario, make_scenario
from tests.scenarios.job_search import USER, USER_ADDRESS, Mail, build
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


def _invitation(key: str, sender: str, company: str) -> Mail:
    return Mail(
        key,
        "INBOX",
        at(11, 12, 9, 0),
        sender,
        USER_ADDRESS,
        "Interview invitation: Backend Engineer",
        "Hi Alex,\n\nWe would like to invite you to interview for the Backend Engineer role. "
        f"Could you let me know your availability next week?\n\nBest,\n{company} recruiting",
    )


# Display names carrying raw control bytes and escape sequences (patched into the bytes),
# and one carrying an address and a comma.
HOSTILE_NAMES = {
    "E1": b"Evil\x1b[31m Recruiter",
    "R1": b"\x1b]0;T\x07Raw\x1b[1m",
}
HOSTILE = [
    _invitation("E1", "PLACEHOLDER <jane@csico.com>", "Csico"),
    _invitation("R1", "PLACEHOLDER <raw@rawesc.com>", "Rawesc"),
    # only a no-reply sender: no address to write to, so no draft (never one without To)
    _invitation("N1", "Bluefin Robotics <no-reply@us.greenhouse-mail.io>", "Bluefin"),
    _invitation(
        "C1", '"Acme Recruiting <attacker@evil.example>, Acme" <careers@acmecomma.com>', "Acme"
    ),
]
MAILS = QUILL + HOSTILE
BY_KEY = {mail.key: mail for mail in MAILS}
THU_12 = at(11, 12, 17)  # the invitations are unanswered: respond
WED_18 = at(11, 18, 12)  # Quill waits (nudge opens Mon 11-23)


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
    built.deliver(QUILL, BY_KEY)
    for mail in HOSTILE:
        raw = build(mail, BY_KEY).replace(b"PLACEHOLDER", HOSTILE_NAMES.get(mail.key, b""))
        dovecot.append(built.user, "INBOX", raw, date=mail.at, flags=("\\Seen",))
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
    quill = [r for r in box.leads(WED_18) if "quill" in str(r["company"]).lower()]
    assert len(quill) == 1, "the auto-reply started a lead"


def drafts_in(dovecot: Dovecot, box: Scenario) -> list[EmailMessage]:
    with dovecot.connect(box.user) as client:
        client.select_folder("Drafts", readonly=True)
        uids = client.search("ALL")
        found = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
    drafts: list[EmailMessage] = []
    for data in found.values():
        mail = BytesParser(policy=policy.default).parsebytes(data[b"BODY[]"])
        assert isinstance(mail, EmailMessage)
        drafts.append(mail)
    return drafts


def digest(box: Scenario, now: datetime, how: str = "--preview") -> str:
    done = run(
        ["digest", how, "--config", str(box.config), "--now", now.isoformat()],
        env=box.env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("address", ["jane@csico.com", "raw@rawesc.com"])
def test_control_bytes_in_the_display_name_keep_the_address(box: Scenario, address: str) -> None:
    company = address.split("@")[1].split(".")[0]
    row = lead_of(box, THU_12, company)
    assert row["contact"] == address, row
    assert row["action"] == "respond", row
    assert row["company"], row
    assert not re.search("[\x00-\x1f]", str(row["company"])), row
    assert re.search(f"To: [^\n]*<?{re.escape(address)}>?\n", digest(box, THU_12))


def test_a_display_name_holding_an_address_is_no_company(box: Scenario) -> None:
    row = lead_of(box, THU_12, "acme")
    assert not re.search("[<>@]", str(row["company"])), row
    text = digest(box, THU_12)
    quoted = '"Acme Recruiting <attacker@evil.example>, Acme" <careers@acmecomma.com>'
    assert f"To: {quoted}" in text, text
    assert "the open role at Acme Recruiting" not in text
    html = digest(box, THU_12, "--html")
    assert "attacker@evil.example&gt;, Acme&#34; &lt;careers@acmecomma.com&gt;" in html or (
        "attacker@evil.example&gt;, Acme&quot; &lt;careers@acmecomma.com&gt;" in html
    ), html


def test_every_draft_has_one_recipient_and_an_action_due_now(
    dovecot: Dovecot, box: Scenario
) -> None:
    """Drafts as of Thu 11-12 (three invitations to answer, Quill waits for its interview)
    and as of Wed 11-18 (Quill waits for its recruiter's return): only thank, nudge and
    respond get one, each addressed to exactly one recipient."""
    digest(box, THU_12, "--send")
    digest(box, WED_18, "--send")
    drafts = drafts_in(dovecot, box)
    recipients = sorted(a.addr_spec for d in drafts for a in d["To"].addresses)
    assert recipients == ["careers@acmecomma.com", "jane@csico.com", "raw@rawesc.com"]
    for draft in drafts:
        assert len(draft.get_all("To") or []) == 1
        assert "attacker" not in draft.get_content(), draft.get_content()
        assert "action=respond" in str(draft["X-Followup-Draft"]), draft["X-Followup-Draft"]


BEFORE_QUILL = "2026-11-05T12:00-05:00"  # Quill's first message is dated Thu 11-12


@pytest.mark.parametrize(
    "args",
    [
        ("set", "quill", "--feedback-by", "2026-11-20"),
        ("mark", "quill", "dead"),
        ("relabel", BY_KEY["Q1"].message_id, "rejection"),
        ("merge", "acme", "quill"),
        ("split", "quill", BY_KEY["Q3"].message_id),
        ("ignore", "--sender", "quinn.reyes@quillanalytics.com"),
        ("ignore", "--domain", "quillanalytics.com"),
    ],
    ids=["set", "mark", "relabel", "merge", "split", "ignore-sender", "ignore-domain"],
)
def test_a_correction_as_of_before_the_lead_existed_is_refused(
    box: Scenario, args: tuple[str, ...]
) -> None:
    before = box.cli("history")
    done = run([*args, "--config", str(box.config), "--now", BEFORE_QUILL], env=box.env, timeout=60)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "later --now" in lines[0], lines[0]
    assert box.cli("history") == before, "something was stored"
