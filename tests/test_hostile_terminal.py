"""printable(): what a terminal is shown of text from mail; nothing in it drives the terminal."""

from __future__ import annotations

import logging
import re

import pytest

from watcher.terminal import PrintableFormatter, printable

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme \x1b]0;pwned\x07Corp", "Acme Corp"),
        ("Acme \x1b]52;c;ZWNobyBwd25lZA==\x1b\\Corp", "Acme Corp"),
        ("\x1b[2J\x1b[31mred\x1b[0m", "red"),
        ("\x9b31mred\x9d0;title\x9c!", "red!"),
        ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),
        ("bell\x07 back\x08space", "bell backspace"),
        ("a\tb\nc", "a\tb\nc"),
        ("line\r\nnext\rover", "line\nnext\nover"),
        ("rtl \u202eevil\u202c end", "rtl evil end"),
        ("Zoë Ünal — 面接", "Zoë Ünal — 面接"),
        ("\x1b]0;never terminated", ""),
        ("trailing escape \x1b", "trailing escape "),
    ],
    ids=[
        "osc0-bel",
        "osc52-st",
        "csi",
        "c1-forms",
        "dcs",
        "c0",
        "tab-newline",
        "cr",
        "bidi-override",
        "unicode-kept",
        "unterminated-osc",
        "lone-esc",
    ],
)
def test_printable(text: str, expected: str) -> None:
    assert printable(text) == expected


def test_one_line_turns_line_breaks_into_spaces() -> None:
    assert printable("Subject\r\nBcc: x\ty", one_line=True) == "Subject Bcc: x y"


def test_printable_is_linear_on_a_flood_of_escapes() -> None:
    flood = "\x1b[" + "1;" * 200_000 + "\x1b]" + "x" * 200_000
    assert not CONTROLS.search(printable(flood))


def test_log_lines_from_mail_carry_no_controls() -> None:
    record = logging.LogRecord(
        "watcher", logging.WARNING, __file__, 1, "subject %s", ("a\x1b]0;t\x07\nforged",), None
    )
    line = PrintableFormatter("%(levelname)s %(message)s").format(record)
    assert line == "WARNING subject a forged"
