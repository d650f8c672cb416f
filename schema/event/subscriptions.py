"""Live push over graphql-transport-ws: new tasks for whoever holds them, and updates of
an event for its reporter (and anyone who may see it). Delivered across server processes
by PostgreSQL LISTEN/NOTIFY after the change commits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import strawberry
from strawberry.types import Info

from authz.events import can_see
from core.actor import Actor
from core.errors import NotFound, Unauthenticated
from core.models import Event
from core.models.account import Role
from core.pubsub import BrokerReconnected
from schema.event.loaders import EVENTS
from schema.ids import parse_id
from schema.refs import EventRef


def task_topics(actor: Actor) -> list[str]:
    topics = [f"tasks:{actor.account_id}"]
    if actor.department_code:
        topics.append(f"tasks:dept:{actor.department_code}")
    if actor.role in (Role.COMMUNITY_STAFF, Role.TOWNSHIP_STAFF, Role.DISTRICT_COMMAND) and (
        actor.region_code
    ):
        topics.append(f"tasks:level:{actor.region_code}")
    return topics


async def _merged(broker: Any, topics: list[str]) -> AsyncIterator[dict[str, Any]]:
    """Messages of several topics as one stream; a reconnect yields {"reconnected": True}."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def pump(topic: str) -> None:
        async with broker.subscribe(topic) as sub:
            while True:
                try:
                    async for payload in sub:
                        await queue.put(payload)
                    return
                except BrokerReconnected:
                    await queue.put({"reconnected": True})

    tasks = [asyncio.create_task(pump(t)) for t in topics]
    try:
        while True:
            yield await queue.get()
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _load(info: Info, event_id: int) -> Any:
    """The event as the subscriber may see it (None if not), read on a fresh session."""
    ctx = info.context
    await ctx.fresh()
    row = (await ctx.execute(EVENTS.where(Event.id == event_id))).one_or_none()
    return row if row is not None and can_see(ctx.actor, row) else None


async def _sent(info: Info, rows: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    """``rows`` as a subscription's stream, holding no database connection while it waits:
    each row's fields are resolved between the ``yield`` and the generator's resumption,
    then the connection goes back to the pool (a district's workers keep the app open all
    day; a connection each would starve the server)."""
    try:
        async for row in rows:
            if row is not None:
                yield row
            await info.context.fresh()
    finally:
        await info.context.fresh()


@strawberry.type
class EventSubscriptions:
    @strawberry.subscription(description="Events as they arrive in your hands.")
    async def my_new_tasks(self, info: Info) -> AsyncGenerator[EventRef, None]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in (connection_init Authorization) to get tasks")

        async def rows() -> AsyncIterator[Any]:
            async for message in _merged(info.context.app.broker, task_topics(actor)):
                if "id" in message:
                    yield await _load(info, int(message["id"]))

        async for row in _sent(info, rows()):
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
            async for _ in _merged(info.context.app.broker, [f"event:{event_id}"]):
                yield await _load(info, event_id)

        async for row in _sent(info, rows()):
            yield row
