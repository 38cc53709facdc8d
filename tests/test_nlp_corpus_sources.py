"""The public-modelled corpus names its sources: every family has a row in sources/*.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "nlp" / "corpus"


def _public_records() -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted(CORPUS.glob("public_*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_every_public_item_names_its_family_and_source() -> None:
    records = _public_records()
    assert records
    missing = [r["id"] for r in records if not r.get("family") or not r.get("source")]
    assert missing == []


def _table_rows() -> dict[str, str]:
    """First cell (the family) -> last cell (its item count) of every sources table row."""
    rows: dict[str, str] = {}
    for table in (CORPUS / "sources").glob("*.md"):
        for match in re.finditer(r"^\| `?([\w.-]+)`? \|.*\| (\d+) \|$", table.read_text(), re.M):
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_public_family_has_a_sources_row() -> None:
    families = {str(r["family"]) for r in _public_records()}
    assert families - set(_table_rows()) == set()


def test_the_public_d_table_counts_its_items() -> None:
    counts: dict[str, int] = {}
    for line in (CORPUS / "public_more.jsonl").read_text(encoding="utf-8").splitlines():
        family = str(json.loads(line)["family"])
        counts[family] = counts.get(family, 0) + 1
    rows = _table_rows()
    assert {f: int(rows[f]) for f in counts} == counts
