"""MaildirSource: the MailSource contract over real Maildir trees, and Maildir-specific cases."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.sources_contract import (
    DAY0,
    Deliver,
    MailSourceContract,
    MakeSource,
    MessagesByFolder,
    Sample,
    fetch_all,
    make_sample,
    samples,
)
from watcher.config import AccountSettings
from watcher.errors import MailSourceError
from watcher.sources.base import MailSource
from watcher.sources.maildir import MaildirSource, folder_role


def account(root: Path, **extra: object) -> AccountSettings:
    return AccountSettings.model_validate({"name": "local", "maildir": str(root), **extra})


def make_dirs(folder: Path) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def deliver_file(folder: Path, sample: Sample, serial: int, uid: int | None = None) -> Path:
    """Write a message the way a delivery agent names it; odd serials already read (cur/)."""
    name = f"{int(sample.delivered.timestamp())}.M{serial}P4242.host"
    if uid is not None:
        name += f",U={uid}"
    path = folder / "new" / name if serial % 2 == 0 else folder / "cur" / f"{name}:2,S"
    path.write_bytes(sample.raw)
    return path


def write_numbered(folder: Path, given: Sequence[Sample], uidvalidity: int = 1700000000) -> None:
    """An mbsync-style folder: ,U= in names and a .uidvalidity file."""
    make_dirs(folder)
    for i, sample in enumerate(given):
        deliver_file(folder, sample, i, uid=i + 1)
    (folder / ".uidvalidity").write_text(f"{uidvalidity}\n{len(given)}\n")


def tree(root: Path) -> list[tuple[str, bytes | None, int, int]]:
    """Every file and directory below root: name, bytes, mtime and mode."""
    found: list[tuple[str, bytes | None, int, int]] = []
    for path in sorted(root.rglob("*")):
        info = path.stat()
        content = path.read_bytes() if path.is_file() else None
        found.append((str(path.relative_to(root)), content, info.st_mtime_ns, info.st_mode))
    return found


class TestMaildirPlusPlusContract(MailSourceContract):
    """The classic layout: the root is INBOX, ``.Sent`` a Maildir++ child; derived UIDs."""

    @pytest.fixture
    def make_source(self, tmp_path: Path) -> MakeSource:
        def make(messages_by_folder: MessagesByFolder) -> MailSource:
            make_dirs(tmp_path / "mail")
            make_dirs(tmp_path / "mail" / ".Sent")
            make_dirs(tmp_path / "mail" / ".Trash")
            for role, given in messages_by_folder.items():
                folder = tmp_path / "mail" / ("." + role if role != "INBOX" else "")
                for i, sample in enumerate(given):
                    deliver_file(folder, sample, i)
            return MaildirSource(account(tmp_path / "mail"))

        return make

    @pytest.fixture
    def deliver(self, tmp_path: Path) -> Deliver:
        def add(source: MailSource, role: str, sample: Sample) -> None:
            folder = tmp_path / "mail" / ("." + role if role != "INBOX" else "")
            deliver_file(folder, sample, 1000)

        return add

    @pytest.fixture
    def snapshot(self, tmp_path: Path) -> Callable[[], object]:
        return lambda: tree(tmp_path)


class TestMbsyncVerbatimContract(MailSourceContract):
    """mbsync ``SubFolders Verbatim``: INBOX and ``[Gmail]/Sent Mail`` children, numbered UIDs."""

    @pytest.fixture
    def make_source(self, tmp_path: Path) -> MakeSource:
        def make(messages_by_folder: MessagesByFolder) -> MailSource:
            (tmp_path / "mail").mkdir()
            write_numbered(tmp_path / "mail" / "INBOX", messages_by_folder.get("INBOX", []))
            sent = tmp_path / "mail" / "[Gmail]" / "Sent Mail"
            write_numbered(sent, messages_by_folder.get("Sent", []))
            return MaildirSource(account(tmp_path / "mail"))

        return make

    @pytest.fixture
    def deliver(self, tmp_path: Path) -> Deliver:
        def add(source: MailSource, role: str, sample: Sample) -> None:
            folder = tmp_path / "mail" / ("INBOX" if role == "INBOX" else "[Gmail]/Sent Mail")
            marker = folder / ".uidvalidity"
            validity, last = marker.read_text().split()
            deliver_file(folder, sample, 1000, uid=int(last) + 1)
            marker.write_text(f"{validity}\n{int(last) + 1}\n")

        return add

    @pytest.fixture
    def snapshot(self, tmp_path: Path) -> Callable[[], object]:
        return lambda: tree(tmp_path)


# --- folders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent_dir", "sent_name"),
    [
        (".Sent", "Sent"),
        (".Sent Items", "Sent Items"),
        (".[Gmail].Sent Mail", "[Gmail].Sent Mail"),
        (".INBOX.Sent", "INBOX.Sent"),
        ("Sent", "Sent"),
        ("[Gmail]/Sent Mail", "[Gmail]/Sent Mail"),
        (".Gesendete Elemente", "Gesendete Elemente"),
    ],
)
def test_auto_folders_find_the_sent_folder(tmp_path: Path, sent_dir: str, sent_name: str) -> None:
    make_dirs(tmp_path)
    make_dirs(tmp_path / sent_dir)
    make_dirs(tmp_path / ".Drafts")
    make_dirs(tmp_path / "Archive")
    (tmp_path / ".notmuch" / "xapian").mkdir(parents=True)  # tool state, not a folder
    folders = MaildirSource(account(tmp_path)).folders()
    assert [(f.name, f.role) for f in folders] == [("INBOX", "inbox"), (sent_name, "sent")]


def test_auto_folders_without_sent_folder_list_inbox_only(tmp_path: Path) -> None:
    make_dirs(tmp_path)
    make_dirs(tmp_path / ".Archive")
    assert [f.name for f in MaildirSource(account(tmp_path)).folders()] == ["INBOX"]


def test_configured_folders_match_names_loosely(tmp_path: Path) -> None:
    make_dirs(tmp_path)
    make_dirs(tmp_path / ".Sent Items")
    make_dirs(tmp_path / ".Archive.2024")
    source = MaildirSource(account(tmp_path, folders=["inbox", "sent items", "Archive/2024"]))
    assert [(f.name, f.role) for f in source.folders()] == [
        ("INBOX", "inbox"),
        ("Sent Items", "sent"),
        ("Archive.2024", "other"),
    ]


def test_configured_folder_that_does_not_exist_names_the_available_ones(tmp_path: Path) -> None:
    make_dirs(tmp_path)
    make_dirs(tmp_path / ".Sent")
    source = MaildirSource(account(tmp_path, folders=["INBOX", "Outbox"]))
    with pytest.raises(MailSourceError, match=r"no such folder Outbox; available: INBOX, Sent"):
        source.folders()


@pytest.mark.parametrize("kind", ["missing", "file", "not-a-maildir"])
def test_unusable_root_is_a_mail_source_error(tmp_path: Path, kind: str) -> None:
    root = tmp_path / "mail"
    if kind == "file":
        root.write_text("x")
    elif kind == "not-a-maildir":
        (root / "stuff").mkdir(parents=True)
    with pytest.raises(MailSourceError, match="account 'local'"):
        MaildirSource(account(root)).folders()


@pytest.mark.parametrize(
    ("name", "role"),
    [("INBOX", "inbox"), ("Sent", "sent"), ("[Gmail]/Sent Mail", "sent"),
     ("INBOX.Drafts", "drafts"), ("Archive", "other")],
)  # fmt: skip
def test_folder_role(name: str, role: str) -> None:
    assert folder_role(name) == role


# --- derived UIDs ------------------------------------------------------------------------


def plain_inbox(tmp_path: Path, given: Sequence[Sample]) -> tuple[MaildirSource, list[Path]]:
    make_dirs(tmp_path)
    paths = [deliver_file(tmp_path, sample, i) for i, sample in enumerate(given)]
    return MaildirSource(account(tmp_path)), paths


def test_derived_uids_survive_deletion_flag_changes_and_reads(tmp_path: Path) -> None:
    source, paths = plain_inbox(tmp_path, samples(4))
    before = {m.raw: m.uid for m in fetch_all(source, "INBOX")}
    paths[0].unlink()  # the user deleted a message
    moved = tmp_path / "cur" / (paths[2].name + ":2,RS")  # a mail client read and answered one
    paths[2].rename(moved)
    flagged = paths[1].with_name(paths[1].name.replace(":2,S", ":2,FS"))
    paths[1].rename(flagged)
    after = {m.raw: m.uid for m in fetch_all(source, "INBOX")}
    assert after == {raw: uid for raw, uid in before.items() if raw != samples(4)[0].raw}
    assert (
        source.status("INBOX").uidvalidity
        == MaildirSource(account(tmp_path)).status("INBOX").uidvalidity
    )


def test_same_second_deliveries_get_distinct_uids_in_name_order(tmp_path: Path) -> None:
    same = [make_sample(n, DAY0) for n in range(3)]
    source, _ = plain_inbox(tmp_path, same)
    fetched = fetch_all(source, "INBOX")
    uids = [m.uid for m in fetched]
    assert uids == sorted(set(uids))
    assert len(uids) == 3
    assert [m.raw for m in fetched] == [s.raw for s in same]  # M0 < M1 < M2


def test_name_without_timestamp_uses_the_file_mtime(tmp_path: Path) -> None:
    make_dirs(tmp_path)
    odd = tmp_path / "cur" / "handmade-message:2,S"
    odd.write_bytes(make_sample(1, DAY0).raw)
    when = datetime(2025, 2, 1, 8, 0, tzinfo=UTC)
    os.utime(odd, (when.timestamp(), when.timestamp()))
    deliver_file(tmp_path, make_sample(2, DAY0), 2)
    fetched = fetch_all(MaildirSource(account(tmp_path)), "INBOX")
    assert [m.internal_date for m in fetched] == [when, DAY0]


def test_message_vanishing_between_listing_and_reading_is_skipped(tmp_path: Path) -> None:
    source, paths = plain_inbox(tmp_path, samples(3))
    batches = source.fetch_new("INBOX", 0, None, 1)
    first = next(batches)
    paths[1].unlink()
    rest = [m for batch in batches for m in batch]
    assert [m.raw for m in first + rest] == [samples(3)[0].raw, samples(3)[2].raw]


def test_large_message_is_cut_at_the_limit_with_its_full_size(tmp_path: Path) -> None:
    big = Sample(make_sample(1, DAY0).raw + b"x" * 5000, DAY0)
    make_dirs(tmp_path)
    deliver_file(tmp_path, big, 0)
    (message,) = fetch_all(MaildirSource(account(tmp_path, max_message_bytes=1024)), "INBOX")
    assert message.raw == big.raw[:1024]
    assert message.size == len(big.raw)


# --- numbered UIDs -----------------------------------------------------------------------


def test_numbered_folder_uses_file_uids_and_uidvalidity(tmp_path: Path) -> None:
    write_numbered(tmp_path, samples(3), uidvalidity=1234567)
    source = MaildirSource(account(tmp_path))
    assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 2, 3]
    assert source.status("INBOX").uidvalidity == 1234567
    assert source.status("INBOX").uidnext == 4


def test_numbered_folder_waits_for_unnumbered_files(tmp_path: Path) -> None:
    write_numbered(tmp_path, samples(2))
    deliver_file(tmp_path, make_sample(9, DAY0 + timedelta(days=1)), 8)  # procmail, not mbsync
    source = MaildirSource(account(tmp_path))
    assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 2]


def test_switching_uid_scheme_changes_uidvalidity(tmp_path: Path) -> None:
    _, paths = plain_inbox(tmp_path, samples(2))
    derived = MaildirSource(account(tmp_path)).status("INBOX").uidvalidity
    for uid, path in enumerate(paths, start=1):
        base, colon, info = path.name.partition(":")
        path.rename(path.with_name(f"{base},U={uid}{colon}{info}"))
    source = MaildirSource(account(tmp_path))
    assert source.status("INBOX").uidvalidity != derived
    assert [m.uid for m in fetch_all(source, "INBOX")] == [1, 2]


@pytest.mark.skipif(
    shutil.which("mbsync") is None and os.environ.get("CI") != "true",
    reason="mbsync (isync) is not installed (scripts/test installs it as root; CI needs it)",
)
def test_reads_a_maildir_written_by_mbsync(tmp_path: Path) -> None:
    far = make_dirs(tmp_path / "far")
    make_dirs(far / ".Sent")
    for i, sample in enumerate(samples(3)):
        deliver_file(far, sample, i)
    deliver_file(far / ".Sent", make_sample(10, DAY0), 1)
    (tmp_path / "near").mkdir()
    config = tmp_path / "mbsyncrc"
    config.write_text(
        f"MaildirStore far\nInbox {far}\nSubFolders Maildir++\n\n"
        f"MaildirStore near\nPath {tmp_path / 'near'}/\nInbox {tmp_path / 'near' / 'INBOX'}\n"
        f"SubFolders Verbatim\n\n"
        f"Channel c\nFar :far:\nNear :near:\nPatterns *\nCreate Near\nSyncState *\n"
    )
    subprocess.run(["mbsync", "-q", "-c", str(config), "-a"], check=True, timeout=60)

    source = MaildirSource(account(tmp_path / "near"))
    assert [(f.name, f.role) for f in source.folders()] == [("INBOX", "inbox"), ("Sent", "sent")]
    fetched = fetch_all(source, "INBOX")
    assert [m.uid for m in fetched] == [1, 2, 3]
    # mbsync adds an X-TUID header while copying: compare the Message-IDs.
    assert {m.raw.split(b"\r\n")[0] for m in fetched} == {
        s.raw.split(b"\r\n")[0] for s in samples(3)
    }
    validity = (tmp_path / "near" / "INBOX" / ".uidvalidity").read_text().split()[0]
    assert source.status("INBOX").uidvalidity == int(validity)
    assert [m.raw.split(b"\r\n")[0] for m in fetch_all(source, "Sent")] == [
        b"Message-ID: <contract-10@acme.example>"
    ]
