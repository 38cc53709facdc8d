"""Train the kind classifier (reproducibly, from a fixed seed) and measure the detector.

``python -m nlp.train [--corpus DIR] [--out DIR] [--seed N]`` retrains the shipped
model; it reads the corpus through ``watcher.corpus`` (so the watcher package must
be installed), while ``train()`` itself takes ready Email objects.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import spacy
from spacy.training import Example as SpacyExample
from spacy.util import fix_random_seed, minibatch  # type: ignore[attr-defined]
from thinc.api import Adam

import nlp.classify
import nlp.components  # noqa: F401  (registers the factories and the architecture)
from nlp.company import normalise_company
from nlp.components import TEXTCAT_CONFIG
from nlp.pipeline import MODEL_DIR, make_doc
from nlp.types import Detection, Email, Kind

DEFAULT_SEED = 7
DEFAULT_EPOCHS = 12
DEFAULT_LEARN_RATE = 0.001
DEFAULT_L2 = 0.01
BATCH_SIZE = 8


@dataclass(frozen=True)
class Label:
    """What a labelled email should give (the corpus ``label`` object)."""

    kind: Kind
    interview_at: str | None = None
    feedback_by: date | None = None
    no_followup: bool = False
    auto_reply: bool = False
    away_until: date | None = None
    company: str | None = None


def _optional_date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} {value!r} is not YYYY-MM-DD") from None


def parse_label(data: Mapping[str, Any]) -> Label:
    """A corpus label object -> Label; ValueError says what is wrong."""
    try:
        kind = Kind(str(data.get("kind")))
    except ValueError:
        raise ValueError(f"kind {data.get('kind')!r} is not one of the 8 kinds") from None
    interview_at = data.get("interview_at")
    if interview_at not in (None, ""):
        text = str(interview_at)
        if len(text) not in (10, 16):
            raise ValueError(f"interview_at {text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        interview_at = text
    else:
        interview_at = None
    return Label(
        kind=kind,
        interview_at=interview_at,
        feedback_by=_optional_date(data.get("feedback_by"), "feedback_by"),
        no_followup=bool(data.get("no_followup", False)),
        auto_reply=bool(data.get("auto_reply", False)),
        away_until=_optional_date(data.get("away_until"), "away_until"),
        company=data.get("company") or None,
    )


# --- training ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    model_version: str
    examples: int
    losses: list[float]


def train(
    examples: Sequence[tuple[Email, Kind | str]],
    seed: int = DEFAULT_SEED,
    out_dir: Path = MODEL_DIR,
    epochs: int = DEFAULT_EPOCHS,
    learn_rate: float = DEFAULT_LEARN_RATE,
    l2: float = DEFAULT_L2,
    averages: bool = True,
) -> TrainResult:
    """Train the textcat on (email, kind) pairs and write it to ``out_dir``.

    The same examples and seed give the same bytes on disk: examples are shuffled
    by a seeded generator and the model has no dropout.
    """
    if not examples:
        raise ValueError("no training examples")
    fix_random_seed(seed)
    language = spacy.blank("en")
    language.add_pipe("followup_cues")
    textcat = language.add_pipe("textcat", config=TEXTCAT_CONFIG)
    for kind in Kind:
        textcat.add_label(kind.value)  # type: ignore[attr-defined]
    cues = language.get_pipe("followup_cues")
    trainable: Any = textcat
    data: list[SpacyExample] = []
    for email, gold in examples:
        doc = cues(make_doc(language, email))
        cats = {k.value: 1.0 if k.value == Kind(gold).value else 0.0 for k in Kind}
        data.append(SpacyExample.from_dict(doc, {"cats": cats}))
    optimizer = Adam(
        learn_rate=learn_rate, L2=l2, L2_is_weight_decay=True, grad_clip=1.0, use_averages=averages
    )
    language.initialize(lambda: data, sgd=optimizer)
    shuffler = random.Random(seed)
    losses: list[float] = []
    for _ in range(epochs):
        shuffler.shuffle(data)
        epoch_losses: dict[str, float] = {}
        for batch in minibatch(data, size=BATCH_SIZE):  # type: ignore[no-untyped-call]
            trainable.update(batch, sgd=optimizer, losses=epoch_losses)
        losses.append(round(epoch_losses.get("textcat", 0.0), 6))
    with language.use_params(optimizer.averages):
        language.remove_pipe("followup_cues")
        weights = trainable.to_bytes(exclude=["vocab"])
        version = "textcat-" + hashlib.sha256(weights).hexdigest()[:12]
        language.meta["name"] = "followup_detector"
        language.meta["version"] = "1.0.0"
        language.meta["followup_model_version"] = version
        language.meta["followup_trained_on"] = len(examples)
        language.meta["followup_seed"] = seed
        _write_atomically(language, out_dir)
    return TrainResult(out_dir=out_dir, model_version=version, examples=len(data), losses=losses)


def _write_atomically(language: Any, out_dir: Path) -> None:
    """Replace ``out_dir`` with the new model only once it is completely written."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".model-", dir=out_dir.parent))
    language.to_disk(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)


# --- evaluation ----------------------------------------------------------------------


