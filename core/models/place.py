"""Places (buildings, houses, venues), things (components, facilities, IoT devices) and
organizations (social organizations, enterprises, party organizations)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, LocatedMixin, str_enum_check


class PlaceKind(StrEnum):
    BUILDING = "building"
    HOUSE = "house"
    VENUE = "venue"


class ThingKind(StrEnum):
    COMPONENT = "component"  # urban components: manhole covers, street lights…
    FACILITY = "facility"  # hydrants, AEDs, shelters…
    IOT_DEVICE = "iot_device"  # cameras, smoke / water-level sensors…


class ThingStatus(StrEnum):
    NORMAL = "normal"
    FAULTY = "faulty"
    OFFLINE = "offline"
    RETIRED = "retired"


class OrganizationKind(StrEnum):
    SOCIAL_ORGANIZATION = "social_organization"
    ENTERPRISE = "enterprise"
    PARTY_ORGANIZATION = "party_organization"


class Place(LocatedMixin, Base):
    __tablename__ = "place"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(PlaceKind)), name="kind"),
        CheckConstraint("floors IS NULL OR floors BETWEEN 1 AND 200", name="floors"),
        Index("ix_place_parent_id", "parent_id"),
        Index("ix_place_kind", "kind"),
        *LocatedMixin.located_indexes("place"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    address: Mapped[str | None] = mapped_column(String(200))
    usage: Mapped[str | None] = mapped_column(String(48))
    floors: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("place.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )


class Thing(LocatedMixin, Base):
    __tablename__ = "thing"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(ThingKind)), name="kind"),
        CheckConstraint(str_enum_check("status", tuple(ThingStatus)), name="status"),
        Index("ix_thing_place_id", "place_id"),
        Index("ix_thing_kind_category", "kind", "category"),
        *LocatedMixin.located_indexes("thing"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(48), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default="normal")
    place_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("place.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )


class Organization(LocatedMixin, Base):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint(str_enum_check("kind", tuple(OrganizationKind)), name="kind"),
        CheckConstraint("uscc IS NULL OR uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'", name="uscc"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count"),
        Index("ix_organization_parent_id", "parent_id"),
        Index("ix_organization_place_id", "place_id"),
        Index("ix_organization_kind", "kind"),
        *LocatedMixin.located_indexes("organization"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    member_count: Mapped[int | None] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("organization.id"))
    place_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("place.id"))
    attributes: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
