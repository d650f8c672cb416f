"""From a bearer token to an Actor: one query for the account, one for its areas."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from authz.actor import ANONYMOUS, Actor
from authz.scope import area_prefixes
from core.auth import decode_token
from core.errors import Unauthenticated
from core.models import Account
from core.models.account import Role


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


async def identify(session: AsyncSession, token: str | None, key: str) -> Actor:
    if token is None:
        return ANONYMOUS
    claims = decode_token(token, key=key)
    account = await session.get(Account, claims.account_id)
    if account is None or not account.is_active:
        raise Unauthenticated("the token's account no longer exists or is disabled")
    return Actor(
        account_id=account.id,
        username=account.username,
        role=Role(account.role),
        region_code=account.region_code,
        department_code=account.department_code,
        area_prefixes=await area_prefixes(session, account),
    )
