"""Hostile and broken input: parse_message gives a Message or MessageParseError, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.domain import Message
from watcher.errors import MessageParseError
from watcher.mail import MAX_TEXT_CHARS, parse_message

OWN = frozenset({"alex@example.org"})
ARRIVED = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)
HEAD = (
    b"From: a@b.example\nTo: alex@example.org\nSubject: s\nDate: Tue, 04 Mar 2025 10:15:00 +0000\n"
)


def outcome(raw: bytes) -> Message | MessageParseError:
    try:
        return parse_message(raw, OWN, ARRIVED)
    except MessageParseError as exc:
        error = exc
    assert 0 < len(str(error)) <= 300  # a short reason the status command can show
    return error


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_give_message_or_parse_error(raw: bytes) -> None:
    outcome(raw)


_header_lines = st.sampled_from(
    [
        b"From: a@b.example\n",
        b"From: =?x-unknown?q?=FF=FE?= <a@b>\n",
        b"To: , ,, <>\n",
        b"Subject: =?utf-8?b?////?=\n",
        b"Date: Mon, 31 Feb 2025 25:61:00 +9999\n",
        b"Date: \xff\xfe\n",
        b"Message-ID: <<<>>>\n",
        b'Content-Type: multipart/mixed; boundary="b"\n',
        b'Content-Type: text/plain; charset="\xff"\n',
        b"Content-Type: message/rfc822\n",
        b"Content-Transfer-Encoding: base64\n",
        b"Content-Transfer-Encoding: quoted-printable\n",
        b"MIME-Version: 1.0\n",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_header_lines, max_size=8), st.binary(max_size=2000))
def test_mail_shaped_garbage_gives_message_or_parse_error(
    headers: list[bytes], body: bytes
) -> None:
    result = outcome(b"".join(headers) + b"\n" + body + b"\n--b\n" + body + b"\n--b--\n")
    if isinstance(result, Message):
        assert "\x00" not in result.text
        result.text.encode("utf-8")  # no lone surrogates reach the database


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_html_body_gives_a_message(body: str) -> None:
    raw = HEAD + b"Content-Type: text/html; charset=utf-8\n\n" + body.encode("utf-8", "replace")
    result = outcome(raw)
    assert isinstance(result, Message)
    result.new_text.encode("utf-8")  # no lone surrogates reach the database


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \n\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"just some words\n",
        b"\n\nbody only",
    ],
    ids=["empty", "blank", "png", "words", "no-headers"],
)
def test_non_mail_is_a_parse_error(raw: bytes) -> None:
    with pytest.raises(MessageParseError):
        parse_message(raw, OWN, ARRIVED)


def test_huge_body_is_capped() -> None:
    body = b"We will get back to you.\n" + b"x" * 80 + b"\n"
    raw = HEAD + b"\n" + body * 40_000  # about 4 MB
    message = parse_message(raw, OWN, ARRIVED)
    assert len(message.text) <= MAX_TEXT_CHARS
    assert message.new_text.startswith("We will get back to you.")


def test_nested_rfc822_body_is_read() -> None:
    inner = b"From: dana@wayne.example\nSubject: Offer\n\nWe are delighted to offer you the job.\n"
    raw = (
        HEAD
        + b'Content-Type: multipart/mixed; boundary="o"\n\n--o\nContent-Type: text/plain\n\nFYI\n'
        + b"--o\nContent-Type: message/rfc822\n\n"
        + inner
        + b"--o--\n"
    )
    message = parse_message(raw, OWN, ARRIVED)
    assert "FYI" in message.text
    assert "delighted to offer you the job" in message.text


def test_deeply_nested_multipart_is_a_parse_error_or_message() -> None:
    depth = 2000
    parts = b"".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'.encode() for i in range(depth)
    )
    outcome(HEAD + parts + b"Content-Type: text/plain\n\nhi\n")


def test_nul_bytes_and_binary_body_are_cleaned() -> None:
    message = parse_message(HEAD + b"\nhello\x00 world \xff\xfe\x00\n", OWN, ARRIVED)
    assert "\x00" not in message.text
    assert "hello world" in message.text
