"""What a message added: quoted history and signatures removed, content kept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from watcher.mail import extract_new_text, parse_message

SAMPLES = Path(__file__).parent / "mail_samples"

CASES = [
    (
        "sentence-starting-with-thanks-is-content",
        "Hi Alex,\n\nThanks, we'd like to invite you to an interview on Monday at 10am.\n\n"
        "Best,\nJane",
        "Hi Alex,\n\nThanks, we'd like to invite you to an interview on Monday at 10am.",
    ),
    (
        "thank-you-with-name-is-content",
        "Hi Alex,\nThank you, Alex, for your time today.\n"
        "We will get back to you within two weeks.\n\nRegards,\nJane Doe\nAcme",
        "Hi Alex,\nThank you, Alex, for your time today.\n"
        "We will get back to you within two weeks.",
    ),
    (
        "hyphen-list-is-content",
        "Hi Alex,\n\nNext steps:\n- a phone screen on Monday\n- an onsite on Friday\n\n"
        "Thanks,\nJane",
        "Hi Alex,\n\nNext steps:\n- a phone screen on Monday\n- an onsite on Friday",
    ),
    (
        "sent-from-my-phone",
        "We'll be in touch by Friday.\n\nSent from my iPhone",
        "We'll be in touch by Friday.",
    ),
    (
        "original-message-separator",
        "Hi Alex,\nSee below.\n\n-----Original Message-----\nFrom: Alex\nSent: Monday\n"
        "To: Jane\nSubject: hi\n\nold stuff",
        "Hi Alex,\nSee below.",
    ),
    (
        "interleaved-answers-keep-answers",
        "Hi,\n\n> Are you free Monday?\nYes, Monday 3pm works.\n> And Tuesday?\nNo.\n",
        "Hi,\n\nYes, Monday 3pm works.\nNo.",
    ),
    (
        "sign-off-then-disclaimer",
        "Hi Alex\n\nWe will decide next week.\n\nBest regards\n\nJane Doe | Recruiter\n"
        "CONFIDENTIALITY: This email is for the intended recipient only. If you got this "
        "mail by error, delete it.",
        "Hi Alex\n\nWe will decide next week.",
    ),
    (
        "on-wrote-header-wrapped-over-two-lines",
        "Sounds good, see you then.\n\nOn Thu, Mar 6, 2025 at 5:12 PM Alex Smith <\n"
        "alex@example.org> wrote:\n> Does 3pm work?\n",
        "Sounds good, see you then.",
    ),
    ("only-a-sign-off-is-kept", "Thanks,\nJane", "Thanks,\nJane"),
    ("empty", "  \n", ""),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_extract_new_text(text: str, expected: str) -> None:
    assert extract_new_text(text) == expected


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("gmail_html_reply.eml", "onsite is confirmed for Wednesday, March 19", "does Wednesday"),
        ("outlook_html_reply.eml", "hear from us by the end of next week", "any news"),
    ],
    ids=["gmail-html", "outlook-html-under-blank-plain-part"],
)
def test_html_replies_drop_quoted_history(name: str, kept: str, dropped: str) -> None:
    message = parse_message((SAMPLES / name).read_bytes(), frozenset(), None)
    assert kept in message.new_text
    assert dropped not in message.new_text
    assert dropped in message.text
    assert "Priya" not in message.new_text


def test_forward_with_long_note_keeps_only_the_note() -> None:
    note = "Dear Sam, " + "this is what I was telling you about over lunch. " * 6
    text = f"{note}\n\n---------- Forwarded message ---------\nFrom: Dana\nDate: Mon\n\nOffer."
    assert extract_new_text(text) == note.strip()


@pytest.mark.parametrize(
    "text",
    [
        "Hi\n\nOn "
        + "a b " * 50_000,  # backtracks quadratically in the reply parser's header regex
        "Hi\n" + "Thanks, we would like to talk with you about it.\n" * 4000,
        ("On " + "a b " * 124 + "\n") * 2000,
    ],
    ids=["one-long-on-line", "many-false-sign-offs", "many-on-lines"],
)
def test_hostile_text_is_handled_quickly(text: str) -> None:
    started = time.perf_counter()
    extract_new_text(text)
    assert time.perf_counter() - started < 5  # unbounded, these take minutes
