"""Community registration (在职党员进社区双报到), the community's service projects and small
wishes (微心愿), and the append-only points ledger they pay into.

A working member registers with the community they live in (written by whoever keeps the
member's records); the community publishes projects and wishes and records what its
registered members did. Points are paid once per source (``signup:<id>``, ``wish:<id>``):
the paying rows are locked (``FOR UPDATE``) so two concurrent requests serialize and the
second sees the first's result, and the ledger's unique ``source`` is the last guard.

Every function runs inside the caller's transaction (one mutation, one transaction), so
an error leaves nothing half-written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Region
from core.models.region import RegionLevel
from plugins.party_building.access import MEMBER, PARTY, PartyAccess
from plugins.party_building.models import (
    MemberStatus,
    PartyMember,
    PartyOrganization,
    PartyPointEntry,
    PartyRegistration,
    PartyServiceItem,
    PartyServiceSignup,
    PointReason,
    ServiceKind,
    ServiceStatus,
)

COMMUNITY_CODE = re.compile(r"^[0-9]{12}$")
TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 5000
WISHER_LIMIT = 100
MAX_POINTS = 100
MAX_HOURS = Decimal(24)
#: hours are kept to a tenth (Numeric(4, 1))
TENTH = Decimal("0.1")

#: the rows of the PartyRegistration type
REGISTRATIONS = select(
    PartyRegistration.id,
    PartyRegistration.member_id,
    PartyRegistration.community_code,
    PartyRegistration.registered_on,
    PartyRegistration.ended_on,
    Region.name.label("community_name"),
).join(Region, Region.code == PartyRegistration.community_code)

#: the rows of the PartyServiceItem type
ITEMS = select(
    PartyServiceItem.id,
    PartyServiceItem.community_code,
    PartyServiceItem.kind,
    PartyServiceItem.title,
    PartyServiceItem.description,
    PartyServiceItem.wisher,
    PartyServiceItem.points,
    PartyServiceItem.status,
    PartyServiceItem.published_at,
    PartyServiceItem.claimed_by,
    PartyServiceItem.claimed_at,
    PartyServiceItem.done_at,
    Region.name.label("community_name"),
).join(Region, Region.code == PartyServiceItem.community_code)

#: the rows of the PartyServiceSignup type, with the points its hours earned (if any)
SIGNUPS = select(
    PartyServiceSignup.id,
    PartyServiceSignup.item_id,
    PartyServiceSignup.member_id,
    PartyServiceSignup.signed_at,
    PartyServiceSignup.served_on,
    PartyServiceSignup.hours,
    PartyPointEntry.points,
).outerjoin(
    PartyPointEntry, PartyPointEntry.source == func.concat("signup:", PartyServiceSignup.id)
)

#: the rows of the PartyPointEntry type
ENTRIES = select(
    PartyPointEntry.id,
    PartyPointEntry.member_id,
    PartyPointEntry.points,
    PartyPointEntry.reason,
    PartyPointEntry.hours,
    PartyPointEntry.item_id,
    PartyPointEntry.created_at,
)


# ---------------------------------------------------------------- shared checks


def not_future(day: date, today: date, argument: str) -> date:
    """A day that has come (records tell what happened, never what will)."""
    if day > today:
        raise BadInput(f"{argument} {day.isoformat()} is in the future", argument=argument)
    return day


def _text(value: str | None, argument: str, limit: int, *, required: bool) -> str | None:
    """Stripped text within ``limit`` characters (None when empty and optional)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise BadInput(f"{argument} must not be empty", argument=argument)
        return None
    if len(text) > limit:
        raise BadInput(f"{argument} has more than {limit} characters", argument=argument)
    return text


async def community(session: AsyncSession, code: str, argument: str = "communityCode") -> str:
    """The code of a community (社区/村): NOT_FOUND when no region has it, BAD_USER_INPUT
    when it is malformed or a region of another level. (Read without its boundary.)"""
    code = code.strip()
    if not COMMUNITY_CODE.match(code):
        raise BadInput(
            f"{argument} must be a 12-digit community code, got {code!r}", argument=argument
        )
    level = await session.scalar(select(Region.level).where(Region.code == code))
    if level is None:
        raise NotFound(f"no region has the code {code}", argument=argument)
    if level != RegionLevel.COMMUNITY.value:
        raise BadInput(f"{code} is a {level}, not a community", argument=argument)
    return code


