"""Detector speed on one core: analyze() over 5,000 emails beside a tokenizer-only pass.

Run: ``.venv/bin/python benchmarks/detect.py [N] [--repeat R] [--mailbox]``. Prints
messages/s, the ratio to spaCy's tokenizer alone on the same texts, the pipeline's load
time and peak RSS. Targets: >= 1,000 msg/s, within 2x of tokenizer-only (issue 11; today
far from it), load <= 1 s, RSS <= 300 MB.

The emails are the labelled corpus (short mail, cycled to N), or with ``--mailbox`` the
first sync's mailbox from ``benchmarks/scale.py`` (newsletters of about 9 KB among
recruiters' mail, N distinct messages), parsed as a sync parses them.

Rates are the best of ``R`` rounds (default 3) of this process's CPU time, so that other
work on a shared machine does not count against the detector; the wall-clock rate of the
best round is printed beside it. The tokenizer and the detector take turns in each
round, so both see the same machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlp.types import Email


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def _mailbox(count: int) -> list[Email]:
    """``benchmarks/scale.py``'s generated INBOX, as the detector reads it after a sync."""
    from datetime import UTC, datetime

    from benchmarks.scale import ME, mailbox
    from watcher.mail import parse_message, to_nlp_email

    inbox, _ = mailbox(count, datetime(2026, 3, 1, tzinfo=UTC))
    return [to_nlp_email(parse_message(raw, frozenset({ME}), None)) for raw in inbox]


def main(count: int = 5000, repeat: int = 3, generated: bool = False) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import spacy

    import nlp
    from nlp.pipeline import compose_text
    from watcher.corpus import CORPUS_DIR, load_corpus

    emails = _mailbox(count) if generated else [e.email for e in load_corpus(CORPUS_DIR, "all")]
    batch = [emails[i % len(emails)] for i in range(count)]
    started = time.perf_counter()
    pipeline = nlp.load()
    load_s = time.perf_counter() - started

    tokenizer = spacy.blank("en").tokenizer
    texts = [compose_text(e)[0] for e in batch]

    def tokenize() -> None:
        for text in texts:
            tokenizer(text)

    def analyze() -> None:
        detections = list(nlp.analyze_many(batch, pipeline))
        assert len(detections) == count

    list(nlp.analyze_many(batch[:200], pipeline))  # warm up
    token_rounds = []
    analyze_rounds = []
    for _ in range(repeat):
        token_rounds.append(_timed(tokenize))
        analyze_rounds.append(_timed(analyze))
    tokenizer_cpu = min(cpu for cpu, _ in token_rounds)
    analyze_cpu, analyze_wall = min(analyze_rounds)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = count / analyze_cpu
    tokenizer_rate = count / tokenizer_cpu
    source = "generated mailbox" if generated else "corpus"
    print(f"emails: {count} (from {len(emails)} {source} messages), best of {repeat} rounds")
    print(f"pipeline load: {load_s:.2f} s (target <= 1 s)")
    print(f"tokenizer only: {tokenizer_rate:,.0f} msg/s")
    print(
        f"analyze: {rate:,.0f} msg/s CPU, {count / analyze_wall:,.0f} msg/s wall (target >= 1,000)"
    )
    print(f"ratio analyze/tokenizer time: {tokenizer_rate / rate:.1f}x (issue 11 asks <= 2x)")
    print(f"peak RSS: {rss_mb:.0f} MB (target <= 300 MB)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mailbox", action="store_true", help="scale.py's mailbox, not the corpus")
    args = parser.parse_args()
    raise SystemExit(main(args.count, args.repeat, args.mailbox))
