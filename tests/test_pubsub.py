"""The LISTEN/NOTIFY broker: delivery on commit, fan-out, slow subscribers, reconnection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.database.engine import _asyncpg_dsn, make_engine, make_sessionmaker
from core.pubsub import (
    CHANNEL,
    MAX_MESSAGE_BYTES,
    Broker,
    BrokerReconnected,
    SubscriberTooSlow,
    Subscription,
    encode_message,
    publish,
)
from core.settings import Settings

Connect = Callable[[], Awaitable[asyncpg.Connection]]
WAIT = 5.0  # upper bound on any wait for something that should arrive
QUIET = 0.3  # how long to watch for something that should not arrive


@pytest.fixture
def connect(db_url: str) -> Connect:
    kwargs = _asyncpg_dsn(db_url)

    async def open_connection() -> asyncpg.Connection:
        return await asyncpg.connect(**kwargs)  # type: ignore[arg-type]

    return open_connection


@pytest_asyncio.fixture
async def sessions(db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(db_url, Settings(database_url=db_url))
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest_asyncio.fixture
async def new_broker(connect: Connect) -> AsyncIterator[Callable[..., Awaitable[Broker]]]:
    """Start brokers (one per simulated process); all are stopped afterwards."""
    started: list[Broker] = []

    async def make(**kwargs: Any) -> Broker:
        broker = Broker(connect, **kwargs)
        await broker.start()
        started.append(broker)
        return broker

    yield make
    for broker in started:
        await asyncio.wait_for(broker.stop(), WAIT)


async def send(
    sessions: async_sessionmaker[AsyncSession], *messages: tuple[str, dict[str, Any]]
) -> None:
    """Publish ``messages`` in one committed transaction."""
    async with sessions() as session, session.begin():
        for topic, payload in messages:
            await publish(session, topic, payload)


async def receive(sub: Subscription) -> dict[str, Any]:
    return await asyncio.wait_for(anext(sub), WAIT)


async def assert_nothing(*subs: Subscription) -> None:
    for sub in subs:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(anext(sub), QUIET)


async def test_committed_messages_reach_every_process_only_after_commit(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await new_broker(), await new_broker()
    one, two = first.subscribe("event:7"), second.subscribe("event:7")
    assert first.subscriber_count == second.subscriber_count == 1

    async with sessions() as session, session.begin():
        await publish(session, "event:7", {"event_id": 7, "change": "updated"})
        await publish(session, "event:7", {"event_id": 7, "change": "assigned"})
        await session.flush()
        await assert_nothing(one, two)  # still inside the transaction

    for sub in (one, two):
        assert await receive(sub) == {"event_id": 7, "change": "updated"}
        assert await receive(sub) == {"event_id": 7, "change": "assigned"}


async def test_rollback_delivers_nothing(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker()
    sub = broker.subscribe("task:G1")
    async with sessions() as session:
        async with session.begin():
            await publish(session, "task:G1", {"task_id": 1})
            await session.rollback()
        async with session.begin():
            await publish(session, "task:G1", {"task_id": 2})
    assert await receive(sub) == {"task_id": 2}
    await assert_nothing(sub)


async def test_topics_are_isolated(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker()
    a, b, c = broker.subscribe("event:1"), broker.subscribe("event:2"), broker.subscribe("event")
    await send(sessions, ("event:1", {"n": 1}))
    await send(sessions, ("event:2", {"n": 2}), ("event", {"n": 3}))
    assert await receive(a) == {"n": 1}
    assert await receive(b) == {"n": 2}  # not event:1's message
    assert await receive(c) == {"n": 3}
    await assert_nothing(a)


async def test_unsubscribe(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker()
    stays = broker.subscribe("event:1")
    async with broker.subscribe("event:1") as leaves:
        assert broker.subscriber_count == 2
        await send(sessions, ("event:1", {"n": 1}))
        assert await receive(leaves) == {"n": 1}
    assert broker.subscriber_count == 1
    assert leaves.closed
    await send(sessions, ("event:1", {"n": 2}))
    assert await receive(stays) == {"n": 1}
    assert await receive(stays) == {"n": 2}
    with pytest.raises(StopAsyncIteration):
        await receive(leaves)
    stays.close()
    assert broker.subscriber_count == 0


async def test_bad_topics_and_oversized_messages_are_refused(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker()
    sub = broker.subscribe("event:big")
    bad = ["", "Event", "1event", "event:", "event::1", "event:a b", "event\n", "ev-ent", "é"]
    async with sessions() as session, session.begin():
        for topic in bad:
            with pytest.raises(ValueError, match="topic"):
                await publish(session, topic, {})
        with pytest.raises(ValueError, match="bytes"):
            await publish(session, "event:big", {"blob": "x" * MAX_MESSAGE_BYTES})
        with pytest.raises(ValueError, match="bytes"):  # counted encoded: \\u escapes
            await publish(session, "event:big", {"title": "网格" * 1000})
        # the largest accepted message goes through pg_notify
        overhead = len(encode_message("event:big", {"blob": ""}))
        await publish(session, "event:big", {"blob": "x" * (MAX_MESSAGE_BYTES - overhead)})
    for topic in bad:
        with pytest.raises(ValueError):
            broker.subscribe(topic)
    assert len((await receive(sub))["blob"]) == MAX_MESSAGE_BYTES - overhead
    for topic in ("event", "event:42", "grid_task:G1.2-3:Ab_9"):
        broker.subscribe(topic).close()


async def test_malformed_notifications_are_ignored(
    new_broker: Callable[..., Awaitable[Broker]],
    sessions: async_sessionmaker[AsyncSession],
    connect: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="core.pubsub")
    broker = await new_broker()
    sub = broker.subscribe("event:1")
    conn = await connect()
    try:
        for raw in ["not json", "[1]", '{"topic": "event:1"}', '{"topic": 1, "payload": {}}']:
            await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, raw)
    finally:
        await conn.close()
    await send(sessions, ("event:1", {"ok": True}))
    assert await receive(sub) == {"ok": True}
    assert sum("malformed" in r.message for r in caplog.records) == 4
    assert broker.listening


async def test_slow_subscriber_is_disconnected_while_fast_ones_go_on(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker(queue_size=3)
    fast, slow = broker.subscribe("task:G1"), broker.subscribe("task:G1")
    for n in range(6):
        await send(sessions, ("task:G1", {"n": n}))
        assert await receive(fast) == {"n": n}
    assert broker.subscriber_count == 1  # the slow one was dropped at its 4th message
    assert [await receive(slow) for _ in range(3)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    with pytest.raises(SubscriberTooSlow):
        await receive(slow)
    with pytest.raises(StopAsyncIteration):
        await receive(slow)
    await send(sessions, ("task:G1", {"n": 6}))
    assert await receive(fast) == {"n": 6}


async def test_reconnects_after_the_listener_is_killed(
    new_broker: Callable[..., Awaitable[Broker]],
    sessions: async_sessionmaker[AsyncSession],
    connect: Connect,
) -> None:
    broker, other = await new_broker(), await new_broker()
    one, two = broker.subscribe("event:1"), broker.subscribe("task:G1")
    elsewhere = other.subscribe("event:1")
    await send(sessions, ("event:1", {"n": 1}))
    assert await receive(one) == {"n": 1}
    pid = broker.server_pid
    assert pid is not None
    conn = await connect()
    try:
        listeners = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = "
            "current_database()"
        )
        assert pid in {row["pid"] for row in listeners}
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()

    for sub in (one, two):
        with pytest.raises(BrokerReconnected):
            await receive(sub)
    assert broker.listening and broker.server_pid not in (None, pid)
    assert broker.subscriber_count == 2

    await send(sessions, ("event:1", {"n": 2}), ("task:G1", {"n": 3}))
    assert await receive(one) == {"n": 2}  # the same subscription goes on
    assert await receive(two) == {"n": 3}
    assert await receive(elsewhere) == {"n": 1}  # the other process was not affected
    assert await receive(elsewhere) == {"n": 2}


async def kill(connect: Connect, pid: int) -> None:
    conn = await connect()
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def test_reconnection_retries_with_backoff(
    connect: Connect, sessions: async_sessionmaker[AsyncSession]
) -> None:
    failures, refusing = 3, False

    async def flaky_connect() -> asyncpg.Connection:
        nonlocal failures  # refuse the first reconnection attempts
        if refusing and failures > 0:
            failures -= 1
            raise ConnectionRefusedError("database unreachable")
        return await connect()

    broker = Broker(flaky_connect)
    await broker.start()
    try:
        sub = broker.subscribe("event:1")
        pid = broker.server_pid
        assert pid is not None
        loop = asyncio.get_running_loop()
        killed_at, refusing = loop.time(), True
        await kill(connect, pid)
        with pytest.raises(BrokerReconnected):
            await receive(sub)
        assert failures == 0
        assert loop.time() - killed_at >= 0.1 + 0.2 + 0.4  # three waits, doubling
        await send(sessions, ("event:1", {"n": 1}))
        assert await receive(sub) == {"n": 1}
    finally:
        await asyncio.wait_for(broker.stop(), WAIT)


async def test_stop_ends_every_iterator(
    new_broker: Callable[..., Awaitable[Broker]], sessions: async_sessionmaker[AsyncSession]
) -> None:
    broker = await new_broker()
    waiting, idle = broker.subscribe("event:1"), broker.subscribe("event:2")

    async def collect() -> list[dict[str, Any]]:
        return [payload async for payload in waiting]

    task = asyncio.create_task(collect())
    await send(sessions, ("event:1", {"n": 1}))
    await asyncio.sleep(QUIET)
    assert not task.done()
    await asyncio.wait_for(broker.stop(), WAIT)
    assert await asyncio.wait_for(task, WAIT) == [{"n": 1}]
    with pytest.raises(StopAsyncIteration):
        await receive(idle)
    assert broker.subscriber_count == 0
    assert not broker.listening


async def test_watchers_and_epochs(
    new_broker: Callable[..., Awaitable[Broker]],
    sessions: async_sessionmaker[AsyncSession],
    connect: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Watchers are called for their topic without a queue (one failing does not stop the
    others); the epoch names the listening connection and changes on reconnection."""
    broker = await new_broker()
    seen: list[dict[str, Any]] = []

    def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("watcher bug")

    broker.watch("identity", broken)
    broker.watch("identity", seen.append)
    sub = broker.subscribe("identity")
    first = broker.epoch
    assert first is not None
    with caplog.at_level(logging.ERROR, logger="core.pubsub"):
        await send(sessions, ("identity", {"n": 1}), ("other", {"n": 2}))
        assert await receive(sub) == {"n": 1}
    assert seen == [{"n": 1}]  # delivered before the subscription's queue was read
    assert "watcher of 'identity' failed" in caplog.text
    await kill(connect, broker.server_pid)  # type: ignore[arg-type]
    with pytest.raises(BrokerReconnected):
        await receive(sub)
    assert broker.epoch is not None and broker.epoch != first
    await broker.stop()
    assert broker.epoch is None
    with pytest.raises(ValueError):
        broker.watch("Bad Topic", seen.append)
