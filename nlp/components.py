"""The pipeline's components: cue matching, the classifier's features, and the decision."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import numpy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.ml.models.textcat import resize_and_set_ref
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, Span
from spacy.util import registry
from thinc.api import Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted
from thinc.types import Floats2d

from nlp import patterns as P
from nlp.types import Email

CUES_KEY = "followup_cues"
SUBJECT_PREFIX = "subj:"

# Extensions: the email a doc was made from, the classifier's non-word features,
# and what the decision component read out of it.
for _name in ("followup_email", "followup_signals", "followup_result", "followup_subject_end"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)

_FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.com",
        "fastmail.com",
        "fastmail.fm",
        "zoho.com",
        "yandex.com",
        "hey.com",
        "tutanota.com",
        "qq.com",
        "163.com",
        "rediffmail.com",
    ]
)
# Applicant-tracking and job-board systems: they send for a company, they are not one.
_ATS = (
    "greenhouse",
    "lever.co",
    "workday",
    "myworkday",
    "smartrecruiters",
    "icims",
    "ashbyhq",
    "jobvite",
    "taleo",
    "bamboohr",
    "workable",
    "teamtailor",
    "recruitee",
    "personio",
    "successfactors",
    "applytojob",
    "jazzhr",
    "breezy",
    "pinpointhq",
    "recruiterbox",
    "rippling",
    "gusto",
    "comeet",
    "hirebridge",
    "paylocity",
    "ukg",
    "ultipro",
    "oraclecloud",
    "brassring",
    "avature",
    "phenom",
    "eightfold",
    "hibob",
    "dover",
    "wellfound",
    "linkedin",
    "indeed",
    "glassdoor",
    "ziprecruiter",
    "monster",
    "hired.com",
    "otta",
    "goodtime",
    "calendly",
    "modernloop",
    "gem.com",
    "beamery",
    "hirevue",
    "docusign",
)
_ROLE_LOCAL_PARTS = (
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "notifications",
    "notification",
    "careers",
    "career",
    "jobs",
    "recruiting",
    "recruitment",
    "talent",
    "hr",
    "hiring",
    "people",
    "mailer",
    "bewerbung",
    "apply",
    "info",
    "alerts",
    "alert",
    "news",
    "newsletter",
    "marketing",
    "support",
    "hello",
    "team",
)


def is_free_mail(domain: str) -> bool:
    return domain.lower() in _FREE_MAIL


def is_ats(domain: str) -> bool:
    domain = domain.lower()
    return any(name in domain for name in _ATS)


def is_role_address(local: str) -> bool:
    local = local.lower()
    return any(local == r or local.startswith(r) or local.endswith(r) for r in _ROLE_LOCAL_PARTS)


def sender_signals(email: Email) -> list[str]:
    """Features of the sender and headers, for the classifier."""
    signals: list[str] = []
    local, _, domain = email.sender_email.lower().rpartition("@")
    if domain:
        if is_free_mail(domain):
            signals.append("snd:freemail")
        elif is_ats(domain):
            signals.append("snd:ats")
        else:
            signals.append("snd:own_domain")
        if is_role_address(local):
            signals.append("snd:role")
    headers = email.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        signals.append("hdr:auto_submitted")
    if "x-autoreply" in headers or "x-autorespond" in headers:
        signals.append("hdr:autoreply")
    if "list-unsubscribe" in headers or "list-id" in headers:
        signals.append("hdr:list")
    if headers.get("precedence", "").strip().lower() in {"bulk", "list", "junk"}:
        signals.append("hdr:bulk")
    subject = email.subject.strip().lower()
    if subject.startswith(("re:", "aw:", "sv:")):
        signals.append("subj:is_reply")
    if subject.startswith(("fw:", "fwd:")):
        signals.append("subj:is_forward")
    return signals


def sentence_ids(doc: Doc) -> list[int]:
    """A sentence number per token: a new one after . ! ? and after a blank line.

    Hard-wrapped plain text breaks lines mid-sentence, so a single newline is no
    boundary; a line that starts with a bullet or ends a short heading is.
    """
    ids: list[int] = []
    current = 0
    previous_ends = False
    for tok in doc:
        if previous_ends:
            current += 1
            previous_ends = False
        ids.append(current)
        text = tok.text
        if tok.is_space:
            previous_ends = text.count("\n") >= 2 or ("\n" in text and _short_line_before(tok))
        elif text in {".", "!", "?", "...", "…", ";"} or (
            text.endswith((".", "!", "?")) and len(text) > 1 and not tok.like_url
        ):
            previous_ends = True
        elif tok.whitespace_ == "" and tok.i + 1 < len(doc) and "\n" in doc[tok.i + 1].text:
            previous_ends = False
    return ids


def _short_line_before(space: Any) -> bool:
    """Is the line that this newline ends a short one (a heading, a greeting, a list item)?"""
    doc = space.doc
    start = space.i - 1
    count = 0
    while start >= 0 and "\n" not in doc[start].text:
        count += 1
        start -= 1
        if count > 8:
            return False
    return True


class CueMatcher:
    """Marks cue phrases (``doc.spans["followup_cues"]``) and the classifier's signals."""

    def __init__(self, nlp: Language, name: str, families: Sequence[str]) -> None:
        self.name = name
        self.families = list(families)
        self.matcher = Matcher(nlp.vocab, validate=True)
        by_label: dict[str, list[list[dict[str, Any]]]] = {}
        for pattern in P.all_patterns(self.families):
            by_label.setdefault(pattern["label"], []).append(pattern["pattern"])
        for label, token_patterns in by_label.items():
            self.matcher.add(label, token_patterns, greedy="LONGEST")

    def __call__(self, doc: Doc) -> Doc:
        subject_end = doc._.followup_subject_end or 0
        spans = [
            Span(doc, start, end, label=match_id)
            for match_id, start, end in self.matcher(doc, as_spans=False)
        ]
        spans.sort(key=lambda span: (span.start, span.end))
        doc.spans[CUES_KEY] = spans
        signals: list[str] = ["bias"]
        for span in spans:
            signals.append("cue:" + span.label_)
            if span.end_char <= subject_end:
                signals.append(SUBJECT_PREFIX + span.label_)
        email = doc._.followup_email
        if isinstance(email, Email):
            signals.extend(sender_signals(email))
        doc._.followup_signals = signals
        return doc


