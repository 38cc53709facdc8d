"""End to end, as it happens: mail arrives week by week and `followup sync --once` runs each time.

The same scenario and hand-worked expectations as tests/test_e2e_scenario.py, but each sync only
sees the mail delivered so far, so replies land on leads that already exist in the database.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.scenarios.expected import EXPECTED, M2, M6, M9
from tests.scenarios.harness import company_of, compare, make_scenario
from tests.scenarios.job_search import MAILS
from tests.servers.dovecot import Dovecot

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

CHECKPOINTS = (M2, M6, M9)


def test_e2e_weekly_syncs_reach_the_same_decisions(
    dovecot: Dovecot, tmp_path_factory: pytest.TempPathFactory
) -> None:
    scenario = make_scenario(dovecot, tmp_path_factory.mktemp("e2e-incremental"))
    delivered: set[str] = set()
    ids: dict[str, set[int]] = {}
    problems: list[str] = []
    for checkpoint in CHECKPOINTS:
        arrived = [m for m in MAILS if m.at <= checkpoint and m.key not in delivered]
        scenario.deliver(arrived)
        delivered.update(m.key for m in arrived)
        scenario.sync(now=checkpoint)
        rows = scenario.leads(checkpoint)
        problems += [f"{_day(checkpoint)}: {p}" for p in compare(EXPECTED[checkpoint], rows)]
        for row in rows:
            company = company_of(row)
            if company:
                ids.setdefault(company, set()).add(int(row["id"]))
    assert delivered == {m.key for m in MAILS}
    # A lead keeps its id as its mail comes in: the user's `why 3` still means the same lead.
    problems += [f"{c}: lead ids {sorted(i)} over the syncs" for c, i in ids.items() if len(i) > 1]
    assert not problems, "\n".join(problems)


def _day(moment: datetime) -> str:
    return moment.strftime("%a %m-%d")
