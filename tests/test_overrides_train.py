"""Relabels as training data: `corrections export` in the corpus format, and
`train --with-corrections` / `--reset` changing what the watcher detects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from nlp.pipeline import load
from nlp.train import parse_label, train
from tests.clirun import invoke
from tests.test_overrides_cli import NOW, Mail, Setup, seed, t, write_config
from watcher.analysis import analyse_pending
from watcher.corpus import load_corpus, training_pairs
from watcher.corrections import active_model, user_model_dir
from watcher.pipeline import shared_analyzer
from watcher.store.db import dispose_all, transaction
from watcher.store.tables import StoredDetection, StoredMessage

SMALL_CORPUS = Path(__file__).resolve().parent.parent / "nlp" / "corpus" / "seed.jsonl"
NINA = "Nina Park <nina@quillfeather.com>"
COLD_OUTREACH = (
    Mail(
        "coffee-1",
        "2026-03-05 10:00",
        NINA,
        "sam@example.net",
        "Coffee chat?",
        "Hi Sam,\n\nI lead the platform team at Quillfeather and loved your talk at PyCon. "
        "Fancy a coffee chat about our open roles? No pressure at all.\n\nNina",
    ),
    Mail(
        "coffee-2",
        "2026-03-06 11:00",
        NINA,
        "sam@example.net",
        "Coffee chat?",
        "Hello Sam,\n\nI run the data team at Quillfeather and enjoyed your blog post. "
        "Fancy a quick coffee chat about open roles here? No pressure.\n\nNina",
    ),
)


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    """Cold outreach stored and detected by a classifier trained on the small seed corpus."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config, database = write_config(tmp_path)
    seed(config, database, COLD_OUTREACH)
    baseline = tmp_path / "baseline-model"
    train(training_pairs(load_corpus(SMALL_CORPUS, "train")), seed=7, out_dir=baseline)
    found = Setup(config, database, tmp_path / "data")
    with transaction(found.sessions()) as session:
        assert analyse_pending(session, load(baseline), t(NOW)) == 2
    dispose_all()
    yield found
    dispose_all()


def kinds(setup: Setup) -> dict[str, str]:
    with transaction(setup.sessions()) as session:
        rows = session.execute(
            select(StoredMessage.message_id, StoredDetection.kind).join(
                StoredDetection, StoredDetection.message_id == StoredMessage.id
            )
        ).all()
    dispose_all()
    return {message_id.split("@")[0]: kind for message_id, kind in rows}


def test_retraining_with_a_correction_changes_its_near_duplicates(setup: Setup) -> None:
    before = kinds(setup)
    # The user reads the chat as an invitation to interview; the detector does not (yet).
    assert before["coffee-2"] != "interview_invitation"
    setup.cli("relabel", "coffee-1@mail.test", "interview_invitation")

    out = setup.cli("train", "--with-corrections", "--corpus", str(SMALL_CORPUS))

    model = user_model_dir(setup.data_home / "followup")
    assert out["out"] == str(model)
    assert out["corrections"] == 1
    assert out["reanalysed"] == 2
    assert active_model() == model
    shared_analyzer.cache_clear()
    try:  # what sync and the service load from now on
        assert shared_analyzer().meta["followup_model_version"] == out["model_version"]
    finally:
        shared_analyzer.cache_clear()
    assert kinds(setup)["coffee-2"] == "interview_invitation"

    reset = setup.cli("train", "--reset")
    assert reset["reset"] is True
    assert not model.exists()
    assert active_model() == "auto"


def test_export_writes_relabels_as_corpus_records(setup: Setup, tmp_path: Path) -> None:
    setup.cli("relabel", "coffee-1@mail.test", "recruiter_reply")
    out_file = tmp_path / "corrections.jsonl"

    out = setup.cli("corrections", "export", "--out", str(out_file))

    assert out == {"out": str(out_file), "records": 1}
    [record] = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert record["split"] == "train"
    assert record["headers"]["From"] == NINA
    assert record["headers"]["Subject"] == "Coffee chat?"
    assert record["headers"]["Date"] == "Thu, 05 Mar 2026 10:00:00 -0500"
    assert parse_label(record["label"]).kind.value == "recruiter_reply"
    [example] = load_corpus(out_file, "train")  # the corpus loader reads it back
    assert "coffee chat" in example.email.text
    assert example.email.sender_email == "nina@quillfeather.com"

    stdout = invoke(["corrections", "export", "--config", str(setup.config)], env=setup.env)
    assert stdout.exit_code == 0, stdout.stderr
    assert [json.loads(line)["id"] for line in stdout.stdout.splitlines()] == [record["id"]]


def test_undone_relabel_is_no_training_data(setup: Setup) -> None:
    setup.cli("relabel", "coffee-1@mail.test", "recruiter_reply")
    setup.cli("undo")
    result = setup.cli("train", "--with-corrections", "--corpus", str(SMALL_CORPUS), code=2)
    assert "no corrections" in result.stderr
    assert not user_model_dir(setup.data_home / "followup").exists()


def test_with_corrections_and_reset_together_is_refused(tmp_path: Path) -> None:
    result = invoke(
        ["train", "--with-corrections", "--reset"], env={"XDG_DATA_HOME": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert "contradict" in result.stderr
