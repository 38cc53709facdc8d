"""The pipeline's cue component: cue matching, sentences, date mentions and their signals."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from itertools import accumulate
from typing import Any, NamedTuple

from spacy.attrs import IDX, LENGTH, NORM, ORTH
from spacy.language import Language
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span

from nlp import dates
from nlp import patterns as P
from nlp.senders import context_signals, sender_signals

# Re-exported: nlp.company reads the sender's address through these names.
from nlp.senders import is_ats as is_ats
from nlp.senders import is_free_mail as is_free_mail
from nlp.senders import is_role_address as is_role_address
from nlp.types import Email

# nlp.company reads the sender's address through these names.
__all__ = ["is_ats", "is_free_mail", "is_role_address"]


log = logging.getLogger(__name__)


CUE_LIST_KEY = "followup_cue_list"
TEXT_KEY = "followup_text"
MENTIONS_KEY = "followup_mentions"
NORMS_KEY = "followup_norms"  # the tokens' NORM hashes
SUBJECT_PREFIX = "subj:"


# What the components leave on a doc, in ``doc.user_data`` under these names (the
# pipeline reads them there: each ``doc._`` access builds an object) and readable as
# ``doc._.NAME``: the email a doc was made from, where its subject ends, the sentence
# ids, the classifier's non-word features, and the Detection.
DOC_DATA = (
    "followup_email",
    "followup_subject_end",
    "followup_sentence_ids",
    "followup_signals",
    "followup_result",
)


def _doc_data(name: str, doc: Doc) -> Any:
    return doc.user_data.get(name)


for _name in DOC_DATA:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, getter=partial(_doc_data, _name))


_SENTENCE_END = frozenset({".", "!", "?", "...", "…", ";"})
_SHORT_LINE = 8


def sentence_ids(doc: Doc) -> list[int]:
    """A sentence number per token (computed by the cue matcher, else here)."""
    ids = doc.user_data.get("followup_sentence_ids")
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
        if _ends_sentence(norm):
            previous_ends = True
    return ids


def _ends_sentence(norm: str) -> bool:
    # The tokenizer splits a full stop off a word; a dot left inside a token is an
    # abbreviation's ("a.m.", "Dr.", "e.g."), which ends no sentence.
    return norm in _SENTENCE_END or (len(norm) > 1 and not norm.strip(".!?…"))


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


def _first_words(pattern: list[dict[str, Any]]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words, or word prefixes, a pattern's first token can be."""
    first = pattern[0]
    if first.get("OP") is not None:
        raise ValueError(f"a cue pattern must start with a required token: {pattern}")
    norm = first.get("NORM")
    if isinstance(norm, str):
        return frozenset([norm]), ()
    if isinstance(norm, dict) and "IN" in norm:
        return frozenset(str(w) for w in norm["IN"]), ()
    if isinstance(norm, dict) and "REGEX" in norm:
        # Only prefix alternations ("^(?:calendly|goodtime)") are written as REGEX here.
        body = str(norm["REGEX"]).removeprefix("^(?:").removesuffix(")")
        return frozenset(), tuple(body.split("|"))
    raise ValueError(f"a cue pattern must start with a word: {pattern}")


class Cue(NamedTuple):
    """A cue phrase: its label, token range (``doc[start:end]``), pattern ("INVITE_3") and
    character range in the doc's text."""

    label: str
    start: int
    end: int
    pattern: str
    start_char: int = 0
    end_char: int = 0


class _Token(NamedTuple):
    word: str  # the norm as written in the matcher's text ("\u00b6" for whitespace)
    newlines: int  # -1 for a word
    ends: bool  # ends a sentence
    lexicon: tuple[tuple[str, str], ...]  # one-word cues: (label, pattern name)
    # (label, regex of the label's patterns this word can start, their anchors or None),
    # in label order
    first: tuple[tuple[str, re.Pattern[str], tuple[_Anchor, ...] | None], ...]
    plain: bool  # a word that is none of the above: the scan only counts it


# Where a pattern's first required word after its first token must be: that word's
# possible norms, and its least and greatest distance in words from the first token.
_Anchor = tuple[frozenset[str], int, int]


def _anchor(pattern: list[dict[str, Any]]) -> _Anchor | None:
    """The first required token with known words after the first, and where it can be
    (None when there is none: the pattern is then tried wherever it can start)."""
    low = high = 1
    for tok in pattern[1:]:
        op, norm = tok.get("OP"), tok.get("NORM")
        words: frozenset[str] | None = None
        if isinstance(norm, str):
            words = frozenset([norm])
        elif isinstance(norm, dict) and list(norm) == ["IN"]:
            words = frozenset(str(w) for w in norm["IN"])
        if op is None:
            if words is not None:
                return words, low, high
            low, high = low + 1, high + 1  # one word, any
        elif op == "?":
            high += 1
        elif isinstance(op, str) and re.fullmatch(r"\{0,\d+\}", op):
            high += int(op[3:-1])
        else:
            return None
    return None


