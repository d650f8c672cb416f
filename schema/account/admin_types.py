"""Types of account administration: accounts as administrators see them, the admin log,
sign-in attempts, reset codes, and the inputs of the admin mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON
from strawberry.types import Info

# not imported as ``Account``: the lazy ``AccountRef`` would find the model by that name
from core.models import Account as AccountModel
from schema.department.loaders import DepartmentByCodeLoader
from schema.enums import AdminAction, Role, SignInOutcome
from schema.grid.loaders import RegionByCodeLoader
from schema.loaders import OneLoader
from schema.pagination import Connection, Edge
from schema.refs import AccountRef, DepartmentRef, RegionRef


class AccountByIdLoader(OneLoader):
    """An account as the ``Account`` type shows it."""

    statement = select(
        AccountModel.id,
        AccountModel.username,
        AccountModel.name,
        AccountModel.role,
        AccountModel.region_code,
        AccountModel.department_code,
    )
    key = AccountModel.id
    key_name = "id"


@strawberry.type(description="An account as administrators and auditors see it.")
class ManagedAccount:
    id: strawberry.ID
    username: str
    name: str
    role: Role
    phone: str | None
    active: bool = strawberry.field(description="False: disabled, it cannot sign in")
    last_login_at: datetime | None
    created_at: datetime
    password_changed_at: datetime | None = strawberry.field(
        description="When the password was last set (null: not recorded, e.g. a demo account)"
    )
    open_sessions: int = strawberry.field(
        description="Sign-ins neither ended nor expired (each a working token)"
    )
    tenancy: str = strawberry.field(
        description="The county (6 digits), city (4) or province (2) the account belongs "
        "to, which its reach never leaves; empty: the whole deployment"
    )
    region_code: strawberry.Private[str | None]
    department_code: strawberry.Private[str | None]

    @strawberry.field
    async def region(self, info: Info) -> RegionRef | None:
        if self.region_code is None:
            return None
        return await info.context.loader(RegionByCodeLoader).load(self.region_code)

    @strawberry.field
    async def department(self, info: Info) -> DepartmentRef | None:
        if self.department_code is None:
            return None
        return await info.context.loader(DepartmentByCodeLoader).load(self.department_code)

    @classmethod
    def of(cls, row: Any) -> ManagedAccount:
        """From a row of ``core.services.account_admin.MANAGED``."""
        return cls(
            id=strawberry.ID(str(row.id)),
            username=row.username,
            name=row.name,
            role=Role(row.role),
            phone=row.phone,
            active=row.is_active,
            last_login_at=row.last_login_at,
            created_at=row.created_at,
            password_changed_at=row.password_changed_at,
            open_sessions=int(row.open_sessions or 0),
            tenancy=row.tenancy,
            region_code=row.region_code,
            department_code=row.department_code,
        )


ManagedAccountEdge = Edge[ManagedAccount]
ManagedAccountConnection = Connection[ManagedAccount]


@strawberry.type(description="One change an administrator made to an account (append-only).")
class AdminLogEntry:
    id: strawberry.ID
    at: datetime
    actor: str = strawberry.field(
        description="The administrator's username then, or `cli` (the server's command line)"
    )
    action: AdminAction
    before: JSON | None = strawberry.field(
        description="The account's fields before (username, name, role, region_code, "
        "department_code, phone, is_active); null for a created account"
    )
    after: JSON | None = strawberry.field(description="The account's fields after")
    note: str | None = strawberry.field(description="The reason given, or what was done")
    account_id: strawberry.Private[int]

    @strawberry.field(description="The account changed")
    async def account(self, info: Info) -> AccountRef:
        return await info.context.loader(AccountByIdLoader).load(self.account_id)

    @classmethod
    def of(cls, row: Any) -> AdminLogEntry:
        return cls(
            id=strawberry.ID(str(row.id)),
            at=row.at,
            actor=row.actor_label,
            action=AdminAction(row.action),
            before=row.before,
            after=row.after,
            note=row.note,
            account_id=row.account_id,
        )


AdminLogEntryEdge = Edge[AdminLogEntry]
AdminLogEntryConnection = Connection[AdminLogEntry]


@strawberry.type(name="LoginAttempt", description="One sign-in attempt (append-only).")
class LoginAttemptRecord:
    id: strawberry.ID
    at: datetime
    username: str = strawberry.field(description="The username as given (known or not)")
    address: str = strawberry.field(description="Where the attempt came from")
    outcome: SignInOutcome
    account_id: strawberry.Private[int | None]

    @strawberry.field(description="The account named, if there is one")
    async def account(self, info: Info) -> AccountRef | None:
        if self.account_id is None:
            return None
        return await info.context.loader(AccountByIdLoader).load(self.account_id)

    @classmethod
    def of(cls, row: Any) -> LoginAttemptRecord:
        return cls(
            id=strawberry.ID(str(row.id)),
            at=row.at,
            username=row.username,
            address=row.address,
            outcome=SignInOutcome(row.outcome),
            account_id=row.account_id,
        )


LoginAttemptRecordEdge = Edge[LoginAttemptRecord]
LoginAttemptRecordConnection = Connection[LoginAttemptRecord]


@strawberry.type(description="A one-time password reset code: shown this once.")
class PasswordResetCode:
    code: str = strawberry.field(
        description="Give it to the account's owner (setPasswordWithCode); case, spaces and "
        "dashes do not matter"
    )
    expires_at: datetime


@strawberry.input(description="A new account.")
class CreateAccountInput:
    username: str = strawberry.field(description="2–63 characters: a-z, 0-9, '.', '_', '-'")
    name: str
    password: str
    role: Role
    region_code: str | None = strawberry.field(
        default=None,
        description="Staff: the region of their level (a community, township or the "
        "district); others may name one",
    )
    department_code: str | None = strawberry.field(
        default=None, description="Department staff only: their department"
    )
    phone: str | None = None
    tenancy: str | None = strawberry.field(
        default=None,
        description="The county, city or province code the account belongs to (e.g. 511504, "
        "511500 or 5115 for a city); empty for the whole deployment. Left out: the county "
        "of its region or department, else yours",
    )


@strawberry.input(
    description="Fields to change; a field left out stays as it is, null clears a region, "
    "department or phone."
)
class UpdateAccountInput:
    name: str | None = strawberry.UNSET
    role: Role | None = strawberry.UNSET
    region_code: str | None = strawberry.UNSET
    department_code: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    tenancy: str | None = strawberry.UNSET
