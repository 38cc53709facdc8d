"""followup eval --by-source: each source family is read by a model that never saw it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.clirun import invoke

CORPUS = Path(__file__).parents[1] / "nlp" / "corpus"


def _records(name: str, per_kind: int) -> list[dict[str, Any]]:
    """A few records of every kind from one hand-written set, in file order."""
    taken: dict[str, int] = {}
    out = []
    for line in (CORPUS / name).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        kind = record["label"]["kind"]
        if taken.get(kind, 0) < per_kind:
            taken[kind] = taken.get(kind, 0) + 1
            out.append(record)
    return out


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def _tagged(records: list[dict[str, Any]], family: str) -> list[dict[str, Any]]:
    return [{**r, "family": family, "source": f"https://example.org/{family}"} for r in records]


def _mislabelled(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with a kind no reader gives them (an ack called an offer, everything else
    an ack): the held-out family then has errors for the two evaluations to agree on,
    however well the detector reads the real kinds."""
    return [
        {
            **r,
            "label": {
                **r["label"],
                "kind": "offer" if r["label"]["kind"] == "application_ack" else "application_ack",
            },
        }
        for r in records
    ]


def _cli(*args: str, config: Path) -> dict[str, Any]:
    result = invoke([*args, "--json", "--config", str(config)])
    assert result.exit_code == 0, result.stdout
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_each_family_is_read_by_a_model_trained_on_the_others_only(tmp_path: Path) -> None:
    own = _records("set_a.jsonl", 2)  # no "family": its file's stem, "mini"
    vendor_x = _tagged(_mislabelled(_records("set_b.jsonl", 2)), "vendor-x")
    vendor_y = _tagged(_records("set_c.jsonl", 2), "vendor-y")
    _write(tmp_path / "all" / "mini.jsonl", own)
    _write(tmp_path / "all" / "public.jsonl", vendor_x + vendor_y)
    config = tmp_path / "none.toml"

    report = _cli("eval", str(tmp_path / "all"), "--by-source", "--jobs", "2", config=config)

    lofo = report["by_source"]
    assert lofo["total"] == len(own) + len(vendor_x) + len(vendor_y)
    assert [(f["family"], f["items"]) for f in lofo["families"]] == [
        ("mini", len(own)),
        ("vendor-x", len(vendor_x)),
        ("vendor-y", len(vendor_y)),
    ]
    dev = [r for r in own + vendor_x + vendor_y if r.get("split") == "dev"]
    assert report["dev"]["total"] == len(dev)
    assert 0.0 <= lofo["date_given_where_none"]["rate"] <= 1.0

    # The same as training by hand without vendor-x and reading vendor-x with that model.
    _write(tmp_path / "without_x" / "mini.jsonl", own)
    _write(tmp_path / "without_x" / "public.jsonl", vendor_y)
    _write(tmp_path / "only_x" / "public.jsonl", vendor_x)
    model = tmp_path / "model"
    _cli(
        "train",
        "--corpus",
        str(tmp_path / "without_x"),
        "--split",
        "all",
        "--out",
        str(model),
        config=config,
    )
    alone = _cli(
        "eval", str(tmp_path / "only_x"), "--split", "all", "--model", str(model), config=config
    )
    x_sources = {f"public.jsonl:{r['id']}" for r in vendor_x}
    held_out = [e for e in lofo["errors"] if e["source"] in x_sources]
    assert alone["errors"], "the small model should miss some: the comparison says nothing"
    assert held_out == alone["errors"]
    x_family = next(f for f in lofo["families"] if f["family"] == "vendor-x")
    assert x_family["accuracy"] == alone["accuracy"]


def test_a_bad_family_field_is_a_usage_error(tmp_path: Path) -> None:
    _write(tmp_path / "c" / "x.jsonl", [{**_records("seed.jsonl", 1)[0], "family": ""}])
    result = invoke(
        ["eval", str(tmp_path / "c"), "--by-source", "--config", str(tmp_path / "none.toml")]
    )
    assert result.exit_code == 2
    assert "family" in result.output
