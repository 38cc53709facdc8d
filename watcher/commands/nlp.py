"""The detector's commands: detect (.eml files), eval (labelled mail), train (the classifier)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from nlp.types import Detection, Email
from watcher.commands.context import console, print_json, print_json_line, print_table, state
from watcher.errors import MessageParseError, UsageError
from watcher.terminal import printable

DETECT_KEYS = (
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
)
_CHUNK = 64
_SHORT = {
    "application_ack": "ack",
    "interview_invitation": "invite",
    "interview_confirmation": "confirm",
    "feedback_promise": "promise",
    "rejection": "reject",
    "offer": "offer",
    "recruiter_reply": "reply",
    "not_job": "not_job",
}


def contact_text(detection: Detection) -> str | None:
    if detection.contact_name and detection.contact_email:
        return f"{detection.contact_name} <{detection.contact_email}>"
    return detection.contact_email or detection.contact_name or None


def detection_row(file: str, message_id: str, detection: Detection) -> dict[str, Any]:
    """One line of ``detect --json`` (DESIGN, detection contract)."""
    return {
        "file": file,
        "message_id": message_id,
        "kind": detection.kind.value,
        "confidence": round(detection.confidence, 3),
        "interview_at": detection.interview_at_text(),
        "interview_tz": detection.interview_tz,
        "feedback_by": detection.feedback_by.isoformat() if detection.feedback_by else None,
        "no_followup": detection.no_followup,
        "auto_reply": detection.auto_reply,
        "away_until": detection.away_until.isoformat() if detection.away_until else None,
        "company": detection.company,
        "contact": contact_text(detection),
        "evidence": [{"label": e.label, "text": e.text} for e in detection.evidence],
    }


def _read(path: Path, own: frozenset[str]) -> tuple[str, Email]:
    """(message_id, Email) of one file; MessageParseError or UsageError says why not."""
    try:
        raw = path.read_bytes()
        arrived = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except IsADirectoryError:
        raise UsageError("is a directory") from None
    except OSError as exc:
        raise UsageError(exc.strerror or str(exc)) from exc
    # imported when used: the mail parser (lxml, html_text) costs ~0.1 s at every start
    from watcher.mail import parse_message, to_nlp_email

    message = parse_message(raw, own, arrived)
    return message.message_id, to_nlp_email(message)


def _chunks(files: list[Path], size: int) -> Iterator[list[Path]]:
    for start in range(0, len(files), size):
        yield files[start : start + size]


def detect(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=".eml files to analyse.", show_default=False)],
    model: Annotated[
        str, typer.Option("--model", help="'auto' (shipped), 'rules' (no classifier) or a path.")
    ] = "auto",
) -> None:
    """Analyse .eml files without touching the database: kind, dates, flags, company."""
    app = state(ctx)
    settings = app.settings_or_defaults()
    own = frozenset(a for account in settings.accounts for a in account.own_addresses)
    from nlp.pipeline import analyze_many, load

    language = load(model)  # once per call, whatever the number of files
    rows: list[dict[str, Any]] = []
    failed = 0
    for chunk in _chunks(list(files), _CHUNK):
        parsed: list[tuple[Path, str, Email] | tuple[Path, str]] = []
        for path in chunk:
            try:
                message_id, email = _read(path, own)
                parsed.append((path, message_id, email))
            except (MessageParseError, UsageError) as exc:
                parsed.append((path, str(exc)))
        emails = [item[2] for item in parsed if len(item) == 3]
        detections = iter(analyze_many(emails, language))
        for item in parsed:
            if len(item) == 3:
                row = detection_row(str(item[0]), item[1], next(detections))
            else:
                failed += 1
                row = {"file": str(item[0]), "error": item[1]}
            if app.json_output:
                print_json_line(row)
            else:
                rows.append(row)
    if not app.json_output:
        _print_detections(rows)
    if failed:
        raise typer.Exit(2)


def _print_detections(rows: list[dict[str, Any]]) -> None:
    table_rows = []
    for row in rows:
        if "error" in row:
            table_rows.append({"file": Path(row["file"]).name, "kind": "error: " + row["error"]})
            continue
        flags = [name for name in ("no_followup", "auto_reply") if row[name]]
        table_rows.append(
            {
                **row,
                "file": Path(row["file"]).name,
                "confidence": f"{row['confidence']:.2f}",
                "flags": ", ".join(flags),
                "interview_at": " ".join(
                    v for v in (row["interview_at"], row["interview_tz"]) if v
                ),
            }
        )
    print_table(
        table_rows,
        (
            "file",
            "kind",
            "confidence",
            "interview_at",
            "feedback_by",
            "away_until",
            "flags",
            "company",
        ),
    )


def evaluate_cmd(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Corpus .jsonl file or directory (default: the bundled corpus), "
            "or a directory of .eml files with labels.jsonl.",
            show_default=False,
        ),
    ] = None,
    split: Annotated[str, typer.Option("--split", help="dev, train or all.")] = "dev",
    model: Annotated[
        str, typer.Option("--model", help="'auto' (shipped), 'rules' (no classifier) or a path.")
    ] = "auto",
    errors: Annotated[
        bool, typer.Option("--errors", help="List every example the detector got wrong.")
    ] = False,
    by_source: Annotated[
        bool,
        typer.Option(
            "--by-source",
            help="Also leave one source family out: train on all other families, read it.",
        ),
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, help="Folds trained at once with --by-source.")
    ] = 2,
) -> None:
    """Measure the detector on labelled mail: per-kind F1, confusion matrix, date accuracy."""
    if by_source:
        _evaluate_by_source(ctx, path, split, model, errors, jobs)
        return
    from nlp.evaluate import evaluate
    from nlp.pipeline import analyze_many, load
    from watcher.corpus import CORPUS_DIR, load_corpus

    examples = load_corpus(path or CORPUS_DIR, split)
    if not examples:
        raise UsageError(f"no labelled examples in {path or CORPUS_DIR} for split {split!r}")
    detections = analyze_many([e.email for e in examples], load(model))
    report = evaluate((e.source, e.label, d) for e, d in zip(examples, detections, strict=True))
    if state(ctx).json_output:
        print_json(report.as_dict())
        return
    _print_report(report.as_dict(), errors)


def _evaluate_by_source(
    ctx: typer.Context, path: Path | None, split: str, model: str, errors: bool, jobs: int
) -> None:
    """The usual split's figures beside leave-one-family-out figures over every split."""
    from nlp.crossval import Item, families, leave_one_family_out
    from nlp.evaluate import evaluate
    from nlp.pipeline import analyze_many, load
    from watcher.corpus import CORPUS_DIR, load_corpus

    corpus = path or CORPUS_DIR
    examples = load_corpus(corpus, "all")
    if not examples:
        raise UsageError(f"no labelled examples in {corpus}")
    held = [e for e in examples if split == "all" or e.split == split]
    dev = None
    if held:
        detections = analyze_many([e.email for e in held], load(model))
        dev = evaluate((e.source, e.label, d) for e, d in zip(held, detections, strict=True))
    items = [Item(e.source, e.family, e.email, e.label) for e in examples]
    pooled = leave_one_family_out(items, jobs=jobs)
    report = evaluate((i.source, i.label, d) for i, d in zip(items, pooled, strict=True))
    per_family = []
    for family in families(items):
        rows = [(i, d) for i, d in zip(items, pooled, strict=True) if i.family == family]
        right = sum(i.label.kind is d.kind for i, d in rows)
        per_family.append(
            {"family": family, "items": len(rows), "accuracy": round(right / len(rows), 4)}
        )
    result = {
        "split": split,
        "dev": dev.as_dict() if dev else None,
        "by_source": {**report.as_dict(), "families": per_family},
    }
    if state(ctx).json_output:
        print_json(result)
        return
    _print_by_source(result, errors)


