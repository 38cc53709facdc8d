"""The MailSource contract over any test IMAP server with Dovecot's helper methods."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.sources_contract import Deliver, MailSourceContract, MakeSource, MessagesByFolder, Sample
from watcher.secrets import Secret
from watcher.sources.base import MailSource
from watcher.sources.imap import ImapSource


class ServerContract(MailSourceContract):
    """Subclasses provide the ``server`` fixture (``add_user``, ``append``, ``flags``,
    ``account_settings``) and ``sent``, the name the server gives the Sent folder."""

    sent = "Sent"

    @pytest.fixture
    def server(self) -> Any:
        raise NotImplementedError("a ServerContract subclass must provide server")

    def folder(self, role: str) -> str:
        """Where the test puts mail of a role ("INBOX", "Sent"), as ``server.append`` takes it."""
        return self.sent if role == "Sent" else role

    @pytest.fixture
    def made(self) -> Iterator[list[tuple[ImapSource, Any]]]:
        made: list[tuple[ImapSource, Any]] = []
        yield made
        for source, _ in made:
            source.close()

    @pytest.fixture
    def make_source(self, server: Any, made: list[tuple[ImapSource, Any]]) -> MakeSource:
        def make(messages_by_folder: MessagesByFolder) -> MailSource:
            user = server.add_user()
            for role, given in messages_by_folder.items():
                for sample in given:
                    server.append(user, self.folder(role), sample.raw, sample.delivered)
            settings = server.account_settings(user)
            source = ImapSource(settings, lambda: Secret("password", user.password))
            made.append((source, user))
            return source

        return make

    @pytest.fixture
    def deliver(self, server: Any, made: list[tuple[ImapSource, Any]]) -> Deliver:
        def add(source: MailSource, role: str, sample: Sample) -> None:
            user = next(u for s, u in made if s is source)
            server.append(user, self.folder(role), sample.raw, sample.delivered)

        return add

    @pytest.fixture
    def snapshot(self, server: Any, made: list[tuple[ImapSource, Any]]) -> Callable[[], object]:
        def state() -> object:
            return [
                (server.flags(user, "INBOX"), server.flags(user, self.imap_name(self.sent)))
                for _, user in made
            ]

        return state

    def imap_name(self, folder: str) -> str:
        """The Sent folder's name over IMAP (Courier puts it below "INBOX.")."""
        return folder
