"""The detector's shortcuts find what the plain way finds: cue scan, sentence ids, company search.

Each shortcut skips work it can prove useless; these tests run the plain way beside it on
generated text built from the words the patterns look for, so a shortcut that drops a
match fails here before it changes a detection.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc

import nlp
from nlp import patterns as P
from nlp.company import (
    _BODY_PATTERNS,
    _RUN,
    _body_candidate,
    _body_search,
    _capitalised,
    _label_regex,
    _lowered,
    _written_label,
)
from nlp.components import CueMatcher, _sentence_ids, cues_of
from nlp.pipeline import make_doc
from nlp.types import Email

SENT = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules() -> Language:
    return nlp.load("rules")


def _pattern_words() -> list[str]:
    words: set[str] = set()
    for pattern in P.all_patterns():
        for tok in pattern["pattern"]:
            norm = tok.get("NORM")
            if isinstance(norm, str):
                words.add(norm)
            elif isinstance(norm, dict) and "IN" in norm:
                words.update(str(w) for w in norm["IN"])
    return sorted(w for w in words if w.isprintable() and " " not in w)


# Lines of cue words, filler and punctuation, of every length around the short-line
# limit, ended by a newline, a blank line or spaces.
_PIECES = [*_pattern_words(), "the", "Acme", "on", "Friday", ".", "?", "!", ",", "a.m."]
_line = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map(" ".join)
cue_texts = st.lists(
    st.tuples(_line, st.sampled_from(["\n", "\n\n", "  ", " \n", "\n \n"])), max_size=8
).map(lambda lines: "".join(line + end for line, end in lines))


def _plain_cues(matcher: CueMatcher, hashes: list[int]) -> set[tuple[str, int, int, str]]:
    """Every label's regex tried at every token that can start it (no anchor test)."""
    words = [matcher._tokens[key].word for key in hashes]
    offsets = [0]
    for word in words:
        offsets.append(offsets[-1] + len(word) + 1)
    text = " ".join(words) + " "
    found: set[tuple[str, int, int, str]] = set()
    reached: dict[str, int] = {}  # per label, like finditer: no match inside the last one
    for i, key in enumerate(hashes):
        for label, regex, _ in matcher._tokens[key].first:
            if offsets[i] < reached.get(label, 0):
                continue
            match = regex.match(text, offsets[i])
            if match is None or match.end() - 1 <= offsets[i]:
                continue
            reached[label] = match.end()
            end = next(j for j, at in enumerate(offsets) if at >= match.end() - 1)
            found.add((label, i, end, str(match.lastgroup)))
    return found


def _scanned(rules: Language, text: str) -> tuple[Doc, CueMatcher, list[int]]:
    doc = make_doc(rules, Email(subject="Interview", text=text, sent_at=SENT))
    matcher = rules.get_pipe("followup_cues")
    assert isinstance(matcher, CueMatcher)
    return matcher(doc), matcher, [tok.norm for tok in doc]


@settings(max_examples=200, deadline=None)
@given(text=cue_texts)
def test_cue_scan_finds_what_trying_every_start_finds(rules: Language, text: str) -> None:
    doc, matcher, hashes = _scanned(rules, text)
    names = {phrase.name for phrase in matcher.phrases}
    ours = {(c.label, c.start, c.end, c.pattern) for c in cues_of(doc) if c.pattern in names}
    assert ours == _plain_cues(matcher, hashes)


@settings(max_examples=200, deadline=None)
@given(text=cue_texts)
def test_sentence_ids_and_questions_are_the_plain_rule(rules: Language, text: str) -> None:
    doc, matcher, hashes = _scanned(rules, text)
    starts = [tok.idx for tok in doc]
    _, ids, asked = matcher._scan(hashes, starts, starts, doc.vocab.strings)
    plain = _sentence_ids([tok.norm_ for tok in doc], [tok.is_space for tok in doc])
    assert ids == plain == doc.user_data["followup_sentence_ids"]
    assert asked == {plain[i] for i, tok in enumerate(doc) if tok.norm_ == "?"}


def _reference_label_regex(letters: str) -> re.Pattern[str]:
    """The label pattern as first written: IGNORECASE, lookarounds at both ends."""
    joined = r"[\s&.'-]{0,3}".join(re.escape(c) for c in letters)
    return re.compile(r"(?<![\w])" + joined + r"(?![\w])", re.IGNORECASE)


