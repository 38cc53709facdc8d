"""Analysing stored messages on a real SQLite database: pending, outbound, re-analysis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.language import Language
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import nlp
from watcher.analysis import analyse_pending, reanalyse
from watcher.store.db import open_database, transaction
from watcher.store.tables import Account, Folder, StoredDetection, StoredMessage

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'test.db'}")


@pytest.fixture(scope="module")
def pipeline() -> Language:
    return nlp.load()


def _message(folder: Folder, uid: int, text: str, **kw: object) -> StoredMessage:
    values: dict[str, object] = {
        "account_id": folder.account_id,
        "folder_id": folder.id,
        "uid": uid,
        "message_id": f"<{uid}@test>",
        "message_key": f"key{uid}",
        "sender_name": "Jane Doe",
        "sender_email": "jane.doe@acme.com",
        "sent_at": datetime(2026, 3, 3, 15, tzinfo=UTC),
        "subject": "Re: interview",
        "text": text,
        "new_text": text,
        "stored_at": NOW,
    }
    values.update(kw)
    return StoredMessage(**values)


def _seed(session: Session) -> None:
    account = Account(name="personal")
    session.add(account)
    session.flush()
    folder = Folder(account_id=account.id, name="INBOX")
    session.add(folder)
    session.flush()
    session.add_all(
        [
            _message(folder, 1, "Thanks for coming in, we'll get back to you by Friday."),
            _message(folder, 2, "Thanks, talk soon!", direction="out"),
            _message(folder, 3, "", parse_error="unparseable MIME"),
            _message(folder, 4, "Your daily digest", ours=True),
        ]
    )


def test_only_parsed_inbound_mail_is_analysed(
    sessions: sessionmaker[Session], pipeline: Language
) -> None:
    with transaction(sessions) as session:
        _seed(session)
    with transaction(sessions) as session:
        assert analyse_pending(session, pipeline, NOW) == 1
    with transaction(sessions) as session:
        rows = session.execute(
            select(StoredMessage.uid, StoredDetection.kind).join(
                StoredDetection, StoredDetection.message_id == StoredMessage.id
            )
        ).all()
        assert rows == [(1, "feedback_promise")]
        assert analyse_pending(session, pipeline, NOW) == 0


def test_reanalyse_redoes_detections_of_another_model_version(
    sessions: sessionmaker[Session], pipeline: Language
) -> None:
    with transaction(sessions) as session:
        _seed(session)
        session.flush()
        analyse_pending(session, pipeline, NOW)
    with transaction(sessions) as session:
        assert reanalyse(session, pipeline, NOW) == 0
        row = session.scalars(select(StoredDetection)).one()
        row.model_version = "older"
    with transaction(sessions) as session:
        assert reanalyse(session, pipeline, NOW) == 1
        row = session.scalars(select(StoredDetection)).one()
        assert row.model_version == pipeline.meta["followup_model_version"]
        assert row.facts["feedback_by"] == "2026-03-06"
