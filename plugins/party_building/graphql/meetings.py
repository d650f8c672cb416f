"""GraphQL for 三会一课 and 主题党日: ``planPartyMeeting``, ``recordPartyMeeting``,
``cancelPartyMeeting``, the ``partyMeetings`` list, ``partyMeeting`` and the quarterly
``partyMeetingCompliance`` view. The rules live in ``plugins.party_building.meetings``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, func, literal, select
from strawberry.types import Info

from core.errors import BadInput, NotFound
from core.models.base import prefix_match
from plugins.party_building import calendar
from plugins.party_building import meetings as service
from plugins.party_building.access import PARTY, PartyAccess, subtree
from plugins.party_building.graphql.access import access_in, access_of
from plugins.party_building.graphql.types import (
    MEMBERS,
    ORGANIZATIONS,
    MemberType,
    OrganizationLoader,
    OrganizationType,
)
from plugins.party_building.models import (
    Attendance,
    MeetingKind,
    PartyMeeting,
    PartyMeetingAttendance,
    PartyMember,
    PartyOrganization,
)
from schema.codes import known_area_prefix
from schema.ids import parse_id
from schema.loaders import GroupedLoader, Loader
from schema.pagination import Connection, Edge, keyset_page, to_connection

strawberry.enum(
    MeetingKind,
    name="PartyMeetingKind",
    description="支部党员大会, 支部委员会, 党小组会, 党课 (the 三会一课) and 主题党日",
)
strawberry.enum(Attendance, name="PartyAttendanceStatus", description="出席, 缺席, 请假")

MEETINGS = (
    select(
        PartyMeeting.id,
        PartyMeeting.organization_id,
        PartyMeeting.kind,
        PartyMeeting.title,
        PartyMeeting.planned_on,
        PartyMeeting.held_on,
        PartyMeeting.venue,
        PartyMeeting.minutes,
    )
    .select_from(PartyMeeting)
    .join(PartyOrganization, PartyOrganization.id == PartyMeeting.organization_id)
)
#: newest planned first as an ascending keyset: days before this day, then -id
EPOCH = date(2000, 1, 1)
PLANNED_KEY = literal(EPOCH) - PartyMeeting.planned_on


def planned_key(row: Any) -> tuple[int, int]:
    return ((EPOCH - row.planned_on).days, -int(row.id))


class MeetingLoader(Loader[int, Any]):
    """Meetings by id, of organizations the reader reaches (None otherwise)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        access = await access_in(self.ctx)
        statement = MEETINGS.where(PartyMeeting.id.in_(keys), access.where("read", PARTY))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class AttendanceLoader(Loader[int, list[Any]]):
    """The attendance of each meeting as ``MEMBERS`` rows with ``attendance_status``."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            MEMBERS.add_columns(
                PartyMeetingAttendance.meeting_id,
                PartyMeetingAttendance.status.label("attendance_status"),
            )
            .join(PartyMeetingAttendance, PartyMeetingAttendance.member_id == PartyMember.id)
            .where(PartyMeetingAttendance.meeting_id.in_(keys))
            .order_by(PartyMeetingAttendance.meeting_id, PartyMember.id)
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.meeting_id].append(row)
        return [grouped[k] for k in keys]


class QuarterTallyLoader(GroupedLoader):
    """Keys ``(organization id, quarter)``: what each organization held in the quarter,
    by kind (one statement for a whole page of organizations)."""

    async def fetch(
        self, arguments: tuple[Any, ...], owners: list[Any]
    ) -> dict[int, dict[str, service.Tally]]:
        (quarter,) = arguments
        found: dict[int, dict[str, service.Tally]] = {o: {} for o in owners}
        rows = await self.ctx.execute(service.quarter_tallies(owners, quarter))
        for r in rows.all():
            found[r.organization_id][r.kind] = service.Tally(
                int(r.held), int(r.recorded), int(r.present)
            )
        return found


@strawberry.type(name="PartyMeetingAttendance", description="A member at a held meeting")
class AttendanceType:
    member: MemberType
    status: Attendance


@strawberry.type(name="PartyMeetingAttendanceCounts")
class AttendanceCounts:
    present: int
    absent: int
    excused: int


@strawberry.type(
    name="PartyMeeting",
    description="A meeting of 三会一课 or a 主题党日: planned, then held (heldOn set) with "
    "minutes and attendance",
)
class MeetingType:
    id: strawberry.ID
    kind: MeetingKind
    title: str
    planned_on: date
    held_on: date | None = strawberry.field(description="Null until it is recorded as held")
    venue: str | None
    minutes: str | None

    @strawberry.field
    async def organization(self, info: Info) -> OrganizationType:
        row: Any = self
        found = await info.context.loader(OrganizationLoader).load(int(row.organization_id))
        if found is None:  # the meeting is read only where its organization is
            raise NotFound(f"no party organization has the id {row.organization_id}")
        return found

    @strawberry.field(
        description="Who was recorded present, absent or excused (members' names masked "
        "without the party:member grant where they belong)"
    )
    async def attendance(self, info: Info) -> list[AttendanceType]:
        row: Any = self
        rows = await info.context.loader(AttendanceLoader).load(int(row.id))
        return [AttendanceType(member=r, status=Attendance(r.attendance_status)) for r in rows]

    @strawberry.field
    async def attendance_counts(self, info: Info) -> AttendanceCounts:
        row: Any = self
        rows = await info.context.loader(AttendanceLoader).load(int(row.id))
        statuses = [r.attendance_status for r in rows]
        return AttendanceCounts(
            present=statuses.count(Attendance.PRESENT.value),
            absent=statuses.count(Attendance.ABSENT.value),
            excused=statuses.count(Attendance.EXCUSED.value),
        )


@strawberry.input(name="PlanPartyMeetingInput")
class PlanInput:
    organization_id: strawberry.ID
    kind: MeetingKind = strawberry.field(
        description="GROUP for a party group; GENERAL_ASSEMBLY, COMMITTEE, LECTURE or "
        "THEME_DAY for a branch or general branch; LECTURE or THEME_DAY for a committee"
    )
    title: str
    planned_on: date
    venue: str | None = None


@strawberry.input(name="PartyAttendanceInput")
class AttendanceInput:
    member_id: strawberry.ID
    status: Attendance


@strawberry.type(name="PartyMeetingComplianceItem")
class ComplianceItem:
    kind: MeetingKind
    required: int = strawberry.field(description="Meetings of this kind the quarter asks for")
    held: int = strawberry.field(description="Meetings of this kind held in the quarter")
    met: bool


@strawberry.type(
    name="PartyMeetingCompliance",
    description="An organization's organizational life (组织生活) in a quarter",
)
class ComplianceType:
    row: strawberry.Private[Any]
    quarter: strawberry.Private[service.Quarter]
    compliant: bool = strawberry.field(description="Every kind held as often as required")

    @strawberry.field
    def organization(self) -> OrganizationType:
        return self.row

    async def _tallies(self, info: Info) -> dict[str, service.Tally]:
        found = await info.context.loader(QuarterTallyLoader).load((int(self.row.id), self.quarter))
        return found or {}

    @strawberry.field(description="Each kind its organization kind must hold, in rule order")
    async def items(self, info: Info) -> list[ComplianceItem]:
        tallies = await self._tallies(info)
        return [
            ComplianceItem(kind=i.kind, required=i.required, held=i.held, met=i.met)
            for i in service.items_of(self.row.kind, tallies)
        ]

    @strawberry.field(
        description="Present / recorded attendance at its meetings held in the quarter "
        "(null when none was recorded)"
    )
    async def attendance_rate(self, info: Info) -> float | None:
        return service.attendance_rate(await self._tallies(info))


@strawberry.type(name="PartyMeetingComplianceSummary")
class ComplianceSummary:
    organizations: int
    compliant: int


@strawberry.type(
    name="PartyMeetingComplianceConnection",
    description="One page of the quarterly view, with the quarter's bounds and a summary",
)
class ComplianceConnection(Connection[ComplianceType]):
    quarter: str = ""
    starts_on: date = strawberry.field(default=EPOCH, description="The quarter's first day")
    ends_on: date = strawberry.field(default=EPOCH, description="The quarter's last day")
    summary_statement: strawberry.Private[Any] = None

    @strawberry.field(
        description="Organizations selected by regionCode and organizationId, and how many "
        "of them are compliant (whatever the compliant argument says; one more query)"
    )
    async def summary(self, info: Info) -> ComplianceSummary:
        total, met = (await info.context.execute(self.summary_statement)).one()
        return ComplianceSummary(organizations=int(total), compliant=int(met))


def _row_of(row: Any) -> MeetingType:
    return row


async def _reachable(info: Info, organization_id: strawberry.ID) -> Any:
    """The organization (as a row) if the reader reaches it, else NOT_FOUND."""
    org_id = parse_id(organization_id, "organizationId")
    found = await info.context.loader(OrganizationLoader).load(org_id)
    if found is None:
        raise NotFound(f"no party organization has the id {org_id}", argument="organizationId")
    return found


async def _reader(info: Info) -> PartyAccess:
    access = await access_of(info)
    access.require_any(PARTY, "read")
    return access


FROM = Annotated[
    date | None,
    strawberry.argument(name="from", description="Planned on or after this day"),
]
TO = Annotated[date | None, strawberry.argument(description="Planned on or before this day")]


def _meeting_filters(
    kind: MeetingKind | None, from_: date | None, to: date | None, held: bool | None
) -> list[ColumnElement[bool]]:
    if from_ is not None and to is not None and from_ > to:
        raise BadInput(f"from ({from_}) is after to ({to})", argument="from")
    out: list[ColumnElement[bool]] = []
    if kind is not None:
        out.append(PartyMeeting.kind == kind.value)
    if from_ is not None:
        out.append(PartyMeeting.planned_on >= from_)
    if to is not None:
        out.append(PartyMeeting.planned_on <= to)
    if held is not None:
        out.append(PartyMeeting.held_on.isnot(None) if held else PartyMeeting.held_on.is_(None))
    return out


@strawberry.type
class MeetingQueries:
    @strawberry.field(
        description="Meetings of the organizations you reach, newest planned first; "
        "organizationId includes the organizations below it; from/to bound the planned day; "
        "held: only held (true) or only not yet held (false)."
    )
    async def party_meetings(
        self,
        info: Info,
        organization_id: strawberry.ID | None = None,
        kind: MeetingKind | None = None,
        from_: FROM = None,
        to: TO = None,
        held: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[MeetingType]:
        access = await _reader(info)
        filters = _meeting_filters(kind, from_, to, held)
        if organization_id is not None:
            filters.append(subtree((await _reachable(info, organization_id)).path))
        page = await keyset_page(
            info,
            MEETINGS.where(access.where("read", PARTY), *filters),
            [PLANNED_KEY, -PartyMeeting.id],
            planned_key,
            kind="party_meeting",
            key_types=[int, int],
            first=first,
            after=after,
        )
        return to_connection(Connection[MeetingType], Edge[MeetingType], page, "party_meeting")

    @strawberry.field(description="One meeting (NOT_FOUND when you do not reach it).")
    async def party_meeting(self, info: Info, id: strawberry.ID) -> MeetingType:
        await _reader(info)
        found = await info.context.loader(MeetingLoader).load(parse_id(id))
        if found is None:
            raise NotFound(f"no party meeting has the id {id}", argument="id")
        return _row_of(found)

    @strawberry.field(
        description="三会一课 by quarter (e.g. 2026-Q3): every branch, general branch and "
        "party group you reach (established by the quarter's end), with each required kind "
        "held (by the day it was held) against the rule, in tree order. regionCode: "
        "organizations serving that region or grid; organizationId: it and those below it; "
        "compliant: only (non-)compliant ones. A quarter under way counts what was held so far."
    )
    async def party_meeting_compliance(
        self,
        info: Info,
        quarter: str,
        region_code: str | None = None,
        organization_id: strawberry.ID | None = None,
        compliant: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ComplianceConnection:
        access = await _reader(info)
        span = service.parse_quarter(quarter, calendar.local_today(info.context.settings.timezone))
        filters = [
            access.where("read", PARTY),
            service.with_requirements(),
            service.existing_in(span),
        ]
        prefix = await known_area_prefix(info, region_code)
        if prefix:
            filters.append(prefix_match(PartyOrganization.area_code, prefix))
        if organization_id is not None:
            filters.append(subtree((await _reachable(info, organization_id)).path))
        met = service.compliant(span)
        statement = ORGANIZATIONS.add_columns(met.label("compliant")).where(*filters)
        if compliant is not None:
            statement = statement.where(met if compliant else ~met)
        page = await keyset_page(
            info,
            statement,
            [PartyOrganization.path],
            lambda r: (r.path,),
            kind="party_compliance",
            key_types=[str],
            first=first,
            after=after,
        )
        page.rows = [
            ComplianceType(row=r, quarter=span, compliant=bool(r.compliant)) for r in page.rows
        ]
        summary = (
            select(func.count(), func.count().filter(met))
            .select_from(PartyOrganization)
            .where(*filters)
        )

        def build(**parts: Any) -> ComplianceConnection:
            return ComplianceConnection(
                **parts,
                quarter=span.label,
                starts_on=span.starts_on,
                ends_on=span.ends_on,
                summary_statement=summary,
            )

        return to_connection(build, Edge[ComplianceType], page, "party_compliance")


@strawberry.type
class MeetingMutations:
    @strawberry.mutation(
        description="Plan a meeting of an organization where you may write party data."
    )
    async def plan_party_meeting(self, info: Info, input: PlanInput) -> MeetingType:
        ctx = info.context
        async with ctx.transaction() as session:
            meeting_id = await service.plan_meeting(
                session,
                ctx.actor,
                organization_id=parse_id(input.organization_id, "organizationId"),
                kind=input.kind,
                title=input.title,
                planned_on=input.planned_on,
                venue=input.venue,
            )
            return _row_of(
                (await session.execute(MEETINGS.where(PartyMeeting.id == meeting_id))).one()
            )

    @strawberry.mutation(
        description="Record a meeting as held (heldOn not in the future) with its minutes "
        "and the attendance of active members of its organization or those below it, each "
        "once. Recording a held meeting again replaces its heldOn, minutes and attendance "
        "with what is sent (a correction)."
    )
    async def record_party_meeting(
        self,
        info: Info,
        id: strawberry.ID,
        held_on: date,
        attendance: list[AttendanceInput],
        minutes: str | None = None,
    ) -> MeetingType:
        ctx = info.context
        lines = [
            service.AttendanceLine(parse_id(a.member_id, "attendance"), a.status)
            for a in attendance
        ]
        today = calendar.local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            meeting_id = await service.record_meeting(
                session,
                ctx.actor,
                parse_id(id),
                held_on=held_on,
                minutes=minutes,
                attendance=lines,
                today=today,
            )
            return _row_of(
                (await session.execute(MEETINGS.where(PartyMeeting.id == meeting_id))).one()
            )

    @strawberry.mutation(
        description="Cancel (delete) a meeting not held yet; a held one cannot be (CONFLICT). "
        "Returns its id."
    )
    async def cancel_party_meeting(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        ctx = info.context
        async with ctx.transaction() as session:
            gone = await service.cancel_meeting(session, ctx.actor, parse_id(id))
        return strawberry.ID(str(gone))


__all__ = ["MeetingMutations", "MeetingQueries"]
