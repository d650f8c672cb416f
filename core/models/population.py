"""People: households, residents (GB 11643 identity numbers) and GB/T 31000 special groups."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, LocatedMixin, str_enum_check


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class ResidenceType(StrEnum):
    REGISTERED = "registered"  # 户籍人口
    FLOATING = "floating"  # 流动人口
    OVERSEAS = "overseas"  # 境外人员


class HouseholdRelation(StrEnum):
    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER = "other"


class Household(LocatedMixin, Base):
    __tablename__ = "household"
    __table_args__ = (
        Index("ix_household_house_id", "house_id"),
        *LocatedMixin.located_indexes("household"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    address: Mapped[str] = mapped_column(String(200), nullable=False)
    house_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("place.id"))


class Person(LocatedMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(str_enum_check("gender", tuple(Gender)), name="gender"),
        CheckConstraint(
            str_enum_check("residence_type", tuple(ResidenceType)), name="residence_type"
        ),
        CheckConstraint(str_enum_check("relation", tuple(HouseholdRelation)), name="relation"),
        CheckConstraint("id_number ~ '^[0-9]{17}[0-9X]$'", name="id_number_format"),
        CheckConstraint(
            "id_number IS NOT NULL OR residence_type = 'overseas'", name="id_number_required"
        ),
        CheckConstraint("phone IS NULL OR phone ~ '^[0-9+-]{5,20}$'", name="phone_format"),
        Index("ix_person_household_id", "household_id"),
        Index("ix_person_name", "name"),
        *LocatedMixin.located_indexes("person"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    #: GB 11643 number; only overseas residents (passport holders) may lack one.
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True, unique=True)
    passport_number: Mapped[str | None] = mapped_column(String(32))
    gender: Mapped[str] = mapped_column(String(8), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    household_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("household.id", ondelete="SET NULL")
    )
    relation: Mapped[str] = mapped_column(String(16), nullable=False, server_default="head")
    residence_type: Mapped[str] = mapped_column(String(16), nullable=False)
    address: Mapped[str | None] = mapped_column(String(200))


class SpecialGroup(Base):
    """A GB/T 31000 special / key group or a care group that grid workers follow."""

    __tablename__ = "special_group"

    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(40), nullable=False)
    name_en: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)


class PersonSpecialGroup(Base):
    __tablename__ = "person_special_group"
    __table_args__ = (Index("ix_person_special_group_group_code", "group_code"),)

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    group_code: Mapped[str] = mapped_column(
        String(48), ForeignKey("special_group.code"), primary_key=True
    )
    since: Mapped[date | None] = mapped_column(Date)
    #: the person's county
    county: Mapped[str] = mapped_column(String(6), nullable=False, server_default="")
