"""Events and their closed loop: categories with deadlines, the event itself (located,
versioned for optimistic concurrency), its immutable trace, attachments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import SRID, Base, LocatedMixin, str_enum_check


class EventStatus(StrEnum):
    ASSIGNED = "assigned"  # waiting for the assignee (a worker, a level, a department)
    ACCEPTED = "accepted"  # being handled
    DISPATCHED = "dispatched"  # sent to a department, waiting for it to accept
    RESOLVED = "resolved"  # handled, result fed back, waiting for verification
    VERIFIED = "verified"  # verified on site
    CLOSED = "closed"


class Level(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    TOWNSHIP = "township"
    DISTRICT = "district"


class Card(StrEnum):
    NORMAL = "normal"  # 督办
    YELLOW = "yellow"
    RED = "red"


class EventCategory(Base):
    """A kind of event: GB/T 31000 dispute types, city-management categories…"""

    __tablename__ = "event_category"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    name_zh: Mapped[str] = mapped_column(String(40), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    deadline_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    #: department types that may take events of this category
    department_types: Mapped[list[str]] = mapped_column(ARRAY(String(48)), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, server_default="true", nullable=False)


class Event(LocatedMixin, Base):
    """Something that happened and must be handled. ``grid_id`` is the grid it was
    reported in and never changes (redrawn grids do not move events)."""

    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint(str_enum_check("status", tuple(EventStatus)), name="status"),
        CheckConstraint(str_enum_check("level", tuple(Level)), name="level"),
        CheckConstraint(
            "supervision IS NULL OR " + str_enum_check("supervision", tuple(Card)),
            name="supervision",
        ),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint(
            "(assignee_id IS NULL) OR (assignee_department IS NULL)", name="one_assignee"
        ),
        Index("uq_event_idempotency", "reporter_id", "idempotency_key", unique=True),
        Index("ix_event_status_deadline", "status", "deadline_at"),
        Index("ix_event_assignee_id", "assignee_id"),
        Index("ix_event_assignee_department", "assignee_department"),
        Index("ix_event_reporter_id", "reporter_id"),
        Index("ix_event_category_code", "category_code"),
        Index("ix_event_handling_region", "handling_region"),
        Index("ix_event_grid_id_id", "grid_id", "id"),  # a grid's latest events
        # the open events by place (the events map layer's default)
        Index(
            "ix_event_open_geom",
            "geom",
            postgresql_using="gist",
            postgresql_where=text("status <> 'closed'"),
        ),
        *LocatedMixin.located_indexes("event"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    category_code: Mapped[str] = mapped_column(
        String(48), ForeignKey("event_category.code"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    #: region code of the level currently responsible (grid, community, township, district)
    handling_region: Mapped[str] = mapped_column(String(15), nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    assignee_department: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("department.code")
    )
    reporter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, server_default="false", nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    supervision: Mapped[str | None] = mapped_column(String(8))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")


class EventTrace(Base):
    """One step of an event's life; append-only (a trigger refuses changes)."""

    __tablename__ = "event_trace"
    __table_args__ = (
        Index("uq_event_trace_step", "event_id", "step", unique=True),
        Index("ix_event_trace_actor_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.id"), nullable=False)
    step: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(24), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("POINT", srid=SRID, spatial_index=False), nullable=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    #: internal notes are hidden from the reporter
    internal: Mapped[bool] = mapped_column(Boolean, server_default="false", nullable=False)
    detail: Mapped[str | None] = mapped_column(String(64))  # card, department, level…
    #: the event's county (its rows live together)
    county: Mapped[str] = mapped_column(String(6), nullable=False, server_default="")


class EventAttachment(Base):
    __tablename__ = "event_attachment"
    __table_args__ = (
        Index("ix_event_attachment_event_id", "event_id"),
        Index("ix_event_attachment_key", "key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("event.id"), nullable=False)
    trace_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("event_trace.id"))
    key: Mapped[str] = mapped_column(String(128), nullable=False)
    mime: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    #: the event's county
    county: Mapped[str] = mapped_column(String(6), nullable=False, server_default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()"), nullable=False
    )
