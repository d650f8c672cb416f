"""The service catalogue (事项清单) and the holiday calendar, as data that staff keep.

An item (事项) is published by a department with version 1 of its terms (what it is
based on, who qualifies, the legal and the promised working days, the fee, how it is
handled, where) and the list of materials it asks for. A revision writes the next
version and makes it current; earlier versions stay, because an application keeps the
version it was filed under (its deadline and its materials are those of that version).
A withdrawn item stays in the catalogue's history but can no longer be applied for.

The calendar is the State Council's yearly list (放假 and 调休上班 days): the command
centre enters next year's list as data (``set_calendar_year``), no release needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Department
from plugins.e_governance.access import SERVICE, require_catalogue, runs_catalogue
from plugins.e_governance.models import (
    Channel,
    DayKind,
    GovHoliday,
    GovServiceItem,
    GovServiceMaterial,
    GovServiceVersion,
    ItemStatus,
    MaterialForm,
)

#: 事项编码: upper-case letters, digits and hyphens (the table's check says the same)
CODE = re.compile(r"[0-9A-Z-]{4,40}")
MAX_MATERIALS = 50
MAX_DAYS = 365
MAX_COPIES = 20
NAME_LENGTH = 200  # item, material and place names (the columns' length)
DAY_NAME_LENGTH = 40
#: the largest fee Numeric(10, 2) holds
MAX_FEE = Decimal("99999999.99")
#: years the calendar may be entered for (a guard against typing errors)
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class MaterialTerms:
    """A material an item asks for, as entered."""

    name: str
    required: bool
    form: MaterialForm
    copies: int = 1


@dataclass(frozen=True, slots=True)
class Terms:
    """What one version of an item says (everything but its code and department)."""

    name: str
    legal_basis: str
    conditions: str
    legal_days: int
    promised_days: int
    fee: Decimal
    channel: Channel
    place: str | None
    materials: Sequence[MaterialTerms]


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One row of a year's list: a weekday off (HOLIDAY) or a weekend day worked."""

    day: date
    kind: DayKind
    name: str


def _text(value: str, argument: str, limit: int | None = None) -> str:
    """The value stripped; empty or too long → BAD_USER_INPUT naming the argument."""
    stripped = value.strip()
    if not stripped:
        raise BadInput(f"{argument} must not be empty", argument=argument)
    if limit is not None and len(stripped) > limit:
        raise BadInput(f"{argument} is longer than {limit} characters", argument=argument)
    return stripped


def clean_code(code: str) -> str:
    """An item code as stored: 4–40 upper-case letters, digits or hyphens."""
    stripped = code.strip()
    if CODE.fullmatch(stripped) is None:
        raise BadInput(
            f"code must be 4 to 40 upper-case letters, digits or hyphens, got {code!r}",
            argument="code",
        )
    return stripped


def clean_terms(terms: Terms) -> Terms:
    """The terms checked and normalised (stripped text, a place of None when blank).

    The rules are the law's and the catalogue's: 1 ≤ promised ≤ legal ≤ 365 working days
    (a promise may only shorten the legal period), a fee of at least 0 in whole fen, at
    most 50 materials with distinct non-empty names, and a place to go for any item not
    handled wholly online (the applicant must come at least once)."""
    if not 1 <= terms.legal_days <= MAX_DAYS:
        raise BadInput(f"legalDays must be between 1 and {MAX_DAYS}", argument="legalDays")
    if not 1 <= terms.promised_days <= terms.legal_days:
        raise BadInput(
            "promisedDays must be at least 1 and at most legalDays", argument="promisedDays"
        )
    if not terms.fee.is_finite() or terms.fee < 0 or terms.fee > MAX_FEE:
        raise BadInput(f"fee must be between 0 and {MAX_FEE}", argument="fee")
    if terms.fee != terms.fee.quantize(Decimal("0.01")):
        raise BadInput("fee must be in yuan with at most two decimals", argument="fee")
    place = terms.place.strip() if terms.place is not None else ""
    if len(place) > NAME_LENGTH:
        raise BadInput(f"place is longer than {NAME_LENGTH} characters", argument="place")
    if not place and terms.channel != Channel.ONLINE:
        raise BadInput("place is needed unless the item is handled online", argument="place")
    return Terms(
        name=_text(terms.name, "name", NAME_LENGTH),
        legal_basis=_text(terms.legal_basis, "legalBasis"),
        conditions=_text(terms.conditions, "conditions"),
        legal_days=terms.legal_days,
        promised_days=terms.promised_days,
        fee=terms.fee.quantize(Decimal("0.01")),
        channel=terms.channel,
        place=place or None,
        materials=_clean_materials(terms.materials),
    )


