"""From a bearer token to an Actor: one statement for the account and the grant version
(plus one for a grid worker's grid), then the actor's reach from the app's engine."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authz.actor import Actor
from authz.engine import AuthzEngine
from authz.models import AuthzVersion
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


def anonymous(engine: AuthzEngine) -> Actor:
    return Actor(reach=engine.reach(None, None, ()))


async def identify(
    session: AsyncSession, token: str | None, key: str, engine: AuthzEngine
) -> Actor:
    if token is None:
        return anonymous(engine)
    claims = decode_token(token, key=key)
    version = select(AuthzVersion.version).where(AuthzVersion.id == 1).scalar_subquery()
    row = (
        await session.execute(
            select(Account, version.label("version")).where(Account.id == claims.account_id)
        )
    ).one_or_none()
    if row is None or not row.Account.is_active:
        raise Unauthenticated("the token's account no longer exists or is disabled")
    account: Account = row.Account
    await engine.refresh(session, int(row.version or 0))
    role = Role(account.role)
    own = await area_prefixes(session, account)
    return Actor(
        account_id=account.id,
        username=account.username,
        role=role,
        region_code=account.region_code,
        department_code=account.department_code,
        area_prefixes=own,
        reach=engine.reach(role, account.department_code, own),
    )
