"""Party members in grid work (党员中心户): a member appointed a grid's helper looks after
some households; the visits they make and what they find on patrol are recorded and
attributed to them, a finding naming the event reported for it.

Helpers are grid data: whoever holds ``party`` on the grid code (the grid's worker, its
community's and township's staff, the command centre) reads and writes them. Every
function runs inside the caller's transaction.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Event, Grid
from plugins.party_building.access import PARTY, PartyAccess
from plugins.party_building.models import (
    HelperActivityKind,
    MemberStatus,
    PartyGridHelper,
    PartyHelperActivity,
    PartyMember,
    PartyOrganization,
)
from plugins.party_building.service import not_future

GRID_CODE = re.compile(r"^[0-9]{15}$")
MAX_HOUSEHOLDS = 10_000
NOTE_LIMIT = 1000

#: the number of activities attributed to a helper (a column of HELPERS)
ACTIVITY_COUNT = (
    select(func.count())
    .where(PartyHelperActivity.helper_id == PartyGridHelper.id)
    .correlate(PartyGridHelper)
    .scalar_subquery()
)

#: the rows of the PartyGridHelper type
HELPERS = select(
    PartyGridHelper.id,
    PartyGridHelper.member_id,
    PartyGridHelper.grid_code,
    PartyGridHelper.households,
    PartyGridHelper.since,
    PartyGridHelper.until,
    ACTIVITY_COUNT.label("activity_count"),
)

#: the rows of the PartyHelperActivity type
ACTIVITIES = select(
    PartyHelperActivity.id,
    PartyHelperActivity.helper_id,
    PartyHelperActivity.kind,
    PartyHelperActivity.occurred_on,
    PartyHelperActivity.note,
    PartyHelperActivity.event_id,
    PartyHelperActivity.recorded_at,
)


def require_on_grid(actor: Actor, code: str, action: str) -> None:
    """The actor holds ``party`` ``action`` on the grid code (else 401/403)."""
    if actor.reach.allows(PARTY, action, code):
        return
    if not actor.authenticated:
        raise Unauthenticated("log in to change party data")
    raise Forbidden(f"you may not {action} the party helpers of grid {code}")


def _require_writer_somewhere(actor: Actor) -> None:
    """Whoever holds no ``party`` write anywhere is refused before anything is looked up."""
    if actor.reach.anywhere(PARTY, "write"):
        return
    if not actor.authenticated:
        raise Unauthenticated("log in to change party data")
    raise Forbidden("you hold no 'write' grant on 'party'")


async def current_grid(session: AsyncSession, code: str, argument: str = "gridCode") -> str:
    """The code of a current grid (15 digits): NOT_FOUND when no current grid has it."""
    code = code.strip()
    if not GRID_CODE.match(code):
        raise BadInput(f"{argument} must be a 15-digit grid code, got {code!r}", argument=argument)
    found = await session.scalar(
        select(Grid.code).where(Grid.code == code, Grid.valid_to.is_(None))
    )
    if found is None:
        raise NotFound(f"no current grid has the code {code}", argument=argument)
    return str(found)


async def appoint(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    grid_code: str,
    households: int,
    since: date | None,
    today: date,
) -> PartyGridHelper:
    """Appoint an active member the helper of a grid (one current post per member)."""
    actor = access.actor
    _require_writer_somewhere(actor)
    if not 0 <= households <= MAX_HOUSEHOLDS:
        raise BadInput(
            f"households must be 0 to {MAX_HOUSEHOLDS}, got {households}", argument="households"
        )
    start = not_future(since or today, today, "since")
    code = await current_grid(session, grid_code)
    require_on_grid(actor, code, "write")
    member = await session.get(PartyMember, member_id, with_for_update=True, populate_existing=True)
    org = await session.get(PartyOrganization, member.organization_id) if member else None
    if member is None or org is None or not access.allows(org, "read", PARTY):
        raise NotFound(f"no party member has the id {member_id}", argument="memberId")
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"party member {member_id} is {member.status}, not active")
    post = await session.scalar(
        select(PartyGridHelper).where(
            PartyGridHelper.member_id == member_id, PartyGridHelper.until.is_(None)
        )
    )
    if post is not None:
        raise Conflict(
            f"party member {member_id} helps grid {post.grid_code} already (helper {post.id})"
        )
    helper = PartyGridHelper(
        member_id=member_id, grid_code=code, households=households, since=start
    )
    session.add(helper)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent appointment of the same member won
        raise Conflict(f"party member {member_id} helps a grid already") from exc
    return helper


async def helper_for(
    session: AsyncSession, actor: Actor, helper_id: int, *, share: bool = False
) -> PartyGridHelper:
    """The helper, row-locked (FOR UPDATE, or FOR SHARE with ``share``), where the actor
    writes ``party`` on its grid; NOT_FOUND when unseen, FORBIDDEN when read-only."""
    lock: dict[str, bool] = {"read": share}
    helper = await session.get(
        PartyGridHelper, helper_id, with_for_update=lock, populate_existing=True
    )
    if helper is None or not actor.reach.allows(PARTY, "read", helper.grid_code):
        raise NotFound(f"no party grid helper has the id {helper_id}", argument="helperId")
    require_on_grid(actor, helper.grid_code, "write")
    return helper


async def end_helper(
    session: AsyncSession, actor: Actor, helper_id: int, until: date | None, today: date
) -> PartyGridHelper:
    """End a helper's post (they keep their history of activities)."""
    _require_writer_somewhere(actor)
    helper = await helper_for(session, actor, helper_id)
    if helper.until is not None:
        raise Conflict(f"helper {helper_id} ended on {helper.until.isoformat()}")
    end = not_future(until or today, today, "until")
    if end < helper.since:
        raise BadInput(
            f"until is before the helper's start ({helper.since.isoformat()})", argument="until"
        )
    helper.until = end
    await session.flush()
    return helper


