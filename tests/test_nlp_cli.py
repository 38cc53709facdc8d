"""followup detect / eval / train as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.clirun import invoke, run

GOLDEN = Path(__file__).parent / "golden"
DETECT_KEYS = [
    "file",
    "message_id",
    "kind",
    "confidence",
    "interview_at",
    "interview_tz",
    "feedback_by",
    "no_followup",
    "auto_reply",
    "away_until",
    "company",
    "contact",
    "evidence",
]


def test_detect_json_prints_one_line_per_file_in_order_and_goes_on_after_bad_input(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "not-mail.eml"
    bad.write_bytes(b"")
    files = [GOLDEN / "confirm_calendar.eml", bad, GOLDEN / "feedback_by_friday_with_quote.eml"]
    result = run(["detect", *map(str, files), "--json", "--config", str(tmp_path / "none.toml")])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(f) for f in files]
    assert list(lines[0]) == DETECT_KEYS
    assert lines[0]["kind"] == "interview_confirmation"
    assert lines[0]["interview_at"] == "2026-03-12T15:00"
    assert lines[0]["message_id"].strip("<>") == "confirm_calendar@golden.test"
    assert "error" in lines[1]
    assert lines[2]["feedback_by"] == "2026-03-13"
    assert result.returncode == 2  # bad input was given, though the rest was analysed


def test_detect_table_names_kind_and_dates(tmp_path: Path) -> None:
    result = invoke(
        ["detect", str(GOLDEN / "offer_letter.eml"), "--config", str(tmp_path / "none.toml")]
    )
    assert result.exit_code == 0
    assert "│ offer │" in result.stdout


def test_eval_on_golden_directory_reports_figures(tmp_path: Path) -> None:
    result = invoke(["eval", str(GOLDEN), "--json", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["total"] == len((GOLDEN / "labels.jsonl").read_text().splitlines())
    assert set(report["per_kind"]) >= {"offer", "not_job", "rejection"}
    assert report["macro_f1"] >= 0.9
    assert "feedback_by" in report["dates"]


def test_eval_rejects_an_unknown_split(tmp_path: Path) -> None:
    result = invoke(["eval", str(GOLDEN), "--split", "nope", "--config", str(tmp_path / "x")])
    assert result.exit_code == 2


def test_train_writes_a_model_that_detect_can_use(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(Path(__file__).parents[1] / "nlp" / "corpus" / "seed.jsonl", corpus)
    out = tmp_path / "model"
    config = str(tmp_path / "none.toml")
    trained = invoke(
        ["train", "--corpus", str(corpus), "--out", str(out), "--json", "--config", config]
    )
    assert trained.exit_code == 0, trained.stdout
    assert json.loads(trained.stdout)["model_version"].startswith("textcat-")
    detected = invoke(
        [
            "detect",
            str(GOLDEN / "offer_letter.eml"),
            "--model",
            str(out),
            "--json",
            "--config",
            config,
        ]
    )
    assert json.loads(detected.stdout.splitlines()[0])["kind"] == "offer"
