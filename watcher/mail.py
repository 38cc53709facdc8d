"""Pure mail parsing: raw RFC 5322 bytes -> Message, with the new text split from quotes."""

from __future__ import annotations

import codecs
import email.errors
import email.header
import email.utils
import hashlib
import html as html_lib
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import html_text
import mailparser
from mailparser.utils import get_addresses

from nlp.types import Email
from watcher.domain import Address, Direction, Message
from watcher.errors import MessageParseError
from watcher.quotes import html_without_history, split_reply
from watcher.raw_bounds import bounded_for_parser
from watcher.terminal import printable

__all__ = [
    "KEPT_HEADERS",
    "MAX_HEADER_CHARS",
    "MAX_NAME_CHARS",
    "MAX_SUBJECT_CHARS",
    "MAX_TEXT_CHARS",
    "extract_new_text",
    "message_key",
    "parse_message",
    "raw_key",
    "to_nlp_email",
]

# Bodies past this are tails of logs or pasted documents: nothing the detector needs.
MAX_TEXT_CHARS = 200_000
MAX_ID_CHARS = 998  # RFC 5322 line length: longer "ids" are garbage
# Header values are bounded at storage: a 2 MB subject is an attack, and everything that
# shows or drafts it (tables, `why`, a draft's folded Subject) would grow with it.
MAX_SUBJECT_CHARS = 500
MAX_NAME_CHARS = 200
MAX_HEADER_CHARS = 1000
MAX_ADDRESSES = 100  # of To and Cc together: more is a mailing list or an attack
# The nearest ancestors (the last ids) are the ones threading needs; a draft's References
# repeats them, so they stay within a few KB.
MAX_REFERENCES = 20
MAX_REFERENCE_CHARS = 250  # a real Message-ID is far shorter
CUT_MARK = " [...]"
MAX_HTML_TAGS = 10_000
_CONTROL_BYTE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAG = re.compile(r"<[^<>]*>")
KEPT_HEADERS = (
    "auto-submitted",
    "x-autoreply",
    "x-autorespond",
    "precedence",
    "list-unsubscribe",
    "list-id",
    "x-followup-digest",
    "x-followup-draft",
    "content-type",
)
# Never dropped for their number: the fields this module reads.
_READ_FIELDS = frozenset(
    name.encode()
    for name in (*KEPT_HEADERS, "from", "to", "cc", "subject", "date", "message-id",
                 "in-reply-to", "references", "mime-version", "content-transfer-encoding")
)  # fmt: skip
_IDENTITY_HEADERS = ("from", "to", "subject", "date", "message-id")
# A Date before this is a zeroed or garbled clock, not a real message.
_EARLIEST_PLAUSIBLE = datetime(1980, 1, 1, tzinfo=UTC)
# A Date this far past the server's arrival time is a sender clock that is wrong.
_FUTURE_SLACK = timedelta(days=2)
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")


def parse_message(
    raw: bytes, own_addresses: frozenset[str], fallback_date: datetime | None
) -> Message:
    """Parse one message; bad mail raises MessageParseError with a short reason, nothing else.

    ``fallback_date`` is the server's arrival time (IMAP INTERNALDATE, Maildir
    delivery time): it stands in for a missing, garbled or far-future Date header.
    """
    if not raw or not raw.strip():
        raise MessageParseError("empty message")
    try:
        parsed = mailparser.parse_from_bytes(bounded_for_parser(raw, _READ_FIELDS))
    except Exception as exc:  # the library's errors, and the stdlib's beneath it
        raise MessageParseError(f"unparseable MIME: {type(exc).__name__}") from exc
    try:
        return _build(raw, parsed, own_addresses, fallback_date)
    except MessageParseError:
        raise
    except Exception as exc:  # hostile mail reaches corners of email/mailparser we cannot list
        raise MessageParseError(f"unparseable message: {type(exc).__name__}: {exc}"[:200]) from exc


def _build(
    raw: bytes, parsed: Any, own_addresses: frozenset[str], fallback_date: datetime | None
) -> Message:
    msg = parsed.message
    if msg is None or not any(msg.get(name) is not None for name in _IDENTITY_HEADERS):
        raise MessageParseError("no mail headers found (From, To, Subject, Date, Message-ID)")
    sender = _first(_addresses(_address_pairs(parsed, msg, "from")))
    recipients = (
        tuple(_addresses(_address_pairs(parsed, msg, "to")))
        + tuple(_addresses(_address_pairs(parsed, msg, "cc")))
    )[:MAX_ADDRESSES]
    subject = bounded(_header_value(_one_header(parsed.subject)), MAX_SUBJECT_CHARS)
    text, html = _body_text(parsed)
    sent_at = _sent_at(_raw_header(msg, "date"), fallback_date)
    message_id = _first_id(_raw_header(msg, "message-id")) or _synthetic_id(raw, msg)
    in_reply_to = _first_id(_raw_header(msg, "in-reply-to")) or None
    ancestors = [
        i for i in _all_ids(_raw_header(msg, "references")) if len(i) <= MAX_REFERENCE_CHARS
    ]
    references = tuple(ancestors[-MAX_REFERENCES:])
    headers = _kept_headers(parsed)
    own = {a.lower() for a in own_addresses}
    direction = (
        Direction.OUTBOUND if sender is not None and sender.email in own else Direction.INBOUND
    )
    return Message(
        message_id=message_id,
        subject=subject,
        sender=sender,
        recipients=recipients,
        sent_at=sent_at,
        text=text,
        new_text=_new_text(text, html),
        direction=direction,
        in_reply_to=in_reply_to,
        references=references,
        headers=headers,
        bulk=_is_bulk(headers),
    )


