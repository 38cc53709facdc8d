"""Generated hostile messages: each is what one attacker-controlled mail can hold."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime

RECENT = datetime(2026, 3, 8, 15, 0, tzinfo=UTC)  # two days before the tests' "now"

ESCAPES = "\x1b]0;pwned\x07\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[31m\x9b1m\x07"
INVITE = (
    "Hi Sam,\n\nThank you for applying to the Data Analyst role. We would like to invite you "
    "to an interview. Are you available on Thursday at 10am?\n\nBest,\nDana\n"
)


def _mail(
    tag: str,
    *,
    sender: str = "Dana Reyes <dana@northwind.example>",
    subject: str = "Interview invitation: Data Analyst",
    body: str = INVITE,
    content_type: str = "text/plain; charset=utf-8",
    extra: str = "",
) -> bytes:
    head = (
        f"From: {sender}\r\nTo: Sam <sam@example.org>\r\nSubject: {subject}\r\n"
        f"Date: {format_datetime(RECENT)}\r\nMessage-ID: <{tag}@hostile.example>\r\n"
        f"MIME-Version: 1.0\r\n{extra}Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode("utf-8") + body.replace("\n", "\r\n").encode("utf-8")


def good(number: int) -> bytes:
    """Ordinary recruiter mail, one company per number."""
    return _mail(
        f"good-{number}",
        sender=f"Lee Park <lee@company{number}.example>",
        subject=f"Your application to Company{number}",
        body=f"Hi Sam,\n\nThanks for applying to Company{number}. We will get back to you "
        "within two weeks.\n\nRegards,\nLee\n",
    )


def many_parts(parts: int = 1500, attachment: int = 300_000) -> bytes:
    """Thousands of tiny text parts and a big attachment: too big to fetch whole."""
    boundary = "hostile-many"
    chunks = [f"--{boundary}\r\nContent-Type: text/plain\r\n\r\npart {n}\r\n" for n in range(parts)]
    blob = base64.encodebytes(b"\x00" * attachment).decode().replace("\n", "\r\n")
    chunks.append(
        f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
        f'Content-Disposition: attachment; filename="a.bin"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{blob}"
    )
    body = "".join(chunks) + f"--{boundary}--\r\n"
    return _mail("many-parts", body=body, content_type=f'multipart/mixed; boundary="{boundary}"')


def tiny_parts(parts: int = 100_000) -> bytes:
    """A hundred thousand one-letter parts: MIME parsers pay per part."""
    body = f"--T\r\nContent-Type: text/plain\r\n\r\n{INVITE}\r\n" + "--T\r\n\r\nx\r\n" * parts
    return _mail(
        "tiny-parts", body=body + "--T--\r\n", content_type='multipart/mixed; boundary="T"'
    )


def deep_nesting(depth: int = 120) -> bytes:
    """MIME nested deeper than any client shows."""
    opening = "".join(
        f'--b{n}\r\nContent-Type: multipart/mixed; boundary="b{n + 1}"\r\n\r\n'
        for n in range(depth)
    )
    closing = "".join(f"--b{n}--\r\n" for n in reversed(range(depth)))
    body = f"{opening}--b{depth}\r\nContent-Type: text/plain\r\n\r\n{INVITE}\r\n--b{depth}--\r\n"
    return _mail("deep", body=body + closing, content_type='multipart/mixed; boundary="b0"')


def huge_subject() -> bytes:
    return _mail("huge-subject", subject="Interview " * 200_000)


def crlf_subject() -> bytes:
    """An encoded-word subject that decodes to CR/LF and a forged header."""
    encoded = Header("Interview\r\nBcc: victim@evil.example\r\nX: y", "utf-8").encode()
    return _mail("crlf-subject", subject=encoded, sender="Kim Lowe <kim@crlf.example>")


def comma_display_name() -> bytes:
    """A quoted display name carrying a second address."""
    return _mail(
        "comma-name",
        sender='"Acme Recruiting <attacker@evil.example>, Acme" <careers@acme.example>',
    )


def escapes_in_name_and_subject() -> bytes:
    """OSC 0 (window title), OSC 52 (clipboard), CSI: raw in the name, encoded in the subject."""
    subject = Header(f"Interview {ESCAPES}at Globex", "utf-8").encode()
    return _mail(
        "escapes",
        sender=f'"Eve {ESCAPES}Recruiter" <eve@globex.example>',
        subject=subject,
        body=INVITE.replace("Hi Sam", f"Hi Sam {ESCAPES}"),
    )


def repeated_word_subject() -> bytes:
    return _mail(
        "repeated-words",
        sender="Talent <jobs@acmecorpglobalholdings.example>",
        subject=" ".join(["Acme", "Corp", "Ac"] * 7000)[:20_000],
    )


def repeated_word_body() -> bytes:
    words = " ".join(["Acme", "Corp", "Ac"] * 7000)[:20_000]
    return _mail(
        "repeated-word-body",
        sender="Talent <jobs@acmecorpglobalholdings.example>",
        body=f"{words}\n\n{INVITE}",
    )


def long_on_line() -> bytes:
    """One 200 KB line that starts like an attribution ("On ... wrote:")."""
    return _mail("long-on-line", body="Hi\n\nOn " + "a b " * 50_000 + "\n")


def html_tag_flood() -> bytes:
    """HTML-only mail of 200,000 tiny elements (and unclosed "<"s) under a Gmail quote."""
    flood = '<div class="gmail_quote">' + "<p>a" * 200_000 + "<" * 100_000
    return _mail(
        "html-flood",
        content_type="text/html; charset=utf-8",
        body=f"<html><body><div>{INVITE}</div>{flood}</body></html>",
    )


def header_floods() -> bytes:
    """50,000 To addresses, a 60,000-encoded-word second Subject, a part whose filename is
    30,000 encoded words and whose Content-Type has 50,000 parameters."""
    recipients = ", ".join(f"u{n}@example.org" for n in range(50_000))
    words = " ".join(["=?utf-8?q?abc?="] * 30_000)
    params = "; ".join(f"p{n}=v" for n in range(50_000))
    body = (
        f"--F\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{INVITE}\r\n"
        f"--F\r\nContent-Type: application/pdf; {params}\r\n"
        f'Content-Disposition: attachment; filename="{words}"\r\n\r\nJVBERi0=\r\n--F--\r\n'
    )
    return _mail(
        "header-floods",
        content_type='multipart/mixed; boundary="F"',
        extra=f"Cc: {recipients}\r\nSubject: {words} {words}\r\n",
        body=body,
    )


def letter_run() -> bytes:
    return _mail("letter-run", subject="A" * 20_000, body="A" * 20_000 + " Recruiting team\n")


def affix_runs() -> bytes:
    """Runs of quotes, brackets and emoji without a space: one token to split, char by char."""
    return _mail("affix-runs", body=INVITE + "'" * 3000 + "\n" + "(" * 3000 + "😀" * 3000)


def promise_flood() -> bytes:
    """Eight thousand characters of date promises: each one a date to normalise."""
    return _mail("promise-flood", body="We will get back to you by Friday, " * 250)


def schrieb_lines() -> bytes:
    line = "Am " + "schrieb " * 124 + "\n"
    return _mail("schrieb", body="Hallo\n\n" + line * 128)


def bad_charsets() -> bytes:
    """An unknown charset over bytes that are no valid text in any."""
    raw = _mail(
        "bad-charset",
        content_type="text/plain; charset=x-no-such-charset",
        body="Interview BAD on Thursday at 10am?\n",
        extra="Content-Transfer-Encoding: 8bit\r\n",
    )
    return raw.replace(b"BAD", b"\xff\xfe\xc3\x28\x00")


HOSTILE: dict[str, Callable[[], bytes]] = {
    "many-parts": many_parts,
    "tiny-parts": tiny_parts,
    "deep-nesting": deep_nesting,
    "huge-subject": huge_subject,
    "crlf-subject": crlf_subject,
    "comma-display-name": comma_display_name,
    "escapes": escapes_in_name_and_subject,
    "repeated-word-subject": repeated_word_subject,
    "repeated-word-body": repeated_word_body,
    "long-on-line": long_on_line,
    "html-tag-flood": html_tag_flood,
    "header-floods": header_floods,
    "letter-run": letter_run,
    "schrieb-lines": schrieb_lines,
    "affix-runs": affix_runs,
    "promise-flood": promise_flood,
    "bad-charset": bad_charsets,
}
