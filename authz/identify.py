"""From a bearer token to an Actor: one statement for the account and the grant version
(plus one for a grid worker's grid), then the actor's reach from the app's engine."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from authz.engine import AuthzEngine
from authz.identity_cache import IdentityCache
from authz.scope import area_prefixes
from core.actor import Actor
from core.auth import TokenVerifier
from core.errors import Unauthenticated
from core.models import Account, Department, Region
from core.models.account import Role
from core.models.authz import AuthzVersion
from core.models.signin import AccountSession
from core.tenancy import WHOLE, county_of, narrowest


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
    Account.tenancy,
    select(Department.region_code)
    .where(Department.code == Account.department_code)
    .scalar_subquery()
    .label("department_region"),
    func.array(select(Region.prefix).where(Region.level == "district").scalar_subquery()).label(
        "counties"
    ),
    select(AuthzVersion.version).where(AuthzVersion.id == 1).scalar_subquery().label("version"),
    func.array(
        select(AccountSession.id)
        .where(
            AccountSession.account_id == Account.id,
            AccountSession.ended_at.is_(None),
            AccountSession.expires_at > func.now(),
        )
        .scalar_subquery()
    ).label("sessions"),
).where(Account.id == bindparam("account_id"))


def known_actor(token: str, tokens: TokenVerifier, cache: IdentityCache) -> Actor | None:
    """The actor of a token whose account was identified recently and has not changed since
    (no statement); None when it must be read (or the token's session is not among those
    known: a new one is read, an ended one refused there)."""
    claims = tokens.verify(token)
    actor = cache.get(claims.account_id)
    if actor is None or claims.session_id not in actor.sessions:
        return None
    return replace(actor, session_id=claims.session_id)


async def identify(
    session: AsyncSession,
    token: str | None,
    tokens: TokenVerifier,
    engine: AuthzEngine,
    cache: IdentityCache | None = None,
) -> Actor:
    """The token's actor, read from the database (and kept in ``cache`` if given);
    Unauthenticated when its session has ended."""
    if token is None:
        return anonymous(engine)
    claims = tokens.verify(token)
    actor = await identify_account(session, claims.account_id, engine, cache, fresh=True)
    if claims.session_id not in actor.sessions:
        raise Unauthenticated(
            "the session has ended (logged out, or the password changed); log in again"
        )
    return replace(actor, session_id=claims.session_id)


def account_tenancy(row: Any, own: tuple[str, ...]) -> str:
    """Where an account's reach ends: its stored tenancy, narrowed to the county of its
    region, its department's region or its grids (core.tenancy); the whole deployment
    ("") when that holds every county there is (one county's deployment: no limit)."""
    tenancy = narrowest(
        (
            row.tenancy or "",
            county_of(row.region_code),
            county_of(row.department_region),
            *(county_of(code) for code in own),
        )
    )
    if all(county.startswith(tenancy) for county in row.counties or ()):
        return WHOLE
    return tenancy


async def identify_account(
    session: AsyncSession,
    account_id: int,
    engine: AuthzEngine,
    cache: IdentityCache | None = None,
    *,
    fresh: bool = False,
) -> Actor:
    """The actor of an account (from ``cache`` when it was read recently and nothing
    changed since, unless ``fresh``); Unauthenticated when the account is gone or
    disabled."""
    if not fresh and cache is not None and (known := cache.get(account_id)) is not None:
        return known
    ticket = cache.ticket() if cache is not None else None
    row = (await session.execute(_ACCOUNT, {"account_id": account_id})).one_or_none()
    if row is None or not row.is_active:
        raise Unauthenticated("the token's account no longer exists or is disabled")
    await engine.refresh(session, int(row.version or 0))
    role = Role(row.role)
    own = await area_prefixes(session, row)
    tenancy = account_tenancy(row, own)
    actor = Actor(
        account_id=row.id,
        username=row.username,
        role=role,
        region_code=row.region_code,
        department_code=row.department_code,
        area_prefixes=own,
        reach=engine.reach(role, row.department_code, own).within(tenancy),
        tenancy=tenancy,
        sessions=frozenset(row.sessions or ()),
    )
    if cache is not None and ticket is not None:
        cache.put(row.id, actor, ticket, engine.next_expiry)
    return actor
