"""The Event type, its trace and attachments. A reporter sees a public trace: no internal
notes, and handlers by role, not by name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from sqlalchemy import and_, func
from strawberry.types import Info

from authz.masking import reporter_view
from core.services.event_rules import allowed_actions
from schema.enums import (
    AssigneeKind,
    AttachmentKind,
    EventAction,
    EventLevel,
    EventStatus,
    Role,
    SupervisionCard,
)
from schema.event.loaders import (
    AccountNameLoader,
    DepartmentNameLoader,
    EventAttachmentsLoader,
    EventCategoryLoader,
    EventTraceLoader,
    GridVersionByIdLoader,
)
from schema.fields import Column, FieldTable
from schema.files import StoredFileLinks
from schema.located import LocatedFields
from schema.pagination import Connection, Edge
from schema.refs import EventNode, GridRef

EventEdge = Edge[EventNode]
EventConnection = Connection[EventNode]
ROLE_NAMES = {
    "citizen": "市民",
    "grid_worker": "网格员",
    "community_staff": "社区（村）",
    "township_staff": "乡镇（街道）",
    "district_command": "区指挥中心",
    "department_staff": "职能部门",
    "admin": "管理员",
    "auditor": "审计",
}


@strawberry.type
class EventCategoryType:
    code: str
    kind: str
    name_zh: str
    name_en: str
    deadline_hours: int
    department_types: list[str]

    @classmethod
    def of(cls, row: Any) -> EventCategoryType:
        """The type of an ``EventCategory`` row."""
        return cls(
            code=row.code,
            kind=row.kind,
            name_zh=row.name_zh,
            name_en=row.name_en,
            deadline_hours=row.deadline_hours,
            department_types=list(row.department_types),
        )


ATTACHMENT_FIELDS = FieldTable(
    "Attachment",
    {
        "kind": Column(AttachmentKind),
        "size": Column(int),
        "original_filename": Column(str | None),
    },
)
AttachmentColumns: Any = ATTACHMENT_FIELDS.part


@strawberry.type
class Attachment(StoredFileLinks, AttachmentColumns):  # type: ignore[misc]  # from its table
    pass


TRACE_STEP_FIELDS = FieldTable(
    "TraceStep",
    {
        "step": Column(int),
        "action": Column(EventAction),
        "from_status": Column(EventStatus | None),
        "to_status": Column(EventStatus),
        "actor": Column(str, "Who (a role only, for the reporter)"),
        "actor_role": Column(Role),
        "at": Column(datetime),
        "note": Column(str | None),
        "detail": Column(str | None),
    },
)
TraceStepColumns: Any = TRACE_STEP_FIELDS.part


@strawberry.type
class TraceStep(TraceStepColumns):  # type: ignore[misc]  # a class made from its table
    attachments: list[Attachment]


@strawberry.type
class Assignee:
    kind: AssigneeKind
    code: str | None = strawberry.field(description="account id, region or department code")
    name: str | None
    level: EventLevel


def _is_reporter_view(info: Info, row: Any) -> bool:
    return reporter_view(info.context.actor, row.reporter_id, row.region_code)


def assignee_of(row: Any, actor: Any, department: Any, account: Any) -> Assignee:
    """Who holds the event, as ``actor`` may see it: the department (its loaded name row),
    the worker (its loaded account row; a role only for the reporter), or the level."""
    if row.assignee_department is not None:
        return Assignee(
            kind=AssigneeKind.DEPARTMENT,
            code=row.assignee_department,
            name=department.name if department else None,
            level=row.level,
        )
    if row.assignee_id is not None:
        if reporter_view(actor, row.reporter_id, row.region_code):
            return Assignee(
                kind=AssigneeKind.WORKER,
                code=None,
                name=ROLE_NAMES.get("grid_worker" if row.level == "grid" else "", None),
                level=row.level,
            )
        return Assignee(
            kind=AssigneeKind.WORKER,
            code=str(row.assignee_id),
            name=account.name if account else None,
            level=row.level,
        )
    return Assignee(kind=AssigneeKind.LEVEL, code=row.handling_region, name=None, level=row.level)


def shows_reporter(row: Any, actor: Any) -> bool:
    """The reporter's name is hidden from handlers when the report was anonymous."""
    return not (row.anonymous and actor.account_id != row.reporter_id)


