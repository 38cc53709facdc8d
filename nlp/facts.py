"""The facts beside the kind: auto-reply, the promised date, the interview slot."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import TypeVar

from spacy.tokens import Doc

from nlp import dates
from nlp import patterns as P
from nlp.components import TEXT_KEY, Cue, cues_of, mentions_of, negated
from nlp.date_context import (
    _ACK_CONDITION,
    _ACK_TIMELINE,
    _ACK_WINDOW,
    _DEADLINE_BEFORE,
    _DEADLINE_FILLERS,
    _EACH_AFTER,
    _FIRST_PERSON,
    _FRONTED_DEADLINE,
    _FUTURE_ANCHOR,
    _INTERVIEW_WORDS,
    _NOT_SLOT_NEAR,
    _OUTCOME,
    _SAME_DAY,
    _SUPERSEDED,
    _SUPERSEDED_PROMISE,
    _TIME_RANGE,
    _WEEK,
    _WINDOW,
    _ack_window,
    _booked_appointment,
    _hiring_event,
    _itinerary,
    _next_sentence,
    _offset_text,
    _quoted,
    _superseded,
    _time_only,
    called_off,
    no_promise_sentence,
)
from nlp.types import Email, Evidence, Kind

log = logging.getLogger(__name__)


T = TypeVar("T")


# Outside acknowledgements and promises, a promise's day is a deadline or a window: a
# day alone is the meeting's or the errand's, "today" a delivery ("you'll get an email
# from uCheck today").
# A calendar's cancellation notice ("Canceled event: Interview @ Thu ...", "Cancelled: ...").
_CANCELLED_EVENT = re.compile(r"(?i)\s*(?:re:\s*)?cancell?ed(?:\s+event)?\s*:")
_STEP_NOUNS = frozenset(["round", "rounds", "stage", "stages", "step", "steps"])
_PROMISE_KINDS = frozenset([Kind.APPLICATION_ACK, Kind.FEEDBACK_PROMISE])
_SUBJECT_AUTO = (
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto:",
    "out of office",
    "out of the office",
    "ooo",
    "abwesenheit",
    "absence",
)
_OOO_THRESHOLD = 3


def safe(what: str, default: T, call: Callable[[], T]) -> T:
    """Run one extraction step; a failure costs that fact, never the whole detection."""
    try:
        return call()
    except Exception:  # hostile text reaches corners of the date code we cannot list
        log.debug("nlp: %s failed", what, exc_info=True)
        return default


def doc_text(doc: Doc) -> str:
    """The doc's text as composed by ``make_doc`` (``doc.text`` rejoins the tokens)."""
    text = doc.user_data.get(TEXT_KEY)
    if not isinstance(text, str):
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def cues(doc: Doc, *labels: str) -> list[Cue]:
    wanted = set(labels)
    return [cue for cue in cues_of(doc) if cue.label in wanted]


def cue_text(doc: Doc, cue: Cue) -> str:
    """The cue as written, widened to whole words ("n't follow up" -> "don't follow up")."""
    if cue.end_char > cue.start_char:
        text = doc_text(doc)
        start = cue.start_char
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’"):
            start -= 1
        return text[start : cue.end_char]
    start = cue.start
    while start > 0 and not doc[start - 1].whitespace_ and doc[start - 1].is_alpha:
        start -= 1
    return doc[start : cue.end].text


def _token_range(doc: Doc, start_char: int, end_char: int) -> tuple[int, int] | None:
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    return (span.start, span.end) if span is not None else None


def detect_auto_reply(email: Email, doc: Doc) -> tuple[bool, str | None]:
    """An automatic reply: by header, by subject, or by out-of-office wording."""
    headers = email.headers
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return True, f"Auto-Submitted: {auto}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return True, f"{name}: {headers[name]}"
    subject = email.subject.strip().lower()
    if subject.startswith(_SUBJECT_AUTO):
        return True, email.subject.strip()[:80]
    strong = [c for c in cues(doc, P.OOO) if not _about_someone_else(doc, c)]
    if not strong:
        return False, None
    weak = [
        w
        for w in cues(doc, P.OOO_WEAK)
        if not any(_distance(w, s) == 0 for s in strong) and not _about_someone_else(doc, w)
    ]
    score = 2 * len({cue_text(doc, s).lower() for s in strong})
    score += len({cue_text(doc, w).lower() for w in weak})
    if score >= _OOO_THRESHOLD:
        return True, cue_text(doc, strong[0])
    return False, None


