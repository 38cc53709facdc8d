"""QA round 3, end to end: a mailbox in a real Dovecot, `followup` run as a user would.

Each test names what a careful user would notice in the CLI's answers as of one `--now`.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.clirun import run
from tests.scenarios.harness import Scenario, make_scenario
from tests.scenarios.job_search import USER, USER_ADDRESS, Mail, at
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.dovecot

_BEN = "Ben Ortiz <ben.ortiz@bluefin.io>"
_AUTO = (("Auto-Submitted", "auto-replied"),)

MAILS = (
    Mail(
        "D1",
        "INBOX",
        at(10, 15, 8),
        "Delta Freight Careers <careers@deltafreight.com>",
        USER_ADDRESS,
        "We received your application",
        "Dear Alex,\n\nThank you for applying for the Platform Engineer position at Delta "
        "Freight. We have received your application and our team will review it.\n\n"
        "Delta Freight Talent Team\n",
    ),
    Mail(
        "G1",
        "INBOX",
        at(10, 30, 10),  # EDT: the Date header says -0400; the interview is in EST
        "Gil Adams <gil@golfmedia.com>",
        USER_ADDRESS,
        "Interview at Golf Media",
        "Hi Alex,\n\nYour interview is scheduled for Tuesday, November 3 at 10:00 AM.\n\n"
        "Gil Adams\nGolf Media\n",
    ),
    Mail(
        "B1",
        "INBOX",
        at(11, 2, 9),
        _BEN,
        USER_ADDRESS,
        "Interview confirmation - Bluefin",
        "Hi Alex,\n\nThis confirms your interview on Wednesday, November 4 at 10:00 AM with "
        "our data team.\n\nRegards,\nBen Ortiz\nRecruiter, Bluefin\n",
    ),
    Mail(
        "B2",
        "Sent",
        at(11, 9, 11),
        USER,
        _BEN,
        "Re: Interview confirmation - Bluefin",
        "Hi Ben,\n\nI wanted to follow up on my interview last Wednesday. I'm still very "
        "interested in the role.\n\nBest,\nAlex\n",
        reply_to="B1",
    ),
    Mail(
        "B3",
        "INBOX",
        at(11, 9, 11, 1),
        _BEN,
        USER_ADDRESS,
        "Out of Office: Re: Interview confirmation - Bluefin",
        "I am out of the office until Monday, November 16 with limited access to email. "
        "I will respond when I return.\n\nBen\n",
        reply_to="B2",
        quote=False,
        headers=_AUTO,
    ),
    Mail(
        "E1",
        "INBOX",
        at(11, 19, 10),
        "Eli Park <eli.park@echosystems.com>",
        USER_ADDRESS,
        "Interview invitation - Echo Systems",
        "Hi Alex,\n\nWe were impressed by your application and would like to invite you to "
        "interview for the SRE role. Please share a few times that work for you next week."
        "\n\nThanks,\nEli Park\nEcho Systems\n",
    ),
)
BY_KEY = {mail.key: mail for mail in MAILS}


@pytest.fixture(scope="module")
def box(dovecot: Dovecot, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    built = make_scenario(dovecot, tmp_path_factory.mktemp("qa3"))
    built.deliver(MAILS, BY_KEY)
    built.sync()
    return built


def _row(box: Scenario, now: datetime, company: str) -> dict[str, object]:
    rows = [r for r in box.leads(now) if company in str(r["company"])]
    assert len(rows) == 1, rows
    return rows[0]


def test_interview_in_a_dst_week_is_still_ahead_half_an_hour_before(box: Scenario) -> None:
    """ "Tuesday, November 3 at 10:00 AM" written on Oct 30 (EDT) is 10:00 EST: at 09:30 the
    user is told to wait for it, not to thank them already."""
    row = _row(box, at(11, 3, 9, 30), "Golf")
    assert (row["action"], row["due"]) == ("wait", "2026-11-03"), row
    row = _row(box, at(11, 3, 10, 0), "Golf")
    assert (row["action"], row["due"]) == ("thank", "2026-11-04"), row


def test_relabel_json_shows_the_message_time_in_the_users_zone(box: Scenario) -> None:
    lead = _row(box, at(11, 20, 12), "Echo")
    why = box.cli("why", str(lead["id"]), "--now", at(11, 20, 12).isoformat())
    number = str(why["timeline"][0]["id"])
    done = box.cli("relabel", number, "interview_invitation", "--now", at(11, 20, 12).isoformat())
    box.cli("undo", "--now", at(11, 20, 12).isoformat())
    assert done["message"]["sent_at"] == "2026-11-19T10:00:00-05:00", done["message"]


def test_first_digest_lets_go_of_an_application_that_went_stale_today(box: Scenario) -> None:
    """Delta only acknowledged the application (Thu Oct 15); 30 business days later (Mon Nov
    30, holidays off) it is dead, and the digest of that morning says to let it go."""
    assert _row(box, at(11, 30, 9), "Delta")["action"] == "dead"
    text = box.digest(at(11, 30, 9))
    assert "LET GO" in text, text
    assert "Delta Freight" in text.split("LET GO", 1)[1], text


def test_nudge_draft_answers_the_thread_not_the_out_of_office_reply(box: Scenario) -> None:
    """Bluefin's only answer to the user's follow-up was an out-of-office auto-reply: the second
    nudge goes to the interview thread (DESIGN: an auto-reply is not a reply), and the
    timeline calls the auto-reply what it is."""
    assert _row(box, at(11, 19, 9), "Bluefin")["action"] == "nudge"
    text = box.digest(at(11, 19, 9))
    part = text.split("* Bluefin", 1)[1].split("\n* ", 1)[0]
    assert "Subject: Re: Interview confirmation - Bluefin" in part, part
    assert "Out of Office" not in part, part
    assert "from them (auto-reply)" in part, part


def test_digest_titles_the_lead_with_its_role_not_the_company_twice(box: Scenario) -> None:
    """ "Interview invitation - Echo Systems" names the company; the body names the SRE role."""
    text = box.digest(at(11, 20, 9))
    assert "Echo Systems — SRE" in text, text
    assert "Echo Systems — Echo Systems" not in text, text


def test_redo_puts_back_what_the_last_undo_took_not_an_older_undo(box: Scenario) -> None:
    """mark Golf dead, undo; a new correction (mark Bluefin dead) ends the chance to redo the
    first; undo it; redo must put back the Bluefin mark, the one the last undo took back."""
    now = at(11, 20, 12).isoformat()
    try:
        box.cli("mark", "golf", "dead", "--now", now)
        box.cli("undo", "--now", now)
        box.cli("mark", "bluefin", "dead", "--now", now)
        box.cli("undo", "--now", now)
        redone = box.cli("redo", "--now", now)
        assert [r["command"] for r in redone["redone"]] == [
            f"followup mark bluefin dead --now {now}"
        ], redone
        rows = {r["company"]: r["action"] for r in box.leads(at(11, 20, 12), cached=False)}
        assert (rows["Golf Media"], rows["Bluefin"]) == ("nudge", "dead"), rows
    finally:
        while run(["undo", "--config", str(box.config)], env=box.env).returncode == 0:
            pass


def test_leads_counts_only_leads_that_exist_as_of_now(box: Scenario) -> None:
    """On Oct 20 only Delta has written (Oct 15): the note under `leads` counts one lead with
    nothing to do, not the five that start later (`leads --all` lists just the one)."""
    now = at(10, 20, 12).isoformat()
    assert [r["company"] for r in box.leads(at(10, 20, 12))] == ["Delta Freight"]
    done = run(["leads", "--config", str(box.config), "--now", now], env=box.env)
    assert done.returncode == 0, done.stderr
    assert "1 lead with nothing to do" in done.stdout, done.stdout
