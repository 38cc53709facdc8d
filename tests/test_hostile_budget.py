"""The CPU budget of one message's analysis: beyond it the message is read truncated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from spacy.language import Language
from spacy.tokens import Doc

import nlp
from nlp.types import Email, Kind
from watcher.budget import TRUNCATED_CHARS, BudgetExceeded, analyse_within_budget, cpu_budget

SENT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
SLOW_ABOVE = 5_000  # characters: the test component burns CPU on longer documents


@Language.component("hostile_test_slow_on_long_text")
def _slow_on_long_text(doc: Doc) -> Doc:
    """Stands for a step that some input drives super-linear: spins on long documents."""
    if len(doc.text) > SLOW_ABOVE:
        _spin()
    return doc


@pytest.fixture(scope="module")
def slow_rules() -> Language:
    language = nlp.load("rules")
    language.add_pipe("hostile_test_slow_on_long_text", first=True)
    return language


def _email(text: str) -> Email:
    return Email(
        subject="Interview invitation",
        text=text,
        sent_at=SENT,
        sender_name="Dana Reyes",
        sender_email="dana@northwind.example",
        full_text=text,
    )


INVITE = "We would like to invite you to an interview on Thursday at 10am. Are you available?"


def _spin() -> None:
    while True:
        sum(range(10_000))


def test_cpu_budget_stops_a_runaway_step() -> None:
    with pytest.raises(BudgetExceeded), cpu_budget(0.2):
        _spin()


def test_cpu_budget_leaves_a_quick_step_alone() -> None:
    with cpu_budget(5.0):
        total = sum(range(1000))
    assert total == 499500


def test_a_message_over_budget_is_read_truncated_and_the_others_normally(
    slow_rules: Language,
) -> None:
    hostile = _email(INVITE + " x" * SLOW_ABOVE)
    emails = [_email(INVITE), hostile, _email(INVITE)]

    results = analyse_within_budget(emails, slow_rules)

    assert [cut for _, cut in results] == [False, True, False]
    assert [d.kind for d, _ in results] == [Kind.INTERVIEW_INVITATION] * 3
    assert len(hostile.text) > TRUNCATED_CHARS  # what was cut short is the hostile text
