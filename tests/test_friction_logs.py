"""`followup run` in the foreground stamps each log line with its time; under journald
(JOURNAL_STREAM names stderr) it leaves that to the journal."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.servers.dovecot import Dovecot
from tests.test_daemon_run import (  # noqa: F401  (fixtures)
    STAMP,
    START_TIMEOUT,
    Daemon,
    account_config,
    daemon_env,
    start_daemon,
)

pytestmark = pytest.mark.dovecot


@pytest.mark.parametrize("journal", [False, True], ids=["terminal-or-file", "journald"])
def test_run_log_lines_carry_a_timestamp_unless_journald_adds_one(
    dovecot: Dovecot,
    tmp_path: Path,
    start_daemon: Callable[..., Daemon],  # noqa: F811
    journal: bool,
) -> None:
    config = account_config(dovecot, {"personal": dovecot.add_user()}, tmp_path)
    daemon = start_daemon(config, journal=journal)
    daemon.wait_for(r"ready: first sync done", START_TIMEOUT)
    code, _ = daemon.signal(signal.SIGTERM)
    assert code == 0
    lines = [line for line in daemon.log().splitlines() if line.strip()]
    assert len(lines) >= 2
    stamped = [bool(re.match(STAMP, line)) for line in lines]
    if journal:
        assert not any(stamped), lines
        assert lines[0].startswith("<6>INFO followup.service: started")
    else:
        assert all(stamped), lines
        assert re.match(STAMP + r"INFO followup\.service: started", lines[0])
