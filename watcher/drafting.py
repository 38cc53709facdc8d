"""Pure: the suggested messages (thank-you, first and second nudge, respond) for one lead."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime
from typing import TYPE_CHECKING

from nlp.types import Kind
from watcher.domain import Action, Address
from watcher.terminal import printable

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = [
    "DRAFT_HEADER",
    "DraftFacts",
    "SuggestedMessage",
    "ThreadRef",
    "bare_subject",
    "choose_recipient",
    "draft_email",
    "draft_message_id",
    "guess_role",
    "header_text",
    "is_free_mail",
    "recipient_header",
    "reply_subject",
    "suggest_message",
]

DRAFT_HEADER = "X-Followup-Draft"
# Header values taken from mail are cut to these (a 2 MB subject took minutes to fold).
MAX_SUBJECT_CHARS = 300
MAX_DISPLAY_NAME_CHARS = 100

# Addresses anyone can open: a recruiter writing from one of these is not writing
# from the company, so the user should look for the official address first.
FREE_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "fastmail.com",
        "gmail.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hey.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "web.de",
        "yahoo.co.uk",
        "yahoo.com",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
    }
)
_NO_REPLY = re.compile(
    r"^(no-?reply|do-?not-?reply|donotreply|notifications?|mailer-daemon|bounce[s]?)([+.\-_]|$)",
    re.IGNORECASE,
)
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fwd?|wg)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class ThreadRef:
    """The message a suggestion replies to, so it lands in the same thread."""

    message_id: str
    subject: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftFacts:
    """What the suggestion for one lead is written from."""

    action: Action
    company: str
    role: str
    contact: Address | None
    addresses: tuple[Address, ...]  # the hiring side's senders, newest first
    interview_at: datetime | None
    feedback_by: date | None
    follow_ups_sent: int  # the user's follow-ups since the interview or last reply
    last_follow_up_at: datetime | None
    reply_to: ThreadRef | None
    respond_to: Kind | None  # what the unanswered message was (offer, invitation ...)
    user_name: str


@dataclass(frozen=True)
class SuggestedMessage:
    """A ready-to-edit message; ``template`` names the wording used."""

    action: Action
    template: str
    to: Address | None
    subject: str
    body: str
    warnings: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


def is_free_mail(email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return domain in FREE_MAIL_DOMAINS


def _is_no_reply(email: str) -> bool:
    return bool(_NO_REPLY.match(email.partition("@")[0]))


def choose_recipient(
    contact: Address | None, addresses: tuple[Address, ...], company: str
) -> tuple[Address | None, tuple[str, ...]]:
    """The recruiter's official address if one is known, with warnings otherwise."""
    candidates = [a for a in ((contact,) if contact else ()) + addresses if a.email]
    usable = [a for a in candidates if not _is_no_reply(a.email)]
    official = [a for a in usable if not is_free_mail(a.email)]
    if official:
        return official[0], ()
    who = company or "this lead"
    if usable:
        chosen = usable[0]
        return chosen, (
            f"only a personal address ({chosen.email}) is known for {who}; "
            "look up the recruiter's company address before sending",
        )
    return None, (
        f"no reply address is known for {who} (only no-reply senders); "
        "find the recruiter's address before sending",
    )


def bare_subject(subject: str) -> str:
    """The subject without its Re:/Fwd: prefixes."""
    return _REPLY_PREFIX.sub("", subject).strip()


_ROLE_PATTERNS = (
    # "... for the Data Analyst role", "your application as Senior Engineer (Backend)"
    re.compile(
        r"\b(?:for|as|to|about)\s+(?:the|a|an|our)?\s*(?P<role>[A-Z][\w/&+.,()' -]{2,60}?)\s+"
        r"(?:role|position|opening|vacancy|job)\b"
    ),
    # "Application received: Junior Data Scientist", "Interview - Business Analyst"
    re.compile(
        r"^(?:application(?: received)?|interview(?: confirmation| invitation)?|offer)"
        r"\s*(?::|-|–|—)\s*(?P<role>[A-Z][\w/&+.,()' -]{2,60}?)\s*(?:\(|,|$| at )",
        re.IGNORECASE,
    ),
    # "Data Analyst role at Northwind", "application for Operations Analyst."
    re.compile(r"^(?P<role>[A-Z][\w/&+' -]{2,40}?)\s+(?:role|position)\b"),
    re.compile(
        r"\bapplication (?:for|to) (?:the )?(?P<role>[A-Z][\w/&+' -]{2,60}?)\s*"
        r"(?:\.|,|\(| at | with |$)"
    ),
)


def guess_role(texts: Sequence[str], company: str = "") -> str:
    """The role a lead is about, from its subjects and texts; "" when none is named.

    "Interview invitation - Echo Systems" names the company, not a role: a match that is
    the company's name is skipped."""
    for text in texts:
        for pattern in _ROLE_PATTERNS:
            found = pattern.search(text)
            role = found.group("role").strip(" -,") if found else ""
            if role and role.casefold() != company.strip().casefold():
                return role
    return ""


def reply_subject(subject: str, fallback: str) -> str:
    """``Re: <subject>`` without stacking prefixes; ``fallback`` when there is none."""
    bare = bare_subject(subject)
    return f"Re: {bare}" if bare else fallback


