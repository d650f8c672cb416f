"""Per-request DataLoaders as typed classes: ``ctx.loader(GridByIdLoader).load(3)`` makes
one instance per request on first use (its cache lives as long as the request) and keys it
by its class, so a loader is found by import, never by a string name. A loader issues one
SQL statement per batch of keys.

Subclass ``Loader`` and write ``load_batch``; or declare ``OneLoader``/``ManyLoader`` with a
``statement``, its ``key`` column and the row attribute ``key_name`` holding the key; or
subclass ``GroupedLoader`` for keys ``(owner, *arguments)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from aiodataloader import DataLoader

from schema.pagination import Column, Statement

if TYPE_CHECKING:
    from schema.context import Context


K = TypeVar("K")
V = TypeVar("V")


class Loader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader bound to one request's context."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        super().__init__(self.load_batch)

    async def load_batch(self, keys: list[K]) -> list[V]:
        """The values of ``keys``, in their order (``None`` or ``[]`` for a missing one)."""
        raise NotImplementedError


class OneLoader(Loader[Any, Any]):
    """At most one row per key: ``statement WHERE key IN (…)``."""

    statement: ClassVar[Statement]
    key: ClassVar[Column]
    key_name: ClassVar[str]

    async def load_batch(self, keys: list[Any]) -> list[Any]:
        # through the class: a mapped attribute read through an instance wants a mapped one
        cls = type(self)
        rows = (await self.ctx.execute(cls.statement.where(cls.key.in_(list(keys))))).all()
        by_key = {getattr(r, cls.key_name): r for r in rows}
        return [by_key.get(k) for k in keys]


class ManyLoader(Loader[Any, list[Any]]):
    """The list of rows of each key, in the statement's order."""

    statement: ClassVar[Statement]
    key: ClassVar[Column]
    key_name: ClassVar[str]

    async def load_batch(self, keys: list[Any]) -> list[list[Any]]:
        cls = type(self)
        rows = (await self.ctx.execute(cls.statement.where(cls.key.in_(list(keys))))).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[getattr(r, cls.key_name)].append(r)
        return [grouped.get(k, []) for k in keys]


class GroupedLoader(Loader[tuple[Any, ...], Any]):
    """Keys are ``(owner, *arguments)``: the owners sharing the same arguments are loaded
    together by ``fetch(arguments, owners)``, which returns ``{owner: value}`` (missing
    owners get ``[]``). One statement per distinct set of arguments, however many owners
    the page holds."""

    async def fetch(self, arguments: tuple[Any, ...], owners: list[Any]) -> Mapping[Any, Any]:
        raise NotImplementedError

    async def load_batch(self, keys: list[tuple[Any, ...]]) -> list[Any]:
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for owner, *rest in keys:
            groups[tuple(rest)].append(owner)
        found: dict[tuple[Any, ...], Mapping[Any, Any]] = {}
        for arguments, owners in groups.items():
            found[arguments] = await self.fetch(arguments, owners)
        return [found[tuple(rest)].get(owner, []) for owner, *rest in keys]
