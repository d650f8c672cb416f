"""Publish/subscribe across server processes over PostgreSQL LISTEN/NOTIFY.

Publishing: :func:`publish` adds a ``pg_notify`` to the caller's transaction, so the message
is delivered to every listening process only when that transaction commits, and never when it
rolls back. PostgreSQL folds identical notifications (same channel and payload) sent within one
transaction into one. Messages are small (at most :data:`MAX_MESSAGE_BYTES`): carry ids, and let
subscribers load what they need.

Subscribing: one :class:`Broker` per process (per app) holds one dedicated connection that
``LISTEN``\\s on :data:`CHANNEL` and fans messages out in-process by exact topic to
:class:`Subscription` iterators, each with a bounded queue. The listening connection must be a
plain session connection to the same database as the publishers (not through a pooler in
transaction mode).

Delivery guarantees and their limits:

- A subscriber that lets its queue fill up is disconnected: its iterator yields what was queued,
  then raises :class:`SubscriberTooSlow`. The listener never blocks and never drops silently.
- NOTIFY messages are not stored: those sent while the listening connection is down are lost.
  When the broker has reconnected (and is listening again), every subscription raises
  :class:`BrokerReconnected` once, in order after the messages queued before it. The subscription
  stays open: the client should reload its state, then keep iterating; anything committed after
  that reload is notified (changes committed between the reconnection and the reload may be seen
  twice, so handle messages idempotently).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, cast

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

CHANNEL = "gridgov"
MAX_MESSAGE_BYTES = 7900  # pg_notify refuses payloads of 8,000 bytes or more
TOPIC = re.compile(r"[a-z][a-z0-9_]*(:[A-Za-z0-9_.-]+)*")

log = logging.getLogger(__name__)

_WAKE = object()  # wakes a waiting iterator so that it notices its subscription has ended


class SubscriberTooSlow(Exception):
    """The subscription's queue was full: it was disconnected rather than block the broker."""


class BrokerReconnected(Exception):
    """The listening connection was lost and re-established: messages may have been lost."""


def check_topic(topic: str) -> str:
    """Return ``topic`` if it is well formed (``name`` or ``name:key:…``); else ValueError."""
    if not isinstance(topic, str) or not TOPIC.fullmatch(topic):
        raise ValueError(f"invalid pub/sub topic {topic!r}")
    return topic


def encode_message(topic: str, payload: dict[str, Any]) -> str:
    """The JSON text sent on the channel; ValueError if the topic or the size is wrong.

    Non-ASCII text is escaped (``\\uXXXX``), so the size is the same in any server encoding.
    """
    check_topic(topic)
    if not isinstance(payload, dict):
        raise TypeError("a pub/sub payload must be a dict")
    message = json.dumps({"topic": topic, "payload": payload}, separators=(",", ":"))
    size = len(message.encode())
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(
            f"pub/sub message for {topic!r} is {size} bytes (at most {MAX_MESSAGE_BYTES}): "
            "send ids, not content"
        )
    return message


#: every event's changes, with its region: {"id": …, "region": …} (region-wide streams)
EVENTS_TOPIC = "events"


async def publish(session: AsyncSession, topic: str, payload: dict[str, Any]) -> None:
    """Notify ``topic`` subscribers in every process once the session's transaction commits.

    Nothing is sent if the transaction rolls back. ``payload`` must be JSON-serialisable.
    """
    message = encode_message(topic, payload)
    await session.execute(
        text("SELECT pg_notify(:channel, :message)"), {"channel": CHANNEL, "message": message}
    )


async def publish_all(session: AsyncSession, messages: list[tuple[str, dict[str, Any]]]) -> None:
    """:func:`publish` of several messages in one statement (in their order)."""
    if not messages:
        return
    encoded = {
        f"m{i}": encode_message(topic, payload) for i, (topic, payload) in enumerate(messages)
    }
    calls = ", ".join(f"pg_notify(:channel, :{name})" for name in encoded)
    await session.execute(text(f"SELECT {calls}"), {"channel": CHANNEL, **encoded})


