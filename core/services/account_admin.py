"""Accounts an administrator runs: create, change, disable and enable accounts, hand out
one-time password reset codes, end an account's sessions — the same services behind the
GraphQL API (admins) and the command line.

Every change is one transaction with its row in ``account_admin_log`` (append-only): who
(an administrator's account and username, or ``cli``), which account, what, the account's
fields before and after (``LOGGED_FIELDS``: never a password or its hash) and the reason
given. A request that changes nothing writes nothing.

Reset codes: 16 characters from an alphabet without look-alikes (no I, O, 0 or 1) in four
groups of four, about 80 random bits; only their SHA-256 is stored. A new code marks the
account's earlier unused codes used (superseded), so at most one code of an account works
at a time. Handing out a code ends the account's sessions and replaces its password by a
random one nobody knows: the old password stops working at once, and the code is the only
way back in (until it expires; then an administrator hands out another).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Final

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.auth import hash_password
from core.database.identity import mark_identity_changed
from core.errors import BadInput, Forbidden, NotFound, Unauthenticated
from core.models import Account, Department, Grid
from core.models.account import Role
from core.models.base import prefix_match
from core.models.signin import (
    AccountAdminLog,
    AccountSession,
    AdminAction,
    PasswordReset,
    SessionEnd,
)
from core.services.accounts import check_assignment, create_account, parse_role, set_password
from core.services.signin import end_sessions
from core.tenancy import county_of, encloses, narrowest, parse_tenancy

#: the account's fields the admin log keeps, before and after a change
LOGGED_FIELDS: Final = (
    "username",
    "name",
    "role",
    "region_code",
    "department_code",
    "phone",
    "is_active",
    "tenancy",
)
#: what decides an account's rights: changing one ends its sessions
ASSIGNMENT: Final = ("role", "region_code", "department_code", "tenancy")

MAX_NAME = 100
MAX_PHONE = 20
MAX_NOTE = 500

#: reset code characters: no I, O, 0 or 1 (read aloud or typed from paper without doubt)
CODE_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS: Final = 4
CODE_GROUP_SIZE: Final = 4
WRONG_CODE: Final = "the code is wrong, already used or expired"
_NO_CODE_HASH: Final = "0" * 64  # compared against when there is no code to compare


class Keep(Enum):
    """An ``update_account`` argument left out: the field stays as it is."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True, slots=True)
class Admin:
    """Who makes a change: an administrator's account, or the command line (no account)."""

    account_id: int | None
    label: str
    #: the accounts the administrator runs: those of this tenancy ("" = all; core.tenancy)
    tenancy: str = ""

    def runs(self, account: Account) -> bool:
        """The account lies inside the administrator's tenancy."""
        return encloses(self.tenancy, account.tenancy)


#: the command line on the server
CLI: Final = Admin(None, "cli")


@dataclass(frozen=True, slots=True)
class ResetCode:
    """A one-time code (shown once) and when it stops working."""

    code: str
    expires_at: datetime


def acting_admin(actor: Actor) -> Admin:
    """The request's administrator (UNAUTHENTICATED anonymous, FORBIDDEN any other role)."""
    if not actor.authenticated or actor.account_id is None:
        raise Unauthenticated("log in first")
    if actor.role != Role.ADMIN:
        raise Forbidden("only administrators manage accounts")
    return Admin(actor.account_id, actor.username or str(actor.account_id), actor.tenancy)


def require_reader(actor: Actor) -> None:
    """Accounts and their logs are read by administrators and auditors only."""
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    if actor.role not in (Role.ADMIN, Role.AUDITOR):
        raise Forbidden("only administrators and auditors see accounts and their logs")


def snapshot(account: Account) -> dict[str, Any]:
    """The account's logged fields (never the password or its hash)."""
    return {name: getattr(account, name) for name in LOGGED_FIELDS}


async def _log(
    session: AsyncSession,
    admin: Admin,
    account_id: int,
    action: AdminAction,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    note: str | None = None,
) -> None:
    session.add(
        AccountAdminLog(
            actor_id=admin.account_id,
            actor_label=admin.label[:63],
            account_id=account_id,
            action=action.value,
            before=None if before is None else dict(before),
            after=None if after is None else dict(after),
            note=note,
        )
    )
    await session.flush()


