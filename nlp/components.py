"""The pipeline's components: cue matching, the classifier's features, and the decision."""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any, NamedTuple

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

from nlp import dates
from nlp import patterns as P
from nlp.types import Email

log = logging.getLogger(__name__)

CUES_KEY = "followup_cues"
CUE_LIST_KEY = "followup_cue_list"
TEXT_KEY = "followup_text"
MENTIONS_KEY = "followup_mentions"
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
# Local parts of the hiring side's shared mailboxes, and of bulk senders.
_HR_LOCAL_PARTS = (
    "careers",
    "career",
    "jobs",
    "job",
    "recruiting",
    "recruitment",
    "recruit",
    "recruiter",
    "talent",
    "hr",
    "hiring",
    "people",
    "bewerbung",
    "rekrytering",
    "apply",
    "applications",
    "ta",
)
_BULK_LOCAL_PARTS = (
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "notifications",
    "notification",
    "notify",
    "mailer",
    "info",
    "alerts",
    "alert",
    "news",
    "newsletter",
    "marketing",
    "support",
    "hello",
    "team",
    "updates",
    "digest",
)
_ROLE_LOCAL_PARTS = _HR_LOCAL_PARTS + _BULK_LOCAL_PARTS
_HR_NAME_WORDS = frozenset(
    [
        "recruiting",
        "recruitment",
        "recruiter",
        "talent",
        "careers",
        "career",
        "hr",
        "hiring",
        "people",
        "jobs",
        "acquisition",
    ]
)


def _local_matches(local: str, parts: Iterable[str]) -> bool:
    """ "careers", "jobs-noreply", "ta.team", "mycareers": short parts only as whole pieces."""
    pieces = set(re.split(r"[._+-]", local))
    return any(
        r in pieces or (len(r) >= 4 and (local.startswith(r) or local.endswith(r))) for r in parts
    )


def is_free_mail(domain: str) -> bool:
    return domain.lower() in _FREE_MAIL


def is_ats(domain: str) -> bool:
    domain = domain.lower()
    return any(name in domain for name in _ATS)


def is_role_address(local: str) -> bool:
    return _local_matches(local.lower(), _ROLE_LOCAL_PARTS)


def is_hr_address(local: str) -> bool:
    return _local_matches(local.lower(), _HR_LOCAL_PARTS)


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
        if is_hr_address(local):
            signals.append("snd:hr")
        elif _local_matches(local, _BULK_LOCAL_PARTS):
            signals.append("snd:bulk")
        if domain.endswith((".edu", ".ac.uk", ".edu.au")) or ".edu." in domain:
            signals.append("snd:edu")
    name_words = set(re.split(r"\W+", email.sender_name.lower()))
    if name_words & _HR_NAME_WORDS:
        signals.append("snd:hr_name")
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
    if subject.startswith(("re:", "aw:", "sv:", "antw:", "réf:")):
        signals.append("subj:is_reply")
    if subject.startswith(("fw:", "fwd:", "wg:")):
        signals.append("subj:is_forward")
    if "?" in email.text:
        signals.append("body:question")
    return signals


def context_signals(counts: dict[str, int], sender: list[str]) -> list[str]:
    """Is this mail about the candidate's hiring process, or another sense of the words?"""
    job = counts.get(P.JOB, 0) + counts.get(P.TITLE, 0)
    other = counts.get(P.OTHER, 0)
    hiring_sender = any(s in sender for s in ("snd:ats", "snd:hr", "snd:hr_name"))
    signals = []
    if job == 0 and not hiring_sender:
        signals.append("ctx:no_job")
    if other:
        signals.append("ctx:other")
        if other > job:
            signals.append("ctx:other_over_job")
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
        # The tokenizer splits a full stop off a word; a dot left inside a token is an
        # abbreviation's ("a.m.", "Dr.", "e.g."), which ends no sentence.
        if norm in _SENTENCE_END or (len(norm) > 1 and not norm.strip(".!?…")):
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


def compile_patterns(
    token_patterns: list[list[dict[str, Any]]], names: Sequence[str] | None = None
) -> re.Pattern[str]:
    """The Matcher patterns of one label as one regular expression (leftmost match wins).

    With ``names``, each alternative is a named group, so ``match.lastgroup`` tells which
    pattern matched.
    """
    alternatives = ["".join(_token_regex(tok) for tok in pattern) for pattern in token_patterns]
    if names is not None:
        alternatives = [f"(?P<{n}>{a})" for n, a in zip(names, alternatives, strict=True)]
    return re.compile("(?<!\\S)(?:" + "|".join(alternatives) + ")")


