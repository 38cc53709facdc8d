"""Golden mail: every .eml in tests/golden against its labels (labels.jsonl), one case a file;
and 32 varied corpus mails against the very detections recorded for them (detections.json).

The second catches a change meant to be only faster (or tidier) that alters any output:
kind, confidence, dates, flags, company, contact or evidence. A change that means to alter
detections (new cues, a retrained model) records them anew, and the diff shows what moved:
``.venv/bin/python -m tests.test_nlp_golden --update``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

import nlp
from nlp.company import normalise_company
from nlp.types import Detection, Email
from watcher.corpus import CORPUS_DIR, read_records, record_to_email
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


DETECTIONS = GOLDEN / "detections.json"
UPDATE = "python -m tests.test_nlp_golden --update"


def detection_record(detection: Detection) -> dict[str, Any]:
    """Everything a detection says, as JSON (confidence to 4 places)."""

    def day(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "kind": detection.kind.value,
        "confidence": round(detection.confidence, 4),
        "interview_at": day(detection.interview_at),
        "interview_has_time": detection.interview_has_time,
        "interview_tz": detection.interview_tz,
        "feedback_by": day(detection.feedback_by),
        "reply_by": day(detection.reply_by),
        "no_followup": detection.no_followup,
        "auto_reply": detection.auto_reply,
        "away_until": day(detection.away_until),
        "company": detection.company,
        "contact_name": detection.contact_name,
        "contact_email": detection.contact_email,
        "evidence": [[e.label, e.text] for e in detection.evidence],
        "model_version": detection.model_version,
    }


def corpus_emails(sources: Iterable[str]) -> dict[str, Email]:
    """The corpus mails named ``file:id`` (as ``load_corpus`` names them), in that order."""
    wanted = list(sources)
    found = {s: record_to_email(r) for s, r in read_records(CORPUS_DIR) if s in set(wanted)}
    return {source: found[source] for source in wanted if source in found}


def test_corpus_mails_give_their_recorded_detections(pipeline: Language) -> None:
    expected: dict[str, dict[str, Any]] = json.loads(DETECTIONS.read_text(encoding="utf-8"))
    emails = corpus_emails(expected)
    assert list(emails) == list(expected), "a recorded corpus mail is gone"
    # In one batch, and one at a time after it (no state carried between mails).
    batch = [detection_record(d) for d in nlp.analyze_many(emails.values(), pipeline)]
    alone = [detection_record(nlp.analyze(email, pipeline)) for email in emails.values()]
    assert batch == alone
    changed = {
        source: {k: (want[k], got.get(k)) for k in want if want[k] != got.get(k)}
        for (source, want), got in zip(expected.items(), batch, strict=True)
        if want != got
    }
    assert not changed, f"detections changed (recorded, now): {changed}; if meant: {UPDATE}"


def _update() -> None:
    """Record the current detections of the mails detections.json names."""
    sources = json.loads(DETECTIONS.read_text(encoding="utf-8"))
    emails = corpus_emails(sources)
    records = {
        source: detection_record(detection)
        for source, detection in zip(emails, nlp.analyze_many(emails.values()), strict=True)
    }
    text = json.dumps(records, indent=1, ensure_ascii=False, sort_keys=False)
    DETECTIONS.write_text(text + "\n", encoding="utf-8")
    print(f"recorded {len(records)} detections in {DETECTIONS.name}")


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    _update()
