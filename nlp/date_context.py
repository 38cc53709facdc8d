"""The words around a date phrase that say whether it is a promise's day or the interview's."""

from __future__ import annotations

import re
from datetime import datetime

from nlp.dates import DateMention

# A hiring event is no interview: "join our Teacher Recruitment Fair on Saturday, November
# 15", "a virtual insight evening for applicants on 3 June" (unless it names interviews).
_EVENT = re.compile(
    r"(?i)\b(?:(?:career|careers|job|jobs|recruitment|hiring|graduate)\s+fairs?|meet-?ups?|"
    r"webinars?|insight\s+(?:evening|day|session)s?|open\s+(?:day|evening|house)s?|drop-ins?|"
    r"info(?:rmation)?\s+sessions?|networking|hackathons?|expos?|booth|"
    r"(?:hiring|recruiting|recruitment)\s+(?:days?|events?))\b"
)
# A booking tool's confirmation ("Your booking has been confirmed. What: ...") of an
# appointment that names no hiring step: a physio, a demo, a coffee chat.
_BOOKING = re.compile(r"(?i)\byour\s+booking\s+(?:has\s+been|is)\s+confirmed\b")
_BOOKED_WHAT = re.compile(r"(?im)^[^\S\n]*what:[^\S\n]*\n?[^\S\n]*([^\n]{0,120})")
_HIRING_STEP = re.compile(
    r"(?i)\b(?:interview|screen|screening|recruit\w*|hiring|candidate|onsite|on-site|panel|job|"
    r"role|position|application|req\w*)\b"
)
_PAST_VISIT = re.compile(
    r"(?i)\b(?:met|discussed|spoke|talked|chatted|saw|attended|visited|enjoyed)\b[^.!?]*$"
)
_INTERVIEW_NAMED = re.compile(r"(?i)\binterview|\b(?:video|phone|zoom|teams)\s+call|\bcall\s+with")
# A label naming a slot that no longer holds: "Previous Date/Time:", "Original: Friday 30 May".
_SUPERSEDED_LABEL = re.compile(
    r"(?i)^[^\S\n]*(?:previous|original|old|former|was|cancelled|canceled)\b[^:\n]{0,24}"
    r"(?::|[^\S\n]{2,}|\t)?[^\S\n]*$"
)
_SAME_DAY = re.compile(
    r"(?i)(?:today|tonight|later\s+today|this\s+(?:morning|afternoon|evening))\b"
)
_SUPERSEDED_PROMISE = re.compile(
    r"(?i)\b(?:originally|previously|initially|earlier|had)\s+(?:\w+\s+)?promised\b[^.!?\n]*$"
)
# In an acknowledgement the timeline itself is the promise: "we will review applications
# over the next 7-10 business days", "interview invitations will go out by March 14",
# "please allow 1-3 weeks", "processing can take 4-6 weeks".
_ACK_TIMELINE = re.compile(
    r"(?i)\b(?:review|screen|go(?:ing)?\s+through|look(?:ing)?\s+(?:over|through)|read|"
    r"process|hear|contact|notif|inform|invit|update|outcome|result|decision|respon|reply|"
    r"replies|answer|follow\s+up|get\s+back|in\s+touch|reach\s+out|allow|call)"
)
# After an interview, the kind already says a promise is made: "we expect to advise
# outcomes by the end of the month", "will confirm next steps by the end of next week".
_OUTCOME = re.compile(
    r"(?i)\b(?:outcomes?|results?|decisions?|decid(?:e|ing)|next\s+steps|revert"
    r"|(?<!please\s)(?<!kindly\s)(?:confirm|advise|inform|notif))"
)
# ... but only a window ("within two weeks", "1-3 weeks") or a day ("by 24 June"), not
# "this week" or "this month", which say when the work happens, not when it ends.
_ACK_WINDOW = re.compile(
    r"(?i)^(?:by|before|no\s+later|not\s+later|within|in|inside|until)\b|\bfortnight\b"
    r"|(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|few|couple|several))"
    r"\W+(?:\w+\W+)?(?:days?|weeks?|months?)\b"
)
# A period that is no deadline: "every two weeks", "retained for a period of 24 months".
_PERIOD_BEFORE = re.compile(r"(?i)\b(?:every|each|for|period\s+of)\s+(?:a\s+|the\s+)?$")
_EACH_AFTER = re.compile(r"(?i)\s+(?:of|after)\s+(?:every|each|any)\b")
# A condition in an acknowledgement's sentence: "if you're a fit", "if we do not contact you".
_ACK_CONDITION = re.compile(r"(?i)\b(?:if|unless|in\s+case)\b")


