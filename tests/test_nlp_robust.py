"""The detector never raises, never imports watcher, and retrains reproducibly."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

import nlp
from nlp.train import train
from nlp.types import Email, Kind


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


def _email(text: str, sent_at: datetime, subject: str = "Re: interview") -> Email:
    return Email(subject=subject, text=text, sent_at=sent_at, sender_email="x@y.org")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(max_size=400),
    subject=st.text(max_size=60),
    sent_at=st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-7)), timezone(timedelta(hours=13))]
        ),
    ),
)
def test_analyze_never_raises_on_any_text_or_date(
    pipeline: Language, text: str, subject: str, sent_at: datetime
) -> None:
    detection = nlp.analyze(_email(text, sent_at, subject), pipeline)
    assert detection.kind in set(Kind)
    assert 0.0 <= detection.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02 \udcff binary \ufffe garbage",
        "We'll get back to you by Friday. " * 60_000,  # about 2 MB
        "by 31/02/2099 at 25:99 on the 45th of Smarch",
    ],
    ids=["empty", "binary", "two-megabytes", "impossible-dates"],
)
@pytest.mark.parametrize("year", [1970, 2099])
def test_analyze_survives_hostile_bodies(pipeline: Language, text: str, year: int) -> None:
    detection = nlp.analyze(_email(text, datetime(year, 6, 1, 9, tzinfo=UTC)), pipeline)
    assert detection.kind in set(Kind)


def test_analyze_many_keeps_input_order(pipeline: Language) -> None:
    sent = datetime(2026, 3, 3, 10, tzinfo=UTC)
    emails = [
        _email("Unfortunately we will not be moving forward with your application.", sent),
        _email("I am delighted to offer you the position. The offer letter is attached.", sent),
    ] * 3
    kinds = [d.kind for d in nlp.analyze_many(emails, pipeline)]
    assert kinds == [Kind.REJECTION, Kind.OFFER] * 3


def test_nlp_never_imports_watcher() -> None:
    code = (
        "import sys, nlp, nlp.train, nlp.pipeline, nlp.classify, nlp.company\n"
        "nlp.load()\n"
        "bad = sorted(m for m in sys.modules if m == 'watcher' or m.startswith('watcher.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == ""


def test_retraining_with_the_same_seed_reproduces_predictions(tmp_path: Path) -> None:
    sent = datetime(2026, 3, 3, 10, tzinfo=UTC)
    data = [
        (
            _email("Thank you for applying, we have received your application.", sent),
            Kind.APPLICATION_ACK,
        ),
        (
            _email("We would like to invite you to an interview. What times work?", sent),
            Kind.INTERVIEW_INVITATION,
        ),
        (_email("Unfortunately we have decided to pursue other candidates.", sent), Kind.REJECTION),
        (
            _email("We are delighted to offer you the role; offer letter attached.", sent),
            Kind.OFFER,
        ),
        (
            _email("Thanks for coming in, we'll get back to you by Friday.", sent),
            Kind.FEEDBACK_PROMISE,
        ),
        (
            _email("Your interview is confirmed for March 5 at 10am.", sent),
            Kind.INTERVIEW_CONFIRMATION,
        ),
        (_email("Please send me two references.", sent), Kind.RECRUITER_REPLY),
        (_email("50% off everything this weekend! Unsubscribe.", sent), Kind.NOT_JOB),
    ]
    first = train(data, seed=3, out_dir=tmp_path / "a", epochs=4)
    second = train(data, seed=3, out_dir=tmp_path / "b", epochs=4)
    assert first.model_version == second.model_version
    probe = [_email("We regret to inform you the position has been filled.", sent), data[1][0]]
    a = [(d.kind, d.confidence) for d in nlp.analyze_many(probe, nlp.load(tmp_path / "a"))]
    b = [(d.kind, d.confidence) for d in nlp.analyze_many(probe, nlp.load(tmp_path / "b"))]
    assert a == b
