"""Leave one family out: train the textcat without a source family, then read that family.

A family is one source of mail (a template vendor, a site, a writer). Held out whole,
it measures how the detector reads mail written in a style it has never seen, which
a random dev split of one writer's mail hides. The cue docs are built once and every
fold trains a fresh textcat on the others' docs, exactly as ``nlp.train.train`` does.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from nlp.classify import decide
from nlp.labels import Label
from nlp.train import DEFAULT_SEED, cue_docs, cue_language, fit_textcat
from nlp.types import Detection, Email

VERSION = "leave-one-family-out"


@dataclass(frozen=True)
class Item:
    """One labelled email and the source family its wording follows."""

    source: str
    family: str
    email: Email
    label: Label


def families(items: Sequence[Item]) -> list[str]:
    """The families in order of first appearance."""
    return list(dict.fromkeys(item.family for item in items))


def leave_one_family_out(
    items: Sequence[Item], seed: int = DEFAULT_SEED, jobs: int = 1
) -> list[Detection]:
    """Each item's detection by a textcat trained on every other family (input order).

    ``jobs`` > 1 trains that many folds at once in forked processes (the cue docs are
    built once, before the fork). With a single family there is nothing to train on:
    its items are read by the cues alone, as ``--model rules`` would.
    """
    global _FOLDS
    language = cue_language()
    docs = cue_docs(language, (item.email for item in items))
    names = families(items)
    _FOLDS = (language, docs, items, seed)
    try:
        if jobs > 1 and len(names) > 1:
            with multiprocessing.get_context("fork").Pool(min(jobs, len(names))) as pool:
                results = pool.map(_fold, names, chunksize=1)
        else:
            results = [_fold(name) for name in names]
    finally:
        _FOLDS = None
    detections: list[Detection | None] = [None] * len(items)
    for result in results:
        for i, detection in result:
            detections[i] = detection
    return [d for d in detections if d is not None]


# What every fold reads; set before forking so that the workers inherit it.
_FOLDS: tuple[Language, list[Doc], Sequence[Item], int] | None = None


def _fold(family: str) -> list[tuple[int, Detection]]:
    """Train without ``family``, then read it: (item index, detection) pairs."""
    assert _FOLDS is not None
    language, docs, items, seed = _FOLDS
    held = [i for i, item in enumerate(items) if item.family == family]
    rest = [i for i, item in enumerate(items) if item.family != family]
    held_docs = [docs[i] for i in held]
    if rest:
        fitted = fit_textcat(
            language, [docs[i] for i in rest], [items[i].label.kind for i in rest], seed=seed
        )
        with language.use_params(fitted.optimizer.averages):
            scores = fitted.textcat.predict(held_docs)
        fitted.textcat.set_annotations(held_docs, scores)
    return [
        (i, decide(doc, items[i].email, VERSION)) for i, doc in zip(held, held_docs, strict=True)
    ]