EVENT_FIELDS = FieldTable(
    "Event",
    {
        "id": Column(strawberry.ID),
        "title": Column(str),
        "description": Column(str),
        "address": Column(str | None),
        "status": Column(EventStatus),
        "level": Column(EventLevel),
        "handling_region": Column(str),
        "deadline_at": Column(datetime),
        "supervision": Column(SupervisionCard | None),
        "resolved_at": Column(datetime | None),
        "closed_at": Column(datetime | None),
        "rating": Column(int | None),
        "rating_comment": Column(str | None),
        "version": Column(int, "Send as expectedVersion to change it"),
        "anonymous": Column(bool),
        "channel": Column(str),
        "overdue": Column(
            bool,
            "Open and past its deadline",
            sql=lambda e: and_(e.status != "closed", e.deadline_at < func.now()),
            python=lambda e: e.status != "closed" and e.deadline_at < datetime.now(UTC),
        ),
        "reported_at": Column(datetime, "When it was reported", attr="collected_at"),
    },
)
EventColumns: Any = EVENT_FIELDS.part


@strawberry.type(name="EventCore")
class EventCore(LocatedFields, EventColumns):  # type: ignore[misc]  # a class made from its table
    @strawberry.field(
        description="The steps you may take on this event now (what a desk shows as "
        "buttons); the mutation still checks its arguments"
    )
    def actions(self, info: Info) -> list[EventAction]:
        return [EventAction(a) for a in allowed_actions(info.context.actor, self)]

    @strawberry.field
    async def category(self, info: Info) -> EventCategoryType:
        r = await info.context.loader(EventCategoryLoader).load(self.category_code)
        return EventCategoryType.of(r)

    @strawberry.field(description="The grid it was reported in (kept when grids are redrawn)")
    async def grid(self, info: Info) -> GridRef | None:
        gid = self.grid_id  # self is the row
        return None if gid is None else await info.context.loader(GridVersionByIdLoader).load(gid)

    @strawberry.field
    async def assignee(self, info: Info) -> Assignee:
        row: Any = self
        department = account = None
        if row.assignee_department is not None:
            department = await info.context.loader(DepartmentNameLoader).load(
                row.assignee_department
            )
        elif row.assignee_id is not None and not _is_reporter_view(info, row):
            account = await info.context.loader(AccountNameLoader).load(row.assignee_id)
        return assignee_of(row, info.context.actor, department, account)

    @strawberry.field(description="The reporter (null when anonymous, for handlers)")
    async def reporter(self, info: Info) -> str | None:
        row: Any = self
        if not shows_reporter(row, info.context.actor):
            return None
        account = await info.context.loader(AccountNameLoader).load(row.reporter_id)
        return account.name if account else None

    @strawberry.field
    async def attachments(self, info: Info) -> list[Attachment]:
        rows = await info.context.loader(EventAttachmentsLoader).load(int(self.id))
        steps = []
        if _is_reporter_view(info, self):
            steps = await info.context.loader(EventTraceLoader).load(int(self.id))
        return [_attachment(r) for r in shown_attachments(rows, steps)]

    @strawberry.field(
        description="Every step, oldest first; the reporter sees the public "
        "steps only, with roles instead of names."
    )
    async def trace(self, info: Info) -> list[TraceStep]:
        row: Any = self
        steps = await info.context.loader(EventTraceLoader).load(int(row.id))
        files = await info.context.loader(EventAttachmentsLoader).load(int(row.id))
        return trace_of(row, info.context.actor, steps, files)


def shown_attachments(files: list[Any], steps: list[Any]) -> list[Any]:
    """An event's files without those of the ``steps`` that are internal (``steps`` given
    for a reporter's view only: the steps the reporter's trace hides)."""
    hidden = {s.id for s in steps if s.internal}
    return [f for f in files if f.trace_id not in hidden]


def trace_of(row: Any, actor: Any, steps: list[Any], files: list[Any]) -> list[TraceStep]:
    """The trace of event ``row`` as ``actor`` sees it: for its reporter (without a grant on
    events) the public steps only, handlers by role, no details."""
    public = reporter_view(actor, row.reporter_id, row.region_code)
    out = []
    for s in steps:
        if public and s.internal:
            continue
        own = s.actor_id == actor.account_id
        name = (
            (s.actor_name or "")
            if not public or own
            else ROLE_NAMES.get(s.actor_role, s.actor_role)
        )
        out.append(
            TraceStep(
                step=s.step,
                action=s.action,
                from_status=s.from_status,
                to_status=s.to_status,
                actor=name,
                actor_role=s.actor_role,
                at=s.at,
                note=s.note,
                detail=None if public else s.detail,
                attachments=[_attachment(f) for f in files if f.trace_id == s.id],
            )
        )
    return out


def _attachment(r: Any) -> Attachment:
    return Attachment(
        key=r.key, mime=r.mime, kind=r.kind, size=r.size, original_filename=r.original_filename
    )
