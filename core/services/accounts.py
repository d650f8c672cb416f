"""Creating accounts and checking passwords."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import hash_password, needs_rehash, verify_password
from core.codes.division import parse_division_code
from core.codes.errors import InvalidCode
from core.errors import BadInput, Conflict, NotFound, Unauthenticated
from core.models import Account, Department, Region
from core.models.account import ROLE_REGION_LEVEL, Role
from core.plugins import call_async

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise BadInput(f"the password must have at most {MAX_PASSWORD} characters")


async def create_account(
    session: AsyncSession,
    *,
    username: str,
    name: str,
    password: str,
    role: str,
    region_code: str | None = None,
    department_code: str | None = None,
    phone: str | None = None,
    pm: Any = None,
) -> Account:
    """Validate and add an account (flushed, not committed)."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise BadInput(
            "a username is 2–63 characters: lowercase letters, digits, '.', '_' or '-'",
            argument="username",
        )
    if not name.strip():
        raise BadInput("the name must not be empty", argument="name")
    try:
        role_enum = Role(role)
    except ValueError:
        raise BadInput(
            f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", argument="role"
        ) from None
    check_password_strength(password)
    region_level = ROLE_REGION_LEVEL[role_enum]
    if region_code is not None:
        try:
            division = parse_division_code(region_code)
        except InvalidCode as exc:
            raise BadInput(str(exc), argument="region") from exc
        region_code = division.code
        region = await session.get(Region, region_code)
        if region is None:
            raise NotFound(f"no region has the code {region_code}", argument="region")
        if region_level is not None and region.level != region_level:
            raise BadInput(
                f"a {role_enum.value} account belongs to a {region_level}, "
                f"but {region_code} is a {region.level}",
                argument="region",
            )
    elif region_level is not None and role_enum is not Role.DISTRICT_COMMAND:
        raise BadInput(f"a {role_enum.value} account needs --region", argument="region")
    if role_enum is Role.DEPARTMENT_STAFF:
        if department_code is None:
            raise BadInput("a department_staff account needs --department", argument="department")
        if await session.get(Department, department_code) is None:
            raise NotFound(f"no department has the code {department_code}", argument="department")
    elif department_code is not None:
        raise BadInput(
            "only department_staff accounts belong to a department", argument="department"
        )
    taken = await session.scalar(select(func.count()).where(Account.username == username))
    if taken:
        raise Conflict(f"the username {username!r} is taken", argument="username")
    account = Account(
        username=username,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role_enum.value,
        region_code=region_code,
        department_code=department_code,
        phone=phone,
    )
    session.add(account)
    await session.flush()
    if pm is not None:
        await call_async(
            pm.hook.gridgov_entity_changed,
            session=session,
            kind="account",
            entity=account,
            change="created",
            actor=None,
        )
    return account


async def authenticate(session: AsyncSession, username: str, password: str) -> Account:
    """The active account with these credentials, or UNAUTHENTICATED (same message for an
    unknown user and a wrong password)."""
    account = await session.scalar(
        select(Account).where(Account.username == username.strip().lower())
    )
    ok = verify_password(account.password_hash if account else None, password)
    if account is None or not ok or not account.is_active:
        raise Unauthenticated("wrong username or password")
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = datetime.now(UTC)
    return account
