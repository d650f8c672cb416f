"""The party building plugin's statements and per-request loaders: organizations, members
(rows of ``MEMBERS``, with their organization's ``path`` and ``area_code`` so a member
can mask itself), steps, committees, staff and transfers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from core.models import Account, Person
from plugins.party_building.access import PARTY, of_paths
from plugins.party_building.graphql.access import access_in
from plugins.party_building.models import (
    MemberStatus,
    PartyCommitteeSeat,
    PartyCommitteeTerm,
    PartyMember,
    PartyMemberStep,
    PartyOrganization,
    PartyStaff,
    PartyTransfer,
    Stage,
)
from schema.loaders import Loader

ORGANIZATIONS = select(
    PartyOrganization.id,
    PartyOrganization.code,
    PartyOrganization.name,
    PartyOrganization.kind,
    PartyOrganization.parent_id,
    PartyOrganization.path,
    PartyOrganization.area_code,
    PartyOrganization.established_on,
)

MEMBERS = select(
    PartyMember.id,
    PartyMember.person_id,
    PartyMember.organization_id,
    PartyMember.stage,
    PartyMember.stage_on,
    PartyMember.status,
    PartyMember.education,
    PartyMember.flowing,
    PartyMember.flowing_to,
    PartyMember.left_on,
    PartyMember.leave_type,
    Person.name.label("person_name"),
    Person.gender,
    Person.birth_date,
    PartyOrganization.path,
    PartyOrganization.area_code,
    PartyOrganization.code.label("organization_code"),
).select_from(
    PartyMember.__table__.join(Person, Person.id == PartyMember.person_id).join(
        PartyOrganization, PartyOrganization.id == PartyMember.organization_id
    )
)


class OrganizationLoader(Loader[int, Any]):
    """Organizations by id as the reader may see them (None otherwise)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        access = await access_in(self.ctx)
        statement = ORGANIZATIONS.where(PartyOrganization.id.in_(keys), access.where("read"))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class MemberLoader(Loader[int, Any]):
    """Member rows by id where the reader reaches ``party`` (the record may be masked)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        access = await access_in(self.ctx)
        statement = MEMBERS.where(PartyMember.id.in_(keys), access.where("read", PARTY))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class StepsLoader(Loader[int, list[Any]]):
    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            select(PartyMemberStep.member_id, PartyMemberStep.stage, PartyMemberStep.reached_on)
            .where(PartyMemberStep.member_id.in_(keys))
            .order_by(PartyMemberStep.member_id, PartyMemberStep.reached_on)
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.member_id].append(row)
        order = {s.value: i for i, s in enumerate(Stage)}
        return [sorted(grouped[k], key=lambda r: order[r.stage]) for k in keys]


class MemberRowLoader(Loader[int, Any]):
    """Member rows by id whatever the reader's reach: for records that show a member they
    reach another way (a transfer into their organization); the type still masks it."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = MEMBERS.where(PartyMember.id.in_(keys))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class ChildrenLoader(Loader[int, list[Any]]):
    """The organizations right below each one, that the reader sees, by code."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        access = await access_in(self.ctx)
        statement = ORGANIZATIONS.where(
            PartyOrganization.parent_id.in_(keys), access.where("read")
        ).order_by(PartyOrganization.code)
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.parent_id].append(row)
        return [grouped[k] for k in keys]


class MemberCountLoader(Loader[tuple[str, bool], int]):
    """Members not gone (active or transferring) of an organization; key: its path and
    whether its subtree counts. One statement: counts per organization, summed here."""

    async def load_batch(self, keys: list[tuple[str, bool]]) -> list[int]:
        paths = sorted({p for p, _ in keys})
        statement = (
            select(PartyOrganization.path, func.count().label("n"))
            .join(PartyMember, PartyMember.organization_id == PartyOrganization.id)
            .where(of_paths(paths), PartyMember.status != MemberStatus.LEFT.value)
            .group_by(PartyOrganization.path)
        )
        rows: list[Any] = list((await self.ctx.execute(statement)).all())
        per_org = {str(r.path): int(r.n) for r in rows}
        return [
            sum(n for p, n in per_org.items() if p.startswith(path))
            if sub
            else per_org.get(path, 0)
            for path, sub in keys
        ]


class TermsLoader(Loader[int, list[Any]]):
    """Every committee term of each organization, newest first."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            select(
                PartyCommitteeTerm.id,
                PartyCommitteeTerm.organization_id,
                PartyCommitteeTerm.starts_on,
                PartyCommitteeTerm.ends_on,
            )
            .where(PartyCommitteeTerm.organization_id.in_(keys))
            .order_by(PartyCommitteeTerm.starts_on.desc())
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.organization_id].append(row)
        return [grouped[k] for k in keys]


#: posts in the order a committee lists them
POST_ORDER = {"secretary": 0, "deputy_secretary": 1, "member": 2}


class SeatsLoader(Loader[int, list[Any]]):
    """The seats of each term (member rows with their ``post``), secretary first."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            MEMBERS.add_columns(PartyCommitteeSeat.term_id, PartyCommitteeSeat.post)
            .join(PartyCommitteeSeat, PartyCommitteeSeat.member_id == PartyMember.id)
            .where(PartyCommitteeSeat.term_id.in_(keys))
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.term_id].append(row)
        return [sorted(grouped[k], key=lambda r: (POST_ORDER[r.post], r.id)) for k in keys]


class StaffLoader(Loader[int, list[Any]]):
    """The accounts staffing each organization."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            select(PartyStaff.organization_id, PartyStaff.since, Account.username, Account.name)
            .join(Account, Account.id == PartyStaff.account_id)
            .where(PartyStaff.organization_id.in_(keys))
            .order_by(Account.username)
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.organization_id].append(row)
        return [grouped[k] for k in keys]


FROM_ORG = aliased(PartyOrganization, name="from_org")
TO_ORG = aliased(PartyOrganization, name="to_org")
TRANSFERS = (
    select(
        PartyTransfer.id,
        PartyTransfer.member_id,
        PartyTransfer.from_organization_id,
        PartyTransfer.to_organization_id,
        PartyTransfer.status,
        PartyTransfer.out_on,
        PartyTransfer.in_on,
        PartyTransfer.note,
        PartyTransfer.created_at,
        PartyTransfer.decided_at,
        FROM_ORG.name.label("from_name"),
        FROM_ORG.path.label("from_path"),
        FROM_ORG.area_code.label("from_area"),
        TO_ORG.name.label("to_name"),
        TO_ORG.path.label("to_path"),
        TO_ORG.area_code.label("to_area"),
    )
    .join(FROM_ORG, FROM_ORG.id == PartyTransfer.from_organization_id)
    .join(TO_ORG, TO_ORG.id == PartyTransfer.to_organization_id)
)


def transfer_seen(access: Any) -> Any:
    """SQL: transfers where the reader reaches either side (``party`` read)."""
    return or_(access.where("read", PARTY, FROM_ORG), access.where("read", PARTY, TO_ORG))


class MemberTransfersLoader(Loader[int, list[Any]]):
    """Every transfer of each member, newest first."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = TRANSFERS.where(PartyTransfer.member_id.in_(keys)).order_by(
            PartyTransfer.id.desc()
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.member_id].append(row)
        return [grouped[k] for k in keys]
