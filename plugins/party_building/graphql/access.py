"""Party access in GraphQL: the actor's staffed subtrees read once per request, and the
audited reveal of a member's record."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from plugins.party_building.access import MEMBER, MEMBER_KIND, PartyAccess, staffed_paths
from schema.audit import operation_of
from schema.loaders import Loader


class StaffedPathsLoader(Loader[int, tuple[str, ...]]):
    """The paths of the organizations an account staffs (asked once per request)."""

    async def load_batch(self, keys: list[int]) -> list[tuple[str, ...]]:
        async with self.ctx.locked() as session:
            return [await staffed_paths(session, k) for k in keys]


async def access_in(ctx: Any) -> PartyAccess:
    """The requesting actor's party access (region grants and staffed subtrees). Not inside
    ``ctx.transaction()``: a mutation asks ``access_for(session, actor)`` there."""
    actor = ctx.actor
    if actor.account_id is None:
        return PartyAccess(actor)
    return PartyAccess(actor, await ctx.loader(StaffedPathsLoader).load(actor.account_id))


async def access_of(info: Info) -> PartyAccess:
    return await access_in(info.context)


def reveal_member(info: Info, access: PartyAccess, member_id: int, org: Any, field: str) -> bool:
    """May the actor see this member's record whole? If so, the read is audited.
    ``org`` is a row with the ``path`` and ``area_code`` of the member's organization."""
    if not access.allows(org, "read", MEMBER):
        return False
    info.context.audit.record(
        MEMBER_KIND, member_id, org.area_code, field, lambda: operation_of(info)
    )
    return True


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the family name alone."""
    return name[:1] + "*" * (len(name) - 1)
