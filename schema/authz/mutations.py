"""``grantAccess`` and ``revokeAccess``: departments' access as data, every change logged."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from authz.grants import grant_access, revoke_access
from schema.authz.types import Grant, grant_of
from schema.enums import GrantAction
from schema.ids import parse_id


@strawberry.input
class GrantInput:
    department_code: str
    category: str = strawberry.field(description="e.g. person:basic, person:identity, place")
    region_code: str = strawberry.field(description="Region prefix or grid code it covers")
    action: GrantAction = GrantAction.READ
    expires_at: datetime | None = None
    note: str | None = None


@strawberry.type
class AuthzMutations:
    @strawberry.mutation(description="Grant a department a category under a region (admins).")
    async def grant_access(self, info: Info, input: GrantInput) -> Grant:
        ctx = info.context
        async with ctx.transaction() as session:
            row = await grant_access(
                session,
                ctx.actor,
                ctx.app.authz.tree,
                department_code=input.department_code,
                category=input.category,
                region_code=input.region_code,
                action=input.action.value,
                expires_at=input.expires_at,
                note=input.note,
            )
            return grant_of(row)

    @strawberry.mutation(description="Revoke a grant; it stays in the history.")
    async def revoke_access(self, info: Info, id: strawberry.ID) -> Grant:
        ctx = info.context
        grant_id = parse_id(id)
        async with ctx.transaction() as session:
            return grant_of(await revoke_access(session, ctx.actor, grant_id))
