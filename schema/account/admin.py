"""Account administration: administrators create, change, disable and enable accounts,
hand out reset codes and end sessions (each change logged, see
``core/services/account_admin.py``); administrators and auditors read accounts, the
admin log and sign-in attempts; anyone sets a password with a reset code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

import strawberry
from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from core.actor import Actor
from core.errors import BadInput, DomainError, NotFound
from core.models import Account, AccountAdminLog, LoginAttempt
from core.models.base import prefix_match
from core.services import account_admin as admin_service
from core.services.account_admin import KEEP, Keep, acting_admin, require_reader
from schema.account.admin_types import (
    AdminLogEntry,
    AdminLogEntryConnection,
    AdminLogEntryEdge,
    CreateAccountInput,
    LoginAttemptRecord,
    LoginAttemptRecordConnection,
    LoginAttemptRecordEdge,
    ManagedAccount,
    ManagedAccountConnection,
    ManagedAccountEdge,
    PasswordResetCode,
    UpdateAccountInput,
)
from schema.codes import known_area_prefix
from schema.enums import Role, SignInOutcome
from schema.ids import optional_id, parse_id
from schema.pagination import (
    Column,
    Page,
    Statement,
    check_first,
    decode_cursor,
    keyset_page,
    to_connection,
)

#: the core's names of fields (``check_assignment``) as the inputs spell them
INPUT_NAMES = {"region": "regionCode", "department": "departmentCode"}


@contextmanager
def input_names() -> Iterator[None]:
    """A domain error naming a field by the core's name names it as the input does."""
    try:
        yield
    except DomainError as exc:
        argument = exc.details.get("argument")
        if argument in INPUT_NAMES:
            exc.details["argument"] = INPUT_NAMES[argument]
        raise


async def newest_first(
    info: Info, statement: Statement, id_column: Column, kind: str, first: int, after: str | None
) -> Page:
    """One page of ``statement``, highest id first, after the cursor (``keyset_page``
    pages upwards only)."""
    first = check_first(first, info.context.settings.max_page_size)
    count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
    if after is not None:
        (last,) = decode_cursor(after, kind, [int])
        statement = statement.where(tuple_(id_column) < tuple_(last))
    ordered = statement.order_by(id_column.desc()).limit(first + 1)
    rows = list((await info.context.execute(ordered)).all())
    has_next = len(rows) > first
    rows = rows[:first]
    return Page(rows, [(r.id,) for r in rows], has_next, after is not None, count_statement)


async def _managed(session: AsyncSession, account_id: int) -> ManagedAccount:
    row = (
        await session.execute(admin_service.list_accounts().where(Account.id == account_id))
    ).one()
    return ManagedAccount.of(row)


def _tenants(actor: Actor) -> Any:
    """The ids of the accounts inside the actor's tenancy (a subquery)."""
    return select(Account.id).where(prefix_match(Account.tenancy, actor.tenancy))


def _given(value: Any) -> Any:
    return KEEP if value is strawberry.UNSET else value


