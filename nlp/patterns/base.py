"""The pattern spec language (token, seq) and the cue labels every family uses."""

from __future__ import annotations

import itertools
import re
from typing import Any

from spacy.attrs import NORM, ORTH
from spacy.lang.en import English

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
HIRING_SIDE = "HIRING_SIDE"
REQUEST = "REQUEST"
HIRING = "HIRING"
SALES = "SALES"
MEETING = "MEETING"
JOB = "JOB"
TITLE = "TITLE"
OTHER = "OTHER"


# A gap written "~N" stays inside one sentence: it never steps over these.
SENTENCE_ENDS = (".", "!", "?", ";")

_YOU = "you|yourself"
# Whom the hiring side promises to answer: the candidate, or every candidate.
_ANSWERED = "you|yourself|everyone|everybody|all|each|every|candidates|applicants|interviewees"
_WE = "we|i|team|they|he|she|manager|recruiter|panel"
_OUTCOME = (
    "decision|decisions|answer|feedback|outcome|result|results|update|updates|news|"
    "response|verdict|status|word|reply"
)


# spaCy's own English special cases ("cannot" -> can not, "i'm" -> i am, "'ll" -> will)
# and its infix rule for a hyphen between letters ("e-mail" -> e - mail): a spec word is
# turned into the NORMs the tokenizer gives, so it can match what the tokenizer makes.
_SPECIAL = English.Defaults.tokenizer_exceptions
_HYPHEN = re.compile(r"(?<=[^\W_])(-)(?=[^\W\d_])")


def spec_norms(word: str) -> tuple[str, ...]:
    """The token NORMs one spec alternative stands for ("for_now" -> ("for", "now"))."""
    norms: list[str] = []
    for part in word.split("_"):
        for piece in _HYPHEN.split(part):
            special = _SPECIAL.get(piece)
            if special is None:
                norms.append(piece)
            else:
                norms.extend(str(t.get(NORM, t[ORTH])).lower() for t in special)
    return tuple(norms)


def _alternatives(spec: str, body: str) -> list[str]:
    words = body.split("|")
    if "" in words:
        raise ValueError(f"cue spec {spec!r}: an empty alternative (a stray '|')")
    if len(set(words)) != len(words):
        raise ValueError(f"cue spec {spec!r}: an alternative is written twice")
    return words


def token_options(spec: str) -> list[list[dict[str, Any]]]:
    """The token sequences one spec word can match (see the module docstring).

    A phrase alternative ("for_now", "e-mail", "cannot") is its own sequence; the
    one-token alternatives share one token dict.
    """
    if spec == "*":
        return [[{"OP": "?"}]]
    if spec.startswith("*") and spec[1:].isdigit():
        return [[{"OP": "{0," + spec[1:] + "}"}]]
    if spec.startswith("~") and spec[1:].isdigit():
        return [[{"NORM": {"NOT_IN": list(SENTENCE_ENDS)}, "OP": "{0," + spec[1:] + "}"}]]
    optional = spec.startswith("?") and len(spec) > 1
    body = spec[1:] if optional else spec
    if body.startswith("^") and len(body) > 1:
        prefixes = _alternatives(spec, body[1:])
        if any("_" in p for p in prefixes):
            raise ValueError(f"cue spec {spec!r}: a prefix is one token, not a phrase")
        tok: dict[str, Any] = {"NORM": {"REGEX": f"^(?:{'|'.join(prefixes)})"}}
        return [[{**tok, "OP": "?"} if optional else tok]]
    negative = body.startswith("!") and len(body) > 1
    words = _alternatives(spec, body[1:] if negative else body)
    singles: list[str] = []
    phrases: list[list[dict[str, Any]]] = []
    for word in words:
        norms = spec_norms(word)
        if len(norms) == 1:
            if norms[0] not in singles:
                singles.append(norms[0])
        elif negative:
            raise ValueError(f"cue spec {spec!r}: '!' takes single words, not {word!r}")
        else:
            phrases.append([{"NORM": norm} for norm in norms])
    options: list[list[dict[str, Any]]] = []
    if negative:
        options.append([{"NORM": {"NOT_IN": singles}}])
    elif singles:
        options.append([{"NORM": singles[0]} if len(singles) == 1 else {"NORM": {"IN": singles}}])
    if optional:
        options = [[{**seq_[0], "OP": "?"}] for seq_ in options] or [[]]
    return options + phrases


def token(spec: str) -> dict[str, Any]:
    """One token dict from one spec word that stands for single tokens only."""
    options = token_options(spec)
    if len(options) != 1 or len(options[0]) != 1:
        raise ValueError(f"cue spec {spec!r} stands for a phrase, not one token")
    return options[0][0]


def seq(label: str, *specs: str) -> list[Pattern]:
    """Patterns for each spec string: words separated by spaces.

    A spec word with phrase alternatives gives one pattern per choice.
    """
    patterns: list[Pattern] = []
    for spec in specs:
        choices = [token_options(word) for word in spec.split()]
        for combination in itertools.product(*choices):
            tokens = [tok for part in combination for tok in part]
            patterns.append({"label": label, "pattern": tokens})
    return patterns
