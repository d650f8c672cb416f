"""Creating accounts, the checks every account change shares, setting passwords."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import hash_password
from core.codes.division import parse_division_code
from core.codes.errors import InvalidCode
from core.errors import BadInput, Conflict, NotFound
from core.models import Account, Department, Region
from core.models.account import ROLE_REGION_LEVEL, Role
from core.models.signin import SessionEnd
from core.plugins import call_async
from core.services.passwords import check_new_password
from core.services.signin import end_sessions
from core.tenancy import county_of

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")


def check_username(username: str) -> str:
    """The username normalised (lower case), or BAD_USER_INPUT."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise BadInput(
            "a username is 2–63 characters: lowercase letters, digits, '.', '_' or '-'",
            argument="username",
        )
    return username


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise BadInput(
            f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}", argument="role"
        ) from None


async def check_assignment(
    session: AsyncSession, role: Role, region_code: str | None, department_code: str | None
) -> str | None:
    """BAD_USER_INPUT (or NOT_FOUND) naming the field unless ``role`` may hold this region
    and department (a staff role needs its level's region, department staff their
    department, no one else a department); the region code normalised."""
    region_level = ROLE_REGION_LEVEL[role]
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
                f"a {role.value} account belongs to a {region_level}, "
                f"but {region_code} is a {region.level}",
                argument="region",
            )
    elif region_level is not None and role is not Role.DISTRICT_COMMAND:
        raise BadInput(f"a {role.value} account needs a region", argument="region")
    if role is Role.DEPARTMENT_STAFF:
        if department_code is None:
            raise BadInput("a department_staff account needs a department", argument="department")
        if await session.get(Department, department_code) is None:
            raise NotFound(f"no department has the code {department_code}", argument="department")
    elif department_code is not None:
        raise BadInput(
            "only department_staff accounts belong to a department", argument="department"
        )
    return region_code


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
    min_password_length: int = 12,
    pm: Any = None,
    tenancy: str | None = None,
) -> Account:
    """Validate and add an account (flushed, not committed); its tenancy is the county of
    its region unless given (core.tenancy)."""
    username = check_username(username)
    if not name.strip():
        raise BadInput("the name must not be empty", argument="name")
    role_enum = parse_role(role)
    check_new_password(password, min_length=min_password_length, username=username)
    region_code = await check_assignment(session, role_enum, region_code, department_code)
    taken = await session.scalar(select(func.count()).where(Account.username == username))
    if taken:
        raise Conflict(f"the username {username!r} is taken", argument="username")
    account = Account(
        username=username,
        name=name.strip(),
        password_hash=hash_password(password),
        password_changed_at=datetime.now(UTC),
        role=role_enum.value,
        region_code=region_code,
        department_code=department_code,
        phone=phone,
        tenancy=county_of(region_code) if tenancy is None else tenancy,
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


async def set_password(
    session: AsyncSession,
    account: Account,
    password: str,
    *,
    min_length: int,
    reason: SessionEnd,
    argument: str = "password",
) -> int:
    """Check and set a new password; every session of the account ends (its tokens stop
    working at once) and earlier sign-in failures no longer count. The number of sessions
    ended."""
    check_new_password(
        password, min_length=min_length, username=account.username, argument=argument
    )
    account.password_hash = hash_password(password)
    account.password_changed_at = datetime.now(UTC)
    await session.flush()
    return await end_sessions(session, account.id, reason)
