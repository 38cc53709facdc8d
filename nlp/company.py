"""Who is hiring and who is writing: company and contact from sender, signature and text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from spacy.tokens import Doc

from nlp.components import is_ats, is_free_mail, is_role_address
from nlp.types import Email

# Second-level suffixes under which the registrable name is one label further left.
_SECOND_LEVEL = frozenset(
    ["co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc", "nhs", "sch", "gob", "gouv"]
)
# Words that say a display name is a department, not a person, and are not the company.
_ROLE_WORDS = (
    "talent acquisition",
    "talent team",
    "talent partner",
    "human resources",
    "people team",
    "people ops",
    "recruiting team",
    "recruitment team",
    "hiring team",
    "careers team",
    "the team",
    "team",
    "careers",
    "career",
    "jobs",
    "recruiting",
    "recruitment",
    "recruiter",
    "talent",
    "hiring",
    "hr",
    "people",
    "notifications",
    "notification",
    "no-reply",
    "noreply",
    "applications",
    "application",
    "job alerts",
    "onboarding",
    "people & culture",
    "ta",
    "alerts",
    "alert",
)
_LEGAL = re.compile(
    r"(?:,?\s+(?:inc|inc\.|incorporated|llc|l\.l\.c\.|ltd|ltd\.|limited|llp|gmbh|ag|bv|b\.v\.|"
    r"nv|n\.v\.|plc|pty|pty\.|pvt|pvt\.|private|s\.a\.|sa|sas|sarl|srl|s\.r\.l\.|spa|s\.p\.a\.|"
    r"oy|ab|as|a/s|aps|kg|co\.|corp|corp\.|corporation|gmbh & co\.?(?: kg)?|se|pte\.?|"
    r"sp\. z o\.o\.?|sp\.?|s\.a\.s\.|k\.k\.))+\s*$",
    re.IGNORECASE,
)
# It starts where a word starts: without that the engine tries every letter of a long word
# as a start and backtracks over the rest (quadratic on a run of one letter).
_NAME = r"(?<![\w&'.-])(?P<name>[A-Z][\w&'.-]*(?: (?:&|[A-Z][\w&'.-]*)){0,4})"
# Each starts at a word boundary: the engine then skips the middle of words (twice as fast).
# Each comes with a finder: a plain lower-case pattern that every match, lower-cased, holds
# (at its start when ``leads``), searched in ``text.lower()`` (see ``_lowered``). A finder
# starts with known letters, so the engine jumps through a text to them: the patterns
# themselves run only where a finder hit (one run over a long text cost 0.1-0.3 ms each).
_BODY_PATTERNS = [
    (re.compile(finder), leads, re.compile(p))
    for finder, leads, p in (
        (
            "thank",
            True,
            r"\b(?i:thanks?(?: you)? for (?:applying|your application|your interest)"
            r"(?: (?:to|for|in|with|at))?"
            r"(?: the [^.\n]{0,60}? (?:role|position|job) (?:at|with))?) " + _NAME,
        ),
        (
            "your application (?:to|at|with) ",
            True,
            r"\b(?i:your application (?:to|at|with)) " + _NAME,
        ),
        (
            "(?:role|position|job|opening|vacancy|career|opportunity|interview|team) (?:at|with) ",
            True,
            r"\b(?i:(?:role|position|job|opening|vacancy|career|opportunity|interview|team) "
            r"(?:at|with)) " + _NAME,
        ),
        (
            "(?:on behalf of|greetings from|here at|join)",
            True,
            r"\b(?i:(?:on behalf of|greetings from|here at|join|joining)) " + _NAME,
        ),
        (
            "(?:recruiting|recruitment|talent|hiring|people|careers|hr) team",
            False,
            _NAME + r" (?i:(?:recruiting|recruitment|talent|hiring|people|careers|hr) team)",
        ),
    )
]
# The only characters besides ASCII letters that match an ASCII letter under IGNORECASE
# (İ ı ſ K: checked over all of Unicode); without them, ``text.lower()`` has the same
# offsets (only İ lengthens) and holds what a case-insensitive ASCII pattern matches.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")


def _lowered(text: str) -> str | None:
    """``text`` in lower case for the finders, or None when they cannot tell."""
    if not text.isascii() and any(c in text for c in _FOLDS_TO_ASCII):
        return None
    return text.lower()


def _body_search(
    finder: re.Pattern[str], leads: bool, pattern: re.Pattern[str], text: str, low: str | None
) -> re.Match[str] | None:
    """``pattern.search(text)``, run only where its finder hits in ``low``."""
    if low is None:
        return pattern.search(text)
    if not leads:
        return pattern.search(text) if finder.search(low) is not None else None
    position = 0
    while (hit := finder.search(low, position)) is not None:
        match = pattern.match(text, hit.start())  # sees the text before, for its \b
        if match is not None:
            return match  # the hits come in order: the first match is the leftmost
        position = hit.start() + 1
    return None


def _body_candidate(texts: tuple[str, ...]) -> str | None:
    """The company a phrase names ("thank you for applying to X"), pattern by pattern."""
    lowered = [_lowered(text) for text in texts]
    for finder, leads, pattern in _BODY_PATTERNS:
        match = None
        for text, low in zip(texts, lowered, strict=True):
            match = _body_search(finder, leads, pattern, text, low)
            if match is not None:
                break
        if match is not None:
            candidate = _clean_candidate(match.group("name"))
            if candidate:
                return candidate
    return None


_GENERIC = frozenset(
    [
        "the",
        "our",
        "your",
        "this",
        "a",
        "an",
        "we",
        "you",
        "team",
        "hiring",
        "recruiting",
        "talent",
        "careers",
        "dear",
        "hi",
        "hello",
        "thank",
        "thanks",
        "interview",
        "application",
        "position",
        "role",
        "job",
        "company",
        "us",
    ]
)
_MAX_TEXT = 20000
_PERSON_NAME = re.compile(r"^[A-Z][a-zA-Z'’.-]+(?: [A-Z][a-zA-Z'’.-]+){1,3}$")


def registrable_label(domain: str) -> str:
    """``mail.eu.acme-corp.co.uk`` -> ``acme-corp``."""
    parts = [p for p in domain.lower().strip(".").split(".") if p]
    if len(parts) < 2:
        return parts[0] if parts else ""
    if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
        return parts[-3]
    return parts[-2]


def strip_legal(name: str) -> str:
    """``Halden & Rowe LLP`` -> ``Halden & Rowe``."""
    previous = None
    name = name.strip(" ,.-|·")
    while previous != name:
        previous = name
        name = _LEGAL.sub("", name).strip(" ,-|·")
    return name


def _strip_role_words(name: str) -> tuple[str, bool]:
    """Remove department words from a display name; say whether there were any."""
    found = False
    text = name.strip()
    for sep in (" via ", " | ", " - ", " – ", ": "):
        if sep in text:
            left, right = text.split(sep, 1)
            if sep == " via ":
                text = left
                found = True
            elif _is_role_phrase(left):
                text, found = right, True
            elif _is_role_phrase(right):
                text, found = left, True
    match = re.match(r"(?i)^(?:.*?\b(?:at|from|@))\s+(.+)$", text)
    before = text[: match.start(1)].rsplit(" ", 2)[0] if match else ""
    # "Talent Team at Acme", and "Gina at Acme": one given name, then the company
    if match and (_is_role_phrase(before) or re.fullmatch(r"[A-Z][a-z'’-]+", before)):
        text, found = match.group(1), True
    changed = True
    while changed:
        changed = False
        lowered = text.lower()
        for word in _ROLE_WORDS:
            if lowered.endswith(" " + word) or lowered == word:
                text = text[: len(text) - len(word)].strip(" ,-|")
                found = changed = True
                break
            if lowered.startswith(word + " "):
                text = text[len(word) :].strip(" ,-|")
                found = changed = True
                break
    return text.strip(), found


def _is_role_phrase(text: str) -> bool:
    lowered = text.strip().lower()
    return bool(lowered) and any(lowered == w or lowered.endswith(" " + w) for w in _ROLE_WORDS)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _looks_like_person(display: str, local: str, domain: str = "") -> bool:
    """A display name that is the sender's own name (it shows in the address)."""
    if not _PERSON_NAME.match(display.strip()) or (domain and is_ats(domain)):
        return False
    if is_role_address(local):
        return False  # "Wattle Lane Aged Care <careers@...>": "care" in "careers" is no name
    if _letters(display) == _letters(local):
        return False  # "Larkspur Health <larkspurhealth@...>": the tenant, not a person
    words = [_letters(w) for w in display.split()]
    local_letters = _letters(local)
    if any(len(w) >= 3 and w in local_letters for w in words):
        return True
    return bool(words) and len(words) >= 2 and local_letters.startswith(words[0][:1] + words[-1])


