"""The one folder-role table: SPECIAL-USE flags in any case, then names under any prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.config import AccountSettings
from watcher.sources.base import FolderInfo
from watcher.sources.folders import Candidate, choose, name_key, resolve, role_by_name
from watcher.sources.imap import choose_folders
from watcher.sources.maildir import MaildirSource, folder_role


@pytest.mark.parametrize(
    ("name", "delimiter", "role"),
    [
        ("INBOX", None, "inbox"),
        ("inbox", None, "inbox"),
        ("Sent", "/", "sent"),
        ("SENT ITEMS", "/", "sent"),
        ("INBOX.Sent Items", ".", "sent"),
        ("INBOX.Sent Messages", ".", "sent"),
        ("INBOX/Sent", "/", "sent"),
        ("[Gmail]/Sent Mail", "/", "sent"),
        ("[Google Mail]/Gesendet", "/", "sent"),
        ("sent-mail", "/", "sent"),
        ("Gesendet", "/", "sent"),
        ("Gesendete Elemente", "/", "sent"),
        ("Envoyés", "/", "sent"),
        ("INBOX.Éléments envoyés", ".", "sent"),
        ("Enviados", "/", "sent"),
        ("Posta inviata", "/", "sent"),
        ("Verzonden", "/", "sent"),
        ("Skickat", "/", "sent"),
        ("Sendt", "/", "sent"),
        ("Wysłane", "/", "sent"),
        ("Drafts", "/", "drafts"),
        ("INBOX.Entwürfe", ".", "drafts"),
        ("[Gmail]/Drafts", "/", "drafts"),
        ("Archive", "/", "other"),
        ("Archive/Sent", "/", "other"),  # only namespace prefixes are looked through
        ("Sent Archive", "/", "other"),
    ],
)
def test_role_by_name(name: str, delimiter: str | None, role: str) -> None:
    assert role_by_name(name, delimiter) == role


def test_names_compare_case_folded_and_in_one_unicode_form() -> None:
    decomposed = "Envoye\u0301s"  # what macOS file names hold
    assert name_key(decomposed) == name_key("ENVOYÉS") == "envoyés"


def test_maildir_folder_names_in_modified_utf7_are_decoded() -> None:
    # Maildir++ (Courier, mbsync) store ".Envoy&AOk-s" for "Envoyés"
    assert folder_role("INBOX.Envoy&AOk-s") == "sent"
    assert folder_role("Gesendete Elemente") == "sent"


@pytest.mark.parametrize(
    ("listing", "expected_sent"),
    [
        # Cyrus: the flag in lower case, on a folder not called Sent, beats the name "Sent"
        ([("INBOX", ()), ("Sent", ()), ("Gesendet", (b"\\sent",))], "Gesendet"),
        # Courier: no SPECIAL-USE, everything under "INBOX."
        ([("INBOX", ()), ("INBOX.Trash", ()), ("INBOX.Sent Items", ())], "INBOX.Sent Items"),
        ([("INBOX", ()), ("INBOX/Sent Messages", ())], "INBOX/Sent Messages"),
        ([("INBOX", ()), ("Sent Items", ())], "Sent Items"),
        ([("INBOX", ()), ("sent-mail", ())], "sent-mail"),
        ([("INBOX", ()), ("Gesendet", ()), ("Entwürfe", ())], "Gesendet"),
        # the usual name wins over a rare one; the unprefixed over the prefixed
        ([("INBOX", ()), ("Sent Items", ()), ("Sent", ())], "Sent"),
        ([("INBOX", ()), ("INBOX.Sent", ()), ("Sent", ())], "Sent"),
        # a folder that cannot be selected is no Sent folder
        ([("INBOX", ()), ("Sent", (b"\\Noselect",)), ("Sent Items", ())], "Sent Items"),
        ([("INBOX", ()), ("Archive", ())], None),
    ],
    ids=[
        "cyrus-flag", "courier", "slash-prefix", "m365", "sent-mail", "german",
        "usual-name", "unprefixed", "noselect", "none",
    ],
)  # fmt: skip
def test_imap_sent_folder(
    listing: list[tuple[str, tuple[bytes, ...]]], expected_sent: str | None
) -> None:
    answer = [(flags, b"." if "." in name else b"/", name) for name, flags in listing]
    chosen = choose_folders(answer, None)
    assert chosen[0] == FolderInfo("INBOX", "inbox")
    sent = [f.name for f in chosen if f.role == "sent"]
    assert sent == ([expected_sent] if expected_sent else [])


def test_configured_folders_override_and_match_the_listing_case_insensitively() -> None:
    answer = [((), b".", "INBOX"), ((), b".", "INBOX.Sent Items"), ((), b".", "INBOX.Jobs")]
    chosen = choose_folders(answer, ["inbox", "INBOX.jobs", "sent items"])
    assert chosen == [
        FolderInfo("INBOX", "inbox"),
        FolderInfo("INBOX.Jobs", "other"),
        FolderInfo("INBOX.Sent Items", "sent"),
    ]


def test_configured_folder_missing_from_the_listing_is_kept_as_written() -> None:
    assert choose([Candidate("INBOX")], ["Elsewhere"]) == [FolderInfo("Elsewhere", "other")]
    assert resolve("Elsewhere", ["INBOX"]) is None


@pytest.mark.parametrize(
    ("dirs", "sent"),
    [
        ([".Envoy&AOk-s", ".Archive"], "Envoy&AOk-s"),  # Maildir++ in modified UTF-7
        ([".INBOX.Sent Messages", ".Sent"], "Sent"),  # usual and unprefixed first
        (["INBOX/sent-mail"], "INBOX/sent-mail"),  # mbsync's Verbatim layout
        ([".Wysłane"], "Wysłane"),
    ],
)
def test_maildir_source_uses_the_same_table(tmp_path: Path, dirs: list[str], sent: str) -> None:
    for directory in ["", *dirs]:
        for sub in ("cur", "new", "tmp"):
            (tmp_path / directory / sub).mkdir(parents=True, exist_ok=True)
    settings = AccountSettings.model_validate({"name": "local", "maildir": str(tmp_path)})
    assert MaildirSource(settings).folders() == [
        FolderInfo("INBOX", "inbox"),
        FolderInfo(sent, "sent"),
    ]
