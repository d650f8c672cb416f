"""``login(username, password)``: a signed, expiring bearer token."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from core.auth import issue_token
from core.services.accounts import authenticate
from schema.account.types import LoginPayload


@strawberry.type
class LoginMutation:
    @strawberry.mutation(description="Exchange a username and password for a bearer token.")
    async def login(self, info: Info, username: str, password: str) -> LoginPayload:
        ctx = info.context
        async with ctx.transaction() as session:
            account = await authenticate(session, username, password)
            token, exp = issue_token(
                account_id=account.id,
                role=account.role,
                key=ctx.settings.signing_key(),
                ttl_seconds=ctx.settings.token_ttl_seconds,
            )
            return LoginPayload(
                token=token, expires_at=datetime.fromtimestamp(exp, UTC), account=account
            )