_THIRD_PERSON = frozenset(["she", "he", "they", "who", "manager", "colleague"])


def _about_someone_else(doc: Doc, cue: Cue) -> bool:
    """Out-of-office words about a colleague ("who is on leave until Monday", "once she
    is back") are a human reply passing news on, not an automatic one."""
    words = {tok.lower_ for tok in doc[max(0, cue.start - 3) : cue.end]}
    return bool(words & _THIRD_PERSON)


def _sentence_of(ids: Sequence[int], start: int) -> int:
    return ids[min(start, len(ids) - 1)] if ids else 0


def _distance(a: Cue | tuple[str, int, int], b: Cue | tuple[str, int, int]) -> int:
    if a[1] < b[2] and b[1] < a[2]:
        return 0
    return b[1] - a[2] if a[2] <= b[1] else a[1] - b[2]


def promised_date(
    doc: Doc, ids: Sequence[int], sent_at: datetime, kind: Kind = Kind.FEEDBACK_PROMISE
) -> tuple[date | None, list[Evidence]]:
    """The latest day by which a promise phrase says feedback will come.

    A deadline counts when a promise ("we'll get back to you", "you will hear") is in
    its sentence, not negated, and closer to it than any rival governor: a request to
    the candidate ("let us know by"), the process ("we finish interviews this week") or
    scheduling ("to book a time next week"). No condition may be in the sentence ("if
    you have not heard from us within six weeks"), and the window may not count from
    an event still to come ("within 10 days of the closing date"), nor name a delivery
    ("you'll receive a test invitation within 24 hours") or ask ("shall I check back in a
    few months?"). Before any interview
    (an acknowledgement), a promise to some candidates only ("shortlisted candidates
    will be contacted within ...") is no promise to this one.
    """
    promises: list[Cue | tuple[str, int, int]] = [
        c for c in cues(doc, P.PROMISE) if not negated(doc, c)
    ]
    text = doc_text(doc)
    ack = kind is Kind.APPLICATION_ACK
    if ack:
        promises.extend(_governors(doc, text, _ACK_TIMELINE))
    elif kind is Kind.FEEDBACK_PROMISE:
        promises.extend(_governors(doc, text, _OUTCOME))
    if not promises and kind is not Kind.FEEDBACK_PROMISE:
        return None, []
    # "Shortlisted candidates will hear within two weeks" is a promise to this candidate
    # too (issue 11: real acknowledgements say when the shortlist is told); "if you are
    # shortlisted, ..." is a condition.
    deadlines = dates.find_deadlines(text, sent_at)
    conditions = {_sentence_of(ids, c.start) for c in cues(doc, P.CONDITIONAL)}
    # A step named as a noun ("about the next round", "of their final round") governs nothing.
    rivals = [
        r
        for r in cues(doc, P.REQUEST, P.PROCESS, P.INVITE)
        if not (r.label == P.PROCESS and doc[r.end - 1].lower_ in _STEP_NOUNS)
    ]
    best: date | None = None
    evidence: list[Evidence] = []
    ack_conditions: dict[int, bool] = {}  # once a sentence
    plain: dict[int, bool] = {}
    for start, end, phrase, day in deadlines:
        tokens = _token_range(doc, start, end)
        if tokens is None or day is None or day < sent_at.date():
            continue
        where = ("", tokens[0], tokens[1])
        sid = _sentence_of(ids, tokens[0])
        if _quoted(text, start) or sid in conditions or _FUTURE_ANCHOR.match(text, end):
            continue
        if _EACH_AFTER.match(text, end):
            continue
        if _SUPERSEDED_PROMISE.search(text, max(0, start - 60), start):
            continue  # "we originally promised you a decision by Friday, but ..."
        if kind not in _PROMISE_KINDS and (
            _SAME_DAY.match(phrase)
            or not (_FRONTED_DEADLINE.match(phrase) or _ACK_WINDOW.search(phrase))
        ):
            continue  # "an email from our vendor today", "we will call you on Thursday 13 August"
        governing = [p for p in promises if _sentence_of(ids, p[1]) == sid]
        if not governing:
            continue
        if sid not in plain:
            plain[sid] = not no_promise_sentence(_sentence_text(doc, ids, tokens[0]))
        if not plain[sid]:
            continue  # "you'll receive a test invitation within 24 hours", a question
        nearest = min(governing, key=lambda p: _distance(p, where))
        if (
            nearest[1] > tokens[0]
            and not _FRONTED_DEADLINE.match(phrase)
            and not _WINDOW.search(phrase)
        ):
            continue  # "chasing them today and will be in touch": the day is the chasing's
        # A rival inside the promise's own words is no rival ("before we [can get] back").
        near_rival = min(
            (
                _distance(r, where)
                for r in rivals
                if _sentence_of(ids, r.start) == sid and _distance(r, nearest) > 0
            ),
            default=None,
        )
        if near_rival is not None and near_rival < _distance(nearest, where):
            continue
        if ack and sid not in ack_conditions:
            sentence = _sentence_text(doc, ids, tokens[0])
            ack_conditions[sid] = _ACK_CONDITION.search(sentence) is not None
        if ack and (
            ack_conditions[sid] or (nearest[0] == "" and not _ack_window(text, start, phrase))
        ):
            continue
        if best is None or day > best:
            best = day
            evidence = [Evidence("feedback_by", phrase)]
    if best is None and kind is Kind.FEEDBACK_PROMISE:
        governed = {_sentence_of(ids, p[1]) for p in promises}
        return _first_person_deadline(doc, ids, text, deadlines, sent_at, governed)
    return best, evidence


