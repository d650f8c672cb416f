"""The Casbin enforcer of one app, kept in step with the grants in PostgreSQL.

Casbin holds the role-wide rules, every active department grant and the category tree
(g2). Identifying an account reads the grant version with it (no extra statement); when
it moved — in this or any other process — the policies are reloaded first. Actors kept
between requests (identity_cache.py) are dropped when grants change, so the next request
identifies again and sees the new version.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import casbin
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from authz.rules import EVERY_ROOT, ROLE_RULES, Rule
from core.categories import DataCategory
from core.models.account import Role
from core.models.authz import DepartmentGrant
from core.reach import Reach, merge

MODEL = Path(__file__).with_name("model.conf")


def ancestors_of(tree: dict[str, DataCategory]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name in tree:
        chain: list[str] = []
        current: str | None = name
        while current is not None:
            chain.append(current)
            current = tree[current].parent
        out[name] = tuple(chain)
    return out


class AuthzEngine:
    def __init__(
        self,
        tree: dict[str, DataCategory],
        rules: dict[Role, tuple[Rule, ...]] | None = None,
    ) -> None:
        self.tree = tree
        self.rules = rules if rules is not None else ROLE_RULES
        self.ancestors = ancestors_of(tree)
        self.roots = tuple(sorted(n for n, c in tree.items() if c.parent is None))
        self.version: int | None = None
        self._next_expiry: datetime | None = None
        self._enforcer: casbin.Enforcer | None = None
        self._lock = asyncio.Lock()
        self._subjects: dict[str, list[tuple[str, str, str]]] = {}
        self._public: Reach | None = None

    def _categories(self, names: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for name in names:
            if name == EVERY_ROOT:
                out.extend(self.roots)
            elif name in self.tree:
                out.append(name)
        return out

    @property
    def next_expiry(self) -> datetime | None:
        """When the next loaded grant expires (reaches computed now hold until then)."""
        return self._next_expiry

    def _stale(self, version: int) -> bool:
        expired = self._next_expiry is not None and datetime.now(UTC) >= self._next_expiry
        return self._enforcer is None or version != self.version or expired

    async def refresh(self, session: AsyncSession, version: int) -> None:
        """Reload policies when the version moved or a grant expired since the last load."""
        if not self._stale(version):
            return
        async with self._lock:
            if not self._stale(version):
                return
            now = datetime.now(UTC)
            grants = (
                await session.execute(
                    select(
                        DepartmentGrant.department_code,
                        DepartmentGrant.category,
                        DepartmentGrant.region_prefix,
                        DepartmentGrant.action,
                        DepartmentGrant.expires_at,
                    ).where(DepartmentGrant.revoked_at.is_(None))
                )
            ).all()
            enforcer = casbin.Enforcer(str(MODEL))
            policies: list[list[str]] = []
            for role, rules in self.rules.items():
                for rule in rules:
                    if rule.scope != "all":
                        continue
                    for category in self._categories(rule.categories):
                        policies.extend(
                            [f"role:{role.value}", "*", category, action] for action in rule.actions
                        )
            next_expiry: datetime | None = None
            for g in grants:
                if g.expires_at is not None:
                    if g.expires_at <= now:
                        continue
                    next_expiry = min(next_expiry or g.expires_at, g.expires_at)
                policies.append(
                    [f"dept:{g.department_code}", f"{g.region_prefix}*", g.category, g.action]
                )
            if policies:
                enforcer.add_policies(policies)
            tree_links = [[n, c.parent] for n, c in self.tree.items() if c.parent]
            if tree_links:
                enforcer.add_named_grouping_policies("g2", tree_links)
            self._enforcer = enforcer
            self._subjects = {}
            self._next_expiry = next_expiry
            self.version = version

    def _permissions(self, subject: str) -> list[tuple[str, str, str]]:
        found = self._subjects.get(subject)
        if found is None:
            assert self._enforcer is not None, "refresh() first"
            rows = self._enforcer.get_implicit_permissions_for_user(subject)
            found = self._subjects[subject] = [
                (dom.removesuffix("*"), obj, act) for _, dom, obj, act in rows
            ]
        return found

    def enforce(self, subject: str, code: str, category: str, action: str) -> bool:
        """Casbin's own answer for one request (used to cross-check; lists use Reach)."""
        assert self._enforcer is not None, "refresh() first"
        return bool(self._enforcer.enforce(subject, code, category, action))

    def reach(self, role: Role | None, department_code: str | None, own: tuple[str, ...]) -> Reach:
        """What an actor of this role (and department), owning these areas, may do where."""
        if role is None:  # the public: the same for every request, whatever the grants
            if self._public is None:
                self._public = Reach(merge([("", "region", "read")]), self.ancestors)
            return self._public
        rows = list(self._permissions(f"role:{role.value}"))
        if department_code is not None:
            rows.extend(self._permissions(f"dept:{department_code}"))
        for rule in self.rules[role]:
            if rule.scope == "own":
                rows.extend(
                    (prefix, category, action)
                    for prefix in own
                    for category in self._categories(rule.categories)
                    for action in rule.actions
                )
        return Reach(merge(rows), self.ancestors)
