"""SQLAlchemy 2 models. Every datetime column holds UTC (``UtcDateTime``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {  # noqa: RUF012
        datetime: UtcDateTime,
        date: Date,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    folders: Mapped[list[Folder]] = relationship(back_populates="account")


class Folder(Base):
    """A mailbox folder and how far it has been read."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    role: Mapped[str] = mapped_column(String(20), default="inbox")  # inbox | sent | other
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    # False while the first scan (or the rescan after a UIDVALIDITY change) is under way:
    # a crash mid-scan resumes it, with the same look-back window, after last_uid.
    scan_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    highestmodseq: Mapped[int | None] = mapped_column(BigInteger)
    last_sync_at: Mapped[datetime | None]
    last_sync_result: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship(back_populates="folders")


class StoredMessage(Base):
    """One message as fetched, parsed (or not) and stored."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("folder_id", "message_key", name="uq_messages_folder_key"),
        Index("ix_messages_folder_uid", "folder_id", "uid"),
        Index("ix_messages_message_id", "message_id"),
        Index("ix_messages_message_key", "message_key"),  # a lead's members, by key
        # Filters on columns stored after the text, answered without reading it
        # (migration 0003): mail waiting for analysis, the user's latest message,
        # `status`'s counts.
        Index("ix_messages_unread", "parse_error", "ours", "direction"),
        Index("ix_messages_direction_sent", "direction", "sent_at"),
        Index("ix_messages_folder_failed", "folder_id", "parse_error"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    folder_id: Mapped[int] = mapped_column(ForeignKey("folders.id", ondelete="CASCADE"))
    uid: Mapped[int] = mapped_column(BigInteger)
    # message_id as found (or synthetic); message_key is what deduplicates within a folder
    message_id: Mapped[str] = mapped_column(String(998))
    message_key: Mapped[str] = mapped_column(String(128))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[Any]] = mapped_column(default=list)
    sender_name: Mapped[str] = mapped_column(String(500), default="")
    sender_email: Mapped[str] = mapped_column(String(500), default="")
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    sent_at: Mapped[datetime | None]
    subject: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    new_text: Mapped[str] = mapped_column(Text, default="")
    direction: Mapped[str] = mapped_column(String(3), default="in")
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    bulk: Mapped[bool] = mapped_column(Boolean, default=False)
    ours: Mapped[bool] = mapped_column(Boolean, default=False)  # our own digest or draft
    size: Mapped[int | None] = mapped_column(BigInteger)
    parse_error: Mapped[str | None] = mapped_column(Text)
    stored_at: Mapped[datetime]

    detection: Mapped[StoredDetection | None] = relationship(
        back_populates="message", cascade="all, delete-orphan"
    )


class StoredDetection(Base):
    """What nlp read out of a message; replaced on re-analysis, overrides live elsewhere."""

    __tablename__ = "detections"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    model_version: Mapped[str] = mapped_column(String(100), default="")
    analysed_at: Mapped[datetime]

    message: Mapped[StoredMessage] = relationship(back_populates="detection")


class StoredLead(Base):
    """One hiring process at one company."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500), unique=True)  # stable grouping key
    company: Mapped[str] = mapped_column(String(500), default="")
    contact_name: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LeadMessage(Base):
    """Membership: every message belongs to at most one lead."""

    __tablename__ = "lead_messages"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)


class Override(Base):
    """A correction by the user, kept forever as the audit trail."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    command: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(String(20))  # lead | message | sender | domain
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="SET NULL"))
    message_key: Mapped[str | None] = mapped_column(String(998))
    field: Mapped[str] = mapped_column(String(50))
    old_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    new_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    undone_at: Mapped[datetime | None]


class StoredDecision(Base):
    """The decision for a lead as computed at ``computed_at`` for the moment ``as_of``."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_lead_computed", "lead_id", "computed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    computed_at: Mapped[datetime]
    as_of: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    due: Mapped[date | None]
    reason: Mapped[str] = mapped_column(Text)
    trace: Mapped[list[Any]] = mapped_column(default=list)
    # The first moment the decision may differ (a day starts, mail dated later arrives,
    # an interview begins): until then it stands, and reads need not decide again.
    next_change_at: Mapped[datetime | None] = mapped_column(index=True)
    last_at: Mapped[datetime | None]  # the lead's latest message as of ``as_of``


class MessageLink(Base):
    """What can join a message to others in a lead: thread ids, addresses, company keys.

    Indexed by link, so new mail finds the conversations it touches without a scan.
    """

    __tablename__ = "message_links"

    message_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    link: Mapped[str] = mapped_column(String(1000), primary_key=True, index=True)


class RegroupQueue(Base):
    """Messages whose detection changed since leads were last grouped."""

    __tablename__ = "regroup_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(128))


class RefreshState(Base):
    """How far leads are up to date: one row."""

    __tablename__ = "refresh_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime | None]  # the moment stored decisions are as of
    message_watermark: Mapped[int] = mapped_column(BigInteger, default=0)  # messages.id seen
    overrides: Mapped[dict[str, Any]] = mapped_column(default=dict)  # as of the last refresh
    regroup_all: Mapped[bool] = mapped_column(Boolean, default=True)


class Digest(Base):
    """One digest per account and local day; ``sent_at`` set once SMTP accepted it."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("day", "recipient", name="uq_digests_day_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    recipient: Mapped[str] = mapped_column(String(500))
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Draft(Base):
    """A suggested message APPENDed to Drafts; one per lead and decision."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("lead_id", "action", "due", name="uq_drafts_decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    due: Mapped[date | None]
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    appended_at: Mapped[datetime | None]


class IgnoreRule(Base):
    """Senders or domains that never make leads (`followup ignore`)."""

    __tablename__ = "ignore_rules"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # sender | domain
    value: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
