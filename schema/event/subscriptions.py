"""Live push over graphql-transport-ws: new tasks for whoever holds them, and updates of
an event for its reporter (and anyone who may see it). Delivered across server processes
by PostgreSQL LISTEN/NOTIFY after the change commits."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import strawberry
from strawberry.types import Info

from authz.events import can_see
from core.actor import Actor
from core.errors import NotFound, Unauthenticated
from core.models import Event
from core.models.account import Role
from core.pubsub import EVENTS_TOPIC
from schema.codes import known_area_prefix
from schema.event.loaders import EVENTS
from schema.ids import parse_id
from schema.refs import EventRef
from schema.streams import merged, streamed


def task_topics(actor: Actor) -> list[str]:
    topics = [f"tasks:{actor.account_id}"]
    if actor.department_code:
        topics.append(f"tasks:dept:{actor.department_code}")
    if actor.role in (Role.COMMUNITY_STAFF, Role.TOWNSHIP_STAFF, Role.DISTRICT_COMMAND) and (
        actor.region_code
    ):
        topics.append(f"tasks:level:{actor.region_code}")
    return topics


async def _load(info: Info, event_id: int) -> Any:
    """The event as the subscriber may see it (None if not), read on a fresh session."""
    ctx = info.context
    await ctx.fresh()
    row = (await ctx.execute(EVENTS.where(Event.id == event_id))).one_or_none()
    return row if row is not None and can_see(ctx.actor, row) else None


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(description="Events as they arrive in your hands.")
    async def my_new_tasks(self, info: Info) -> AsyncGenerator[EventRef, None]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in (connection_init Authorization) to get tasks")

        async def rows() -> AsyncIterator[Any]:
            async for message in merged(info.context.app.broker, task_topics(actor)):
                if "id" in message:
                    yield await _load(info, int(message["id"]))

        async for row in streamed(info, rows()):
            yield row

    @strawberry.subscription(
        description="Every event you may read in a region (default: anywhere) each time it is "
        "reported or changes: what a command centre's screen counts live. After a reconnect, "
        "changes missed meanwhile are not replayed: read the counts again."
    )
    async def event_changed(
        self, info: Info, region_code: str | None = None
    ) -> AsyncGenerator[EventRef, None]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in (connection_init Authorization) to follow events")
        prefix = await known_area_prefix(info, region_code)
        await info.context.fresh()

        async def rows() -> AsyncIterator[Any]:
            async for message in merged(info.context.app.broker, [EVENTS_TOPIC]):
                region = message.get("region") or ""
                if "id" in message and region.startswith(prefix):
                    yield await _load(info, int(message["id"]))

        async for row in streamed(info, rows()):
            yield row

    @strawberry.subscription(
        description="The event each time it changes (after a reconnect, its current state)."
    )
    async def event_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[EventRef, None]:
        event_id = parse_id(id)
        visible = await _load(info, event_id)
        await info.context.fresh()
        if visible is None:
            raise NotFound(f"no event has the id {id}", argument="id")

        async def rows() -> AsyncIterator[Any]:
            async for _ in merged(info.context.app.broker, [f"event:{event_id}"]):
                yield await _load(info, event_id)

        async for row in streamed(info, rows()):
            yield row