def _ack_window(text: str, start: int, phrase: str) -> bool:
    """Is the phrase an acknowledgement's timeline, not a period ("every two weeks")?"""
    return bool(_ACK_WINDOW.search(phrase)) and not _PERIOD_BEFORE.search(
        text, max(0, start - 20), start
    )


def _superseded(text: str, start: int) -> bool:
    """Is the mention at ``start`` under a label like "Previous Date/Time:" (on its line,
    or alone on the line above)?"""
    line_start = text.rfind("\n", max(0, start - 60), start) + 1
    if _SUPERSEDED_LABEL.match(text[line_start:start]):
        return True
    if text[line_start:start].strip() or line_start == 0:
        return False
    above = text.rfind("\n", max(0, line_start - 60), line_start - 1) + 1
    return _SUPERSEDED_LABEL.match(text[above : line_start - 1]) is not None


def _hiring_event(sentence: str) -> bool:
    """Does the sentence name a hiring event to come (not "we discussed at the meetup")?"""
    if _INTERVIEW_NAMED.search(sentence):
        return False
    return any(
        not _PAST_VISIT.search(sentence, max(0, m.start() - 30), m.start())
        for m in _EVENT.finditer(sentence)
    )


def _booked_appointment(subject: str, text: str) -> bool:
    """Is the mail a booking tool's confirmation of an appointment with no hiring step?"""
    if ("ooking" not in text and "OOKING" not in text) or _BOOKING.search(text) is None:
        return False
    what = _BOOKED_WHAT.search(text)
    return what is not None and _HIRING_STEP.search(subject + " " + what.group(1)) is None


def _quoted(text: str, start: int) -> bool:
    """Is ``start`` on a quoted line ("> ...")? Quoted history neither promises nor books."""
    line_start = text.rfind("\n", max(0, start - 2000), start) + 1
    return text[line_start:start].lstrip().startswith(">")


# A slot called off in its own sentence: "Your interview scheduled for Thursday has been
# cancelled", and one named after "cancel"/"postpone" with no new day joined by "to".
_CANCELLED_AFTER = re.compile(
    r"(?i)[^.!?\n]{0,60}?\b(?:has|have|had|is|was|were)\s+(?:been\s+)?"
    r"(?:cancell?ed|called\s+off|postponed)\b"
)
_CANCEL_BEFORE = re.compile(
    r"(?i)\b(?:cancel\w*|postpon\w*|call(?:ing)?\s+off|mov(?:e|es|ed|ing)\b"
    r"(?:(?!\b(?:to|until|till|for|instead|now)\b)[^.!?\n]){0,40}\bfrom)"
    r"(?:(?!\b(?:to|until|till|instead|now|new)\b)[^.!?\n]){0,60}\Z"
)


def called_off(text: str, start: int, end: int) -> bool:
    """Is the mention at ``start:end`` a slot that was cancelled or moved away from?"""
    if _CANCEL_BEFORE.search(text, max(0, start - 100), start):
        return True
    return _CANCELLED_AFTER.match(text, end) is not None


# Something sent, not an answer: "you will receive a separate invitation from our testing
# partner within 24 hours", "the Teams link will follow by Friday".
_DELIVERY = re.compile(
    r"(?i)\b(?:receive|get|be\s+sent|send\s+you|follow)\b(?:\s+[\w-]+){0,5}?\s+"
    r"(?:invit\w*|links?|e-?mails?|assessments?|tests?|questionnaires?|forms?|"
    r"calendar\s+invites?|contracts?|paperwork|documents?)\b"
    r"|\b(?:invit\w*|links?|calendar\s+invites?|details|e-?mails?|confirmations?|codes?)"
    r"\s+(?:will|should|to)\s+(?:follow|arrive|come\s+through|reach\s+you)"
)
_ANSWER = re.compile(r"(?i)\b(?:decision|outcome|result|feedback|hear|answer|update|news)")
# The sender asks rather than promises: "shall I check back in a few months?"
_ASKED = re.compile(r"(?i)\b(?:shall|should|can|could|may|might|would|do)\s+(?:i|we)\b")


def no_promise_sentence(sentence: str) -> bool:
    """Is the sentence a delivery of something other than an answer, or a question?"""
    if _DELIVERY.search(sentence) and not _ANSWER.search(sentence):
        return True
    return sentence.rstrip().endswith("?") and _ASKED.search(sentence) is not None