def _first_person_deadline(
    doc: Doc,
    ids: Sequence[int],
    text: str,
    deadlines: list[tuple[int, int, str, date]],
    sent_at: datetime,
    governed: set[int],
) -> tuple[date | None, list[Evidence]]:
    """In a feedback promise whose words no cue knows ("we should have an answe for you by
    end of next week"), the one deadline the sender sets themselves is the promise's.
    Sentences with a promise cue were read already; their deadlines are not retried."""
    asked = {_sentence_of(ids, c.start) for c in cues(doc, P.REQUEST, P.CONDITIONAL)}
    found: dict[date, str] = {}
    for start, end, phrase, day in deadlines:
        tokens = _token_range(doc, start, end)
        if tokens is None or day < sent_at.date() or _quoted(text, start):
            continue
        if not _FRONTED_DEADLINE.match(phrase) or _SAME_DAY.match(phrase):
            continue
        if _FUTURE_ANCHOR.match(text, end) or _EACH_AFTER.match(text, end):
            continue
        if _SUPERSEDED_PROMISE.search(text, max(0, start - 60), start):
            continue
        sid = _sentence_of(ids, tokens[0])
        if sid in governed:
            continue
        sentence = _sentence_text(doc, ids, tokens[0])
        if sid in asked or not _FIRST_PERSON.search(sentence) or no_promise_sentence(sentence):
            continue
        found.setdefault(day, phrase)
    if len(found) != 1:
        return None, []
    ((day, phrase),) = found.items()
    return day, [Evidence("feedback_by", phrase)]


def _sentence_text(doc: Doc, ids: Sequence[int], token: int) -> str:
    """The text of the sentence holding ``token``."""
    sid = _sentence_of(ids, token)
    first = last = token
    while first > 0 and ids[first - 1] == sid:
        first -= 1
    while last + 1 < len(ids) and ids[last + 1] == sid:
        last += 1
    return doc_text(doc)[doc[first].idx : doc[last].idx + len(doc[last])]


def _governors(doc: Doc, text: str, pattern: re.Pattern[str]) -> list[tuple[str, int, int]]:
    """The words ``pattern`` finds, as promise spans (with no cue label)."""
    found = []
    for m in pattern.finditer(text):
        tokens = _token_range(doc, m.start(), m.end())
        if tokens is not None:
            found.append(("", tokens[0], tokens[1]))
    return found


