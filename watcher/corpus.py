"""The labelled corpus (nlp/corpus/*.jsonl) as real mail: records -> RFC 822 bytes -> Email.

Each record goes through ``watcher.mail.parse_message`` and ``to_nlp_email``, the
same path as production mail, so the detector is trained and measured on what it
will see. The format is documented in nlp/corpus/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from nlp.labels import Label, parse_label
from nlp.types import Email
from watcher.errors import UsageError
from watcher.mail import parse_message, to_nlp_email

CORPUS_DIR = Path(__file__).resolve().parent.parent / "nlp" / "corpus"
SPLITS = ("train", "dev", "all")


@dataclass(frozen=True)
class Example:
    """One labelled email: where it came from, the Email, and what it should give."""

    source: str
    email: Email
    label: Label
    split: str = "train"
    family: str = ""  # the source family whose wording it follows (default: its file's stem)
    origin: str | None = None  # the public source's URL or repository path, if any


def record_to_bytes(record: dict[str, Any]) -> bytes:
    """A corpus record as RFC 822 bytes (multipart/alternative when both bodies exist)."""
    message = EmailMessage()
    for name, value in (record.get("headers") or {}).items():
        if value is not None:
            message[name] = str(value)
    if "Message-ID" not in message:
        message["Message-ID"] = f"<{record.get('id', 'corpus')}@corpus.followup>"
    text = record.get("text")
    html = record.get("html")
    if text is not None:
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content("")
    return message.as_bytes(policy=SMTP)


def record_to_email(record: dict[str, Any]) -> Email:
    parsed = parse_message(record_to_bytes(record), frozenset(), None)
    return to_nlp_email(parsed)


def _jsonl_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.jsonl") if p.name != "labels.jsonl")


def read_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(source, record) for every line of every corpus file under ``path``."""
    for file in _jsonl_files(path):
        with file.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UsageError(f"{file}:{number}: not JSON ({exc.msg})") from exc
                yield f"{file.name}:{record.get('id', number)}", record


def load_corpus(path: Path = CORPUS_DIR, split: str = "all") -> list[Example]:
    """Labelled examples from JSONL corpus files, or from a directory of .eml + labels.jsonl."""
    if split not in SPLITS:
        raise UsageError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    if path.is_dir() and (path / "labels.jsonl").is_file():
        return load_eml_dir(path)
    examples: list[Example] = []
    for source, record in read_records(path):
        record_split = str(record.get("split", "train"))
        if split != "all" and record_split != split:
            continue
        try:
            label = parse_label(record.get("label") or {})
        except ValueError as exc:
            raise UsageError(f"{source}: bad label ({exc})") from exc
        family, origin = _family(source, record)
        examples.append(
            Example(source, record_to_email(record), label, record_split, family, origin)
        )
    return examples


def _family(source: str, record: dict[str, Any]) -> tuple[str, str | None]:
    """(family, origin) of a record: its "family" and "source", or its file's stem."""
    family = record.get("family")
    origin = record.get("source")
    if family is not None and (not isinstance(family, str) or not family.strip()):
        raise UsageError(f'{source}: "family" must be a non-empty string')
    if origin is not None and not isinstance(origin, str):
        raise UsageError(f'{source}: "source" must be a string (a URL or repository path)')
    return family or Path(source.split(":", 1)[0]).stem, origin


def load_eml_dir(path: Path) -> list[Example]:
    """``labels.jsonl`` lines ``{"file": "x.eml", "label": {...}}`` beside the .eml files."""
    examples: list[Example] = []
    for source, record in read_records(path / "labels.jsonl"):
        name = str(record.get("file", ""))
        raw = (path / name).read_bytes()
        parsed = parse_message(raw, frozenset(), _arrival(path / name))
        label = parse_label(record.get("label") or {})
        family, origin = _family(f"{path.name}:{name}", record)
        examples.append(Example(name or source, to_nlp_email(parsed), label, "dev", family, origin))
    return examples


def _arrival(path: Path) -> datetime:
    """A stand-in arrival time (the file's mtime) for mail without a usable Date."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def training_pairs(examples: Iterable[Example]) -> list[tuple[Email, str]]:
    return [(example.email, example.label.kind.value) for example in examples]
