"""The reply split: what a sender wrote, without quoted history and signature, in linear time.

Every test is on one line at a time (or a fixed window of lines), by set lookups, prefix
and suffix checks and regular expressions without nested repetition, over lines cut to
``LINE_CHARS``: the cost is linear in the text whatever the mail holds.
"""

from __future__ import annotations

import re

import html_text
import lxml.html

__all__ = ["LINE_CHARS", "SCAN_CHARS", "html_without_history", "split_reply"]

# What a sender wrote sits at the top: the split looks at this much, line by line.
SCAN_CHARS = 64_000
# An attribution or header line is short; the tests look at this much of any line.
LINE_CHARS = 400
# Languages of the quoting styles below: English, German, French, Spanish, Italian, Dutch.
_OPENERS = ("on ", "am ", "le ", "el ", "il ", "op ", "em ", "den ")
_WROTE = (
    "wrote",
    "schrieb",
    "a écrit",
    "escribió",
    "ha scritto",
    "schreef",
    "escreveu",
    "skrev",
)
_FORWARD_LINES = frozenset(
    [
        "begin forwarded message:",
        "anfang der weitergeleiteten nachricht:",
        "début du message réexpédié :",
        "début du message réexpédié:",
        "inicio del mensaje reenviado:",
    ]
)
_FORWARD_WORDS = (
    "forwarded message",
    "weitergeleitete nachricht",
    "message transféré",
    "mensaje reenviado",
    "messaggio inoltrato",
    "doorgestuurd bericht",
)
_ORIGINAL_WORDS = (
    "original message",
    "ursprüngliche nachricht",
    "originalnachricht",
    "message d'origine",
    "mensaje original",
    "messaggio originale",
    "oorspronkelijk bericht",
)
# Outlook's quoted header block: a "From:" line, then within a few lines "Sent:"/"Date:"
# and "To:"/"Subject:", in the languages Outlook writes them in.
_FROM_FIELDS = frozenset(["from", "von", "de", "da", "van", "od"])
_DATE_FIELDS = frozenset(
    ["sent", "date", "gesendet", "datum", "envoyé", "date d'envoi", "enviado", "fecha",
     "inviato", "data", "verzonden"]
)  # fmt: skip
_TO_FIELDS = frozenset(
    ["to", "subject", "an", "betreff", "à", "objet", "para", "asunto", "a", "oggetto",
     "aan", "onderwerp", "cc"]
)  # fmt: skip
_HEADER_WINDOW = 6
_FIELD = re.compile(r"[*\s]*([^\W\d_][\w' ]{0,15}?)[*\s]*:")
_RULE = re.compile(r"[_\-=*]{8,}")
_SIGN_OFFS = frozenset(
    [
        "best", "best regards", "best wishes", "kind regards", "kindest regards", "regards",
        "warm regards", "warmest regards", "many thanks", "thanks", "thank you", "thanks again",
        "thanks so much", "thank you very much", "cheers", "sincerely", "yours sincerely",
        "sincerely yours", "yours faithfully", "yours", "all the best", "with best regards",
        "with kind regards", "talk soon", "speak soon", "take care", "respectfully",
        "viele grüße", "beste grüße", "liebe grüße", "freundliche grüße",
        "mit freundlichen grüßen", "mit freundlichem gruß", "gruß", "grüße", "lg", "vg", "mfg",
        "cordialement", "bien cordialement", "bien à vous", "salutations", "merci",
        "saludos", "un saludo", "saludos cordiales", "atentamente", "un abrazo", "gracias",
        "cordiali saluti", "distinti saluti", "saluti", "grazie",
        "met vriendelijke groet", "groeten", "hartelijke groet",
    ]
)  # fmt: skip
_DEVICE_LINES = (
    "sent from my ",
    "sent from outlook",
    "sent from mail for ",
    "sent from yahoo mail",
    "get outlook for ",
    "von meinem iphone gesendet",
    "von meinem ipad gesendet",
    "gesendet von meinem ",
    "envoyé de mon ",
    "enviado desde mi ",
    "inviato da ",
)
_SIGN_OFF_CHARS = 40  # a sign-off line is short; a sentence is not
_NAME_LINE_CHARS = 40  # nor is the name line under it
# The forwarder's own note counts as "adding little" below this many characters.
_SHORT_FORWARD_NOTE = 200
# ... or points to it, however long: "see below from the hiring manager", "his note below".
_POINTS_BELOW = re.compile(r"(?i)\b(?:see|read|find|note|details|email|message)\s+below\b")