def _single_words(pattern: list[dict[str, Any]]) -> list[str] | None:
    """The words of a one-token pattern ("interview|interviews"), else None."""
    if len(pattern) != 1 or "OP" in pattern[0]:
        return None
    norm = pattern[0].get("NORM")
    if isinstance(norm, str):
        return [norm]
    if isinstance(norm, dict) and list(norm) == ["IN"]:
        return [str(w) for w in norm["IN"]]
    return None


def _trigger_words(pattern: list[dict[str, Any]]) -> frozenset[str] | None:
    """Words one of which a doc must contain for the pattern to match (None: cannot tell)."""
    for tok in pattern:
        if tok.get("OP") is not None:
            continue
        norm = tok.get("NORM")
        if isinstance(norm, str):
            return frozenset([norm])
        if isinstance(norm, dict) and "IN" in norm:
            return frozenset(str(w) for w in norm["IN"])
        return None
    return None


class Cue(NamedTuple):
    """A cue phrase: its label, token range (``doc[start:end]``) and pattern ("INVITE_3")."""

    label: str
    start: int
    end: int
    pattern: str


@dataclass(frozen=True)
class _LabelRegex:
    label: str
    regex: re.Pattern[str]
    triggers: frozenset[str] | None  # skip the regex when the doc has none of these words


class CueMatcher:
    """Marks cue phrases and computes the classifier's signals.

    The patterns are spaCy Matcher token patterns (validated as such). One-word patterns
    are a dictionary lookup per token; the others run as one compiled regular expression
    per label over the tokens' norms joined by spaces, skipped when the doc lacks the
    words every pattern of the label needs. The Matcher's gap operators cost about 5 ms a
    message (measured); this costs a tenth of that. The cues are kept as plain tuples in
    ``doc.user_data`` (read with ``cues_of``); the phrase cues (not the one-word context
    lexicons) are also set as ``doc.spans["followup_cues"]`` for inspection.
    """

    def __init__(self, nlp: Language, name: str, families: Sequence[str]) -> None:
        self.name = name
        self.families = list(families)
        self.lexicon: dict[str, list[tuple[str, str]]] = {}
        by_label: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
        numbers: dict[str, int] = {}
        for pattern in P.all_patterns(self.families):
            label, tokens = pattern["label"], pattern["pattern"]
            numbers[label] = numbers.get(label, 0) + 1
            name = f"{label}_{numbers[label]}"
            words = _single_words(tokens)
            if words is None:
                by_label.setdefault(label, []).append((name, tokens))
                continue
            for word in words:
                entries = self.lexicon.setdefault(word, [])
                if all(entry[0] != label for entry in entries):
                    entries.append((label, name))
        self.regexes: list[_LabelRegex] = []
        for label, named in by_label.items():
            triggers: set[str] | None = set()
            for _, tokens in named:
                words_needed = _trigger_words(tokens)
                if words_needed is None or triggers is None:
                    triggers = None
                else:
                    triggers |= words_needed
            self.regexes.append(
                _LabelRegex(
                    label,
                    compile_patterns([t for _, t in named], [n for n, _ in named]),
                    frozenset(triggers) if triggers is not None else None,
                )
            )
        self.lexicon_labels = frozenset(
            label for entries in self.lexicon.values() for label, _ in entries
        ) - {r.label for r in self.regexes}

    def __call__(self, doc: Doc) -> Doc:
        subject_end = doc._.followup_subject_end or 0
        strings = doc.vocab.strings
        if len(doc):
            columns = doc.to_array([NORM, IS_SPACE, IDX])
            subject_tokens = int((columns[:, 2] < subject_end).sum())
            norms = [strings[h] for h in columns[:, 0].tolist()]
            spaces = [bool(v) for v in columns[:, 1].tolist()]
        else:
            subject_tokens, norms, spaces = 0, [], []
        ids = _sentence_ids(norms, spaces)
        doc._.followup_sentence_ids = ids
        cues = self._match(norms, spaces)
        doc.user_data[CUE_LIST_KEY] = cues
        doc.spans[CUES_KEY] = [
            Span(doc, c.start, c.end, label=c.label)
            for c in cues
            if c.label not in self.lexicon_labels
        ]
        email = doc._.followup_email
        signals = cue_signals(doc, email, cues, ids, subject_tokens)
        if isinstance(email, Email):
            mentions = _mentions(doc, email)
            doc.user_data[MENTIONS_KEY] = mentions
            signals.extend(date_signals(doc, email, mentions, norms, ids))
        doc._.followup_signals = signals
        return doc

    def _match(self, norms: list[str], spaces: list[bool]) -> list[Cue]:
        cues: list[Cue] = []
        lexicon = self.lexicon
        present: set[str] = set()
        for i, norm in enumerate(norms):
            if spaces[i]:
                continue
            present.add(norm)
            entries = lexicon.get(norm)
            if entries is not None:
                cues.extend(Cue(label, i, i + 1, name) for label, name in entries)
        active = [
            r for r in self.regexes if r.triggers is None or not r.triggers.isdisjoint(present)
        ]
        if active:
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
            for item in active:
                for match in item.regex.finditer(text):
                    end_char = match.end() - 1
                    if end_char <= match.start():
                        continue
                    start = bisect.bisect_right(offsets, match.start()) - 1
                    end = bisect.bisect_left(offsets, end_char)
                    cues.append(Cue(item.label, start, end, match.lastgroup or item.label))
        cues.sort(key=lambda c: (c.start, c.end))
        return cues


