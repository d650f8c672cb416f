"""Building blocks for per-request DataLoaders: one SQL statement per batch of keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, Select

from schema.context import Context


def one_loader(
    ctx: Context, statement: Select[Any], key: ColumnElement[Any], key_name: str
) -> DataLoader:
    """Loads at most one row per key: ``statement WHERE key IN (…)``."""

    async def batch(keys: Sequence[Any]) -> list[Any]:
        rows = (await ctx.execute(statement.where(key.in_(list(keys))))).all()
        by_key = {getattr(r, key_name): r for r in rows}
        return [by_key.get(k) for k in keys]

    return DataLoader(batch)


def many_loader(
    ctx: Context,
    statement: Select[Any],
    key: ColumnElement[Any],
    key_name: str,
    transform: Callable[[Any], Any] | None = None,
) -> DataLoader:
    """Loads the list of rows of each key (in the statement's order)."""

    async def batch(keys: Sequence[Any]) -> list[list[Any]]:
        rows = (await ctx.execute(statement.where(key.in_(list(keys))))).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for r in rows:
            grouped[getattr(r, key_name)].append(transform(r) if transform else r)
        return [grouped.get(k, []) for k in keys]

    return DataLoader(batch)


def grouped_loader(
    ctx: Context,
    fetch: Callable[[tuple[Any, ...], list[Any]], Any],
) -> DataLoader:
    """Keys are ``(owner, *arguments)``: the owners sharing the same arguments are loaded
    together by ``await fetch(arguments, owners)``, which returns ``{owner: value}``
    (missing owners get ``[]``). One statement per distinct set of arguments, however
    many owners the page holds."""

    async def batch(keys: Sequence[tuple[Any, ...]]) -> list[Any]:
        groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for owner, *arguments in keys:
            groups[tuple(arguments)].append(owner)
        found: dict[tuple[Any, ...], dict[Any, Any]] = {}
        for arguments, owners in groups.items():
            found[arguments] = await fetch(arguments, owners)
        return [found[tuple(arguments)].get(owner, []) for owner, *arguments in keys]

    return DataLoader(batch)