# The characters besides its two cases that match an ASCII letter under IGNORECASE (found
# by trying all of Unicode): spelt out, a pattern needs no IGNORECASE.
_OTHER_CASES = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def _any_case(char: str) -> str:
    """``char`` (a-z or 0-9) in any case, as a pattern without IGNORECASE."""
    if not char.isalpha():
        return re.escape(char)
    return f"[{char}{char.upper()}{_OTHER_CASES.get(char, '')}]"


@lru_cache(maxsize=4096)
def _label_regex(letters: str) -> re.Pattern[str]:
    """Any spacing, hyphens or '&' between the label's letters (a-z, 0-9), in any case.

    The same as ``(?<!\\w)`` + the letters joined by ``[\\s&.'-]{0,3}`` + ``(?!\\w)`` under
    IGNORECASE, written so that it starts with a character set: the engine then jumps
    from one possible first letter to the next (twice as fast). ``(?<!\\w.)`` after the
    first letter is ``(?<!\\w)`` before it.
    """
    gap = r"[\s&.'-]{0,3}"
    rest = "".join(gap + _any_case(c) for c in letters[1:])
    return re.compile(_any_case(letters[0]) + r"(?<!\w.)" + rest + r"(?!\w)")


def _find_in_text(label: str, text: str) -> str | None:
    """The written form of a domain label in the text: acmecorp -> "Acme Corp"."""
    letters = _letters(label)
    if len(letters) < 3:
        return None
    match = _label_regex(letters).search(text)
    if match is not None:
        found = match.group(0)
        return _extend_name(found, text, match.end()) if found[:1].isupper() else None
    return None