def _clean_materials(materials: Sequence[MaterialTerms]) -> list[MaterialTerms]:
    if len(materials) > MAX_MATERIALS:
        raise BadInput(f"at most {MAX_MATERIALS} materials", argument="materials")
    out: list[MaterialTerms] = []
    seen: set[str] = set()
    for m in materials:
        name = _text(m.name, "materials", NAME_LENGTH)
        if name in seen:
            raise BadInput(f"the material {name!r} is listed twice", argument="materials")
        if not 1 <= m.copies <= MAX_COPIES:
            raise BadInput(f"copies must be between 1 and {MAX_COPIES}", argument="materials")
        seen.add(name)
        out.append(MaterialTerms(name, m.required, m.form, m.copies))
    return out


async def _write_version(
    session: AsyncSession, item_id: int, version: int, terms: Terms, actor: Actor
) -> None:
    """Write one version's row, then its materials (numbered from 1 in the given order;
    flushed apart: the materials' composite key points at the version)."""
    session.add(
        GovServiceVersion(
            item_id=item_id,
            version=version,
            name=terms.name,
            legal_basis=terms.legal_basis,
            conditions=terms.conditions,
            legal_days=terms.legal_days,
            promised_days=terms.promised_days,
            fee=terms.fee,
            channel=terms.channel.value,
            place=terms.place,
            published_by=actor.account_id,
        )
    )
    await session.flush()
    for seq, m in enumerate(terms.materials, start=1):
        session.add(
            GovServiceMaterial(
                item_id=item_id,
                version=version,
                seq=seq,
                name=m.name,
                required=m.required,
                form=m.form.value,
                copies=m.copies,
            )
        )
    await session.flush()


async def publish_item(
    session: AsyncSession, actor: Actor, code: str, department_code: str, terms: Terms
) -> int:
    """A new item of the department, published with version 1; its id.

    Errors: UNAUTHENTICATED; BAD_USER_INPUT (the terms, the code's form); NOT_FOUND (no
    such department); FORBIDDEN (not the department's catalogue); CONFLICT (code taken)."""
    if not actor.authenticated:
        raise Unauthenticated("log in to run the service catalogue")
    code = clean_code(code)
    terms = clean_terms(terms)
    department = department_code.strip()
    if await session.scalar(select(Department.code).where(Department.code == department)) is None:
        raise NotFound(f"no department has the code {department!r}", argument="departmentCode")
    require_catalogue(actor, department)
    if await session.scalar(select(GovServiceItem.id).where(GovServiceItem.code == code)):
        raise Conflict(f"the item code {code} is taken", argument="code")
    item = GovServiceItem(
        code=code, department_code=department, status=ItemStatus.PUBLISHED.value, version=1
    )
    session.add(item)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:  # a concurrent publication of the same code won
        raise Conflict(f"the item code {code} is taken", argument="code") from None
    await _write_version(session, item.id, 1, terms, actor)
    return item.id


async def _item_for_update(session: AsyncSession, actor: Actor, item_id: int) -> GovServiceItem:
    """The item, locked against concurrent changes and filings, for one who runs its
    department's catalogue (NOT_FOUND, or FORBIDDEN)."""
    if not actor.authenticated:
        raise Unauthenticated("log in to run the service catalogue")
    item = await session.scalar(
        select(GovServiceItem).where(GovServiceItem.id == item_id).with_for_update()
    )
    if item is None:
        raise NotFound(f"no service item has the id {item_id}", argument="id")
    require_catalogue(actor, item.department_code)
    return item


async def revise_item(session: AsyncSession, actor: Actor, item_id: int, terms: Terms) -> int:
    """Write the next version of the item's terms and make it current; its number.

    Earlier versions are kept (applications filed under them keep their terms). A
    withdrawn item may be revised too: the new terms apply once it is republished."""
    item = await _item_for_update(session, actor, item_id)
    terms = clean_terms(terms)
    version = item.version + 1
    await _write_version(session, item.id, version, terms, actor)
    item.version = version  # after the version's row: nothing points at a missing version
    await session.flush()
    return version


