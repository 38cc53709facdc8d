"""A hard CPU budget for analysing one message: beyond it, the message is read truncated."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from spacy.language import Language

from nlp.pipeline import analyze, analyze_many
from nlp.types import Detection, Email

__all__ = [
    "MESSAGE_CPU_SECONDS",
    "TRUNCATED_CHARS",
    "BudgetExceeded",
    "analyse_within_budget",
    "cpu_budget",
]

log = logging.getLogger(__name__)

# Every step is linear and its input bounded, so a message normally takes milliseconds;
# this is the backstop for what no bound foresaw.
MESSAGE_CPU_SECONDS = 1.0
# A batch is first tried as a whole (the fast path) with this much per message.
BATCH_CPU_SECONDS_PER_MESSAGE = 0.1
BATCH_CPU_SECONDS_MIN = 2.0
# What a message over budget is read as: its head, where recruiters say what matters.
TRUNCATED_CHARS = 2000


class BudgetExceeded(BaseException):
    """The CPU budget ran out. A BaseException, so that no ``except Exception`` on the
    way (the detector guards its components with them) takes it for a failure."""


@contextlib.contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded once this process has used ``seconds`` of CPU inside.

    A virtual-time timer and its signal work in the main thread only; elsewhere the
    block runs unbounded (the service and the CLI analyse in the main thread).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise BudgetExceeded

    previous = signal.signal(signal.SIGVTALRM, expire)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, signal.SIG_DFL if previous is None else previous)


def truncated(email: Email) -> Email:
    """The message as read when its analysis ran over budget: the head of each field."""
    return dataclasses.replace(
        email,
        subject=email.subject[:200],
        text=email.text[:TRUNCATED_CHARS],
        full_text=email.full_text[:TRUNCATED_CHARS],
        sender_name=email.sender_name[:100],
    )


def analyse_within_budget(
    emails: Sequence[Email], analyzer: Language
) -> list[tuple[Detection, bool]]:
    """Detections in input order, each with whether it was made from a truncated text.

    The batch runs whole when it stays within a small budget per message; else each
    message gets MESSAGE_CPU_SECONDS, and one that needs more is read truncated.
    """
    if not emails:
        return []
    batch_budget = max(BATCH_CPU_SECONDS_MIN, BATCH_CPU_SECONDS_PER_MESSAGE * len(emails))
    try:
        with cpu_budget(batch_budget):
            return [(d, False) for d in analyze_many(emails, analyzer)]
    except BudgetExceeded:
        log.info("a batch of %d messages ran over budget: analysing one by one", len(emails))
    results: list[tuple[Detection, bool]] = []
    for email in emails:
        detection: Detection | None = None
        try:
            with cpu_budget(MESSAGE_CPU_SECONDS):
                detection = analyze(email, analyzer)
        except BudgetExceeded:
            pass  # also when it fired just after the detection was made: use that one
        if detection is not None:
            results.append((detection, False))
        else:
            log.warning(
                "analysing a message from %s took over %.0f s of CPU: read its first %d "
                "characters only",
                email.sender_email[:100],
                MESSAGE_CPU_SECONDS,
                TRUNCATED_CHARS,
            )
            results.append((analyze(truncated(email), analyzer), True))
    return results
