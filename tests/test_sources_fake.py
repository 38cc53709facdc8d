"""InMemorySource: the MailSource contract, and the controls tests use it for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from tests.sources_contract import (
    Deliver,
    MailSourceContract,
    MakeSource,
    MessagesByFolder,
    Sample,
    fetch_all,
    samples,
)
from watcher.errors import ConnectionLostError, MailSourceError
from watcher.sources.base import MailSource
from watcher.sources.fake import InMemorySource


def _fill(messages_by_folder: MessagesByFolder) -> InMemorySource:
    source = InMemorySource(sent_folder="Sent Items")
    for role, given in messages_by_folder.items():
        folder = "INBOX" if role == "INBOX" else "Sent Items"
        for sample in given:
            source.add(folder, sample.raw, sample.delivered)
    return source


class TestInMemoryContract(MailSourceContract):
    @pytest.fixture
    def made(self) -> list[InMemorySource]:
        return []

    @pytest.fixture
    def make_source(self, made: list[InMemorySource]) -> MakeSource:
        def make(messages_by_folder: MessagesByFolder) -> MailSource:
            made.append(_fill(messages_by_folder))
            return made[-1]

        return make

    @pytest.fixture
    def deliver(self) -> Deliver:
        def add(source: MailSource, role: str, sample: Sample) -> None:
            assert isinstance(source, InMemorySource)
            source.add("INBOX" if role == "INBOX" else "Sent Items", sample.raw, sample.delivered)

        return add

    @pytest.fixture
    def snapshot(self, made: list[InMemorySource]) -> Callable[[], object]:
        def state() -> object:
            return [source.contents() for source in made]

        return state


def test_reset_uidvalidity_renumbers_from_one() -> None:
    source = _fill({"INBOX": samples(3)})
    for _ in range(2):
        source.add("INBOX", b"Subject: x\n\nx\n")
    source.expunge("INBOX", 1)
    old = source.status("INBOX")
    assert source.reset_uidvalidity("INBOX") == old.uidvalidity + 1
    new = source.status("INBOX")
    assert (new.uidvalidity, new.uidnext, new.messages) == (old.uidvalidity + 1, 5, 4)
    assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 2, 3, 4]


def test_expunged_message_is_gone_and_uids_are_not_reused() -> None:
    source = _fill({"INBOX": samples(2)})
    source.expunge("INBOX", 2)
    assert source.add("INBOX", b"Subject: y\n\ny\n") == 3
    assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 3]


def test_fail_after_fails_between_batches_once() -> None:
    source = _fill({"INBOX": samples(4)})
    source.fail_after(1, ConnectionLostError("dropped", account="fake"))
    batches = source.fetch_new("INBOX", 0, None, 2)
    assert len(next(batches)) == 2
    with pytest.raises(ConnectionLostError):
        next(batches)
    assert [m.uid for m in fetch_all(source, "INBOX", after_uid=2)] == [3, 4]


def test_closed_source_refuses_calls() -> None:
    source = _fill({})
    source.close()
    with pytest.raises(MailSourceError, match="closed"):
        source.folders()


def test_counts_what_was_fetched() -> None:
    source = _fill({"INBOX": samples(3)})
    fetch_all(source, "INBOX", after_uid=1)
    source.status("INBOX")
    assert (source.fetched_uids, source.status_calls) == ([2, 3], 1)


def test_since_keeps_messages_without_arrival_time() -> None:
    source = InMemorySource()
    source.add("INBOX", b"Subject: a\n\na\n")
    source.add("INBOX", b"Subject: b\n\nb\n", datetime(2025, 1, 1, tzinfo=UTC))
    assert [m.uid for m in fetch_all(source, "INBOX", since=date(2025, 2, 1))] == [1]
