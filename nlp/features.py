"""The classifier's features and architecture: word n-grams plus cue and sender signals."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted
from thinc.types import Floats2d

_MAX_COUNT = 3.0


@registry.layers("followup.extract_features.v1")
def extract_features(ngram_size: int, signal_weight: float = 1.0) -> Model[list[Doc], Any]:
    """Lower-case word n-grams plus the cue and sender signals, as sparse (keys, values)."""
    return Model(
        "followup_features",
        _features_forward,
        attrs={"ngram_size": ngram_size, "signal_weight": signal_weight},
    )


def _ngram_keys(doc: Doc, ngram_size: int, ops: Any) -> Any:
    unigrams = numpy.asarray(doc.to_array("LOWER"), dtype="uint64").reshape(-1)
    parts = [unigrams]
    for n in range(2, ngram_size + 1):
        if unigrams.shape[0] >= n:
            parts.append(numpy.asarray(ops.ngrams(n, unigrams), dtype="uint64"))
    return numpy.concatenate(parts)


_SIGNAL_KEYS: dict[str, int] = {}


def _signal_key(signal: str) -> int:
    key = _SIGNAL_KEYS.get(signal)
    if key is None:
        key = _SIGNAL_KEYS[signal] = int(hash_string(signal))
    return key


def _features_forward(model: Model[list[Doc], Any], docs: list[Doc], is_train: bool) -> Any:
    ngram_size = model.attrs["ngram_size"]
    weight = float(model.attrs.get("signal_weight", 1.0))
    batch_keys = []
    batch_vals = []
    for doc in docs:
        keys, counts = numpy.unique(_ngram_keys(doc, ngram_size, model.ops), return_counts=True)
        signals = doc.user_data.get("followup_signals") or ["bias"]
        sig_keys, sig_counts = numpy.unique(
            numpy.asarray([_signal_key(s) for s in signals], dtype="uint64"), return_counts=True
        )
        batch_keys.append(numpy.concatenate([keys, sig_keys]))
        # Long bodies repeat words; capping the count keeps one chatty footer from deciding.
        batch_vals.append(
            numpy.concatenate(
                [numpy.minimum(counts, _MAX_COUNT), numpy.minimum(sig_counts, _MAX_COUNT) * weight]
            ).astype("float32")
        )
    lengths = numpy.asarray([k.shape[0] for k in batch_keys], dtype="int32")
    keys_all = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros(0, dtype="uint64")
    vals_all = numpy.concatenate(batch_vals) if batch_vals else numpy.zeros(0, dtype="float32")

    def backprop(d_output: Any) -> list[Doc]:
        return []

    return (keys_all, vals_all, lengths), backprop


@registry.architectures("followup.TextCatCues.v1")  # type: ignore[untyped-decorator]
def build_textcat_cues(
    exclusive_classes: bool,
    ngram_size: int,
    length: int = 262144,
    signal_weight: float = 1.0,
    nO: int | None = None,
) -> Model[list[Doc], Floats2d]:
    """spaCy's bag-of-words textcat, with the cue signals as extra features."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": -5000, "W": 0}
    resizable_layer: Model[Any, Any] = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    model: Model[list[Doc], Floats2d] = chain(
        extract_features(ngram_size, signal_weight), resizable_layer
    )
    model = with_cpu(model, model.ops)
    model = chain(model, with_cpu(softmax_activation(), model.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(resize_and_set_ref, resizable_layer=resizable_layer)
    return model


TEXTCAT_CONFIG: dict[str, Any] = {
    "threshold": 0.0,
    "model": {
        "@architectures": "followup.TextCatCues.v1",
        "exclusive_classes": True,
        "ngram_size": 2,
        "length": 131072,
        # The cue and sender signals generalise where word n-grams memorise one author.
        "signal_weight": 4.0,
    },
}
