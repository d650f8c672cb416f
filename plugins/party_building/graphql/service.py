"""GraphQL of community registration (双报到), service projects and small wishes (微心愿) and
the points ledger: ``partyRegistrations``, ``partyServiceItems``, ``partyPoints``;
``registerPartyMember``, ``endPartyRegistration``, ``publishPartyService``,
``signUpPartyService``, ``recordPartyServiceHours``, ``claimPartyWish``,
``completePartyWish``, ``cancelPartyService``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from core.actor import require_category
from core.errors import Forbidden, NotFound
from plugins.party_building import service
from plugins.party_building.access import MEMBER, PARTY, access_for
from plugins.party_building.calendar import local_today
from plugins.party_building.graphql.access import access_of, reveal_member
from plugins.party_building.graphql.loaders import MemberRowLoader
from plugins.party_building.graphql.types import MemberType
from plugins.party_building.models import (
    PartyMember,
    PartyOrganization,
    PartyPointEntry,
    PartyRegistration,
    PartyServiceItem,
    PartyServiceSignup,
    PointReason,
    ServiceKind,
    ServiceStatus,
)
from plugins.party_building.service import ENTRIES, ITEMS, REGISTRATIONS, SIGNUPS
from schema.ids import parse_id
from schema.loaders import Loader
from schema.pagination import Connection, Edge, Statement, keyset_page, to_connection

strawberry.enum(
    ServiceKind,
    name="PartyServiceKind",
    description="PROJECT: a service project members sign up for, hours recorded; WISH: a "
    "resident's small wish (微心愿) one member claims and makes come true",
)
strawberry.enum(
    ServiceStatus,
    name="PartyServiceStatus",
    description="OPEN; CLAIMED (a wish taken by a member); DONE (a wish come true); CANCELLED",
)
strawberry.enum(PointReason, name="PartyPointReason", description="What earned the points")


class ItemLoader(Loader[int, Any]):
    """Service items by id, whatever the reader's reach: for records reached another way
    (a member's ledger); the type hides the wisher from those outside the community."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = ITEMS.where(PartyServiceItem.id.in_(keys))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class SignupsLoader(Loader[int, list[Any]]):
    """The signups of each project, in signing order."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = SIGNUPS.where(PartyServiceSignup.item_id.in_(keys)).order_by(
            PartyServiceSignup.id
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.item_id].append(row)
        return [grouped[k] for k in keys]


def _in_community(info: Info, code: str) -> bool:
    """Does the reader hold ``party`` read on the community (its party workers do)?"""
    return bool(info.context.actor.reach.allows(PARTY, "read", code))


async def _member(info: Info, member_id: int) -> Any:
    """A member shown by a record the reader sees (masked by the type as they may)."""
    return await info.context.loader(MemberRowLoader).load(member_id)


@strawberry.type(
    name="PartyRegistration",
    description="在职党员进社区双报到: a working member registered with the community they live in",
)
class RegistrationType:
    id: strawberry.ID
    community_code: str = strawberry.field(description="The community's 12-digit code")
    community_name: str
    registered_on: date
    ended_on: date | None = strawberry.field(description="Null while the registration holds")

    @strawberry.field(description="Whether the registration holds (not ended)")
    def current(self) -> bool:
        return self.ended_on is None

    @strawberry.field(description="The member (name masked without party:member)")
    async def member(self, info: Info) -> MemberType:
        row: Any = self
        return await _member(info, int(row.member_id))


@strawberry.type(
    name="PartyServiceSignup",
    description="A member signed up for a service project; the hours once served",
)
class SignupType:
    id: strawberry.ID
    signed_at: datetime
    served_on: date | None
    points: int | None = strawberry.field(description="The points the hours earned")

    @strawberry.field(description="Hours served (tenths of an hour); null until recorded")
    def hours(self) -> float | None:
        row: Any = self
        return None if row.hours is None else float(row.hours)

    @strawberry.field
    async def member(self, info: Info) -> MemberType:
        row: Any = self
        return await _member(info, int(row.member_id))

    @strawberry.field
    async def item(self, info: Info) -> ServiceItemType:
        row: Any = self
        return await info.context.loader(ItemLoader).load(int(row.item_id))


@strawberry.type(
    name="PartyServiceItem",
    description="A community's service project or a resident's small wish (微心愿)",
)
class ServiceItemType:
    id: strawberry.ID
    community_code: str
    community_name: str
    kind: ServiceKind
    title: str
    description: str | None
    points: int = strawberry.field(
        description="A project's points per hour served; a wish's points for making it true"
    )
    status: ServiceStatus
    published_at: datetime
    claimed_at: datetime | None
    done_at: datetime | None

    @strawberry.field(
        description="The resident who made the wish (personal: shown to the community's "
        "party workers only)"
    )
    def wisher(self, info: Info) -> str | None:
        row: Any = self
        return row.wisher if _in_community(info, row.community_code) else None

    @strawberry.field(description="The member who claimed the wish")
    async def claimed_by(self, info: Info) -> MemberType | None:
        row: Any = self
        if row.claimed_by is None:
            return None
        return await _member(info, int(row.claimed_by))

    @strawberry.field(
        description="A project's signups in signing order (to the community's party workers)"
    )
    async def signups(self, info: Info) -> list[SignupType]:
        row: Any = self
        if not _in_community(info, row.community_code):
            return []
        return await info.context.loader(SignupsLoader).load(int(row.id))


@strawberry.type(name="PartyPointEntry", description="One entry of the points ledger")
class PointEntryType:
    id: strawberry.ID
    points: int
    reason: PointReason
    created_at: datetime

    @strawberry.field(description="The hours served (for SERVICE_HOURS)")
    def hours(self) -> float | None:
        row: Any = self
        return None if row.hours is None else float(row.hours)

    @strawberry.field(description="The project or wish that earned them")
    async def item(self, info: Info) -> ServiceItemType | None:
        row: Any = self
        if row.item_id is None:
            return None
        return await info.context.loader(ItemLoader).load(int(row.item_id))


@strawberry.type(name="PartyPoints", description="A member's service points")
class PointsType:
    member: MemberType
    balance: int = strawberry.field(description="The sum of every entry")
    entries: list[PointEntryType] = strawberry.field(description="Newest first")


@strawberry.input(name="PartyServiceInput")
class ServiceInput:
    community_code: str = strawberry.field(description="The community's 12-digit code")
    kind: ServiceKind
    title: str
    points: int = strawberry.field(
        description="0–100: a project's points per hour, a wish's points once done"
    )
    description: str | None = None
    wisher: str | None = strawberry.field(
        default=None, description="The resident who made a wish (WISH only)"
    )


async def _row(session: AsyncSession, statement: Statement) -> Any:
    """The record just written, read back as its type's row."""
    return (await session.execute(statement)).one()


@strawberry.type
class ServiceQueries:
    @strawberry.field(
        description="Registrations (双报到) you see, newest first: of the communities where "
        "you hold party read, or of members of organizations you reach (current: only those "
        "that hold, or only ended ones)."
    )
    async def party_registrations(
        self,
        info: Info,
        community_code: str | None = None,
        current: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[RegistrationType]:
        access = await access_of(info)
        if not access.anywhere(MEMBER):  # members' keepers see their members' registrations
            access.require_any(PARTY, "read")
        statement = (
            REGISTRATIONS.join(PartyMember, PartyMember.id == PartyRegistration.member_id)
            .join(PartyOrganization, PartyOrganization.id == PartyMember.organization_id)
            .where(service.registrations_seen(access))
        )
        if community_code is not None:
            async with info.context.locked() as session:
                code = await service.community(session, community_code)
            statement = statement.where(PartyRegistration.community_code == code)
        if current is not None:
            ended = PartyRegistration.ended_on
            statement = statement.where(ended.is_(None) if current else ended.is_not(None))
        page = await keyset_page(
            info,
            statement,
            [-PartyRegistration.id],
            lambda r: (-r.id,),
            kind="party_registration",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(
            Connection[RegistrationType], Edge[RegistrationType], page, "party_registration"
        )

    @strawberry.field(
        description="Service projects and wishes of the communities where you hold party "
        "read, newest first."
    )
    async def party_service_items(
        self,
        info: Info,
        community_code: str | None = None,
        kind: ServiceKind | None = None,
        status: ServiceStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[ServiceItemType]:
        actor = info.context.actor
        require_category(actor, PARTY, "read")
        statement = ITEMS.where(actor.reach.where(PARTY, "read", PartyServiceItem.community_code))
        if community_code is not None:
            async with info.context.locked() as session:
                code = await service.community(session, community_code)
            statement = statement.where(PartyServiceItem.community_code == code)
        if kind is not None:
            statement = statement.where(PartyServiceItem.kind == kind.value)
        if status is not None:
            statement = statement.where(PartyServiceItem.status == status.value)
        page = await keyset_page(
            info,
            statement,
            [-PartyServiceItem.id],
            lambda r: (-r.id,),
            kind="party_service_item",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(
            Connection[ServiceItemType], Edge[ServiceItemType], page, "party_service_item"
        )

    @strawberry.field(
        description="A member's service points: balance and ledger (personal: party:member "
        "where the member's organization is, or its staff; the read is audited)."
    )
    async def party_points(self, info: Info, member_id: strawberry.ID) -> PointsType:
        mid = parse_id(member_id, "memberId")
        access = await access_of(info)
        access.require_any(MEMBER, "read")
        member = await _member(info, mid)
        seen = member is not None and (
            access.allows(member, "read", PARTY) or access.allows(member, "read", MEMBER)
        )
        if not seen:
            raise NotFound(f"no party member has the id {mid}", argument="memberId")
        if not reveal_member(info, access, mid, member, "points"):
            raise Forbidden(f"the points of party member {mid} need the party:member grant")
        statement = ENTRIES.where(PartyPointEntry.member_id == mid).order_by(
            PartyPointEntry.id.desc()
        )
        entries = list((await info.context.execute(statement)).all())
        return PointsType(
            member=member,
            balance=sum(int(e.points) for e in entries),
            entries=entries,  # rows, resolved by the type
        )


@strawberry.type
class ServiceMutations:
    @strawberry.mutation(
        description="双报到: register an active member with the community they live in (one "
        "current registration each). By whoever writes the member's records (party:member "
        "where its organization is, or its staff); registeredOn: default today."
    )
    async def register_party_member(
        self,
        info: Info,
        member_id: strawberry.ID,
        community_code: str,
        registered_on: date | None = None,
    ) -> RegistrationType:
        ctx = info.context
        mid = parse_id(member_id, "memberId")
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            found = await service.register(
                session, access, mid, community_code, registered_on, today
            )
            return await _row(session, REGISTRATIONS.where(PartyRegistration.id == found.id))

    @strawberry.mutation(
        description="End a current registration (endedOn: default today). By whoever writes "
        "the member's records."
    )
    async def end_party_registration(
        self, info: Info, id: strawberry.ID, ended_on: date | None = None
    ) -> RegistrationType:
        ctx = info.context
        rid = parse_id(id)
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            found = await service.end_registration(session, access, rid, ended_on, today)
            return await _row(session, REGISTRATIONS.where(PartyRegistration.id == found.id))

    @strawberry.mutation(
        description="Publish a community's service project or a resident's wish (party "
        "write on the community)."
    )
    async def publish_party_service(self, info: Info, input: ServiceInput) -> ServiceItemType:
        ctx = info.context
        new = service.NewService(
            community_code=input.community_code,
            kind=ServiceKind(input.kind),
            title=input.title,
            points=input.points,
            description=input.description,
            wisher=input.wisher,
        )
        async with ctx.transaction() as session:
            item = await service.publish(session, ctx.actor, new)
            return await _row(session, ITEMS.where(PartyServiceItem.id == item.id))

    @strawberry.mutation(
        description="Sign a member registered with the community up for an open project "
        "(once each)."
    )
    async def sign_up_party_service(
        self, info: Info, item_id: strawberry.ID, member_id: strawberry.ID
    ) -> SignupType:
        ctx = info.context
        iid, mid = parse_id(item_id, "itemId"), parse_id(member_id, "memberId")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            signup = await service.sign_up(session, access, iid, mid)
            return await _row(session, SIGNUPS.where(PartyServiceSignup.id == signup.id))

    @strawberry.mutation(
        description="Record the hours a member served on a project (0 < hours ≤ 24, by "
        "tenths; once): pays round(hours × points per hour) into the ledger."
    )
    async def record_party_service_hours(
        self, info: Info, signup_id: strawberry.ID, served_on: date, hours: float
    ) -> SignupType:
        ctx = info.context
        sid = parse_id(signup_id, "signupId")
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            signup = await service.record_hours(session, ctx.actor, sid, served_on, hours, today)
            return await _row(session, SIGNUPS.where(PartyServiceSignup.id == signup.id))

    @strawberry.mutation(
        description="A member registered with the community takes an open wish (微心愿)."
    )
    async def claim_party_wish(
        self, info: Info, item_id: strawberry.ID, member_id: strawberry.ID
    ) -> ServiceItemType:
        ctx = info.context
        iid, mid = parse_id(item_id, "itemId"), parse_id(member_id, "memberId")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            item = await service.claim_wish(session, access, iid, mid)
            return await _row(session, ITEMS.where(PartyServiceItem.id == item.id))

    @strawberry.mutation(
        description="A claimed wish came true: DONE, and its points paid to the member once "
        "(a second completion is a CONFLICT)."
    )
    async def complete_party_wish(self, info: Info, item_id: strawberry.ID) -> ServiceItemType:
        ctx = info.context
        iid = parse_id(item_id, "itemId")
        async with ctx.transaction() as session:
            item = await service.complete_wish(session, ctx.actor, iid)
            return await _row(session, ITEMS.where(PartyServiceItem.id == item.id))

    @strawberry.mutation(
        description="Withdraw an open project or an open or claimed wish (points paid stay)."
    )
    async def cancel_party_service(self, info: Info, item_id: strawberry.ID) -> ServiceItemType:
        ctx = info.context
        iid = parse_id(item_id, "itemId")
        async with ctx.transaction() as session:
            item = await service.cancel(session, ctx.actor, iid)
            return await _row(session, ITEMS.where(PartyServiceItem.id == item.id))
