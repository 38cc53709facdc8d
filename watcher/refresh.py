"""Keep leads and decisions up to date as mail, overrides and the clock move, incrementally.

A change regroups only the messages linked to it (``watcher.leads.links``: thread ids,
addresses, company keys), which gives the same leads as grouping every message, since
``group`` never lets unlinked messages meet. A stored decision keeps the moment it may
next change (``next_change_at``); a refresh decides again only the leads it regrouped,
whose user facts changed, or whose moment has come. A refresh as of a moment before the
last one decides every lead again as of that moment (the past is asked for rarely), so
stored decisions always hold for the moment of the last refresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from watcher.config import Settings
from watcher.domain import Action, Decision, LeadTimeline
from watcher.leads import GroupOverrides, group, links
from watcher.rules import decide, interview_moment
from watcher.store.leads import (
    ActiveOverrides,
    MailRow,
    active_overrides,
    chunked,
    detection_of,
    group_input,
    ignore_rules,
    load_lead_rows,
    load_messages,
    save_decision,
    save_groups,
    stored_decision,
    stored_decisions,
    timeline_event,
)
from watcher.store.tables import (
    LeadMessage,
    MessageLink,
    RefreshState,
    RegroupQueue,
    StoredDecision,
    StoredLead,
    StoredMessage,
)
from watcher.workdays import Workdays

__all__ = [
    "LeadState",
    "lead_states",
    "live_leads",
    "recompute_all",
    "refresh",
    "refresh_leads",
    "started_leads",
]

BATCH = 500  # new messages regrouped at a time: memory stays flat on a first sync
HORIZON_DAYS = 7  # a decision unchanged this many days ahead is looked at again then
_MAX_LINK = 1000


@dataclass(frozen=True)
class LeadState:
    """One lead after a refresh: its row, what the rules saw, and what they decided."""

    lead: StoredLead
    timeline: LeadTimeline
    decision: Decision


def _state(session: Session) -> RefreshState:
    state = session.get(RefreshState, 1)
    if state is None:
        state = RefreshState(id=1, message_watermark=0, overrides={}, regroup_all=True)
        session.add(state)
    return state


def _merge_keys(session: Session, overrides: ActiveOverrides) -> dict[str, str]:
    if not overrides.merges:
        return {}
    ids = list(overrides.merges)
    keys_by_id = dict(
        session.execute(select(StoredLead.id, StoredLead.key).where(StoredLead.id.in_(ids))).all()
    )
    return {keys_by_id[i]: into for i, into in overrides.merges.items() if i in keys_by_id}


def _grouping(session: Session, overrides: ActiveOverrides) -> GroupOverrides:
    senders, domains = ignore_rules(session)
    return GroupOverrides(
        merges=_merge_keys(session, overrides),
        splits=overrides.splits,
        ignored_senders=senders,
        ignored_domains=domains,
    )


def _snapshot(overrides: ActiveOverrides, grouping: GroupOverrides) -> dict[str, Any]:
    """The overrides in force, as JSON: the next refresh compares to see what changed."""
    return {
        "kinds": {key: kind.value for key, kind in overrides.kinds.items()},
        "splits": sorted(overrides.splits),
        "merges": dict(sorted(grouping.merges.items())),
        "ignored": [sorted(grouping.ignored_senders), sorted(grouping.ignored_domains)],
        "facts": {str(i): repr(facts) for i, facts in overrides.facts.items()},
    }


def _changed(before: Mapping[str, Any], after: Mapping[str, Any], name: str) -> set[str]:
    old, new = before.get(name) or {}, after.get(name) or {}
    if isinstance(old, list) or isinstance(new, list):
        old, new = dict.fromkeys(old, True), dict.fromkeys(new, True)
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def _link_value(link: str) -> str:
    """Links fit the column; a hostile thread id longer than that is hashed."""
    if len(link) <= _MAX_LINK:
        return link
    return "h:" + hashlib.sha256(link.encode("utf-8", "replace")).hexdigest()


class _Regrouper:
    """Regroups the closure of changed messages, batch after batch, within one refresh."""

    def __init__(
        self,
        session: Session,
        overrides: ActiveOverrides,
        grouping: GroupOverrides,
        at: datetime,
        *,
        watermark: int,
        changed: set[str],
        everything: bool,
    ) -> None:
        self.session = session
        self.overrides = overrides
        self.grouping = grouping
        self.at = at
        self.watermark = watermark
        self.changed = changed
        self.everything = everything
        self.done: set[str] = set()  # keys whose links are current
        self.merge_keys = set(grouping.merges) | set(grouping.merges.values())

    def _dirty(self, key: str, rows: Sequence[MailRow]) -> bool:
        return self.everything or key in self.changed or any(r.id > self.watermark for r in rows)

    def _relink(self, rows_by_key: Mapping[str, Sequence[MailRow]]) -> None:
        fresh = {
            key: links(group_input(rows[0], detection_of(rows[0], self.overrides.kinds)))
            for key, rows in rows_by_key.items()
        }
        for chunk in chunked(sorted(fresh)):
            self.session.execute(delete(MessageLink).where(MessageLink.message_key.in_(chunk)))
        values = [
            {"message_key": key, "link": link}
            for key, found in fresh.items()
            for link in {_link_value(link) for link in found}
        ]
        if values:
            self.session.execute(insert(MessageLink), values)
        self.done.update(fresh)

    def _links_of(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunked(sorted(set(keys))):
            query = select(MessageLink.link).where(MessageLink.message_key.in_(chunk))
            found.update(self.session.scalars(query))
        return found

    def _keys_with(self, found_links: set[str]) -> set[str]:
        keys: set[str] = set()
        for chunk in chunked(sorted(found_links)):
            query = select(MessageLink.message_key).where(MessageLink.link.in_(chunk))
            keys.update(self.session.scalars(query))
        return keys

    def _lead_members(self, keys: Iterable[str]) -> tuple[set[int], set[str]]:
        """The leads ``keys`` are in now, and every message key of those leads."""
        lead_ids: set[int] = set()
        for chunk in chunked(sorted(set(keys))):
            query = (
                select(LeadMessage.lead_id)
                .join(StoredMessage, StoredMessage.id == LeadMessage.message_id)
                .where(StoredMessage.message_key.in_(chunk))
            )
            lead_ids.update(self.session.scalars(query))
        return lead_ids, self._keys_of_leads(LeadMessage.lead_id.in_, lead_ids)

    def _keys_of_leads(self, where: Any, values: Iterable[Any]) -> set[str]:
        members: set[str] = set()
        for chunk in chunked(sorted(set(values))):
            query = (
                select(StoredMessage.message_key)
                .join(LeadMessage, LeadMessage.message_id == StoredMessage.id)
                .join(StoredLead, StoredLead.id == LeadMessage.lead_id)
                .where(where(chunk))
            )
            members.update(self.session.scalars(query))
        return members

    def _close(self, seeds: set[str], rows_by_key: dict[str, list[MailRow]]) -> set[int]:
        """Grow ``rows_by_key`` to every message linked to ``seeds``; the leads touched."""
        frontier = seeds - set(rows_by_key)
        touched: set[int] = set()
        while frontier:
            loaded: dict[str, list[MailRow]] = {key: [] for key in frontier}
            for row in load_messages(self.session, frontier):
                loaded[row.message_key].append(row)
            loaded = {key: rows for key, rows in loaded.items() if rows}
            rows_by_key.update(loaded)
            old_links = self._links_of(loaded)
            self._relink(
                {
                    key: rows
                    for key, rows in loaded.items()
                    if key not in self.done and self._dirty(key, rows)
                }
            )
            partners = self._keys_with(old_links | self._links_of(loaded))
            lead_ids, members = self._lead_members(loaded)
            touched |= lead_ids
            frontier = (partners | members) - set(rows_by_key)
        return touched

    def regroup(self, seeds: set[str]) -> set[int]:
        """Regroup everything linked to ``seeds``; returns the ids of the leads it made."""
        seeds = seeds - self.done
        if not seeds:
            return set()
        rows_by_key: dict[str, list[MailRow]] = {}
        touched = self._close(seeds, rows_by_key)
        while True:
            inputs = [
                group_input(rows[0], detection_of(rows[0], self.overrides.kinds))
                for rows in rows_by_key.values()
            ]
            groups = group(inputs, self.grouping)
            scope = self.session.scalars(select(StoredLead).where(StoredLead.id.in_(touched)))
            keys = {g.key for g in groups} | {lead.key for lead in scope}
            if not keys & self.merge_keys:
                break
            # A merge joins leads that share no link: regroup them together.
            extra = self._keys_of_leads(StoredLead.key.in_, self.merge_keys)
            if extra <= set(rows_by_key):
                break
            touched |= self._close(extra, rows_by_key)
        scope_leads = list(
            self.session.scalars(select(StoredLead).where(StoredLead.id.in_(touched)))
        )
        saved = save_groups(self.session, groups, rows_by_key, self.at, scope_leads)
        return {lead.id for lead in saved.values()}


def _dirty_batches(
    session: Session, watermark: int, top: int, extra: set[str]
) -> Iterator[set[str]]:
    """Keys of the messages stored after ``watermark`` (up to ``top``), BATCH at a time."""
    for chunk in chunked(sorted(extra), BATCH):
        yield set(chunk)
    last = watermark
    while True:
        query = (
            select(StoredMessage.id, StoredMessage.message_key)
            .where(
                StoredMessage.id > last,
                StoredMessage.id <= top,
                StoredMessage.parse_error.is_(None),
                StoredMessage.ours.is_(False),
            )
            .order_by(StoredMessage.id)
            .limit(BATCH)
        )
        rows = session.execute(query).all()
        if not rows:
            return
        yield {row.message_key for row in rows}
        last = rows[-1].id


def _members_of(session: Session, lead_keys: Iterable[str]) -> set[str]:
    """The message keys of the leads whose keys are ``lead_keys``."""
    members: set[str] = set()
    for chunk in chunked(sorted(set(lead_keys))):
        query = (
            select(StoredMessage.message_key)
            .join(LeadMessage, LeadMessage.message_id == StoredMessage.id)
            .join(StoredLead, StoredLead.id == LeadMessage.lead_id)
            .where(StoredLead.key.in_(chunk))
        )
        members.update(session.scalars(query))
    return members


def _merge_seeds(session: Session, before: Mapping[str, Any], after: Mapping[str, Any]) -> set[str]:
    """The mail of both sides of every merge made or taken back since the last refresh."""
    old, new = before.get("merges") or {}, after.get("merges") or {}
    keys: set[str] = set()
    for key in _changed(before, after, "merges"):
        keys |= {key, *(str(side[key]) for side in (old, new) if key in side)}
    return _members_of(session, keys) if keys else set()


def _ignore_seeds(
    session: Session, before: Mapping[str, Any], after: Mapping[str, Any]
) -> set[str]:
    """The mail of every sender or domain ignored or no longer ignored since the last
    refresh (a case-blind match: a message too many only regroups its lead again)."""
    old = before.get("ignored") or [[], []]
    new = after.get("ignored") or [[], []]
    senders = set(old[0]) ^ set(new[0])
    domains = set(old[1]) ^ set(new[1])
    if not senders and not domains:
        return set()
    sender = func.lower(StoredMessage.sender_email)
    matches = [sender.in_(sorted(s.lower() for s in senders))] if senders else []
    matches += [sender.like("%@" + domain.lower()) for domain in sorted(domains)]
    query = select(StoredMessage.message_key).where(StoredMessage.direction == "in", or_(*matches))
    return set(session.scalars(query))


def refresh(session: Session, settings: Settings, now: datetime) -> datetime:
    """Bring leads and decisions up to date as of ``now``, which it returns.

    Writes only leads, membership, decisions and the bookkeeping behind them; overrides
    are read.
    """
    state = _state(session)
    at = now
    rewound = state.refreshed_at is not None and now < state.refreshed_at
    overrides = active_overrides(session, settings.zone)
    grouping = _grouping(session, overrides)
    snapshot = _snapshot(overrides, grouping)
    before = state.overrides or {}
    everything = bool(state.regroup_all)
    changed = _changed(before, snapshot, "kinds") | _changed(before, snapshot, "splits")
    to_decide = {int(i) for i in _changed(before, snapshot, "facts")}
    changed |= set(session.scalars(select(RegroupQueue.message_key)))
    session.execute(delete(RegroupQueue))
    if everything:
        session.execute(delete(MessageLink))
        state.message_watermark = 0
    top = session.scalar(select(func.max(StoredMessage.id))) or 0
    regrouper = _Regrouper(
        session,
        overrides,
        grouping,
        at,
        watermark=state.message_watermark,
        changed=changed,
        everything=everything,
    )
    # A merge or an ignore changes no message's links: regroup only the mail it names.
    moved = set() if everything else _merge_seeds(session, before, snapshot)
    moved |= set() if everything else _ignore_seeds(session, before, snapshot)
    for seeds in _dirty_batches(session, state.message_watermark, top, changed | moved):
        to_decide |= regrouper.regroup(seeds)
    due = select(StoredDecision.lead_id).where(
        or_(StoredDecision.next_change_at.is_(None), StoredDecision.next_change_at <= at)
    )
    to_decide.update(session.scalars(select(StoredLead.id) if rewound else due))
    _decide_and_store(session, settings, overrides, to_decide, at)
    state.message_watermark = top
    state.refreshed_at = at
    state.overrides = snapshot
    state.regroup_all = False
    session.flush()
    return at


def _timeline(
    lead: StoredLead, rows: Sequence[MailRow], overrides: ActiveOverrides
) -> LeadTimeline:
    first: dict[str, MailRow] = {}
    for row in rows:  # in id order: the first copy of a message counts, as in grouping
        first.setdefault(row.message_key, row)
    events = sorted(
        (timeline_event(row, detection_of(row, overrides.kinds)) for row in first.values()),
        key=lambda event: (event.at, event.key),
    )
    facts = overrides.lead_facts(lead.id)
    return LeadTimeline(
        lead_id=lead.id,
        company=lead.company,
        events=tuple(events),
        overrides=facts,
        contact=facts.contact or lead.contact_email,
    )


def next_change(
    timeline: LeadTimeline, decision: Decision, settings: Settings, calendar: Workdays, at: datetime
) -> datetime:
    """The first moment after ``at`` the decision may differ: a later message or interview
    start, else the first local midnight (up to HORIZON_DAYS ahead) where it does."""
    moments = [event.at for event in timeline.events]
    for event in timeline.events:
        interview = event.detection.interview_at if event.detection else None
        if interview is not None:
            moments += [interview, datetime.combine(interview.date(), time(12), calendar.zone)]
            moments.append(interview_moment(event, calendar))
    if timeline.overrides.interview_at is not None:
        moments.append(timeline.overrides.interview_at)
    limit = min((m for m in moments if m > at), default=None)
    today = calendar.local_date(at)
    moment = at
    for days in range(1, HORIZON_DAYS + 1):
        moment = calendar.start_of(today + timedelta(days=days))
        if limit is not None and limit <= moment:
            return limit
        if decide(timeline, settings.policy, calendar, moment) != decision:
            return moment
    return moment


def _decide_and_store(
    session: Session,
    settings: Settings,
    overrides: ActiveOverrides,
    lead_ids: set[int],
    at: datetime,
) -> None:
    calendar = Workdays.from_policy(settings.policy, settings.zone)
    for chunk in chunked(sorted(lead_ids), 200):
        rows = load_lead_rows(session, chunk)
        existing = stored_decisions(session, chunk)
        for lead in session.scalars(select(StoredLead).where(StoredLead.id.in_(chunk))):
            if lead.id not in rows:
                continue  # a lead kept only for the overrides that name it
            timeline = _timeline(lead, rows[lead.id], overrides)
            decision = decide(timeline, settings.policy, calendar, at)
            lead.status = decision.status.value
            save_decision(
                session,
                decision,
                at,
                existing,
                next_change_at=next_change(timeline, decision, settings, calendar, at),
                last_at=max((e.at for e in timeline.events if e.at <= at), default=None),
            )
        session.flush()


def _states(
    session: Session,
    settings: Settings,
    leads: Sequence[StoredLead],
    stored: Mapping[int, StoredDecision],
) -> list[LeadState]:
    overrides = active_overrides(session, settings.zone)
    states: list[LeadState] = []
    for chunk in chunked(list(leads), 200):
        rows = load_lead_rows(session, [lead.id for lead in chunk])
        for lead in chunk:
            if lead.id not in rows:
                continue
            timeline = _timeline(lead, rows[lead.id], overrides)
            states.append(LeadState(lead, timeline, stored_decision(stored[lead.id])))
    return states


def lead_states(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    lead_ids: Iterable[int] | None = None,
    live_since: datetime | None = None,
) -> list[LeadState]:
    """Leads as of ``now``, after a refresh: every one, those of ``lead_ids``, or (with
    ``live_since``) those with something to do or let go since then, in id order.

    Their decisions are the stored ones: the refresh left them as of ``now``.
    """
    refresh(session, settings, now)
    query = select(StoredLead).order_by(StoredLead.id)
    if lead_ids is not None:
        query = query.where(StoredLead.id.in_(list(lead_ids)))
    if live_since is not None:
        live = select(StoredDecision.lead_id).where(
            StoredDecision.action != Action.NONE.value,
            or_(StoredDecision.action != Action.DEAD.value, StoredDecision.last_at >= live_since),
        )
        query = query.where(StoredLead.id.in_(live))
    leads = list(session.scalars(query))
    stored = stored_decisions(session, [lead.id for lead in leads])
    return _states(session, settings, [lead for lead in leads if lead.id in stored], stored)


def refresh_leads(session: Session, settings: Settings, now: datetime) -> list[LeadState]:
    """Every lead as of ``now``, after bringing the store up to date."""
    return lead_states(session, settings, now)


def recompute_all(
    session: Session, settings: Settings, now: datetime
) -> dict[str, tuple[tuple[str, ...], str, str | None, str | None, Decision]]:
    """Every lead grouped from all mail and decided as of ``now``, written nowhere: lead
    key -> (message keys, company, contact email, contact name, decision). What the
    incremental refresh must equal (tests and checks)."""
    overrides = active_overrides(session, settings.zone)
    rows_by_key: dict[str, list[MailRow]] = {}
    for row in load_messages(session):
        rows_by_key.setdefault(row.message_key, []).append(row)
    groups = group(
        [
            group_input(rows[0], detection_of(rows[0], overrides.kinds))
            for rows in rows_by_key.values()
        ],
        _grouping(session, overrides),
    )
    ids = dict(session.execute(select(StoredLead.key, StoredLead.id)).all())
    calendar = Workdays.from_policy(settings.policy, settings.zone)
    result = {}
    for found in groups:
        lead = StoredLead(id=ids.get(found.key, -1), company=found.company)
        lead.contact_email = found.contact_email
        members = [row for key in found.message_keys for row in rows_by_key[key]]
        timeline = _timeline(lead, sorted(members, key=lambda r: r.id), overrides)
        decision = decide(timeline, settings.policy, calendar, now)
        result[found.key] = (
            tuple(sorted(found.message_keys)),
            found.company,
            found.contact_email,
            found.contact_name,
            decision,
        )
    return result


def live_leads(session: Session) -> int:
    """How many leads ask for something (an action other than none or dead)."""
    query = select(func.count()).where(
        StoredDecision.action.not_in([Action.NONE.value, Action.DEAD.value])
    )
    return int(session.scalar(query) or 0)


def started_leads(
    session: Session, settings: Settings, now: datetime, reference: str
) -> list[StoredLead]:
    """The leads that exist as of ``now`` (their first message has arrived) that
    ``reference`` may name: the lead of that id, or every one for a company prefix."""
    refresh(session, settings, now)
    query = select(StoredLead).order_by(StoredLead.id)
    if reference.strip().isdigit():
        query = query.where(StoredLead.id == int(reference.strip()))
    started = select(StoredDecision.lead_id).where(StoredDecision.last_at.is_not(None))
    return list(session.scalars(query.where(StoredLead.id.in_(started))))
