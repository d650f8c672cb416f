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
from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

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


class _KeyedLoader(Loader[Any, Any]):
    """``statement WHERE key = ANY(:keys)``: the keys are one array parameter, so the
    statement is built once per class and its SQL is the same for any number of keys
    (an ``IN (…)`` list is rendered anew for each batch)."""

    statement: ClassVar[Statement]
    key: ClassVar[Column]
    key_name: ClassVar[str]
    batch_statement: ClassVar[Statement]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "statement"):  # a loader, not a kind of loader
            keys = bindparam("keys", type_=ARRAY(cls.key.type))
            cls.batch_statement = cls.statement.where(cls.key == any_(keys))

    async def rows(self, keys: list[Any]) -> Any:
        return (await self.ctx.execute(type(self).batch_statement, {"keys": list(keys)})).all()


class OneLoader(_KeyedLoader):
    """At most one row per key."""

    async def load_batch(self, keys: list[Any]) -> list[Any]:
        rows = await self.rows(keys)
        by_key = {getattr(r, type(self).key_name): r for r in rows}
        return [by_key.get(k) for k in keys]


class ManyLoader(_KeyedLoader):
    """The list of rows of each key, in the statement's order."""

    async def load_batch(self, keys: list[Any]) -> list[list[Any]]:
        cls = type(self)
        rows = await self.rows(keys)
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