def _anchors(patterns: Sequence[list[dict[str, Any]]]) -> tuple[_Anchor, ...] | None:
    """The anchors of patterns tried together, one per distance range (None: any)."""
    merged: dict[tuple[int, int], frozenset[str]] = {}
    for pattern in patterns:
        anchor = _anchor(pattern)
        if anchor is None:
            return None
        words, low, high = anchor
        merged[low, high] = merged.get((low, high), frozenset()) | words
    return tuple((words, low, high) for (low, high), words in merged.items())


_TOKEN_CACHE_SIZE = 200_000


@dataclass(frozen=True)
class _Phrase:
    label: str
    name: str
    tokens: list[dict[str, Any]]
    first: frozenset[str]  # the words it can start with
    prefixes: tuple[str, ...]  # or the word prefixes ("calendly")


class CueMatcher:
    """Marks cue phrases and computes the classifier's signals.

    The patterns are spaCy Matcher token patterns (validated as such). One-word patterns
    are a dictionary lookup per token; the others are regular expressions over the
    tokens' norms joined by spaces, tried only where a token can start them: at each such
    token, one regex of the label's patterns that can start with that word, in their
    order, so the leftmost-first choice is the same as one regex of them all. The
    Matcher's gap operators cost about 5 ms a message (measured); this costs a twentieth
    of that. What is known of a norm is computed once per distinct norm. The cues are
    kept as plain tuples in ``doc.user_data`` (read with ``cues_of``); the phrase cues
    (not the one-word context lexicons) are also ``doc.spans["followup_cues"]``.
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
        # Each multi-word pattern: its label, name, token dicts and possible first words.
        self.phrases: list[_Phrase] = []
        for label, named in by_label.items():
            for pattern_name, tokens in named:
                first, prefixes = _first_words(tokens)
                self.phrases.append(_Phrase(label, pattern_name, tokens, first, prefixes))
        self.all_prefixes = tuple(p for phrase in self.phrases for p in phrase.prefixes)
        self.phrase_starts: dict[str, list[int]] = {}
        for index, phrase in enumerate(self.phrases):
            for word in phrase.first:
                self.phrase_starts.setdefault(word, []).append(index)
        self._tokens: dict[int, _Token] = {}
        self._regexes: dict[tuple[int, ...], re.Pattern[str]] = {}
        self.phrase_labels = frozenset(by_label)

    def __call__(self, doc: Doc) -> Doc:
        subject_end = doc.user_data.get("followup_subject_end") or 0
        if len(doc):
            columns = doc.to_array([NORM, IDX, LENGTH])
            subject_tokens = int((columns[:, 1] < subject_end).sum())
            hashes = columns[:, 0].tolist()
            starts = columns[:, 1].tolist()
            ends = (columns[:, 1] + columns[:, 2]).tolist()
        else:
            subject_tokens, hashes, starts, ends = 0, [], [], []
        doc.user_data[NORMS_KEY] = hashes
        cues, ids, asked = self._scan(hashes, starts, ends, doc.vocab.strings)
        doc.user_data["followup_sentence_ids"] = ids
        doc.user_data[CUE_LIST_KEY] = cues
        email = doc.user_data.get("followup_email")
        signals = cue_signals(doc, email, cues, ids, subject_tokens)
        if isinstance(email, Email):
            mentions = _mentions(doc, email)
            doc.user_data[MENTIONS_KEY] = mentions
            signals.extend(date_signals(doc, email, mentions, ids, asked))
        doc.user_data["followup_signals"] = signals
        return doc

    def _token(self, key: int, strings: Any) -> _Token:
        """What the matcher needs to know of a norm, computed once per distinct norm."""
        if len(self._tokens) > _TOKEN_CACHE_SIZE:
            self._tokens.clear()
        norm = str(strings[key])
        if norm.isspace():
            info = _Token("\u00b6", norm.count("\n"), False, (), (), False)
        else:
            indices = list(self.phrase_starts.get(norm, ()))
            if self.all_prefixes and norm.startswith(self.all_prefixes):
                indices.extend(
                    i
                    for i, phrase in enumerate(self.phrases)
                    if phrase.prefixes and norm.startswith(phrase.prefixes)
                )
            by_label: dict[str, list[int]] = {}
            for index in sorted(set(indices)):  # the patterns' own order decides ties
                by_label.setdefault(self.phrases[index].label, []).append(index)
            ends = _ends_sentence(norm)
            lexicon = tuple(self.lexicon.get(norm, ()))
            first = tuple(
                (
                    label,
                    self._regex(tuple(group)),
                    _anchors([self.phrases[i].tokens for i in group]),
                )
                for label, group in by_label.items()
            )
            info = _Token(
                norm.replace(" ", "_"), -1, ends, lexicon, first, not (ends or lexicon or first)
            )
        self._tokens[key] = info
        return info

    def _regex(self, indices: tuple[int, ...]) -> re.Pattern[str]:
        """The patterns ``indices`` (of one label, in order) as one regex, compiled once."""
        regex = self._regexes.get(indices)
        if regex is None:
            phrases = [self.phrases[i] for i in indices]
            regex = compile_patterns([p.tokens for p in phrases], [p.name for p in phrases])
            self._regexes[indices] = regex
        return regex

    def _scan(
        self, hashes: list[int], starts: list[int], ends: list[int], strings: Any
    ) -> tuple[list[Cue], list[int], set[int]]:
        """One pass over the tokens: sentence ids (see ``_sentence_ids``), the one-word
        cues, and where each label's regex may match; then the regexes at those places.
        Returns the cues, the sentence ids and the ids of sentences with a "?".

        Most tokens are plain words that only count towards a line's length: the loop
        visits the others only, and a phrase regex is tried only where its anchor word can
        follow (mostly it cannot; a regex call costs more than a few set lookups)."""
        cues: list[Cue] = []
        ids: list[int] = []
        asked: set[int] = set()
        tries: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
        tokens = self._tokens
        infos = [tokens.get(key) or self._token(key, strings) for key in hashes]
        words = [info.word for info in infos]
        count = len(words)
        current = filled = 0
        line_start = -1  # the last token holding a newline
        blanks = 0  # whitespace tokens without a newline since then
        for i in [i for i, info in enumerate(infos) if not info.plain]:
            info = infos[i]
            newlines = info.newlines
            if newlines >= 0:  # whitespace
                line_length = i - line_start - 1 - blanks
                breaks = newlines >= 2 or (newlines == 1 and line_length <= _SHORT_LINE)
                if newlines:
                    line_start, blanks = i, 0
                else:
                    blanks += 1
            else:
                breaks = info.ends
                if breaks and info.word == "?":
                    asked.add(current)
                for label, name in info.lexicon:
                    cues.append(Cue(label, i, i + 1, name, starts[i], ends[i]))
                for label, regex, anchors in info.first:
                    if anchors is not None:
                        for norms, low, high in anchors:
                            if not norms.isdisjoint(words[i + low : i + high + 1]):
                                break
                        else:
                            continue  # no anchor word where the patterns need one
                    tries.setdefault(label, []).append((i, regex))
            if breaks:  # a new sentence after this token
                ids.extend([current] * (i + 1 - filled))
                filled = i + 1
                current += 1
        ids.extend([current] * (count - filled))
        if tries:
            offsets = list(accumulate([len(word) + 1 for word in words], initial=0))
            text = " ".join(words) + " "
            for label, places in tries.items():
                reached = 0  # like finditer: no match starts inside the previous one
                for i, regex in places:
                    begin = offsets[i]
                    if begin < reached:
                        continue
                    match = regex.match(text, begin)
                    if match is None or match.end() - 1 <= begin:
                        continue
                    reached = match.end()
                    end = bisect.bisect_left(offsets, match.end() - 1)
                    cues.append(
                        Cue(label, i, end, match.lastgroup or label, starts[i], ends[end - 1])
                    )
        cues.sort(key=lambda c: (c.start, c.end))
        return cues, ids, asked


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
    ids: Sequence[int],
    asked: set[int],
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
    subject_end = doc.user_data.get("followup_subject_end") or 0
    if any(m.start < subject_end for m in ahead):
        signals.append("dt:subject")
    if asked:
        for m in ahead:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None and ids[span.start] in asked:
                signals.append("dt:question")
                break
    return signals


# Words right before a cue that take it back ("I can't promise an answer before Monday").
_NEGATIONS = frozenset(["not", "n't", "never", "cannot", "unable", "no", "hardly"])
_NEGATION_KEYS = frozenset(int(hash_string(word)) for word in _NEGATIONS)


def negated(doc: Doc, cue: Cue) -> bool:
    norms = doc.user_data.get(NORMS_KEY)
    if not isinstance(norms, list):
        return any(tok.norm_ in _NEGATIONS for tok in doc[max(0, cue.start - 3) : cue.start])
    return not _NEGATION_KEYS.isdisjoint(norms[max(0, cue.start - 3) : cue.start])


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
        if label == P.PROMISE and negated(doc, cue):
            signals.append("neg:" + label)  # "I can't promise an answer before Monday"
            continue
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


def split_capital_negations(nlp: Language) -> None:
    """Make "DON'T" and "CAN'T" split like "don't" and "can't" (into "do" + "not").

    spaCy's English exceptions list lower- and title-case contractions only, so a notice
    in capitals ("PLEASE DON'T CALL") kept one token whose NORM no cue names.
    """
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):
        return
    rules = tokenizer.rules or {}
    for key, pieces in list(rules.items()):
        if key != key.lower() or not ("n't" in key or "n’t" in key) or key.upper() in rules:
            continue
        upper = [
            {ORTH: str(p[ORTH]).upper(), NORM: p.get(NORM, str(p[ORTH]).lower())} for p in pieces
        ]
        tokenizer.add_special_case(key.upper(), upper)


@Language.factory(
    "followup_cues",
    default_config={"families": list(P.FAMILIES)},
)
def make_cue_matcher(nlp: Language, name: str, families: list[str]) -> CueMatcher:
    split_capital_negations(nlp)
    return CueMatcher(nlp, name, families)


def cue_spans(doc: Doc) -> list[Span]:
    """The cues as labelled spans, for inspection (the pipeline reads ``cues_of``)."""
    return [Span(doc, cue.start, cue.end, label=cue.label) for cue in cues_of(doc)]
