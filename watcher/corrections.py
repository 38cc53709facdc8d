"""The user's relabels as training data: corpus records, and the user's own retrained model.

A relabelled message becomes one record in the corpus format of
nlp/corpus/README.md. ``followup train --with-corrections`` trains the shipped
corpus plus these records into ``<user data dir>/model``; from then on the watcher
loads that model (``active_model()``), and ``followup train --reset`` removes it so
the model shipped in the package is used again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from nlp.types import Detection
from watcher.config import default_data_dir
from watcher.corpus import Example, load_corpus, record_to_email, training_pairs
from watcher.store.detections import stored_to_detection
from watcher.store.messages import to_message
from watcher.store.overrides import relabels
from watcher.store.tables import Override, StoredMessage

__all__ = [
    "CORRECTION_WEIGHT",
    "TrainedModel",
    "active_model",
    "correction_records",
    "reset_model",
    "train_with_corrections",
    "user_model_dir",
    "write_records",
]

# One correction is the user's own mail, the best evidence there is; counted a few
# times so that a handful of them can move a classifier trained on hundreds.
CORRECTION_WEIGHT = 3
# Headers the corpus record must not carry: the body is rebuilt from text, and our
# own markers would teach the model nothing.
_DROPPED_HEADERS = frozenset(
    {
        "content-type",
        "content-transfer-encoding",
        "mime-version",
        "x-followup-digest",
        "x-followup-draft",
        "from",
        "to",
        "subject",
        "date",
        "message-id",
    }
)


def user_model_dir(data_dir: Path | None = None) -> Path:
    """Where the model retrained with the user's corrections lives."""
    return (data_dir or default_data_dir()) / "model"


def active_model(data_dir: Path | None = None) -> str | Path:
    """What to pass to ``nlp.load``: the user's retrained model if there is one, else "auto"."""
    path = user_model_dir(data_dir)
    return path if (path / "config.cfg").is_file() else "auto"


def _header_name(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _headers(message: StoredMessage) -> dict[str, str]:
    parsed = to_message(message)
    headers = {
        "From": formataddr((parsed.sender.name, parsed.sender.email)) if parsed.sender else "",
        "To": ", ".join(formataddr((r.name, r.email)) for r in parsed.recipients),
        "Subject": parsed.subject,
        "Date": format_datetime(parsed.sent_at),
        "Message-ID": f"<{parsed.message_id}>",
    }
    for name, value in parsed.headers.items():
        if name.lower() not in _DROPPED_HEADERS:
            headers[_header_name(name)] = str(value)
    return {name: value for name, value in headers.items() if value}


def _label(kind: str, detection: Detection | None) -> dict[str, Any]:
    """The user's kind; the other facts as detected (the user corrected only the kind)."""
    found = detection
    return {
        "kind": kind,
        "interview_at": found.interview_at_text() if found else None,
        "feedback_by": found.feedback_by.isoformat() if found and found.feedback_by else None,
        "no_followup": bool(found and found.no_followup),
        "auto_reply": bool(found and found.auto_reply),
        "away_until": found.away_until.isoformat() if found and found.away_until else None,
        "company": found.company if found else None,
    }


def correction_record(override: Override, message: StoredMessage) -> dict[str, Any]:
    """One relabelled message as a corpus record (nlp/corpus/README.md)."""
    detection = stored_to_detection(message.detection) if message.detection else None
    return {
        "id": f"correction-{override.id}",
        "split": "train",
        "source": "correction",
        "corrected_at": override.created_at.isoformat(),
        "headers": _headers(message),
        "text": message.text,
        "html": None,
        "label": _label(str(override.new_value.get("value")), detection),
    }


def correction_records(session: Session) -> list[dict[str, Any]]:
    """Every relabel in force, oldest first, as corpus records."""
    return [correction_record(override, message) for override, message in relabels(session)]


def write_records(records: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """JSON Lines, one record a line; returns how many."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


@dataclass(frozen=True)
class TrainedModel:
    """What ``train_with_corrections`` did."""

    out_dir: Path
    model_version: str
    examples: int
    corrections: int


def train_with_corrections(
    records: Sequence[dict[str, Any]],
    corpus: Path,
    out_dir: Path,
    seed: int,
    split: str = "train",
) -> TrainedModel:
    """Train the classifier on the corpus plus the corrections and write it to ``out_dir``."""
    from nlp.train import parse_label, train

    examples: list[Example] = load_corpus(corpus, split)
    pairs = training_pairs(examples)
    for record in records:
        label = parse_label(record["label"])
        pairs.extend([(record_to_email(record), label.kind.value)] * CORRECTION_WEIGHT)
    result = train(pairs, seed=seed, out_dir=out_dir)
    return TrainedModel(result.out_dir, result.model_version, result.examples, len(records))


def reset_model(data_dir: Path | None = None) -> bool:
    """Remove the user's retrained model; returns whether there was one."""
    path = user_model_dir(data_dir)
    if not path.exists():
        return False
    shutil.rmtree(path)
    return True
