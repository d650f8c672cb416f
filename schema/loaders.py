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
