"""Granting and revoking departments' access, as data: every change is logged and bumps
the version every server process watches."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.categories import DataCategory
from core.codes.division import region_prefix
from core.codes.errors import InvalidCode
from core.database.identity import mark_identity_changed
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Department, Grid, Region
from core.models.authz import ACTIONS, AuthzVersion, DepartmentGrant, GrantEvent
from core.tenancy import county_of


async def bump_version(session: AsyncSession) -> None:
    mark_identity_changed(session)
    await session.execute(
        update(AuthzVersion)
        .where(AuthzVersion.id == 1)
        .values(version=AuthzVersion.version + 1, changed_at=datetime.now(UTC))
    )


def _may_grant(actor: Actor, category: str, prefix: str) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    if not actor.reach.allows(category, "grant", prefix):
        raise Forbidden(f"you may not grant '{category}' under {prefix}")


async def grant_access(
    session: AsyncSession,
    actor: Actor,
    tree: dict[str, DataCategory],
    *,
    department_code: str,
    category: str,
    region_code: str,
    action: str,
    expires_at: datetime | None = None,
    note: str | None = None,
) -> DepartmentGrant:
    if category not in tree:
        raise BadInput(f"unknown data category {category!r}", argument="category")
    if action not in ACTIONS:
        raise BadInput(f"action must be one of {', '.join(ACTIONS)}", argument="action")
    try:
        prefix = region_prefix(region_code)
    except InvalidCode as exc:
        raise BadInput(str(exc), argument="regionCode") from exc
    _may_grant(actor, category, prefix)
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise BadInput("expiresAt needs a time zone offset", argument="expiresAt")
        if expires_at <= datetime.now(UTC):
            raise BadInput("expiresAt is in the past", argument="expiresAt")
    department = await session.get(Department, department_code)
    if department is None or not actor.in_tenancy(department.region_code):
        raise NotFound(f"no department has the code {department_code!r}", argument="departmentCode")
    county = county_of(department.region_code)
    if not prefix.startswith(county):
        raise BadInput(
            f"department {department_code} works in county {county}: its grants lie inside it",
            argument="regionCode",
        )
    known = (
        exists().where(Grid.code == prefix, Grid.valid_to.is_(None))
        if len(prefix) == 15
        else exists().where(Region.prefix == prefix)
    )
    if not await session.scalar(select(known)):
        raise NotFound(f"no region or grid has the code {region_code!r}", argument="regionCode")
    duplicate = await session.scalar(
        select(DepartmentGrant.id).where(
            DepartmentGrant.department_code == department_code,
            DepartmentGrant.category == category,
            DepartmentGrant.region_prefix == prefix,
            DepartmentGrant.action == action,
            DepartmentGrant.revoked_at.is_(None),
        )
    )
    if duplicate is not None:
        raise Conflict(f"the same grant is already active (id {duplicate})")
    row = DepartmentGrant(
        department_code=department_code,
        category=category,
        region_prefix=prefix,
        action=action,
        expires_at=expires_at,
        note=(note or "").strip()[:500] or None,
        created_by=actor.account_id,
    )
    session.add(row)
    await session.flush()
    session.add(GrantEvent(grant_id=row.id, change="granted", actor_id=actor.account_id))
    await bump_version(session)
    await session.flush()
    return row


async def revoke_access(session: AsyncSession, actor: Actor, grant_id: int) -> DepartmentGrant:
    row = await session.scalar(
        select(DepartmentGrant).where(DepartmentGrant.id == grant_id).with_for_update()
    )
    if row is None:
        raise NotFound(f"no grant has the id {grant_id}", argument="id")
    _may_grant(actor, row.category, row.region_prefix)
    if row.revoked_at is not None:
        raise Conflict(f"grant {grant_id} was already revoked")
    row.revoked_at = datetime.now(UTC)
    row.revoked_by = actor.account_id
    session.add(GrantEvent(grant_id=row.id, change="revoked", actor_id=actor.account_id))
    await bump_version(session)
    await session.flush()
    return row