def split_reply(text: str) -> str:
    """What the sender of ``text`` wrote: no quoted history, no signature.

    A forward whose own note is short yields the note and the forwarded message's own
    words, since what was forwarded is what the forwarder meant to pass on.
    """
    lines = text[:SCAN_CHARS].splitlines()
    end, forward = _history_start(lines, 0)
    own = _own_lines(lines[:end])
    if not forward and end < len(lines):
        own = _with_answers_below(own, lines, end)
    if forward:
        note = "\n".join(own).strip()
        body = _skip_header_block(lines, end + 1)
        inner_end, _ = _history_start(lines, body)
        inner = "\n".join(_own_lines(lines[body:inner_end])).strip()
        if inner and (len(note) < _SHORT_FORWARD_NOTE or _POINTS_BELOW.search(note)):
            return f"{note}\n\n{inner}".strip()
        return note
    result = "\n".join(own).strip()
    if not result:
        # Everything looked like quote or signature (a bare "Thanks,\nJane"): keep it all.
        return text.strip()
    return result


def _history_start(lines: list[str], start: int) -> tuple[int, bool]:
    """Where quoted history starts at or below ``start`` (len(lines) if nowhere), and
    whether it is a forward rather than a reply."""
    for index in range(start, len(lines)):
        line = _unquoted(lines[index])
        lowered = line.lower()
        if _is_forward_marker(lowered):
            return index, True
        if _is_original_marker(lowered):
            return index, False
        if _is_attribution(lowered, lines, index):
            return index, False
        if _is_header_block(lines, index):
            # an Outlook block may sit under a "____" rule: the rule goes with it
            above = index - 1
            while above >= start and not lines[above].strip():
                above -= 1
            if above >= start and _RULE.fullmatch(lines[above].strip()[:LINE_CHARS]):
                return above, False
            return index, False
    return len(lines), False


def _with_answers_below(own: list[str], lines: list[str], start: int) -> list[str]:
    """``own`` with the answers written under a ">"-quoted history, when there are any.

    Thunderbird and Apple Mail users bottom-post ("On ... wrote:", the quote, then the
    new text) or answer inline, between the quoted lines. Those lines count when nothing
    but a greeting stands above the quote, or when a quoted line follows them (inline
    answers); an unquoted tail under a top-posted reply is a footer a server appended.
    """
    answers, inline = _answers_below(lines, start)
    if not any(line.strip() for line in answers):
        return own
    if not (inline or _only_greeting(own)):
        return own
    if not any(line.strip() for line in own):
        return answers
    while not own[-1].strip():
        own = own[:-1]
    return [*own, "", *answers]


def _answers_below(lines: list[str], start: int) -> tuple[list[str], bool]:
    """The unquoted lines under the history starting at ``start``, if that history is
    ">"-quoted, up to the next history marker; and whether a quoted line follows one."""
    first = next((i for i in range(start + 1, len(lines)) if lines[i].strip()), None)
    if first is None or not _is_quoted(lines[first]):
        return [], False  # an unquoted history (Outlook, HTML made text): all of it is old
    answers: list[str] = []
    inline = answered = False
    for index in range(first, len(lines)):
        line = lines[index]
        if _is_quoted(line):
            inline = inline or answered
            continue
        lowered = _unquoted(line).lower()
        if lowered and (
            _is_forward_marker(lowered)
            or _is_original_marker(lowered)
            or _is_attribution(lowered, lines, index)
            or _is_header_block(lines, index)
        ):
            break  # an older, unquoted history under the answers
        if line.strip() or answers:
            answers.append(line)
            answered = answered or bool(line.strip())
    return _own_lines(answers) if answers else [], inline