async def _finding_event(session: AsyncSession, event_id: int, grid_code: str) -> int:
    """The event a finding names: it exists, lies in the helper's grid and is attributed
    to no other activity. Its row is locked (FOR NO KEY UPDATE) so two attributions of
    one event serialize."""
    region_code = await session.scalar(
        select(Event.region_code).where(Event.id == event_id).with_for_update(key_share=True)
    )
    if region_code is None:
        raise NotFound(f"no event has the id {event_id}", argument="eventId")
    if not str(region_code).startswith(grid_code):
        raise BadInput(f"event {event_id} is not in grid {grid_code}", argument="eventId")
    taken = await session.scalar(
        select(PartyHelperActivity.id).where(PartyHelperActivity.event_id == event_id)
    )
    if taken is not None:
        raise Conflict(f"event {event_id} is attributed to activity {taken} already")
    return event_id


async def record_activity(
    session: AsyncSession,
    actor: Actor,
    helper_id: int,
    kind: HelperActivityKind,
    occurred_on: date,
    note: str | None,
    event_id: int | None,
    today: date,
) -> PartyHelperActivity:
    """Attribute a visit or a patrol finding to a serving helper."""
    _require_writer_somewhere(actor)
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_LIMIT:
        raise BadInput(f"note has more than {NOTE_LIMIT} characters", argument="note")
    if event_id is not None and kind is not HelperActivityKind.PATROL_FINDING:
        raise BadInput("only a patrol finding (PATROL_FINDING) names an event", argument="eventId")
    not_future(occurred_on, today, "occurredOn")
    helper = await helper_for(session, actor, helper_id, share=True)
    if helper.until is not None:
        raise Conflict(f"helper {helper_id} ended on {helper.until.isoformat()}")
    if occurred_on < helper.since:
        raise BadInput(
            f"occurredOn is before the helper's start ({helper.since.isoformat()})",
            argument="occurredOn",
        )
    if event_id is not None:
        await _finding_event(session, event_id, helper.grid_code)
    activity = PartyHelperActivity(
        helper_id=helper.id,
        kind=kind.value,
        occurred_on=occurred_on,
        note=text,
        event_id=event_id,
        recorded_by=actor.account_id,
    )
    session.add(activity)
    await session.flush()
    return activity
