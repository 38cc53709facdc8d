"""Golden mail: every .eml in tests/golden against its labels (labels.jsonl), one case a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

import nlp
from nlp.company import normalise_company
from watcher.mail import parse_message, to_nlp_email

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    json.loads(line)
    for line in (GOLDEN / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


@pytest.mark.parametrize("case", CASES, ids=[c["file"].removesuffix(".eml") for c in CASES])
def test_golden_mail_gives_its_labels(case: dict[str, Any], pipeline: Language) -> None:
    raw = (GOLDEN / case["file"]).read_bytes()
    email = to_nlp_email(parse_message(raw, frozenset({"alex.morgan@example.org"}), None))
    detection = nlp.analyze(email, pipeline)
    label = case["label"]
    assert detection.kind.value == label["kind"]
    assert detection.interview_at_text() == label["interview_at"]
    feedback = detection.feedback_by.isoformat() if detection.feedback_by else None
    assert feedback == label["feedback_by"]
    assert detection.no_followup == label["no_followup"]
    assert detection.auto_reply == label["auto_reply"]
    away = detection.away_until.isoformat() if detection.away_until else None
    assert away == label["away_until"]
    if label["company"]:
        assert normalise_company(detection.company) == normalise_company(label["company"])
    assert 0.0 <= detection.confidence <= 1.0