def message_key(message_id: str) -> str:
    """The dedup key of a message id: sha256 hex of the id without brackets, lower-cased."""
    normalised = message_id.strip().strip("<>").strip().lower()
    return hashlib.sha256(normalised.encode("utf-8", "replace")).hexdigest()


def raw_key(raw: bytes) -> str:
    """The dedup key of mail that could not be parsed: sha256 hex of its bytes (LF line ends)."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest()


def to_nlp_email(message: Message) -> Email:
    """What the detector reads of a message."""
    return Email(
        subject=message.subject,
        text=message.new_text,
        sent_at=message.sent_at,
        sender_name=message.sender.name if message.sender else "",
        sender_email=message.sender.email if message.sender else "",
        full_text=message.text,
        headers=dict(message.headers),
    )


# --- headers -------------------------------------------------------------------------


def bounded(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters, the head kept and the cut marked."""
    if len(value) <= limit:
        return value
    return value[: limit - len(CUT_MARK)].rstrip() + CUT_MARK


def _one_line(value: str) -> str:
    """Folded and encoded-word CR/LF, tabs and runs of blanks as one space."""
    return " ".join(value.split())


def _clean(value: str) -> str:
    """Text safe for any database and terminal: no NULs, no lone surrogates."""
    value = value.replace("\x00", "")
    return value.encode("utf-8", "replace").decode("utf-8")


def _one_header(value: Any) -> str:
    # mailparser gives a list when a header repeats; the first one is what clients show.
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _raw_header(msg: Any, name: str) -> str:
    value = msg.get(name)
    return "" if value is None else _clean(str(value)).strip()


def _header_value(value: str) -> str:
    """One line without controls or escape sequences: what a header from mail may hold."""
    return _one_line(printable(_clean(value), one_line=True))


def _address_pairs(parsed: Any, msg: Any, name: str) -> list[Any]:
    """(name, address) pairs of the first ``name`` header. A raw control byte or escape
    sequence in it (``Evil\\x1b[31m Recruiter <jane@x>``) makes the parser drop the
    address, so such a value is parsed again with them taken out."""
    value = msg.get(name)
    if isinstance(value, str) and _CONTROL_BYTE.search(value):
        return list(get_addresses(printable(value, one_line=True), decode_names=True))
    pairs = list(getattr(parsed, name if name != "from" else "from_") or ())
    if isinstance(value, str) and value.strip() and not any("@" in str(p[-1]) for p in pairs):
        # An encoded word decoding to controls (=?utf-8?q?Evil=1B[31m?=): the parser drops
        # the whole mailbox; the plain parser keeps the address and the name is cleaned.
        return [(_decoded(n), a) for n, a in email.utils.getaddresses([value])]
    return pairs


def _decoded(name: str) -> str:
    try:
        return str(email.header.make_header(email.header.decode_header(name)))
    except (LookupError, UnicodeError, ValueError, email.errors.HeaderParseError):
        return name


def _addresses(pairs: Iterable[Any]) -> list[Address]:
    found: list[Address] = []
    for pair in pairs or ():
        name, addr = (pair[0], pair[1]) if len(pair) == 2 else ("", "")
        addr = _header_value(str(addr)).strip().lower()
        if "@" not in addr:
            continue
        name = bounded(_header_value(str(name or "")), MAX_NAME_CHARS)
        found.append(Address(name=name, email=addr[:MAX_NAME_CHARS]))
    return found


def _first(addresses: list[Address]) -> Address | None:
    return addresses[0] if addresses else None


def _first_id(value: str) -> str:
    ids = _all_ids(value)
    return ids[0] if ids else ""


def _all_ids(value: str) -> list[str]:
    """Message ids as found, without angle brackets; bare ids when nobody used brackets."""
    ids = _ANGLE_ID.findall(value)
    if not ids:
        ids = [token.strip("<>") for token in value.split()]
    return [i for i in ids if i and len(i) <= MAX_ID_CHARS]