_FOLLOWING_WORDS = re.compile(r"((?: (?:&|[A-Z][\w'-]*)){0,3})")


@lru_cache(maxsize=64)
def _capitalised(initial: str) -> re.Pattern[str]:
    """The capitalised words (4 letters or more) that start with ``initial``: a label can
    only start with those, and the engine skips the rest of the text fast."""
    return re.compile(rf"{re.escape(initial)}(?<!\w.)[a-zA-Z]{{3,}}\b")  # \b first: see _RUN


def _extend_name(found: str, text: str, at: int) -> str:
    """``Greyfriars`` + `` Wealth Management Ltd`` at ``at`` -> ``Greyfriars Wealth Management``.

    ``text`` and a position rather than the rest of the text: the callers try many words
    of a long text, and a copy of its rest for each would make them quadratic.
    """
    words = _FOLLOWING_WORDS.match(text, at)
    tail = words.group(1) if words else ""
    while tail.endswith(" &"):
        tail = tail[:-2]
    return strip_legal(found + tail)


def _prefix_in_text(label: str, text: str) -> str | None:
    """Greyfriars for ``greyfriarswm``: the longest capitalised word the label starts with."""
    letters = _letters(label)
    best: str | None = None
    if not letters or not letters[0].isalpha():
        return None  # a capitalised word starts with a letter
    for match in _capitalised(letters[0].upper()).finditer(text):
        word = match.group(0)
        covers = len(word) >= 0.6 * len(letters)
        if covers and letters.startswith(word.lower()) and (best is None or len(word) > len(best)):
            best = _extend_name(word, text, match.end())
    return best


