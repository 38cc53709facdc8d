"""The cue spec language: phrases inside alternatives, tokenizer-shaped words, rejected specs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import spacy
from spacy.language import Language

import nlp
from nlp import patterns as P
from nlp.components import cues_of
from nlp.patterns.base import seq, spec_norms, token, token_options
from nlp.pipeline import make_doc
from nlp.types import Email, Kind

SENT = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules() -> Language:
    return nlp.load("rules")


def _labels(pipeline: Language, text: str) -> set[str]:
    email = Email(subject="Your application", text=text, sent_at=SENT)
    doc = pipeline(make_doc(pipeline, email))
    return {cue.label for cue in cues_of(doc)}


@pytest.mark.parametrize(
    ("word", "norms"),
    [
        ("for_now", ("for", "now")),
        ("cannot", ("can", "not")),
        ("can't", ("can", "not")),
        ("e-mail", ("e", "-", "mail")),
        ("'ll", ("will",)),
        ("i-9", ("i-9",)),
        ("status", ("status",)),
    ],
    ids=["underscore-phrase", "cannot", "cant", "hyphen", "clitic", "code", "word"],
)
def test_spec_words_are_read_as_the_tokenizer_splits_them(
    word: str, norms: tuple[str, ...]
) -> None:
    assert spec_norms(word) == norms
    tokenizer = spacy.blank("en")
    assert tuple(t.norm_ for t in tokenizer(word.replace("_", " "))) == norms


def test_a_phrase_alternative_is_its_own_pattern() -> None:
    patterns = seq("X", "on hold for_now|temporarily")
    assert [p["pattern"] for p in patterns] == [
        [{"NORM": "on"}, {"NORM": "hold"}, {"NORM": "temporarily"}],
        [{"NORM": "on"}, {"NORM": "hold"}, {"NORM": "for"}, {"NORM": "now"}],
    ]


def test_an_optional_phrase_alternative_may_be_left_out() -> None:
    assert token_options("?just|right_now") == [
        [{"NORM": "just", "OP": "?"}],
        [{"NORM": "right"}, {"NORM": "now"}],
    ]


@pytest.mark.parametrize(
    "spec",
    ["status||update", "status|", "calls|calls", "!do_not", "^for_now"],
    ids=["empty", "trailing-bar", "repeated", "negated-phrase", "prefix-phrase"],
)
def test_the_loader_rejects_a_broken_spec_word(spec: str) -> None:
    with pytest.raises(ValueError, match="cue spec"):
        seq("X", spec)


def test_token_refuses_a_phrase() -> None:
    with pytest.raises(ValueError, match="phrase"):
        token("instead_of|rather_than")


def test_every_word_a_pattern_names_is_one_token_with_that_norm() -> None:
    """A word the tokenizer splits ("cannot", "'m", "e-mail") could never match one token."""
    tokenizer = spacy.blank("en")
    for pattern in P.all_patterns():
        for tok in pattern["pattern"]:
            norm = tok.get("NORM")
            if isinstance(norm, str):
                words = [norm]
            elif isinstance(norm, dict):
                words = list(norm.get("IN", [])) + list(norm.get("NOT_IN", []))
            else:
                words = []
            for word in words:
                doc = tokenizer(word)
                assert [t.norm_ for t in doc] == [word], (pattern["label"], word)


# Phrases whose specs once held a space inside an alternative ("for now|until",
# "instead of|rather than", "has been viewed"): each must now raise its cue.
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The search is on hold for now.", P.REPLY),
        ("The role is for now on hold while budgets are reviewed.", P.REPLY),
        ("Your application has been viewed by the hiring team.", P.REPLY),
        ("Good news: your profile was viewed by a recruiter.", P.REPLY),
        ("Instead of calling us, please check the candidate portal.", P.NO_FOLLOWUP),
        ("Rather than emailing the team, log in to see your status.", P.NO_FOLLOWUP),
        ("NO PHONE CALLS PLEASE.", P.NO_FOLLOWUP),
        ("We ask that you not contact the hiring manager directly.", P.NO_FOLLOWUP),
        ("The interview will take place in our Leeds office.", P.CONFIRM),
        ("The assessment day will be held at our head office.", P.CONFIRM),
        ("You are all set for Thursday at 2pm.", P.CONFIRM),
        ("When you arrive, please ask for Maria at reception.", P.CONFIRM),
        ("I'm reaching out about a data role at my client.", P.OUTREACH),
        ("We cannot be offering the position at this time.", P.REJECT),
        ("We will keep your CV on file in case a similar role opens.", P.REJECT),
        ("I'm away on leave this week.", P.OOO),
        ("I will be away on holiday until Monday.", P.OOO),
        ("I will get back to you when I return.", P.OOO),
        ("For anything urgent please call Sam.", P.OOO),
    ],
)
def test_phrases_once_lost_to_a_space_in_a_spec_raise_their_cue(
    rules: Language, text: str, label: str
) -> None:
    assert label in _labels(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "Please do not reply to this automated e-mail.",
        "Only shortlisted candidates will be contacted.",
        "Feel free to ping me if anything comes up.",
        "Don't hesitate to reach out with questions.",
        # An ask never spans two sentences.
        "Please do not reply to this message. For questions contact our HR team.",
        "If you have not heard from us in two weeks, please contact the office.",
        "You're not bothering me at all! Check back with me Monday.",
    ],
    ids=[
        "noreply-footer",
        "shortlist-only",
        "ping-me",
        "dont-hesitate",
        "noreply-then-contact",
        "contact-if-not-heard",
        "check-back",
    ],
)
def test_near_misses_of_dont_chase_us_raise_no_such_cue(rules: Language, text: str) -> None:
    assert P.NO_FOLLOWUP not in _labels(rules, text)


@pytest.mark.parametrize(
    "text",
    [
        "PLEASE DON'T CALL THE OFFICE ABOUT YOUR APPLICATION.",
        "Candidates are asked not to contact the school or governors about the post.",
        "I'd ask that you stop calling the OR desk.",
        "Please stop e-mailing and calling every day.",
        "PLEASE DON'T drop by the shop to ask about it.",
        "WE DO NOT ACCEPT PHONE CALLS OR WALK-INS ABOUT APPLICATIONS.",
        "PLEASE DO NOT REPLY TO THIS E-MAIL OR CALL HR TO ASK ABOUT YOUR APPLICATION STATUS.",
        "We are unable to discuss your application during the assessment period.",
        "Do not call the field office.",
        "There's no need to call us: calling won't speed up the review.",
    ],
    ids=[
        "capitals-contraction",
        "asked-not-to",
        "ask-that-you-stop",
        "please-stop",
        "drop-by",
        "no-walk-ins",
        "reply-or-call",
        "unable-to-discuss",
        "call-the-office",
        "no-need-to-call",
    ],
)
def test_dont_chase_us_as_employers_write_it(rules: Language, text: str) -> None:
    email = Email(subject="Your application", text=text, sent_at=SENT)
    assert nlp.analyze(email, rules).no_followup


def test_capital_contractions_split_like_lower_case(rules: Language) -> None:
    assert [t.norm_ for t in rules.tokenizer("WE CAN'T REPLY")] == ["we", "can", "not", "reply"]


@pytest.mark.parametrize(
    "text",
    [
        "Your scorecard for Maya Chen (Systems Design) is overdue.",
        "Lena Park has requested your approval for an offer: Maya Chen.",
        "You've been added as an interviewer. Candidate: Diego Alvarez.",
        "You're receiving this because you're on the hiring team for this posting.",
    ],
    ids=["scorecard", "offer-approval", "added-as-interviewer", "hiring-team"],
)
def test_mail_to_the_user_as_interviewer_raises_the_hiring_side_cue(
    rules: Language, text: str
) -> None:
    assert P.HIRING_SIDE in _labels(rules, text)


def test_an_interview_reminder_for_the_interviewer_is_not_the_users_search(
    rules: Language,
) -> None:
    text = (
        "Hi Sam,\n\nYou have an interview coming up.\n\nCandidate: Maya Chen\n"
        "Job: Senior Backend Engineer\nInterview: Systems Design (60 min)\n\n"
        "Open the interview kit to see the questions for this stage. Please submit "
        "your scorecard within 24 hours of the interview.\n"
    )
    email = Email(subject="Reminder: you're interviewing Maya Chen", text=text, sent_at=SENT)
    assert nlp.analyze(email, rules).kind is Kind.NOT_JOB
