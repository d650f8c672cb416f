"""Declarative base shared by the core and plugins, and the columns every located record has."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    and_,
    func,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SRID = 4326


class Base(DeclarativeBase):
    """Base of every table; plugins subclass it too so one MetaData holds the whole schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {}  # noqa: RUF012 - SQLAlchemy reads it once


def prefix_match(column: Any, prefix: str) -> Any:
    """SQL: ``column`` starts with ``prefix``, as a range ``[prefix, next prefix)``.

    Codes are digits and upper-case letters, which sort alike in every collation we meet,
    so the range is exact; unlike ``LIKE $1 || '%'`` it stays index-friendly in the
    generic plans of prepared statements.
    """
    if not prefix:
        return true()
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def str_enum_check(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that keeps a text column inside a closed vocabulary."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    )


#: a located row's county is its region code's (a row left outside every region keeps its own)
COUNTY_OF_REGION = "county = left(region_code, 6) OR region_code = ''"


class LocatedMixin(TimestampMixin):
    """Where and when a record is, and who collected it.

    ``region_code`` is the code of the grid the record lies in (15 digits) or, outside every
    grid, the prefix of the smallest region that covers it (the district's when none does):
    "everything in township X" is a prefix match on it. ``grid_id`` is null for an
    unassigned record. ``beidou_code`` (level 10) and ``time_code`` (of ``collected_at``)
    make "everything in this cell and period" a prefix match too.
    """

    @declared_attr
    def geom(cls) -> Mapped[Any]:
        return mapped_column(Geometry("GEOMETRY", srid=SRID, spatial_index=False), nullable=True)

    @declared_attr
    def grid_id(cls) -> Mapped[int | None]:
        return mapped_column(BigInteger, ForeignKey("grid.id"), nullable=True)

    region_code: Mapped[str] = mapped_column(String(15), nullable=False, server_default="")
    #: the county the record was collected in (its region code's first six digits; kept
    #: when the record is left outside every region): rows of a county live together
    county: Mapped[str] = mapped_column(String(6), nullable=False, server_default="")
    beidou_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    time_code: Mapped[str | None] = mapped_column(String(14), nullable=True)
    collected_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )

    @declared_attr
    def collected_by(cls) -> Mapped[int | None]:
        return mapped_column(BigInteger, ForeignKey("account.id"), nullable=True)

    @classmethod
    def located_indexes(cls, table: str) -> tuple[Index | CheckConstraint, ...]:
        """The indexes every located table needs: GiST on geom, prefix scans on codes; and
        the county agreeing with the region code."""
        return (
            CheckConstraint(COUNTY_OF_REGION, name="county_of_region"),
            Index(f"ix_{table}_geom", "geom", postgresql_using="gist"),
            Index(f"ix_{table}_grid_id", "grid_id"),
            # (region_code, id): a region's records in list order, found by a range scan.
            Index(f"ix_{table}_region_code_id", "region_code", "id"),
            Index(f"ix_{table}_beidou_code", "beidou_code"),
            Index(f"ix_{table}_time_code", "time_code"),
        )
