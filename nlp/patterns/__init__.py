"""Cue patterns as data: one small function per family, compiled for spaCy's Matcher.

Each pattern is ``{"label": LABEL, "pattern": [token dicts]}``, matched on the
token's NORM (lower case, with "'ll" -> "will", "n't" -> "not"), so "We'll get back
to you" and "we will get back to you" are one pattern. Patterns are written in a
tiny spec language so a family reads like the phrases it stands for:

    "a|b"   one token, any of the words       "?a|b"  the same, optional
    "*"     any one token, optional           "*3"    up to three tokens of anything
    "~6"    up to six tokens, none of them a full stop, "!", "?" or ";"
    "^a|b"  one token whose NORM starts with one of the prefixes
    "!a|b"  one token that is none of the words
    "a_b|c" the phrase "a b", or the word c (a space would split the spec word)

An alternative is read as spaCy's tokenizer reads it: "cannot", "e-mail" and "can't"
are phrases of two or three tokens ("can not", "e - mail"), "'ll" is "will". The
loader rejects an empty or repeated alternative and a phrase after "!" or "^".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from nlp.patterns.base import (
    ACK,
    CANDIDATE,
    CONDITIONAL,
    CONFIRM,
    HIRING,
    HIRING_SIDE,
    INVITE,
    JOB,
    MEETING,
    NO_FOLLOWUP,
    NOT_JOB,
    OFFER,
    OOO,
    OOO_WEAK,
    OTHER,
    OUTREACH,
    POST_INTERVIEW,
    PROCESS,
    PROMISE,
    REJECT,
    REPLY,
    REQUEST,
    SALES,
    SUBSET,
    TITLE,
    Pattern,
    seq,
    token,
)
from nlp.patterns.context import (
    pattern_hiring_context,
    pattern_hiring_side,
    pattern_job_context,
    pattern_job_title,
    pattern_meeting,
    pattern_no_followup,
    pattern_not_job,
    pattern_other_sense,
    pattern_out_of_office,
    pattern_sales_context,
)
from nlp.patterns.kinds import (
    pattern_application_ack,
    pattern_candidate_voice,
    pattern_conditional,
    pattern_confirmation,
    pattern_invitation,
    pattern_offer,
    pattern_outreach,
    pattern_post_interview,
    pattern_process,
    pattern_promise,
    pattern_recruiter_reply,
    pattern_rejection,
    pattern_request,
    pattern_subset,
)

__all__ = [
    "ACK",
    "CANDIDATE",
    "CONDITIONAL",
    "CONFIRM",
    "FAMILIES",
    "HIRING",
    "HIRING_SIDE",
    "INVITE",
    "JOB",
    "MEETING",
    "NOT_JOB",
    "NO_FOLLOWUP",
    "OFFER",
    "OOO",
    "OOO_WEAK",
    "OTHER",
    "OUTREACH",
    "POST_INTERVIEW",
    "PROCESS",
    "PROMISE",
    "REJECT",
    "REPLY",
    "REQUEST",
    "SALES",
    "SUBSET",
    "TITLE",
    "Pattern",
    "all_patterns",
    "pattern_application_ack",
    "pattern_candidate_voice",
    "pattern_conditional",
    "pattern_confirmation",
    "pattern_hiring_context",
    "pattern_hiring_side",
    "pattern_invitation",
    "pattern_job_context",
    "pattern_job_title",
    "pattern_meeting",
    "pattern_no_followup",
    "pattern_not_job",
    "pattern_offer",
    "pattern_other_sense",
    "pattern_out_of_office",
    "pattern_outreach",
    "pattern_post_interview",
    "pattern_process",
    "pattern_promise",
    "pattern_recruiter_reply",
    "pattern_rejection",
    "pattern_request",
    "pattern_sales_context",
    "pattern_subset",
    "seq",
    "token",
]

FAMILIES: dict[str, Callable[[], list[Pattern]]] = {
    "application_ack": pattern_application_ack,
    "invitation": pattern_invitation,
    "confirmation": pattern_confirmation,
    "post_interview": pattern_post_interview,
    "process": pattern_process,
    "promise": pattern_promise,
    "conditional": pattern_conditional,
    "subset": pattern_subset,
    "candidate_voice": pattern_candidate_voice,
    "request": pattern_request,
    "rejection": pattern_rejection,
    "offer": pattern_offer,
    "recruiter_reply": pattern_recruiter_reply,
    "outreach": pattern_outreach,
    "not_job": pattern_not_job,
    "no_followup": pattern_no_followup,
    "out_of_office": pattern_out_of_office,
    "hiring_context": pattern_hiring_context,
    "hiring_side": pattern_hiring_side,
    "job_context": pattern_job_context,
    "job_title": pattern_job_title,
    "other_sense": pattern_other_sense,
    "sales_context": pattern_sales_context,
    "meeting": pattern_meeting,
}


def all_patterns(families: Iterable[str] = FAMILIES) -> list[Pattern]:
    """The patterns of the named families, in a stable order."""
    patterns: list[Pattern] = []
    for name in families:
        patterns.extend(FAMILIES[name]())
    return patterns
