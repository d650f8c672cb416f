"""The Account type (who is logged in) and the login payload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from schema.department.loaders import DepartmentByCodeLoader
from schema.enums import Role
from schema.fields import Column, FieldTable
from schema.grid.loaders import GridByWorkerLoader, RegionByCodeLoader
from schema.refs import AccountRef, DepartmentRef, GridRef, RegionRef

ACCOUNT_FIELDS = FieldTable(
    "Account",
    {
        "id": Column(strawberry.ID),
        "username": Column(str),
        "name": Column(str),
        "role": Column(Role),
    },
)
AccountColumns: Any = ACCOUNT_FIELDS.part


@strawberry.type(name="AccountCore")
class AccountCore(AccountColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field
    async def region(self, info: Info) -> RegionRef | None:
        code = self.region_code  # self is the row
        return None if code is None else await info.context.loader(RegionByCodeLoader).load(code)

    @strawberry.field
    async def department(self, info: Info) -> DepartmentRef | None:
        code = self.department_code  # self is the row
        if code is None:
            return None
        return await info.context.loader(DepartmentByCodeLoader).load(code)

    @strawberry.field(description="For a grid worker: the grid in charge.")
    async def grid(self, info: Info) -> GridRef | None:
        if self.role != Role.GRID_WORKER:
            return None
        return await info.context.loader(GridByWorkerLoader).load(int(self.id))


@strawberry.type
class LoginPayload:
    token: str = strawberry.field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: datetime
    account: AccountRef


@strawberry.type
class SignInSession:
    """One of your sign-ins, not ended and not expired."""

    id: strawberry.ID
    created_at: datetime
    expires_at: datetime
    address: str | None = strawberry.field(description="Where it signed in from")
    user_agent: str | None
    current: bool = strawberry.field(description="The session of this request's token")