class Subscription:
    """Payload dicts published on one topic; an async iterator and an async context manager.

    Registered as soon as :meth:`Broker.subscribe` returns. Payload dicts are shared between the
    subscriptions to a topic: do not mutate them. Exiting the context (or :meth:`close`)
    unsubscribes. Iteration ends when the subscription is
    closed or the broker stops; it raises :class:`SubscriberTooSlow` (then ends) if the
    subscriber fell behind, and :class:`BrokerReconnected` (and may go on) after a reconnection.
    """

    def __init__(self, broker: Broker, topic: str, queue_size: int) -> None:
        self.topic = topic
        self._broker = broker
        self._queue: asyncio.Queue[Any] = asyncio.Queue(queue_size)
        self._ended = False
        self._error: BaseException | None = None

    @property
    def closed(self) -> bool:
        return self._ended

    def close(self) -> None:
        """Unsubscribe; messages already queued are still yielded, then iteration ends."""
        self._broker._remove(self)
        self._end(None)

    def _end(self, error: BaseException | None) -> None:
        if self._ended:
            return
        self._ended = True
        self._error = error
        with contextlib.suppress(asyncio.QueueFull):  # a full queue has no waiting reader
            self._queue.put_nowait(_WAKE)

    def _deliver(self, item: dict[str, Any] | BrokerReconnected) -> None:
        if self._ended:
            return
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("pub/sub subscriber to %r too slow: disconnected", self.topic)
            self._broker._remove(self)
            self._end(SubscriberTooSlow(f"subscriber to {self.topic!r} fell behind"))

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while True:
            if self._ended and self._queue.empty():
                error, self._error = self._error, None
                if error is not None:
                    raise error
                raise StopAsyncIteration
            item = await self._queue.get()
            if item is _WAKE:
                continue
            if isinstance(item, BrokerReconnected):
                raise item
            return cast(dict[str, Any], item)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class Broker:
    """One process's LISTEN connection, fanning messages out to subscriptions by topic."""

    BACKOFF_FIRST = 0.1  # seconds before the first reconnection attempt, doubled up to …
    BACKOFF_MAX = 5.0
    PING_INTERVAL = 30.0  # an idle listening connection is checked this often …
    PING_TIMEOUT = 10.0  # … and replaced if it does not answer within this

    def __init__(
        self, connect: Callable[[], Awaitable[asyncpg.Connection]], *, queue_size: int = 256
    ) -> None:
        """``connect`` opens a new asyncpg connection (called again on every reconnection)."""
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self._connect = connect
        self._queue_size = queue_size
        self._topics: dict[str, set[Subscription]] = {}
        self._watchers: dict[str, list[Callable[[dict[str, Any]], None]]] = {}
        self._conn: asyncpg.Connection | None = None
        self._epoch = 0
        self._lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(subs) for subs in self._topics.values())

    @property
    def listening(self) -> bool:
        """Whether the listening connection is open (False while reconnecting or stopped)."""
        return self._conn is not None and not self._conn.is_closed()

    @property
    def epoch(self) -> int | None:
        """Which listening connection is open (a new number on each reconnection), or None
        while none is: what was learnt from messages holds only within one epoch."""
        return self._epoch if self.listening else None

    @property
    def server_pid(self) -> int | None:
        """The listening connection's backend pid, if connected."""
        return self._conn.get_server_pid() if self.listening else None  # type: ignore[union-attr]  # listening: connected

    def subscribe(self, topic: str) -> Subscription:
        """A new subscription to ``topic`` (registered at once; ValueError if malformed)."""
        sub = Subscription(self, check_topic(topic), self._queue_size)
        self._topics.setdefault(topic, set()).add(sub)
        return sub

    def watch(self, topic: str, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback(payload)`` for every message on ``topic``, synchronously in the
        listener (no queue, so it is never dropped for being slow): it must be quick. An
        exception it raises is logged and does not stop other deliveries."""
        self._watchers.setdefault(check_topic(topic), []).append(callback)

    async def start(self) -> None:
        """Open the listening connection (connection errors propagate) and watch over it."""
        if self._task is not None:
            raise RuntimeError("the broker is already started")
        await self._open()
        self._task = asyncio.create_task(self._supervise(), name="pubsub-listener")

    async def stop(self) -> None:
        """Close the listening connection and end every subscription's iteration."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close()
        subs = [sub for subs in self._topics.values() for sub in subs]
        self._topics.clear()
        for sub in subs:
            sub._end(None)

    def _remove(self, sub: Subscription) -> None:
        subs = self._topics.get(sub.topic)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._topics[sub.topic]

    async def _open(self) -> None:
        conn = await self._connect()
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._on_notify)
        except BaseException:
            conn.terminate()
            raise
        self._conn, self._lost = conn, lost
        self._epoch += 1

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await conn.close(timeout=2)
        except Exception:
            conn.terminate()

    async def _wait_lost(self) -> None:
        """Return once the listening connection is closed or stops answering."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), self.PING_INTERVAL)
                return
            try:
                assert self._conn is not None
                await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self.PING_TIMEOUT)
            except Exception as exc:
                log.warning("pub/sub listening connection unresponsive: %r", exc)
                return

    async def _supervise(self) -> None:
        while True:
            await self._wait_lost()
            log.warning("pub/sub listening connection lost; reconnecting")
            await self._close()
            delay = self.BACKOFF_FIRST
            while True:
                try:
                    await self._open()
                    break
                except Exception as exc:
                    log.warning("pub/sub reconnection failed (retry in %.1fs): %r", delay, exc)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.BACKOFF_MAX)
            log.info("pub/sub listening connection re-established")
            for subs in list(self._topics.values()):
                for sub in list(subs):
                    sub._deliver(BrokerReconnected("pub/sub reconnected: messages may be lost"))

    def _on_notify(self, _conn: object, _pid: int, _channel: str, raw: str) -> None:
        try:
            message = json.loads(raw)
            topic, payload = message["topic"], message["payload"]
            if not isinstance(topic, str) or not isinstance(payload, dict):
                raise TypeError("topic must be a string and payload an object")
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring malformed pub/sub notification %.200r: %s", raw, exc)
            return
        for callback in self._watchers.get(topic, ()):
            try:
                callback(payload)
            except Exception:
                log.exception("pub/sub watcher of %r failed", topic)
        for sub in list(self._topics.get(topic, ())):
            sub._deliver(payload)
