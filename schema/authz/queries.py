"""Who may see what: effective grants, one's own permissions, the access audit."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy import exists, func, select
from strawberry.types import Info

from core.actor import require_category
from core.errors import BadInput, Forbidden, NotFound, Unauthenticated
from core.models import Department
from core.models.account import Role
from core.models.authz import AccessAudit, DepartmentGrant
from core.models.base import prefix_match
from schema.authz.types import (
    AccessRecord,
    AccessRecordConnection,
    AccessRecordEdge,
    Grant,
    Permission,
    grant_of,
)
from schema.ids import parse_id
from schema.pagination import keyset_page, to_connection

GRANT_COLUMNS = (
    DepartmentGrant.id,
    DepartmentGrant.department_code,
    DepartmentGrant.category,
    DepartmentGrant.region_prefix,
    DepartmentGrant.action,
    DepartmentGrant.expires_at,
    DepartmentGrant.note,
    DepartmentGrant.created_at,
    DepartmentGrant.revoked_at,
)


@strawberry.type
class AuthzQueries:
    @strawberry.field(
        description="A department's grants: the effective ones, or all with "
        "history (admins, auditors and the department's own staff)."
    )
    async def department_grants(
        self, info: Info, code: str, include_inactive: bool = False
    ) -> list[Grant]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in first")
        if actor.role not in (Role.ADMIN, Role.AUDITOR) and actor.department_code != code:
            raise Forbidden("only admins, auditors and the department's staff see its grants")
        if actor.tenancy and actor.department_code != code:
            region = await info.context.scalar(
                select(Department.region_code).where(Department.code == code)
            )
            if not actor.in_tenancy(region):  # another county's department: not here
                raise NotFound(f"no department has the code {code!r}", argument="code")
        stmt = select(*GRANT_COLUMNS).where(DepartmentGrant.department_code == code)
        if not include_inactive:
            stmt = stmt.where(DepartmentGrant.revoked_at.is_(None)).where(
                (DepartmentGrant.expires_at.is_(None)) | (DepartmentGrant.expires_at > func.now())
            )
        rows = (await info.context.execute(stmt.order_by(DepartmentGrant.id))).all()
        return [grant_of(r) for r in rows]

    @strawberry.field(description="What you may do where (category, action, code prefixes).")
    def my_permissions(self, info: Info) -> list[Permission]:
        table = info.context.actor.reach.table()
        return [
            Permission(category=c, action=a, prefixes=list(p)) for (c, a), p in table.items() if p
        ]

    @strawberry.field(description="Unmasked reads of personal data (auditors), newest first.")
    async def access_audit(
        self,
        info: Info,
        actor_username: str | None = None,
        record_kind: str | None = None,
        record_id: strawberry.ID | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AccessRecordConnection:
        require_category(info.context.actor, "audit")
        stmt = select(
            AccessAudit.id,
            AccessAudit.at,
            AccessAudit.actor_username,
            AccessAudit.record_kind,
            AccessAudit.record_ids,
            AccessAudit.region_codes,
            AccessAudit.fields,
            AccessAudit.operation,
        )
        tenancy = info.context.actor.tenancy
        if tenancy:  # reads of records in the auditor's county (or city, province)
            code = func.unnest(AccessAudit.region_codes).column_valued("code")
            stmt = stmt.where(
                exists(select(1).select_from(code).where(prefix_match(code, tenancy)))
            )
        if actor_username is not None:
            stmt = stmt.where(AccessAudit.actor_username == actor_username)
        if record_kind is not None:
            stmt = stmt.where(AccessAudit.record_kind == record_kind)
        if record_id is not None:
            try:
                stmt = stmt.where(
                    AccessAudit.record_ids.contains([parse_id(record_id, "recordId")])
                )
            except ValueError:
                raise BadInput("recordId must be a number", argument="recordId") from None
        if from_ is not None:
            stmt = stmt.where(AccessAudit.at >= from_)
        if to is not None:
            stmt = stmt.where(AccessAudit.at < to)
        page = await keyset_page(
            info,
            stmt,
            [AccessAudit.id],
            lambda r: (r.id,),
            kind="audit",
            key_types=[int],
            first=first,
            after=after,
        )
        page.rows = [
            AccessRecord(
                id=r.id,
                at=r.at,
                actor_username=r.actor_username,
                record_kind=r.record_kind,
                record_ids=list(r.record_ids),
                region_codes=list(r.region_codes),
                fields=list(r.fields),
                operation=r.operation,
            )
            for r in page.rows
        ]
        return to_connection(AccessRecordConnection, AccessRecordEdge, page, "audit")
