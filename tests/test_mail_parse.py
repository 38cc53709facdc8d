"""Parsing the sample .eml files into Messages: headers, dates, bodies and new text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from nlp.types import Email
from watcher.domain import Address, Direction, Message
from watcher.errors import MessageParseError
from watcher.mail import message_key, parse_message, raw_key, to_nlp_email

SAMPLES = Path(__file__).parent / "mail_samples"
OWN = frozenset({"alex@example.org"})
ARRIVED = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def parse(name: str, fallback: datetime | None = ARRIVED) -> Message:
    return parse_message((SAMPLES / name).read_bytes(), OWN, fallback)


def test_plain_message_fields() -> None:
    message = parse("plain.eml")
    assert message.message_id == "CAF1234plain@mail.acme.example"
    assert message.sender == Address("Jane Doe", "jane.doe@acme.example")
    assert message.recipients == (
        Address("Alex Smith", "alex@example.org"),
        Address("Hiring Team", "hiring@acme.example"),
    )
    assert message.subject == "Interview next week"
    assert message.sent_at == datetime(2025, 3, 4, 15, 15, tzinfo=UTC)
    assert message.sent_at.utcoffset() == timedelta(hours=-5)
    assert message.direction is Direction.INBOUND
    assert not message.bulk
    assert message.headers["content-type"].startswith("text/plain")


def test_plain_message_new_text_drops_sign_off_and_signature_block() -> None:
    message = parse("plain.eml")
    assert "Thursday, March 13 at 2pm Eastern" in message.new_text
    assert message.new_text.endswith("Please let me know if that works.")
    assert "Senior Recruiter" in message.text
    assert "Senior Recruiter" not in message.new_text


def test_html_only_message_becomes_readable_text() -> None:
    message = parse("html_only.eml")
    assert message.subject == "Your application — Data Analyst"
    assert "received your application for the Data Analyst position" in message.text
    assert "get back to you within two weeks" in message.new_text
    for markup in ("<", "var x", "color: red", "**"):
        assert markup not in message.text
    assert message.bulk
    assert message.headers["list-unsubscribe"] == "<mailto:unsubscribe@globex.example>"


def test_alternative_prefers_the_plain_part() -> None:
    message = parse("alternative.eml")
    assert message.text == "Hi Alex, your interview is confirmed for Monday 10 March at 11:00 CET."
    assert message.sender == Address("Bob Recruiter", "bob@initech.example")


@pytest.mark.parametrize(
    ("name", "kept", "dropped"),
    [
        ("gmail_reply.eml", "get back to you by Friday next week", "taking the time"),
        ("outlook_reply.eml", "please don’t follow up", "available all of next week"),
        ("signature.eml", "take-home assignment", "Stark Industries"),
    ],
    ids=["gmail-on-wrote", "outlook-from-sent", "dash-dash-signature"],
)
def test_new_text_keeps_the_reply_and_drops_history(name: str, kept: str, dropped: str) -> None:
    message = parse(name)
    assert kept in message.new_text
    assert dropped not in message.new_text
    assert dropped in message.text


def test_reply_threading_headers() -> None:
    message = parse("gmail_reply.eml")
    assert message.in_reply_to == "sent-by-alex-1@example.org"
    assert message.references == ("orig-1@hooli.example", "sent-by-alex-1@example.org")


def test_forward_with_short_note_keeps_forwarded_message_as_content() -> None:
    message = parse("forwarded.eml")
    assert message.direction is Direction.OUTBOUND
    assert message.new_text.startswith("FYI")
    assert "delighted to offer you the position" in message.new_text
    assert "Forwarded message" not in message.new_text


@pytest.mark.parametrize(
    ("name", "text", "sender_name", "subject"),
    [
        (
            "latin1.eml",
            "votre entretien est confirmé pour lundi. À bientôt",
            "Renée Müller",
            "Entretien confirmé",
        ),
        (
            "cp1252.eml",
            "We’ll get back to you “within two weeks” – thanks",
            "Miles Dyson",
            "Feedback",
        ),
        ("unknown_charset.eml", "Still reviewing your application", "Rachael", "Status"),
    ],
    ids=["iso-8859-1", "windows-1252", "unknown-charset"],
)
def test_charsets_decode(name: str, text: str, sender_name: str, subject: str) -> None:
    message = parse(name)
    assert text in message.text
    assert message.sender is not None
    assert message.sender.name == sender_name
    assert message.subject == subject


def test_unknown_charset_keeps_utf8_and_replaces_the_rest() -> None:
    assert "café" in parse("unknown_charset.eml").text
    assert "\ufffd" in parse("unknown_charset.eml").text


def test_broken_mime_still_yields_the_readable_part() -> None:
    message = parse("broken_mime.eml")
    assert "We will be in touch" in message.text


def test_missing_date_uses_the_arrival_time() -> None:
    assert parse("no_date.eml").sent_at == ARRIVED


def test_missing_date_without_arrival_time_is_a_parse_error() -> None:
    with pytest.raises(MessageParseError, match="no Date header"):
        parse("no_date.eml", fallback=None)


def test_missing_message_id_gets_a_stable_synthetic_id() -> None:
    first = parse("no_message_id.eml")
    again = parse("no_message_id.eml")
    assert first.message_id == again.message_id
    assert first.message_id.startswith("synthetic-")
    assert first.message_id.endswith("@followup.invalid")
    other = (SAMPLES / "no_message_id.eml").read_bytes().replace(b"role?", b"job?")
    assert parse_message(other, OWN, None).message_id != first.message_id


def test_synthetic_id_ignores_line_ending_changes() -> None:
    raw = (SAMPLES / "no_message_id.eml").read_bytes()
    crlf = raw.replace(b"\n", b"\r\n")
    assert parse_message(crlf, OWN, None).message_id == parse("no_message_id.eml").message_id


def _with_date(date_header: str) -> bytes:
    return (
        f"From: a@b.example\nTo: alex@example.org\nSubject: x\nDate: {date_header}\n\nbody\n"
    ).encode()


@pytest.mark.parametrize(
    ("date_header", "fallback", "expected"),
    [
        (
            "Tue, 04 Mar 2025 10:15:00 +0530",
            None,
            datetime(2025, 3, 4, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        ),
        ("4 Mar 2025 10:15 -0000", None, datetime(2025, 3, 4, 10, 15, tzinfo=UTC)),
        (
            "Tue, 04 Mar 2025 10:15:00 +0545 (NPT)",
            None,
            datetime(2025, 3, 4, 10, 15, tzinfo=timezone(timedelta(hours=5, minutes=45))),
        ),
        ("2025-03-04T10:15:00Z", None, datetime(2025, 3, 4, 10, 15, tzinfo=UTC)),
        (
            "2025-03-04 10:15:00 +0100",
            None,
            datetime(2025, 3, 4, 10, 15, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2025-03-04 10:15:00", ARRIVED, ARRIVED),
        ("garbage, not a date", ARRIVED, ARRIVED),
        ("Thu, 01 Jan 1970 00:00:00 +0000", ARRIVED, ARRIVED),
        ("Wed, 01 Jan 2099 00:00:00 +0000", ARRIVED, ARRIVED),
        ("Wed, 01 Jan 2099 00:00:00 +0000", None, datetime(2099, 1, 1, tzinfo=UTC)),
        ("Tue, 04 Mar 2025 10:15:00 +0000", ARRIVED, datetime(2025, 3, 4, 10, 15, tzinfo=UTC)),
        (
            "Tue, 04 Mar 2025 10:15:00 +0000",
            datetime(2025, 3, 5, 9, 0),
            datetime(2025, 3, 4, 10, 15, tzinfo=UTC),
        ),
    ],
    ids=[
        "half-hour-offset",
        "unknown-zone",
        "comment-zone",
        "iso-z",
        "iso-offset",
        "iso-naive",
        "garbled",
        "epoch",
        "far-future",
        "far-future-no-arrival",
        "normal",
        "naive-arrival",
    ],
)
def test_sent_at(date_header: str, fallback: datetime | None, expected: datetime) -> None:
    sent_at = parse_message(_with_date(date_header), OWN, fallback).sent_at
    assert sent_at == expected
    assert sent_at.utcoffset() == expected.utcoffset()


def test_garbled_date_without_arrival_time_is_a_parse_error() -> None:
    with pytest.raises(MessageParseError, match="unreadable Date header"):
        parse_message(_with_date("Tuesday sometime"), OWN, None)


def test_outbound_when_sender_is_own_address_in_any_case() -> None:
    raw = _with_date("Tue, 04 Mar 2025 10:15:00 +0000").replace(b"a@b.example", b"ALEX@Example.org")
    assert parse_message(raw, OWN, None).direction is Direction.OUTBOUND


@pytest.mark.parametrize(
    ("header", "bulk"),
    [
        ("Precedence: bulk", True),
        ("Precedence: list", True),
        ("Precedence: junk", True),
        ("Precedence: first-class", False),
        ("List-Unsubscribe: <https://x.example/u>", True),
        ("List-Id: <jobs.x.example>", False),
        ("Auto-Submitted: auto-replied", False),
    ],
)
def test_bulk(header: str, bulk: bool) -> None:
    raw = f"{header}\n".encode() + _with_date("Tue, 04 Mar 2025 10:15:00 +0000")
    message = parse_message(raw, OWN, None)
    assert message.bulk is bulk
    name, _, value = header.partition(": ")
    assert message.headers[name.lower()] == value


def test_message_key_normalises_brackets_and_case() -> None:
    assert message_key("<ABC@x.example>") == message_key(" abc@x.example ")
    assert message_key("abc@x.example") != message_key("abd@x.example")
    assert len(message_key("a@b")) == 64


def test_raw_key_ignores_line_endings_only() -> None:
    assert raw_key(b"a\r\nb\r\n") == raw_key(b"a\nb\n")
    assert raw_key(b"a\nb\n") != raw_key(b"a\nc\n")


def test_to_nlp_email_carries_new_text_and_full_text() -> None:
    message = parse("gmail_reply.eml")
    converted = to_nlp_email(message)
    assert converted == Email(
        subject="Re: Thank you",
        text=message.new_text,
        sent_at=message.sent_at,
        sender_name="Gavin Hooli",
        sender_email="gavin@hooli.example",
        full_text=message.text,
        headers=dict(message.headers),
    )


def test_calendar_only_invitation_keeps_its_text() -> None:
    raw = (
        b"From: scheduler@acme.example\nTo: alex@example.org\nSubject: Invitation: Interview\n"
        b"Date: Tue, 04 Mar 2025 10:15:00 +0000\nContent-Type: text/calendar; method=REQUEST\n\n"
        b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Interview with Acme\n"
        b"DTSTART:20250310T110000Z\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    assert "SUMMARY:Interview with Acme" in parse_message(raw, OWN, None).text


@pytest.mark.parametrize(
    ("from_header", "expected"),
    [
        (b"Evil\x1b[31m Recruiter <jane@csico.com>", Address("Evil Recruiter", "jane@csico.com")),
        (b"\x1b]0;T\x07Raw\x1b[1m <raw@rawesc.com>", Address("Raw", "raw@rawesc.com")),
        (b"Bell\x07 Ringer <bell@example.com>", Address("Bell Ringer", "bell@example.com")),
        (b"=?utf-8?q?Evil=1B[31m_Bob?= <bob@example.com>", "bob@example.com"),
        (
            b'"Acme Recruiting <attacker@evil.example>, Acme" <careers@acmecomma.com>',
            Address("Acme Recruiting <attacker@evil.example>, Acme", "careers@acmecomma.com"),
        ),
    ],
    ids=["csi", "osc", "bel", "encoded-escape", "quoted-address-name"],
)
def test_control_bytes_in_a_display_name_keep_the_address(
    from_header: bytes, expected: Address | str
) -> None:
    raw = (
        b"From: " + from_header + b"\r\nTo: sam@example.net\r\n"
        b"Date: Mon, 16 Nov 2026 14:01:00 -0500\r\nSubject: Interview\r\n"
        b"Message-ID: <ctl@example.com>\r\n\r\nHello\r\n"
    )
    message = parse_message(raw, frozenset({"sam@example.net"}), None)
    assert message.sender is not None
    if isinstance(expected, str):
        assert message.sender.email == expected
    else:
        assert message.sender == expected
