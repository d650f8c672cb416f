"""What a running app hands its plugins (``gridgov_startup``/``gridgov_shutdown`` and every
request's ``info.context.runtime``): the settings, the database, live updates, and a typed
place for each plugin's own state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar, cast

import pluggy
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.pubsub import Broker
from core.settings import Settings

T = TypeVar("T")


class PluginState:
    """One object per class, made (with no arguments) on first use and kept as long as the
    app runs: ``runtime.state.of(MyPluginState).partitions``. A plugin keys its state by a
    class of its own, so two plugins never share a slot and a reader gets its type back."""

    def __init__(self) -> None:
        self._by_class: dict[type, object] = {}

    def of(self, cls: type[T]) -> T:
        found = self._by_class.get(cls)
        if found is None:
            found = self._by_class[cls] = cls()
        return cast(T, found)

    def __contains__(self, cls: type) -> bool:
        return cls in self._by_class


@dataclass(eq=False)
class Runtime:
    """The running app, as a plugin sees it.

    ``sessionmaker`` opens sessions on the app's pool (use ``async with
    runtime.sessionmaker() as session, session.begin():``); ``broker`` publishes and
    subscribes to live updates across processes; ``state`` keeps the plugin's own objects.
    """

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    #: sessions on autocommit connections: each statement on its own, no transaction
    read_sessionmaker: async_sessionmaker[AsyncSession]
    broker: Broker
    #: the app's plugin manager: a plugin offering its own extension points (analytics'
    #: panels and modules) collects the other plugins' contributions through it
    plugins: pluggy.PluginManager
    state: PluginState = field(default_factory=PluginState)
