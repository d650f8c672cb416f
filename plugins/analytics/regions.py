"""The region a figure is about, and its children one level down (the drill-down):
district (6-digit prefix) → townships (9) → communities (12) → grids (15). Above the
districts of a deployment of several counties: the counties of a city (4-digit prefix),
of a province (2), or all of them (empty prefix) — core.tenancy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import Grid, Region
from core.models.base import prefix_match

CHILD_LENGTH = {0: 6, 2: 6, 4: 6, 6: 9, 9: 12, 12: 15}
LEVEL_OF_LENGTH = {6: "district", 9: "township", 12: "community", 15: "grid"}
#: the level of an area above the districts, by its prefix's length
ABOVE = {0: "deployment", 2: "province", 4: "city"}


@dataclass(frozen=True, slots=True)
class Area:
    prefix: str
    code: str
    name: str
    level: str

    @property
    def child_length(self) -> int | None:
        return CHILD_LENGTH.get(len(self.prefix))


async def area_of(session: AsyncSession, prefix: str) -> Area | None:
    """The region or current grid whose prefix (a grid: code) is ``prefix``; above the
    districts, the counties under a shorter prefix (None if there are none)."""
    if len(prefix) in ABOVE:
        return await _counties_under(session, prefix)
    if len(prefix) == 15:
        name = await session.scalar(
            select(Grid.name).where(Grid.code == prefix, Grid.valid_to.is_(None))
        )
        return None if name is None else Area(prefix, prefix, name, "grid")
    row = (
        await session.execute(
            select(Region.code, Region.name, Region.level).where(Region.prefix == prefix)
        )
    ).one_or_none()
    return None if row is None else Area(prefix, row.code, row.name, row.level)


async def _counties_under(session: AsyncSession, prefix: str) -> Area | None:
    names = list(
        await session.scalars(
            select(Region.name)
            .where(Region.level == "district", prefix_match(Region.prefix, prefix))
            .order_by(Region.prefix)
        )
    )
    if not names:
        return None
    name = names[0] if len(names) == 1 else f"{names[0]}等{len(names)}个县（区）"
    return Area(prefix, prefix.ljust(12, "0") if prefix else "", name, ABOVE[len(prefix)])


async def top_area(session: AsyncSession) -> Area | None:
    """The deployment's one district (None when it has none, or several)."""
    rows = (
        await session.execute(
            select(Region.prefix, Region.code, Region.name, Region.level)
            .where(Region.level == "district")
            .limit(2)
        )
    ).all()
    if len(rows) != 1:
        return None
    r = rows[0]
    return Area(r.prefix, r.code, r.name, r.level)


async def children(session: AsyncSession, area: Area) -> list[Area]:
    """The areas one level down, in code order (none under a grid)."""
    length = area.child_length
    if length is None:
        return []
    if length == 15:
        rows = await session.execute(
            select(Grid.code, Grid.name)
            .where(prefix_match(Grid.code, area.prefix), Grid.valid_to.is_(None))
            .order_by(Grid.code)
        )
        return [Area(code, code, name, "grid") for code, name in rows]
    rows = await session.execute(
        select(Region.prefix, Region.code, Region.name, Region.level)
        .where(prefix_match(Region.prefix, area.prefix), func.length(Region.prefix) == length)
        .order_by(Region.prefix)
    )
    return [Area(r.prefix, r.code, r.name, r.level) for r in rows]
