"""Detector speed on one core: analyze() over 5,000 emails beside a tokenizer-only pass.

Run: ``.venv/bin/python benchmarks/detect.py [N]``. Prints messages/s, the ratio to
spaCy's tokenizer alone on the same texts, the pipeline's load time and peak RSS.
Targets: >= 1,000 msg/s, within 8x of tokenizer-only, load <= 1 s, RSS <= 300 MB.
"""

from __future__ import annotations

import os
import resource
import sys
import time


def main(count: int = 5000) -> int:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import spacy

    import nlp
    from nlp.pipeline import compose_text
    from watcher.corpus import CORPUS_DIR, load_corpus

    emails = [e.email for e in load_corpus(CORPUS_DIR, "all")]
    batch = [emails[i % len(emails)] for i in range(count)]
    started = time.perf_counter()
    pipeline = nlp.load()
    load_s = time.perf_counter() - started

    tokenizer = spacy.blank("en").tokenizer
    texts = [compose_text(e)[0] for e in batch]
    started = time.perf_counter()
    for text in texts:
        tokenizer(text)
    tokenizer_s = time.perf_counter() - started

    list(nlp.analyze_many(batch[:200], pipeline))  # warm up
    started = time.perf_counter()
    detections = list(nlp.analyze_many(batch, pipeline))
    analyze_s = time.perf_counter() - started
    assert len(detections) == count

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = count / analyze_s
    tokenizer_rate = count / tokenizer_s
    print(f"emails: {count} (from {len(emails)} corpus messages)")
    print(f"pipeline load: {load_s:.2f} s (target <= 1 s)")
    print(f"tokenizer only: {tokenizer_rate:,.0f} msg/s")
    print(f"analyze: {rate:,.0f} msg/s (target >= 1,000)")
    print(f"ratio tokenizer/analyze: {tokenizer_rate / rate:.1f}x (target <= 8x)")
    print(f"peak RSS: {rss_mb:.0f} MB (target <= 300 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
