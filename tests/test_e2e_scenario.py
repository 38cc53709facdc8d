"""End to end: a job search in a real Dovecot -> `followup sync --once` -> `followup leads`.

The whole mailbox (tests/scenarios/job_search.py) is synced once; then `leads --json --all
--now D` at nine moments over four weeks must give, for every company, the action and due
date worked out by hand from DESIGN.md (tests/scenarios/expected.py, one comment a row citing
the rule). `why` must name the rule and quote the phrase a date came from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest

from tests.scenarios.expected import ABSENT, COMPANIES, EXPECTED, M1, M4, M6, M8, M9
from tests.scenarios.harness import Scenario, company_of, compare, describe, make_scenario
from tests.scenarios.job_search import BY_KEY, MAILS
from tests.servers.dovecot import Dovecot

pytestmark = pytest.mark.dovecot


@pytest.fixture(scope="module")
def scenario(dovecot: Dovecot, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """The whole mailbox in Dovecot, synced once with the real clock."""
    built = make_scenario(dovecot, tmp_path_factory.mktemp("e2e"))
    built.deliver(MAILS)
    built.sync()
    return built


@pytest.mark.parametrize("moment", list(EXPECTED), ids=[m.strftime("%a-%m-%d") for m in EXPECTED])
def test_e2e_leads_as_of_each_moment_follow_the_rules(scenario: Scenario, moment: datetime) -> None:
    problems = compare(EXPECTED[moment], scenario.leads(moment))
    assert not problems, f"as of {moment.isoformat()}:\n  " + "\n  ".join(problems)


def test_e2e_leads_from_the_future_are_not_listed(scenario: Scenario) -> None:
    """`--now` decides "as if it were that moment": a company that has not written yet has no
    lead then (DESIGN, CLI contract)."""
    listed = [
        describe(r) for r in scenario.leads(M1) if EXPECTED[M1].get(company_of(r) or "") == ABSENT
    ]
    assert not listed, listed


def _bare(message_id: str | None) -> str:
    return (message_id or "").strip().strip("<>").lower()


def _promise_step(why: Mapping[str, Any], phrase: str, mail_key: str) -> list[str]:
    """Problems, if no trace step names the promised-date rule with ``phrase`` from the mail."""
    steps = why.get("trace") or []
    for step in steps:
        rule = str(step.get("rule", "")).lower().replace("-", " ").replace("_", " ")
        if "promise" in rule and phrase.lower() in str(step.get("phrase") or "").lower():
            if _bare(step.get("message_id")) != _bare(BY_KEY[mail_key].message_id):
                return [f"the phrase is credited to {step.get('message_id')}, not {mail_key}"]
            return []
    return [f"no promised-date step quoting {phrase!r}; trace: {json.dumps(steps)}"]


def test_e2e_why_names_the_promised_date_rule_and_quotes_by_friday(scenario: Scenario) -> None:
    lead = scenario.lead_id(M4, "Bluefin Analytics")
    why = scenario.cli("why", str(lead), "--now", M4.isoformat())
    assert why["action"] == "wait", why
    assert not _promise_step(why, "by Friday", "B4"), _promise_step(why, "by Friday", "B4")


def test_e2e_why_after_a_reply_quotes_the_new_date(scenario: Scenario) -> None:
    lead = scenario.lead_id(M8, "Bluefin Analytics")
    why = scenario.cli("why", str(lead), "--now", M8.isoformat())
    assert why["action"] == "nudge", why
    problems = _promise_step(why, "by Wednesday, October 7", "B6")
    assert not problems, problems


def test_e2e_why_no_followup_lead_quotes_the_request(scenario: Scenario) -> None:
    """Cobalt asked not to be chased (C5): the trace quotes the ask, credits C5, and gives the
    day the lead will be let go: Thu 10-01 (sem 9)."""
    lead = scenario.lead_id(M6, "Cobalt Health")
    why = scenario.cli("why", str(lead), "--now", M6.isoformat())
    assert why["action"] == "wait", why
    quoting = [
        step
        for step in why["trace"]
        if "follow up" in str(step.get("phrase") or "").lower().replace("\u2019", "'")
    ]
    assert quoting, f"no step quotes the ask: {json.dumps(why['trace'])}"
    assert any("don't follow up" in str(s["phrase"]).lower() for s in quoting), quoting
    assert all(_bare(s.get("message_id")) == _bare(BY_KEY["C5"].message_id) for s in quoting)
    assert "2026-10-01" in json.dumps([s.get("dates") for s in why["trace"]]), why["trace"]


def test_e2e_leads_name_the_human_recruiter(scenario: Scenario) -> None:
    rows = scenario.leads(M9)
    problems = []
    for row in rows:
        company = company_of(row)
        recruiter = COMPANIES.get(company) if company else None
        if recruiter and recruiter not in str(row.get("contact") or "").lower():
            problems.append(f"{company}: contact {row.get('contact')!r}, expected {recruiter}")
    assert not problems, problems


def test_e2e_second_sync_changes_nothing(scenario: Scenario) -> None:
    before = (scenario.leads(M9), scenario.cli("status"))
    scenario.sync()
    after = (scenario.leads(M9), scenario.cli("status"))
    assert after[0] == before[0]
    assert after[1]["messages"] == before[1]["messages"] == len(MAILS)
    assert after[1]["leads"] == before[1]["leads"]