@Language.factory(
    "followup_cues",
    default_config={"families": list(P.FAMILIES)},
)
def make_cue_matcher(nlp: Language, name: str, families: list[str]) -> CueMatcher:
    return CueMatcher(nlp, name, families)


# --- the classifier's features -------------------------------------------------------

_MAX_COUNT = 3.0


@registry.layers("followup.extract_features.v1")
def extract_features(ngram_size: int) -> Model[list[Doc], Any]:
    """Lower-case word n-grams plus the cue and sender signals, as sparse (keys, values)."""
    return Model("followup_features", _features_forward, attrs={"ngram_size": ngram_size})


def _doc_keys(doc: Doc, ngram_size: int, ops: Any) -> Any:
    unigrams = numpy.asarray(doc.to_array("LOWER"), dtype="uint64").reshape(-1)
    parts = [unigrams]
    for n in range(2, ngram_size + 1):
        if unigrams.shape[0] >= n:
            parts.append(numpy.asarray(ops.ngrams(n, unigrams), dtype="uint64"))
    signals = doc._.followup_signals or ["bias"]
    parts.append(numpy.asarray([hash_string(s) for s in signals], dtype="uint64"))
    return numpy.concatenate(parts)


def _features_forward(model: Model[list[Doc], Any], docs: list[Doc], is_train: bool) -> Any:
    ngram_size = model.attrs["ngram_size"]
    batch_keys = []
    batch_vals = []
    for doc in docs:
        keys, counts = numpy.unique(_doc_keys(doc, ngram_size, model.ops), return_counts=True)
        batch_keys.append(keys)
        # Long bodies repeat words; capping the count keeps one chatty footer from deciding.
        batch_vals.append(numpy.minimum(counts, _MAX_COUNT).astype("float32"))
    lengths = numpy.asarray([k.shape[0] for k in batch_keys], dtype="int32")
    keys_all = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros(0, dtype="uint64")
    vals_all = numpy.concatenate(batch_vals) if batch_vals else numpy.zeros(0, dtype="float32")

    def backprop(d_output: Any) -> list[Doc]:
        return []

    return (keys_all, vals_all, lengths), backprop


@registry.architectures("followup.TextCatCues.v1")  # type: ignore[untyped-decorator]
def build_textcat_cues(
    exclusive_classes: bool, ngram_size: int, length: int = 262144, nO: int | None = None
) -> Model[list[Doc], Floats2d]:
    """spaCy's bag-of-words textcat, with the cue signals as extra features."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": -5000, "W": 0}
    resizable_layer: Model[Any, Any] = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    model: Model[list[Doc], Floats2d] = chain(extract_features(ngram_size), resizable_layer)
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
    },
}


def cue_labels(doc: Doc) -> list[str]:
    return [span.label_ for span in doc.spans.get(CUES_KEY, [])]


def squash(value: float) -> float:
    """A score in 0..1 from any real number."""
    return 1.0 / (1.0 + math.exp(-value))


def spans_with(doc: Doc, labels: Iterable[str]) -> list[Span]:
    wanted = set(labels)
    return [span for span in doc.spans.get(CUES_KEY, []) if span.label_ in wanted]
