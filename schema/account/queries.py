"""``me``: the account behind the request's token."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from core.models import Account
from schema.refs import AccountRef

ACCOUNT_COLUMNS = (
    Account.id,
    Account.username,
    Account.name,
    Account.role,
    Account.region_code,
    Account.department_code,
)


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The logged-in account; null without a token.")
    async def me(self, info: Info) -> AccountRef | None:
        actor = info.context.actor
        if not actor.authenticated:
            return None
        stmt = select(*ACCOUNT_COLUMNS).where(Account.id == actor.account_id)
        return (await info.context.execute(stmt)).one_or_none()
