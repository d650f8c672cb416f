"""Default rules of every role. ``own`` means the actor's own area (a grid worker's grid,
staff's region, a department's served areas); ``all`` means the whole deployment.

Department staff get nothing here beyond public data: exactly what their department's
grants say. Admins manage grants and see non-personal data; personal categories stay
masked for them unless granted. Auditors read the access audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.models.account import Role

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
