"""Types of grants, permissions and the access audit."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from schema.enums import GrantAction
from schema.pagination import Connection, Edge


@strawberry.type
class Grant:
    id: strawberry.ID
    department_code: str
    category: str
    region_prefix: str
    action: GrantAction
    expires_at: datetime | None
    note: str | None
    created_at: datetime
    revoked_at: datetime | None

    @strawberry.field(description="Active now: not revoked and not expired.")
    def active(self) -> bool:
        now = datetime.now(UTC)
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@strawberry.type
class Permission:
    category: str
    action: GrantAction
    prefixes: list[str] = strawberry.field(description="Code prefixes; empty is everywhere")


@strawberry.type
class AccessRecord:
    id: strawberry.ID
    at: datetime
    actor_username: str
    record_kind: str
    record_ids: list[strawberry.ID]
    region_codes: list[str]
    fields: list[str]
    operation: str


AccessRecordEdge = Edge[AccessRecord]
AccessRecordConnection = Connection[AccessRecord]


def grant_of(row: object) -> Grant:
    return Grant(
        **{
            k: getattr(row, k)
            for k in (
                "id",
                "department_code",
                "category",
                "region_prefix",
                "action",
                "expires_at",
                "note",
                "created_at",
                "revoked_at",
            )
        }
    )
