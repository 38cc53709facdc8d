"""Writing the user's corrections: override rows, undo, the audit trail, ignore rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from watcher.errors import UsageError
from watcher.mail import message_key
from watcher.store.tables import IgnoreRule, LeadMessage, Override, StoredLead, StoredMessage

__all__ = [
    "add_ignore_rule",
    "find_message",
    "history",
    "last_command",
    "last_undone",
    "lead_of_message",
    "live_leads",
    "redo",
    "relabels",
    "restore_leads",
    "undo",
]

MAX_CANDIDATES = 8


def last_command(session: Session) -> list[Override]:
    """The still-active rows written by the latest command that has any (what undo takes back).

    One command (``set`` with several flags) writes several rows in one transaction,
    with the same time and command line and consecutive ids.
    """
    latest = session.scalar(
        select(Override).where(Override.undone_at.is_(None)).order_by(Override.id.desc()).limit(1)
    )
    if latest is None:
        return []
    rows = [latest]
    earlier = session.scalars(
        select(Override).where(Override.id < latest.id).order_by(Override.id.desc())
    )
    for row in earlier:
        if row.created_at != latest.created_at or row.command != latest.command:
            break
        if row.undone_at is None:
            rows.append(row)
    return rows


def undo(
    session: Session, rows: Sequence[Override], at: datetime, recorded_at: datetime | None = None
) -> None:
    """Take ``rows`` back: they stay in the audit trail, marked undone (as of ``at``; on the
    wall clock at ``recorded_at``, which `redo` needs to find the latest undo)."""
    for row in rows:
        row.undone_at = at
        if recorded_at is not None:
            row.new_value = {**row.new_value, "undone_recorded_at": recorded_at.isoformat()}
        if row.target in ("sender", "domain") and row.field == "ignore":
            value = str(row.new_value.get("value", ""))
            session.execute(
                delete(IgnoreRule).where(IgnoreRule.kind == row.target, IgnoreRule.value == value)
            )
    session.flush()


def last_undone(session: Session) -> list[Override]:
    """The rows of the command the latest `undo` took back (what `redo` puts back).

    Undo takes back the newest command still in force, so the commands undone since the
    last one in force are a stack: the oldest of them was undone last. A correction made
    after an undo ends the chance to redo it (as in an editor).
    """
    rows = list(session.scalars(select(Override).order_by(Override.id)))
    made = [_wall(r, "recorded_at") for r in rows]
    undone = [
        (u, r) for r in rows if r.undone_at is not None and (u := _wall(r, "undone_recorded_at"))
    ]
    if undone and all(made):
        # Undone after the newest correction was made: still redoable; the latest undo first.
        newest = max(m for m in made if m is not None)
        alive = [(u, r) for u, r in undone if u >= newest]
        if not alive:
            return []
        latest, first = max(alive, key=lambda pair: (pair[0], pair[1].id))
        return [r for u, r in alive if u == latest and r.command == first.command]
    # rows undone before the wall clock of undos was kept: the stack reading by id
    last_active = session.scalar(
        select(Override.id).where(Override.undone_at.is_(None)).order_by(Override.id.desc())
    )
    query = select(Override).order_by(Override.id)
    if last_active is not None:
        query = query.where(Override.id > last_active)
    trailing = list(session.scalars(query))
    if not trailing:
        return []
    first = trailing[0]
    return [r for r in trailing if r.created_at == first.created_at and r.command == first.command]


def _wall(row: Override, key: str) -> datetime | None:
    text = row.new_value.get(key)
    return datetime.fromisoformat(text) if isinstance(text, str) and text else None


def redo(session: Session, rows: Sequence[Override], recorded_at: datetime) -> None:
    """Put ``rows`` back in force, as the command first made them."""
    for row in rows:
        row.undone_at = None
        row.new_value = {**row.new_value, "redone_at": recorded_at.isoformat()}
        if row.target in ("sender", "domain") and row.field == "ignore":
            add_ignore_rule(
                session, row.target, str(row.new_value.get("value", "")), row.created_at
            )
    session.flush()


def restore_leads(session: Session, rows: Sequence[Override], at: datetime) -> None:
    """Undoing an ignore brings its leads back under the ids they had (saved in old_value)."""
    for row in rows:
        if row.field != "ignore":
            continue
        for saved in row.old_value.get("leads", []):
            if not isinstance(saved, dict) or not isinstance(saved.get("id"), int):
                continue
            taken = session.scalar(
                select(StoredLead.id).where(
                    or_(StoredLead.id == saved["id"], StoredLead.key == saved.get("key"))
                )
            )
            if taken is None:
                # the regrouping that follows finds this row by its key and keeps its id
                session.add(
                    StoredLead(
                        id=saved["id"],
                        key=str(saved.get("key", "")),
                        company=str(saved.get("company") or ""),
                        created_at=at,
                        updated_at=at,
                    )
                )
    session.flush()


def history(
    session: Session,
    lead_id: int | None = None,
    lead_key: str | None = None,
) -> list[Override]:
    """The audit trail, oldest first; for one lead: its own rows, its messages' rows and
    the merges into it."""
    query = select(Override).order_by(Override.id)
    if lead_id is not None:
        keys = select(StoredMessage.message_key).join(
            LeadMessage, LeadMessage.message_id == StoredMessage.id
        )
        keys = keys.where(LeadMessage.lead_id == lead_id)
        conditions = [Override.lead_id == lead_id, Override.message_key.in_(keys)]
        rows = list(session.scalars(query.where(or_(*conditions))))
        if lead_key is not None:
            merged = session.scalars(
                select(Override).where(Override.field == "merge").order_by(Override.id)
            )
            seen = {row.id for row in rows}
            rows += [
                r for r in merged if r.new_value.get("into_key") == lead_key and r.id not in seen
            ]
            rows.sort(key=lambda r: r.id)
        return rows
    return list(session.scalars(query))


def add_ignore_rule(session: Session, kind: str, value: str, at: datetime) -> bool:
    """Add an ignore rule; False when it already exists."""
    exists = session.scalar(
        select(IgnoreRule.id).where(IgnoreRule.kind == kind, IgnoreRule.value == value)
    )
    if exists is not None:
        return False
    session.add(IgnoreRule(kind=kind, value=value, created_at=at))
    session.flush()
    return True


def _candidates(messages: Sequence[StoredMessage]) -> list[str]:
    return [f"{m.id} <{m.message_id}> {m.subject[:40]!r}" for m in messages[:MAX_CANDIDATES]]


def _one_per_key(messages: Sequence[StoredMessage]) -> list[StoredMessage]:
    # The same mail can sit in two folders; what names it is its message_key.
    by_key: dict[str, StoredMessage] = {}
    for message in messages:
        by_key.setdefault(message.message_key, message)
    return list(by_key.values())


def find_message(session: Session, reference: str) -> StoredMessage:
    """A stored message by id number, Message-ID (brackets optional) or a unique prefix of it."""
    text = reference.strip()
    if not text:
        raise UsageError("MESSAGE is empty; give a message id number or a Message-ID")
    parsed = StoredMessage.parse_error.is_(None)
    if text.isdigit():
        found = session.get(StoredMessage, int(text))
        if found is not None:
            return found
    exact = list(
        session.scalars(
            select(StoredMessage)
            .where(StoredMessage.message_key == message_key(text), parsed)
            .order_by(StoredMessage.id)
        )
    )
    if exact:
        return exact[0]
    bare = text.strip("<>").strip()
    pattern = bare.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = _one_per_key(
        list(
            session.scalars(
                select(StoredMessage)
                .where(StoredMessage.message_id.ilike(pattern, escape="\\"), parsed)
                .order_by(StoredMessage.id)
            )
        )
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = "; ".join(_candidates(matches))
        raise UsageError(f"message {reference!r} is ambiguous: it matches {shown}")
    raise UsageError(
        f"no stored message matches {reference!r}; give its id number (see `followup why LEAD`) "
        "or its Message-ID"
    )


def relabels(session: Session) -> list[tuple[Override, StoredMessage]]:
    """Every relabel in force, with one stored copy of the message (for training data)."""
    rows = session.scalars(
        select(Override)
        .where(Override.target == "message", Override.field == "kind")
        .where(Override.undone_at.is_(None))
        .order_by(Override.id)
    )
    latest: dict[str, Override] = {}
    for row in rows:
        if row.message_key:
            latest[row.message_key] = row
    result: list[tuple[Override, StoredMessage]] = []
    for key, row in latest.items():
        message = session.scalar(
            select(StoredMessage)
            .where(StoredMessage.message_key == key, StoredMessage.parse_error.is_(None))
            .order_by(StoredMessage.id)
            .limit(1)
        )
        if message is not None:
            result.append((row, message))
    return result


def live_leads(session: Session) -> list[StoredLead]:
    """Leads that hold at least one message (a lead merged away holds none)."""
    holding = select(LeadMessage.lead_id).distinct()
    return list(
        session.scalars(
            select(StoredLead).where(StoredLead.id.in_(holding)).order_by(StoredLead.id)
        )
    )


def lead_of_message(session: Session, key: str) -> StoredLead | None:
    """The lead that holds the message with this message_key (in any folder)."""
    return session.scalar(
        select(StoredLead)
        .join(LeadMessage, LeadMessage.lead_id == StoredLead.id)
        .join(StoredMessage, StoredMessage.id == LeadMessage.message_id)
        .where(StoredMessage.message_key == key)
        .limit(1)
    )
