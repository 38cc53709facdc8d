"""Issue 13's wrong decisions, end to end: threads in a real Dovecot, `followup sync --once`, then
`leads`/`why`/`digest` as of --now moments (the stories: tests/scenarios/first_week.py).

Expected actions and dates are worked out by hand from DESIGN (business days, no holidays,
America/New_York, every moment in EST).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import pytest

from tests.scenarios.first_week import BY_KEY, MAILS, at
from tests.scenarios.harness import Scenario, make_scenario, send_digests_to
from tests.servers.dovecot import Dovecot
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

NOON_12 = at(11, 12, 12, 0)  # Thu: Initrode's interview is at 15:30 that day
AFTER_12 = at(11, 12, 16, 0)
FRI_13 = at(11, 13, 17, 0)  # after Kestrel's offer
FRI_20 = at(11, 20, 9, 0)  # Hooli's recruiter is back today
MON_23 = at(11, 23, 9, 0)

COMPANIES = {
    "initrode": "Initrode",
    "umbrella": "Umbrella Health",
    "hooli": "Hooli",
    "globex": "Globex",
    "vandelay": "Vandelay Industries",
    "tidewell": "Tidewell Freight",
    "kestrel": "Kestrel Labs",
}


@pytest.fixture(scope="module")
def smtp(plain_smtp: SmtpServer) -> SmtpServer:
    return plain_smtp


@pytest.fixture(scope="module")
def week(dovecot: Dovecot, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The mailbox in Dovecot, synced once; drafts on, digests to the test SMTP server."""
    built = make_scenario(dovecot, tmp_path_factory.mktemp("decisions"))
    send_digests_to(built, smtp.port)
    built.deliver(MAILS, BY_KEY)
    built.sync()
    return built