def require_in_community(actor: Actor, code: str, action: str) -> None:
    """The actor holds ``party`` ``action`` on the community (else 401/403): service is
    run by the community's party workers, township staff and the command centre."""
    if actor.reach.allows(PARTY, action, code):
        return
    if not actor.authenticated:
        raise Unauthenticated("log in to change party data")
    raise Forbidden(f"you may not {action} party service of community {code}")


async def member_for(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    action: str,
    category: str,
    *,
    argument: str = "memberId",
    lock: bool = False,
) -> tuple[PartyMember, PartyOrganization]:
    """The member and its organization where the actor may ``action`` ``category``;
    NOT_FOUND when there is none or the actor reaches nothing of it, FORBIDDEN when they
    see it but may not ``action`` it. ``lock`` locks the member's row (FOR UPDATE)."""
    member = await session.get(PartyMember, member_id, with_for_update=lock, populate_existing=lock)
    org = await session.get(PartyOrganization, member.organization_id) if member else None
    if member is None or org is None or not _sees(access, org):
        raise NotFound(f"no party member has the id {member_id}", argument=argument)
    if not access.allows(org, action, category):
        raise Forbidden(f"you may not {action} the records of party member {member_id}")
    return member, org


def _sees(access: PartyAccess, org: PartyOrganization) -> bool:
    return access.allows(org, "read", PARTY) or access.allows(org, "read", MEMBER)


# ---------------------------------------------------------------- registration (双报到)


async def register(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    community_code: str,
    registered_on: date | None,
    today: date,
) -> PartyRegistration:
    """Register an active member with the community they live in (one current
    registration per member; a new one starts no earlier than the last one ended)."""
    access.require_any(MEMBER, "write")
    on = not_future(registered_on or today, today, "registeredOn")
    member, _ = await member_for(session, access, member_id, "write", MEMBER, lock=True)
    region_code = await community(session, community_code)
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"party member {member_id} is {member.status}, not active")
    registrations = (
        await session.scalars(
            select(PartyRegistration).where(PartyRegistration.member_id == member_id)
        )
    ).all()
    current = next((r for r in registrations if r.ended_on is None), None)
    if current is not None:
        raise Conflict(
            f"party member {member_id} is registered with community {current.community_code} "
            f"(registration {current.id}); end it first"
        )
    last_end = max((r.ended_on for r in registrations if r.ended_on is not None), default=None)
    if last_end is not None and on < last_end:
        raise BadInput(
            f"registeredOn is before the end of the member's last registration "
            f"({last_end.isoformat()})",
            argument="registeredOn",
        )
    registration = PartyRegistration(
        member_id=member_id, community_code=region_code, registered_on=on
    )
    session.add(registration)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent registration of the same member won
        raise Conflict(f"party member {member_id} is already registered") from exc
    return registration


async def end_registration(
    session: AsyncSession,
    access: PartyAccess,
    registration_id: int,
    ended_on: date | None,
    today: date,
) -> PartyRegistration:
    """End a current registration (the member moved, or left work): by whoever writes the
    member's records, like registering."""
    access.require_any(MEMBER, "write")
    registration = await session.get(
        PartyRegistration, registration_id, with_for_update=True, populate_existing=True
    )
    member = await session.get(PartyMember, registration.member_id) if registration else None
    org = await session.get(PartyOrganization, member.organization_id) if member else None
    seen = (
        registration is not None
        and org is not None
        and (
            access.actor.reach.allows(PARTY, "read", registration.community_code)
            or _sees(access, org)
        )
    )
    if not seen or registration is None or org is None:
        raise NotFound(f"no party registration has the id {registration_id}", argument="id")
    if not access.allows(org, "write", MEMBER):
        raise Forbidden(f"you may not write the records of party member {registration.member_id}")
    if registration.ended_on is not None:
        raise Conflict(
            f"registration {registration_id} ended on {registration.ended_on.isoformat()}"
        )
    on = not_future(ended_on or today, today, "endedOn")
    if on < registration.registered_on:
        raise BadInput(
            f"endedOn is before the registration ({registration.registered_on.isoformat()})",
            argument="endedOn",
        )
    registration.ended_on = on
    await session.flush()
    return registration


def registrations_seen(access: PartyAccess) -> Any:
    """SQL (over registrations joined with their member's organization): those the reader
    sees: ``party`` read on the community, or the member's organization reached (its
    party data or its members' records)."""
    by_community = access.actor.reach.where(
        PARTY, "read", PartyRegistration.__table__.c.community_code
    )
    return or_(by_community, access.where("read", PARTY), access.where("read", MEMBER))


