"""Default rules of every role. ``own`` means the actor's own area (a grid worker's grid,
staff's region, a department's served areas); ``all`` means the whole deployment.

Department staff get nothing here beyond public data: exactly what their department's
grants say. Admins manage grants and see non-personal data; personal categories stay
masked for them unless granted. Auditors read the access audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, cast

from core.models.account import Role
from core.models.authz import ACTIONS

Scope = Literal["own", "all"]
EVERY_ROOT = "*"  # every root category of the tree (core and plugins)
FIELD_WORK = ("person", "place", "thing", "organization", "event")
PERSONAL = ("person:identity", "person:contact", "person:special_group")


@dataclass(frozen=True, slots=True)
class Rule:
    categories: tuple[str, ...]
    actions: tuple[str, ...]
    scope: Scope


PUBLIC = Rule(("region",), ("read",), "all")

ROLE_RULES: dict[Role, tuple[Rule, ...]] = {
    Role.CITIZEN: (PUBLIC,),
    Role.GRID_WORKER: (PUBLIC, Rule(FIELD_WORK, ("read", "write", "handle"), "own")),
    Role.COMMUNITY_STAFF: (PUBLIC, Rule(FIELD_WORK, ("read", "write", "handle"), "own")),
    Role.TOWNSHIP_STAFF: (PUBLIC, Rule(FIELD_WORK, ("read", "write", "handle"), "own")),
    Role.DISTRICT_COMMAND: (PUBLIC, Rule((EVERY_ROOT,), ("read", "write", "handle"), "all")),
    Role.DEPARTMENT_STAFF: (PUBLIC,),
    Role.ADMIN: (
        PUBLIC,
        Rule(("person:basic", "place", "thing", "organization", "event"), ("read",), "all"),
        Rule((EVERY_ROOT,), ("grant",), "all"),
    ),
    Role.AUDITOR: (PUBLIC, Rule(("audit",), ("read",), "all")),
}


def with_plugin_rules(
    rows: Iterable[tuple[str, str, str, str]],
) -> dict[Role, tuple[Rule, ...]]:
    """The role rules plus plugins' ``(role, category, action, scope)`` rows; an unknown
    role, action or scope fails start-up."""
    merged = {role: list(rules) for role, rules in ROLE_RULES.items()}
    for role_name, category, action, scope in rows:
        try:
            role = Role(role_name)
        except ValueError:
            raise ValueError(f"a plugin rule names an unknown role {role_name!r}") from None
        if action not in ACTIONS:
            raise ValueError(
                f"a plugin rule's action must be one of {', '.join(ACTIONS)}, not {action!r}"
            )
        if scope not in ("own", "all"):
            raise ValueError(f"a plugin rule's scope must be own or all, not {scope!r}")
        merged[role].append(Rule((category,), (action,), cast(Scope, scope)))  # checked above
    return {role: tuple(rules) for role, rules in merged.items()}