def _mentions(doc: Doc, email: Email) -> list[dates.DateMention]:
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str):
        text = doc.user_data[TEXT_KEY] = doc.text
    try:
        return dates.find_datetimes(text, email.sent_at)
    except Exception:  # hostile text must cost the dates, not the message
        log.debug("nlp: find_datetimes failed", exc_info=True)
        return []


def mentions_of(doc: Doc) -> list[dates.DateMention] | None:
    """The date mentions found while matching cues (None if the matcher has not run)."""
    mentions = doc.user_data.get(MENTIONS_KEY)
    return mentions if isinstance(mentions, list) else None


def date_signals(
    doc: Doc,
    email: Email,
    mentions: list[dates.DateMention],
    norms: Sequence[str],
    ids: Sequence[int],
) -> list[str]:
    """How the mail talks about dates: none, one, options to choose from, asked about."""
    earliest = email.sent_at.date() - timedelta(days=1)
    ahead = [m for m in mentions if m.value.date() >= earliest]
    if not ahead:
        return ["dt:none"]
    signals = ["dt:some"]
    if any(m.has_time for m in ahead):
        signals.append("dt:timed")
    if any(m.is_range_or_list for m in ahead) or len({m.value.date() for m in ahead}) > 2:
        signals.append("dt:options")
    subject_end = doc._.followup_subject_end or 0
    if any(m.start < subject_end for m in ahead):
        signals.append("dt:subject")
    asked = {ids[i] for i, norm in enumerate(norms) if norm == "?"}
    if asked:
        for m in ahead:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and ids[span.start] in asked:
                signals.append("dt:question")
                break
    return signals


def cues_of(doc: Doc) -> list[Cue]:
    """The cues the matcher found in ``doc`` (none if it has not run)."""
    cues = doc.user_data.get(CUE_LIST_KEY)
    return cues if isinstance(cues, list) else []


def _lead_sentences(ids: Sequence[int], subject_tokens: int, count: int = 3) -> int:
    """The last sentence id of the first ``count`` body sentences."""
    if subject_tokens >= len(ids):
        return -1
    return ids[subject_tokens] + count


def cue_signals(
    doc: Doc, email: Any, cues: list[Cue], ids: Sequence[int], subject_tokens: int
) -> list[str]:
    """The classifier's non-word features: cue families, where they are, sender, context."""
    signals: list[str] = ["bias"]
    lead_end = _lead_sentences(ids, subject_tokens)
    counts: dict[str, int] = {}
    for cue in cues:
        label = cue.label
        counts[label] = counts.get(label, 0) + 1
        signals.append("cue:" + label)
        signals.append("pat:" + cue.pattern)
        if cue.end <= subject_tokens:
            signals.append(SUBJECT_PREFIX + label)
        elif ids and ids[min(cue.start, len(ids) - 1)] <= lead_end:
            signals.append("lead:" + label)
    sender = sender_signals(email) if isinstance(email, Email) else []
    signals.extend(sender)
    signals.extend(context_signals(counts, sender))
    return signals


@Language.factory(
    "followup_cues",
    default_config={"families": list(P.FAMILIES)},
)
def make_cue_matcher(nlp: Language, name: str, families: list[str]) -> CueMatcher:
    return CueMatcher(nlp, name, families)


# --- the classifier's features -------------------------------------------------------

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
        signals = doc._.followup_signals or ["bias"]
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


def cue_labels(doc: Doc) -> list[str]:
    return [span.label_ for span in doc.spans.get(CUES_KEY, [])]


def squash(value: float) -> float:
    """A score in 0..1 from any real number."""
    return 1.0 / (1.0 + math.exp(-value))


def spans_with(doc: Doc, labels: Iterable[str]) -> list[Span]:
    wanted = set(labels)
    return [span for span in doc.spans.get(CUES_KEY, []) if span.label_ in wanted]