# ---------------------------------------------------------------- service items


@dataclass(frozen=True, slots=True)
class NewService:
    community_code: str
    kind: ServiceKind
    title: str
    points: int
    description: str | None = None
    wisher: str | None = None


def _check_service(new: NewService) -> tuple[str, str | None, str | None]:
    """The title, description and wisher, checked and stripped."""
    title = _text(new.title, "title", TITLE_LIMIT, required=True)
    assert title is not None  # required
    description = _text(new.description, "description", DESCRIPTION_LIMIT, required=False)
    wisher = _text(new.wisher, "wisher", WISHER_LIMIT, required=False)
    if wisher is not None and new.kind is not ServiceKind.WISH:
        raise BadInput("only a wish (WISH) has a wisher", argument="wisher")
    if not 0 <= new.points <= MAX_POINTS:
        raise BadInput(f"points must be 0 to {MAX_POINTS}, got {new.points}", argument="points")
    return title, description, wisher


async def publish(session: AsyncSession, actor: Actor, new: NewService) -> PartyServiceItem:
    """Publish a community's service project or a resident's small wish."""
    title, description, wisher = _check_service(new)
    code = await community(session, new.community_code)
    require_in_community(actor, code, "write")
    item = PartyServiceItem(
        community_code=code,
        kind=new.kind.value,
        title=title,
        description=description,
        wisher=wisher,
        points=new.points,
        status=ServiceStatus.OPEN.value,
        published_by=actor.account_id,
    )
    session.add(item)
    await session.flush()
    return item


async def item_for(session: AsyncSession, actor: Actor, item_id: int) -> PartyServiceItem:
    """The item, row-locked, where the actor writes ``party`` in its community; NOT_FOUND
    when there is none or they may not read it, FORBIDDEN when they read but not write."""
    item = await session.get(
        PartyServiceItem, item_id, with_for_update=True, populate_existing=True
    )
    if item is None or not actor.reach.allows(PARTY, "read", item.community_code):
        raise NotFound(f"no party service item has the id {item_id}", argument="itemId")
    require_in_community(actor, item.community_code, "write")
    return item


def _kind(item: PartyServiceItem, kind: ServiceKind, argument: str = "itemId") -> None:
    if item.kind != kind.value:
        raise BadInput(f"item {item.id} is a {item.kind}, not a {kind.value}", argument=argument)


async def registered_member(
    session: AsyncSession, access: PartyAccess, community_code: str, member_id: int
) -> PartyMember:
    """An active member currently registered with the community. A member the actor
    neither reaches nor finds registered here is NOT_FOUND; one they reach but who is not
    registered here (or not active) is a CONFLICT."""
    member = await session.get(PartyMember, member_id)
    org = await session.get(PartyOrganization, member.organization_id) if member else None
    registration = await session.scalar(
        select(PartyRegistration.id)
        .where(
            PartyRegistration.member_id == member_id,
            PartyRegistration.community_code == community_code,
            PartyRegistration.ended_on.is_(None),
        )
        .with_for_update(read=True)  # the registration stays current until we commit
    )
    if member is None or org is None or (registration is None and not _sees(access, org)):
        raise NotFound(f"no party member has the id {member_id}", argument="memberId")
    if registration is None:
        raise Conflict(
            f"party member {member_id} is not registered with community {community_code}"
        )
    if member.status != MemberStatus.ACTIVE.value:
        raise Conflict(f"party member {member_id} is {member.status}, not active")
    return member


async def sign_up(
    session: AsyncSession, access: PartyAccess, item_id: int, member_id: int
) -> PartyServiceSignup:
    """Sign a registered member up for an open project (once)."""
    item = await item_for(session, access.actor, item_id)
    _kind(item, ServiceKind.PROJECT)
    if item.status != ServiceStatus.OPEN.value:
        raise Conflict(f"project {item_id} is {item.status}, not open")
    await registered_member(session, access, item.community_code, member_id)
    existing = await session.scalar(
        select(PartyServiceSignup.id).where(
            PartyServiceSignup.item_id == item_id, PartyServiceSignup.member_id == member_id
        )
    )
    if existing is not None:
        raise Conflict(f"party member {member_id} signed up for project {item_id} already")
    signup = PartyServiceSignup(item_id=item_id, member_id=member_id)
    session.add(signup)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent signup of the same member won
        raise Conflict(f"party member {member_id} signed up for project {item_id} already") from exc
    return signup