# The figures the README's table shows, as key paths into a report.
_HEADLINE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("accuracy", ("accuracy",)),
    ("macro-F1", ("macro_f1",)),
    ("feedback_by exact", ("dates", "feedback_by", "exact")),
    ("interview date exact", ("dates", "interview_at_date", "exact")),
    ("no_followup precision", ("flags", "no_followup", "precision")),
    ("no_followup recall", ("flags", "no_followup", "recall")),
    ("date given where none", ("date_given_where_none", "rate")),
)


def _figure(report: dict[str, Any] | None, keys: tuple[str, ...]) -> str:
    value: Any = report
    for key in keys:
        if value is None:
            break
        value = value.get(key)
    return "-" if value is None else f"{value:.3f}"


def _print_by_source(result: dict[str, Any], show_errors: bool) -> None:
    lofo, dev = result["by_source"], result["dev"]
    console().print(
        f"leave one family out: {lofo['total']} examples in {len(lofo['families'])} families, "
        "each read by a classifier trained on all the others",
        highlight=False,
    )
    print_table(
        [
            {
                "measure": name,
                f"{result['split']} split": _figure(dev, keys),
                "by source": _figure(lofo, keys),
            }
            for name, keys in _HEADLINE
        ],
        ("measure", f"{result['split']} split", "by source"),
        title="headline",
    )
    print_table(
        [{"kind": kind, **values} for kind, values in lofo["per_kind"].items()],
        ("kind", "precision", "recall", "f1", "support"),
        title="per kind (by source)",
    )
    print_table(lofo["families"], ("family", "items", "accuracy"), title="per family")
    if show_errors:
        for error in lofo["errors"]:
            console().print(f"{error['source']}: {error['wrong']}", highlight=False)


