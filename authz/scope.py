"""Which areas an actor reaches, as region-code prefixes, and the SQL predicate for them.

This is the region half of authorization: lists are filtered in SQL by prefix, once per
request, never by a per-row check.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from authz.actor import Actor
from core.codes.division import region_prefix
from core.errors import Forbidden, Unauthenticated
from core.models import Account, DepartmentArea, Grid
from core.models.account import Role


async def area_prefixes(session: AsyncSession, account: Account) -> tuple[str, ...]:
    """The code prefixes an account's role reaches."""
    role = Role(account.role)
    if role in (Role.ADMIN, Role.DISTRICT_COMMAND):
        return ("",) if account.region_code is None else (region_prefix(account.region_code),)
    if role in (Role.COMMUNITY_STAFF, Role.TOWNSHIP_STAFF):
        return (region_prefix(account.region_code),) if account.region_code else ()
    if role is Role.GRID_WORKER:
        rows = await session.scalars(
            select(Grid.code).where(Grid.worker_id == account.id, Grid.valid_to.is_(None))
        )
        return tuple(rows)
    if role is Role.DEPARTMENT_STAFF and account.department_code:
        rows = await session.scalars(
            select(DepartmentArea.area_code).where(
                DepartmentArea.department_code == account.department_code
            )
        )
        return tuple(rows)
    return ()


def require_staff(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to read this data")
    if not actor.is_staff:
        raise Forbidden("this data is for grid and department staff only")


def within_reach(actor: Actor, column: ColumnElement[str | None]) -> ColumnElement[bool]:
    """SQL predicate: the record's code lies inside one of the actor's areas."""
    prefixes = actor.area_prefixes
    if "" in prefixes:
        return true()
    if not prefixes:
        return false()
    return or_(*(column.startswith(p, autoescape=True) for p in prefixes))


def require_role(actor: Actor, *roles: Role) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    if actor.role not in roles:
        names = ", ".join(r.value for r in roles)
        raise Forbidden(f"only {names} may do this")


def require_area(actor: Actor, code: str) -> None:
    """The code lies in the actor's areas (for changes: FORBIDDEN otherwise)."""
    if not any(code.startswith(p) for p in actor.area_prefixes):
        raise Forbidden(f"{code} is outside your area")
