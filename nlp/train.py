"""Train the kind classifier reproducibly (from a fixed seed) on (Email, kind) pairs.

``followup train`` reads the corpus (watcher.corpus turns records into Email objects
through the production mail parser) and calls ``train``; nlp never reads the corpus
files itself, so it never needs the watcher package.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example as SpacyExample
from spacy.util import fix_random_seed, minibatch  # type: ignore[attr-defined]
from thinc.api import Adam

import nlp.classify
import nlp.components  # noqa: F401  (registers the cue factory)
from nlp.features import TEXTCAT_CONFIG
from nlp.labels import Label as Label  # re-exported: callers read labels through nlp.train
from nlp.labels import parse_label as parse_label
from nlp.pipeline import MODEL_DIR, make_doc
from nlp.types import Email, Kind

DEFAULT_SEED = 7
DEFAULT_EPOCHS = 8
DEFAULT_LEARN_RATE = 0.003
DEFAULT_L2 = 0.01
BATCH_SIZE = 32


@dataclass(frozen=True)
class TrainResult:
    out_dir: Path
    model_version: str
    examples: int
    losses: list[float]


@dataclass
class Fitted:
    """A textcat trained in a language, with the averaged weights to predict with."""

    textcat: Any
    optimizer: Any
    losses: list[float]


def cue_language() -> Language:
    """A blank pipeline with the cue component: it prepares the textcat's documents."""
    language = spacy.blank("en")
    language.add_pipe("followup_cues")
    return language


def cue_docs(language: Language, emails: Iterable[Email]) -> list[Doc]:
    """The documents the textcat reads: composed text, cues and signals."""
    cues = language.get_pipe("followup_cues")
    return [cues(make_doc(language, email)) for email in emails]


def fit_textcat(
    language: Language,
    docs: Sequence[Doc],
    golds: Sequence[Kind | str],
    seed: int = DEFAULT_SEED,
    epochs: int = DEFAULT_EPOCHS,
    learn_rate: float = DEFAULT_LEARN_RATE,
    l2: float = DEFAULT_L2,
    averages: bool = True,
    batch_size: int = BATCH_SIZE,
) -> Fitted:
    """Train a fresh "textcat" pipe of ``language`` on cue docs and their kinds.

    Deterministic: the seed fixes the initial weights and the shuffling, and the
    model has no dropout. The docs are not changed, so they can be reused.
    """
    fix_random_seed(seed)
    if "textcat" in language.pipe_names:
        language.remove_pipe("textcat")
    textcat: Any = language.add_pipe("textcat", config=TEXTCAT_CONFIG)
    for kind in Kind:
        textcat.add_label(kind.value)
    data: list[SpacyExample] = []
    for doc, gold in zip(docs, golds, strict=True):
        cats = {k.value: 1.0 if k.value == Kind(gold).value else 0.0 for k in Kind}
        data.append(SpacyExample.from_dict(doc, {"cats": cats}))
    optimizer = Adam(
        learn_rate=learn_rate, L2=l2, L2_is_weight_decay=True, grad_clip=1.0, use_averages=averages
    )
    language.initialize(lambda: data, sgd=optimizer)
    shuffler = random.Random(seed)
    losses: list[float] = []
    for _ in range(epochs):
        shuffler.shuffle(data)
        epoch_losses: dict[str, float] = {}
        for batch in minibatch(data, size=batch_size):  # type: ignore[no-untyped-call]
            textcat.update(batch, sgd=optimizer, losses=epoch_losses)
        losses.append(round(epoch_losses.get("textcat", 0.0), 6))
    return Fitted(textcat=textcat, optimizer=optimizer, losses=losses)


def train(
    examples: Sequence[tuple[Email, Kind | str]],
    seed: int = DEFAULT_SEED,
    out_dir: Path = MODEL_DIR,
    epochs: int = DEFAULT_EPOCHS,
    learn_rate: float = DEFAULT_LEARN_RATE,
    l2: float = DEFAULT_L2,
    averages: bool = True,
) -> TrainResult:
    """Train the textcat on (email, kind) pairs and write it to ``out_dir``.

    The same examples and seed give the same bytes on disk.
    """
    if not examples:
        raise ValueError("no training examples")
    language = cue_language()
    docs = cue_docs(language, (email for email, _ in examples))
    fitted = fit_textcat(
        language,
        docs,
        [gold for _, gold in examples],
        seed=seed,
        epochs=epochs,
        learn_rate=learn_rate,
        l2=l2,
        averages=averages,
    )
    with language.use_params(fitted.optimizer.averages):
        language.remove_pipe("followup_cues")
        weights = fitted.textcat.to_bytes(exclude=["vocab"])
        version = "textcat-" + hashlib.sha256(weights).hexdigest()[:12]
        language.meta["name"] = "followup_detector"
        language.meta["version"] = "1.0.0"
        language.meta["followup_model_version"] = version
        language.meta["followup_trained_on"] = len(examples)
        language.meta["followup_seed"] = seed
        _write_atomically(language, out_dir)
    return TrainResult(
        out_dir=out_dir, model_version=version, examples=len(docs), losses=fitted.losses
    )


def _write_atomically(language: Any, out_dir: Path) -> None:
    """Replace ``out_dir`` with the new model only once it is completely written."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".model-", dir=out_dir.parent))
    language.to_disk(staging)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    staging.rename(out_dir)
