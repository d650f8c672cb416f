"""Members: joining (one membership per person), stages only forward in order, relation
transfers between organizations (转出 → 转入), flowing members and leaving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import BadInput, Conflict, NotFound
from core.models import Person
from plugins.party_building.access import MEMBER, PARTY, PartyAccess, organization
from plugins.party_building.models import (
    STAGES,
    Education,
    LeaveType,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyMemberStep,
    PartyOrganization,
    PartyTransfer,
    Stage,
    TransferStatus,
)

#: members are held by branches and party groups (a committee's members sit in branches)
HOLDERS = frozenset({OrgKind.BRANCH.value, OrgKind.GROUP.value})


@dataclass(frozen=True, slots=True)
class Step:
    stage: Stage
    reached_on: date


@dataclass(frozen=True, slots=True)
class NewMember:
    person_id: int
    organization_id: int
    steps: list[Step]
    education: Education | None = None
    flowing: bool = False
    flowing_to: str | None = None


def check_steps(steps: list[Step], today: date) -> None:
    """Steps start at 申请入党 and follow the order without a gap, dates never going back
    and never in the future."""
    if not steps:
        raise BadInput(
            "a member starts with at least the application (APPLICANT)", argument="steps"
        )
    for i, step in enumerate(steps):
        if step.stage != STAGES[i]:
            raise BadInput(
                f"steps go {' → '.join(s.name for s in STAGES)} in order; step {i + 1} is "
                f"{step.stage.name}, expected {STAGES[i].name}",
                argument="steps",
            )
        if step.reached_on > today:
            raise BadInput(f"{step.stage.name} is dated in the future", argument="steps")
        if i and step.reached_on < steps[i - 1].reached_on:
            raise BadInput(
                f"{step.stage.name} is dated before {steps[i - 1].stage.name}", argument="steps"
            )


async def holder(
    session: AsyncSession, access: PartyAccess, org_id: int, argument: str = "organizationId"
) -> PartyOrganization:
    """An organization that holds members, where the actor may write members' records."""
    org = await organization(session, access, org_id, "write", MEMBER, argument)
    if org.kind not in HOLDERS:
        raise BadInput(
            f"members belong to a branch or a party group, not a {org.kind}", argument=argument
        )
    return org


async def add_member(
    session: AsyncSession, access: PartyAccess, new: NewMember, today: date
) -> PartyMember:
    org = await holder(session, access, new.organization_id)
    check_steps(new.steps, today)
    if await session.get(Person, new.person_id) is None:
        raise BadInput(f"no person has the id {new.person_id}", argument="personId")
    if new.flowing_to is not None and not new.flowing:
        raise BadInput("flowingTo is for a flowing member", argument="flowingTo")
    member = PartyMember(
        person_id=new.person_id,
        organization_id=org.id,
        stage=new.steps[-1].stage.value,
        stage_on=new.steps[-1].reached_on,
        status=MemberStatus.ACTIVE.value,
        education=new.education.value if new.education else None,
        flowing=new.flowing,
        flowing_to=new.flowing_to,
    )
    session.add(member)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise Conflict(
            f"person {new.person_id} already has a party membership", argument="personId"
        ) from None
    session.add_all(
        PartyMemberStep(
            member_id=member.id,
            stage=s.stage.value,
            reached_on=s.reached_on,
            recorded_by=access.actor.account_id,
        )
        for s in new.steps
    )
    await session.flush()
    return member


async def locked_member(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    category: str = MEMBER,
    argument: str = "id",
) -> tuple[PartyMember, PartyOrganization]:
    """The member (row-locked) and its organization, where the actor may write members'
    records; NOT_FOUND when there is none or the actor reaches nothing of it."""
    member = (
        await session.execute(
            select(PartyMember).where(PartyMember.id == member_id).with_for_update()
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFound(f"no party member has the id {member_id}", argument=argument)
    org = await session.get(PartyOrganization, member.organization_id)
    assert org is not None  # a foreign key
    if not access.allows(org, "read", PARTY):
        raise NotFound(f"no party member has the id {member_id}", argument=argument)
    access.require(org, "write", category)
    return member, org


async def advance(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    stage: Stage,
    reached_on: date,
    today: date,
) -> PartyMember:
    """Move a member to the next stage: only the one after the current (else CONFLICT)."""
    member, _ = await locked_member(session, access, member_id)
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"member {member_id} is {member.status}", argument="id")
    current = STAGES.index(Stage(member.stage))
    if current + 1 >= len(STAGES) or STAGES[current + 1] != stage:
        expected = STAGES[current + 1].name if current + 1 < len(STAGES) else "nothing"
        raise Conflict(
            f"member {member_id} is {Stage(member.stage).name}: the next stage is {expected}, "
            f"not {stage.name}",
            argument="stage",
        )
    if reached_on > today:
        raise BadInput("reachedOn must not be in the future", argument="reachedOn")
    if reached_on < member.stage_on:
        raise BadInput(
            f"reachedOn is before the current stage's date {member.stage_on}",
            argument="reachedOn",
        )
    session.add(
        PartyMemberStep(
            member_id=member.id,
            stage=stage.value,
            reached_on=reached_on,
            recorded_by=access.actor.account_id,
        )
    )
    member.stage = stage.value
    member.stage_on = reached_on
    await session.flush()
    return member


async def update_member(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    *,
    education: Education | None,
    flowing: bool | None,
    flowing_to: str | None,
) -> PartyMember:
    """Education and flowing (流动党员): ``flowing=False`` clears where they went."""
    member, _ = await locked_member(session, access, member_id)
    if education is not None:
        member.education = education.value
    if flowing is not None:
        member.flowing = flowing
        if not flowing:
            member.flowing_to = None
    if flowing_to is not None:
        if not member.flowing:
            raise BadInput("flowingTo is for a flowing member", argument="flowingTo")
        member.flowing_to = flowing_to.strip() or None
    await session.flush()
    return member


async def leave(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    left_on: date,
    leave_type: LeaveType,
    today: date,
) -> PartyMember:
    member, _ = await locked_member(session, access, member_id)
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"member {member_id} is {member.status}", argument="id")
    if left_on > today:
        raise BadInput("leftOn must not be in the future", argument="leftOn")
    if left_on < member.stage_on:
        raise BadInput(f"leftOn is before {member.stage_on}", argument="leftOn")
    member.status = MemberStatus.LEFT.value
    member.left_on = left_on
    member.leave_type = leave_type.value
    await session.flush()
    return member


