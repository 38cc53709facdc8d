"""The decision: classifier scores and cue evidence -> one Detection per message."""

from __future__ import annotations

import math
import re
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from nlp import dates
from nlp import patterns as P
from nlp.company import extract_company, extract_contact
from nlp.components import cues_of, negated, sentence_ids
from nlp.facts import (
    Slot,
    about_interview,
    cue_text,
    cues,
    detect_auto_reply,
    doc_text,
    interview_slot,
    promised_date,
    requested_date,
    safe,
    slot_candidates,
)
from nlp.types import Detection, Email, Evidence, Kind

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
# Kinds whose words other processes share (admissions, rentals, user research, sales).
MIMIC_KINDS = frozenset(
    {
        Kind.APPLICATION_ACK,
        Kind.INTERVIEW_INVITATION,
        Kind.INTERVIEW_CONFIRMATION,
        Kind.FEEDBACK_PROMISE,
        Kind.RECRUITER_REPLY,
    }
)
MEETING_KINDS = frozenset({Kind.INTERVIEW_INVITATION, Kind.INTERVIEW_CONFIRMATION})
# Cue families that name a hiring process ("interview", a role, a round, an application).
HIRING_WORDS = frozenset(
    {P.HIRING, P.JOB, P.TITLE, P.PROCESS, P.POST_INTERVIEW, P.ACK, P.REJECT, P.OFFER, P.OUTREACH}
)
SLOT_KINDS = frozenset(
    {Kind.INTERVIEW_INVITATION, Kind.INTERVIEW_CONFIRMATION, Kind.RECRUITER_REPLY}
)
# Cues that only a hiring process produces ("thanks for your time" is not one: sales say it).
HIRING_EVIDENCE = frozenset(
    {P.JOB, P.TITLE, P.ACK, P.INVITE, P.REJECT, P.OFFER, P.REPLY, P.OUTREACH}
)


# Which kind each cue family speaks for, and how loudly, when no classifier is loaded.
CUE_KIND: dict[str, tuple[Kind, float]] = {
    P.ACK: (Kind.APPLICATION_ACK, 1.0),
    P.INVITE: (Kind.INTERVIEW_INVITATION, 1.0),
    P.CONFIRM: (Kind.INTERVIEW_CONFIRMATION, 1.0),
    P.POST_INTERVIEW: (Kind.FEEDBACK_PROMISE, 0.7),
    P.PROCESS: (Kind.FEEDBACK_PROMISE, 0.5),
    P.PROMISE: (Kind.FEEDBACK_PROMISE, 0.6),
    P.REJECT: (Kind.REJECTION, 1.2),
    P.OFFER: (Kind.OFFER, 1.0),
    P.REPLY: (Kind.RECRUITER_REPLY, 0.8),
    P.OUTREACH: (Kind.RECRUITER_REPLY, 0.8),
    P.NOT_JOB: (Kind.NOT_JOB, 1.0),
    P.OTHER: (Kind.NOT_JOB, 0.5),
    P.CANDIDATE: (Kind.NOT_JOB, 1.0),
    P.HIRING_SIDE: (Kind.NOT_JOB, 1.2),
}
# The marks of a calendar or video-call invitation.
_VIDEO_CALL = re.compile(
    r"(?i)zoom\.us/|teams\.microsoft\.com|meet\.google\.com|webex\.com|\bmeeting id\b"
    r"|\bjoin (?:the |zoom |teams |microsoft teams )?meeting\b"
)
# Words an automatic reply's echoed subject has when the user wrote about a hiring process.
_HIRING_TOPICS = frozenset(["feedback", "bewerbung", "candidature", "follow-up", "following"])


# A cue family speaks at most this many times: a school's job mail says "pupils",
# "parents" and "classes" a dozen times, and that is no dozen reasons for not_job.
MAX_CUES_PER_LABEL = 3


def raw_cue_scores(doc: Doc) -> dict[str, float]:
    """Each kind's summed cue weights (``CUE_KIND``); not_job starts ahead."""
    raw = {kind.value: 0.0 for kind in Kind}
    raw[Kind.NOT_JOB.value] = 0.5
    heard: dict[str, int] = {}
    for cue in cues_of(doc):
        target = CUE_KIND.get(cue.label)
        if target is None or (cue.label == P.PROMISE and negated(doc, cue)):
            continue
        heard[cue.label] = heard.get(cue.label, 0) + 1
        if heard[cue.label] <= MAX_CUES_PER_LABEL:
            raw[target[0].value] += target[1]
    return raw


