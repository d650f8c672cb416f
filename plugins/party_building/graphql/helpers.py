"""GraphQL of grid helpers (党员中心户): ``partyHelperActivities``; ``appointPartyGridHelper``,
``endPartyGridHelper``, ``recordPartyHelperActivity``; and the parts the plugin adds to
core types: ``Grid.partyHelpers`` and ``Event.partyHelperActivity``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from core.actor import require_category
from core.errors import NotFound
from plugins.party_building import helpers
from plugins.party_building.access import PARTY, access_for
from plugins.party_building.calendar import local_today
from plugins.party_building.graphql.loaders import MemberRowLoader
from plugins.party_building.graphql.types import MemberType
from plugins.party_building.helpers import ACTIVITIES, HELPERS
from plugins.party_building.models import HelperActivityKind, PartyGridHelper, PartyHelperActivity
from schema.ids import optional_id, parse_id
from schema.loaders import Loader
from schema.pagination import Connection, Edge, Statement, keyset_page, to_connection

strawberry.enum(
    HelperActivityKind,
    name="PartyHelperActivityKind",
    description="VISIT: a visit to a household (走访); PATROL_FINDING: found on patrol (巡查发现)",
)


class GridHelpersLoader(Loader[str, list[Any]]):
    """The current helpers of each grid (by code), longest serving first: one statement
    for every grid of a page."""

    async def load_batch(self, keys: list[str]) -> list[list[Any]]:
        statement = HELPERS.where(
            PartyGridHelper.grid_code.in_(keys), PartyGridHelper.until.is_(None)
        ).order_by(PartyGridHelper.since, PartyGridHelper.id)
        grouped: dict[str, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.grid_code].append(row)
        return [grouped[k] for k in keys]


class HelperLoader(Loader[int, Any]):
    """Helpers by id (callers check the reader's reach on the grid)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = HELPERS.where(PartyGridHelper.id.in_(keys))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


class EventActivityLoader(Loader[int, Any]):
    """The finding attributed to each event (the latest, should there be several)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = ACTIVITIES.where(PartyHelperActivity.event_id.in_(keys)).order_by(
            PartyHelperActivity.id
        )
        rows = {r.event_id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


def _reads_grid(info: Info, code: str) -> bool:
    """Does the reader hold ``party`` read where the grid (or a record in it) is?"""
    return bool(info.context.actor.reach.allows(PARTY, "read", code))


@strawberry.type(
    name="PartyGridHelper",
    description="党员中心户: a party member helping a grid, looking after some households",
)
class HelperType:
    id: strawberry.ID
    grid_code: str
    households: int = strawberry.field(description="The households looked after (联系户数)")
    since: date
    until: date | None = strawberry.field(description="Null while serving")
    activity_count: int = strawberry.field(description="Visits and findings attributed")

    @strawberry.field(description="The member (name masked without party:member)")
    async def member(self, info: Info) -> MemberType:
        row: Any = self
        return await info.context.loader(MemberRowLoader).load(int(row.member_id))


@strawberry.type(
    name="PartyHelperActivity",
    description="A visit or a patrol finding attributed to a grid helper",
)
class ActivityType:
    id: strawberry.ID
    kind: HelperActivityKind
    occurred_on: date
    note: str | None
    recorded_at: datetime

    @strawberry.field(description="The event reported for a finding (read it with event(id:))")
    def event_id(self) -> strawberry.ID | None:
        row: Any = self
        return None if row.event_id is None else strawberry.ID(str(row.event_id))

    @strawberry.field
    async def helper(self, info: Info) -> HelperType:
        row: Any = self
        return await info.context.loader(HelperLoader).load(int(row.helper_id))


@strawberry.type(name="GridPartyHelpers")
class GridPartyHelpers:
    @strawberry.field(
        description="The grid's current party helpers (党员中心户); empty without party read "
        "on the grid"
    )
    async def party_helpers(self, info: Info) -> list[HelperType]:
        code = str(self.code)  # type: ignore[attr-defined]  # self is the grid's row
        if not _reads_grid(info, code):
            return []
        return await info.context.loader(GridHelpersLoader).load(code)


@strawberry.type(name="EventPartyHelperActivity")
class EventPartyHelperActivity:
    @strawberry.field(
        description="The party helper's finding this event is attributed to, if any (null "
        "without party read where the event is)"
    )
    async def party_helper_activity(self, info: Info) -> ActivityType | None:
        row: Any = self
        if not row.region_code or not _reads_grid(info, str(row.region_code)):
            return None
        return await info.context.loader(EventActivityLoader).load(int(row.id))


TYPE_PARTS: dict[str, list[type]] = {
    "Grid": [GridPartyHelpers],
    "Event": [EventPartyHelperActivity],
}


async def _row(session: AsyncSession, statement: Statement) -> Any:
    """The record just written, read back as its type's row."""
    return (await session.execute(statement)).one()


@strawberry.type
class HelperQueries:
    @strawberry.field(
        description="The visits and findings attributed to a helper, newest first (party "
        "read on the helper's grid)."
    )
    async def party_helper_activities(
        self, info: Info, helper_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[ActivityType]:
        require_category(info.context.actor, PARTY, "read")
        hid = parse_id(helper_id, "helperId")
        helper = await info.context.loader(HelperLoader).load(hid)
        if helper is None or not _reads_grid(info, helper.grid_code):
            raise NotFound(f"no party grid helper has the id {hid}", argument="helperId")
        page = await keyset_page(
            info,
            ACTIVITIES.where(PartyHelperActivity.helper_id == hid),
            [-PartyHelperActivity.id],
            lambda r: (-r.id,),
            kind="party_helper_activity",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(
            Connection[ActivityType], Edge[ActivityType], page, "party_helper_activity"
        )


@strawberry.type
class HelperMutations:
    @strawberry.mutation(
        description="Appoint an active member a grid's helper (党员中心户); party write on the "
        "grid and party read on the member's organization. since: default today."
    )
    async def appoint_party_grid_helper(
        self,
        info: Info,
        member_id: strawberry.ID,
        grid_code: str,
        households: int = 0,
        since: date | None = None,
    ) -> HelperType:
        ctx = info.context
        mid = parse_id(member_id, "memberId")
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            helper = await helpers.appoint(
                session, access, mid, grid_code, households, since, today
            )
            return await _row(session, HELPERS.where(PartyGridHelper.id == helper.id))

    @strawberry.mutation(description="End a helper's post (until: default today).")
    async def end_party_grid_helper(
        self, info: Info, id: strawberry.ID, until: date | None = None
    ) -> HelperType:
        ctx = info.context
        hid = parse_id(id)
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            helper = await helpers.end_helper(session, ctx.actor, hid, until, today)
            return await _row(session, HELPERS.where(PartyGridHelper.id == helper.id))

    @strawberry.mutation(
        description="Attribute a visit or a patrol finding to a serving helper (party write "
        "on the helper's grid). eventId: a finding's event, in the helper's grid, "
        "attributed once."
    )
    async def record_party_helper_activity(
        self,
        info: Info,
        helper_id: strawberry.ID,
        kind: HelperActivityKind,
        occurred_on: date,
        note: str | None = None,
        event_id: strawberry.ID | None = None,
    ) -> ActivityType:
        ctx = info.context
        hid = parse_id(helper_id, "helperId")
        eid = optional_id(event_id, "eventId")
        today = local_today(ctx.settings.timezone)
        async with ctx.transaction() as session:
            activity = await helpers.record_activity(
                session, ctx.actor, hid, HelperActivityKind(kind), occurred_on, note, eid, today
            )
            return await _row(session, ACTIVITIES.where(PartyHelperActivity.id == activity.id))