# Letters in both cases, the characters IGNORECASE folds onto ASCII letters (İ ı ſ K),
# separators, other word characters and a newline.
_HAY = [*"acmeikslt0AcMEIKSLT", "\u0130", "\u0131", "\u017f", "\u212a", "é", "_"]
_HAY += [" ", "&", ".", "'", "-", "  ", "\n", "\t", ", "]


@settings(max_examples=300, deadline=None)
@given(
    letters=st.text(alphabet="acmeikslt0", min_size=3, max_size=6),
    hay=st.lists(st.sampled_from(_HAY), max_size=40).map("".join),
)
def test_label_regex_matches_what_the_ignorecase_pattern_matches(letters: str, hay: str) -> None:
    # Plant the letters, spaced and cased several ways, so matches are common.
    text = hay + " " + " ".join(letters.upper()) + hay + letters.title() + "." + hay
    ours = _label_regex(letters).search(text)
    plain = _reference_label_regex(letters).search(text)
    assert (ours and ours.span()) == (plain and plain.span())


@pytest.mark.parametrize(
    ("letters", "text", "found"),
    [
        ("acmecorp", "Thanks from Acme Corp.", "Acme Corp"),
        ("acmecorp", "ACME-CORP careers", "ACME-CORP"),
        ("acmecorp", "xAcme Corp", None),  # not where a word starts
        ("acmecorp", "Acme Corpx", None),  # nor ending inside one
        ("kiosk", "\u212aIO\u017fK hiring", "\u212aIO\u017fK"),  # Kelvin sign and long s
        ("acme", "line one\nAcme", "Acme"),
    ],
)
def test_label_regex_cases(letters: str, text: str, found: str | None) -> None:
    match = _label_regex(letters).search(text)
    assert (match.group(0) if match else None) == found


_NAMES = [
    "Acme",
    "acme",
    "A.C.M.E.",
    "Brightwave",
    "Labs",
    "Cole",
    "Property",
    "Management",
    "Of",
    "&",
    "CPM",
]
_PHRASES = [
    "Thank you for applying to",
    "your application to",
    "the role at",
    "joining",
    "recruiting team",
    "greetings from",
    "at",
    "with",
    "and",
    "we",
]
company_texts = st.lists(
    st.sampled_from(_NAMES + _PHRASES + ["\n", ". ", ", ", "x"]), max_size=30
).map(" ".join)


@settings(max_examples=300, deadline=None)
@example(
    subject="re: acme", text="Best, A.C.M.E. team", label="acme", crlf=True
)  # first match in subject
@given(
    subject=company_texts,
    text=company_texts,
    label=st.sampled_from(["acme", "brightwave", "colepropertymgmt", "cpm", "acmelabs", "co"]),
    crlf=st.booleans(),
)
def test_company_reads_a_body_that_is_all_new_text_once(
    subject: str, text: str, label: str, crlf: bool
) -> None:
    # extract_company's shortcut: when the body is the new text, what head lacks, rest lacks.
    head = f"{subject}\n{text}"
    texts = (head, text.replace("\n", "\r\n") if crlf else text)
    assert _written_label(label, texts, (head,)) == _written_label(label, texts, texts)
    assert _body_candidate((head,)) == _body_candidate(texts)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [*_NAMES, *_PHRASES, "THANK YOU FOR APPLYING TO", "\u0130", "\u212a", "\n"]
        ),
        max_size=25,
    ).map(" ".join)
)
def test_body_phrases_are_found_where_a_plain_search_finds_them(text: str) -> None:
    for finder, leads, pattern in _BODY_PATTERNS:
        ours = _body_search(finder, leads, pattern, text, _lowered(text))
        plain = pattern.search(text)
        assert (ours and ours.span()) == (plain and plain.span())


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from([*_NAMES, *_PHRASES, *_HAY, "Ünited", "O'Neil"])).map("".join))
def test_capitalised_words_and_runs_are_the_word_boundary_patterns(text: str) -> None:
    run = re.compile(r"\b[A-Z][\w'’-]*(?: (?:&|of|for|and|[A-Z][\w'’-]*))*")
    assert [m.span() for m in _RUN.finditer(text)] == [m.span() for m in run.finditer(text)]
    for initial in "ACL":
        words = re.compile(rf"\b{initial}[a-zA-Z]{{3,}}\b")
        ours = [m.span() for m in _capitalised(initial).finditer(text)]
        assert ours == [m.span() for m in words.finditer(text)]
