"""Who is asking: the authenticated account (or nobody) and what it may do where."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.errors import Forbidden, Unauthenticated
from core.models.account import Role
from core.reach import Reach
from core.tenancy import contains

STAFF_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.TOWNSHIP_STAFF,
        Role.DISTRICT_COMMAND,
        Role.DEPARTMENT_STAFF,
        Role.ADMIN,
        Role.AUDITOR,
    }
)


@dataclass(frozen=True, slots=True)
class Actor:
    account_id: int | None = None
    username: str | None = None
    role: Role | None = None
    region_code: str | None = None
    department_code: str | None = None
    #: The actor's own areas (a worker's grid, staff's region) as code prefixes.
    area_prefixes: tuple[str, ...] = field(default_factory=tuple)
    reach: Reach = field(default_factory=Reach.empty)
    #: the division-code prefix the actor's reach never leaves ("" = whole deployment)
    tenancy: str = ""
    #: the account's open sign-in sessions when the actor was read (a token's ``sid`` must
    #: be one of them)
    sessions: frozenset[int] = frozenset()
    #: the session of the request's token (None: no token, or a signed file link)
    session_id: int | None = None

    @property
    def authenticated(self) -> bool:
        return self.account_id is not None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def in_tenancy(self, code: str | None) -> bool:
        """The code lies inside the actor's tenancy."""
        return contains(self.tenancy, code)


ANONYMOUS = Actor()


def require_category(actor: Actor, category: str, action: str = "read") -> None:
    """The actor may ``action`` the category somewhere (else 401/403)."""
    if actor.reach.anywhere(category, action):
        return
    if not actor.authenticated:
        raise Unauthenticated("log in to read this data")
    raise Forbidden(f"you hold no '{action}' grant on '{category}'")
