"""The pattern spec language (token, seq) and the cue labels every family uses."""

from __future__ import annotations

from typing import Any

Pattern = dict[str, Any]


# Labels the detector reads. Kind cues feed the classifier; the rest decide facts.
ACK = "ACK"
INVITE = "INVITE"
CONFIRM = "CONFIRM"
POST_INTERVIEW = "POST_INTERVIEW"
PROCESS = "PROCESS"
PROMISE = "PROMISE"
REJECT = "REJECT"
OFFER = "OFFER"
REPLY = "REPLY"
OUTREACH = "OUTREACH"
NOT_JOB = "NOT_JOB"
NO_FOLLOWUP = "NO_FOLLOWUP"
OOO = "OOO"
OOO_WEAK = "OOO_WEAK"
CONDITIONAL = "CONDITIONAL"
SUBSET = "SUBSET"
CANDIDATE = "CANDIDATE"
REQUEST = "REQUEST"
HIRING = "HIRING"
SALES = "SALES"
MEETING = "MEETING"
JOB = "JOB"
TITLE = "TITLE"
OTHER = "OTHER"


_YOU = "you|yourself"
# Whom the hiring side promises to answer: the candidate, or every candidate.
_ANSWERED = "you|yourself|everyone|everybody|all|each|every|candidates|applicants|interviewees"
_WE = "we|i|team|they|he|she|manager|recruiter|panel"
_OUTCOME = (
    "decision|decisions|answer|feedback|outcome|result|results|update|updates|news|"
    "response|verdict|status|word|reply"
)


def token(spec: str) -> dict[str, Any]:
    """One token dict from one spec word (see the module docstring)."""
    if spec == "*":
        return {"OP": "?"}
    if spec.startswith("*") and spec[1:].isdigit():
        return {"OP": "{0," + spec[1:] + "}"}
    optional = spec.startswith("?") and len(spec) > 1
    body = spec[1:] if optional else spec
    if body.startswith("!") and len(body) > 1:
        tok: dict[str, Any] = {"NORM": {"NOT_IN": body[1:].split("|")}}
    elif body.startswith("^") and len(body) > 1:
        prefixes = "|".join(body[1:].split("|"))
        tok = {"NORM": {"REGEX": f"^(?:{prefixes})"}}
    else:
        words = body.split("|")
        tok = {"NORM": words[0]} if len(words) == 1 else {"NORM": {"IN": words}}
    if optional:
        tok["OP"] = "?"
    return tok


def seq(label: str, *specs: str) -> list[Pattern]:
    """Patterns for each spec string: words separated by spaces."""
    return [{"label": label, "pattern": [token(word) for word in spec.split()]} for spec in specs]
