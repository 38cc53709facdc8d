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
    """A small ASCII text message with a unique Message-ID (``<msg-n@test.example>``).

    Formatted by hand: thousands of these seed a mailbox, and the email package is slow.
    """
    fields = {
        "From": sender,
        "To": to,
        "Subject": subject or f"Message {number}",
        "Message-ID": message_id or f"<msg-{number}@test.example>",
        **({"Date": format_datetime(date)} if date is not None else {}),
        **(headers or {}),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=us-ascii",
    }
    text = body or f"Hello, this is message number {number}.\n"
    head = "".join(f"{name}: {value}\r\n" for name, value in fields.items())
    return (head + "\r\n" + text.replace("\r\n", "\n").replace("\n", "\r\n")).encode("ascii")


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
