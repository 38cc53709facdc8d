"""The pipeline's components: cue matching, the classifier's features, and the decision."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import numpy
from spacy.attrs import IDX, IS_SPACE, NORM
from spacy.language import Language
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
for _name in (
    "followup_email",
    "followup_signals",
    "followup_result",
    "followup_subject_end",
    "followup_sentence_ids",
):
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


_SENTENCE_END = frozenset({".", "!", "?", "...", "…", ";"})
_SHORT_LINE = 8


def sentence_ids(doc: Doc) -> list[int]:
    """A sentence number per token (computed by the cue matcher, else here)."""
    ids = doc._.followup_sentence_ids
    if ids is None:
        ids = _sentence_ids([t.norm_ for t in doc], [t.is_space for t in doc])
    return list(ids)


def _sentence_ids(norms: Sequence[str], spaces: Sequence[bool]) -> list[int]:
    """A new sentence after . ! ? and after a blank line.

    Hard-wrapped plain text breaks lines mid-sentence, so a single newline is no
    boundary unless it ends a short line (a heading, a greeting, a list item).
    """
    ids: list[int] = []
    current = 0
    previous_ends = False
    line_length = 0
    for norm, space in zip(norms, spaces, strict=True):
        if previous_ends:
            current += 1
            previous_ends = False
        ids.append(current)
        if space:
            newlines = norm.count("\n")
            previous_ends = newlines >= 2 or (newlines == 1 and line_length <= _SHORT_LINE)
            if newlines:
                line_length = 0
            continue
        line_length += 1
        if norm in _SENTENCE_END or (
            len(norm) > 1 and norm.endswith((".", "!", "?")) and "/" not in norm and "@" not in norm
        ):
            previous_ends = True
    return ids


def _token_regex(tok: dict[str, Any]) -> str:
    """One Matcher token dict as a regular expression over space-joined token norms."""
    norm = tok.get("NORM")
    if norm is None:
        body = r"\S+"
    elif isinstance(norm, str):
        body = re.escape(norm)
    elif "IN" in norm:
        body = "(?:" + "|".join(re.escape(w) for w in norm["IN"]) + ")"
    elif "NOT_IN" in norm:
        body = "(?!(?:" + "|".join(re.escape(w) for w in norm["NOT_IN"]) + r")(?!\S))\S+"
    else:
        body = "(?:" + str(norm["REGEX"]).lstrip("^") + r")\S*"
    op = tok.get("OP")
    if op is None:
        return body + " "
    if op == "?":
        return "(?:" + body + " )?"
    return "(?:" + body + " )" + str(op)  # "{0,N}"


def compile_patterns(token_patterns: list[list[dict[str, Any]]]) -> re.Pattern[str]:
    """The Matcher patterns of one label as one regular expression (leftmost match wins)."""
    alternatives = ["".join(_token_regex(tok) for tok in pattern) for pattern in token_patterns]
    return re.compile("(?<!\\S)(?:" + "|".join(alternatives) + ")")


class CueMatcher:
    """Marks cue phrases (``doc.spans["followup_cues"]``) and the classifier's signals.

    The patterns are spaCy Matcher token patterns (validated as such); they run as one
    compiled regular expression per label over the tokens' norms joined by spaces,
    because the Matcher's gap operators cost about 5 ms a message (measured) where
    this costs a tenth of that.
    """

    def __init__(self, nlp: Language, name: str, families: Sequence[str]) -> None:
        self.name = name
        self.families = list(families)
        by_label: dict[str, list[list[dict[str, Any]]]] = {}
        for pattern in P.all_patterns(self.families):
            by_label.setdefault(pattern["label"], []).append(pattern["pattern"])
        self.regexes = [(label, compile_patterns(pats)) for label, pats in by_label.items()]

    def __call__(self, doc: Doc) -> Doc:
        subject_end = doc._.followup_subject_end or 0
        strings = doc.vocab.strings
        columns = doc.to_array([NORM, IS_SPACE, IDX])
        subject_tokens = int((columns[:, 2] < subject_end).sum()) if len(doc) else 0
        norms = [strings[int(h)] for h in columns[:, 0]] if len(doc) else []
        spaces = [bool(v) for v in columns[:, 1]] if len(doc) else []
        doc._.followup_sentence_ids = _sentence_ids(norms, spaces)
        words = [
            "\u00b6" if space else norm.replace(" ", "_")
            for norm, space in zip(norms, spaces, strict=True)
        ]
        offsets = []
        position = 0
        for word in words:
            offsets.append(position)
            position += len(word) + 1
        text = " ".join(words) + " "
        spans: list[Span] = []
        for label, regex in self.regexes:
            for match in regex.finditer(text):
                end_char = match.end() - 1
                if end_char <= match.start():
                    continue
                start = bisect.bisect_right(offsets, match.start()) - 1
                end = bisect.bisect_left(offsets, end_char)
                spans.append(Span(doc, start, end, label=label))
        spans.sort(key=lambda span: (span.start, span.end))
        doc.spans[CUES_KEY] = spans
        signals: list[str] = ["bias"]
        for span in spans:
            signals.append("cue:" + span.label_)
            if span.end <= subject_tokens:
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
