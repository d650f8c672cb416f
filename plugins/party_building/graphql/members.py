"""GraphQL of members: ``partyMembers``, ``partyMember``; ``addPartyMember``,
``advancePartyMember``, ``updatePartyMember``, ``recordPartyMemberLeaving``,
``transferPartyMember``, ``receivePartyTransfer``, ``rejectPartyTransfer``,
``cancelPartyTransfer``."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from core.errors import NotFound
from core.models.base import prefix_match
from plugins.party_building.access import MEMBER, PARTY, access_for, subtree
from plugins.party_building.calendar import local_today
from plugins.party_building.graphql.access import access_in, access_of
from plugins.party_building.graphql.loaders import TRANSFERS, MemberRowLoader
from plugins.party_building.graphql.organizations import seen_organization
from plugins.party_building.graphql.types import (
    MEMBERS,
    MemberLoader,
    MemberType,
    TransferType,
)
from plugins.party_building.members import (
    NewMember,
    Step,
    add_member,
    advance,
    decide_transfer,
    leave,
    transfer_out,
    update_member,
)
from plugins.party_building.models import (
    Education,
    LeaveType,
    MemberStatus,
    PartyMember,
    PartyOrganization,
    PartyTransfer,
    Stage,
    TransferStatus,
)
from schema.codes import known_area_prefix
from schema.ids import optional_id, parse_id
from schema.loaders import Loader
from schema.pagination import Connection, Edge, keyset_page, to_connection


@strawberry.input(name="PartyStageStepInput")
class StepInput:
    stage: Stage
    reached_on: date


@strawberry.input(name="NewPartyMemberInput")
class NewMemberInput:
    person_id: strawberry.ID = strawberry.field(description="The person (one membership each)")
    organization_id: strawberry.ID = strawberry.field(description="A branch or a party group")
    steps: list[StepInput] = strawberry.field(
        description="The stages reached so far, from APPLICANT, in order, with their dates"
    )
    education: Education | None = None
    flowing: bool = False
    flowing_to: str | None = None


async def _member(info: Info, member_id: int) -> Any:
    """The member just written, as its writer sees it."""
    return await info.context.loader(MemberRowLoader).load(member_id)


async def _transfer(info: Info, transfer_id: int) -> Any:
    return (await info.context.execute(TRANSFERS.where(PartyTransfer.id == transfer_id))).one()


@strawberry.type
class MemberQueries:
    @strawberry.field(
        description="Members of organizations you see, newest first (status: default the "
        "members not gone, ACTIVE and TRANSFERRING). Names are masked without party:member."
    )
    async def party_members(
        self,
        info: Info,
        organization_id: strawberry.ID | None = None,
        region_code: str | None = None,
        stage: Stage | None = None,
        status: MemberStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[MemberType]:
        access = await access_of(info)
        access.require_any()
        statement = MEMBERS.where(access.where("read", PARTY))
        org_id = optional_id(organization_id, "organizationId")
        if org_id is not None:
            org = await seen_organization(info, org_id)
            statement = statement.where(subtree(org.path))
        prefix = await known_area_prefix(info, region_code)
        if prefix:
            statement = statement.where(prefix_match(PartyOrganization.area_code, prefix))
        if stage is not None:
            statement = statement.where(PartyMember.stage == stage.value)
        if status is not None:
            statement = statement.where(PartyMember.status == status.value)
        else:
            statement = statement.where(PartyMember.status != MemberStatus.LEFT.value)
        page = await keyset_page(
            info,
            statement,
            [-PartyMember.id],
            lambda r: (-r.id,),
            kind="party_member",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(Connection[MemberType], Edge[MemberType], page, "party_member")

    @strawberry.field(description="One member (NOT_FOUND when its organization is unseen).")
    async def party_member(self, info: Info, id: strawberry.ID) -> MemberType:
        access = await access_of(info)
        access.require_any()
        found = await info.context.loader(MemberLoader).load(parse_id(id))
        if found is None:
            raise NotFound(f"no party member has the id {id}", argument="id")
        return found


@strawberry.type
class MemberMutations:
    @strawberry.mutation(
        description="A person joins (one membership per person: a second is CONFLICT) with "
        "the stages reached so far. Needs party:member write on the organization."
    )
    async def add_party_member(self, info: Info, input: NewMemberInput) -> MemberType:
        ctx = info.context
        new = NewMember(
            person_id=parse_id(input.person_id, "personId"),
            organization_id=parse_id(input.organization_id, "organizationId"),
            steps=[Step(s.stage, s.reached_on) for s in input.steps],
            education=input.education,
            flowing=input.flowing,
            flowing_to=(input.flowing_to or "").strip() or None,
        )
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            member = await add_member(session, access, new, local_today(ctx.settings.timezone))
            member_id = member.id
        return await _member(info, member_id)

    @strawberry.mutation(
        description="Move a member to the next stage, dated (only the next one in order: "
        "anything else is CONFLICT)."
    )
    async def advance_party_member(
        self, info: Info, id: strawberry.ID, stage: Stage, reached_on: date
    ) -> MemberType:
        ctx = info.context
        member_id = parse_id(id)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            await advance(
                session, access, member_id, stage, reached_on, local_today(ctx.settings.timezone)
            )
        return await _member(info, member_id)

    @strawberry.mutation(description="Education and 流动党员 (flowing: false clears flowingTo).")
    async def update_party_member(
        self,
        info: Info,
        id: strawberry.ID,
        education: Education | None = None,
        flowing: bool | None = None,
        flowing_to: str | None = None,
    ) -> MemberType:
        ctx = info.context
        member_id = parse_id(id)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            await update_member(
                session,
                access,
                member_id,
                education=education,
                flowing=flowing,
                flowing_to=flowing_to,
            )
        return await _member(info, member_id)

    @strawberry.mutation(description="A member leaves (an ACTIVE member only), dated, with how.")
    async def record_party_member_leaving(
        self, info: Info, id: strawberry.ID, left_on: date, leave_type: LeaveType
    ) -> MemberType:
        ctx = info.context
        member_id = parse_id(id)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            await leave(
                session, access, member_id, left_on, leave_type, local_today(ctx.settings.timezone)
            )
        return await _member(info, member_id)

    @strawberry.mutation(
        description="转出: send an ACTIVE member's relation to another branch or group; the "
        "member is TRANSFERRING until it is received or refused."
    )
    async def transfer_party_member(
        self,
        info: Info,
        id: strawberry.ID,
        to_organization_id: strawberry.ID,
        out_on: date,
        note: str | None = None,
    ) -> TransferType:
        ctx = info.context
        member_id = parse_id(id)
        to_id = parse_id(to_organization_id, "toOrganizationId")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            transfer = await transfer_out(
                session, access, member_id, to_id, out_on, note, local_today(ctx.settings.timezone)
            )
            transfer_id = transfer.id
        return await _transfer(info, transfer_id)

    @strawberry.mutation(
        description="转入: the receiving organization takes the member (inOn: default today)."
    )
    async def receive_party_transfer(
        self, info: Info, id: strawberry.ID, in_on: date | None = None
    ) -> TransferType:
        return await _decide(info, id, TransferStatus.COMPLETED, in_on)

    @strawberry.mutation(description="The receiving organization refuses; the member stays.")
    async def reject_party_transfer(self, info: Info, id: strawberry.ID) -> TransferType:
        return await _decide(info, id, TransferStatus.REJECTED, None)

    @strawberry.mutation(description="The sending organization withdraws a pending transfer.")
    async def cancel_party_transfer(self, info: Info, id: strawberry.ID) -> TransferType:
        return await _decide(info, id, TransferStatus.CANCELLED, None)


async def _decide(
    info: Info, id: strawberry.ID, outcome: TransferStatus, in_on: date | None
) -> TransferType:
    ctx = info.context
    transfer_id = parse_id(id)
    async with ctx.transaction() as session:
        access = await access_for(session, ctx.actor)
        await decide_transfer(
            session, access, transfer_id, outcome, in_on, local_today(ctx.settings.timezone)
        )
    return await _transfer(info, transfer_id)


class MemberByPersonLoader(Loader[int, Any]):
    """The membership of each person, where the reader may see members' records whole."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        access = await access_in(self.ctx)
        statement = MEMBERS.where(PartyMember.person_id.in_(keys), access.where("read", MEMBER))
        rows = {r.person_id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


@strawberry.type(name="PersonPartyMember")
class PersonPartyMember:
    @strawberry.field(
        description="The person's party membership: shown only with party:member where its "
        "organization is (or as its staff; audited), else null, whether or not there is one."
    )
    async def party_member(self, info: Info) -> MemberType | None:
        person_id = int(self.id)  # type: ignore[attr-defined]  # self is the person's row
        return await info.context.loader(MemberByPersonLoader).load(person_id)
