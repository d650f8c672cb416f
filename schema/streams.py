"""Subscription streams that wait without a database connection: several pub/sub topics
merged into one stream, and rows sent with the connection handed back between them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from strawberry.types import Info

from core.pubsub import BrokerReconnected


async def merged(broker: Any, topics: list[str]) -> AsyncIterator[dict[str, Any]]:
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


async def streamed(info: Info, rows: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
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
