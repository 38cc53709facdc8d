"""Interview times keep the sender's zone through the store: a real SQLite file, a real detector."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import select

import nlp
from nlp.types import Detection, Kind
from watcher.analysis import analyse_pending, stored_to_email
from watcher.store.db import open_database, transaction
from watcher.store.detections import (
    detection_to_facts,
    facts_to_detection,
    stored_to_detection,
)
from watcher.store.tables import Account, Folder, StoredMessage

EST = timezone(timedelta(hours=-5))
SENT = datetime(2026, 11, 10, 10, 0, tzinfo=EST)
BODY = (
    "Hi Alex,\n\nGreat, your interview is confirmed for Thursday, November 12 at 3:30 PM.\n\n"
    "Best,\nIris Kaplan\nTalent Partner, Initrode"
)


def test_zone_less_time_is_read_in_the_date_headers_offset_and_stored_aware(
    tmp_path: Path,
) -> None:
    """Issue 13.1: "3:30 PM" in a mail dated -0500 is 15:30-05:00, in the store and back."""
    sessions = open_database(f"sqlite:///{tmp_path / 'followup.db'}")
    with transaction(sessions) as session:
        account = Account(name="personal")
        session.add(account)
        session.flush()
        folder = Folder(account_id=account.id, name="INBOX")
        session.add(folder)
        session.flush()
        message = StoredMessage(
            account_id=account.id,
            folder_id=folder.id,
            uid=1,
            message_id="i3@initrode.com",
            message_key="i3@initrode.com",
            sender_email="iris.kaplan@initrode.com",
            sender_name="Iris Kaplan",
            sent_at=SENT,
            stored_at=SENT,
            subject="Re: Interview for the Data Analyst role",
            text=BODY,
            new_text=BODY,
            direction="in",
            headers={"date": format_datetime(SENT)},
        )
        session.add(message)
    with transaction(sessions) as session:  # read back: the column holds UTC
        stored = session.scalars(select(StoredMessage)).one()
        assert stored_to_email(stored).sent_at.utcoffset() == timedelta(hours=-5)
        assert analyse_pending(session, nlp.load(), SENT) == 1
    with transaction(sessions) as session:
        stored = session.scalars(select(StoredMessage)).one()
        assert stored.detection is not None
        detection = stored_to_detection(stored.detection)
    assert detection.kind is Kind.INTERVIEW_CONFIRMATION
    assert detection.interview_at == datetime(2026, 11, 12, 15, 30, tzinfo=EST)
    assert detection.interview_at.astimezone(UTC).hour == 20


def test_a_naive_interview_time_is_stored_in_the_zone_the_mail_named() -> None:
    naive = Detection(
        Kind.INTERVIEW_CONFIRMATION,
        0.9,
        interview_at=datetime(2026, 11, 12, 15, 30),
        interview_has_time=True,
        interview_tz="-05:00",
    )
    facts = detection_to_facts(naive)
    assert facts["interview_at"] == "2026-11-12T15:30:00-05:00"
    legacy = {**facts, "interview_at": "2026-11-12T15:30:00"}  # a row written before the fix
    back = facts_to_detection("interview_confirmation", 0.9, legacy).interview_at
    assert back == datetime(2026, 11, 12, 15, 30, tzinfo=EST)
    named = {**legacy, "interview_tz": "Europe/London"}
    london = facts_to_detection("interview_confirmation", 0.9, named).interview_at
    assert london is not None
    assert london.utcoffset() == timedelta(0)
