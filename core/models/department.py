"""Departments: the functional grids, linked to the physical grids and regions they serve."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, TimestampMixin


class Department(TimestampMixin, Base):
    """A government department or public institution (a functional grid)."""

    __tablename__ = "department"
    __table_args__ = (
        CheckConstraint("code ~ '^[A-Z0-9][A-Z0-9-]{1,31}$'", name="code_format"),
        CheckConstraint("type ~ '^[a-z][a-z0-9_]{1,47}$'", name="type_format"),
        Index("ix_department_region_code", "region_code"),
        Index("ix_department_type", "type"),
    )

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(48), nullable=False)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("region.code"), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))


class DepartmentArea(Base):
    """One area a department serves: a region prefix (6/9/12 digits) or a grid code (15)."""

    __tablename__ = "department_area"
    __table_args__ = (
        CheckConstraint(
            "area_code ~ '^([0-9]{6}|[0-9]{9}|[0-9]{12}|[0-9]{15})$'", name="area_code_format"
        ),
        Index(
            "ix_department_area_area_code",
            "area_code",
            postgresql_ops={"area_code": "varchar_pattern_ops"},
        ),
    )

    department_code: Mapped[str] = mapped_column(
        String(32), ForeignKey("department.code", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(String(15), primary_key=True)
