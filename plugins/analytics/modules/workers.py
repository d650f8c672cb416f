"""The grid-worker module: each current grid's worker with the events of their grid in
the period (the monthly assessment tables weigh these and attendance's figures)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, and_, cast, func, select

from core.analysis import AnalysisModule, Column, Scope
from core.models import Account, Event, Grid, GridWorkerProfile
from core.models.event import EventTrace


def workers_source(scope: Scope, filter: str | None) -> Any:
    in_period = and_(Event.collected_at >= scope.start, Event.collected_at < scope.end)
    reported = (
        select(func.count())
        .where(Event.grid_id == Grid.id, in_period)
        .correlate(Grid)
        .scalar_subquery()
    )
    handled = (
        select(func.count())
        .select_from(EventTrace)
        .where(
            EventTrace.actor_id == Account.id,
            EventTrace.action == "resolve",
            EventTrace.at >= scope.start,
            EventTrace.at < scope.end,
        )
        .correlate(Account)
        .scalar_subquery()
    )
    stmt = (
        select(
            Account.id.label("id"),
            Grid.code.label("region_code"),
            func.timezone(scope.tz, cast(GridWorkerProfile.appointed_on, DateTime())).label("at"),
            Account.name.label("name"),
            Grid.code.label("grid_code"),
            Grid.name.label("grid_name"),
            Grid.kind.label("grid_kind"),
            GridWorkerProfile.kind.label("employment"),
            GridWorkerProfile.appointed_on.label("appointed_on"),
            reported.label("events_reported"),
            handled.label("events_handled"),
            Account.phone.label("phone"),
        )
        .join(Grid, and_(Grid.worker_id == Account.id, Grid.valid_to.is_(None)))
        .outerjoin(GridWorkerProfile, GridWorkerProfile.account_id == Account.id)
    )
    if filter in ("full_time", "part_time"):
        stmt = stmt.where(GridWorkerProfile.kind == filter)
    elif filter in ("urban", "rural", "special"):
        stmt = stmt.where(Grid.kind == filter)
    return stmt


MODULES = [
    AnalysisModule(
        key="grid_worker_assessment",
        title="网格员工作分析",
        category="region",
        kind="account",
        columns=(
            Column("name", "姓名"),
            Column("grid_code", "网格编码"),
            Column("grid_name", "网格"),
            Column("grid_kind", "网格类型"),
            Column("employment", "专兼职"),
            Column("appointed_on", "任职日期"),
            Column("events_reported", "本期网格事件"),
            Column("events_handled", "本期办结"),
            Column("phone", "工作电话"),
        ),
        source=workers_source,
        filters={
            "full_time": "专职",
            "part_time": "兼职",
            "urban": "城镇网格",
            "rural": "农村网格",
            "special": "专属网格",
        },
        order=140,
    ),
]