def draft_message_id(lead_id: int, action: Action, due: date | None, owner: str) -> str:
    """The same Message-ID for the same decision, so a draft is recognised and never repeated."""
    digest = hashlib.sha256(owner.strip().lower().encode("utf-8")).hexdigest()[:12]
    when = f"{due:%Y%m%d}" if due else "nodue"
    return f"<draft-{lead_id}-{action.value}-{when}-{digest}@followup.local>"


def draft_email(
    suggestion: SuggestedMessage, *, sender: str, message_id: str, now: datetime, lead_id: int
) -> EmailMessage:
    """The suggestion as a draft reply in its thread; warnings head the body, to be deleted."""
    message = EmailMessage()
    message["From"] = sender
    if suggestion.to is not None:
        message["To"] = recipient_header(suggestion.to)
    message["Subject"] = header_text(suggestion.subject, MAX_SUBJECT_CHARS)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    if suggestion.in_reply_to:
        message["In-Reply-To"] = _bracketed(suggestion.in_reply_to)
        message["References"] = _references(suggestion.references)
    message[DRAFT_HEADER] = f"lead={lead_id}; action={suggestion.action.value}"
    notes = "".join(f"[[ Note: {warning} ]]\n\n" for warning in suggestion.warnings)
    message.set_content(notes + suggestion.body)
    return message


def header_text(value: str, limit: int) -> str:
    """A header value from mail as one line: no CR/LF or other controls, at most ``limit``."""
    text = printable(value, one_line=True)
    return " ".join(text.split())[:limit].rstrip()


def recipient_header(address: Address) -> HeaderAddress:
    """One recipient as an address object: the e-mail library quotes its display name, so a
    name like ``"Acme <evil@x.example>, Acme"`` stays one name of one recipient."""
    username, _, domain = address.email.rpartition("@")
    name = header_text(address.name, MAX_DISPLAY_NAME_CHARS)
    return HeaderAddress(display_name=name, username=username, domain=domain)


MAX_MESSAGE_ID_CHARS = 250


def _bracketed(message_id: str) -> str:
    """RFC 5322 msg-id: ``<id@host>`` (ids are stored without their brackets).

    An id comes from mail: anything but printable non-space characters is dropped and the
    length capped, so a crafted id can neither break the header nor grow it."""
    kept = "".join(ch for ch in message_id if ch.isprintable() and not ch.isspace())
    return f"<{kept.strip('<>')[:MAX_MESSAGE_ID_CHARS]}>"


def _references(ids: Sequence[str]) -> str:
    """The References header: each id bracketed, once, in thread order."""
    seen: dict[str, str] = {}
    for message_id in ids:
        bracketed = _bracketed(message_id)
        if bracketed != "<>":
            seen.setdefault(bracketed.lower(), bracketed)
    return " ".join(seen.values())


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B}"


def _moment(value: datetime, zone: tzinfo) -> str:
    local = value.astimezone(zone)
    return _day(local.date())


def _template_name(facts: DraftFacts) -> str:
    if facts.action is Action.THANK:
        return "thank"
    if facts.action is Action.NUDGE:
        return "first_nudge" if facts.follow_ups_sent == 0 else "second_nudge"
    if facts.respond_to is Kind.OFFER:
        return "respond_offer"
    if facts.respond_to is Kind.INTERVIEW_INVITATION:
        return "respond_invitation"
    return "respond"


def _fallback_subject(template: str, facts: DraftFacts) -> str:
    role = facts.role or "application"
    return {
        "thank": f"Thank you — {role} interview",
        "first_nudge": f"Following up — {role}",
        "second_nudge": f"Checking in — {role}",
        "respond_offer": f"Your offer — {role}",
        "respond_invitation": f"Interview — {role}",
    }.get(template, f"{role}")


@functools.cache
def _environment() -> Environment:
    # imported when a message is written: grouping (watcher.leads) imports this module
    # on every sync, and most syncs write nothing
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("watcher", "templates/drafts"),
        autoescape=False,  # plain-text mail bodies, never HTML
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def suggest_message(facts: DraftFacts, zone: tzinfo) -> SuggestedMessage | None:
    """The message to send for a thank/nudge/respond decision; None for other actions."""
    if facts.action not in (Action.THANK, Action.NUDGE, Action.RESPOND):
        return None
    template = _template_name(facts)
    to, warnings = choose_recipient(facts.contact, facts.addresses, facts.company)
    greeting_name = (facts.contact.name if facts.contact else "") or (to.name if to else "")
    body = (
        _environment()
        .get_template(f"{template}.txt")
        .render(
            greeting=greeting_name.split()[0] if greeting_name.strip() else "there",
            role=facts.role or "open",
            company=facts.company,
            interview=_moment(facts.interview_at, zone) if facts.interview_at else "",
            feedback_by=_day(facts.feedback_by) if facts.feedback_by else "",
            last_follow_up=_moment(facts.last_follow_up_at, zone)
            if facts.last_follow_up_at
            else "",
            signature=facts.user_name or "[[ your name ]]",
        )
    )
    thread = facts.reply_to
    subject = reply_subject(thread.subject if thread else "", _fallback_subject(template, facts))
    references: tuple[str, ...] = ()
    if thread is not None:
        references = (*thread.references, thread.message_id)
    return SuggestedMessage(
        action=facts.action,
        template=template,
        to=to,
        subject=subject,
        body=body.strip() + "\n",
        warnings=warnings,
        in_reply_to=thread.message_id if thread else None,
        references=references,
    )