# Capitalised runs of words. ``X(?<!\\w.)`` is ``\\bX`` for a word character X that is no
# newline, written so that the pattern starts with a character set, which the engine
# jumps to (``\\b`` first, it tries every position: three times slower).
_RUN = re.compile(r"[A-Z](?<!\w.)[\w'’-]*(?: (?:&|of|for|and|[A-Z][\w'’-]*))*")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": "and"})


def _folded(word: str) -> str:
    """``Präzision`` -> ``praezision``, ``&`` -> ``and``: how a word is spelt in a domain."""
    text = unicodedata.normalize("NFKD", word.lower().translate(_FOLD))
    return "".join(c for c in text if c.isascii() and c.isalnum())


# Capitalised words recur from mail to mail ("Thank", "Best"): each is folded once.
_folded_word = lru_cache(maxsize=65536)(_folded)


def _spelling(label: str, words: list[str]) -> Callable[[int], int]:
    """For a start word, how many of ``words`` from there spell ``label`` as abbreviations
    of each, in order ("chattvalleymed" <- "Chattahoochee Valley Medical"): each word gives
    a piece starting with its first letter and taking the rest of its letters in order;
    0 when they do not.

    One table for all start words of a run: whether the rest of the label can be spelt
    from a word on does not depend on where the spelling began (only the first piece,
    the one at the label's start, must be three letters long). So a run costs
    letters x words steps in all, not that for every start word.
    """
    table: dict[tuple[int, int], int] = {}  # a dict, not functools.cache: made once a run

    def consume(at: int, index: int) -> int:
        key = (at, index)
        found = table.get(key)
        if found is None:
            found = table[key] = _consume(at, index)
        return found

    def _consume(at: int, index: int) -> int:
        if at == len(label):
            return index
        if index == len(words):
            return 0
        word = words[index]
        if not word:
            return consume(at, index + 1)
        if label[at] != word[0]:
            return 0
        # the longest piece first: the whole word, then shorter subsequences
        ends, position = [], at
        for char in word:
            if position < len(label) and label[position] == char:
                position += 1
                ends.append(position)
        for end in reversed(ends):
            if (at > 0 or end - at >= 3) and (found := consume(end, index + 1)):
                return found
        return 0

    def used(start: int) -> int:
        end = consume(0, start)
        return end - start if end else 0

    return used


def _abbrev_in_text(label: str, text: str) -> str | None:
    """The capitalised words the domain label abbreviates: ``colepropertymgmt`` ->
    ``Cole Property Management``."""
    letters = _folded(label)
    if len(letters) < 4:
        return None
    initial = letters[0].upper()
    for run in _RUN.finditer(text):
        # A start word begins with the label's letter (or is "&", "and", "of", "for").
        if initial not in run.group(0) and initial not in "AOF":
            continue
        words = run.group(0).split(" ")
        folded = [_folded_word(w) for w in words]  # once a run, not once a start word
        spelt: Callable[[int], int] | None = None
        for start in range(len(words)):
            if not folded[start].startswith(letters[:1]):
                continue
            spelt = spelt or _spelling(letters, folded)  # most runs have no start word
            used = spelt(start)
            if used and words[start + used - 1][:1].isupper():
                # the name goes on as it does when the domain spells it whole
                end = run.start() + len(" ".join(words[: start + used]))
                return _extend_name(" ".join(words[start : start + used]), text, end)
    return None


_NOT_A_NAME = re.compile(r"[<>@]")


def _clean_candidate(name: str | None) -> str | None:
    if not name:
        return None
    if _NOT_A_NAME.search(name):
        return None  # "Acme <attacker@evil.example>, Acme": an address, not a company
    name = strip_legal(re.sub(r"\s+", " ", name).strip(" ,.-!:;|\"'"))
    words = name.split()
    while words and words[-1].lower() in _GENERIC:
        words.pop()
    while words and words[0].lower() in _GENERIC:
        words.pop(0)
    name = " ".join(words)
    if len(name) < 2 or name.lower() in _GENERIC:
        return None
    return name


def _first(find: Callable[[str], str | None], texts: Iterable[str]) -> str | None:
    for text in texts:
        found = find(text)
        if found:
            return found
    return None


