"""GraphQL of the organization tree: ``partyOrganizations``, ``partyOrganization``,
``partyTransfers``; ``createPartyOrganization``, ``electPartyCommittee``,
``addPartyStaff``/``removePartyStaff``."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from core.errors import BadInput, NotFound
from core.models.base import prefix_match
from plugins.party_building.access import access_for, subtree
from plugins.party_building.calendar import local_today
from plugins.party_building.graphql.access import access_of
from plugins.party_building.graphql.loaders import FROM_ORG, TO_ORG, TRANSFERS, transfer_seen
from plugins.party_building.graphql.types import (
    ORGANIZATIONS,
    Direction,
    OrganizationLoader,
    OrganizationType,
    TermType,
    TransferType,
)
from plugins.party_building.models import (
    OrgKind,
    PartyCommitteeTerm,
    PartyOrganization,
    PartyTransfer,
    Post,
    TransferStatus,
)
from plugins.party_building.organizations import (
    NewOrganization,
    Seat,
    create_organization,
    elect_committee,
    set_staff,
)
from schema.codes import known_area_prefix
from schema.ids import optional_id, parse_id
from schema.pagination import Connection, Edge, keyset_page, to_connection


async def seen_organization(info: Info, org_id: int, argument: str = "organizationId") -> Any:
    """The organization as the reader sees it, or NOT_FOUND."""
    found = await info.context.loader(OrganizationLoader).load(org_id)
    if found is None:
        raise NotFound(f"no party organization has the id {org_id}", argument=argument)
    return found


@strawberry.input(name="NewPartyOrganizationInput")
class NewOrganizationInput:
    code: str = strawberry.field(description="党组织代码: 4–32 upper-case letters or digits")
    name: str
    kind: OrgKind
    area_code: str = strawberry.field(
        description="The region prefix or grid code it serves (within its parent's area)"
    )
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null: a top committee (the district command centre only)"
    )
    established_on: date | None = None


@strawberry.input(name="PartyCommitteeSeatInput")
class SeatInput:
    member_id: strawberry.ID
    post: Post


@strawberry.type
class OrganizationQueries:
    @strawberry.field(
        description="Party organizations you see, by code: the children of parentId, or "
        "those serving inside regionCode, or all."
    )
    async def party_organizations(
        self,
        info: Info,
        parent_id: strawberry.ID | None = None,
        kind: OrgKind | None = None,
        region_code: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[OrganizationType]:
        access = await access_of(info)
        access.require_any()
        statement = ORGANIZATIONS.where(access.where("read"))
        parent = optional_id(parent_id, "parentId")
        if parent is not None:
            await seen_organization(info, parent, "parentId")
            statement = statement.where(PartyOrganization.parent_id == parent)
        prefix = await known_area_prefix(info, region_code)
        if prefix:
            statement = statement.where(prefix_match(PartyOrganization.area_code, prefix))
        if kind is not None:
            statement = statement.where(PartyOrganization.kind == kind.value)
        page = await keyset_page(
            info,
            statement,
            [PartyOrganization.code],
            lambda r: (r.code,),
            kind="party_organization",
            key_types=[str],
            first=first,
            after=after,
        )
        return to_connection(
            Connection[OrganizationType], Edge[OrganizationType], page, "party_organization"
        )

    @strawberry.field(description="One organization by id or by code (NOT_FOUND if unseen).")
    async def party_organization(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> OrganizationType:
        access = await access_of(info)
        access.require_any()
        if (id is None) == (code is None):
            raise BadInput("give either id or code", argument="id")
        if id is not None:
            return await seen_organization(info, parse_id(id), "id")
        statement = ORGANIZATIONS.where(PartyOrganization.code == code, access.where("read"))
        found = (await info.context.execute(statement)).one_or_none()
        if found is None:
            raise NotFound(f"no party organization has the code {code!r}", argument="code")
        return found

    @strawberry.field(
        description="Relation transfers touching organizations you see, newest first "
        "(organizationId: into or out of it and its subtree; direction narrows)."
    )
    async def party_transfers(
        self,
        info: Info,
        organization_id: strawberry.ID | None = None,
        direction: Direction | None = None,
        status: TransferStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[TransferType]:
        access = await access_of(info)
        access.require_any()
        statement = TRANSFERS.where(transfer_seen(access))
        org_id = optional_id(organization_id, "organizationId")
        if org_id is not None:
            org = await seen_organization(info, org_id)
            inward, outward = subtree(org.path, TO_ORG), subtree(org.path, FROM_ORG)
            if direction == Direction.IN:
                statement = statement.where(inward)
            elif direction == Direction.OUT:
                statement = statement.where(outward)
            else:
                statement = statement.where(inward | outward)
        elif direction is not None:
            raise BadInput("direction needs an organizationId", argument="direction")
        if status is not None:
            statement = statement.where(PartyTransfer.status == status.value)
        page = await keyset_page(
            info,
            statement,
            [-PartyTransfer.id],
            lambda r: (-r.id,),
            kind="party_transfer",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(Connection[TransferType], Edge[TransferType], page, "party_transfer")


async def _organization_row(info: Info, org_id: int) -> Any:
    found = (await info.context.execute(ORGANIZATIONS.where(PartyOrganization.id == org_id))).one()
    return found


@strawberry.type
class OrganizationMutations:
    @strawberry.mutation(
        description="Create an organization under parentId (party write there), or a top "
        "committee. Kinds nest 党委 > 党总支 > 党支部 > 党小组; the code is unique."
    )
    async def create_party_organization(
        self, info: Info, input: NewOrganizationInput
    ) -> OrganizationType:
        ctx = info.context
        new = NewOrganization(
            code=input.code.strip(),
            name=input.name,
            kind=input.kind,
            area_code=input.area_code.strip(),
            parent_id=optional_id(input.parent_id, "parentId"),
            established_on=input.established_on,
        )
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            row = await create_organization(
                session, access, new, local_today(ctx.settings.timezone)
            )
            org_id = row.id
        return await _organization_row(info, org_id)

    @strawberry.mutation(
        description="换届: elect a new committee (one secretary; active full members of the "
        "organization); the current term ends the day before startsOn."
    )
    async def elect_party_committee(
        self, info: Info, organization_id: strawberry.ID, starts_on: date, seats: list[SeatInput]
    ) -> TermType:
        ctx = info.context
        org_id = parse_id(organization_id, "organizationId")
        parsed = [Seat(parse_id(s.member_id, "seats"), s.post) for s in seats]
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            term = await elect_committee(
                session, access, org_id, starts_on, parsed, local_today(ctx.settings.timezone)
            )
            term_id = term.id
        return (
            await ctx.execute(
                select(
                    PartyCommitteeTerm.id, PartyCommitteeTerm.starts_on, PartyCommitteeTerm.ends_on
                ).where(PartyCommitteeTerm.id == term_id)
            )
        ).one()

    @strawberry.mutation(
        description="Make an account staff of an organization: it then reads and writes the "
        "whole subtree, members' records included (audited). Needs party:member write there. "
        "Whether anything changed."
    )
    async def add_party_staff(
        self, info: Info, organization_id: strawberry.ID, username: str
    ) -> bool:
        ctx = info.context
        org_id = parse_id(organization_id, "organizationId")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            return await set_staff(session, ctx.actor, access, org_id, username, True)

    @strawberry.mutation(description="The account no longer staffs the organization.")
    async def remove_party_staff(
        self, info: Info, organization_id: strawberry.ID, username: str
    ) -> bool:
        ctx = info.context
        org_id = parse_id(organization_id, "organizationId")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            return await set_staff(session, ctx.actor, access, org_id, username, False)


__all__ = ["OrganizationMutations", "OrganizationQueries"]
