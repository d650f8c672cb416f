"""Creating located records (people, places, things, organizations), coded on write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor, require_category
from core.codes.errors import InvalidCode
from core.codes.identity import parse_identity_number
from core.errors import BadInput, Conflict, Forbidden, NotFound
from core.models import Household, Organization, Person, Place, Thing
from core.models.place import OrganizationKind, PlaceKind, ThingKind, ThingStatus
from core.models.population import Gender, HouseholdRelation, ResidenceType
from core.plugins import call_async
from core.services.locating import Placement, code_record

PHONE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
PASSPORT = re.compile(r"^[A-Z0-9]{5,32}$")
USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Where:
    """Where and when a record was collected, as a client sends it."""

    lon: float
    lat: float
    collected_at: datetime | None = None


def _choice(value: str, allowed: type[Enum], argument: str) -> str:
    values = [v.value for v in allowed]
    if value not in values:
        raise BadInput(
            f"{argument} must be one of {', '.join(values)}; got {value!r}", argument=argument
        )
    return value


def _text(
    value: str | None, argument: str, *, required: bool = True, limit: int = 200
) -> str | None:
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise BadInput(f"{argument} must not be empty", argument=argument)
        return None
    if len(value) > limit:
        raise BadInput(f"{argument} has more than {limit} characters", argument=argument)
    return value


def _phone(value: str | None) -> str | None:
    value = _text(value, "phone", required=False, limit=20)
    if value is not None and not PHONE.match(value):
        raise BadInput(f"phone {value!r} is not a phone number", argument="phone")
    return value


def _in_reach(actor: Actor, placement: Placement, category: str) -> None:
    if actor.reach.allows(category, "write", placement.region_code):
        return
    if not placement.assigned:
        raise Forbidden(
            "the position is outside every grid; only the command centre may record it",
            argument="location",
        )
    raise Forbidden(f"grid {placement.region_code} is outside your area", argument="location")


async def _locate(
    session: AsyncSession, actor: Actor, record: Any, where: Where, tz: str, category: str
) -> Placement:
    moment = where.collected_at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise BadInput("collectedAt needs a time zone offset", argument="collectedAt")
    if moment > datetime.now(UTC):
        raise BadInput("collectedAt is in the future", argument="collectedAt")
    placement = await code_record(session, record, where.lon, where.lat, moment, tz)
    _in_reach(actor, placement, category)
    record.collected_by = actor.account_id
    return placement


async def _finish(session: AsyncSession, record: R, kind: str, actor: Actor, pm: Any) -> R:
    session.add(record)
    await session.flush()
    if pm is not None:
        await call_async(
            pm.hook.gridgov_entity_changed,
            session=session,
            kind=kind,
            entity=record,
            change="created",
            actor=actor,
        )
    return record


async def create_person(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    where: Where,
    tz: str,
    pm: Any = None,
    id_number: str | None = None,
    passport_number: str | None = None,
    gender: str | None = None,
    birth_date: date | None = None,
    phone: str | None = None,
    residence_type: str = "registered",
    household_id: int | None = None,
    relation: str = "head",
    address: str | None = None,
) -> Person:
    """A resident. The GB 11643 number is checked; gender and birth date come from it."""
    require_category(actor, "person", "write")
    residence_type = _choice(residence_type, ResidenceType, "residenceType")
    relation = _choice(relation, HouseholdRelation, "relation")
    if gender is not None:
        gender = _choice(gender, Gender, "gender")
    if id_number is not None:
        try:
            parsed = parse_identity_number(id_number)
        except InvalidCode as exc:
            raise BadInput(str(exc), argument="idNumber") from exc
        if gender is not None and gender != parsed.gender:
            raise BadInput(
                f"gender {gender} contradicts the identity number ({parsed.gender})",
                argument="gender",
            )
        if birth_date is not None and birth_date != parsed.birth_date:
            raise BadInput("birthDate contradicts the identity number", argument="birthDate")
        id_number, gender, birth_date = parsed.value, parsed.gender, parsed.birth_date
        if await session.scalar(select(exists().where(Person.id_number == id_number))):
            raise Conflict(
                "a person with this identity number is already recorded", argument="idNumber"
            )
    elif residence_type != "overseas":
        raise BadInput(
            "idNumber is required (only overseas residents may go without)", argument="idNumber"
        )
    else:
        passport_number = _text(passport_number, "passportNumber", limit=32)
        if not PASSPORT.match(passport_number or ""):
            raise BadInput(
                "passportNumber must be 5–32 letters or digits", argument="passportNumber"
            )
        if gender is None or birth_date is None:
            raise BadInput(
                "gender and birthDate are required without an identity number", argument="gender"
            )
    if household_id is not None and await session.get(Household, household_id) is None:
        raise NotFound(f"no household has the id {household_id}", argument="householdId")
    person = Person(
        name=_text(name, "name", limit=100),
        id_number=id_number,
        passport_number=passport_number,
        gender=gender,
        birth_date=birth_date,
        phone=_phone(phone),
        residence_type=residence_type,
        household_id=household_id,
        relation=relation,
        address=_text(address, "address", required=False),
    )
    await _locate(session, actor, person, where, tz, "person")
    return await _finish(session, person, "person", actor, pm)


async def create_place(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: str,
    name: str,
    where: Where,
    tz: str,
    pm: Any = None,
    address: str | None = None,
    usage: str | None = None,
    floors: int | None = None,
    parent_id: int | None = None,
) -> Place:
    require_category(actor, "place", "write")
    if floors is not None and not 1 <= floors <= 200:
        raise BadInput("floors must be between 1 and 200", argument="floors")
    if parent_id is not None and await session.get(Place, parent_id) is None:
        raise NotFound(f"no place has the id {parent_id}", argument="parentId")
    place = Place(
        kind=_choice(kind, PlaceKind, "kind"),
        name=_text(name, "name"),
        address=_text(address, "address", required=False),
        usage=_text(usage, "usage", required=False, limit=48),
        floors=floors,
        parent_id=parent_id,
    )
    await _locate(session, actor, place, where, tz, "place")
    return await _finish(session, place, "place", actor, pm)


async def create_thing(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: str,
    category: str,
    name: str,
    where: Where,
    tz: str,
    pm: Any = None,
    code: str | None = None,
    status: str = "normal",
    place_id: int | None = None,
) -> Thing:
    require_category(actor, "thing", "write")
    code = _text(code, "code", required=False, limit=64)
    if code is not None and await session.scalar(select(exists().where(Thing.code == code))):
        raise Conflict(f"a thing with the code {code!r} is already recorded", argument="code")
    if place_id is not None and await session.get(Place, place_id) is None:
        raise NotFound(f"no place has the id {place_id}", argument="placeId")
    thing = Thing(
        kind=_choice(kind, ThingKind, "kind"),
        category=_text(category, "category", limit=48),
        name=_text(name, "name"),
        code=code,
        status=_choice(status, ThingStatus, "status"),
        place_id=place_id,
    )
    await _locate(session, actor, thing, where, tz, "thing")
    return await _finish(session, thing, "thing", actor, pm)


async def create_organization(
    session: AsyncSession,
    actor: Actor,
    *,
    kind: str,
    name: str,
    where: Where,
    tz: str,
    pm: Any = None,
    uscc: str | None = None,
    legal_representative: str | None = None,
    phone: str | None = None,
    member_count: int | None = None,
    parent_id: int | None = None,
) -> Organization:
    require_category(actor, "organization", "write")
    uscc = _text(uscc, "uscc", required=False, limit=18)
    if uscc is not None:
        uscc = uscc.upper()
        if not USCC.match(uscc):
            raise BadInput(
                "uscc must be an 18-character unified social credit code", argument="uscc"
            )
        if await session.scalar(select(exists().where(Organization.uscc == uscc))):
            raise Conflict("an organization with this uscc is already recorded", argument="uscc")
    if member_count is not None and member_count < 0:
        raise BadInput("memberCount must not be negative", argument="memberCount")
    if parent_id is not None and await session.get(Organization, parent_id) is None:
        raise NotFound(f"no organization has the id {parent_id}", argument="parentId")
    org = Organization(
        kind=_choice(kind, OrganizationKind, "kind"),
        name=_text(name, "name"),
        uscc=uscc,
        legal_representative=_text(
            legal_representative, "legalRepresentative", required=False, limit=100
        ),
        phone=_phone(phone),
        member_count=member_count,
        parent_id=parent_id,
    )
    await _locate(session, actor, org, where, tz, "organization")
    return await _finish(session, org, "organization", actor, pm)
