"""``me``: the account behind the request's token."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from core.errors import Unauthenticated
from core.models import Account
from core.services.signin import open_sessions
from schema.account.types import SignInSession
from schema.compiled.areas import ACCOUNT_SHAPE
from schema.compiled.records import compiled_object
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
        row = (await info.context.execute(stmt)).one_or_none()
        return await compiled_object(info, ACCOUNT_SHAPE, row)

    @strawberry.field(
        description="Your open sessions (sign-ins not ended nor expired), newest first."
    )
    async def my_sessions(self, info: Info) -> list[SignInSession]:
        actor = info.context.actor
        if not actor.authenticated or actor.account_id is None:
            raise Unauthenticated("log in to see your sessions")
        async with info.context.locked() as session:
            rows = await open_sessions(session, actor.account_id)
        return [
            SignInSession(
                id=strawberry.ID(str(r.id)),
                created_at=r.created_at,
                expires_at=r.expires_at,
                address=r.address,
                user_agent=r.user_agent,
                current=r.id == actor.session_id,
            )
            for r in rows
        ]