def parse_hours(value: float | Decimal) -> Decimal:
    """Hours served: more than 0, at most 24, to a tenth of an hour."""
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise BadInput(f"hours must be a number, got {value!r}", argument="hours") from None
    if not hours.is_finite() or not 0 < hours <= MAX_HOURS:
        raise BadInput(f"hours must be more than 0 and at most 24, got {value}", argument="hours")
    if hours != hours.quantize(TENTH):
        raise BadInput(f"hours go by tenths of an hour, got {value}", argument="hours")
    return hours.quantize(TENTH)


def hour_points(hours: Decimal, per_hour: int) -> int:
    """Points for hours served: hours × points per hour, rounded half up."""
    return int((hours * per_hour).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def _pay(session: AsyncSession, entry: PartyPointEntry) -> PartyPointEntry:
    """Append one ledger entry; its source pays once (a second is a CONFLICT)."""
    session.add(entry)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"{entry.source} was paid already") from exc
    return entry


async def record_hours(
    session: AsyncSession,
    actor: Actor,
    signup_id: int,
    served_on: date,
    hours: float | Decimal,
    today: date,
) -> PartyServiceSignup:
    """Record the hours a member served on a project (once), paying hours × the
    project's points per hour into the ledger."""
    served = parse_hours(hours)
    not_future(served_on, today, "servedOn")
    signup = await session.get(
        PartyServiceSignup, signup_id, with_for_update=True, populate_existing=True
    )
    if signup is None:
        raise NotFound(f"no party service signup has the id {signup_id}", argument="signupId")
    try:
        item = await item_for(session, actor, signup.item_id)
    except NotFound:  # the signup of an item the actor may not read: not told it exists
        raise NotFound(
            f"no party service signup has the id {signup_id}", argument="signupId"
        ) from None
    if item.status == ServiceStatus.CANCELLED.value:
        raise Conflict(f"project {item.id} was cancelled")
    if signup.hours is not None:
        raise Conflict(f"the hours of signup {signup_id} were recorded already")
    signup.hours = served
    signup.served_on = served_on
    await _pay(
        session,
        PartyPointEntry(
            member_id=signup.member_id,
            points=hour_points(served, item.points),
            reason=PointReason.SERVICE_HOURS.value,
            source=f"signup:{signup.id}",
            item_id=item.id,
            hours=served,
            created_by=actor.account_id,
        ),
    )
    return signup


async def claim_wish(
    session: AsyncSession, access: PartyAccess, item_id: int, member_id: int
) -> PartyServiceItem:
    """A registered member of the community takes an open wish."""
    item = await item_for(session, access.actor, item_id)
    _kind(item, ServiceKind.WISH)
    if item.status != ServiceStatus.OPEN.value:
        raise Conflict(f"wish {item_id} is {item.status}, not open")
    await registered_member(session, access, item.community_code, member_id)
    item.status = ServiceStatus.CLAIMED.value
    item.claimed_by = member_id
    item.claimed_at = datetime.now(UTC)
    await session.flush()
    return item


async def complete_wish(session: AsyncSession, actor: Actor, item_id: int) -> PartyServiceItem:
    """A claimed wish came true: DONE, and its points paid to the member once."""
    item = await item_for(session, actor, item_id)
    _kind(item, ServiceKind.WISH)
    if item.status != ServiceStatus.CLAIMED.value or item.claimed_by is None:
        raise Conflict(f"wish {item_id} is {item.status}, not claimed")
    item.status = ServiceStatus.DONE.value
    item.done_at = datetime.now(UTC)
    await _pay(
        session,
        PartyPointEntry(
            member_id=item.claimed_by,
            points=item.points,
            reason=PointReason.WISH_DONE.value,
            source=f"wish:{item.id}",
            item_id=item.id,
            created_by=actor.account_id,
        ),
    )
    return item


async def cancel(session: AsyncSession, actor: Actor, item_id: int) -> PartyServiceItem:
    """Withdraw an open project or an open or claimed wish (what was paid stays paid)."""
    item = await item_for(session, actor, item_id)
    if item.status not in (ServiceStatus.OPEN.value, ServiceStatus.CLAIMED.value):
        raise Conflict(f"item {item_id} is {item.status}; only open or claimed items are cancelled")
    item.status = ServiceStatus.CANCELLED.value
    await session.flush()
    return item
