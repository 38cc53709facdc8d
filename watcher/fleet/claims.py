"""Claims on a job seeker's mailbox or work that hold while their holder lives, even paused."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from sqlalchemy import text

from watcher.fleet.registry import Fleet


def account_claim(fleet: Fleet, user: str, account: str) -> contextlib.AbstractContextManager[bool]:
    """The one right to connect to a job seeker's mailbox, across all workers. The queue's
    lock is not enough: a paused worker (SIGSTOP, a frozen VM) looks dead to the queue,
    which gives its job to another worker while the paused one may still hold an IMAP
    connection."""
    return _claim(fleet, f"account\0{user}\0{account}")


def user_claim(fleet: Fleet, user: str) -> contextlib.AbstractContextManager[bool]:
    """The one right to analyse a job seeker's mail or send their digest: a paused worker
    half-way through an SMTP send must not find the digest sent again by another."""
    return _claim(fleet, f"user\0{user}")


@contextlib.contextmanager
def _claim(fleet: Fleet, name: str) -> Iterator[bool]:
    """A PostgreSQL advisory lock held by a connection of its own for the job's length: it
    goes at once when its holder is killed (the connection closes), never while the
    holder is merely paused. Yields whether it was free."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with fleet.engine.connect() as connection:
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        granted = bool(taken.scalar())
        connection.commit()
        try:
            yield granted
        finally:
            if granted:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