async def transfer_out(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    to_id: int,
    out_on: date,
    note: str | None,
    today: date,
) -> PartyTransfer:
    """转出: the sending organization sends the relation; the member is TRANSFERRING until
    the receiving one takes it (转入) or refuses. The receiving organization may lie
    outside the sender's reach (any branch or group of the deployment)."""
    member, org = await locked_member(session, access, member_id)
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"member {member_id} is {member.status}", argument="id")
    target = await session.get(PartyOrganization, to_id)
    if target is None:
        raise NotFound(f"no party organization has the id {to_id}", argument="toOrganizationId")
    if target.kind not in HOLDERS:
        raise BadInput(
            "members are received by a branch or a party group", argument="toOrganizationId"
        )
    if target.id == org.id:
        raise BadInput("the member is already there", argument="toOrganizationId")
    if out_on > today:
        raise BadInput("outOn must not be in the future", argument="outOn")
    transfer = PartyTransfer(
        member_id=member.id,
        from_organization_id=org.id,
        to_organization_id=target.id,
        status=TransferStatus.PENDING.value,
        out_on=out_on,
        note=(note or "").strip() or None,
        created_by=access.actor.account_id,
    )
    session.add(transfer)
    member.status = MemberStatus.TRANSFERRING.value
    await session.flush()
    return transfer


async def _pending(session: AsyncSession, transfer_id: int) -> PartyTransfer:
    transfer = (
        await session.execute(
            select(PartyTransfer).where(PartyTransfer.id == transfer_id).with_for_update()
        )
    ).scalar_one_or_none()
    if transfer is None:
        raise NotFound(f"no transfer has the id {transfer_id}", argument="id")
    return transfer


async def decide_transfer(
    session: AsyncSession,
    access: PartyAccess,
    transfer_id: int,
    outcome: TransferStatus,
    in_on: date | None,
    today: date,
) -> PartyTransfer:
    """转入 (COMPLETED) or refusal (REJECTED) by the receiving organization; cancellation
    (CANCELLED) by the sending one. Both sides keep the transfer in their history."""
    transfer = await _pending(session, transfer_id)
    side_id = (
        transfer.from_organization_id
        if outcome == TransferStatus.CANCELLED
        else transfer.to_organization_id
    )
    side = await session.get(PartyOrganization, side_id)
    other = await session.get(
        PartyOrganization,
        transfer.to_organization_id
        if side_id == transfer.from_organization_id
        else transfer.from_organization_id,
    )
    assert side is not None and other is not None  # foreign keys
    if not (access.allows(side, "read") or access.allows(other, "read")):
        raise NotFound(f"no transfer has the id {transfer_id}", argument="id")
    access.require(side, "write", MEMBER)
    if transfer.status != TransferStatus.PENDING.value:
        raise Conflict(f"transfer {transfer_id} is {transfer.status}", argument="id")
    member = (
        await session.execute(
            select(PartyMember).where(PartyMember.id == transfer.member_id).with_for_update()
        )
    ).scalar_one()
    if outcome == TransferStatus.COMPLETED:
        on = in_on or today
        if on > today:
            raise BadInput("inOn must not be in the future", argument="inOn")
        if on < transfer.out_on:
            raise BadInput(f"inOn is before the transfer out on {transfer.out_on}", argument="inOn")
        transfer.in_on = on
        member.organization_id = transfer.to_organization_id
    transfer.status = outcome.value
    transfer.decided_by = access.actor.account_id
    transfer.decided_at = datetime.now(UTC)
    member.status = MemberStatus.ACTIVE.value
    await session.flush()
    return transfer
