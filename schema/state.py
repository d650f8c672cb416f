"""The app's state as one typed object: what the factory builds, and the runtime that
start-up adds (database, live updates). ``state_of(app)`` finds it on a Starlette app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pluggy
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from authz.engine import AuthzEngine
from authz.identity_cache import IdentityCache
from core.auth import TokenVerifier
from core.database.faults import FaultLog
from core.pubsub import Broker
from core.ratelimit import RateLimiter
from core.runtime import Runtime
from core.settings import Settings
from core.storage import DiskStorage
from schema.compiled.cache import StatementCache
from schema.live_sessions import LiveSessions


class NotStarted(RuntimeError):
    """The app's database and live updates exist only while it serves (after start-up)."""


@dataclass(eq=False)
class AppState:
    settings: Settings
    plugin_manager: pluggy.PluginManager
    schema: strawberry.Schema
    authz: AuthzEngine
    #: (table, column) pairs holding attachment storage keys
    file_key_columns: tuple[tuple[str, str], ...]
    compiled_statements: StatementCache
    storage: DiskStorage
    rate_limiter: RateLimiter
    faults: FaultLog
    tokens: TokenVerifier
    #: set when the app starts serving, cleared when it stops
    started: Runtime | None = None
    identities: IdentityCache | None = None
    #: open WebSockets by sign-in session (closed when the session ends)
    live_sessions: LiveSessions = field(default_factory=LiveSessions)

    @property
    def runtime(self) -> Runtime:
        if self.started is None:
            raise NotStarted("the app has not started (its lifespan has not run)")
        return self.started

    @property
    def identity_cache(self) -> IdentityCache:
        if self.identities is None:
            raise NotStarted("the app has not started (its lifespan has not run)")
        return self.identities

    # the runtime's parts, as the app's
    @property
    def engine(self) -> AsyncEngine:
        return self.runtime.engine

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.runtime.sessionmaker

    @property
    def read_sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.runtime.read_sessionmaker

    @property
    def broker(self) -> Broker:
        return self.runtime.broker


def state_of(app: Any) -> AppState:
    """The gridgov state of a Starlette app made by ``create_app``."""
    state: AppState = app.state.gridgov
    return state
