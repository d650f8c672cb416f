"""Regions (district → township/street → community/village) and physical grids."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import SRID, Base, TimestampMixin, str_enum_check


class RegionLevel(StrEnum):
    DISTRICT = "district"
    TOWNSHIP = "township"
    COMMUNITY = "community"


class RegionKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"  # 街道
    TOWN = "town"  # 镇
    TOWNSHIP = "township"  # 乡
    COMMUNITY = "community"  # 社区 / 居委会
    VILLAGE = "village"  # 行政村 / 村委会
    OTHER = "other"


class GridKind(StrEnum):
    URBAN = "urban"  # one residents' group
    RURAL = "rural"  # one administrative village
    SPECIAL = "special"  # park, market, business district, campus…


class SpecialGridType(StrEnum):
    PARK = "park"
    MARKET = "market"
    BUSINESS_DISTRICT = "business_district"
    CAMPUS = "campus"
    SCENIC_AREA = "scenic_area"
    INDUSTRIAL_PARK = "industrial_park"


class Region(TimestampMixin, Base):
    """An administrative division with its 12-digit statistical division code."""

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint("code ~ '^[0-9]{12}$'", name="code_format"),
        CheckConstraint(str_enum_check("level", tuple(RegionLevel)), name="level"),
        CheckConstraint(str_enum_check("kind", tuple(RegionKind)), name="kind"),
        CheckConstraint("(level = 'district') = (parent_code IS NULL)", name="parent_by_level"),
        CheckConstraint("prefix = left(code, length(prefix))", name="prefix_of_code"),
        Index("ix_region_parent_code", "parent_code"),
        Index("ix_region_prefix", "prefix", postgresql_ops={"prefix": "varchar_pattern_ops"}),
        Index("ix_region_geom", "geom", postgresql_using="gist"),
    )

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    parent_code: Mapped[str | None] = mapped_column(
        String(12), ForeignKey("region.code"), nullable=True
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=True
    )


class Grid(TimestampMixin, Base):
    """A physical grid: a 15-digit code (community code + 3-digit sequence) and a polygon.

    A grid is versioned: a redraw closes the current row (``valid_to``) and opens a new
    one with the same code, so at most one row per code is current.
    """

    __tablename__ = "grid"
    __table_args__ = (
        CheckConstraint(
            "code ~ '^[0-9]{15}$' AND substr(code, 13, 3) <> '000'", name="code_format"
        ),
        CheckConstraint("left(code, 12) = community_code", name="code_in_community"),
        CheckConstraint(str_enum_check("kind", tuple(GridKind)), name="kind"),
        CheckConstraint(
            "(kind = 'special') = (special_type IS NOT NULL) AND ("
            + "special_type IS NULL OR "
            + str_enum_check("special_type", tuple(SpecialGridType))
            + ")",
            name="special_type",
        ),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
        CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
        Index(
            "uq_grid_current_code", "code", unique=True, postgresql_where=text("valid_to IS NULL")
        ),
        Index(
            "uq_grid_current_worker",
            "worker_id",
            unique=True,
            postgresql_where=text("valid_to IS NULL AND worker_id IS NOT NULL"),
        ),
        Index("ix_grid_community_code", "community_code"),
        Index("ix_grid_code_pattern", "code", postgresql_ops={"code": "varchar_pattern_ops"}),
        Index("ix_grid_geom", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(String(15), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    special_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    community_code: Mapped[str] = mapped_column(
        String(12), ForeignKey("region.code"), nullable=False
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False
    )
    worker_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("account.id"), nullable=True
    )
    valid_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class GridWorkerAssignment(Base):
    """Who was the worker of a grid code, from when to when (the current one has no end)."""

    __tablename__ = "grid_worker_assignment"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
        Index("ix_grid_worker_assignment_grid_code", "grid_code"),
        Index("ix_grid_worker_assignment_worker_id", "worker_id"),
        Index(
            "uq_grid_worker_assignment_current",
            "grid_code",
            unique=True,
            postgresql_where=text("valid_to IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(15), nullable=False)
    worker_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("account.id"), nullable=False)
    valid_from: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), nullable=False
    )
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    assigned_by: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("account.id"))
