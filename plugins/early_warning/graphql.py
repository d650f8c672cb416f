"""The early-warning plugin's GraphQL parts: ``warnings``, ``warning``, ``warningRules``,
``setWarningRule``, ``removeWarningRule`` and the live ``warningChanged``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from authz.events import visible_events
from core.actor import Actor, require_category
from core.errors import NotFound
from core.models import Event
from plugins.early_warning.access import touching, visible_warnings
from plugins.early_warning.detect import ALL, LEVELS, topic
from plugins.early_warning.models import EarlyWarning, WarningMember, WarningStatus
from plugins.early_warning.rules import RULES, remove_rule, set_rule
from schema.codes import known_area_prefix
from schema.event.loaders import EVENTS, EventCategoryLoader
from schema.event.types import EventCategoryType
from schema.ids import parse_id
from schema.loaders import Loader
from schema.pagination import Connection, Edge, keyset_page, to_connection
from schema.refs import EventRef
from schema.streams import merged, streamed

strawberry.enum(
    WarningStatus,
    name="EarlyWarningStatus",
    description="OPEN while a member is open; CLOSED once all are; MERGED into an older one",
)


@strawberry.enum(name="EarlyWarningChange", description="What happened to a warning")
class WarningChange(StrEnum):
    RAISED = "raised"  # a new warning
    JOINED = "joined"  # reports joined it (or a warning was merged into it)
    MERGED = "merged"  # it was merged into an older warning (see mergedInto)
    CLOSED = "closed"  # every member is closed


WARNINGS = select(
    EarlyWarning.id,
    EarlyWarning.category_code,
    EarlyWarning.status,
    EarlyWarning.region_code,
    EarlyWarning.member_count,
    EarlyWarning.first_at,
    EarlyWarning.last_at,
    EarlyWarning.raised_at,
    EarlyWarning.updated_at,
    EarlyWarning.closed_at,
    EarlyWarning.merged_into_id,
    func.ST_X(EarlyWarning.geom).label("lon"),
    func.ST_Y(EarlyWarning.geom).label("lat"),
)
#: recent live updates a subscriber remembers, so one announced on two of its topics is
#: sent once
RECENT = 256


class MembersLoader(Loader[int, list[Any]]):
    """The members of each warning that the reader may see, in report order."""

    async def load_batch(self, keys: list[int]) -> list[list[Any]]:
        statement = (
            EVENTS.add_columns(WarningMember.warning_id.label("warning_id"))
            .join(WarningMember, WarningMember.event_id == Event.id)
            .where(WarningMember.warning_id.in_(keys), visible_events(self.ctx.actor))
            .order_by(Event.collected_at, Event.id)
        )
        grouped: dict[int, list[Any]] = {k: [] for k in keys}
        for row in (await self.ctx.execute(statement)).all():
            grouped[row.warning_id].append(row)
        return [grouped[k] for k in keys]


class WarningLoader(Loader[int, Any]):
    """Warnings by id, as the reader may see them (None otherwise)."""

    async def load_batch(self, keys: list[int]) -> list[Any]:
        statement = WARNINGS.where(EarlyWarning.id.in_(keys), visible_warnings(self.ctx.actor))
        rows = {r.id: r for r in (await self.ctx.execute(statement)).all()}
        return [rows.get(k) for k in keys]


@strawberry.type(name="EarlyWarningCentroid", description="A point (WGS 84)")
class Centroid:
    lon: float
    lat: float


@strawberry.type(
    name="EarlyWarning",
    description="A spatio-temporal cluster of open reports of one category (风险预警)",
)
class EarlyWarningType:
    id: strawberry.ID
    category_code: str
    status: WarningStatus
    region_code: str = strawberry.field(
        description="The longest region prefix its members share ('' when none)"
    )
    member_count: int = strawberry.field(
        description="How many reports it holds (all of them; members lists those you may see)"
    )
    first_at: datetime = strawberry.field(description="When its first report came")
    last_at: datetime = strawberry.field(description="When its last report came")
    raised_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @strawberry.field(description="The centroid of its members")
    def centroid(self) -> Centroid:
        row: Any = self
        return Centroid(lon=row.lon, lat=row.lat)

    @strawberry.field
    async def category(self, info: Info) -> EventCategoryType:
        row: Any = self
        r = await info.context.loader(EventCategoryLoader).load(row.category_code)
        return EventCategoryType.of(r)

    @strawberry.field(description="Its reports that you may see, oldest first")
    async def members(self, info: Info) -> list[EventRef]:
        row: Any = self
        return await info.context.loader(MembersLoader).load(int(row.id))

    @strawberry.field(description="The older warning it was merged into (MERGED only)")
    async def merged_into(self, info: Info) -> EarlyWarningType | None:
        row: Any = self
        if row.merged_into_id is None:
            return None
        return await info.context.loader(WarningLoader).load(int(row.merged_into_id))


@strawberry.type(name="EarlyWarningRule", description="When reports make a warning")
class RuleType:
    category_code: str = strawberry.field(
        description="A category's code, a kind of categories (all of it) or * (the default); "
        "the most specific rule applies"
    )
    radius_m: int = strawberry.field(description="Reports within this many metres …")
    window_hours: int = strawberry.field(description="… and this many hours of one another …")
    min_count: int = strawberry.field(description="… this many of them, open, raise a warning")
    active: bool = strawberry.field(description="False: no warnings for what it covers")
    updated_at: datetime


def _rule(row: Any) -> RuleType:
    return RuleType(
        category_code=row.category_code,
        radius_m=row.radius_m,
        window_hours=row.window_hours,
        min_count=row.min_count,
        active=row.active,
        updated_at=row.updated_at,
    )


@strawberry.type(name="EarlyWarningUpdate")
class WarningUpdate:
    change: WarningChange
    warning: EarlyWarningType


def _need_reader(actor: Actor) -> None:
    require_category(actor, "event", "read")


@strawberry.type
class WarningQueries:
    @strawberry.field(
        description="Warnings touching where you may read events, newest first "
        "(regionCode: with a member in that region or grid)."
    )
    async def warnings(
        self,
        info: Info,
        status: WarningStatus | None = None,
        region_code: str | None = None,
        category_code: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[EarlyWarningType]:
        actor = info.context.actor
        _need_reader(actor)
        statement = WARNINGS.where(visible_warnings(actor))
        prefix = await known_area_prefix(info, region_code)
        if prefix:
            statement = statement.where(touching(prefix))
        if status is not None:
            statement = statement.where(EarlyWarning.status == status.value)
        if category_code is not None:
            statement = statement.where(EarlyWarning.category_code == category_code)
        page = await keyset_page(
            info,
            statement,
            [-EarlyWarning.id],
            lambda r: (-r.id,),
            kind="warning",
            key_types=[int],
            first=first,
            after=after,
        )
        return to_connection(Connection[EarlyWarningType], Edge[EarlyWarningType], page, "warning")

    @strawberry.field(description="One warning (NOT_FOUND when it touches nothing you see).")
    async def warning(self, info: Info, id: strawberry.ID) -> EarlyWarningType:
        _need_reader(info.context.actor)
        found = await info.context.loader(WarningLoader).load(parse_id(id))
        if found is None:
            raise NotFound(f"no warning has the id {id}", argument="id")
        return found

    @strawberry.field(description="The thresholds of early warning, * (the default) first.")
    async def warning_rules(self, info: Info) -> list[RuleType]:
        _need_reader(info.context.actor)
        return [_rule(r) for r in (await info.context.execute(RULES)).all()]


@strawberry.type
class WarningMutations:
    @strawberry.mutation(
        description="Set the rule of an event category, a kind of categories or * (the "
        "default): radius 10–5000 m, window 1–720 h, 2–50 reports. District command centre."
    )
    async def set_warning_rule(
        self,
        info: Info,
        category_code: str,
        radius_m: int,
        window_hours: int,
        min_count: int,
        active: bool = True,
    ) -> RuleType:
        ctx = info.context
        async with ctx.transaction() as session:
            row = await set_rule(
                session,
                ctx.actor,
                category_code=category_code,
                radius_m=radius_m,
                window_hours=window_hours,
                min_count=min_count,
                active=active,
            )
            return _rule(row)

    @strawberry.mutation(
        description="Remove the rule of a category or kind (the kind's or the default "
        "applies again); whether there was one. District command centre."
    )
    async def remove_warning_rule(self, info: Info, category_code: str) -> bool:
        ctx = info.context
        async with ctx.transaction() as session:
            return await remove_rule(session, ctx.actor, category_code)


def subscriber_topics(actor: Actor) -> list[str]:
    """The topics of the changes an actor may see: one per region prefix where they read
    events (``warnings:all`` for the whole deployment, or a reach of another shape)."""
    keys = {
        prefix if len(prefix) in LEVELS else ALL for prefix in actor.reach.prefixes("event", "read")
    }
    return sorted(topic(k) for k in keys)


async def _visible(info: Info, warning_id: int) -> Any:
    """The warning as the subscriber may see it now (None if not), on a fresh session."""
    ctx = info.context
    await ctx.fresh()
    statement = WARNINGS.where(EarlyWarning.id == warning_id, visible_warnings(ctx.actor))
    return (await ctx.execute(statement)).one_or_none()


@strawberry.type
class WarningSubscriptions:
    @strawberry.subscription(
        description="Warnings as they are raised, grow, merge and close, where you may read "
        "events (the warning as it is when the update is sent)."
    )
    async def warning_changed(self, info: Info) -> AsyncGenerator[WarningUpdate, None]:
        actor = info.context.actor
        _need_reader(actor)
        broker = info.context.app.broker

        async def updates() -> AsyncIterator[WarningUpdate | None]:
            recent: OrderedDict[tuple[Any, ...], None] = OrderedDict()
            async for message in merged(broker, subscriber_topics(actor)):
                if "id" not in message:
                    continue  # a reconnection: nothing to reload, the next change comes
                key = (message["id"], message.get("version"), message.get("change"))
                if key in recent:
                    continue
                recent[key] = None
                if len(recent) > RECENT:
                    recent.popitem(last=False)
                row = await _visible(info, int(message["id"]))
                yield (
                    None
                    if row is None
                    else WarningUpdate(change=WarningChange(message["change"]), warning=row)
                )

        await info.context.fresh()
        async for update in streamed(info, updates()):
            yield update
