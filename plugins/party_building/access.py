"""Who reaches which party data.

Two ways in, either is enough:

* a grant by region: ``party`` (organizations, meetings, service) or ``party:member``
  (members' records: personal, every unmasked read audited) tested against the
  ``area_code`` of the organization (the region or grid it serves); the district command
  centre reaches all, township and community staff reach ``party`` in their area;
* staffing: an account made staff of an organization reads and writes that
  organization's whole subtree, members included (``party_staff``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import Forbidden, NotFound, Unauthenticated
from core.models.base import prefix_match
from plugins.party_building.models import PartyOrganization, PartyStaff

PARTY = "party"
MEMBER = "party:member"
#: the access audit's name for a member record
MEMBER_KIND = "party_member"


async def staffed_paths(session: AsyncSession, account_id: int | None) -> tuple[str, ...]:
    """The paths of the organizations an account staffs (their subtrees are its own)."""
    if account_id is None:
        return ()
    rows = await session.execute(
        select(PartyOrganization.path)
        .join(PartyStaff, PartyStaff.organization_id == PartyOrganization.id)
        .where(PartyStaff.account_id == account_id)
    )
    return tuple(sorted(r[0] for r in rows))


@dataclass(frozen=True, slots=True)
class PartyAccess:
    """An actor's reach on party data: region grants plus staffed subtrees."""

    actor: Actor
    paths: tuple[str, ...] = ()

    def staffs(self, path: str) -> bool:
        return any(path.startswith(p) for p in self.paths)

    def allows(self, org: Any, action: str = "read", category: str = PARTY) -> bool:
        """May the actor ``action`` ``category`` data of this organization (a row with
        ``path`` and ``area_code``)?"""
        return self.staffs(org.path) or self.actor.reach.allows(category, action, org.area_code)

    def where(
        self, action: str = "read", category: str = PARTY, org: Any = PartyOrganization
    ) -> ColumnElement[bool]:
        """SQL: organizations (``org``, an alias or the table) the actor reaches."""
        by_region = self.actor.reach.where(category, action, org.area_code)
        if not self.paths:
            return by_region
        return or_(by_region, *(prefix_match(org.path, p) for p in self.paths))

    def anywhere(self, category: str = PARTY, action: str = "read") -> bool:
        return bool(self.paths) or self.actor.reach.anywhere(category, action)

    def require_any(self, category: str = PARTY, action: str = "read") -> None:
        """The actor may ``action`` ``category`` somewhere (else 401/403)."""
        if self.anywhere(category, action):
            return
        if not self.actor.authenticated:
            raise Unauthenticated("log in to read party data")
        raise Forbidden(f"you hold no '{action}' grant on '{category}' and staff no organization")

    def require(self, org: Any, action: str, category: str = PARTY) -> None:
        """The actor may ``action`` here; an organization they cannot even read is
        NOT_FOUND (its existence is not told), one they read but may not change FORBIDDEN."""
        if self.allows(org, action, category):
            return
        if not self.actor.authenticated:
            raise Unauthenticated("log in to change party data")
        if (action != "read" or category != PARTY) and self.allows(org, "read", PARTY):
            raise Forbidden(f"you may not {action} '{category}' data of organization {org.code}")
        raise NotFound(f"no party organization has the id {org.id}", argument="organizationId")


async def access_for(session: AsyncSession, actor: Actor) -> PartyAccess:
    """The actor's party access, read from the database (one statement)."""
    return PartyAccess(actor, await staffed_paths(session, actor.account_id))


async def organization(
    session: AsyncSession,
    access: PartyAccess,
    org_id: int,
    action: str = "read",
    category: str = PARTY,
    argument: str = "organizationId",
) -> PartyOrganization:
    """The organization (for ``action`` on ``category``); NOT_FOUND when there is none or
    the actor may not read it, FORBIDDEN when they read it but may not ``action`` it."""
    found = await session.get(PartyOrganization, org_id)
    if found is None or not access.allows(found, "read", PARTY):
        raise NotFound(f"no party organization has the id {org_id}", argument=argument)
    access.require(found, action, category)
    return found


def subtree(path: str, org: Any = PartyOrganization) -> ColumnElement[bool]:
    """SQL: the organization of ``path`` and every one below it."""
    return prefix_match(org.path, path)


def of_paths(paths: Sequence[str], org: Any = PartyOrganization) -> ColumnElement[bool]:
    return or_(*(subtree(p, org) for p in paths)) if paths else false()
