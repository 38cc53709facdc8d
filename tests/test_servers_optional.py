"""Optional suite: Cyrus IMAP 3.6 and Courier-IMAP 5.0, from Debian packages unpacked beside
Dovecot (their packages conflict with it). Not run by default: set FOLLOWUP_OTHER_SERVERS to the
directory holding ``root-cyrus`` and ``root-courier`` (README, "Servers", shows how to make it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.clirun import run
from tests.servers import courier as courier_server
from tests.servers import cyrus as cyrus_server
from tests.servers.courier import Courier
from tests.servers.cyrus import Cyrus
from tests.servers.dovecot import write_config
from tests.servers.messages import raw_message
from tests.servers.server_contract import ServerContract
from watcher.secrets import Secret
from watcher.sources.base import FolderInfo
from watcher.sources.imap import ImapSource

BASE = os.environ.get("FOLLOWUP_OTHER_SERVERS", "")
pytestmark = [
    pytest.mark.other_servers,
    pytest.mark.skipif(not BASE, reason="optional suite: FOLLOWUP_OTHER_SERVERS is not set"),
]


def _package(module: object) -> Path:
    found = module.unpacked(Path(BASE))  # type: ignore[attr-defined]
    if found is None:
        # asked for but not there: a failure, not a skip
        pytest.fail(f"no unpacked server under {BASE} (see README, Servers)", pytrace=False)
    return Path(found)


@pytest.fixture(scope="module")
def cyrus() -> Iterator[Cyrus]:
    server = Cyrus(_package(cyrus_server))
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def courier() -> Iterator[Courier]:
    server = Courier(_package(courier_server), sent="Sent Items")
    server.start()
    try:
        yield server
    finally:
        server.close()


class TestCyrusContract(ServerContract):
    sent = "Sent"

    @pytest.fixture
    def server(self, cyrus: Cyrus) -> Cyrus:
        return cyrus


class TestCourierContract(ServerContract):
    sent = "Sent Items"

    @pytest.fixture
    def server(self, courier: Courier) -> Courier:
        return courier

    def imap_name(self, folder: str) -> str:
        return f"INBOX.{folder}"


def source(server: Cyrus | Courier, user: object) -> ImapSource:
    settings = server.account_settings(user)  # type: ignore[arg-type]
    return ImapSource(settings, lambda: Secret("password", user.password))  # type: ignore[attr-defined]


def test_cyrus_sent_is_the_folder_flagged_sent_even_beside_one_called_sent(cyrus: Cyrus) -> None:
    user = cyrus.add_user()
    with source(cyrus, user) as plain:
        assert plain.folders() == [FolderInfo("INBOX", "inbox"), FolderInfo("Sent", "sent")]
    cyrus.move_sent_to(user, "Gesendet")
    with source(cyrus, user) as moved:
        assert moved.folders() == [FolderInfo("INBOX", "inbox"), FolderInfo("Gesendet", "sent")]


def test_courier_sent_items_below_inbox_is_found_by_name(courier: Courier) -> None:
    user = courier.add_user("Trash", "Drafts")
    with source(courier, user) as found:
        assert found.folders() == [
            FolderInfo("INBOX", "inbox"),
            FolderInfo("INBOX.Sent Items", "sent"),
        ]


def test_cyrus_idle_with_idled_announces_new_mail_within_two_seconds(cyrus: Cyrus) -> None:
    user = cyrus.add_user()
    with source(cyrus, user) as watcher:
        assert watcher.wait_for_change("INBOX", timeout=0.3) is False
        cyrus.append(user, "INBOX", raw_message(1))
        started = time.monotonic()
        while not watcher.wait_for_change("INBOX", timeout=0.5):
            assert time.monotonic() - started < 2.0
        assert watcher.idle_announced


@pytest.mark.parametrize("kind", ["cyrus", "courier"])
def test_three_cli_syncs_store_every_message(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    server: Cyrus | Courier = request.getfixturevalue(kind)
    user = server.add_user()
    sent = "Sent" if kind == "cyrus" else "Sent Items"
    config = write_config(tmp_path, server.account_toml(user, tmp_path, since_days=3650))  # type: ignore[arg-type]
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    now = datetime.now(UTC)
    number = 0
    for inbox, out in [(3, 1), (2, 2), (1, 1)]:
        for _ in range(inbox):
            number += 1
            server.append(user, "INBOX", raw_message(number, date=now - timedelta(hours=1)))
        for _ in range(out):
            number += 1
            me = f"Me <{user.address}>"
            server.append(user, sent, raw_message(number, sender=me, date=now))
        done = run(["sync", "--once", "--config", str(config)], env)
        assert done.returncode == 0, done.stderr
    status = run(["--json", "status", "--config", str(config)], env)
    folders = json.loads(status.stdout)["accounts"][0]["folders"]
    assert {f["folder"]: f["messages"] for f in folders} == {
        "INBOX": 6,
        sent if kind == "cyrus" else f"INBOX.{sent}": 4,
    }