def _print_report(report: dict[str, Any], show_errors: bool) -> None:
    out = console()
    out.print(
        f"{report['total']} examples  accuracy {report['accuracy']:.3f}  "
        f"macro-F1 {report['macro_f1']:.3f}"
    )
    print_table(
        [{"kind": kind, **values} for kind, values in report["per_kind"].items()],
        ("kind", "precision", "recall", "f1", "support"),
        title="per kind",
    )
    kinds = list(report["confusion"])
    short = {kind: _SHORT.get(kind, kind[:6]) for kind in kinds}
    print_table(
        [
            {"gold": short[gold], **{short[p]: n for p, n in row.items()}}
            for gold, row in report["confusion"].items()
        ],
        ("gold", *short.values()),
        title="confusion (rows: gold)",
    )
    print_table(
        [{"fact": name, **values} for name, values in report["dates"].items()],
        ("fact", "exact", "n", "gold", "predicted"),
        title="dates (exact over examples where either side has one)",
    )
    print_table(
        [{"flag": name, **values} for name, values in report["flags"].items()],
        ("flag", "precision", "recall", "gold", "predicted"),
        title="flags",
    )
    out.print(f"company accuracy {report['company_accuracy']:.3f}")
    if show_errors:
        for error in report["errors"]:
            out.print(
                printable(f"{error['source']}: {error['wrong']}"), highlight=False, markup=False
            )


def train_cmd(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None, typer.Option("--corpus", help="Corpus file or directory.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Model directory (default: the package's).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    split: Annotated[str, typer.Option("--split", help="Train on 'train' or 'all'.")] = "train",
    with_corrections: Annotated[
        bool,
        typer.Option(
            "--with-corrections",
            help="Add your relabels and train your own model (user data dir), used from then on.",
        ),
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Remove your own model: use the shipped one again.")
    ] = False,
) -> None:
    """Retrain the kind classifier from the corpus (reproducible for a given seed)."""
    from nlp.pipeline import MODEL_DIR
    from nlp.train import train
    from watcher.corpus import CORPUS_DIR, load_corpus, training_pairs

    if split not in ("train", "all"):
        raise UsageError(f"--split must be 'train' or 'all', not {split!r}")
    if with_corrections and reset:
        raise UsageError("--with-corrections and --reset contradict each other; give one")
    if with_corrections or reset:
        from watcher.commands.overrides import train_user_model

        train_user_model(ctx, corpus=corpus, out=out, seed=seed, split=split, reset=reset)
        return
    examples = load_corpus(corpus or CORPUS_DIR, split)
    if not examples:
        raise UsageError(f"no training examples in {corpus or CORPUS_DIR}")
    result = train(training_pairs(examples), seed=seed, out_dir=out or MODEL_DIR)
    summary = {
        "model_version": result.model_version,
        "examples": result.examples,
        "out": str(result.out_dir),
        "seed": seed,
        "final_loss": result.losses[-1] if result.losses else None,
    }
    if state(ctx).json_output:
        print_json(summary)
    else:
        console().print(
            f"trained {result.model_version} on {result.examples} examples -> {result.out_dir}"
        )


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)
    app.command("eval")(evaluate_cmd)
    app.command("train")(train_cmd)
