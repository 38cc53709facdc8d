"""Shared fixtures: the real Dovecot and SMTP servers the integration tests talk to."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers.dovecot import INSTALL_HINT, Dovecot, ImapUser, make_certificate, start_dovecot
from tests.servers.smtp import SmtpServer


def _require_dovecot() -> None:
    # A missing server is a failure, not a skip: a skipped integration test proves nothing.
    if shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists():
        pytest.fail(INSTALL_HINT, pytrace=False)


@pytest.fixture(scope="session")
def tls_certificate() -> Iterator[tuple[Path, Path]]:
    """(cert.pem, key.pem): self-signed for localhost and 127.0.0.1; the cert is its own CA."""
    directory = Path(tempfile.mkdtemp(prefix="followup-cert-"))
    directory.chmod(0o755)
    try:
        yield make_certificate(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _running_dovecot(certificate: tuple[Path, Path]) -> Iterator[Dovecot]:
    _require_dovecot()
    server = start_dovecot(*certificate)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def dovecot(tls_certificate: tuple[Path, Path]) -> Iterator[Dovecot]:
    """One Dovecot for the whole session. Do not stop it: use ``private_dovecot`` for that."""
    yield from _running_dovecot(tls_certificate)


@pytest.fixture
def private_dovecot(tls_certificate: tuple[Path, Path]) -> Iterator[Dovecot]:
    """A Dovecot of the test's own, free to stop() and start()."""
    yield from _running_dovecot(tls_certificate)


@pytest.fixture
def imap_user(dovecot: Dovecot) -> ImapUser:
    """A new user on the shared Dovecot, with an empty INBOX, Sent and Drafts."""
    return dovecot.add_user()


@pytest.fixture
def make_smtp_server(
    tls_certificate: tuple[Path, Path],
) -> Iterator[Callable[..., SmtpServer]]:
    """Factory: ``make_smtp_server(tls="starttls", username="u", password="p")``, started."""
    started: list[SmtpServer] = []

    def make(
        tls: str = "none", username: str | None = None, password: str | None = None
    ) -> SmtpServer:
        server = SmtpServer(*tls_certificate, tls=tls, username=username, password=password)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(make_smtp_server: Callable[..., SmtpServer]) -> SmtpServer:
    """A plain SMTP server on 127.0.0.1 (no TLS, no AUTH) that keeps what it receives."""
    return make_smtp_server()


@pytest.fixture(scope="module")
def plain_smtp(tls_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """One plain SMTP server for a whole module (a scenario synced once, digests sent)."""
    server = SmtpServer(*tls_certificate, tls="none")
    server.start()
    yield server
    server.stop()
