"""An actor's own areas, and the checks the API makes with its reach.

Lists are filtered in SQL by the actor's prefixes for the category, once per request; a
record outside reach is NOT_FOUND for reads and FORBIDDEN for changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.codes.division import region_prefix
from core.errors import Forbidden, Unauthenticated
from core.models import Grid
from core.models.account import Role

_WORKER_GRIDS = select(Grid.code).where(
    Grid.worker_id == bindparam("account_id"), Grid.valid_to.is_(None)
)


async def area_prefixes(session: AsyncSession, account: Any) -> tuple[str, ...]:
    """The code prefixes an account's role calls its own (``account``: an Account or a row
    with its ``id``, ``role`` and ``region_code``)."""
    role = Role(account.role)
    if role in (Role.COMMUNITY_STAFF, Role.TOWNSHIP_STAFF, Role.DISTRICT_COMMAND):
        return (region_prefix(account.region_code),) if account.region_code else ()
    if role is Role.GRID_WORKER:
        rows = await session.scalars(_WORKER_GRIDS, {"account_id": account.id})
        return tuple(rows)
    return ()


def require_staff(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to read this data")
    if not actor.is_staff:
        raise Forbidden("this data is for grid and department staff only")


def within_reach(
    actor: Actor, column: ColumnElement[str | None], category: str = "person", action: str = "read"
) -> ColumnElement[bool]:
    """SQL predicate: the record's code lies where the actor may ``action`` the category."""
    return actor.reach.where(category, action, column)


def require_role(actor: Actor, *roles: Role) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    if actor.role not in roles:
        names = ", ".join(r.value for r in roles)
        raise Forbidden(f"only {names} may do this")


def require_area(actor: Actor, code: str, category: str = "region", action: str = "write") -> None:
    """The code lies where the actor may change the category (FORBIDDEN otherwise)."""
    if actor.role is Role.ADMIN and actor.in_tenancy(code):
        return
    if not actor.reach.allows(category, action, code) and not any(
        code.startswith(p) for p in actor.area_prefixes
    ):
        raise Forbidden(f"{code} is outside your area")
