"""Text from mail made safe for a terminal: no control characters, no escape sequences."""

from __future__ import annotations

import logging
import re
from typing import Any

__all__ = ["PrintableFormatter", "printable"]

# Escape sequences whole (ECMA-48), so that their parameters do not show up as text:
# CSI (ESC [ or 0x9B) parameters, intermediates, final byte; OSC, DCS, SOS, PM and APC
# (ESC ] P X ^ _ or their 8-bit forms) up to their terminator (BEL or ST) or the next
# ESC; any other two-character ESC sequence. Each branch is one pass without nesting:
# linear on any input.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
# What is left: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional
# overrides and isolates that make a terminal show text in another order than it is.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_AND_LAYOUT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, *, one_line: bool = False) -> str:
    """``text`` without control characters and escape sequences, for any terminal.

    Tabs and newlines stay (a CR/LF pair becomes a newline); with ``one_line`` they
    become spaces, for places where a line break would forge a new line of output.
    """
    value = _SEQUENCE.sub("", str(text).replace("\r\n", "\n"))
    if one_line:
        return _CONTROL_AND_LAYOUT.sub(" ", value.replace("\r", ""))
    return _CONTROL.sub("", value.replace("\r", "\n"))


class PrintableFormatter(logging.Formatter):
    """A log formatter whose lines carry no control characters (subjects, names in logs)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        # one line: a value from mail cannot forge a log line of its own
        return printable(super().formatMessage(record), one_line=True)

    def formatException(self, ei: Any) -> str:
        return printable(super().formatException(ei))
