"""Modules over events: by category, by area (hot spots), disputes (GB/T 31000), safety
hazards, overdue and supervised (督办), department performance, satisfaction, early
warning. Each lists the events reported in the period, with their handling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from core.analysis import AnalysisModule, Column, Scope
from core.models import Department, Event, EventCategory
from core.models.base import prefix_match
from core.models.event import EventTrace
from plugins.analytics.maps.cells import event_cells

COLUMNS = (
    Column("title", "标题"),
    Column("category", "类别"),
    Column("status", "状态"),
    Column("level", "办理层级"),
    Column("department", "承办部门"),
    Column("deadline_at", "办理时限"),
    Column("closed_at", "办结时间"),
    Column("on_time", "按期"),
    Column("supervision", "督办"),
    Column("rating", "评价"),
)
OPEN = Event.status != "closed"
OVERDUE = and_(OPEN, Event.deadline_at < func.now())
KINDS = {"dispute": "矛盾纠纷", "city": "城市管理", "safety": "安全隐患", "service": "民生服务"}
STATES = {"open": "未办结", "closed": "已办结", "overdue": "超期未办结"}


def _events(department: Any = None) -> Any:
    """The events with their category and department (by default: the one holding it)."""
    return (
        select(
            Event.id.label("id"),
            Event.region_code.label("region_code"),
            Event.collected_at.label("at"),
            Event.title.label("title"),
            EventCategory.name_zh.label("category"),
            Event.status.label("status"),
            Event.level.label("level"),
            (Department.name if department is None else department).label("department"),
            Event.deadline_at.label("deadline_at"),
            Event.closed_at.label("closed_at"),
            case_on_time().label("on_time"),
            Event.supervision.label("supervision"),
            Event.rating.label("rating"),
            Event.geom.label("geom"),
            Event.beidou_code.label("beidou_code"),
        )
        .join(EventCategory, EventCategory.code == Event.category_code)
        .outerjoin(Department, Department.code == Event.assignee_department)
    )


def case_on_time() -> Any:
    return case(
        (Event.closed_at.is_(None), None),
        (Event.closed_at <= Event.deadline_at, "是"),
        else_="否",
    )


def _state(stmt: Any, filter: str | None) -> Any:
    if filter == "open":
        return stmt.where(OPEN)
    if filter == "closed":
        return stmt.where(~OPEN)
    if filter == "overdue":
        return stmt.where(OVERDUE)
    return stmt


def by_category(scope: Scope, filter: str | None) -> Any:
    stmt = _events()
    if filter in KINDS:
        return stmt.where(prefix_match(Event.category_code, f"{filter}."))
    return _state(stmt, filter)


def by_area(scope: Scope, filter: str | None) -> Any:
    return _state(_events(), filter)


def of_kind(kind: str) -> Any:
    def source(scope: Scope, filter: str | None) -> Any:
        return _state(_events().where(prefix_match(Event.category_code, f"{kind}.")), filter)

    return source


def overdue_supervised(scope: Scope, filter: str | None) -> Any:
    stmt = _events()
    if filter == "overdue":
        return stmt.where(OVERDUE)
    if filter in ("normal", "yellow", "red"):
        return stmt.where(Event.supervision == filter)
    return stmt.where(or_(OVERDUE, Event.supervision.is_not(None)))


def department_performance(scope: Scope, filter: str | None) -> Any:
    """Events a department took at some step: the last department they went to."""
    last = (
        select(func.split_part(EventTrace.detail, ":", 2))
        .where(EventTrace.event_id == Event.id, EventTrace.action == "dispatch")
        .order_by(EventTrace.step.desc())
        .limit(1)
        .correlate(Event)
        .scalar_subquery()
    )
    took = aliased(Department)
    stmt = _events(select(took.name).where(took.code == last).scalar_subquery()).where(
        exists().where(EventTrace.event_id == Event.id, EventTrace.action == "dispatch")
    )
    if filter == "sent_back":
        return stmt.where(
            exists().where(EventTrace.event_id == Event.id, EventTrace.action == "send_back")
        )
    return _state(stmt, filter)


def satisfaction(scope: Scope, filter: str | None) -> Any:
    stmt = _events().where(Event.rating.is_not(None))
    if filter == "unsatisfied":
        return stmt.where(Event.rating <= 2)
    if filter == "satisfied":
        return stmt.where(Event.rating >= 4)
    return stmt


def early_warning(scope: Scope, filter: str | None) -> Any:
    """Open events that call for attention now: overdue, due within a day, on a red card,
    or one of three or more open events of a category in one grid within a week."""
    due_soon = and_(
        OPEN, Event.deadline_at >= func.now(), Event.deadline_at < func.now() + timedelta(days=1)
    )
    other = Event.__table__.alias("other")
    cluster = and_(
        OPEN,
        select(func.count())
        .select_from(other)
        .where(
            other.c.region_code == Event.region_code,
            other.c.category_code == Event.category_code,
            other.c.status != "closed",
            func.abs(func.extract("epoch", other.c.collected_at - Event.collected_at)) <= 7 * 86400,
        )
        .scalar_subquery()
        >= 3,
    )
    red = and_(OPEN, Event.supervision == "red")
    chosen = {"overdue": OVERDUE, "due_soon": due_soon, "red_card": red, "cluster": cluster}
    if filter is not None:
        return _events().where(chosen[filter])
    return _events().where(or_(OVERDUE, due_soon, red, cluster))


def _module(
    key: str,
    title: str,
    source: Any,
    order: int,
    filters: dict[str, str],
    cells: Any = None,
) -> AnalysisModule:
    return AnalysisModule(
        key=key,
        title=title,
        category="event",
        kind="event",
        columns=COLUMNS,
        source=source,
        dated=True,
        filters=filters,
        order=order,
        located=True,
        cells=cells,
    )


MODULES = [
    _module(
        "events_by_category", "事件分类分析", by_category, 80, {**KINDS, **STATES}, event_cells
    ),
    _module("events_by_area", "事件区域分布（热点）", by_area, 90, STATES, event_cells),
    _module("disputes", "矛盾纠纷分析", of_kind("dispute"), 100, STATES),
    _module("safety_hazards", "安全隐患分析", of_kind("safety"), 110, STATES),
    _module(
        "overdue_supervised",
        "超期与督办事件",
        overdue_supervised,
        120,
        {"overdue": "超期未办结", "normal": "督办", "yellow": "黄牌督办", "red": "红牌督办"},
    ),
    _module(
        "department_performance",
        "部门办理绩效",
        department_performance,
        130,
        {**STATES, "sent_back": "曾被退回"},
    ),
    _module(
        "satisfaction",
        "群众满意度分析",
        satisfaction,
        150,
        {"satisfied": "满意（4–5分）", "unsatisfied": "不满意（1–2分）"},
    ),
    _module(
        "early_warning",
        "预警分析",
        early_warning,
        180,
        {
            "overdue": "已超期",
            "due_soon": "24小时内到期",
            "red_card": "红牌督办",
            "cluster": "同类事件聚集（7天内≥3件）",
        },
    ),
]