def _softmax(raw: dict[str, float], scale: float = 1.0) -> dict[str, float]:
    top = max(raw.values())
    exps = {k: math.exp(scale * (v - top)) for k, v in raw.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def cue_scores(doc: Doc) -> dict[str, float]:
    """Kind scores from the cues alone: the fallback when no classifier is loaded."""
    return _softmax(raw_cue_scores(doc), 2.0)


# How much the hand-weighted cue evidence adds to the classifier's log-probabilities: it
# knows no author's style, so it steadies the classifier on mail unlike its corpus.
CUE_WEIGHT = 1.0


def combined_scores(doc: Doc) -> dict[str, float]:
    """Kind probabilities: the classifier's, tilted by the cue evidence (cues alone without one)."""
    if not doc.cats:
        return cue_scores(doc)
    raw = raw_cue_scores(doc)
    logits = {k: math.log(max(v, 1e-9)) + CUE_WEIGHT * raw.get(k, 0.0) for k, v in doc.cats.items()}
    return _softmax(logits)


def choose_kind(
    doc: Doc, scores: dict[str, float], has_date: bool, auto_reply: bool = False
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
    labels = {cue.label for cue in cues_of(doc)}
    if kind is Kind.INTERVIEW_CONFIRMATION and not has_date:
        # A confirmation names the agreed time; without any date it is still being arranged.
        kind = Kind.INTERVIEW_INVITATION
        confidence = scores.get(kind.value, 0.0) + confidence / 2
        notes.append("no concrete date: not a confirmation")
    if kind is Kind.REJECTION and P.NO_FOLLOWUP in labels and P.REJECT not in labels:
        # "Due to the volume we cannot answer status inquiries" shares a rejection's words
        # and says no verdict: without a rejection phrase the lead is not closed.
        confidence, kind = next((s, k) for s, k in ranked if k is not Kind.REJECTION)
        notes.append("asks not to be chased, names no verdict: not a rejection")
    sales = {cue_text(doc, c).lower() for c in cues(doc, P.SALES)}
    if kind in HIRING_KINDS and not labels & HIRING_EVIDENCE and len(sales) >= 2:
        kind = Kind.NOT_JOB
        confidence = max(scores.get(kind.value, 0.0), 0.5)
        notes.append("no hiring context")
    elif kind in MIMIC_KINDS and _other_sense(doc):
        # "Thank you for interviewing with our MBA committee", "we've received your rental
        # application": the words of a hiring process, about something else.
        kind = Kind.NOT_JOB
        confidence = max(scores.get(kind.value, 0.0), 0.5)
        notes.append("another sense of the hiring words")
    elif auto_reply and kind in HIRING_KINDS and not _about_hiring(doc, labels):
        # An out-of-office answer to the user's mail about the boiler or the tax return.
        kind = Kind.NOT_JOB
        confidence = max(scores.get(kind.value, 0.0), 0.5)
        notes.append("an automatic reply about something else")
    elif kind in MEETING_KINDS and _just_a_meeting(doc, labels):
        # A video-call invitation about nothing hiring is a meeting (a reply in a thread may
        # leave the interview unnamed: its thread names it; an informal "free for a call
        # Friday?" may too, so only calendar invitations count here).
        kind = Kind.NOT_JOB
        confidence = max(scores.get(kind.value, 0.0), 0.5)
        notes.append("a meeting, not an interview")
    return kind, min(1.0, max(0.0, confidence)), notes


def _other_sense(doc: Doc) -> bool:
    """No word only hiring uses, no hiring sender, and words of another world."""
    signals = set(doc.user_data.get("followup_signals") or ())
    return "ctx:no_job" in signals and "ctx:other" in signals


def _about_hiring(doc: Doc, labels: set[str]) -> bool:
    """Does the mail (an echoed subject at least) name a hiring process or its feedback?"""
    signals = set(doc.user_data.get("followup_signals") or ())
    if signals & {"snd:ats", "snd:hr", "snd:hr_name"} or labels & HIRING_WORDS:
        return True
    return any(tok.norm_ in _HIRING_TOPICS for tok in doc)


def _just_a_meeting(doc: Doc, labels: set[str]) -> bool:
    """A video-call invitation that names nothing of a hiring process, from no hiring sender."""
    signals = set(doc.user_data.get("followup_signals") or ())
    if signals & {"snd:ats", "snd:hr", "snd:hr_name", "subj:is_reply", "subj:is_forward"}:
        return False
    return not labels & HIRING_WORDS and _VIDEO_CALL.search(doc_text(doc)) is not None


def kind_evidence(doc: Doc, kind: Kind, limit: int = 3) -> list[Evidence]:
    wanted = {label for label, (k, _) in CUE_KIND.items() if k is kind}
    seen: list[Evidence] = []
    texts: set[str] = set()
    for cue in cues(doc, *wanted):
        text = cue_text(doc, cue).strip()
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
    scores = combined_scores(doc)
    auto_reply, auto_evidence = detect_auto_reply(email, doc)
    no_candidates: list[tuple[dates.DateMention, int]] = []
    candidates = safe("interview_at", no_candidates, lambda: slot_candidates(doc, ids, sent_at))
    kind, confidence, _notes = choose_kind(doc, scores, bool(candidates), auto_reply)
    evidence = kind_evidence(doc, kind)
    slot: Slot | None = None
    if kind in SLOT_KINDS and not auto_reply:
        # Only an invitation proposes; a confirmation or a logistics note names a fixed time.
        agreed = kind is not Kind.INTERVIEW_INVITATION
        slot = safe(
            "interview_at", None, lambda: interview_slot(doc, ids, candidates, agreed, sent_at)
        )
    if kind is Kind.RECRUITER_REPLY and slot is not None and not about_interview(doc, ids, slot):
        # Logistics mail names the interview; other replies name deadlines and paper dates.
        slot = None
    feedback_by: date | None = None
    if kind in FEEDBACK_KINDS and not auto_reply:
        no_promise: tuple[date | None, list[Evidence]] = (None, [])
        feedback_by, feedback_evidence = safe(
            "feedback_by", no_promise, lambda: promised_date(doc, ids, sent_at, kind)
        )
        evidence.extend(feedback_evidence)
    # An explicit "do not chase us" holds whatever the mail turns out to be about.
    no_followup_cues = cues(doc, P.NO_FOLLOWUP)
    if no_followup_cues:
        evidence.append(Evidence("no_followup", cue_text(doc, no_followup_cues[0])))
    away_until = None
    if auto_reply:
        evidence.append(Evidence("auto_reply", auto_evidence or ""))
        body_start = doc.user_data.get("followup_subject_end") or 0
        away_until = safe(
            "away_until", None, lambda: dates.find_return_date(doc_text(doc)[body_start:], sent_at)
        )
    if slot is not None:
        evidence.append(Evidence("interview_at", slot[3]))
    reply_by = None
    if kind is Kind.OFFER:
        reply_by = safe("reply_by", None, lambda: requested_date(doc, ids, sent_at))
    company = safe("company", None, lambda: extract_company(email, doc))
    nobody: tuple[str | None, str | None] = (None, None)
    contact_name, contact_email = safe("contact", nobody, lambda: extract_contact(email))
    return Detection(
        kind=kind,
        confidence=round(confidence, 4),
        interview_at=slot[0] if slot else None,
        interview_has_time=slot[1] if slot else False,
        interview_tz=slot[2] if slot else None,
        feedback_by=feedback_by,
        no_followup=bool(no_followup_cues),
        auto_reply=auto_reply,
        away_until=away_until,
        company=company,
        contact_name=contact_name,
        contact_email=contact_email,
        evidence=tuple(evidence),
        model_version=model_version,
        reply_by=reply_by,
    )


class Decider:
    """The last component: stores the Detection as ``doc._.followup_result``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self._version: str | None = None

    def __call__(self, doc: Doc) -> Doc:
        email = doc.user_data.get("followup_email")
        if isinstance(email, Email):
            if self._version is None:
                # Language.meta builds a fresh dict on every access; read it once.
                self._version = str(self.nlp.meta.get("followup_model_version", "rules"))
            version = self._version
            doc.user_data["followup_result"] = safe(
                "decide", fallback_detection(version), lambda: decide(doc, email, version)
            )
        return doc


def fallback_detection(model_version: str) -> Detection:
    return Detection(kind=Kind.NOT_JOB, confidence=0.0, model_version=model_version)


@Language.factory("followup_decide", default_config={})
def make_decider(nlp: Language, name: str) -> Decider:
    return Decider(nlp, name)
