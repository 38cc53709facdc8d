"""Raw test messages: small, numbered, and one with a big attachment."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime


def raw_message(
    number: int,
    *,
    sender: str = "Jane Recruiter <jane@acme.example>",
    to: str = "me@example.org",
    subject: str | None = None,
    body: str | None = None,
    date: datetime | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """A small text message with a unique Message-ID (``<n@test.example>``)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject or f"Message {number}"
    message["Message-ID"] = message_id or f"<msg-{number}@test.example>"
    if date is not None:
        message["Date"] = format_datetime(date)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body or f"Hello, this is message number {number}.\n")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


def raw_with_attachment(number: int, attachment_bytes: int, *, text: str) -> bytes:
    """A message with a text part, an HTML part and a large binary attachment."""
    message = EmailMessage()
    message["From"] = "Jane Recruiter <jane@acme.example>"
    message["To"] = "me@example.org"
    message["Subject"] = f"Offer letter {number}"
    message["Message-ID"] = f"<big-{number}@test.example>"
    message.set_content(text)
    message.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    message.add_attachment(
        b"\x89PDF" + b"A" * attachment_bytes,
        maintype="application",
        subtype="pdf",
        filename="offer.pdf",
    )
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
