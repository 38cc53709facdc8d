"""The queries run on every sync or digest find their rows through an index (real SQLite).

A message row holds its text, so a query that walks the table reads the whole mailbox;
what each of these reads must not grow with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, select, text
from sqlalchemy.orm import Session, sessionmaker

from watcher.analysis import _pending
from watcher.store.db import dispose_all, open_database, transaction
from watcher.store.tables import StoredMessage


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    yield open_database(f"sqlite:///{tmp_path / 'followup.db'}")
    dispose_all()


def _plan(session: Session, query: Select[Any]) -> str:
    compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    rows = session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def _users_latest_message() -> Select[Any]:
    # the digest's greeting name: the user's latest outbound message (watcher.store.digests)
    return (
        select(StoredMessage.sender_name)
        .where(StoredMessage.direction == "out", StoredMessage.sender_name != "")
        .order_by(StoredMessage.sent_at.desc())
        .limit(1)
    )


@pytest.mark.parametrize(
    "query",
    [
        lambda: _pending().where(StoredMessage.id > 0).order_by(StoredMessage.id).limit(50),
        _users_latest_message,
    ],
    ids=["mail waiting for analysis", "the user's latest message"],
)
def test_query_searches_an_index_instead_of_reading_every_message(
    sessions: sessionmaker[Session], query: Callable[[], Select[Any]]
) -> None:
    with transaction(sessions) as session:
        plan = _plan(session, query())
    assert "SCAN messages" not in plan, plan
    assert "INDEX ix_messages_" in plan, plan
