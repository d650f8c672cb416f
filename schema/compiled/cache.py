"""Compiled statements kept per app: building a statement and its SQLAlchemy cache key
costs about as much as running it, and the same query shape comes back for each actor."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from schema.compiled.selection import Selected


class StatementCache:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = build()
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return found

    def __len__(self) -> int:
        return len(self._items)


def shape(selected: list[Selected]) -> tuple[Any, ...]:
    """A hashable form of a selection (keys, names, arguments, sub-selections)."""

    def frozen(value: Any) -> Any:
        if isinstance(value, dict):
            return tuple(sorted((k, frozen(v)) for k, v in value.items()))
        if isinstance(value, list):
            return tuple(frozen(v) for v in value)
        return value

    return tuple((f.key, f.name, frozen(f.args), shape(f.children)) for f in selected)
