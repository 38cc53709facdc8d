"""Regroup stored mail into leads and decide each one as of a moment, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from watcher.config import Settings
from watcher.domain import Decision, LeadTimeline
from watcher.leads import GroupOverrides, group
from watcher.rules import decide
from watcher.store.leads import (
    MailRow,
    active_overrides,
    detection_of,
    group_input,
    ignore_rules,
    load_messages,
    save_decision,
    save_groups,
    stored_decisions,
    timeline_event,
)
from watcher.store.tables import StoredLead
from watcher.workdays import Workdays

__all__ = ["LeadState", "refresh", "refresh_leads"]


@dataclass(frozen=True)
class LeadState:
    """One lead after a refresh: its row, what the rules saw, and what they decided."""

    lead: StoredLead
    timeline: LeadTimeline
    decision: Decision


def refresh_leads(session: Session, settings: Settings, now: datetime) -> list[LeadState]:
    """Group every stored message, store leads and membership, decide each lead as of ``now``.

    Writes only leads, membership and decisions; overrides are read, never changed.
    """
    overrides = active_overrides(session, settings.zone)
    rows_by_key: dict[str, list[MailRow]] = defaultdict(list)
    detections = {}
    inputs = []
    for row in load_messages(session):
        rows_by_key[row.message_key].append(row)
        if len(rows_by_key[row.message_key]) > 1:
            continue  # the same mail in a second folder
        detection = detection_of(row, overrides.kinds)
        detections[row.message_key] = detection
        inputs.append(group_input(row, detection))

    keys_by_id = {lead.id: lead.key for lead in session.scalars(select(StoredLead))}
    senders, domains = ignore_rules(session)
    groups = group(
        inputs,
        GroupOverrides(
            merges={keys_by_id[i]: into for i, into in overrides.merges.items() if i in keys_by_id},
            splits=overrides.splits,
            ignored_senders=senders,
            ignored_domains=domains,
        ),
    )
    leads = save_groups(session, groups, rows_by_key, now)

    calendar = Workdays.from_policy(settings.policy, settings.zone)
    existing = stored_decisions(session)
    states: list[LeadState] = []
    for found in groups:
        lead = leads[found.key]
        facts = overrides.lead_facts(lead.id)
        timeline = LeadTimeline(
            lead_id=lead.id,
            company=lead.company,
            events=tuple(
                timeline_event(rows_by_key[key][0], detections[key]) for key in found.message_keys
            ),
            overrides=facts,
            contact=facts.contact or lead.contact_email,
        )
        decision = decide(timeline, settings.policy, calendar, now)
        lead.status = decision.status.value
        save_decision(session, decision, now, existing)
        states.append(LeadState(lead, timeline, decision))
    session.flush()
    return states


def refresh(session: Session, settings: Settings, now: datetime) -> list[Decision]:
    """The decisions of every lead as of ``now`` (stored, so the digest and CLI agree)."""
    return [state.decision for state in refresh_leads(session, settings, now)]