async def _locked(session: AsyncSession, admin: Admin, account_id: int) -> Account:
    account = await session.scalar(
        select(Account).where(Account.id == account_id).with_for_update()
    )
    if account is None or not admin.runs(account):  # another county's: as if not there
        raise NotFound(f"no account has the id {account_id}", argument="id")
    return account


async def _tenancy(
    session: AsyncSession,
    admin: Admin,
    wanted: str | None,
    region_code: str | None,
    department_code: str | None,
    current: str | None = None,
) -> str:
    """The tenancy an account gets: the one ``wanted`` (checked), else the county of its
    region or department, else ``current``, else the administrator's; never outside the
    administrator's (FORBIDDEN)."""
    department_region = (
        await session.scalar(
            select(Department.region_code).where(Department.code == department_code)
        )
        if department_code
        else None
    )
    derived = narrowest((county_of(region_code), county_of(department_region)))
    if wanted is not None:
        tenancy = parse_tenancy(wanted)
        if derived and not encloses(tenancy, derived):
            raise BadInput(
                f"the account's region or department lies in {derived}, outside the "
                f"tenancy {tenancy or 'of the whole deployment'}",
                argument="tenancy",
            )
    elif derived:
        tenancy = derived
    elif current is not None:
        tenancy = current
    else:
        tenancy = admin.tenancy
    if not encloses(admin.tenancy, tenancy):
        raise Forbidden(
            f"you run the accounts of {admin.tenancy}; {tenancy or 'the whole deployment'} "
            "is outside it",
            argument="tenancy",
        )
    return tenancy


async def account_id_of(session: AsyncSession, username: str) -> int:
    """The id of the account named ``username`` (NOT_FOUND naming ``username``)."""
    name = username.strip().lower()
    found = await session.scalar(select(Account.id).where(Account.username == name))
    if found is None:
        raise NotFound(f"no account has the username {name!r}", argument="username")
    return int(found)


