"""SMTP over STARTTLS and implicit TLS: certificates checked, AUTH, errors translated."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.servers.smtp import SmtpServer
from watcher.config import SmtpSettings
from watcher.errors import DigestSendError
from watcher.secrets import Secret
from watcher.smtp import send_message

PASSWORD = "s3cret-Pa55"


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "followup <alex@example.org>"
    mail["To"] = "alex@example.org"
    mail["Subject"] = "digest"
    mail["Message-ID"] = "<digest-test@followup.local>"
    mail.set_content("hello")
    return mail


def settings(server: SmtpServer, *, ca_file: str, tls: str, **extra: object) -> SmtpSettings:
    return SmtpSettings.model_validate(
        {"host": "127.0.0.1", "port": server.port, "tls": tls, "ca_file": ca_file, **extra}
    )


def test_send_over_starttls_with_login_verifies_the_certificate(
    make_smtp_server: Callable[..., SmtpServer],
    tls_certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tls = "starttls"
    server = make_smtp_server(tls=tls, username="alex", password=PASSWORD)
    monkeypatch.setenv("FOLLOWUP_TEST_SMTP_PASSWORD", PASSWORD)
    config = settings(
        server,
        ca_file=str(tls_certificate[0]),
        tls=tls,
        username="alex",
        password_env="FOLLOWUP_TEST_SMTP_PASSWORD",
    )
    send_message(config, message())
    (received,) = server.received
    assert received.authenticated_as == "alex"
    assert received.rcpt_tos == ("alex@example.org",)
    assert received.message["Message-ID"] == "<digest-test@followup.local>"


def test_send_over_implicit_tls_verifies_the_certificate(
    make_smtp_server: Callable[..., SmtpServer], tls_certificate: tuple[Path, Path]
) -> None:
    # aiosmtpd offers AUTH only after STARTTLS, so this one sends without a login.
    server = make_smtp_server(tls="implicit")
    send_message(settings(server, ca_file=str(tls_certificate[0]), tls="implicit"), message())
    assert len(server.received) == 1


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_untrusted_certificate_is_refused_and_says_ca_file(
    tls: str, make_smtp_server: Callable[..., SmtpServer]
) -> None:
    server = make_smtp_server(tls=tls)
    with pytest.raises(DigestSendError, match="ca_file"):
        send_message(settings(server, ca_file="", tls=tls), message())
    assert server.received == []


def test_wrong_password_is_a_send_error_that_never_shows_the_secret(
    make_smtp_server: Callable[..., SmtpServer], tls_certificate: tuple[Path, Path]
) -> None:
    server = make_smtp_server(tls="starttls", username="alex", password=PASSWORD)
    config = settings(server, ca_file=str(tls_certificate[0]), tls="starttls", username="alex")
    wrong = Secret("password", "not-the-password")
    with pytest.raises(DigestSendError, match="refused the login") as caught:
        send_message(config, message(), secrets=lambda: wrong)
    assert "not-the-password" not in str(caught.value)
    assert server.received == []


def test_starttls_required_but_not_offered_never_falls_back_to_plain(
    make_smtp_server: Callable[..., SmtpServer],
) -> None:
    server = make_smtp_server(tls="none")
    with pytest.raises(DigestSendError, match="does not offer STARTTLS"):
        send_message(settings(server, ca_file="", tls="starttls"), message())
    assert server.received == []