async def set_item_status(
    session: AsyncSession, actor: Actor, item_id: int, status: ItemStatus
) -> None:
    """Withdraw (WITHDRAWN) or republish (PUBLISHED) an item; CONFLICT if it already is."""
    item = await _item_for_update(session, actor, item_id)
    if item.status == status.value:
        raise Conflict(f"the item {item.code} is already {status.value}", argument="id")
    item.status = status.value
    await session.flush()


async def applicable_version(
    session: AsyncSession, item_id: int
) -> tuple[GovServiceItem, GovServiceVersion, list[GovServiceMaterial]]:
    """The item, its current version and that version's materials (in order), for filing
    an application under it.

    Raises NOT_FOUND (argument ``itemId``) for an unknown item and CONFLICT for a
    withdrawn one ("withdrawn, cannot be applied for"). The item's row is locked FOR
    SHARE until the caller's transaction ends, so a concurrent revision or withdrawal
    (which lock it FOR UPDATE) waits: the application is filed under the version that
    was current and applicable when it was filed. Call it inside the filing's
    ``ctx.transaction()``."""
    item = await session.scalar(
        select(GovServiceItem).where(GovServiceItem.id == item_id).with_for_update(read=True)
    )
    if item is None:
        raise NotFound(f"no service item has the id {item_id}", argument="itemId")
    if item.status != ItemStatus.PUBLISHED.value:
        raise Conflict(
            f"the item {item.code} is withdrawn, cannot be applied for", argument="itemId"
        )
    version = await session.get_one(GovServiceVersion, (item.id, item.version))
    materials = list(
        await session.scalars(
            select(GovServiceMaterial)
            .where(
                GovServiceMaterial.item_id == item.id, GovServiceMaterial.version == item.version
            )
            .order_by(GovServiceMaterial.seq)
        )
    )
    return item, version, materials


def may_see_withdrawn(actor: Actor, department_code: str) -> bool:
    """Withdrawn items are shown only to those who run the department's catalogue."""
    return actor.authenticated and runs_catalogue(actor, department_code)


def runs_every_catalogue(actor: Actor) -> bool:
    """May the actor write ``service`` everywhere (the district command centre)?"""
    return actor.authenticated and "" in actor.reach.prefixes(SERVICE, "write")


def check_calendar_year(year: int, entries: Sequence[CalendarEntry]) -> list[CalendarEntry]:
    """A year's list checked: every day inside the year, once; a WORKDAY (调休上班) only on
    a Saturday or Sunday (a weekday is worked anyway); names not empty. Any day may be a
    HOLIDAY: a holiday's span is stored whole, weekend days included."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadInput(f"year must be between {FIRST_YEAR} and {LAST_YEAR}", argument="year")
    seen: set[date] = set()
    out: list[CalendarEntry] = []
    for e in entries:
        if e.day.year != year:
            raise BadInput(f"{e.day} is not in {year}", argument="days")
        if e.day in seen:
            raise BadInput(f"{e.day} is listed twice", argument="days")
        if e.kind == DayKind.WORKDAY and e.day.weekday() < 5:
            raise BadInput(
                f"{e.day} is a weekday: only a Saturday or Sunday can be made a workday",
                argument="days",
            )
        seen.add(e.day)
        out.append(CalendarEntry(e.day, e.kind, _text(e.name, "days", DAY_NAME_LENGTH)))
    return sorted(out, key=lambda e: e.day)


async def set_calendar_year(
    session: AsyncSession, actor: Actor, year: int, entries: Sequence[CalendarEntry]
) -> list[CalendarEntry]:
    """Replace the year's rows by ``entries`` (the command centre only); the rows stored.

    Deadlines already computed stay as they were: a deadline is fixed when the clock
    starts, under the calendar of that day."""
    if not actor.authenticated:
        raise Unauthenticated("log in to set the holiday calendar")
    if not runs_every_catalogue(actor):
        raise Forbidden("only the district command centre sets the holiday calendar")
    rows = check_calendar_year(year, entries)
    await session.execute(
        delete(GovHoliday).where(
            GovHoliday.day >= date(year, 1, 1), GovHoliday.day <= date(year, 12, 31)
        )
    )
    session.add_all(GovHoliday(day=e.day, kind=e.kind.value, name=e.name) for e in rows)
    await session.flush()
    return rows


async def calendar_years(session: AsyncSession) -> list[int]:
    """The years the calendar holds a list for, in order."""
    year = func.extract("year", GovHoliday.day)
    result = await session.scalars(select(year).group_by(year).order_by(year))
    return [int(y) for y in result]
