"""What an actor may do where: per (category, action), the region-code prefixes reached.

Built once per request from the Casbin permissions of the actor's role and department
and the role's own-area rules; checks are prefix tests, never an enforcer call per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import ColumnElement, false, or_, true

from core.models.base import prefix_match
from core.tenancy import clip


class Reach:
    def __init__(
        self,
        grants: Mapping[tuple[str, str], Iterable[str]],
        ancestors: Mapping[str, tuple[str, ...]],
        tenancy: str = "",
    ) -> None:
        # ancestors[c] = (c, parent, grandparent…): a grant on any of them covers c.
        self._ancestors = ancestors
        #: nothing is reached outside it, whatever the grants say ("" = whole deployment)
        self.tenancy = tenancy
        self._grants: dict[tuple[str, str], frozenset[str]] = {
            k: frozenset(v) for k, v in grants.items()
        }
        self._cache: dict[tuple[str, str], tuple[str, ...]] = {}
        self._allowed: dict[tuple[str, str, str | None], bool] = {}

    @classmethod
    def empty(cls) -> Reach:
        return cls({}, {})

    def within(self, tenancy: str) -> Reach:
        """The same grants, confined to a tenancy (core.tenancy)."""
        if tenancy == self.tenancy:
            return self
        return Reach(self._grants, self._ancestors, tenancy)

    def prefixes(self, category: str, action: str = "read") -> tuple[str, ...]:
        """Minimal prefixes under which ``action`` on ``category`` is allowed ("" = all)."""
        key = (category, action)
        found = self._cache.get(key)
        if found is None:
            collected: set[str] = set()
            for cat in self._ancestors.get(category, (category,)):
                collected |= self._grants.get((cat, action), frozenset())
                collected |= self._grants.get((cat, "*"), frozenset())
            # drop prefixes covered by shorter ones
            minimal = sorted(collected, key=len)
            kept: list[str] = []
            for p in minimal:
                if not any(p.startswith(k) for k in kept):
                    kept.append(p)
            found = self._cache[key] = clip(kept, self.tenancy)
        return found

    def allows(self, category: str, action: str, code: str | None) -> bool:
        key = (category, action, code)
        found = self._allowed.get(key)
        if found is None:  # records of one grid share a code: decide once per code
            prefixes = self.prefixes(category, action)
            found = "" in prefixes or (
                code is not None and any(code.startswith(p) for p in prefixes)
            )
            self._allowed[key] = found
        return found

    def anywhere(self, category: str, action: str = "read") -> bool:
        return bool(self.prefixes(category, action))

    def where(
        self, category: str, action: str, column: ColumnElement[str | None]
    ) -> ColumnElement[bool]:
        """SQL predicate: the record's code lies where ``action`` on ``category`` is allowed."""
        prefixes = self.prefixes(category, action)
        if "" in prefixes:
            return true()
        if not prefixes:
            return false()
        return or_(*(prefix_match(column, p) for p in prefixes))

    def table(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """Every (category, action) granted somewhere, with its prefixes (for display)."""
        return {k: self.prefixes(*k) for k in sorted(self._grants)}


def merge(parts: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], set[str]]:
    """(prefix, category, action) rows → {(category, action): {prefixes}}."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for prefix, category, action in parts:
        out[(category, action)].add(prefix)
    return out