def _is_quoted(line: str) -> bool:
    return line[:LINE_CHARS].lstrip().startswith(">")


def _only_greeting(own: list[str]) -> bool:
    """Nothing above the quote, or a greeting alone ("Hi Dana,")."""
    words = [line.strip() for line in own if line.strip()]
    return not words or (
        len(words) == 1 and len(words[0]) <= _NAME_LINE_CHARS and words[0].endswith((",", "!"))
    )


def _unquoted(line: str) -> str:
    return line[:LINE_CHARS].lstrip(" >\t").rstrip()


def _is_forward_marker(lowered: str) -> bool:
    if lowered in _FORWARD_LINES:
        return True
    core = lowered.strip("-_= ")
    return lowered.startswith("-") and core != lowered and core in _FORWARD_WORDS


def _is_original_marker(lowered: str) -> bool:
    core = lowered.strip("-_= ")
    return lowered.startswith("-") and core in _ORIGINAL_WORDS


def _is_attribution(lowered: str, lines: list[str], index: int) -> bool:
    """ "On <date> <name> wrote:" and its kin, also wrapped over two lines."""
    if not lowered.startswith(_OPENERS) or lowered.endswith((".", "!", "?")):
        return False
    if _ends_with_wrote(lowered):
        return True
    if index + 1 < len(lines):
        following = _unquoted(lines[index + 1]).lower()
        return len(lowered) + len(following) < LINE_CHARS and _ends_with_wrote(following)
    return False


def _ends_with_wrote(lowered: str) -> bool:
    if not lowered.endswith(":"):
        return False
    head = lowered[:-1].rstrip()
    if head.endswith(_WROTE):
        return True
    # German and Dutch put the name after the verb: "Am ... schrieb Dana <d@x.de>:"
    return any(f" {verb} " in head for verb in ("schrieb", "schreef", "skrev"))


def _field(line: str) -> str | None:
    """The field name of a quoted header line ("**From:** Dana" -> "from"), else None."""
    found = _FIELD.match(_unquoted(line))
    return found.group(1).strip().lower() if found else None


def _is_header_block(lines: list[str], index: int) -> bool:
    if _field(lines[index]) not in _FROM_FIELDS:
        return False
    seen_date = seen_to = False
    for line in lines[index + 1 : index + 1 + _HEADER_WINDOW]:
        name = _field(line)
        seen_date = seen_date or name in _DATE_FIELDS
        seen_to = seen_to or name in _TO_FIELDS
    return seen_date and seen_to


