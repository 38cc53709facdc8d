"""An offer's stated decision date (``reply_by``), read by the real detector (issue 13.7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from spacy.language import Language

import nlp
from nlp.pipeline import analyze
from nlp.types import Email, Kind

SENT = datetime(2026, 11, 24, 10, 0, tzinfo=timezone(timedelta(hours=-5)))  # a Tuesday
OFFER = "We are delighted to offer you the position of Data Engineer at Acme. "


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


@pytest.mark.parametrize(
    ("text", "reply_by"),
    [
        ("Please let us know by Tuesday, December 1.", date(2026, 12, 1)),
        ("We would appreciate your decision within a week.", date(2026, 12, 1)),
        ("This offer expires on December 4.", date(2026, 12, 4)),
        ("We will send the contract by Friday.", None),  # their promise, not a request
        ("Welcome aboard!", None),
    ],
    ids=["let-us-know-by", "decision-within-a-week", "expires-on", "their-own-date", "no-date"],
)
def test_offer_decision_date(pipeline: Language, text: str, reply_by: date | None) -> None:
    email = Email(subject="Your offer", text=OFFER + text, sent_at=SENT, sender_email="a@acme.com")
    detection = analyze(email, pipeline)
    assert detection.kind is Kind.OFFER
    assert detection.reply_by == reply_by


def test_only_offers_carry_a_decision_date(pipeline: Language) -> None:
    email = Email(
        subject="Interview",
        text="We would like to invite you to an interview. Please let us know by Friday.",
        sent_at=SENT,
        sender_email="a@acme.com",
    )
    detection = analyze(email, pipeline)
    assert detection.kind is Kind.INTERVIEW_INVITATION
    assert detection.reply_by is None