# Words that make a date a deadline or a past day, not the interview: right before it
# ("by Friday", "after the 3rd") or a little before ("no later than", "last week's").
_DEADLINE_BEFORE = frozenset(["by", "before", "until", "till", "through", "thru", "after", "since"])
_NOT_SLOT_NEAR = frozenset(
    [
        "deadline",
        "due",
        "expires",
        "closing",
        "closes",
        "later",
        "than",
        "last",
        "past",
        "previous",
        "cancelled",
        "canceled",
        "missed",
        "every",
        "each",
    ]
)
_DEADLINE_FILLERS = frozenset(["the", "end", "of", "on", "close", "cob", "eod"])
# A window counted from an event still to come has no day yet ("within 10 days of the ad closing").
_FUTURE_ANCHOR = re.compile(
    r"\s*(?:of|after|from|following|once)\s+(?:the\s+|your\s+|our\s+|this\s+)?"
    r"(?:[\w-]+\s+){0,3}?(?:ad\b|advert|advertisement|posting|role\s+clos|job\s+clos|"
    r"vacancy\s+clos|window\s+clos|(?<=that\s)(?:date|meeting|day)|panel\b|"
    r"clos(?:e|ing)|deadline|submission|submitting|you\s+submit|receipt|receiving|"
    r"complet|application\s+deadline|applications\s+clos|end\s+of\s+the\s+(?:campaign|"
    r"recruitment|process))",
    re.IGNORECASE,
)
# A day named before its promise is the promise's only as a deadline ("By Friday, we'll
# ..."); a window before it always is ("it'll be a couple of weeks before you hear").
_FRONTED_DEADLINE = re.compile(
    r"(?:by|within|before|no\s+later|end|at\s+the\s+end)\b", re.IGNORECASE
)
_WINDOW = re.compile(r"\b(?:hours?|days?|weeks?|fortnight|months?)\b", re.IGNORECASE)
# A day written in a date mention: a weekday or month name, a relative day, an ordinal,
# a numeric date.
_WRITTEN_DAY = re.compile(
    r"(?i)\b(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|\b(?:today|tomorrow|tonight|tmrw|tmw|tmr)\b|\d(?:st|nd|rd|th)\b|\d/\d"
    r"|\d{4}-\d\d-\d\d|\b\d{1,2}\.\d{1,2}\."
)
# A reschedule's old slot: "Previous Date/Time: ...", "was: Tuesday ...", "instead of ...",
# on the mention's line or as the label line above it.
_SUPERSEDED = re.compile(
    r"(?i)\b(?:previous|previously|original|originally|old|former|formerly|initial|"
    r"cancell?ed|was|were)\b[^\n]{0,25}(?::[^\S\n]*\n[^\S\n]*)?$"
    r"|\b(?:instead\s+of|rather\s+than|moved\s+from)\s*$"
)
_WEEK = re.compile(r"(?i)\bweek\b|\bw/[cb]\b")
_TIME_RANGE = re.compile(r"(?i)\d\s*(?:[ap]\.?m\.?)?\s*(?:[-–—]|to|until|till)\s*\d")

_FIRST_PERSON = re.compile(r"(?i)\b(?:we|i)\b|\b(?:we|i)['’](?:ll|d)\b")
_SENTENCE_END = re.compile(r"[.!?](?=\s)")
_NEXT_SENTENCE_REACH = 200


def _next_sentence(text: str, end: int, start: int) -> bool:
    """Is ``start`` in the sentence ending at most one full stop after ``end`` ("... on
    Tuesday 17th March. The day will begin at 8.45am"), blank lines between or not?"""
    if start - end > _NEXT_SENTENCE_REACH:
        return False
    return len(_SENTENCE_END.findall(text, end, start)) <= 1


def _itinerary(pool: list[tuple[DateMention, int]]) -> bool:
    """Is every mention a day heading over its first schedule line ("Monday, September 14 /
    6:30 PM  Dinner")? A fixed programme of several days starts with its first item."""
    return all(m.has_time and "\n" in m.text for m, _ in pool)


def _time_only(mention: DateMention, sent_at: datetime) -> bool:
    """A time with no day written beside it ("10:00 Eastern"): dates puts it on its next
    occurrence, which says nothing about the interview's day."""
    if not mention.has_time or _WRITTEN_DAY.search(mention.text):
        return False
    return 0 <= (mention.value.date() - sent_at.date()).days <= 1


_INTERVIEW_WORDS = frozenset(
    [
        "interview",
        "interviews",
        "onsite",
        "on-site",
        "screen",
        "screening",
        "panel",
        "visit",
        "session",
        "call",
        "meeting",
        "chat",
        "conversation",
        "round",
        "deep-dive",
        "dive",
        "assessment",
    ]
)


def _offset_text(value: datetime) -> str | None:
    offset = value.utcoffset()
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
