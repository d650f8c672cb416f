"""From a bearer token to an Actor: one statement for the account and the grant version
(plus one for a grid worker's grid), then the actor's reach from the app's engine."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from authz.engine import AuthzEngine
from authz.identity_cache import IdentityCache
from authz.scope import area_prefixes
from core.actor import Actor
from core.auth import TokenVerifier
from core.errors import Unauthenticated
from core.models import Account
from core.models.account import Role
from core.models.authz import AuthzVersion


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def anonymous(engine: AuthzEngine) -> Actor:
    return Actor(reach=engine.reach(None, None, ()))


# Built once (statements are immutable): building it per request cost more than running it.
_ACCOUNT = select(
    Account.id,
    Account.username,
    Account.role,
    Account.region_code,
    Account.department_code,
    Account.is_active,
    select(AuthzVersion.version).where(AuthzVersion.id == 1).scalar_subquery().label("version"),
).where(Account.id == bindparam("account_id"))


def known_actor(token: str, tokens: TokenVerifier, cache: IdentityCache) -> Actor | None:
    """The actor of a token whose account was identified recently and has not changed since
    (no statement); None when it must be read."""
    return cache.get(tokens.verify(token).account_id)


async def identify(
    session: AsyncSession,
    token: str | None,
    tokens: TokenVerifier,
    engine: AuthzEngine,
    cache: IdentityCache | None = None,
) -> Actor:
    """The token's actor, read from the database (and kept in ``cache`` if given)."""
    if token is None:
        return anonymous(engine)
    return await identify_account(session, tokens.verify(token).account_id, engine, cache)


async def identify_account(
    session: AsyncSession,
    account_id: int,
    engine: AuthzEngine,
    cache: IdentityCache | None = None,
) -> Actor:
    """The actor of an account (from ``cache`` when it was read recently and nothing
    changed since); Unauthenticated when the account is gone or disabled."""
    if cache is not None and (known := cache.get(account_id)) is not None:
        return known
    ticket = cache.ticket() if cache is not None else None
    row = (await session.execute(_ACCOUNT, {"account_id": account_id})).one_or_none()
    if row is None or not row.is_active:
        raise Unauthenticated("the token's account no longer exists or is disabled")
    await engine.refresh(session, int(row.version or 0))
    role = Role(row.role)
    own = await area_prefixes(session, row)
    actor = Actor(
        account_id=row.id,
        username=row.username,
        role=role,
        region_code=row.region_code,
        department_code=row.department_code,
        area_prefixes=own,
        reach=engine.reach(role, row.department_code, own),
    )
    if cache is not None and ticket is not None:
        cache.put(row.id, actor, ticket, engine.next_expiry)
    return actor
