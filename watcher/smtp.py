"""Sending one message over SMTP (implicit TLS, STARTTLS or loopback plain), errors translated."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import getaddresses

from watcher.config import SmtpSettings, is_loopback
from watcher.errors import DigestSendError, SecretError
from watcher.secrets import SecretProvider, secret_provider

__all__ = ["check_login", "envelope_sender", "send_message"]

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0


def envelope_sender(settings: SmtpSettings, fallback: str) -> str:
    """The From header: ``[smtp] from``, else the username, else ``fallback``."""
    return settings.from_ or settings.username or fallback


def _bare_address(value: str) -> str:
    found = getaddresses([value])
    return found[0][1] if found and found[0][1] else value


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.ca_file or None)


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    host, port = settings.host, settings.effective_port
    if settings.tls == "implicit":
        return smtplib.SMTP_SSL(host, port, context=_tls_context(settings), timeout=timeout)
    client = smtplib.SMTP(host, port, timeout=timeout)
    try:
        client.ehlo()
        if settings.tls == "starttls":
            # smtplib raises SMTPNotSupportedError when the server does not offer it:
            # never fall back to plain text.
            client.starttls(context=_tls_context(settings))
            client.ehlo()
    except BaseException:
        client.close()
        raise
    return client


def _login(client: smtplib.SMTP, settings: SmtpSettings, secrets: SecretProvider) -> None:
    secret = secrets()
    if secret.kind == "oauth2":
        token = f"user={settings.username}\x01auth=Bearer {secret.value}\x01\x01"
        client.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
    else:
        client.login(settings.username, secret.value)


def _needs_login(settings: SmtpSettings, secrets: SecretProvider | None) -> bool:
    return bool(settings.username) and (secrets is not None or settings.secret_source() != "none")


def _where(settings: SmtpSettings) -> str:
    return f"SMTP server {settings.host}:{settings.effective_port}"


def _no_starttls_hint(settings: SmtpSettings) -> str:
    """What fits a server that answered in plain text and offers no STARTTLS."""
    if is_loopback(settings.host):
        return 'for a server on this machine use tls = "none"'
    # not tls = "implicit" on this port: the server just answered it in plain text
    return 'it offers no encryption on this port: use its submission port 587 with tls = "starttls"'


def _open(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    """A connected client (TLS as configured), every failure a DigestSendError with a hint."""
    where = _where(settings)
    try:
        return _connect(settings, timeout)
    except ssl.SSLCertVerificationError as exc:
        raise DigestSendError(
            f"{where}: TLS certificate not trusted ({exc.verify_message}); "
            "set [smtp] ca_file to its CA bundle"
        ) from exc
    except ssl.SSLError as exc:
        if "WRONG_VERSION_NUMBER" not in str(exc):
            raise DigestSendError(f"{where}: TLS failed: {exc}") from exc
        # implicit TLS got a plain-text greeting back
        raise DigestSendError(
            f"{where}: the server speaks plain text on this port: "
            'use tls = "starttls" (port 143/587)'
        ) from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise DigestSendError(
            f"{where} speaks plain text and does not offer STARTTLS; {_no_starttls_hint(settings)}"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestSendError(f"{where} is unreachable: {exc}") from exc


def _authenticate(
    client: smtplib.SMTP, settings: SmtpSettings, secrets: SecretProvider | None
) -> None:
    where = _where(settings)
    try:
        _login(client, settings, secrets or secret_provider(settings))
    except SecretError as exc:
        raise DigestSendError(f"cannot log in to {where}: {exc}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestSendError(
            f"{where} refused the login for {settings.username!r} ({exc.smtp_code}); "
            "check [smtp] username and its secret"
        ) from exc


def _close(client: smtplib.SMTP) -> None:
    # Once DATA was accepted the message is sent: a failing QUIT changes nothing.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()


def check_login(
    settings: SmtpSettings,
    *,
    secrets: SecretProvider | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> str:
    """Connect and log in as a send would, send nothing; say what worked."""
    client = _open(settings, timeout)
    try:
        if _needs_login(settings, secrets):
            _authenticate(client, settings, secrets)
            return f"logged in as {settings.username!r} at {_where(settings)}"
        return f"connected to {_where(settings)} (no login configured)"
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestSendError(f"{_where(settings)} failed during login: {exc}") from exc
    finally:
        _close(client)


def send_message(
    settings: SmtpSettings,
    message: EmailMessage,
    *,
    secrets: SecretProvider | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> None:
    """Hand ``message`` to the SMTP server; return only once it was accepted.

    Every failure becomes a DigestSendError naming the server, never the secret.
    """
    where = _where(settings)
    recipients = [address for _, address in getaddresses(message.get_all("To", [])) if address]
    if not recipients:
        raise DigestSendError("the message has no recipient")
    sender = _bare_address(str(message.get("From", ""))) or settings.username
    client = _open(settings, timeout)
    try:
        if _needs_login(settings, secrets):
            _authenticate(client, settings, secrets)
        client.send_message(message, from_addr=sender, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DigestSendError(f"{where} refused the recipient {', '.join(recipients)}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestSendError(f"{where} did not accept the message: {exc}") from exc
    finally:
        _close(client)
    log.info("%s accepted message %s", where, message.get("Message-ID", ""))
