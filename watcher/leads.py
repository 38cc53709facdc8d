"""Pure: messages -> leads, one hiring process at one company each (DESIGN, data flow).

A message joins a lead by, in order: its thread (Message-ID, In-Reply-To,
References), the recruiter's address, then the company: the sender's domain, or
for ATS and no-reply mail (and free-mail senders) the company the detector named.
Only mail from the hiring side (any kind but ``not_job``) starts or joins a lead;
the user's own messages join the lead of their thread, else of their recipient's
address, else of their recipient's company domain; others are ignored.
An out-of-office reply (``auto_reply`` with kind ``recruiter_reply`` or ``not_job``,
as watcher.rules reads it) never starts a lead: it joins the lead of the message it
answers (its thread), else the lead that already holds its sender's address, so the
"away" rule sees it whatever its kind. Other automatic mail (an ATS acknowledgement
or rejection) counts for its kind.

A lead's ``key`` is ``lead:`` + the key of its earliest message from the hiring
side, so it stays the same as new mail arrives and when everything is regrouped.
The user's corrections come in as ``GroupOverrides``: a merge moves every message
of lead A into lead B (B keeps its key; chains are followed), a split moves one
message into a lead of its own keyed ``split:`` + its key, and ignore rules drop
mail from a sender or domain before anything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from nlp.types import Kind
from watcher import ats
from watcher.ats import is_ats_domain
from watcher.domain import Direction
from watcher.drafting import FREE_MAIL_DOMAINS

__all__ = [
    "GroupInput",
    "GroupOverrides",
    "LeadGroup",
    "company_tokens",
    "group",
    "is_generic_sender",
    "links",
    "normalise_id",
]

_GENERIC_LOCAL = re.compile(
    r"^(no-?reply|do-?not-?reply|notifications?|mailer-daemon|bounces?|postmaster|"
    r"auto(mated)?|system|alerts?)([-+._].*)?$"
)


@dataclass(frozen=True)
class GroupInput:
    """One stored message as grouping sees it (after the user's relabels)."""

    key: str  # the message_key: one per message, the same in every folder
    message_id: str
    direction: Direction
    sent_at: datetime
    sender: str = ""  # lower-cased address
    recipients: tuple[str, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    kind: Kind | None = None  # None: not analysed yet
    company: str | None = None  # as the detector named it
    contact_email: str | None = None
    contact_name: str | None = None
    sender_name: str = ""
    auto_reply: bool = False


@dataclass(frozen=True)
class GroupOverrides:
    """The user's corrections that change grouping, and the ignore rules."""

    merges: Mapping[str, str] = field(default_factory=dict)  # lead key -> lead key it joins
    splits: frozenset[str] = frozenset()  # message keys moved to a lead of their own
    ignored_senders: frozenset[str] = frozenset()
    ignored_domains: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LeadGroup:
    """One lead: its stable key, its messages (time order) and who it is with."""

    key: str
    message_keys: tuple[str, ...]
    company: str
    contact_email: str | None = None
    contact_name: str | None = None


def normalise_id(value: str | None) -> str:
    return (value or "").strip().strip("<>").strip().lower()


def _domain(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _is_ats(domain: str) -> bool:
    return is_ats_domain(domain)


def is_generic_sender(address: str) -> bool:
    """No-reply, notification and ATS addresses: they name no person to write to."""
    local = address.partition("@")[0].lower()
    return bool(_GENERIC_LOCAL.match(local)) or _is_ats(_domain(address))


def company_tokens(name: str | None = None, domain: str | None = None) -> frozenset[str]:
    """What identifies a company (watcher.ats: names, hyphenated domains, ATS tenants)."""
    return ats.company_tokens(name, domain)


def _is_job(message: GroupInput) -> bool:
    return message.kind is not None and message.kind is not Kind.NOT_JOB


def _is_away(message: GroupInput) -> bool:
    """An out-of-office reply: it joins a lead but never starts one or names it."""
    return (
        message.direction is Direction.INBOUND
        and message.auto_reply
        and message.kind in (Kind.RECRUITER_REPLY, Kind.NOT_JOB)
    )


def _hiring(message: GroupInput) -> bool:
    """Mail from the hiring side that can start a lead and says who it is with."""
    return message.direction is Direction.INBOUND and _is_job(message) and not _is_away(message)


def _personal(address: str) -> bool:
    return bool(address) and not is_generic_sender(address)


def _tokens(message: GroupInput) -> frozenset[str]:
    """The company of a message from the hiring side."""
    domain = _domain(message.sender)
    if (
        not domain
        or _is_ats(domain)
        or domain in FREE_MAIL_DOMAINS
        or not _personal(message.sender)
    ):
        return company_tokens(name=message.company or ats.tenant(domain) or _named_company(message))
    return company_tokens(domain=domain)


def _named_company(message: GroupInput) -> str | None:
    """The detector's company; for ATS and no-reply mail else the sender's display name
    ("Bluefin Robotics Recruiting"), unless that names the ATS itself ("LinkedIn")."""
    if message.company:
        return message.company
    name = message.sender_name.strip()
    brand = next(iter(company_tokens(domain=_domain(message.sender))), "")
    if not name or "@" in name or (brand and brand in name.lower().replace(" ", "")):
        return None
    return name


def _recipient_tokens(address: str) -> frozenset[str]:
    domain = _domain(address)
    if not domain or _is_ats(domain) or domain in FREE_MAIL_DOMAINS:
        return frozenset()
    return company_tokens(domain=domain)


class _Threads:
    """Union-find over message ids: one root per conversation."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self._parent.setdefault(item, item)
        if parent != item:
            parent = self._parent[item] = self.find(parent)
        return parent

    def union(self, first: str, second: str) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            # The smaller id becomes the root, so the result does not depend on order.
            low, high = sorted((a, b))
            self._parent[high] = low


@dataclass
class _Lead:
    key: str
    members: list[GroupInput]
    addresses: set[str]
    tokens: set[str]

    def add(self, messages: Iterable[GroupInput]) -> None:
        for message in messages:
            self.members.append(message)
            if _hiring(message):
                self.addresses.update(_identities(message)[0])
                self.tokens.update(_identities(message)[1])

    def holds(self, address: str) -> bool:
        """Whether ``address`` wrote to this lead or the user wrote to it here."""
        return address in self.addresses or any(
            address in (r.lower() for r in m.recipients)
            for m in self.members
            if m.direction is Direction.OUTBOUND
        )


def _identities(message: GroupInput) -> tuple[set[str], set[str]]:
    addresses = {a for a in (message.sender, message.contact_email or "") if _personal(a)}
    return {a.lower() for a in addresses}, set(_tokens(message))


def _ignored(message: GroupInput, overrides: GroupOverrides) -> bool:
    if message.direction is not Direction.INBOUND:
        return False
    return (
        message.sender in overrides.ignored_senders
        or _domain(message.sender) in overrides.ignored_domains
    )


def _order(message: GroupInput) -> tuple[datetime, str]:
    return (message.sent_at, message.key)


def _units(
    messages: Sequence[GroupInput],
) -> tuple[list[list[GroupInput]], list[GroupInput], list[GroupInput]]:
    """Conversations that hold mail from the hiring side, the user's other messages, and
    the out-of-office replies outside such conversations."""
    threads = _Threads()
    for message in messages:
        own = normalise_id(message.message_id) or message.key
        for other in (message.in_reply_to, *message.references):
            if normalise_id(other):
                threads.union(own, normalise_id(other))
        threads.find(own)
    conversations: dict[str, list[GroupInput]] = {}
    for message in messages:
        root = threads.find(normalise_id(message.message_id) or message.key)
        conversations.setdefault(root, []).append(message)
    units: list[list[GroupInput]] = []
    loose: list[GroupInput] = []
    away: list[GroupInput] = []
    for members in conversations.values():
        job = [m for m in members if _hiring(m)]
        outbound = [m for m in members if m.direction is Direction.OUTBOUND]
        replies = [m for m in members if _is_away(m)]
        if job:
            units.append(sorted(job + outbound + replies, key=_order))
        else:
            loose.extend(outbound)
            away.extend(replies)
    units.sort(key=lambda unit: _order(_first_inbound(unit)))
    return units, sorted(loose, key=_order), sorted(away, key=_order)


def _first_inbound(unit: Sequence[GroupInput]) -> GroupInput:
    return next(m for m in unit if _hiring(m))


def _answered_lead(leads: Sequence[_Lead], reply: GroupInput) -> _Lead | None:
    """The lead an out-of-office reply answers: by thread, else by its sender's address."""
    wanted = {normalise_id(i) for i in (reply.in_reply_to, *reply.references)} - {""}
    for lead in leads:
        if any(normalise_id(m.message_id) in wanted for m in lead.members):
            return lead
    if not reply.sender:
        return None
    return next((lead for lead in leads if lead.holds(reply.sender)), None)


def _match(leads: Sequence[_Lead], addresses: set[str], tokens: set[str]) -> _Lead | None:
    for lead in leads:
        if lead.addresses & addresses:
            return lead
    for lead in leads:
        if lead.tokens & tokens:
            return lead
    return None


def _describe(key: str, members: Sequence[GroupInput]) -> LeadGroup:
    members = sorted(members, key=_order)
    inbound = [m for m in members if _hiring(m)] or [
        m for m in members if m.direction is Direction.INBOUND
    ]
    company = display_company(inbound)
    if company is None:
        domains = [
            _domain(m.sender)
            for m in inbound
            if _personal(m.sender) and _domain(m.sender) not in FREE_MAIL_DOMAINS
        ]
        names = [n for n in map(_named_company, inbound) if n]
        company = domains[0] if domains else names[0] if names else ""
    contact_email: str | None = None
    contact_name: str | None = None
    for message in reversed(inbound):
        if message.contact_email and _personal(message.contact_email):
            contact_email, contact_name = message.contact_email.lower(), message.contact_name
            break
        if _personal(message.sender):
            contact_email, contact_name = message.sender, message.sender_name or None
            break
    return LeadGroup(key, tuple(m.key for m in members), company, contact_email, contact_name)


def display_company(inbound: Sequence[GroupInput]) -> str | None:
    """The lead's name, stable as mail arrives: a name the text gave beats the sender's
    domain spelt out ("Kestrel Health" over "Kestrelhealth"), then the most frequent,
    then the earliest (``inbound`` is in time order), so a later message cannot flip it."""
    named = [m for m in inbound if m.company]
    if not named:
        return None
    tally: dict[str, list[int]] = {}  # name -> [from text, count, -first position]
    for position, message in enumerate(named):
        name = message.company or ""
        entry = tally.setdefault(name, [0, 0, -position])
        entry[0] |= int(not _spelt_domain(name, message.sender))
        entry[1] += 1
    return max(tally, key=lambda name: tuple(tally[name]))


def _spelt_domain(name: str, sender: str) -> bool:
    """Whether ``name`` is only the sender's domain as one word ("Kestrelhealth"); a
    hyphenated domain spelt out ("Northwind Analytics") reads as well as the text's."""
    label = next(iter(company_tokens(domain=_domain(sender))), "")
    return bool(label) and name == label.capitalize()


def _resolve(key: str, merges: Mapping[str, str], present: set[str]) -> str:
    """Follow merge overrides to the last lead of the chain that still exists."""
    target, seen = key, {key}
    while key in merges and merges[key] not in seen:
        key = merges[key]
        seen.add(key)
        if key in present:
            target = key
    return target


def group(
    messages: Sequence[GroupInput], overrides: GroupOverrides | None = None
) -> list[LeadGroup]:
    """Group ``messages`` into leads; the same input always gives the same groups and keys."""
    overrides = overrides or GroupOverrides()
    unique: dict[str, GroupInput] = {}
    for message in sorted(messages, key=_order):
        if not _ignored(message, overrides):
            unique.setdefault(message.key, message)
    units, loose, away = _units(list(unique.values()))

    leads: list[_Lead] = []
    for unit in units:
        addresses: set[str] = set()
        tokens: set[str] = set()
        for message in unit:
            if _hiring(message):
                found = _identities(message)
                addresses |= found[0]
                tokens |= found[1]
        lead = _match(leads, addresses, tokens)
        if lead is None:
            lead = _Lead(f"lead:{_first_inbound(unit).key}", [], set(), set())
            leads.append(lead)
        lead.add(unit)
    for message in loose:
        recipients = {r.lower() for r in message.recipients}
        tokens = set().union(*map(_recipient_tokens, recipients))
        lead = _match(leads, recipients, tokens)
        if lead is not None:
            lead.add([message])
    for reply in away:
        lead = _answered_lead(leads, reply)
        if lead is not None:
            lead.add([reply])

    members: dict[str, list[GroupInput]] = {lead.key: list(lead.members) for lead in leads}
    for key in list(members):
        for message in list(members[key]):
            if message.key in overrides.splits:
                members[key].remove(message)
                members[f"split:{message.key}"] = [message]
    present = {key for key, found in members.items() if found}
    merged: dict[str, list[GroupInput]] = {}
    for key in sorted(present):
        target = _resolve(key, overrides.merges, present)
        merged.setdefault(target, []).extend(members[key])
    groups = [_describe(key, found) for key, found in merged.items() if found]
    # `merge A B` moves B into A, "the lead that stays": A keeps its name.
    groups = [
        replace(g, company=kept)
        if (own := members.get(g.key))
        and len(merged[g.key]) > len(own)
        and (kept := _describe(g.key, own).company)
        else g
        for g in groups
    ]
    return sorted(groups, key=lambda g: _order(unique[g.message_keys[0]]))


def links(message: GroupInput) -> frozenset[str]:
    """What can put ``message`` in a lead with another: its thread ids, and the addresses
    and company keys ``group`` matches on. Messages sharing none never meet in ``group``,
    so a change regroups only the messages linked to it (watcher.refresh)."""
    ids = {normalise_id(message.message_id) or message.key}
    ids.update(normalise_id(other) for other in (message.in_reply_to, *message.references))
    found = {f"t:{i}" for i in ids if i}
    if _hiring(message):
        addresses, tokens = _identities(message)
    elif _is_away(message):
        addresses, tokens = {message.sender} - {""}, set()
    elif message.direction is Direction.OUTBOUND:
        addresses = {r.lower() for r in message.recipients}
        tokens = set().union(*map(_recipient_tokens, addresses))
    else:
        return frozenset(found)
    found.update(f"a:{a}" for a in addresses)
    found.update(f"c:{t}" for t in tokens)
    return frozenset(found)
