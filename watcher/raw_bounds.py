"""Raw mail cut to what a MIME parser reads in bounded time, before it reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["MAX_FIELDS", "MAX_FIELD_BYTES", "MAX_MIME_PARTS", "bounded_for_parser"]

MAX_FIELD_BYTES = 8000  # of one header field as the parser sees it
MAX_FIELDS = 300  # other than the fields the caller reads
MAX_MIME_PARTS = 300  # boundary lines, nested ones included: real mail has a few
_MAX_SAME_FIELD = 3
_FIELD_NAME = re.compile(rb"[!-9;-~]{1,76}:")


def bounded_for_parser(raw: bytes, read_fields: frozenset[bytes]) -> bytes:
    """``raw`` with a header block a parser reads in bounded time, and a bounded body.

    mailparser decodes every field whole, some super-linearly (a 1 MB Subject of
    encoded words took 47 s, 50,000 To addresses 4 s): each field is cut to
    MAX_FIELD_BYTES, a field named more than a few times is dropped after that, and
    fields not in ``read_fields`` past MAX_FIELDS too. Received lines go: a server's
    trace, read by nothing here, whose parsing was a good part of a sync's.
    """
    ends = [e for e in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if e >= 0]
    head_end = min(ends) + 1 if ends else len(raw)
    kept: list[bytes] = []
    seen: dict[bytes, int] = {}
    for field in _header_fields(raw[:head_end]):
        name = field.split(b":", 1)[0].strip().lower()
        seen[name] = seen.get(name, 0) + 1
        if name == b"received" or seen[name] > _MAX_SAME_FIELD:
            continue
        if name not in read_fields and len(kept) >= MAX_FIELDS:
            continue
        if len(field) > MAX_FIELD_BYTES:
            field = field[:MAX_FIELD_BYTES].rstrip(b"\r\n \t") + b"\r\n"
        kept.append(field)
    return b"".join(kept) + _bounded_part_headers(raw[head_end:])


def _bounded_part_headers(body: bytes) -> bytes:
    """The body with each MIME part's header fields cut to MAX_FIELD_BYTES (a filename of
    30,000 encoded words took 2.5 s, 50,000 parameters 7 s), and cut off after
    MAX_MIME_PARTS parts (40,000 tiny parts took 2 s). A part's header is taken to be the
    "Name:" lines under a "--boundary" line, up to the blank line."""
    if b"\n--" not in body:
        return body
    out: list[bytes] = []
    in_header = False
    field_bytes = 0
    delimiters = 0
    for line in body.splitlines(keepends=True):
        if in_header:
            if not line.strip():
                in_header = False
            elif line[:1] in (b" ", b"\t"):
                field_bytes += len(line)
                if field_bytes > MAX_FIELD_BYTES:
                    continue  # the rest of an over-long field
            elif _FIELD_NAME.match(line):
                field_bytes = len(line)
                if field_bytes > MAX_FIELD_BYTES:
                    line = line[:MAX_FIELD_BYTES].rstrip(b"\r\n") + b"\r\n"
            else:
                in_header = False
        elif line.startswith(b"--"):
            in_header = True
            delimiters += 1
            if delimiters > MAX_MIME_PARTS:
                break  # the parser reads an unclosed multipart as far as it goes
        out.append(line)
    return b"".join(out)


def _header_fields(header: bytes) -> Iterator[bytes]:
    """Each field of a header block with its continuation lines."""
    field: list[bytes] = []
    for line in header.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t") and field:
            yield b"".join(field)
            field = []
        field.append(line)
    if field:
        yield b"".join(field)
