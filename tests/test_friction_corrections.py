"""undo and redo as a stack; undoing an ignore keeps the lead's id; history shows when each
correction was typed (wall clock) and the moment it was made as of (--now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.clirun import invoke
from tests.test_overrides_cli import NOW, Setup, setup  # noqa: F401  (the fixture)


def test_redo_puts_back_what_undo_took_back(setup: Setup) -> None:  # noqa: F811
    detected = setup.lead("Acme")["due"]
    setup.cli("set", "acme", "--feedback-by", "2026-03-05")
    changed = setup.lead("Acme")["due"]
    assert changed != detected
    setup.cli("undo")
    assert setup.lead("Acme")["due"] == detected
    out = setup.cli("redo")
    assert [row["field"] for row in out["redone"]] == ["feedback_by"]
    assert setup.lead("Acme")["due"] == changed
    refused = setup.cli("redo", code=2)
    assert "nothing to redo" in refused.stderr


def test_redo_is_a_stack_and_a_new_correction_ends_it(setup: Setup) -> None:  # noqa: F811
    setup.cli("set", "acme", "--feedback-by", "2026-03-05")
    setup.cli("mark", "beta", "dead")
    setup.cli("undo")  # the mark
    setup.cli("undo")  # the set
    assert setup.cli("redo")["redone"][0]["field"] == "feedback_by"  # undone last, back first
    assert setup.cli("redo")["redone"][0]["field"] == "status"
    assert setup.lead("Beta")["action"] == "dead"
    setup.cli("undo")
    setup.cli("mark", "acme", "dead")  # a new correction after the undo
    result = setup.cli("redo", code=2)
    assert "nothing to redo" in result.stderr
    assert setup.lead("Beta")["action"] != "dead"


def test_redo_in_words(setup: Setup) -> None:  # noqa: F811
    setup.cli("mark", "beta", "dead")
    setup.cli("undo")
    result = invoke(["redo", "--config", str(setup.config), "--now", NOW], env=setup.env)
    assert result.exit_code == 0, result.stderr
    assert "redid 'followup mark beta dead --now 2026-03-09T09:00': status set again to dead" in (
        result.stdout
    )


def test_undoing_ignore_sender_keeps_the_leads_id(setup: Setup) -> None:  # noqa: F811
    before = setup.lead("Acmecorp")
    removed = setup.cli("ignore", "--sender", "lee@acmecorp.io")["leads_removed"]
    assert removed == [before["id"]]
    setup.cli("undo")
    assert setup.lead("Acmecorp")["id"] == before["id"]
    setup.cli("redo")
    assert "Acmecorp" not in {row["company"] for row in setup.cli("leads", "--all")}
    setup.cli("undo")
    assert setup.lead("Acmecorp") == before


def test_history_shows_when_made_and_as_of_when(setup: Setup) -> None:  # noqa: F811
    typed = datetime.now(UTC)
    setup.cli("set", "acme", "--feedback-by", "friday")
    (row,) = setup.cli("history")
    assert row["as_of"] == "2026-03-09T09:00:00-04:00"
    assert row["created_at"] == row["as_of"]
    made = datetime.fromisoformat(row["recorded_at"])
    assert abs(made - typed) < timedelta(minutes=5)  # the wall clock, not --now
    assert row["new"] == {"value": "2026-03-13"}

    table = invoke(["history", "--config", str(setup.config)], env=setup.env)
    assert table.exit_code == 0, table.stderr
    header = next(line for line in table.stdout.splitlines() if "made" in line)
    assert "as of" in header
    line = next(x for x in table.stdout.splitlines() if "feedback_by" in x)
    assert "2026-03-09 09:00" in line
    assert made.strftime("%Y-%m-%d %H:%M") in line
