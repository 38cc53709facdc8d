"""The decision: classifier scores and cue evidence -> one Detection per message."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp import dates
from nlp import patterns as P
from nlp.company import extract_company, extract_contact
from nlp.components import CUES_KEY, sentence_ids
from nlp.types import Detection, Email, Evidence, Kind

log = logging.getLogger(__name__)

T = TypeVar("T")

HIRING_KINDS = frozenset(Kind) - {Kind.NOT_JOB}
# Kinds after which a promised date means "when you will hear back".
FEEDBACK_KINDS = frozenset(
    {
        Kind.APPLICATION_ACK,
        Kind.FEEDBACK_PROMISE,
        Kind.RECRUITER_REPLY,
        Kind.INTERVIEW_INVITATION,
        Kind.INTERVIEW_CONFIRMATION,
    }
)
SLOT_KINDS = frozenset(
    {Kind.INTERVIEW_INVITATION, Kind.INTERVIEW_CONFIRMATION, Kind.RECRUITER_REPLY}
)
# Cues that only a hiring process produces ("thanks for your time" is not one: sales say it).
HIRING_EVIDENCE = frozenset({P.HIRING, P.ACK, P.INVITE, P.REJECT, P.OFFER, P.REPLY, P.OUTREACH})

# Which kind each cue family speaks for, and how loudly, when no classifier is loaded.
CUE_KIND: dict[str, tuple[Kind, float]] = {
    P.ACK: (Kind.APPLICATION_ACK, 1.0),
    P.INVITE: (Kind.INTERVIEW_INVITATION, 1.0),
    P.CONFIRM: (Kind.INTERVIEW_CONFIRMATION, 1.0),
    P.POST_INTERVIEW: (Kind.FEEDBACK_PROMISE, 0.7),
    P.PROMISE: (Kind.FEEDBACK_PROMISE, 0.6),
    P.REJECT: (Kind.REJECTION, 1.2),
    P.OFFER: (Kind.OFFER, 1.0),
    P.REPLY: (Kind.RECRUITER_REPLY, 0.8),
    P.OUTREACH: (Kind.RECRUITER_REPLY, 0.8),
    P.NOT_JOB: (Kind.NOT_JOB, 1.0),
}

# Words right before a date that make it the candidate's deadline, not the interview.
_DEADLINE_WORDS = frozenset(
    [
        "by",
        "before",
        "until",
        "till",
        "no",
        "later",
        "than",
        "deadline",
        "due",
        "expires",
        "closing",
        "from",
        "since",
        "after",
    ]
)
_SUBJECT_AUTO = (
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto:",
    "out of office",
    "out of the office",
    "ooo",
    "abwesenheit",
    "absence",
)
_OOO_THRESHOLD = 3


def _safe(what: str, default: T, call: Callable[[], T]) -> T:
    """Run one extraction step; a failure costs that fact, never the whole detection."""
    try:
        return call()
    except Exception:  # hostile text reaches corners of the date code we cannot list
        log.debug("nlp: %s failed", what, exc_info=True)
        return default


def _text(doc: Doc) -> str:
    """``doc.text``, built once: spaCy joins the tokens anew on every access."""
    text = doc.user_data.get("followup_text")
    if not isinstance(text, str):
        text = doc.user_data["followup_text"] = doc.text
    return text


def cue_spans(doc: Doc, *labels: str) -> list[Span]:
    wanted = set(labels)
    return [span for span in doc.spans.get(CUES_KEY, []) if span.label_ in wanted]


# --- facts ---------------------------------------------------------------------------


def detect_auto_reply(email: Email, doc: Doc) -> tuple[bool, str | None]:
    """An automatic reply: by header, by subject, or by out-of-office wording."""
    headers = email.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return True, f"Auto-Submitted: {auto}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return True, f"{name}: {headers[name]}"
    subject = email.subject.strip().lower()
    if subject.startswith(_SUBJECT_AUTO):
        return True, email.subject.strip()[:80]
    strong = cue_spans(doc, P.OOO)
    weak = [w for w in cue_spans(doc, P.OOO_WEAK) if not any(_distance(w, s) == 0 for s in strong)]
    score = 2 * len({s.text.lower() for s in strong}) + len({w.text.lower() for w in weak})
    if strong and score >= _OOO_THRESHOLD:
        return True, strong[0].text
    return False, None


def _sentence_of(ids: Sequence[int], span: Span) -> int:
    return ids[min(span.start, len(ids) - 1)] if ids else 0


def _distance(a: Span, b: Span) -> int:
    if a.start < b.end and b.start < a.end:
        return 0
    return b.start - a.end if a.end <= b.start else a.start - b.end


def promised_date(
    doc: Doc, ids: Sequence[int], sent_at: datetime
) -> tuple[date | None, list[Evidence]]:
    """The latest day by which a promise phrase says feedback will come.

    A deadline counts when a promise ("we'll get back to you", "you will hear")
    is in its sentence and closer to it than any request to the candidate ("let
    us know by", "please reply by"), and no condition comes first ("if you have
    not heard from us within six weeks").
    """
    promises = cue_spans(doc, P.PROMISE)
    if not promises:
        return None, []
    conditions = cue_spans(doc, P.CONDITIONAL)
    # Other governors: a request to the candidate, or the process ("finishing interviews this
    # week") that a date can belong to instead of the promise.
    requests = cue_spans(doc, P.REQUEST, P.POST_INTERVIEW)
    best: date | None = None
    evidence: list[Evidence] = []
    for start, end, phrase, day in dates.find_deadlines(_text(doc), sent_at):
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or day is None:
            continue
        sid = _sentence_of(ids, span)
        if any(_sentence_of(ids, c) == sid and c.start <= span.start for c in conditions):
            continue
        near_promise = min(
            (_distance(p, span) for p in promises if _sentence_of(ids, p) == sid), default=None
        )
        if near_promise is None:
            continue
        near_request = min(
            (_distance(r, span) for r in requests if _sentence_of(ids, r) == sid), default=None
        )
        if near_request is not None and near_request < near_promise:
            continue
        if best is None or day > best:
            best = day
            evidence = [Evidence("feedback_by", phrase)]
    return best, evidence


def _is_deadline(doc: Doc, span: Span) -> bool:
    """Is the date introduced as a deadline ("by Friday", "no later than March 3")?"""
    return any(tok.norm_ in _DEADLINE_WORDS for tok in doc[max(0, span.start - 3) : span.start])


Slot = tuple[datetime, bool, str | None, str]


def interview_slot(doc: Doc, ids: Sequence[int], sent_at: datetime) -> tuple[Slot | None, int]:
    """The one concrete interview date (and time) in the message, and how many dates it has.

    Several candidate slots, or a range to choose from, give no slot.
    """
    mentions = dates.find_datetimes(_text(doc), sent_at)
    meeting_sentences = {
        _sentence_of(ids, s) for s in cue_spans(doc, P.MEETING, P.INVITE, P.CONFIRM)
    }
    earliest = sent_at.date() - timedelta(days=1)
    candidates: list[tuple[Any, Span]] = []
    for mention in mentions:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or mention.value.date() < earliest:
            continue
        if _is_deadline(doc, span):
            continue
        candidates.append((mention, span))
    if not candidates:
        return None, 0
    # A written date and time is more concrete than "tomorrow" or a bare weekday beside it.
    timed = [(m, s) for m, s in candidates if m.has_time]
    if timed:
        candidates = timed
    days = {m.value.date() for m, _ in candidates}
    if len(days) > 1:
        candidates = [(m, s) for m, s in candidates if _sentence_of(ids, s) in meeting_sentences]
        days = {m.value.date() for m, _ in candidates}
        if len(days) != 1:
            return None, len(days)
    timed = [(m, s) for m, s in candidates if m.has_time]
    times = {(m.value.hour, m.value.minute) for m, _ in timed}
    if len(times) > 1:
        return None, len(times)
    mention, _ = timed[0] if timed else candidates[0]
    value: datetime = mention.value
    if not mention.has_time:
        value = value.replace(hour=12, minute=0, second=0, microsecond=0)
    zone = mention.tz_name or _offset_text(value)
    return (value, bool(mention.has_time), zone, mention.text), 1


_INTERVIEW_WORDS = frozenset(
    [
        "interview",
        "interviews",
        "onsite",
        "on-site",
        "screen",
        "screening",
        "panel",
        "visit",
        "session",
        "call",
        "meeting",
        "chat",
        "conversation",
        "round",
        "deep-dive",
        "dive",
        "assessment",
    ]
)


def _about_interview(doc: Doc, ids: Sequence[int], slot: Slot) -> bool:
    """Is the slot's sentence (or the subject) about the interview itself?"""
    subject_end = doc._.followup_subject_end or 0
    phrase = slot[3]
    start = _text(doc).find(phrase)
    span = (
        doc.char_span(start, start + len(phrase), alignment_mode="expand") if start >= 0 else None
    )
    if span is None:
        return False
    sid = _sentence_of(ids, span)
    subject_tokens = doc.char_span(0, subject_end, alignment_mode="expand") if subject_end else None
    limit = subject_tokens.end if subject_tokens is not None else 0
    words = {tok.norm_ for tok in doc[:limit]}
    words.update(tok.norm_ for tok in doc if ids[tok.i] == sid)
    return bool(words & _INTERVIEW_WORDS)


def _offset_text(value: datetime) -> str | None:
    offset = value.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


# --- the kind ------------------------------------------------------------------------


def cue_scores(doc: Doc) -> dict[str, float]:
    """Kind scores from the cues alone: the fallback when no classifier is loaded."""
    raw = {kind.value: 0.0 for kind in Kind}
    raw[Kind.NOT_JOB.value] = 0.5
    for span in doc.spans.get(CUES_KEY, []):
        target = CUE_KIND.get(span.label_)
        if target is not None:
            raw[target[0].value] += target[1]
    top = max(raw.values())
    exps = {k: math.exp(2.0 * (v - top)) for k, v in raw.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def choose_kind(
    doc: Doc, scores: dict[str, float], slot: Slot | None, date_count: int
) -> tuple[Kind, float, list[str]]:
    """The classifier's choice, corrected where the evidence says it cannot be right."""
    ranked = sorted(
        (
            (score, Kind(name))
            for name, score in scores.items()
            if name in Kind.__members__.values()
        ),
        reverse=True,
    )
    if not ranked:
        return Kind.NOT_JOB, 0.0, []
    notes: list[str] = []
    confidence, kind = ranked[0]
    labels = {span.label_ for span in doc.spans.get(CUES_KEY, [])}
    if kind is Kind.INTERVIEW_CONFIRMATION and slot is None and date_count == 0:
        # A confirmation names the agreed time; without any date it is still being arranged.
        kind = Kind.INTERVIEW_INVITATION
        confidence = scores.get(kind.value, 0.0) + confidence / 2
        notes.append("no concrete date: not a confirmation")
    sales = {span.text.lower() for span in cue_spans(doc, P.SALES)}
    if kind in HIRING_KINDS and not labels & HIRING_EVIDENCE and len(sales) >= 2:
        kind = Kind.NOT_JOB
        confidence = max(scores.get(kind.value, 0.0), 0.5)
        notes.append("no hiring context")
    return kind, min(1.0, max(0.0, confidence)), notes


def kind_evidence(doc: Doc, kind: Kind, limit: int = 3) -> list[Evidence]:
    wanted = {label for label, (k, _) in CUE_KIND.items() if k is kind}
    seen: list[Evidence] = []
    texts: set[str] = set()
    for span in cue_spans(doc, *wanted):
        text = span.text.strip()
        if text.lower() in texts:
            continue
        texts.add(text.lower())
        seen.append(Evidence(kind.value, text))
        if len(seen) >= limit:
            break
    return seen


def decide(doc: Doc, email: Email, model_version: str) -> Detection:
    """Everything the detector reads out of one processed doc."""
    ids = sentence_ids(doc)
    sent_at = email.sent_at
    scores = dict(doc.cats) if doc.cats else cue_scores(doc)
    auto_reply, auto_evidence = detect_auto_reply(email, doc)
    no_promise: tuple[date | None, list[Evidence]] = (None, [])
    feedback_by, feedback_evidence = _safe(
        "feedback_by", no_promise, lambda: promised_date(doc, ids, sent_at)
    )
    no_slot: tuple[Slot | None, int] = (None, 0)
    slot, date_count = _safe("interview_at", no_slot, lambda: interview_slot(doc, ids, sent_at))
    kind, confidence, _notes = choose_kind(doc, scores, slot, date_count)
    evidence = kind_evidence(doc, kind)
    if kind not in SLOT_KINDS or auto_reply:
        slot = None
    elif kind is Kind.RECRUITER_REPLY and slot is not None and not _about_interview(doc, ids, slot):
        # Logistics mail names the interview; other replies name deadlines and paper dates.
        slot = None
    if kind not in FEEDBACK_KINDS:
        feedback_by, feedback_evidence = None, []
    evidence.extend(feedback_evidence)
    no_followup_spans = cue_spans(doc, P.NO_FOLLOWUP) if kind is not Kind.NOT_JOB else []
    if no_followup_spans:
        evidence.append(Evidence("no_followup", no_followup_spans[0].text))
    away_until = None
    if auto_reply:
        evidence.append(Evidence("auto_reply", auto_evidence or ""))
        body_start = doc._.followup_subject_end or 0
        away_until = _safe(
            "away_until", None, lambda: dates.find_return_date(_text(doc)[body_start:], sent_at)
        )
    if slot is not None:
        evidence.append(Evidence("interview_at", slot[3]))
    company = _safe("company", None, lambda: extract_company(email, doc))
    nobody: tuple[str | None, str | None] = (None, None)
    contact_name, contact_email = _safe("contact", nobody, lambda: extract_contact(email))
    return Detection(
        kind=kind,
        confidence=round(confidence, 4),
        interview_at=slot[0] if slot else None,
        interview_has_time=slot[1] if slot else False,
        interview_tz=slot[2] if slot else None,
        feedback_by=feedback_by,
        no_followup=bool(no_followup_spans),
        auto_reply=auto_reply,
        away_until=away_until,
        company=company,
        contact_name=contact_name,
        contact_email=contact_email,
        evidence=tuple(evidence),
        model_version=model_version,
    )


class Decider:
    """The last component: stores the Detection on ``doc._.followup_result``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        email = doc._.followup_email
        if isinstance(email, Email):
            version = str(self.nlp.meta.get("followup_model_version", "rules"))
            doc._.followup_result = _safe(
                "decide", fallback_detection(version), lambda: decide(doc, email, version)
            )
        return doc


def fallback_detection(model_version: str) -> Detection:
    return Detection(kind=Kind.NOT_JOB, confidence=0.0, model_version=model_version)


@Language.factory("followup_decide", default_config={})
def make_decider(nlp: Language, name: str) -> Decider:
    return Decider(nlp, name)
