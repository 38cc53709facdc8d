"""Analysis progress is committed batch by batch: a stop or crash never loses finished work."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.hostile_corpus import good
from tests.test_sync_dovecot import NOW
from watcher.clock import FixedClock
from watcher.config import parse_settings
from watcher.ingest import sync_configured_account
from watcher.pipeline import ANALYSIS_BATCH, after_sync
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.tables import StoredDetection

MESSAGES = ANALYSIS_BATCH * 2 + 20


class Stopped(Exception):
    """What the service's checkpoint raises when asked to stop."""


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_all()


def test_a_stop_during_analysis_keeps_the_batches_already_done(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for number in range(MESSAGES):
        box.add(good(number))
    text = (
        f'[[account]]\nname = "local"\nmaildir = "{tmp_path / "Maildir"}"\n'
        f'addresses = ["sam@example.org"]\n\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "followup.db"}"\n'
    )
    settings = parse_settings(text, tmp_path / "config.toml")
    sessions = open_database(settings.database.effective_url)
    first = FixedClock(NOW)
    assert sync_configured_account(settings.accounts[0], sessions, first).new == MESSAGES

    calls: list[int] = []

    def stop_after_first_batch() -> None:
        calls.append(1)
        raise Stopped

    with pytest.raises(Stopped):
        after_sync(settings, sessions, first, stop_after_first_batch)
    with transaction(sessions) as session:
        assert session.scalar(select(func.count(StoredDetection.id))) == ANALYSIS_BATCH

    later = FixedClock(NOW + timedelta(hours=1))
    after_sync(settings, sessions, later, lambda: calls.append(1))
    with transaction(sessions) as session:
        stamps = list(session.scalars(select(StoredDetection.analysed_at)))
    assert len(stamps) == MESSAGES
    # the first batch was not analysed again
    assert sum(1 for at in stamps if at.replace(tzinfo=None) == NOW.replace(tzinfo=None)) == (
        ANALYSIS_BATCH
    )
    assert len(calls) == 1 + 2  # then one after each batch of the rest (50, then 20)