def _name(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise BadInput("the name must not be empty", argument="name")
    if len(text) > MAX_NAME:
        raise BadInput(f"the name has at most {MAX_NAME} characters", argument="name")
    return text


def _phone(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_PHONE:
        raise BadInput(f"a phone number has at most {MAX_PHONE} characters", argument="phone")
    return text or None


def _code(value: str | None) -> str | None:
    """A region or department code as given (blank: none)."""
    text = (value or "").strip()
    return text or None


def _reason(value: str | None, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise BadInput("give the reason", argument="reason")
    if len(text) > MAX_NOTE:
        raise BadInput(f"the reason has at most {MAX_NOTE} characters", argument="reason")
    return text or None


# --- changes ----------------------------------------------------------------------------


async def create_account_logged(
    session: AsyncSession,
    admin: Admin,
    *,
    username: str,
    name: str,
    password: str,
    role: str,
    region_code: str | None = None,
    department_code: str | None = None,
    phone: str | None = None,
    tenancy: str | None = None,
    min_password_length: int,
    pm: Any = None,
) -> Account:
    """``create_account`` and its log row (flushed, not committed); ``tenancy`` as in
    ``_tenancy``."""
    department = _code(department_code)
    # the region normalised (and the assignment checked) before its county is taken
    region = await check_assignment(session, parse_role(role), _code(region_code), department)
    account = await create_account(
        session,
        username=username,
        name=_name(name),
        password=password,
        role=role,
        region_code=region,
        department_code=department,
        phone=_phone(phone),
        min_password_length=min_password_length,
        pm=pm,
        tenancy=await _tenancy(session, admin, tenancy, region, department),
    )
    await session.refresh(account)  # is_active and the timestamps the database set
    await _log(session, admin, account.id, AdminAction.CREATE, None, snapshot(account))
    return account


async def update_account(
    session: AsyncSession,
    admin: Admin,
    account_id: int,
    *,
    name: str | Keep = KEEP,
    role: str | Keep = KEEP,
    region_code: str | Keep | None = KEEP,
    department_code: str | Keep | None = KEEP,
    phone: str | Keep | None = KEEP,
    tenancy: str | Keep = KEEP,
) -> Account:
    """Change the given fields (``KEEP``: unchanged; ``None`` clears a region, department
    or phone). A new role, region or department is checked as a whole and ends the
    account's sessions, so that its next token carries the new rights. Nothing changed:
    nothing written."""
    account = await _locked(session, admin, account_id)
    before = snapshot(account)
    new_name = account.name if isinstance(name, Keep) else _name(name)
    new_phone = account.phone if isinstance(phone, Keep) else _phone(phone)
    assigning = not all(isinstance(v, Keep) for v in (role, region_code, department_code, tenancy))
    new_role = account.role if isinstance(role, Keep) else parse_role(role).value
    region = account.region_code if isinstance(region_code, Keep) else _code(region_code)
    department = (
        account.department_code if isinstance(department_code, Keep) else _code(department_code)
    )
    if assigning:
        if admin.account_id == account.id and new_role != Role.ADMIN:
            raise BadInput(
                "you cannot take the admin role from your own account (ask another admin)",
                argument="role",
            )
        region = await check_assignment(session, Role(new_role), region, department)
        account.tenancy = await _tenancy(
            session,
            admin,
            None if isinstance(tenancy, Keep) else tenancy,
            region,
            department,
            account.tenancy,
        )
    account.name = new_name
    account.phone = new_phone
    account.role = new_role
    account.region_code = region
    account.department_code = department
    after = snapshot(account)
    if after == before:
        return account
    await session.flush()
    if any(before[k] != after[k] for k in ASSIGNMENT):
        mark_identity_changed(session)
        await end_sessions(session, account.id, SessionEnd.ENDED_BY_ADMIN)
    await _log(session, admin, account.id, AdminAction.UPDATE, before, after)
    return account


async def disable_account(
    session: AsyncSession, admin: Admin, account_id: int, reason: str
) -> Account:
    """The account can no longer sign in, and its sessions end (its tokens stop working).
    An administrator cannot disable their own account. Already disabled: nothing written."""
    note = _reason(reason, required=True)
    if admin.account_id == account_id:
        raise BadInput("you cannot disable your own account", argument="id")
    account = await _locked(session, admin, account_id)
    if not account.is_active:
        return account
    before = snapshot(account)
    account.is_active = False
    await session.flush()
    mark_identity_changed(session)
    await end_sessions(session, account.id, SessionEnd.DISABLED)
    await _log(session, admin, account.id, AdminAction.DISABLE, before, snapshot(account), note)
    return account


async def enable_account(
    session: AsyncSession, admin: Admin, account_id: int, reason: str | None = None
) -> Account:
    """The account may sign in again (already active: nothing written)."""
    note = _reason(reason, required=False)
    account = await _locked(session, admin, account_id)
    if account.is_active:
        return account
    before = snapshot(account)
    account.is_active = True
    await session.flush()
    mark_identity_changed(session)
    await _log(session, admin, account.id, AdminAction.ENABLE, before, snapshot(account), note)
    return account


def new_code() -> str:
    """A fresh reset code: ``XXXX-XXXX-XXXX-XXXX`` (about 80 random bits)."""
    groups = (
        "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_SIZE))
        for _ in range(CODE_GROUPS)
    )
    return "-".join(groups)


def code_hash(code: str) -> str:
    """SHA-256 (hex) of a code as typed: case, spaces and dashes do not matter."""
    normalised = "".join(c for c in code.upper() if c not in " -\t")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


async def reset_password(
    session: AsyncSession, admin: Admin, account_id: int, *, valid_seconds: int
) -> ResetCode:
    """A one-time code for the account's owner to set a new password with (see the
    module's doc): earlier codes superseded, sessions ended, the old password replaced by
    an unknown one; logged without the code."""
    account = await _locked(session, admin, account_id)
    now = datetime.now(UTC)
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.account_id == account.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_code()
    expires = now + timedelta(seconds=valid_seconds)
    session.add(
        PasswordReset(
            account_id=account.id,
            code_hash=code_hash(code),
            created_by=admin.account_id,
            expires_at=expires,
        )
    )
    account.password_hash = hash_password(secrets.token_urlsafe(32))
    account.password_changed_at = now
    await session.flush()
    mark_identity_changed(session)
    await end_sessions(session, account.id, SessionEnd.PASSWORD_RESET)
    state = snapshot(account)
    await _log(session, admin, account.id, AdminAction.RESET_PASSWORD, state, state)
    return ResetCode(code=code, expires_at=expires)


async def set_password_with_code(
    session: AsyncSession, username: str, code: str, new_password: str, *, min_length: int
) -> Account:
    """Set a new password with the account's newest unused, unexpired code, which is then
    used up. An unknown user, a wrong code and an expired one get the same answer
    (BAD_USER_INPUT naming ``code``); a weak password BAD_USER_INPUT naming
    ``newPassword`` (the code stays usable)."""
    name = username.strip().lower()
    account = await session.scalar(
        select(Account).where(Account.username == name).with_for_update()
    )
    reset = None
    if account is not None:
        reset = await session.scalar(
            select(PasswordReset)
            .where(
                PasswordReset.account_id == account.id,
                PasswordReset.used_at.is_(None),
                PasswordReset.expires_at > func.now(),
            )
            .order_by(PasswordReset.id.desc())
            .limit(1)
            .with_for_update()
        )
    expected = reset.code_hash if reset is not None else _NO_CODE_HASH
    matches = hmac.compare_digest(code_hash(code), expected)
    if account is None or reset is None or not matches:
        raise BadInput(WRONG_CODE, argument="code")
    await set_password(
        session,
        account,
        new_password,
        min_length=min_length,
        reason=SessionEnd.PASSWORD_RESET,
        argument="newPassword",
    )
    reset.used_at = datetime.now(UTC)
    await session.flush()
    mark_identity_changed(session)
    return account


async def end_account_sessions(session: AsyncSession, admin: Admin, account_id: int) -> int:
    """End every open session of the account (its tokens stop working); how many. Logged
    (with the number as the note) even when there was none."""
    account = await _locked(session, admin, account_id)
    mark_identity_changed(session)
    ended = await end_sessions(session, account.id, SessionEnd.ENDED_BY_ADMIN)
    state = snapshot(account)
    note = f"{ended} session{'s' if ended != 1 else ''} ended"
    await _log(session, admin, account.id, AdminAction.END_SESSIONS, state, state, note)
    return ended


# --- reading ----------------------------------------------------------------------------

OPEN_SESSIONS = (
    select(func.count())
    .where(
        AccountSession.account_id == Account.id,
        AccountSession.ended_at.is_(None),
        AccountSession.expires_at > func.now(),
    )
    .correlate(Account)
    .scalar_subquery()
)

#: what a list of accounts shows of each
MANAGED = select(
    Account.id,
    Account.username,
    Account.name,
    Account.role,
    Account.region_code,
    Account.department_code,
    Account.phone,
    Account.is_active,
    Account.tenancy,
    Account.last_login_at,
    Account.created_at,
    Account.password_changed_at,
    OPEN_SESSIONS.label("open_sessions"),
)


def list_accounts(
    *,
    search: str | None = None,
    role: str | None = None,
    region_prefix: str | None = None,
    department_code: str | None = None,
    active: bool | None = None,
    tenancy: str = "",
) -> Any:
    """The SELECT of ``MANAGED`` rows matching every filter given: ``search`` in the
    username or name (any case), a ``role``, a region prefix (accounts of regions under
    it, and grid workers of current grids under it), a department, active or not."""
    stmt = MANAGED
    if tenancy:
        stmt = stmt.where(prefix_match(Account.tenancy, tenancy))
    if search is not None and search.strip():
        text = search.strip()
        stmt = stmt.where(
            or_(
                Account.username.icontains(text, autoescape=True),
                Account.name.icontains(text, autoescape=True),
            )
        )
    if role is not None:
        stmt = stmt.where(Account.role == parse_role(role).value)
    if region_prefix:
        works_there = exists().where(
            Grid.worker_id == Account.id,
            Grid.valid_to.is_(None),
            prefix_match(Grid.code, region_prefix),
        )
        stmt = stmt.where(
            or_(
                prefix_match(Account.region_code, region_prefix),
                and_(Account.role == Role.GRID_WORKER.value, works_there),
            )
        )
    if department_code is not None:
        stmt = stmt.where(Account.department_code == department_code)
    if active is not None:
        stmt = stmt.where(Account.is_active.is_(active))
    return stmt