def _synthetic_id(raw: bytes, msg: Any) -> str:
    """A stable id for mail without Message-ID: the same bytes give the same id."""
    digest = hashlib.sha256()
    for name in ("date", "from", "to", "subject"):
        digest.update(_raw_header(msg, name).encode("utf-8", "replace") + b"\x00")
    digest.update(_raw_body(raw)[:1024])
    return f"synthetic-{digest.hexdigest()}@followup.invalid"


def _raw_body(raw: bytes) -> bytes:
    normalised = raw.replace(b"\r\n", b"\n")
    _, sep, body = normalised.partition(b"\n\n")
    return body if sep else b""


def _kept_headers(parsed: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name in KEPT_HEADERS:
        # mailparser resolves unknown attribute names to decoded headers ("-" spelled "_").
        value = _clean(_one_header(getattr(parsed, name.replace("-", "_"))))[:MAX_HEADER_CHARS]
        if value:
            headers[name] = value
    return headers


def _is_bulk(headers: dict[str, str]) -> bool:
    precedence = headers.get("precedence", "").strip().lower()
    return "list-unsubscribe" in headers or precedence in {"bulk", "list", "junk"}


def _sent_at(date_header: str, fallback: datetime | None) -> datetime:
    """The Date header as an aware datetime (its own offset kept), else ``fallback``."""
    if fallback is not None and fallback.tzinfo is None:
        fallback = fallback.replace(tzinfo=UTC)  # INTERNALDATE without zone: servers mean UTC
    sent = _parse_date(date_header)
    if sent is not None and sent < _EARLIEST_PLAUSIBLE:
        sent = None
    if sent is not None and fallback is not None and sent > fallback + _FUTURE_SLACK:
        sent = None
    if sent is not None:
        return sent
    if fallback is not None:
        return fallback
    reason = "no Date header" if not date_header else f"unreadable Date header {date_header!r}"
    raise MessageParseError(reason[:200] + " and no arrival time")


def _parse_date(value: str) -> datetime | None:
    if not value:
        return None
    parsed: datetime | None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = _iso_date(value)
    if parsed is None:
        return None
    # "-0000" means "zone unknown" (RFC 5322 3.3): UTC is the honest reading.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iso_date(value: str) -> datetime | None:
    """Some scripts write ISO 8601 instead of RFC 5322; only a value with an offset is kept."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" +", "+").replace(" -", "-"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# --- body ----------------------------------------------------------------------------


def _body_text(parsed: Any) -> tuple[str, str | None]:
    """The body as text, and the HTML it was made from when there was no plain text."""
    plain = "\n\n".join(p for p in parsed.text_plain if p.strip())
    if plain.strip():
        return _clean(plain[:MAX_TEXT_CHARS]), None
    htmls = [h for h in parsed.text_html if h.strip()]
    if htmls:
        html = "\n".join(htmls)[: MAX_TEXT_CHARS * 4]
        return _clean(_html_to_text(html)[:MAX_TEXT_CHARS]), html
    return _clean(_other_text_parts(parsed.message)[:MAX_TEXT_CHARS]), None


def _new_text(text: str, html: str | None) -> str:
    """What this message added; for HTML mail, above the client's own quote markup."""
    if html is not None and not _too_many_tags(html):
        above = html_without_history(html)
        if above is not None and above.strip():
            return extract_new_text(_clean(above[:MAX_TEXT_CHARS]))
    return extract_new_text(text)


def _other_text_parts(msg: Any) -> str:
    """Inline text/* parts other than plain and HTML: a bare text/calendar invitation."""
    found: list[str] = []
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.get_filename():
            continue
        if part.get_content_subtype() in {"plain", "html"}:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and payload.strip():
            found.append(payload[: MAX_TEXT_CHARS * 2].decode(_charset(part), "replace"))
    return "\n\n".join(found)


def _charset(part: Any) -> str:
    charset = str(part.get_content_charset() or "utf-8")
    try:
        codecs.lookup(charset)
    except LookupError:
        return "utf-8"
    return charset


def _html_to_text(html: str) -> str:
    if _too_many_tags(html):
        return _stripped_tags(html)
    try:
        return str(html_text.extract_text(html, guess_layout=True))
    except Exception:  # lxml rejects some malformed documents: keep the words at least
        return _stripped_tags(html)


def _too_many_tags(html: str) -> bool:
    """Past this, laying the HTML out as text costs seconds (about 20 us a tag): such mail
    is an attack or a bulk mailing, and its words are enough."""
    return html.count("<") > MAX_HTML_TAGS


def _stripped_tags(html: str) -> str:
    # [^<>]: a "<" that is never closed ends the try there, so the scan stays linear
    return html_lib.unescape(_TAG.sub(" ", html))


def extract_new_text(text: str) -> str:
    """What the sender wrote in this message: no quoted history, no signature.

    A forward whose own note is short yields the note and the forwarded message,
    since what was forwarded is what the forwarder meant to pass on.
    """
    if not text.strip():
        return ""
    return split_reply(text)
