"""How detections compare with labels: per-kind F1, confusion, dates and flags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nlp.company import normalise_company
from nlp.labels import Label
from nlp.types import Detection, Kind


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
    # Items where the label has no such date but the detector gives one, over all items.
    unfounded_dates: dict[str, float] = field(default_factory=dict)
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
            "date_given_where_none": self.unfounded_dates,
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


def _unfounded(rows: list[tuple[str, Label, Detection]]) -> dict[str, float]:
    """How often a date is given where the label has none: interview, feedback, either."""
    interview = [lab.interview_at is None and det.interview_at is not None for _, lab, det in rows]
    feedback = [lab.feedback_by is None and det.feedback_by is not None for _, lab, det in rows]
    either = [a or b for a, b in zip(interview, feedback, strict=True)]
    return {
        "rate": _ratio(sum(either), len(rows)),
        "items": sum(either),
        "interview_at": sum(interview),
        "feedback_by": sum(feedback),
    }


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
    report.unfounded_dates = _unfounded(rows)
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
