"""The test servers themselves: what the integration tests rely on really holds."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient

from tests.servers.dovecot import Dovecot, ImapUser
from tests.servers.smtp import SmtpServer

pytestmark = pytest.mark.dovecot

RAW = (
    b"From: Recruiter <jane@acme.example>\r\nTo: user@example.org\r\n"
    b"Subject: Interview\r\nMessage-ID: <harness-1@acme.example>\r\n"
    b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nSee you Friday.\r\n"
)


def test_append_over_implicit_tls_verified_against_fixture_ca_reads_back(
    dovecot: Dovecot, imap_user: ImapUser
) -> None:
    when = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    uid = dovecot.append(imap_user, "INBOX", RAW, when, flags=["\\Seen"], tls="implicit")

    context = ssl.create_default_context(cafile=str(dovecot.ca_file))
    with IMAPClient(dovecot.host, port=dovecot.tls_port, ssl_context=context) as client:
        client.login(imap_user.name, imap_user.password)
        client.normalise_times = False
        client.select_folder("INBOX", readonly=True)
        data = client.fetch([uid], ["BODY.PEEK[]", "INTERNALDATE"])[uid]
    assert data[b"BODY[]"] == RAW
    assert data[b"INTERNALDATE"] == when
    assert dovecot.flags(imap_user, "INBOX") == {uid: frozenset({"\\Seen"})}


def test_starttls_verifies_against_fixture_ca(dovecot: Dovecot, imap_user: ImapUser) -> None:
    with dovecot.connect(imap_user, tls="starttls") as client:
        assert client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"] == 0


def test_system_trust_store_refuses_fixture_certificate(dovecot: Dovecot) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(dovecot.host, port=dovecot.tls_port, ssl_context=ssl.create_default_context())


def test_new_user_has_empty_inbox_and_special_use_sent_and_drafts(
    dovecot: Dovecot, imap_user: ImapUser
) -> None:
    with dovecot.connect(imap_user) as client:
        listing = {name: flags for flags, _, name in client.list_folders()}
        capabilities = set(client.capabilities())
    assert b"\\Sent" in listing["Sent"]
    assert b"\\Drafts" in listing["Drafts"]
    assert {b"IDLE", b"CONDSTORE", b"QRESYNC", b"MULTIAPPEND"} <= capabilities
    assert dovecot.uids(imap_user, "INBOX") == []


def test_users_do_not_see_each_other_mail(dovecot: Dovecot) -> None:
    first, second = dovecot.add_user(), dovecot.add_user()
    dovecot.append(first, "INBOX", RAW)
    assert dovecot.uids(first, "INBOX") == [1]
    assert dovecot.uids(second, "INBOX") == []


def test_recreate_folder_keeps_mail_and_changes_uidvalidity(
    dovecot: Dovecot, imap_user: ImapUser
) -> None:
    uids = dovecot.append_many(imap_user, "Sent", [RAW, RAW.replace(b"-1@", b"-2@")])
    dovecot.append(imap_user, "Sent", RAW.replace(b"-1@", b"-3@"), flags=["\\Seen"])
    old, new = dovecot.recreate_folder(imap_user, "Sent")
    assert uids == [1, 2]
    assert old != new
    assert dovecot.flags(imap_user, "Sent") == {
        1: frozenset(),
        2: frozenset(),
        3: frozenset({"\\Seen"}),
    }


def test_private_dovecot_stops_and_starts_on_same_port(private_dovecot: Dovecot) -> None:
    user = private_dovecot.add_user()
    private_dovecot.append(user, "INBOX", RAW)
    private_dovecot.stop()
    with pytest.raises(OSError):
        IMAPClient(private_dovecot.host, port=private_dovecot.port, ssl=False, timeout=2)
    private_dovecot.start()
    assert private_dovecot.uids(user, "INBOX") == [1]


def test_logout_line_reports_bytes_per_session(dovecot: Dovecot, imap_user: ImapUser) -> None:
    dovecot.append(imap_user, "INBOX", RAW)
    with dovecot.connect(imap_user) as client:
        client.select_folder("INBOX", readonly=True)
        client.fetch([1], ["BODY.PEEK[]"])
    stats = dovecot.logout_stats(imap_user, at_least=2)
    assert len(stats) == 2
    assert stats[-1].body_count == 1
    assert stats[-1].bytes_out > len(RAW)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "followup <me@example.org>"
    message["To"] = "me@example.org"
    message["Subject"] = "digest"
    message.set_content("hello")
    return message


def test_smtp_server_keeps_envelope_and_parsed_message(smtp_server: SmtpServer) -> None:
    with smtplib.SMTP(smtp_server.host, smtp_server.port) as client:
        client.send_message(_message(), to_addrs=["me@example.org", "cc@example.org"])
    [mail] = smtp_server.received
    assert mail.mail_from == "me@example.org"
    assert mail.rcpt_tos == ("me@example.org", "cc@example.org")
    assert mail.message["Subject"] == "digest"
    assert mail.authenticated_as is None


def test_smtp_starttls_with_auth_verifies_and_records_login(
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(tls="starttls", username="me", password="pw")
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with smtplib.SMTP(server.host, server.port) as client:
        client.starttls(context=context)
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("me", "wrong")
        client.login("me", "pw")
        client.send_message(_message())
    assert [m.authenticated_as for m in server.received] == ["me"]


def test_smtp_implicit_tls_verifies(make_smtp_server: Callable[..., SmtpServer]) -> None:
    server = make_smtp_server(tls="implicit")
    context = ssl.create_default_context(cafile=str(server.ca_file))
    with smtplib.SMTP_SSL(server.host, server.port, context=context) as client:
        client.send_message(_message())
    assert len(server.received) == 1
