"""The party building plugin's shared GraphQL types: organizations, members (rows of
``ORGANIZATIONS`` and ``MEMBERS`` served directly), committees, staff and transfers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.types import Info

from plugins.party_building.access import MEMBER
from plugins.party_building.graphql.access import access_of, mask_name, reveal_member
from plugins.party_building.graphql.loaders import (
    MEMBERS,
    ORGANIZATIONS,
    ChildrenLoader,
    MemberCountLoader,
    MemberLoader,
    MemberRowLoader,
    MemberTransfersLoader,
    OrganizationLoader,
    SeatsLoader,
    StaffLoader,
    StepsLoader,
    TermsLoader,
)
from plugins.party_building.models import (
    Education,
    LeaveType,
    MemberStatus,
    OrgKind,
    Post,
    Stage,
    TransferStatus,
)

strawberry.enum(OrgKind, name="PartyOrganizationKind", description="党委, 党总支, 党支部, 党小组")
strawberry.enum(
    Stage,
    name="PartyStage",
    description="申请入党 → 入党积极分子 → 发展对象 → 预备党员 → 正式党员, in this order only",
)
strawberry.enum(MemberStatus, name="PartyMemberStatus")
strawberry.enum(LeaveType, name="PartyLeaveType", description="How a member left")
strawberry.enum(Education, name="PartyEducation", description="Highest education")
strawberry.enum(Post, name="PartyCommitteePost", description="书记, 副书记, 委员")
strawberry.enum(
    TransferStatus,
    name="PartyTransferStatus",
    description="PENDING after 转出; COMPLETED on 转入; REJECTED by the receiver; CANCELLED",
)


@strawberry.enum(name="PartyTransferDirection")
class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@strawberry.type(name="PartyStageStep", description="The date a member reached a stage")
class StepType:
    stage: Stage
    reached_on: date


async def _whole(info: Info, row: Any, field: str) -> bool:
    """Is the member shown whole to this reader (the read then audited)?"""
    return reveal_member(info, await access_of(info), int(row.id), row, field)


@strawberry.type(
    name="PartyMember",
    description="A person's party membership. The name, person, birth date, education, "
    "flowing and history are shown whole only with the party:member grant where the "
    "organization is (or as its staff), every such read audited; otherwise the name is "
    "masked and the rest null or empty.",
)
class MemberType:
    id: strawberry.ID
    stage: Stage
    stage_on: date = strawberry.field(description="When the current stage was reached")
    status: MemberStatus
    left_on: date | None
    leave_type: LeaveType | None

    @strawberry.field(description="The organization holding the relation (null if unseen)")
    async def organization(self, info: Info) -> OrganizationType | None:
        row: Any = self
        return await info.context.loader(OrganizationLoader).load(int(row.organization_id))

    @strawberry.field(description="The member's name (family name only when masked)")
    async def name(self, info: Info) -> str:
        row: Any = self
        if await _whole(info, self, "name"):
            return str(row.person_name)
        return mask_name(row.person_name)

    @strawberry.field(description="The person record's id (null when masked)")
    async def person_id(self, info: Info) -> strawberry.ID | None:
        row: Any = self
        return strawberry.ID(str(row.person_id)) if await _whole(info, self, "personId") else None

    @strawberry.field(description="Null when masked")
    async def birth_date(self, info: Info) -> date | None:
        row: Any = self
        return row.birth_date if await _whole(info, self, "birthDate") else None

    @strawberry.field(description="Null when masked or unknown")
    async def education(self, info: Info) -> Education | None:
        row: Any = self
        if row.education is None or not await _whole(info, self, "education"):
            return None
        return Education(row.education)

    @strawberry.field(description="流动党员: away from the organization (null when masked)")
    async def flowing(self, info: Info) -> bool | None:
        row: Any = self
        return bool(row.flowing) if await _whole(info, self, "flowing") else None

    @strawberry.field(description="Where a flowing member is (null when masked)")
    async def flowing_to(self, info: Info) -> str | None:
        row: Any = self
        return row.flowing_to if await _whole(info, self, "flowing") else None

    @strawberry.field(description="Every stage reached, in order (empty when masked)")
    async def steps(self, info: Info) -> list[StepType]:
        row: Any = self
        if not await _whole(info, self, "steps"):
            return []
        rows = await info.context.loader(StepsLoader).load(int(row.id))
        return [StepType(stage=Stage(r.stage), reached_on=r.reached_on) for r in rows]

    @strawberry.field(description="Its relation transfers, newest first (empty when masked)")
    async def transfers(self, info: Info) -> list[TransferType]:
        row: Any = self
        if not await _whole(info, self, "transfers"):
            return []
        return await info.context.loader(MemberTransfersLoader).load(int(row.id))


@strawberry.type(name="PartyCommitteeSeat", description="A member's post in a committee")
class SeatType:
    post: Post
    member: MemberType


@strawberry.type(
    name="PartyCommitteeTerm",
    description="One term (届) of an organization's committee; 换届 ends it the day before the "
    "next starts",
)
class TermType:
    id: strawberry.ID
    starts_on: date
    ends_on: date | None = strawberry.field(description="Null while it is the current term")

    @strawberry.field(description="Secretary first, then deputies, then members")
    async def seats(self, info: Info) -> list[SeatType]:
        row: Any = self
        rows = await info.context.loader(SeatsLoader).load(int(row.id))
        return [SeatType(post=Post(r.post), member=r) for r in rows]


@strawberry.type(name="PartyStaffAccount", description="An account that runs an organization")
class StaffType:
    username: str
    name: str
    since: datetime


@strawberry.type(
    name="PartyTransfer",
    description="A relation transfer (组织关系转接): 转出 by the sending organization, 转入 or "
    "refusal by the receiving one; both keep it in their history",
)
class TransferType:
    id: strawberry.ID
    status: TransferStatus
    out_on: date = strawberry.field(description="转出: the day the relation was sent")
    in_on: date | None = strawberry.field(description="转入: the day it was received")
    note: str | None
    created_at: datetime
    decided_at: datetime | None
    from_name: str = strawberry.field(description="The sending organization's name")
    to_name: str = strawberry.field(description="The receiving organization's name")

    @strawberry.field(description="The sending organization (null if you do not see it)")
    async def from_organization(self, info: Info) -> OrganizationType | None:
        row: Any = self
        return await info.context.loader(OrganizationLoader).load(int(row.from_organization_id))

    @strawberry.field(description="The receiving organization (null if you do not see it)")
    async def to_organization(self, info: Info) -> OrganizationType | None:
        row: Any = self
        return await info.context.loader(OrganizationLoader).load(int(row.to_organization_id))

    @strawberry.field(description="The member, whole for whoever holds party:member on either side")
    async def member(self, info: Info) -> MemberType:
        row: Any = self
        found = await info.context.loader(MemberRowLoader).load(int(row.member_id))
        access = await access_of(info)
        for path, area in ((row.from_path, row.from_area), (row.to_path, row.to_area)):
            side = SimpleNamespace(path=path, area_code=area)
            if access.allows(side, "read", MEMBER):
                return SimpleNamespace(**{**found._asdict(), "path": path, "area_code": area})  # type: ignore[return-value]  # strawberry reads the attributes
        return found


@strawberry.type(name="PartyOrganization", description="A party organization (党组织)")
class OrganizationType:
    id: strawberry.ID
    code: str = strawberry.field(description="Its organization code (党组织代码)")
    name: str
    kind: OrgKind
    area_code: str = strawberry.field(description="The region prefix or grid code it serves")
    established_on: date | None

    @strawberry.field(description="The organization above it (null at the top, or unseen)")
    async def parent(self, info: Info) -> OrganizationType | None:
        row: Any = self
        if row.parent_id is None:
            return None
        return await info.context.loader(OrganizationLoader).load(int(row.parent_id))

    @strawberry.field(description="The organizations right below it that you see, by code")
    async def children(self, info: Info) -> list[OrganizationType]:
        row: Any = self
        return await info.context.loader(ChildrenLoader).load(int(row.id))

    @strawberry.field(description="Members not gone (active or transferring out)")
    async def member_count(self, info: Info, include_subtree: bool = True) -> int:
        row: Any = self
        return await info.context.loader(MemberCountLoader).load((row.path, include_subtree))

    @strawberry.field(description="The current committee (null before the first election)")
    async def committee(self, info: Info) -> TermType | None:
        row: Any = self
        terms = await info.context.loader(TermsLoader).load(int(row.id))
        return terms[0] if terms and terms[0].ends_on is None else None

    @strawberry.field(description="Every committee term, newest first (换届 history)")
    async def committee_terms(self, info: Info) -> list[TermType]:
        row: Any = self
        return await info.context.loader(TermsLoader).load(int(row.id))

    @strawberry.field(
        description="The accounts that run it (shown with party:member here, else empty)"
    )
    async def staff(self, info: Info) -> list[StaffType]:
        row: Any = self
        if not (await access_of(info)).allows(row, "read", MEMBER):
            return []
        found = await info.context.loader(StaffLoader).load(int(row.id))
        return [StaffType(username=r.username, name=r.name, since=r.since) for r in found]


__all__ = [
    "MEMBERS",
    "ORGANIZATIONS",
    "Direction",
    "MemberLoader",
    "MemberType",
    "OrganizationLoader",
    "OrganizationType",
    "SeatType",
    "StaffType",
    "StepType",
    "TermType",
    "TransferType",
]