@dataclass
class Report:
    """How detections compare with labels (figures for ``followup eval``)."""

    total: int = 0
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    macro_f1: float = 0.0
    accuracy: float = 0.0
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    dates: dict[str, dict[str, float]] = field(default_factory=dict)
    flags: dict[str, dict[str, float]] = field(default_factory=dict)
    company_accuracy: float = 0.0
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_kind": self.per_kind,
            "confusion": self.confusion,
            "dates": self.dates,
            "flags": self.flags,
            "company_accuracy": self.company_accuracy,
            "errors": self.errors,
        }


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def _f1(precision: float, recall: float) -> float:
    return round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0


def _agreement(pairs: list[tuple[Any, Any]]) -> dict[str, float]:
    """Exact agreement over the examples where either side has a value."""
    relevant = [(g, p) for g, p in pairs if g is not None or p is not None]
    return {
        "exact": _ratio(sum(g == p for g, p in relevant), len(relevant)),
        "n": len(relevant),
        "gold": sum(g is not None for g, _ in pairs),
        "predicted": sum(p is not None for _, p in pairs),
    }


def _flag(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    tp = sum(g and p for g, p in pairs)
    predicted = sum(p for _, p in pairs)
    gold = sum(g for g, _ in pairs)
    precision, recall = _ratio(tp, predicted), _ratio(tp, gold)
    return {"precision": precision, "recall": recall, "gold": gold, "predicted": predicted}


def evaluate(pairs: Iterable[tuple[str, Label, Detection]]) -> Report:
    """Compare (source, label, detection) triples: kinds, dates, flags, company."""
    rows = list(pairs)
    kinds = [k.value for k in Kind]
    confusion = {g: dict.fromkeys(kinds, 0) for g in kinds}
    for _, label, detection in rows:
        confusion[label.kind.value][detection.kind.value] += 1
    report = Report(total=len(rows), confusion=confusion)
    f1s = []
    for kind in kinds:
        tp = confusion[kind][kind]
        predicted = sum(confusion[g][kind] for g in kinds)
        gold = sum(confusion[kind].values())
        precision, recall = _ratio(tp, predicted), _ratio(tp, gold)
        f1 = _f1(precision, recall)
        report.per_kind[kind] = {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": gold,
        }
        if gold:
            f1s.append(f1)
    report.macro_f1 = round(sum(f1s) / len(f1s), 4) if f1s else 0.0
    report.accuracy = _ratio(sum(confusion[k][k] for k in kinds), len(rows))
    report.dates = {
        "feedback_by": _agreement([(lab.feedback_by, det.feedback_by) for _, lab, det in rows]),
        "interview_at_date": _agreement(
            [
                (
                    lab.interview_at[:10] if lab.interview_at else None,
                    det.interview_at.date().isoformat() if det.interview_at else None,
                )
                for _, lab, det in rows
            ]
        ),
        "interview_at_full": _agreement(
            [(lab.interview_at, det.interview_at_text()) for _, lab, det in rows]
        ),
        "away_until": _agreement([(lab.away_until, det.away_until) for _, lab, det in rows]),
    }
    report.flags = {
        "no_followup": _flag([(lab.no_followup, det.no_followup) for _, lab, det in rows]),
        "auto_reply": _flag([(lab.auto_reply, det.auto_reply) for _, lab, det in rows]),
    }
    with_company = [(lab, det) for _, lab, det in rows if lab.company]
    report.company_accuracy = _ratio(
        sum(
            normalise_company(lab.company) == normalise_company(det.company)
            for lab, det in with_company
        ),
        len(with_company),
    )
    for source, label, detection in rows:
        wrong = []
        if label.kind is not detection.kind:
            wrong.append(f"kind {label.kind.value} -> {detection.kind.value}")
        if label.feedback_by != detection.feedback_by:
            wrong.append(f"feedback_by {label.feedback_by} -> {detection.feedback_by}")
        if label.interview_at != detection.interview_at_text():
            wrong.append(f"interview_at {label.interview_at} -> {detection.interview_at_text()}")
        if label.no_followup != detection.no_followup:
            wrong.append(f"no_followup {label.no_followup} -> {detection.no_followup}")
        if label.auto_reply != detection.auto_reply:
            wrong.append(f"auto_reply {label.auto_reply} -> {detection.auto_reply}")
        if label.away_until != detection.away_until:
            wrong.append(f"away_until {label.away_until} -> {detection.away_until}")
        if wrong:
            report.errors.append({"source": source, "wrong": "; ".join(wrong)})
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m nlp.train``: retrain from the corpus (needs the watcher package)."""
    parser = argparse.ArgumentParser(prog="python -m nlp.train", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=None, help="corpus file or directory")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where to write the model")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--split", default="train", choices=["train", "all"])
    args = parser.parse_args(argv)
    import watcher.corpus as corpus  # lazily: nlp itself never imports watcher

    examples = corpus.load_corpus(args.corpus or corpus.CORPUS_DIR, args.split)
    result = train(corpus.training_pairs(examples), seed=args.seed, out_dir=args.out)
    print(f"trained {result.model_version} on {result.examples} examples -> {result.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
