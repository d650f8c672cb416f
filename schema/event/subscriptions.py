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

from authz.actor import Actor
from core.errors import NotFound, Unauthenticated
from core.models import Event
from core.models.account import Role
from core.pubsub import BrokerReconnected
from schema.event.loaders import EVENTS
from schema.event.queries import can_see
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
        async for message in _merged(info.context.app_state.broker, task_topics(actor)):
            if "id" in message:
                row = await _load(info, int(message["id"]))
                if row is not None:
                    yield row

    @strawberry.subscription(
        description="The event each time it changes (after a reconnect, its current state)."
    )
    async def event_updated(self, info: Info, id: strawberry.ID) -> AsyncGenerator[EventRef, None]:
        event_id = parse_id(id)
        if await _load(info, event_id) is None:
            raise NotFound(f"no event has the id {id}", argument="id")
        async for _ in _merged(info.context.app_state.broker, [f"event:{event_id}"]):
            row = await _load(info, event_id)
            if row is not None:
                yield row