def rows_of(week: Scenario, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """`leads --all --json --now NOW`, by the company each row names."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in week.leads(now):
        text = str(row.get("company") or "").lower()
        names = [key for key in COMPANIES if key in text]
        assert len(names) == 1, f"a lead of no scenario company: {row}"
        found.setdefault(names[0], []).append(row)
    return found


def one(week: Scenario, now: datetime, company: str) -> dict[str, Any]:
    rows = rows_of(week, now).get(company, [])
    assert len(rows) == 1, f"{company} as of {now.isoformat()}: {rows}"
    return rows[0]


def digest(week: Scenario, now: datetime, how: str = "--preview") -> str:
    """`followup digest --preview` (or --send) as of ``now``; its output."""
    return week.digest(now, how)


def test_zone_less_interview_time_is_the_senders_zone(week: Scenario) -> None:
    """1: "Thursday, November 12 at 3:30 PM" in a -0500 mail is 15:30 New York time."""
    noon = one(week, NOON_12, "initrode")
    assert (noon["action"], noon["due"]) == ("wait", "2026-11-12"), noon
    assert "15:30" in noon["reason"], noon
    later = one(week, AFTER_12, "initrode")
    assert (later["action"], later["due"]) == ("thank", "2026-11-13"), later
    why = week.cli("why", str(noon["id"]), "--now", NOON_12.isoformat())
    assert '"interview_at": "2026-11-12T15:30-05:00"' in json.dumps(why["trace"]), why["trace"]


def test_out_of_office_nudge_waits_until_after_the_return_date(week: Scenario) -> None:
    """2: away until Fri 11-20 -> the nudge opens on the first business day after it."""
    friday = one(week, FRI_20, "hooli")
    assert (friday["action"], friday["due"]) == ("wait", "2026-11-23"), friday
    monday = one(week, MON_23, "hooli")
    assert (monday["action"], monday["due"]) == ("nudge", "2026-11-23"), monday


def test_respond_goes_to_who_wrote_the_invitation_in_its_thread(week: Scenario) -> None:
    """3: Dana invited, Tom sent a take-home: answer Dana, "Re: Final round interview"."""
    row = one(week, NOON_12, "globex")
    assert (row["action"], row["due"]) == ("respond", "2026-11-11"), row
    assert row["contact"] == "dana.whitfield@globex.com", row
    text = digest(week, NOON_12)
    block = text.split("Globex", 1)[1].split("\n* ", 1)[0]
    assert "To: Dana Whitfield <dana.whitfield@globex.com>" in block, block
    assert "Subject: Re: Final round interview" in block, block
    assert "tom.becker" not in block, block


def test_as_of_now_nothing_after_it_exists(week: Scenario) -> None:
    """4: as of Thu 11-12 Kevin (11-13) has not written and Kestrel (11-13) does not exist."""
    rows = rows_of(week, NOON_12)
    assert "kestrel" not in rows, rows.get("kestrel")
    vandelay = one(week, NOON_12, "vandelay")
    assert vandelay["contact"] == "vera.lind@vandelay.com", vandelay
    why = week.cli("why", str(vandelay["id"]), "--now", NOON_12.isoformat())
    assert why["contact"] == "vera.lind@vandelay.com"
    assert all(item["date"] <= "2026-11-12" for item in why["timeline"]), why["timeline"]
    text = digest(week, NOON_12)
    assert "Kestrel" not in text
    assert "Kevin" not in text
    assert "kevin.park" not in text
    assert "13 Nov" not in text, [line for line in text.splitlines() if "13 Nov" in line]
    # Later, Kevin is the one who wrote last.
    assert one(week, FRI_13, "vandelay")["contact"] == "kevin.park@vandelay.com"


def test_ats_acknowledgement_recruiter_and_ats_rejection_are_one_lead(week: Scenario) -> None:
    """5: Workable ack + a recruiter at tidewell-freight.com + a Workable rejection."""
    before = one(week, FRI_13, "tidewell")
    assert before["company"] == "Tidewell Freight", before
    assert before["action"] == "none", before
    after = one(week, at(11, 16, 9, 0), "tidewell")
    assert (after["id"], after["status"], after["action"]) == (before["id"], "rejected", "none")


def test_digest_gives_every_open_lead_a_line(week: Scenario) -> None:
    """6: leads with nothing to do (an answered invitation, an acknowledged application)."""
    text = digest(week, NOON_12)
    section = text.split("OPEN, NOTHING TO DO", 1)[1].split("\n\n\n", 1)[0]
    assert "Umbrella Health" in section, text
    assert "You answered their invitation on Tue 2026-11-10" in section, section
    assert "Tidewell Freight" in section, section
    for company in ("Initrode", "Hooli", "Globex", "Vandelay Industries", "Tidewell Freight"):
        assert company in text, f"{company} has no line in the digest"


def test_offer_decision_date_is_shown_beside_respond(week: Scenario) -> None:
    """7: "Please let us know your decision by Friday, November 20"."""
    row = one(week, FRI_13, "kestrel")
    assert (row["action"], row["due"]) == ("respond", "2026-11-16"), row
    assert "Fri 2026-11-20" in row["reason"], row
    why = week.cli("why", str(row["id"]), "--now", FRI_13.isoformat())
    assert why["trace"][-1]["dates"].get("decide_by") == "2026-11-20", why["trace"][-1]
    assert "Fri 2026-11-20" in digest(week, FRI_13)


def _drafts(dovecot: Dovecot, week: Scenario) -> dict[str, EmailMessage]:
    return {str(mail["To"]): mail for mail in week.drafts()}


def test_drafts_thread_and_the_digest_says_they_were_saved(
    dovecot: Dovecot, smtp: SmtpServer, week: Scenario
) -> None:
    """7: bracketed In-Reply-To/References with the user's last message; the digest says so."""
    digest(week, MON_23, "--send")
    drafts = _drafts(dovecot, week)
    nudge = drafts["Hank Moody <hank.moody@hooli.com>"]
    ids = re.findall(r"<[^<>\s]+>", str(nudge["References"]))
    assert str(nudge["In-Reply-To"]).startswith("<")
    assert str(nudge["In-Reply-To"]).endswith(">")
    assert BY_KEY["H2"].message_id in ids, nudge["References"]  # the user's own last message
    assert BY_KEY["H1"].message_id in ids, nudge["References"]
    assert " ".join(ids) == str(nudge["References"]).strip()
    respond = drafts["Dana Whitfield <dana.whitfield@globex.com>"]
    assert respond["In-Reply-To"] == BY_KEY["G1"].message_id
    assert respond["Subject"] == "Re: Final round interview"
    sent = [m.message for m in smtp.received if "Follow-ups for" in str(m.message["Subject"])]
    assert sent, "no digest was sent"
    body = sent[-1].get_body(("plain",))
    assert body is not None
    assert "A draft of this message is saved in your Drafts folder." in body.get_content()
