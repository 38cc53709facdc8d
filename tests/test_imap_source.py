"""ImapSource against the real Dovecot: folders, STATUS, incremental fetch, TLS, errors, IDLE."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.messages import raw_message, raw_with_attachment
from tests.sources_contract import (
    Deliver,
    MailSourceContract,
    MakeSource,
    MessagesByFolder,
    Sample,
)
from watcher.config import AccountSettings
from watcher.errors import (
    AuthenticationError,
    CertificateError,
    ConnectionLostError,
    MailSourceError,
)
from watcher.mail import parse_message
from watcher.secrets import Secret
from watcher.sources.base import FolderInfo, MailSource
from watcher.sources.imap import ImapSource, choose_folders

pytestmark = pytest.mark.dovecot

MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def password(user: ImapUser) -> Any:
    return lambda: Secret("password", user.password)


@pytest.fixture
def source_for(dovecot: Dovecot) -> Iterator[Any]:
    """Factory: an ImapSource for a user (closed after the test)."""
    opened: list[ImapSource] = []

    def make(user: ImapUser, tls: str = "none", **keys: Any) -> ImapSource:
        source = ImapSource(dovecot.account_settings(user, tls=tls, **keys), password(user))
        opened.append(source)
        return source

    yield make
    for source in opened:
        source.close()


def all_fetched(
    source: ImapSource, folder: str, after: int = 0, since: date | None = None, batch: int = 100
) -> list[list[int]]:
    return [[m.uid for m in b] for b in source.fetch_new(folder, after, since, batch)]


# -- choosing folders (pure) -----------------------------------------------------------------------


def listing(*entries: tuple[str, tuple[bytes, ...]]) -> list[tuple[tuple[bytes, ...], bytes, str]]:
    return [(flags, b"/", name) for name, flags in entries]


@pytest.mark.parametrize(
    ("entries", "configured", "expected"),
    [
        (
            [("INBOX", ()), ("Sent", (b"\\Sent",)), ("Drafts", (b"\\Drafts",))],
            None,
            [FolderInfo("INBOX", "inbox"), FolderInfo("Sent", "sent")],
        ),
        (
            [("INBOX", ()), ("Sent", ()), ("Gesendet", (b"\\Sent",))],
            None,
            [FolderInfo("INBOX", "inbox"), FolderInfo("Gesendet", "sent")],
        ),
        (
            [("INBOX", ()), ("[Gmail]/All Mail", (b"\\All",)), ("[Gmail]/Sent Mail", ())],
            None,
            [FolderInfo("INBOX", "inbox"), FolderInfo("[Gmail]/Sent Mail", "sent")],
        ),
        (
            [("INBOX", ()), ("Sent Items", ()), ("Sent Messages", ())],
            None,
            [FolderInfo("INBOX", "inbox"), FolderInfo("Sent Items", "sent")],
        ),
        (
            [("INBOX", ()), ("INBOX.Sent", ())],
            None,
            [FolderInfo("INBOX", "inbox"), FolderInfo("INBOX.Sent", "sent")],
        ),
        ([("INBOX", ()), ("Archive", ())], None, [FolderInfo("INBOX", "inbox")]),
        (
            [("INBOX", ()), ("Sent", (b"\\Sent",)), ("Jobs", ())],
            ("Jobs", "Sent"),
            [FolderInfo("Jobs", "other"), FolderInfo("Sent", "sent")],
        ),
    ],
    ids=[
        "special-use",
        "special-use-beats-name",
        "gmail",
        "outlook-name",
        "courier",
        "no-sent",
        "configured",
    ],
)
def test_choose_folders(
    entries: list[tuple[str, tuple[bytes, ...]]],
    configured: tuple[str, ...] | None,
    expected: list[FolderInfo],
) -> None:
    assert choose_folders(listing(*entries), configured) == expected


# -- against Dovecot -------------------------------------------------------------------------------


def test_folders_auto_is_inbox_and_special_use_sent(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    dovecot.create_folder(imap_user, "Archive")
    assert source_for(imap_user).folders() == [
        FolderInfo("INBOX", "inbox"),
        FolderInfo("Sent", "sent"),
    ]


def test_status_reports_uidnext_uidvalidity_messages_modseq(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    dovecot.append_many(imap_user, "INBOX", [raw_message(n) for n in range(3)])
    status = source_for(imap_user).status("INBOX")
    assert (status.uidnext, status.messages) == (4, 3)
    assert status.uidvalidity == dovecot.uidvalidity(imap_user, "INBOX")
    assert status.highestmodseq is not None


def test_kept_connection_status_sees_mail_that_arrived_after_its_fetch(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    # the folder fetch_new EXAMINEd stays selected; STATUS of it must not answer stale
    dovecot.append_many(imap_user, "INBOX", [raw_message(n) for n in range(2)])
    source = source_for(imap_user)
    assert all_fetched(source, "INBOX") == [[1, 2]]
    dovecot.append(imap_user, "INBOX", raw_message(2))

    status = source.status("INBOX")

    assert (status.uidnext, status.messages) == (4, 3)
    assert all_fetched(source, "INBOX", after=2) == [[3]]


def test_each_poll_of_folders_and_status_sees_mail_that_arrived_since_the_last(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    source = source_for(imap_user)
    seen = []
    for n in range(3):
        assert [f.name for f in source.folders()] == ["INBOX", "Sent"]
        seen.append(source.status("INBOX").uidnext)
        dovecot.append(imap_user, "INBOX", raw_message(n))
    assert seen == [1, 2, 3]
    assert source.status("INBOX").uidnext == 4  # asked again, not the answer kept by folders()


def test_fetch_new_returns_only_newer_uids_in_batches(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    raws = [raw_message(n) for n in range(7)]
    dovecot.append_many(imap_user, "INBOX", raws)
    source = source_for(imap_user)
    assert all_fetched(source, "INBOX", after=2, batch=2) == [[3, 4], [5, 6], [7]]
    [[first]] = [list(b) for b in source.fetch_new("INBOX", 6, None, 10)]
    assert (first.uid, first.raw, first.size) == (7, raws[6], len(raws[6]))
    assert first.internal_date is not None
    assert first.internal_date.tzinfo is not None


def test_fetch_new_after_highest_uid_returns_nothing(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    # `UID SEARCH UID 4:*` answers 3 when 3 is the highest UID: it must be filtered out
    dovecot.append_many(imap_user, "INBOX", [raw_message(n) for n in range(3)])
    assert all_fetched(source_for(imap_user), "INBOX", after=3) == []


def test_fetch_new_since_skips_older_internal_dates(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1), datetime(2025, 1, 5, tzinfo=UTC))
    dovecot.append(imap_user, "INBOX", raw_message(2), MARCH)
    assert all_fetched(source_for(imap_user), "INBOX", since=date(2026, 1, 1)) == [[2]]


def test_fetch_leaves_flags_alone_including_unseen(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1))
    dovecot.append(imap_user, "INBOX", raw_message(2), flags=["\\Seen", "\\Flagged"])
    before = dovecot.flags(imap_user, "INBOX")
    source = source_for(imap_user)
    source.status("INBOX")
    assert all_fetched(source, "INBOX") == [[1, 2]]
    source.close()
    assert dovecot.flags(imap_user, "INBOX") == before
    assert before[1] == frozenset()


def test_large_message_brings_text_parts_but_not_the_attachment(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    raw = raw_with_attachment(1, 300_000, text="We are pleased to offer you the role.")
    dovecot.append(imap_user, "INBOX", raw)
    source = source_for(imap_user, max_message_bytes=50_000)
    [[message]] = [list(b) for b in source.fetch_new("INBOX", 0, None, 10)]
    assert message.size == len(raw)
    assert len(message.raw) < 5_000
    parsed = parse_message(message.raw, frozenset(), MARCH)
    assert "pleased to offer you the role" in parsed.text
    assert parsed.message_id == "big-1@test.example"
    assert parsed.subject == "Offer letter 1"


def test_implicit_tls_with_ca_file_and_starttls_both_work(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    dovecot.append(imap_user, "INBOX", raw_message(1))
    assert source_for(imap_user, tls="implicit").status("INBOX").messages == 1
    assert source_for(imap_user, tls="starttls").status("INBOX").messages == 1


def test_untrusted_certificate_is_refused_and_says_to_set_ca_file(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    source = source_for(imap_user, tls="implicit", ca_file="")
    with pytest.raises(CertificateError) as caught:
        source.folders()
    assert "ca_file" in str(caught.value)
    assert "account 'personal'" in str(caught.value)


def test_untrusted_certificate_over_starttls_is_refused(
    dovecot: Dovecot, imap_user: ImapUser, source_for: Any
) -> None:
    with pytest.raises(CertificateError):
        source_for(imap_user, tls="starttls", ca_file="").folders()


def test_wrong_password_is_authentication_error_naming_account(
    dovecot: Dovecot, imap_user: ImapUser
) -> None:
    settings = dovecot.account_settings(imap_user, name="work")
    source = ImapSource(settings, lambda: Secret("password", "not-the-password"))
    with pytest.raises(AuthenticationError) as caught:
        source.folders()
    assert str(caught.value).startswith("account 'work': login as")
    assert "not-the-password" not in str(caught.value)


def test_basic_auth_disabled_answer_says_oauth2_is_needed(dovecot: Dovecot) -> None:
    user = dovecot.basic_auth_disabled_user  # answers "NO Basic authentication is disabled."
    source = ImapSource(dovecot.account_settings(user), password(user))
    with pytest.raises(AuthenticationError, match="needs OAuth2: set oauth2_token_command"):
        source.folders()


def test_nothing_listening_is_connection_lost(dovecot: Dovecot, imap_user: ImapUser) -> None:
    from tests.servers.dovecot import free_port

    settings = dovecot.account_settings(imap_user, port=free_port())
    with pytest.raises(ConnectionLostError, match="account 'personal'"):
        ImapSource(settings, password(imap_user)).status("INBOX")


def test_missing_folder_is_a_mail_source_error(imap_user: ImapUser, source_for: Any) -> None:
    with pytest.raises(MailSourceError, match="Nope"):
        source_for(imap_user).status("Nope")


def test_server_stopped_mid_fetch_is_connection_lost_then_reconnects(
    private_dovecot: Dovecot,
) -> None:
    user = private_dovecot.add_user()
    private_dovecot.append_many(user, "INBOX", [raw_message(n) for n in range(4)])
    source = ImapSource(private_dovecot.account_settings(user), password(user))
    batches = source.fetch_new("INBOX", 0, None, 2)
    assert [m.uid for m in next(batches)] == [1, 2]
    private_dovecot.stop()
    with pytest.raises(ConnectionLostError):
        next(batches)
    private_dovecot.start()
    assert source.status("INBOX").messages == 4
    source.close()


def test_idle_wakes_on_new_mail(dovecot: Dovecot, imap_user: ImapUser, source_for: Any) -> None:
    source = source_for(imap_user)
    assert source.idle_supported()
    assert source.wait_for_change("INBOX", timeout=0.3) is False  # nothing yet
    timer = threading.Timer(0.2, dovecot.append, (imap_user, "INBOX", raw_message(1)))
    timer.start()
    try:
        assert source.wait_for_change("INBOX", timeout=10) is True
    finally:
        timer.join()
    # the connection still serves commands after IDLE
    assert source.status("INBOX").messages == 1


def test_poll_without_idle_sees_new_mail(dovecot: Dovecot, imap_user: ImapUser) -> None:
    settings: AccountSettings = dovecot.account_settings(imap_user, idle=False, poll_seconds=5)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:
            dovecot.append(imap_user, "INBOX", raw_message(1))

    ticks = iter(range(0, 1000, 5))
    source = ImapSource(
        settings, password(imap_user), sleep=sleep, monotonic=lambda: float(next(ticks))
    )
    try:
        assert not source.idle_supported()
        assert source.wait_for_change("INBOX", timeout=60) is True
        assert slept == [5.0, 5.0]
    finally:
        source.close()


class TestImapContract(MailSourceContract):
    """The MailSource contract, over the real Dovecot."""

    @pytest.fixture
    def made(self, dovecot: Dovecot) -> Iterator[list[tuple[ImapSource, ImapUser]]]:
        made: list[tuple[ImapSource, ImapUser]] = []
        yield made
        for source, _ in made:
            source.close()

    @pytest.fixture
    def make_source(self, dovecot: Dovecot, made: list[tuple[ImapSource, ImapUser]]) -> MakeSource:
        def make(messages_by_folder: MessagesByFolder) -> MailSource:
            user = dovecot.add_user()
            for role, given in messages_by_folder.items():
                for sample in given:
                    dovecot.append(user, role, sample.raw, sample.delivered)
            source = ImapSource(dovecot.account_settings(user), password(user))
            made.append((source, user))
            return source

        return make

    @pytest.fixture
    def deliver(self, dovecot: Dovecot, made: list[tuple[ImapSource, ImapUser]]) -> Deliver:
        def add(source: MailSource, role: str, sample: Sample) -> None:
            user = next(u for s, u in made if s is source)
            dovecot.append(user, role, sample.raw, sample.delivered)

        return add

    @pytest.fixture
    def snapshot(
        self, dovecot: Dovecot, made: list[tuple[ImapSource, ImapUser]]
    ) -> Callable[[], object]:
        def state() -> object:
            return [(dovecot.flags(user, "INBOX"), dovecot.flags(user, "Sent")) for _, user in made]

        return state