def _words_spelling(name: str, label: str) -> str | None:
    """The first words of ``name`` whose letters are the label's: "Ashmere Health" of
    "Ashmere Health Trust" for ashmerehealth."""
    words = name.split()
    for end in range(1, len(words) + 1):
        if _letters(" ".join(words[:end])) == _letters(label):
            return " ".join(words[:end])
    return None


def _written_label(label: str, texts: tuple[str, str], others: tuple[str, ...]) -> str | None:
    """How the text writes the company the domain label names, if it does (``others``:
    see ``extract_company``)."""
    return (
        _first(lambda t: _find_in_text(label.replace("-", ""), t), texts)
        or _first(lambda t: _abbrev_in_text(label, t), others)
        or _first(lambda t: _prefix_in_text(label, t), others)
    )


def extract_company(email: Email, doc: Doc | None = None) -> str | None:
    """The hiring company: display name, own domain, then what the text says."""
    local, _, domain = email.sender_email.rpartition("@")
    display = email.sender_name.strip().strip('"')
    if _NOT_A_NAME.search(display):
        display = ""  # a display name carrying an address names no company
    third_party = bool(domain) and (is_ats(domain) or is_free_mail(domain))
    # The new text first, the whole body (signature, quotes) only when that finds nothing:
    # the first match is the same as in the two joined, at a fraction of the cost.
    head = f"{email.subject}\n{email.text}"[:_MAX_TEXT]
    rest = email.full_text[: _MAX_TEXT - len(head)]
    texts = (head, rest)
    # Mostly the whole body is the new text (with CRLF line ends), which ``head`` ends with:
    # then what a phrase search finds nowhere in ``head`` is not in ``rest`` either, and
    # ``rest`` is not searched again. (No pattern here matches a line end or reads "\r",
    # and before the body ``head`` has a newline, which they read as a text's start.) The
    # label's first match may lie in the subject: that search reads both.
    whole = rest == email.full_text and rest.replace("\r\n", "\n") == email.text
    others = (head,) if whole and head.endswith(email.text) else texts
    display_org, had_role = _strip_role_words(display) if display else ("", False)
    person = bool(display) and _looks_like_person(display, local, domain) and not had_role
    if domain and is_free_mail(domain) and not had_role:
        person = True  # a private address: the display name is a person's, not a company's
    label = registrable_label(domain) if domain and not third_party else ""
    written = _written_label(label, texts, others) if label else None
    if display_org and not person:
        overlaps = bool(label) and _letters(display_org)[:4] in _letters(label)
        # "Recruitment - Department for Rural Affairs": a name set apart from the department
        named = had_role and " " in display_org and bool(re.search(r" [-|–:] ", display))
        named = named and not re.search(r" [-|–:] ", display_org)
        # On the company's own domain a department name ("Graduate Recruitment") is no company.
        if third_party or overlaps or named:
            longer = _words_spelling(written, label) if written else None
            if longer and len(longer) > len(display_org) and longer.startswith(display_org):
                return _clean_candidate(longer)  # "Ashmere Careers", "Ashmere Health" in text
            return _clean_candidate(display_org)
    if written:
        return _clean_candidate(written)
    candidate = _body_candidate(others)
    if candidate:
        return candidate
    if domain and not third_party:
        label = registrable_label(domain)
        return _clean_candidate(" ".join(p.capitalize() for p in re.split(r"[-_]", label)))
    if display_org and not person:
        return _clean_candidate(display_org)
    return None


def extract_contact(email: Email) -> tuple[str | None, str | None]:
    """The human recruiter who wrote, if a person wrote: (name, address)."""
    local, _, domain = email.sender_email.rpartition("@")
    if not domain or is_role_address(local) or is_ats(domain):
        return None, None
    display = email.sender_name.strip().strip('"')
    name, had_role = _strip_role_words(display) if display else ("", False)
    if had_role or not name or not _PERSON_NAME.match(name):
        return None, email.sender_email.lower()
    return name, email.sender_email.lower()


def normalise_company(name: str | None) -> str:
    """For comparing companies: lower case, no legal suffix, letters and digits only."""
    return _letters(strip_legal(name or ""))