@strawberry.type
class AccountAdminQueries:
    @strawberry.field(
        description="Accounts, filtered (administrators and auditors): search in username "
        "or name, a role, a region (accounts of regions under it and grid workers of its "
        "grids), a department, active or disabled."
    )
    async def accounts(
        self,
        info: Info,
        search: str | None = None,
        role: Role | None = None,
        region_code: str | None = None,
        department_code: str | None = None,
        active: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ManagedAccountConnection:
        require_reader(info.context.actor)
        prefix = await known_area_prefix(info, region_code)
        stmt = admin_service.list_accounts(
            search=search,
            role=None if role is None else role.value,
            region_prefix=prefix or None,
            department_code=department_code,
            active=active,
            tenancy=info.context.actor.tenancy,
        )
        page = await keyset_page(
            info,
            stmt,
            [Account.id],
            lambda r: (r.id,),
            kind="account",
            key_types=[int],
            first=first,
            after=after,
        )
        page.rows = [ManagedAccount.of(r) for r in page.rows]
        return to_connection(ManagedAccountConnection, ManagedAccountEdge, page, "account")

    @strawberry.field(description="One account (administrators and auditors).")
    async def account(self, info: Info, id: strawberry.ID) -> ManagedAccount:
        require_reader(info.context.actor)
        account_id = parse_id(id)
        stmt = admin_service.list_accounts(tenancy=info.context.actor.tenancy).where(
            Account.id == account_id
        )
        row = (await info.context.execute(stmt)).one_or_none()
        if row is None:
            raise NotFound(f"no account has the id {id}", argument="id")
        return ManagedAccount.of(row)

    @strawberry.field(
        description="Administrators' changes to accounts, newest first (administrators and "
        "auditors); of one account if given."
    )
    async def account_admin_log(
        self,
        info: Info,
        account_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AdminLogEntryConnection:
        require_reader(info.context.actor)
        stmt = select(
            AccountAdminLog.id,
            AccountAdminLog.at,
            AccountAdminLog.actor_label,
            AccountAdminLog.account_id,
            AccountAdminLog.action,
            AccountAdminLog.before,
            AccountAdminLog.after,
            AccountAdminLog.note,
        )
        wanted = optional_id(account_id, "accountId")
        if wanted is not None:
            stmt = stmt.where(AccountAdminLog.account_id == wanted)
        if info.context.actor.tenancy:
            stmt = stmt.where(AccountAdminLog.account_id.in_(_tenants(info.context.actor)))
        page = await newest_first(info, stmt, AccountAdminLog.id, "adminlog", first, after)
        page.rows = [AdminLogEntry.of(r) for r in page.rows]
        return to_connection(AdminLogEntryConnection, AdminLogEntryEdge, page, "adminlog")

    @strawberry.field(
        description="Sign-in attempts, newest first (administrators and auditors), "
        "filtered by username, address, outcome and time [from, to)."
    )
    async def login_attempts(
        self,
        info: Info,
        username: str | None = None,
        address: str | None = None,
        outcome: SignInOutcome | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> LoginAttemptRecordConnection:
        require_reader(info.context.actor)
        for name, moment in (("from", from_), ("to", to)):
            if moment is not None and moment.tzinfo is None:
                raise BadInput(f"{name} needs a time zone offset", argument=name)
        stmt = select(
            LoginAttempt.id,
            LoginAttempt.at,
            LoginAttempt.username,
            LoginAttempt.account_id,
            LoginAttempt.address,
            LoginAttempt.outcome,
        )
        if username is not None:
            stmt = stmt.where(LoginAttempt.username == username.strip().lower())
        if info.context.actor.tenancy:
            stmt = stmt.where(LoginAttempt.account_id.in_(_tenants(info.context.actor)))
        if address is not None:
            stmt = stmt.where(LoginAttempt.address == address.strip())
        if outcome is not None:
            stmt = stmt.where(LoginAttempt.outcome == outcome.value)
        if from_ is not None:
            stmt = stmt.where(LoginAttempt.at >= from_)
        if to is not None:
            stmt = stmt.where(LoginAttempt.at < to)
        page = await newest_first(info, stmt, LoginAttempt.id, "login", first, after)
        page.rows = [LoginAttemptRecord.of(r) for r in page.rows]
        return to_connection(LoginAttemptRecordConnection, LoginAttemptRecordEdge, page, "login")


@strawberry.type
class AccountAdminMutations:
    @strawberry.mutation(description="Create an account (administrators; logged).")
    async def create_account(self, info: Info, input: CreateAccountInput) -> ManagedAccount:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        with input_names():
            async with ctx.transaction() as session:
                account = await admin_service.create_account_logged(
                    session,
                    admin,
                    username=input.username,
                    name=input.name,
                    password=input.password,
                    role=input.role.value,
                    region_code=input.region_code,
                    department_code=input.department_code,
                    phone=input.phone,
                    tenancy=input.tenancy,
                    min_password_length=ctx.settings.password_min_length,
                    pm=ctx.plugin_manager,
                )
                return await _managed(session, account.id)

    @strawberry.mutation(
        description="Change an account (administrators; logged). A field left out stays; "
        "null clears a region, department or phone. A new role, region or department ends "
        "the account's sessions (its next sign-in carries the new rights)."
    )
    async def update_account(
        self, info: Info, id: strawberry.ID, input: UpdateAccountInput
    ) -> ManagedAccount:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        account_id = parse_id(id)
        name, role = _given(input.name), _given(input.role)
        if name is None:
            raise BadInput("an account keeps a name; leave name out to keep it", argument="name")
        if role is None:
            raise BadInput("an account keeps a role; leave role out to keep it", argument="role")
        tenancy = _given(input.tenancy)
        if tenancy is None:
            raise BadInput(
                "an account keeps a tenancy (empty: the whole deployment); leave tenancy out "
                "to keep it",
                argument="tenancy",
            )
        with input_names():
            async with ctx.transaction() as session:
                await admin_service.update_account(
                    session,
                    admin,
                    account_id,
                    name=name,
                    role=role if isinstance(role, Keep) else role.value,
                    region_code=_given(input.region_code),
                    department_code=_given(input.department_code),
                    phone=_given(input.phone),
                    tenancy=tenancy,
                )
                return await _managed(session, account_id)

    @strawberry.mutation(
        description="Disable an account (administrators; logged with the reason): it can no "
        "longer sign in and its tokens stop working. Not your own."
    )
    async def disable_account(self, info: Info, id: strawberry.ID, reason: str) -> ManagedAccount:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        account_id = parse_id(id)
        async with ctx.transaction() as session:
            await admin_service.disable_account(session, admin, account_id, reason)
            return await _managed(session, account_id)

    @strawberry.mutation(description="Enable a disabled account (administrators; logged).")
    async def enable_account(self, info: Info, id: strawberry.ID) -> ManagedAccount:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        account_id = parse_id(id)
        async with ctx.transaction() as session:
            await admin_service.enable_account(session, admin, account_id)
            return await _managed(session, account_id)

    @strawberry.mutation(
        description="A one-time code for the account's owner to set a new password with "
        "(setPasswordWithCode), shown this once (administrators; logged without it). The "
        "account's sessions end and its password stops working at once; earlier codes no "
        "longer work."
    )
    async def reset_password(self, info: Info, id: strawberry.ID) -> PasswordResetCode:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        account_id = parse_id(id)
        async with ctx.transaction() as session:
            reset = await admin_service.reset_password(
                session, admin, account_id, valid_seconds=ctx.settings.password_reset_seconds
            )
        return PasswordResetCode(code=reset.code, expires_at=reset.expires_at)

    @strawberry.mutation(
        description="End every session of an account: its tokens stop working "
        "(administrators; logged). The number ended."
    )
    async def end_account_sessions(self, info: Info, id: strawberry.ID) -> int:
        ctx = info.context
        admin = acting_admin(ctx.actor)
        account_id = parse_id(id)
        async with ctx.transaction() as session:
            return await admin_service.end_account_sessions(session, admin, account_id)

    @strawberry.mutation(
        description="Set your password with the one-time code an administrator gave you "
        "(no token needed); then log in with it. A wrong, used or expired code: "
        "BAD_USER_INPUT naming code."
    )
    async def set_password_with_code(
        self, info: Info, username: str, code: str, new_password: str
    ) -> bool:
        ctx = info.context
        async with ctx.transaction() as session:
            await admin_service.set_password_with_code(
                session,
                username,
                code,
                new_password,
                min_length=ctx.settings.password_min_length,
            )
        return True
