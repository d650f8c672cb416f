"""The per-request context: one database session used one statement at a time, the actor,
and the request's DataLoaders (created on first use, so each request has its own cache)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader
from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from authz.audit import AccessLog
from core.actor import Actor
from core.database.faults import FaultLog
from core.database.identity import take_identity_changed
from core.pubsub import EVENTS_TOPIC, publish_all
from core.runtime import Runtime
from core.settings import Settings
from schema.loaders import Loader
from schema.state import AppState, NotStarted

L = TypeVar("L", bound=Loader[Any, Any])


class RequestFinished(RuntimeError):
    """A statement was asked for after the request's context was closed."""


@dataclass
class Context:
    request: HTTPConnection | None
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    actor: Actor
    plugin_manager: Any
    response: Any = None
    audit: AccessLog = field(default_factory=AccessLog)
    #: graphql-transport-ws connection_init payload (a WebSocket's token travels here)
    connection_params: Any = None
    #: called after a commit that changed what actors are built from (drops cached actors)
    on_identity_change: Callable[[], None] | None = None
    #: sessions on autocommit connections, for statements outside ``transaction()``
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    #: the app behind this request (settings, authorization engine, storage, runtime…)
    app_state: AppState | None = None
    _session: AsyncSession | None = None
    _reading: bool = False
    _closed: bool = False
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _loaders: dict[type, DataLoader[Any, Any]] = field(default_factory=dict)

    # Strawberry resolvers run concurrently; an AsyncSession must not. Every statement
    # goes through ``execute`` which holds the lock for the statement's duration.
    #
    # Reads need no transaction (each statement sees committed data, as it would in a READ
    # COMMITTED transaction): until a request writes, its statements run on an autocommit
    # connection, sparing BEGIN and ROLLBACK, two of a compiled list's three round trips.
    # ``transaction()`` swaps it for a session that opens a real transaction.
    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            if self._closed:  # a task that outlived its request (a DataLoader's batch)
                raise RequestFinished("the request has finished: no session to read with")
            self._reading = self.read_sessionmaker is not None
            maker = self.sessionmaker
            if self.read_sessionmaker is not None:
                maker = self.read_sessionmaker
            self._session = maker()
        return self._session

    async def execute(self, statement: Executable, params: Any = None) -> Result[Any]:
        async with self._lock:
            return await self.session.execute(statement, params)

    async def scalar(self, statement: Executable, params: Any = None) -> Any:
        async with self._lock:
            return await self.session.scalar(statement, params)

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[AsyncSession]:
        """The request's session for several statements in a row (no commit)."""
        async with self._lock:
            yield self.session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One mutation, one transaction: commit at the end, roll back on any error."""
        async with self._lock:
            if self._reading:  # give the autocommit connection back; write in a transaction
                await self._close_session()
            if self._session is None:
                self._session = self.sessionmaker()
            session = self._session
            try:
                yield session
                await session.commit()
            except BaseException:
                take_identity_changed(session)
                await session.rollback()
                raise
            if take_identity_changed(session) and self.on_identity_change is not None:
                self.on_identity_change()

    async def publish_event(self, session: AsyncSession, event: Any) -> None:
        """Tell subscribers (in every process, after commit) that an event changed: its
        own topic, whoever holds it now, and the stream of all events (by region)."""
        if event.assignee_department is not None:
            holder = f"tasks:dept:{event.assignee_department}"
        elif event.assignee_id is not None:
            holder = f"tasks:{event.assignee_id}"
        else:
            holder = f"tasks:level:{event.handling_region}"
        await publish_all(
            session,
            [
                (f"event:{event.id}", {"id": event.id, "status": event.status}),
                (holder, {"id": event.id}),
                (EVENTS_TOPIC, {"id": event.id, "region": event.region_code}),
            ],
        )

    @property
    def app(self) -> AppState:
        """The app's state behind this request (see ``schema.state.AppState``)."""
        if self.app_state is None:
            raise NotStarted("this context belongs to no app")
        return self.app_state

    @property
    def runtime(self) -> Runtime:
        """What the app hands its plugins: database, live updates, the plugins' state."""
        return self.app.runtime

    @property
    def faults(self) -> FaultLog | None:
        """The app's log of database faults (see core/database/faults.py)."""
        return self.app.faults if self.app_state is not None else None

    def loader(self, cls: type[L]) -> L:
        """This request's instance of the DataLoader class (made on first use)."""
        found = self._loaders.get(cls)
        if found is None:
            found = self._loaders[cls] = cls(self)
        return cast(L, found)

    async def fresh(self) -> None:
        """Start over for the next message of a long-lived subscription: no cached rows,
        no open transaction."""
        async with self._lock:
            self._loaders.clear()
            await self._close_session()

    async def _close_session(self) -> None:
        session, self._session, self._reading = self._session, None, False
        if session is not None:
            await session.close()

    async def close(self) -> None:
        """End the request: close its session once its last statement is done, and open
        no other (a connection opened after this would never be given back)."""
        async with self._lock:
            self._closed = True
            await self._close_session()
