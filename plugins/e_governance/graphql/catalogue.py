"""GraphQL of the service catalogue (事项清单) and the holiday calendar.

Queries: ``serviceItems``, ``serviceItem``, ``workingDays``, ``addWorkingDays``,
``calendarYears``. Mutations: ``publishServiceItem``, ``reviseServiceItem``,
``withdrawServiceItem``, ``republishServiceItem``, ``setCalendarYear``.

The catalogue is public: anyone, even without logging in, reads the published items
(what to bring, how long it takes, what it costs); a withdrawn item is shown only to
those who run its department's catalogue. The calendar is public too: clients show
deadlines with it.

This module owns the plugin's catalogue enums (``GovChannel``, ``GovItemStatus``,
``GovMaterialForm``, ``GovDayKind``): other modules use the Python enums of ``models``
after importing this one. ``ServiceItemType``/``ServiceVersionType`` and their loaders
are for the applications' API (an application shows the version it was filed under).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from sqlalchemy import ColumnElement, or_, select, true, tuple_
from strawberry.types import Info

from core.actor import Actor
from core.errors import BadInput, NotFound
from plugins.e_governance import catalogue
from plugins.e_governance.access import own_department
from plugins.e_governance.catalogue import CalendarEntry, MaterialTerms, Terms
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
from plugins.e_governance.workdays import MAX_SPAN, Calendar, load_calendar
from schema.department.loaders import DepartmentByCodeLoader
from schema.ids import parse_id
from schema.loaders import Loader, ManyLoader, OneLoader
from schema.pagination import Connection, Edge, keyset_page, to_connection
from schema.refs import DepartmentRef

strawberry.enum(
    Channel,
    name="GovChannel",
    description="How an item is handled: WINDOW (at the service hall), ONE_VISIT "
    "(最多跑一次: one visit at most), ONLINE (全程网办: no visit)",
)
strawberry.enum(ItemStatus, name="GovItemStatus", description="PUBLISHED or WITHDRAWN")
strawberry.enum(
    MaterialForm,
    name="GovMaterialForm",
    description="ORIGINAL (原件), COPY (复印件), ELECTRONIC (电子件)",
)
strawberry.enum(
    DayKind,
    name="GovDayKind",
    description="HOLIDAY (放假: a day off, weekend days of a holiday's span included); "
    "WORKDAY (调休上班: a Saturday or Sunday worked)",
)

VERSION_COLUMNS = (
    GovServiceVersion.name,
    GovServiceVersion.legal_basis,
    GovServiceVersion.conditions,
    GovServiceVersion.legal_days,
    GovServiceVersion.promised_days,
    GovServiceVersion.fee,
    GovServiceVersion.channel,
    GovServiceVersion.place,
    GovServiceVersion.published_at,
)
#: an item with the terms of its current version, one row each
ITEMS = select(
    GovServiceItem.id,
    GovServiceItem.code,
    GovServiceItem.department_code,
    GovServiceItem.status,
    GovServiceItem.version,
    *VERSION_COLUMNS,
).join(
    GovServiceVersion,
    (GovServiceVersion.item_id == GovServiceItem.id)
    & (GovServiceVersion.version == GovServiceItem.version),
)
VERSIONS = select(GovServiceVersion.item_id, GovServiceVersion.version, *VERSION_COLUMNS)
MATERIALS = select(
    GovServiceMaterial.item_id,
    GovServiceMaterial.version,
    GovServiceMaterial.seq,
    GovServiceMaterial.name,
    GovServiceMaterial.required,
    GovServiceMaterial.form,
    GovServiceMaterial.copies,
)


class ServiceItemLoader(OneLoader):
    """Items (with their current terms) by id, withdrawn ones too: for records that
    reach an item another way (an application); the caller decides who sees it."""

    statement = ITEMS
    key = GovServiceItem.id
    key_name = "id"


class ServiceVersionsLoader(ManyLoader):
    """Every version of each item, newest first."""

    statement = VERSIONS.order_by(GovServiceVersion.version.desc())
    key = GovServiceVersion.item_id
    key_name = "item_id"


class ServiceVersionLoader(Loader[tuple[int, int], Any]):
    """One version by ``(item_id, version)``: the terms an application was filed under."""

    async def load_batch(self, keys: list[tuple[int, int]]) -> list[Any]:
        key = tuple_(GovServiceVersion.item_id, GovServiceVersion.version)
        rows = (await self.ctx.execute(VERSIONS.where(key.in_(keys)))).all()
        found = {(r.item_id, r.version): r for r in rows}
        return [found.get(k) for k in keys]


class MaterialsLoader(Loader[tuple[int, int], list[Any]]):
    """The materials of each ``(item_id, version)``, in order."""

    async def load_batch(self, keys: list[tuple[int, int]]) -> list[list[Any]]:
        key = tuple_(GovServiceMaterial.item_id, GovServiceMaterial.version)
        statement = MATERIALS.where(key.in_(keys)).order_by(GovServiceMaterial.seq)
        grouped: dict[tuple[int, int], list[Any]] = {k: [] for k in keys}
        for r in (await self.ctx.execute(statement)).all():
            grouped[(r.item_id, r.version)].append(r)
        return [grouped[k] for k in keys]


class CalendarLoader(Loader[int, Calendar]):
    """The calendar, read once per request (key 0) however many fields ask."""

    async def load_batch(self, keys: list[int]) -> list[Calendar]:
        async with self.ctx.locked() as session:
            found = await load_calendar(session)
        return [found for _ in keys]


async def calendar_of(info: Info) -> Calendar:
    return await info.context.loader(CalendarLoader).load(0)


@strawberry.type(name="GovServiceMaterial", description="A material an item asks for (材料)")
class MaterialType:
    seq: int = strawberry.field(description="Its place in the list, from 1")
    name: str
    required: bool = strawberry.field(description="Needed (必要) or only if it applies")
    form: MaterialForm
    copies: int


async def _materials(info: Info, item_id: int, version: int) -> list[MaterialType]:
    return await info.context.loader(MaterialsLoader).load((item_id, version))


@strawberry.type(
    name="GovServiceVersion",
    description="One version of an item's terms, as published from publishedAt",
)
class ServiceVersionType:
    version: int
    name: str
    legal_basis: str = strawberry.field(description="设定依据: the law that sets the item")
    conditions: str = strawberry.field(description="受理条件: who qualifies")
    legal_days: int = strawberry.field(description="法定时限, in working days")
    promised_days: int = strawberry.field(description="承诺时限, in working days (≤ legalDays)")
    fee: Decimal = strawberry.field(description="In yuan; 0 when free")
    channel: Channel
    place: str | None = strawberry.field(description="Where to go (the hall, the window)")
    published_at: datetime

    @strawberry.field(description="The materials this version asks for, in order")
    async def materials(self, info: Info) -> list[MaterialType]:
        row: Any = self
        return await _materials(info, int(row.item_id), int(row.version))


@strawberry.type(
    name="GovServiceItem",
    description="A service item (事项) of a department with the terms of its current "
    "version; applications are filed under the version current at the time",
)
class ServiceItemType:
    id: strawberry.ID
    code: str = strawberry.field(description="事项编码")
    status: ItemStatus
    version: int = strawberry.field(description="The current version's number")
    name: str
    legal_basis: str = strawberry.field(description="设定依据: the law that sets the item")
    conditions: str = strawberry.field(description="受理条件: who qualifies")
    legal_days: int = strawberry.field(description="法定时限, in working days")
    promised_days: int = strawberry.field(description="承诺时限, in working days (≤ legalDays)")
    fee: Decimal = strawberry.field(description="In yuan; 0 when free")
    channel: Channel
    place: str | None = strawberry.field(description="Where to go (the hall, the window)")
    published_at: datetime = strawberry.field(description="When the current version came")

    @strawberry.field(description="The department that handles it")
    async def department(self, info: Info) -> DepartmentRef:
        row: Any = self
        return await info.context.loader(DepartmentByCodeLoader).load(row.department_code)

    @strawberry.field(description="The materials the current version asks for, in order")
    async def materials(self, info: Info) -> list[MaterialType]:
        row: Any = self
        return await _materials(info, int(row.id), int(row.version))

    @strawberry.field(description="Every version, newest first (the current one included)")
    async def versions(self, info: Info) -> list[ServiceVersionType]:
        row: Any = self
        return await info.context.loader(ServiceVersionsLoader).load(int(row.id))


ItemConnection = Connection[ServiceItemType]
ItemEdge = Edge[ServiceItemType]


@strawberry.type(name="GovCalendarDay", description="A day the calendar lists")
class CalendarDayType:
    day: date
    kind: DayKind
    name: str = strawberry.field(description="The holiday's name (春节, 国庆节调休上班…)")


@strawberry.type(name="GovWorkingDays", description="Working days (工作日) in a period")
class WorkingDaysType:
    from_: date = strawberry.field(name="from", description="Not counted (the law's rule)")
    to: date
    working_days: int = strawberry.field(description="Working days in (from, to]")
    holidays: list[CalendarDayType] = strawberry.field(
        description="The listed days in (from, to]: holidays and make-up workdays, in order"
    )


@strawberry.input(name="GovServiceMaterialInput")
class MaterialInput:
    name: str
    required: bool
    form: MaterialForm
    copies: int = 1

    def terms(self) -> MaterialTerms:
        return MaterialTerms(self.name, self.required, self.form, self.copies)


@strawberry.input(
    name="GovServiceTermsInput",
    description="An item's terms: 1 ≤ promisedDays ≤ legalDays ≤ 365 working days, fee ≥ 0 "
    "in yuan, a place unless ONLINE, at most 50 materials with distinct names",
)
class TermsInput:
    name: str
    legal_basis: str
    conditions: str
    legal_days: int
    promised_days: int
    channel: Channel
    materials: list[MaterialInput]
    fee: Decimal = Decimal(0)
    place: str | None = None

    def terms(self) -> Terms:
        return Terms(
            name=self.name,
            legal_basis=self.legal_basis,
            conditions=self.conditions,
            legal_days=self.legal_days,
            promised_days=self.promised_days,
            fee=self.fee,
            channel=self.channel,
            place=self.place,
            materials=[m.terms() for m in self.materials],
        )


@strawberry.input(
    name="GovServiceItemInput",
    description="A new item: its code (事项编码: 4–40 upper-case letters, digits, hyphens; "
    "unique), its department and the terms of version 1",
)
class NewItemInput(TermsInput):
    code: str
    department_code: str


@strawberry.input(name="GovCalendarDayInput")
class CalendarDayInput:
    day: date
    kind: DayKind
    name: str


def _readable(actor: Actor) -> ColumnElement[bool]:
    """SQL: the items the actor may see (published ones; withdrawn ones of the
    departments whose catalogue the actor runs)."""
    if catalogue.runs_every_catalogue(actor):
        return true()
    published = GovServiceItem.status == ItemStatus.PUBLISHED.value
    department = own_department(actor)
    if department is None:
        return published
    return or_(published, GovServiceItem.department_code == department)


async def _known_department(info: Info, code: str) -> str:
    found = await info.context.loader(DepartmentByCodeLoader).load(code.strip())
    if found is None:
        raise NotFound(f"no department has the code {code!r}", argument="departmentCode")
    return str(found.code)


async def _item(info: Info, item_id: int) -> Any:
    """The item as stored (after a change: read afresh, not from a loader's cache)."""
    return (await info.context.execute(ITEMS.where(GovServiceItem.id == item_id))).one()


def _period(start: date, end: date) -> None:
    if end < start:
        raise BadInput(f"to ({end}) is before from ({start})", argument="to")
    if (end - start).days > MAX_SPAN:
        raise BadInput(f"a period may span at most {MAX_SPAN} days", argument="to")


FROM = Annotated[date, strawberry.argument(name="from", description="The start (not counted)")]


@strawberry.type
class CatalogueQueries:
    @strawberry.field(
        description="The service catalogue, by code. Public: published items to anyone; "
        "status WITHDRAWN (or null: both) adds withdrawn items only of the departments "
        "whose catalogue you run. search: the name contains it."
    )
    async def service_items(
        self,
        info: Info,
        department_code: str | None = None,
        channel: Channel | None = None,
        status: ItemStatus | None = ItemStatus.PUBLISHED,
        search: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ItemConnection:
        statement = ITEMS.where(_readable(info.context.actor))
        if department_code is not None:
            code = await _known_department(info, department_code)
            statement = statement.where(GovServiceItem.department_code == code)
        if channel is not None:
            statement = statement.where(GovServiceVersion.channel == channel.value)
        if status is not None:
            statement = statement.where(GovServiceItem.status == status.value)
        if search is not None and search.strip():
            statement = statement.where(
                GovServiceVersion.name.icontains(search.strip(), autoescape=True)
            )
        page = await keyset_page(
            info,
            statement,
            [GovServiceItem.code],
            lambda r: (r.code,),
            kind="gov_service_item",
            key_types=[str],
            first=first,
            after=after,
        )
        return to_connection(ItemConnection, ItemEdge, page, "gov_service_item")

    @strawberry.field(
        description="One item by id or by code (NOT_FOUND if unknown, or withdrawn and "
        "you do not run its department's catalogue)."
    )
    async def service_item(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> ServiceItemType:
        if (id is None) == (code is None):
            raise BadInput("give either id or code", argument="id")
        if id is not None:
            found = await info.context.loader(ServiceItemLoader).load(parse_id(id))
            argument, shown = "id", str(id)
        else:
            statement = ITEMS.where(GovServiceItem.code == str(code).strip())
            found = (await info.context.execute(statement)).one_or_none()
            argument, shown = "code", repr(code)
        if found is None or (
            found.status != ItemStatus.PUBLISHED.value
            and not catalogue.may_see_withdrawn(info.context.actor, found.department_code)
        ):
            raise NotFound(f"no service item has the {argument} {shown}", argument=argument)
        return found

    @strawberry.field(
        description="Working days (工作日) after from up to and including to, with the "
        "listed holidays and make-up workdays in that period (at most 3660 days)."
    )
    async def working_days(self, info: Info, from_: FROM, to: date) -> WorkingDaysType:
        _period(from_, to)
        calendar = await calendar_of(info)
        rows = await info.context.execute(
            select(GovHoliday.day, GovHoliday.kind, GovHoliday.name)
            .where(GovHoliday.day > from_, GovHoliday.day <= to)
            .order_by(GovHoliday.day)
        )
        return WorkingDaysType(
            from_=from_,
            to=to,
            working_days=calendar.between(from_, to),
            holidays=[CalendarDayType(day=r.day, kind=DayKind(r.kind), name=r.name) for r in rows],
        )

    @strawberry.field(
        description="The days-th working day after from (from itself for 0): the deadline "
        "of a period of that many working days starting on from. 0 ≤ days ≤ 365."
    )
    async def add_working_days(self, info: Info, from_: FROM, days: int) -> date:
        if not 0 <= days <= catalogue.MAX_DAYS:
            raise BadInput(f"days must be between 0 and {catalogue.MAX_DAYS}", argument="days")
        calendar = await calendar_of(info)
        return calendar.add(from_, days)

    @strawberry.field(description="The years the holiday calendar holds a list for.")
    async def calendar_years(self, info: Info) -> list[int]:
        async with info.context.locked() as session:
            return await catalogue.calendar_years(session)


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(
        description="Publish a new item of a department with version 1 (its staff, or "
        "service write everywhere). CONFLICT if the code is taken."
    )
    async def publish_service_item(self, info: Info, input: NewItemInput) -> ServiceItemType:
        ctx = info.context
        async with ctx.transaction() as session:
            item_id = await catalogue.publish_item(
                session, ctx.actor, input.code, input.department_code, input.terms()
            )
        return await _item(info, item_id)

    @strawberry.mutation(
        description="Write the next version of an item's terms and make it current; "
        "earlier versions are kept, and applications keep the version they were filed under."
    )
    async def revise_service_item(
        self, info: Info, id: strawberry.ID, input: TermsInput
    ) -> ServiceItemType:
        ctx = info.context
        item_id = parse_id(id)
        async with ctx.transaction() as session:
            await catalogue.revise_item(session, ctx.actor, item_id, input.terms())
        return await _item(info, item_id)

    @strawberry.mutation(
        description="Withdraw an item: no new applications (filed ones go on). CONFLICT if "
        "already withdrawn."
    )
    async def withdraw_service_item(self, info: Info, id: strawberry.ID) -> ServiceItemType:
        return await _set_status(info, id, ItemStatus.WITHDRAWN)

    @strawberry.mutation(description="Publish a withdrawn item again. CONFLICT if it is published.")
    async def republish_service_item(self, info: Info, id: strawberry.ID) -> ServiceItemType:
        return await _set_status(info, id, ItemStatus.PUBLISHED)

    @strawberry.mutation(
        description="Replace a year's holiday list (the State Council's 放假 and 调休上班 "
        "days) by days: every day inside the year, once; a WORKDAY only on a Saturday or "
        "Sunday. The district command centre only. The year's rows, in order."
    )
    async def set_calendar_year(
        self, info: Info, year: int, days: list[CalendarDayInput]
    ) -> list[CalendarDayType]:
        ctx = info.context
        entries = [CalendarEntry(d.day, d.kind, d.name) for d in days]
        async with ctx.transaction() as session:
            rows = await catalogue.set_calendar_year(session, ctx.actor, year, entries)
        return [CalendarDayType(day=r.day, kind=r.kind, name=r.name) for r in rows]


async def _set_status(info: Info, id: strawberry.ID, status: ItemStatus) -> Any:
    ctx = info.context
    item_id = parse_id(id)
    async with ctx.transaction() as session:
        await catalogue.set_item_status(session, ctx.actor, item_id, status)
    return await _item(info, item_id)
