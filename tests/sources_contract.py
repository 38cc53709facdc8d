"""MailSourceContract: the behaviour every MailSource shares, as a test class to subclass.

Like vdirsyncer's ``StorageTests``: a subclass provides the ``make_source``
fixture (and, when it can, ``deliver`` and ``snapshot``) and inherits the tests.

    class TestMySource(MailSourceContract):
        @pytest.fixture
        def make_source(self, tmp_path): ...

``make_source(messages_by_folder)`` gets ``{"INBOX": [...], "Sent": [...]}`` (roles;
the source may call its Sent folder anything), each a list of ``Sample`` in
delivery order, and returns a source holding exactly those messages, with
arrival times equal to ``Sample.delivered``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from watcher.domain import FetchedMessage
from watcher.errors import MailSourceError
from watcher.sources.base import MailSource

__all__ = [
    "DAY0",
    "Deliver",
    "MailSourceContract",
    "MakeSource",
    "MessagesByFolder",
    "Sample",
    "fetch_all",
    "make_sample",
    "normalised",
    "samples",
]

DAY0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # noon UTC: the same date in any server zone


@dataclass(frozen=True)
class Sample:
    """One message to put in a test mailbox, and when it arrived (whole seconds, aware)."""

    raw: bytes
    delivered: datetime


MessagesByFolder = Mapping[str, Sequence[Sample]]
MakeSource = Callable[[MessagesByFolder], MailSource]
Deliver = Callable[[MailSource, str, Sample], None]


def make_sample(n: int, delivered: datetime, *, sender: str = "recruiter@acme.example") -> Sample:
    raw = (
        f"Message-ID: <contract-{n}@acme.example>\r\n"
        f"Date: {delivered.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
        f"From: {sender}\r\n"
        f"To: alex@example.org\r\n"
        f"Subject: contract message {n}\r\n"
        f"\r\n"
        f"Body of message {n}.\r\n"
    ).encode()
    return Sample(raw=raw, delivered=delivered)


def samples(
    count: int, *, first: int = 1, start: datetime = DAY0, step: timedelta = timedelta(hours=7)
) -> list[Sample]:
    return [make_sample(first + i, start + i * step) for i in range(count)]


# Bookkeeping mbox servers (GNU Mailutils, UW) keep in each message's header and serve with it.
_MBOX_FIELDS = re.compile(
    rb"^(?:X-IMAPbase|X-UID|Status|X-Status|X-Keywords):[^\n]*\n", re.MULTILINE | re.IGNORECASE
)


def normalised(raw: bytes) -> bytes:
    """Servers may turn LF into CRLF and add mbox bookkeeping fields; the contract compares
    content, not line ends."""
    return _MBOX_FIELDS.sub(b"", raw.replace(b"\r\n", b"\n"))


def fetch_all(
    source: MailSource, folder: str, after_uid: int = 0, since: date | None = None, batch: int = 100
) -> list[FetchedMessage]:
    return [m for chunk in source.fetch_new(folder, after_uid, since, batch) for m in chunk]


class MailSourceContract:
    """Tests every MailSource must pass; subclasses provide the fixtures below."""

    @pytest.fixture
    def make_source(self) -> MakeSource:
        raise NotImplementedError("a MailSourceContract subclass must provide make_source")

    @pytest.fixture
    def deliver(self) -> Deliver:
        """Deliver one message to the folder with a role ("INBOX" or "Sent") of a made source."""
        pytest.skip("this source cannot take new mail in tests")

    @pytest.fixture
    def snapshot(self) -> Callable[[], object]:
        """The mailbox as seen from outside the source (files, flags): equal before and after."""
        pytest.skip("this source has no outside view to compare")

    # --- helpers -------------------------------------------------------------------

    @staticmethod
    def names(source: MailSource) -> dict[str, str]:
        return {f.role: f.name for f in source.folders()}

    # --- the contract --------------------------------------------------------------

    def test_folders_lists_inbox_and_sent(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(1), "Sent": samples(1, first=10)})
        roles = self.names(source)
        assert roles["inbox"] == "INBOX"
        assert "sent" in roles

    def test_fetch_from_zero_yields_all_in_ascending_uid_order(
        self, make_source: MakeSource
    ) -> None:
        given = samples(5)
        source = make_source({"INBOX": given, "Sent": []})
        fetched = fetch_all(source, "INBOX")
        uids = [m.uid for m in fetched]
        assert uids == sorted(uids)
        assert len(set(uids)) == len(uids)
        assert all(uid > 0 for uid in uids)
        assert [normalised(m.raw) for m in fetched] == [normalised(s.raw) for s in given]

    def test_fetch_reports_arrival_time(self, make_source: MakeSource) -> None:
        given = samples(3)
        source = make_source({"INBOX": given, "Sent": []})
        fetched = fetch_all(source, "INBOX")
        assert [m.internal_date for m in fetched] == [s.delivered for s in given]

    def test_fetch_after_highest_uid_yields_nothing(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(3), "Sent": []})
        last = fetch_all(source, "INBOX")[-1].uid
        assert fetch_all(source, "INBOX", after_uid=last) == []
        assert fetch_all(source, "INBOX", after_uid=last + 10_000) == []

    def test_fetch_after_a_uid_yields_only_later_messages(self, make_source: MakeSource) -> None:
        given = samples(4)
        source = make_source({"INBOX": given, "Sent": []})
        second = fetch_all(source, "INBOX")[1].uid
        later = fetch_all(source, "INBOX", after_uid=second)
        assert [normalised(m.raw) for m in later] == [normalised(s.raw) for s in given[2:]]
        assert all(m.uid > second for m in later)

    @pytest.mark.parametrize(
        ("count", "batch", "sizes"), [(5, 2, [2, 2, 1]), (3, 3, [3]), (2, 1, [1, 1])]
    )
    def test_batches_respect_batch_size(
        self, make_source: MakeSource, count: int, batch: int, sizes: list[int]
    ) -> None:
        source = make_source({"INBOX": samples(count), "Sent": []})
        chunks = list(source.fetch_new("INBOX", 0, None, batch))
        assert [len(c) for c in chunks] == sizes
        assert [m.uid for c in chunks for m in c] == [m.uid for m in fetch_all(source, "INBOX")]

    def test_since_keeps_messages_delivered_on_or_after_the_day(
        self, make_source: MakeSource
    ) -> None:
        given = samples(4, step=timedelta(days=2))  # Mar 3, 5, 7, 9
        source = make_source({"INBOX": given, "Sent": []})
        kept = fetch_all(source, "INBOX", since=date(2025, 3, 5))
        assert [normalised(m.raw) for m in kept] == [normalised(s.raw) for s in given[1:]]
        assert fetch_all(source, "INBOX", since=date(2025, 3, 10)) == []

    def test_status_counts_messages_and_uidnext_is_past_the_last_uid(
        self, make_source: MakeSource
    ) -> None:
        source = make_source({"INBOX": samples(3), "Sent": samples(2, first=10)})
        roles = self.names(source)
        inbox = source.status("INBOX")
        assert inbox.messages == 3
        assert inbox.uidnext > fetch_all(source, "INBOX")[-1].uid
        assert inbox.uidvalidity > 0
        assert source.status(roles["sent"]).messages == 2

    def test_status_is_stable_while_nothing_changes(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(3), "Sent": []})
        before = source.status("INBOX")
        fetch_all(source, "INBOX")
        assert source.status("INBOX") == before

    def test_folders_are_separate(self, make_source: MakeSource) -> None:
        inbox, sent = samples(2), samples(3, first=10)
        source = make_source({"INBOX": inbox, "Sent": sent})
        fetched = fetch_all(source, self.names(source)["sent"])
        assert [normalised(m.raw) for m in fetched] == [normalised(s.raw) for s in sent]

    def test_empty_folder_yields_nothing(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(1), "Sent": []})
        sent = self.names(source)["sent"]
        assert fetch_all(source, sent) == []
        assert source.status(sent).messages == 0

    def test_unknown_folder_is_a_mail_source_error(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(1), "Sent": []})
        with pytest.raises(MailSourceError):
            source.status("No Such Folder")
        with pytest.raises(MailSourceError):
            fetch_all(source, "No Such Folder")

    def test_close_twice_is_safe(self, make_source: MakeSource) -> None:
        source = make_source({"INBOX": samples(1), "Sent": []})
        source.close()
        source.close()

    def test_new_mail_arrives_after_the_last_uid(
        self, make_source: MakeSource, deliver: Deliver
    ) -> None:
        source = make_source({"INBOX": samples(2), "Sent": []})
        last = fetch_all(source, "INBOX")[-1].uid
        later = make_sample(99, DAY0 + timedelta(days=5))
        deliver(source, "INBOX", later)
        fresh = fetch_all(source, "INBOX", after_uid=last)
        assert [normalised(m.raw) for m in fresh] == [normalised(later.raw)]
        assert source.status("INBOX").messages == 3
        assert source.status("INBOX").uidnext > fresh[0].uid

    def test_reading_changes_nothing(
        self, make_source: MakeSource, snapshot: Callable[[], object]
    ) -> None:
        source = make_source({"INBOX": samples(3), "Sent": samples(2, first=10)})
        before = snapshot()
        for folder in source.folders():
            source.status(folder.name)
            fetch_all(source, folder.name)
            fetch_all(source, folder.name, since=date(2025, 3, 4), batch=1)
        source.close()
        assert snapshot() == before