Slot = tuple[datetime, bool, str | None, str]


def _not_a_slot(doc: Doc, start: int) -> bool:
    """Is the date starting at token ``start`` a deadline or a past day?"""
    before = [tok.norm_ for tok in doc[max(0, start - 4) : start] if not tok.is_space]
    if any(norm in _NOT_SLOT_NEAR for norm in before[-3:]):
        return True
    while before and before[-1] in _DEADLINE_FILLERS:
        before.pop()
    return bool(before) and before[-1] in _DEADLINE_BEFORE


def slot_candidates(
    doc: Doc, ids: Sequence[int], sent_at: datetime
) -> list[tuple[dates.DateMention, int]]:
    """Date mentions that can be the interview: (mention, sentence), in text order.

    Not a deadline ("by Friday"), not a past day ("last Wednesday", "thank you for
    Monday"), not before the message was sent, not a slot called off or moved away from
    ("has been cancelled", "moves from Tuesday 9 June 14:00 to ..."), nothing in a
    calendar's cancellation notice.
    """
    text = doc_text(doc)
    history = {_sentence_of(ids, c.start) for c in cues(doc, P.POST_INTERVIEW)}
    earliest = sent_at.date() - timedelta(days=1)
    found: list[tuple[dates.DateMention, int]] = []
    subject_end = doc.user_data.get("followup_subject_end") or 0
    if _booked_appointment(text[:subject_end], text) or _CANCELLED_EVENT.match(text):
        return []
    events: dict[int, bool] = {}
    mentions = mentions_of(doc)
    if mentions is None:
        mentions = dates.find_datetimes(text, sent_at)
    for mention in mentions:
        if mention.value.date() < earliest:
            continue
        tokens = _token_range(doc, mention.start, mention.end)
        if tokens is None:
            continue
        if (
            _not_a_slot(doc, tokens[0])
            or _SUPERSEDED.search(_line_before(text, mention))
            or _superseded(text, mention.start)
            or _quoted(text, mention.start)
            or called_off(text, mention.start, mention.end)
        ):
            continue
        sid = _sentence_of(ids, tokens[0])
        if sid not in events:  # once a sentence: a long one may hold many dates
            events[sid] = _hiring_event(_sentence_text(doc, ids, tokens[0]))
        if events[sid]:
            continue
        if sid in history and not mention.has_time:
            continue
        found.append((mention, sid))
    return found


def requested_date(doc: Doc, ids: Sequence[int], sent_at: datetime) -> date | None:
    """The last day the sender asks the candidate to answer by ("let us know by Friday")."""
    asked = {_sentence_of(ids, c.start) for c in cues(doc, P.REQUEST)}
    found: date | None = None
    for start, end, _phrase, day in dates.find_deadlines(doc_text(doc), sent_at):
        tokens = _token_range(doc, start, end)
        if tokens is None or day < sent_at.date() or _sentence_of(ids, tokens[0]) not in asked:
            continue
        found = max(found or day, day)
    return found


