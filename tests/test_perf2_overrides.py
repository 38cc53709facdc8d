"""A correction decides again only the leads it touches: the other leads' stored decisions
keep the moment they were made (real SQLite file, the CLI as a user runs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.test_overrides_cli import Setup, seed, t, write_config
from watcher.config import load_settings
from watcher.refresh import recompute_all
from watcher.store.db import dispose_all, transaction
from watcher.store.leads import load_lead_rows, stored_decision
from watcher.store.tables import StoredDecision, StoredLead

LATER = "2026-03-09T09:05"  # five minutes after the seed's refresh: nothing falls due


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Setup]:
    config, database = write_config(tmp_path)
    seed(config, database)
    yield Setup(config, database, tmp_path / "data")
    dispose_all()


def decided_at(setup: Setup) -> dict[str, str]:
    """Company -> when its lead's stored decision was made (leads that hold mail)."""
    with transaction(setup.sessions()) as session:
        leads = {lead.id: lead.company for lead in session.scalars(select(StoredLead))}
        rows = load_lead_rows(session, leads)
        found = {
            leads[d.lead_id]: d.computed_at.isoformat()
            for d in session.scalars(select(StoredDecision))
            if d.lead_id in rows
        }
    dispose_all()
    return found


def assert_store_equals_full_recomputation(setup: Setup) -> None:
    settings = load_settings(setup.config)
    with transaction(setup.sessions()) as session:
        full = recompute_all(session, settings, t(LATER.replace("T", " ")))
        leads = list(session.scalars(select(StoredLead)))
        rows = load_lead_rows(session, [lead.id for lead in leads])
        decisions = {d.lead_id: d for d in session.scalars(select(StoredDecision))}
        stored = {
            lead.key: stored_decision(decisions[lead.id]) for lead in leads if lead.id in rows
        }
    dispose_all()
    assert stored == {key: value[4] for key, value in full.items()}


def redecided(setup: Setup, *args: str) -> set[str]:
    before = decided_at(setup)
    setup.cli(*args, now=LATER)
    after = decided_at(setup)
    assert_store_equals_full_recomputation(setup)
    return {company for company in after if after[company] != before.get(company)}


@pytest.mark.parametrize(
    ("args", "touched"),
    [
        (("mark", "beta", "dead"), {"Beta"}),
        (("set", "acmecorp", "--feedback-by", "2026-03-20"), {"Acmecorp"}),
        (("merge", "acme", "beta"), {"Acme"}),  # Beta holds no mail afterwards
    ],
)
def test_a_correction_decides_again_only_its_own_leads(
    world: Setup, args: tuple[str, ...], touched: set[str]
) -> None:
    assert set(decided_at(world)) == {"Acme", "Acmecorp", "Beta"}
    assert redecided(world, *args) == touched


def test_ignoring_a_sender_and_taking_it_back_leaves_the_other_leads_alone(world: Setup) -> None:
    before = decided_at(world)
    world.cli("ignore", "--sender", "lee@acmecorp.io", now=LATER)
    assert set(decided_at(world)) == {"Acme", "Beta"}
    assert {c for c, at in decided_at(world).items() if at != before[c]} == set()
    assert_store_equals_full_recomputation(world)

    world.cli("undo", now=LATER)
    after = decided_at(world)
    assert set(after) == {"Acme", "Acmecorp", "Beta"}
    assert {c for c, at in after.items() if at != before[c]} == {"Acmecorp"}
    assert_store_equals_full_recomputation(world)
