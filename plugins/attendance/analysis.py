"""What attendance gives the analytics plugin (through the core's hooks, without importing
it): figures on the dashboard's work-assessment panel, the attendance and visits-and-patrols
analysis modules, and the assessment indicators days present, visits and patrols."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import (
    AnalysisModule,
    AssessmentIndicator,
    Column,
    Figure,
    Figures,
    PanelPart,
    Scope,
)
from core.models import Account, Grid
from plugins.attendance.models import AttendanceDay, Patrol, PatrolFinding, Visit

WORK_ASSESSMENT = "work_assessment"  # the analytics plugin's panel


def _grid_code() -> Any:
    return func.coalesce(AttendanceDay.grid_code, "")


async def _per_group(session: AsyncSession, scope: Scope, stmt: Any, code: Any) -> dict[str, int]:
    g = scope.group(code).label("g")
    rows = await session.execute(stmt.add_columns(g).where(scope.within(code)).group_by(g))
    return {row.g: int(row[0]) for row in rows}


async def panel(session: AsyncSession, scope: Scope) -> Figures:
    days = await _per_group(
        session,
        scope,
        select(func.count()).where(AttendanceDay.day.between(scope.first_day, scope.last_day)),
        _grid_code(),
    )
    workers = await _per_group(
        session,
        scope,
        select(func.count(func.distinct(Grid.worker_id))).where(Grid.valid_to.is_(None)),
        Grid.code,
    )
    visits = await _per_group(
        session,
        scope,
        select(func.count()).where(
            Visit.collected_at >= scope.start, Visit.collected_at < scope.end
        ),
        Visit.region_code,
    )
    patrols = await _per_group(
        session,
        scope,
        select(func.count()).where(Patrol.started_at >= scope.start, Patrol.started_at < scope.end),
        Patrol.region_code,
    )
    findings = await _per_group(
        session,
        scope,
        select(func.count()).where(
            PatrolFinding.collected_at >= scope.start, PatrolFinding.collected_at < scope.end
        ),
        PatrolFinding.region_code,
    )
    keys = set(days) | set(workers) | set(visits) | set(patrols) | set(findings)
    if scope.group_len is None:
        keys.add("")
    out: Figures = {}
    for key in keys:
        n_workers = workers.get(key, 0)
        out[key] = [
            Figure("attendance_days", "出勤人天", float(days.get(key, 0)), chart="fieldwork"),
            Figure(
                "attendance_days_per_worker",
                "人均出勤天数",
                round(days.get(key, 0) / n_workers, 2) if n_workers else None,
                additive=False,
            ),
            Figure("visits", "走访户次", float(visits.get(key, 0)), chart="fieldwork"),
            Figure("patrols", "巡查次数", float(patrols.get(key, 0)), chart="fieldwork"),
            Figure(
                "patrol_findings", "巡查发现问题", float(findings.get(key, 0)), chart="fieldwork"
            ),
        ]
    return out


def attendance_source(scope: Scope, filter: str | None) -> Any:
    stmt = select(
        AttendanceDay.id.label("id"),
        _grid_code().label("region_code"),
        AttendanceDay.check_in_at.label("at"),
        Account.name.label("worker"),
        AttendanceDay.grid_code.label("grid_code"),
        AttendanceDay.day.label("day"),
        AttendanceDay.check_in_at.label("check_in_at"),
        AttendanceDay.check_out_at.label("check_out_at"),
        AttendanceDay.check_in_flagged.label("flagged"),
    ).join(Account, Account.id == AttendanceDay.worker_id)
    if filter == "flagged":
        stmt = stmt.where(AttendanceDay.check_in_flagged)
    elif filter == "no_check_out":
        stmt = stmt.where(AttendanceDay.check_out_at.is_(None))
    return stmt


def fieldwork_source(scope: Scope, filter: str | None) -> Any:
    """Visits and patrols in one list; ids are 2 × the visit's id or 2 × the patrol's + 1
    (the ``record`` column names which)."""
    visits = select(
        (Visit.id * 2).label("id"),
        Visit.region_code.label("region_code"),
        Visit.collected_at.label("at"),
        literal("走访").label("what"),
        func.concat("visit:", Visit.id).label("record"),
        Account.name.label("worker"),
        Visit.note.label("note"),
        literal(None).label("distance_m"),
    ).join(Account, Account.id == Visit.worker_id)
    patrols = select(
        (Patrol.id * 2 + 1).label("id"),
        Patrol.region_code.label("region_code"),
        Patrol.started_at.label("at"),
        literal("巡查").label("what"),
        func.concat("patrol:", Patrol.id).label("record"),
        Account.name.label("worker"),
        Patrol.note.label("note"),
        func.round(func.coalesce(Patrol.distance_m, 0)).label("distance_m"),
    ).join(Account, Account.id == Patrol.worker_id)
    if filter == "visits":
        return visits
    if filter == "patrols":
        return patrols
    return union_all(visits, patrols)


async def _by_worker(session: AsyncSession, stmt: Any) -> dict[int, float]:
    return {int(w): float(n) for w, n in await session.execute(stmt)}


async def days_present(session: AsyncSession, scope: Scope) -> dict[int, float]:
    return await _by_worker(
        session,
        select(AttendanceDay.worker_id, func.count())
        .where(AttendanceDay.day.between(scope.first_day, scope.last_day))
        .group_by(AttendanceDay.worker_id),
    )


async def visits(session: AsyncSession, scope: Scope) -> dict[int, float]:
    return await _by_worker(
        session,
        select(Visit.worker_id, func.count())
        .where(and_(Visit.collected_at >= scope.start, Visit.collected_at < scope.end))
        .group_by(Visit.worker_id),
    )


async def patrols(session: AsyncSession, scope: Scope) -> dict[int, float]:
    return await _by_worker(
        session,
        select(Patrol.worker_id, func.count())
        .where(and_(Patrol.started_at >= scope.start, Patrol.started_at < scope.end))
        .group_by(Patrol.worker_id),
    )


PANEL = PanelPart(WORK_ASSESSMENT, panel, order=200)
MODULES = [
    AnalysisModule(
        key="attendance",
        title="考勤分析",
        category="attendance",
        kind="attendance_day",
        columns=(
            Column("worker", "网格员"),
            Column("grid_code", "网格"),
            Column("day", "日期"),
            Column("check_in_at", "签到"),
            Column("check_out_at", "签退"),
            Column("flagged", "异地签到"),
        ),
        source=attendance_source,
        dated=True,
        filters={"flagged": "异地签到", "no_check_out": "未签退"},
        order=160,
    ),
    AnalysisModule(
        key="visits_patrols",
        title="走访巡查分析",
        category="attendance",
        kind="fieldwork",
        columns=(
            Column("what", "类别"),
            Column("record", "记录"),
            Column("worker", "网格员"),
            Column("note", "内容"),
            Column("distance_m", "巡查里程（米）"),
        ),
        source=fieldwork_source,
        dated=True,
        filters={"visits": "走访", "patrols": "巡查"},
        order=170,
    ),
]
INDICATORS = [
    AssessmentIndicator(
        "days_present", "出勤天数", days_present, unit="天", default_weight=15, module="attendance"
    ),
    AssessmentIndicator(
        "visits", "走访户次", visits, unit="次", default_weight=5, module="visits_patrols"
    ),
    AssessmentIndicator(
        "patrols", "巡查次数", patrols, unit="次", default_weight=5, module="visits_patrols"
    ),
]
