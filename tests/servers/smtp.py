"""A throwaway SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.servers.dovecot import HOST, free_port


@dataclass(frozen=True)
class ReceivedMail:
    """One accepted message: the envelope and the parsed content."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    authenticated_as: str | None


@dataclass
class _Handler:
    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            message=message,
            authenticated_as=login.decode() if isinstance(login, bytes) else login,
        )
        with self.lock:
            self.received.append(mail)
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd Controller with optional STARTTLS, implicit TLS and AUTH.

    ``tls`` is ``none``, ``starttls`` or ``implicit``; with ``username``/``password`` set,
    AUTH PLAIN/LOGIN is offered (and required before MAIL).
    """

    host = HOST

    def __init__(
        self,
        cert: Path | None = None,
        key: Path | None = None,
        *,
        tls: str = "none",
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.tls = tls
        self.ca_file = cert
        self.username = username
        self.password = password
        self.port = free_port()
        self._handler = _Handler()
        kwargs: dict[str, Any] = {}
        context: ssl.SSLContext | None = None
        if tls != "none":
            if cert is None or key is None:
                raise ValueError("TLS needs a certificate")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
        if tls == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        if username is not None:
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=True,
                auth_require_tls=tls != "none",
            )
        self._controller = Controller(
            self._handler,
            hostname=self.host,
            port=self.port,
            ssl_context=context if tls == "implicit" else None,
            **kwargs,
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        ):
            return AuthResult(success=True, auth_data=data)
        return AuthResult(success=False, handled=False)

    @property
    def received(self) -> list[ReceivedMail]:
        with self._handler.lock:
            return list(self._handler.received)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