def interview_slot(
    doc: Doc,
    ids: Sequence[int],
    candidates: list[tuple[dates.DateMention, int]],
    agreed: bool,
    sent_at: datetime,
) -> Slot | None:
    """The one concrete interview date (and time) among the candidates, if there is one.

    Several candidate days, or a list or range to choose from, give none. A written day
    beats a time written alone; a time alone counts when no day is written, unless it
    is a window ("between 9:00 and 17:00"). ``agreed`` (the time is fixed): several
    times on the one day are an itinerary, and the slot is its first, also when the
    times stand on their own lines under the day; otherwise they are options, and
    give none.
    """
    meeting = {_sentence_of(ids, c.start) for c in cues(doc, P.MEETING, P.INVITE, P.CONFIRM, P.JOB)}
    alone = [(m, sid) for m, sid in candidates if _time_only(m, sent_at)]
    dated = [(m, sid) for m, sid in candidates if not _time_only(m, sent_at)]
    if not dated:
        text = doc_text(doc)
        dated = [(m, sid) for m, sid in alone if not dates.after_between(text, m.start)]
        alone = []
    if not dated:
        return None
    pool = dated
    # A written date and time is more concrete than "tomorrow" or a bare weekday beside it.
    timed = [(m, sid) for m, sid in pool if m.has_time]
    if timed:
        pool = timed
    if len({m.value.date() for m, _ in pool}) > 1 and not (agreed and _itinerary(pool)):
        pool = [(m, sid) for m, sid in pool if sid in meeting]
        if len({m.value.date() for m, _ in pool}) != 1:
            return None
    # Options: "either Tuesday the 22nd or Wednesday the 23rd at 9:00", "between 2 and 6 March".
    sentences = {sid for _, sid in pool}
    # Times listed beside a day that has none are its window ("26 May between 9.00am and 4pm").
    dated_only = not timed
    # A list's items may sit in two "sentences" ("on 09.03. or 10.03." ends one at "09.03.").
    listed = [m for m, _ in pool if m.is_range_or_list]
    options = {
        m.value
        for m, sid in candidates
        if m.is_range_or_list
        and (sid in sentences or any(0 <= o.start - m.end <= _LIST_REACH for o in listed))
        and not (dated_only and _time_only(m, sent_at))
    }
    if len(pool) == 1 and pool[0][0].is_range_or_list and _WEEK.search(pool[0][0].text):
        return None  # "in the week of January 12": a week to save, not a day
    if len({v.date() for v in options}) > 1 or (len(options) > 1 and not agreed):
        return None
    times = {m.value for m, _ in pool if m.has_time}
    if len(times) > 1 and not agreed:
        return None
    chosen = min((m for m, _ in pool), key=lambda m: (m.value, m.start))
    if chosen.is_range_or_list and not chosen.has_time:
        return None  # "the week of January 12", "April 21-25": days to choose from
    value, has_time, zone_name = chosen.value, chosen.has_time, chosen.tz_name
    after = [m for m, _ in alone if m.start > chosen.start]
    if not agreed:
        # A proposal's one time, asked right after its day: "a gap tomorrow ... free at 9:30
        # AM?"; not a window ("approx. 9am–4pm", "between 9 and 5").
        text = doc_text(doc)
        day_sids = {sid for m, sid in pool if m.value.date() == chosen.value.date()}
        after = [
            m
            for m, sid in alone
            if m.start > chosen.start
            and (
                sid in day_sids or sid - 1 in day_sids or _next_sentence(text, chosen.end, m.start)
            )
            and not m.is_range_or_list
            and not dates.after_between(text, m.start)
            and not _TIME_RANGE.search(m.text)
        ]
        if len({m.value.timetz() for m in after}) != 1:
            after = []
    if not has_time and after:
        first = min(after, key=lambda m: (m.value.time(), m.start))
        value = datetime.combine(chosen.value.date(), first.value.timetz())
        has_time, zone_name = True, first.tz_name
    if not has_time:
        value = value.replace(hour=12, minute=0, second=0, microsecond=0)
    return value, has_time, zone_name or _offset_text(value), chosen.text


_LIST_REACH = 12


def _line_before(text: str, mention: dates.DateMention, reach: int = 40) -> str:
    """The text before the mention on its line (or a label line above it), within ``reach``."""
    return text[max(0, mention.start - reach) : mention.start]


def about_interview(doc: Doc, ids: Sequence[int], slot: Slot) -> bool:
    """Is the slot's sentence (or the subject) about the interview itself?"""
    subject_end = doc.user_data.get("followup_subject_end") or 0
    phrase = slot[3]
    start = doc_text(doc).find(phrase)
    tokens = _token_range(doc, start, start + len(phrase)) if start >= 0 else None
    if tokens is None:
        return False
    sid = _sentence_of(ids, tokens[0])
    subject = _token_range(doc, 0, subject_end) if subject_end else None
    limit = subject[1] if subject is not None else 0
    words = {tok.norm_ for tok in doc[:limit]}
    words.update(tok.norm_ for tok in doc if ids[tok.i] == sid)
    return bool(words & _INTERVIEW_WORDS)
