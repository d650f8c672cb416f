"""The thresholds: reading, setting and removing ``warning_rule`` rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput
from core.models import EventCategory
from plugins.early_warning.access import require_rule_setter
from plugins.early_warning.models import (
    DEFAULT_RULE,
    MIN_COUNT,
    RADIUS_M,
    WINDOW_HOURS,
    WarningRule,
)

RULES = select(
    WarningRule.category_code,
    WarningRule.radius_m,
    WarningRule.window_hours,
    WarningRule.min_count,
    WarningRule.active,
    WarningRule.updated_at,
).order_by(WarningRule.category_code)


def _within(value: int, bounds: tuple[int, int], argument: str, unit: str) -> int:
    low, high = bounds
    if not low <= value <= high:
        raise BadInput(f"{argument} must be {low} to {high} {unit}, got {value}", argument=argument)
    return value


async def checked_target(session: AsyncSession, code: str) -> str:
    """``*``, a category's code or a kind of categories; BAD_USER_INPUT otherwise."""
    code = (code or "").strip()
    if code == DEFAULT_RULE:
        return code
    known = await session.scalar(
        select(exists().where(or_(EventCategory.code == code, EventCategory.kind == code)))
    )
    if not known:
        raise BadInput(
            f"{code!r} is no event category, kind of categories or '*'", argument="categoryCode"
        )
    return code


async def set_rule(
    session: AsyncSession,
    actor: Actor,
    *,
    category_code: str,
    radius_m: int,
    window_hours: int,
    min_count: int,
    active: bool,
) -> Any:
    """Create or replace the rule of a category, a kind or the default; returns its row."""
    require_rule_setter(actor)
    values = {
        "radius_m": _within(radius_m, RADIUS_M, "radiusM", "metres"),
        "window_hours": _within(window_hours, WINDOW_HOURS, "windowHours", "hours"),
        "min_count": _within(min_count, MIN_COUNT, "minCount", "reports"),
        "active": active,
        "updated_by": actor.account_id,
        "updated_at": func.now(),
    }
    target = await checked_target(session, category_code)
    statement = insert(WarningRule).values(category_code=target, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[WarningRule.category_code], set_=values)
    )
    return (await session.execute(RULES.where(WarningRule.category_code == target))).one()


async def remove_rule(session: AsyncSession, actor: Actor, category_code: str) -> bool:
    """Remove a category's or kind's rule (the next one applies again); the default rule
    stays (make it inactive instead). Whether there was one."""
    require_rule_setter(actor)
    target = await checked_target(session, category_code)
    if target == DEFAULT_RULE:
        raise BadInput(
            "the default rule '*' stays; set it inactive to stop warnings of every category "
            "without a rule of its own",
            argument="categoryCode",
        )
    removed = await session.execute(
        text("DELETE FROM warning_rule WHERE category_code = :c RETURNING category_code"),
        {"c": target},
    )
    return removed.first() is not None