def _skip_header_block(lines: list[str], index: int) -> int:
    """The first line after a forwarded message's header lines and the blank under them."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and _field(lines[index]) is not None:
        index += 1
    return index


def _own_lines(lines: list[str]) -> list[str]:
    """The lines above the signature, without interleaved quoted lines."""
    kept = lines[: _signature_start(lines)]
    unquoted = [line for line in kept if not line.lstrip().startswith(">")]
    # A message that is all quote (a bare forward) keeps its text.
    return unquoted if any(line.strip() for line in unquoted) else kept


def _signature_start(lines: list[str]) -> int:
    """Where the signature starts: "-- ", a device line, or a short sign-off block."""
    for index, line in enumerate(lines):
        stripped = line[:LINE_CHARS].strip()
        lowered = stripped.lower()
        if stripped in ("--", "-- ", "__") or lowered.startswith(_DEVICE_LINES):
            return index
        if len(stripped) <= _SIGN_OFF_CHARS and lowered.rstrip(",.!") in _SIGN_OFFS:
            # the name under it, a blank line or two further down at most
            below = lines[index + 1 : index + 4]
            following = next((x[:LINE_CHARS].strip() for x in below if x.strip()), "")
            if len(following) <= _NAME_LINE_CHARS:
                return index
            if _looks_like_disclaimer(following):
                return index
    return len(lines)


def _looks_like_disclaimer(line: str) -> bool:
    head = line[:LINE_CHARS].lower()
    return head.startswith(("confidential", "disclaimer", "this e-mail", "this email", "notice"))


def html_without_history(html: str) -> str | None:
    """The text of an HTML mail without its quoted history, or None when it marks none.

    The markers are the clients' own: Gmail's ``div.gmail_quote``, Apple Mail's and
    Thunderbird's ``blockquote type=cite`` (and the "On ... wrote:" line above it),
    Outlook's ``div#divRplyFwdMsg``, ``#appendonsend`` and the ``border-top`` rule over
    its "From:" block. A quote block goes alone, so what was written under or between
    the quotes (a bottom-posted or inline reply) stays; Outlook quotes unmarked text
    after its header, so everything from an Outlook marker on is history.
    """
    try:
        tree = html_text.parse_html(html)
    except Exception:  # lxml refuses some documents; the plain-text split still runs
        return None
    markers = [e for e in tree.iter() if _is_quote_marker(e)]
    if not markers:
        return None
    dropped: set[lxml.html.HtmlElement] = set()
    outlook = None
    for marker in markers:
        if any(a in dropped for a in marker.iterancestors()):
            continue  # inside a quote already gone
        if not _is_cite(marker):
            outlook = marker
            break
        _drop_attribution_before(marker)
        dropped.add(marker)
        marker.drop_tree()  # keeps the text after it
    if outlook is not None:
        _drop_from(outlook)
    return str(html_text.extract_text(tree, guess_layout=True))


def _is_cite(element: lxml.html.HtmlElement) -> bool:
    """A quote block of its own (Gmail, Apple Mail, Thunderbird, Yahoo), not Outlook's."""
    classes = f" {element.get('class') or ''} ".lower()
    return element.tag.lower() == "blockquote" or any(
        name in classes for name in (" gmail_quote ", " moz-cite-prefix ", "yahoo_quoted")
    )


def _drop_attribution_before(quote: lxml.html.HtmlElement) -> None:
    """Remove the "On ... wrote:" line written just above a quote block, element or text."""
    previous = quote.getprevious()
    while previous is not None and previous.tag == "br" and not (previous.tail or "").strip():
        previous = previous.getprevious()
    if previous is not None and not (previous.tail or "").strip():
        words = " ".join(previous.text_content()[:LINE_CHARS].split())
        if _without_attribution_line(words) != words:
            previous.drop_tree()
        return
    if previous is not None:
        previous.tail = _without_attribution_line(previous.tail or "")
        return
    parent = quote.getparent()
    if parent is not None:
        parent.text = _without_attribution_line(parent.text or "")


def _without_attribution_line(text: str) -> str:
    """``text`` without its last line when that line is an "On ... wrote:" attribution."""
    head, _, last = text.rstrip().rpartition("\n")
    words = " ".join(last.split()).lower()
    if len(words) < LINE_CHARS and words.startswith(_OPENERS) and _ends_with_wrote(words):
        return head
    return text


def _is_quote_marker(element: lxml.html.HtmlElement) -> bool:
    if not isinstance(element.tag, str):
        return False  # comments and processing instructions
    tag = element.tag.lower()
    classes = f" {element.get('class') or ''} ".lower()
    ident = (element.get("id") or "").lower()
    if " gmail_quote " in classes or " moz-cite-prefix " in classes or "yahoo_quoted" in classes:
        return True
    if tag == "blockquote" and (element.get("type") or "").lower() == "cite":
        return True
    if ident in ("divrplyfwdmsg", "appendonsend"):
        return True
    style = (element.get("style") or "").lower().replace(" ", "")
    return tag == "div" and "border-top:solid" in style and "border:none" in style


def _drop_from(marker: lxml.html.HtmlElement) -> None:
    """Remove ``marker`` and everything after it in document order."""
    node = marker
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node.tail = None
        node = parent
    marker_parent = marker.getparent()
    if marker_parent is not None:
        marker_parent.remove(marker)
