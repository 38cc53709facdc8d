"""The FETCH commands for a message too big to fetch whole stay short, whatever its structure."""

from __future__ import annotations

import pytest

from watcher.sources.imap import (
    MAX_FETCH_COMMAND_BYTES,
    MAX_TEXT_PARTS,
    _by_size,
    _command_chunks,
    _flooded,
    _within_budget,
)

LIMIT = 2_000_000


@pytest.mark.parametrize(
    "parts",
    [
        [(str(n), 10) for n in range(1, 1501)],
        [(".".join(["1"] * 19) + f".{n}", 10) for n in range(1, 300)],
        [("1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1", 10), ("2", 10)],
    ],
    ids=["1500-parts", "deep-numbers", "too-deep-to-read"],
)
def test_fetch_lines_stay_within_the_command_budget(parts: list[tuple[str, int]]) -> None:
    chosen = _within_budget(parts, LIMIT)
    assert 0 < len(chosen) <= MAX_TEXT_PARTS
    chunks = list(_command_chunks(chosen, LIMIT))
    assert sum(len(c) for c in chunks) == 2 * len(chosen)  # a MIME header and a body each
    for chunk in chunks:
        command = b"A001 UID FETCH 4294967295 (" + b" ".join(chunk) + b")"
        assert len(command) <= MAX_FETCH_COMMAND_BYTES


def test_text_parts_stop_near_the_size_limit() -> None:
    parts = [("1", 900_000), ("2", 900_000), ("3", 900_000)]
    assert _within_budget(parts, LIMIT) == ["1", "2"]
    assert _within_budget([("1", 5_000_000)], LIMIT) == ["1"]  # the first is always read


@pytest.mark.parametrize(
    ("sizes", "runs"),
    [
        ([3, 3, 3], [[1, 2, 3]]),
        ([5, 5, 5], [[1, 2], [3]]),
        ([8, 8, 8], [[1], [2], [3]]),
        ([20, 1, 1], [[1], [2, 3]]),
        ([], []),
    ],
    ids=["fits", "fills-then-next", "one-each", "oversized-alone", "none"],
)
def test_whole_message_fetches_are_split_by_size(sizes: list[int], runs: list[list[int]]) -> None:
    uids = list(range(1, len(sizes) + 1))
    assert list(_by_size(uids, dict(zip(uids, sizes, strict=True)), 10)) == runs


@pytest.mark.parametrize(
    ("head", "size", "flooded"),
    [
        (b"--B\r\n\r\nx\r\n" * 3000, 5_000_000, True),
        (b"--B\r\nContent-Type: text/plain\r\n\r\n" + b"hello\r\n" * 4000, 30_000_000, False),
        (b"", 5_000_000, False),
    ],
    ids=["tiny-parts", "text-then-attachment", "empty"],
)
def test_a_flood_of_parts_is_told_from_the_head_of_the_body(
    head: bytes, size: int, flooded: bool
) -> None:
    assert _flooded(head, size) is flooded
