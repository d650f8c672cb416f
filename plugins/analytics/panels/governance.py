"""综治基础信息: grids by kind, grid-worker coverage, workers and their roles, regions,
departments (functional grids) serving the area, the duty list."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import column, func, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Duty, Grid, Region
from core.services.indicators import percent
from plugins.analytics.tallies import count

#: a worker's six roles (六员): a table without a model of its own
WORKER_ROLES = table("grid_worker_role", column("account_id"))
GRID_KINDS = (("urban", "城镇网格"), ("rural", "农村网格"), ("special", "专属网格"))


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    current = Grid.valid_to.is_(None)
    g = scope.group(Grid.code).label("g")
    grids: dict[str, dict[str, int]] = defaultdict(dict)
    for group, kind, n, staffed in await session.execute(
        select(g, Grid.kind, func.count(), func.count(Grid.worker_id))
        .where(current, scope.within(Grid.code))
        .group_by(g, Grid.kind)
    ):
        grids[group][kind] = int(n)
        grids[group]["_staffed"] = grids[group].get("_staffed", 0) + int(staffed)
    workers = dict(
        (
            await session.execute(
                select(g, func.count(func.distinct(Grid.worker_id)))
                .where(current, scope.within(Grid.code))
                .group_by(g)
            )
        ).all()
    )
    roles = dict(
        (
            await session.execute(
                select(g, func.count())
                .select_from(Grid)
                .join(WORKER_ROLES, WORKER_ROLES.c.account_id == Grid.worker_id)
                .where(current, scope.within(Grid.code))
                .group_by(g)
            )
        ).all()
    )
    rg = scope.group(Region.prefix).label("g")
    regions: dict[str, dict[str, int]] = defaultdict(dict)
    for group, level, n in await session.execute(
        select(rg, Region.level, func.count())
        .where(scope.within(Region.prefix), func.length(Region.prefix) > len(scope.prefix))
        .group_by(rg, Region.level)
    ):
        regions[group][level] = int(n)
    departments = await _departments(session, scope)
    duties = int(await session.scalar(select(func.count()).select_from(Duty)) or 0)
    keys = (
        set(grids) | set(regions) | set(departments) | ({""} if scope.group_len is None else set())
    )
    out: Figures = {}
    for key in keys:
        kinds = grids.get(key, {})
        total = sum(n for k, n in kinds.items() if not k.startswith("_"))
        staffed = kinds.get("_staffed", 0)
        figures: list[Figure] = [
            count("grids", "网格总数", total),
            *(count(f"grid:{k}", n, kinds.get(k, 0), "grid_kinds") for k, n in GRID_KINDS),
            count("grid_workers", "网格员", int(workers.get(key, 0))),
            Figure(
                "worker_coverage", "网格员配备率", percent(staffed, total), unit="%", additive=False
            ),
            count("worker_roles", "网格员角色（六员）", int(roles.get(key, 0))),
            count("townships", "乡镇（街道）", regions.get(key, {}).get("township", 0)),
            count("communities", "村（社区）", regions.get(key, {}).get("community", 0)),
            count("departments", "职能网格（部门）", departments.get(key, 0), additive=False),
            count("duties", "网格员职责清单", duties, additive=False),
        ]
        out[key] = figures
    return out


async def _departments(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Departments serving each area: an area of theirs covers it or lies within it (one
    statement for all the areas)."""
    if scope.group_len is None:
        areas = [scope.prefix]
    else:
        areas = list(
            await session.scalars(
                select(func.distinct(func.left(Grid.code, scope.group_len))).where(
                    Grid.valid_to.is_(None), scope.within(Grid.code)
                )
            )
        )
    rows = await session.execute(
        text(
            "SELECT a.area, count(DISTINCT d.department_code) FROM unnest(CAST(:areas AS text[])) "
            "AS a(area) JOIN department_area d ON starts_with(a.area, d.area_code) "
            "OR starts_with(d.area_code, a.area) GROUP BY a.area"
        ),
        {"areas": areas},
    )
    found = {str(area): int(n) for area, n in rows}
    if scope.group_len is None:
        return {"": found.get(scope.prefix, 0)}
    return found


PANEL = PanelPart("governance", compute, title="综治基础信息", order=30)
