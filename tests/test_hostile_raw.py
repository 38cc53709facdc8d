"""Raw mail bounded before the MIME parser: what is read survives, floods do not."""

from __future__ import annotations

from watcher.raw_bounds import MAX_FIELD_BYTES, MAX_MIME_PARTS, bounded_for_parser

READ = frozenset({b"subject", b"message-id", b"from"})


def _mail(head: str, body: str = "hello\r\n") -> bytes:
    return f"{head}Content-Type: text/plain\r\n\r\n{body}".encode()


def test_ordinary_mail_is_unchanged_but_for_received_lines() -> None:
    raw = _mail("Received: from a\r\n by b\r\nFrom: d@x.y\r\nSubject: Hi\r\n", "a\r\n--\r\nb\r\n")
    assert bounded_for_parser(raw, READ) == _mail(
        "From: d@x.y\r\nSubject: Hi\r\n", "a\r\n--\r\nb\r\n"
    )


def test_a_huge_field_is_cut_and_the_fields_under_it_kept() -> None:
    raw = _mail("Subject: " + "Interview " * 200_000 + "\r\nMessage-ID: <m@x.y>\r\n")
    bounded = bounded_for_parser(raw, READ)
    assert len(bounded) < MAX_FIELD_BYTES + 200
    assert b"Message-ID: <m@x.y>\r\n" in bounded


def test_floods_of_fields_keep_the_ones_read() -> None:
    junk = "".join(f"X-Junk-{n}: v\r\n" for n in range(20_000))
    many = "".join(f"To: u{n}@x.y\r\n" for n in range(1000))
    raw = _mail(f"{junk}{many}Message-ID: <m@x.y>\r\n")
    bounded = bounded_for_parser(raw, READ)
    assert b"Message-ID: <m@x.y>" in bounded
    assert bounded.count(b"\r\nTo: ") <= 3
    assert len(bounded) < 20_000


def test_part_headers_are_cut_and_parts_counted() -> None:
    params = "; ".join(f"p{n}=v" for n in range(50_000))
    parts = (
        f"--B\r\nContent-Type: text/plain; {params}\r\n\r\nfirst\r\n" + "--B\r\n\r\nx\r\n" * 5000
    )
    raw = _mail('Content-Type: multipart/mixed; boundary="B"\r\n', parts)
    bounded = bounded_for_parser(raw, READ)
    assert b"first" in bounded
    assert bounded.count(b"\r\n--B") <= MAX_MIME_PARTS
    assert len(bounded) < MAX_FIELD_BYTES + MAX_MIME_PARTS * 20
