"""GraphQL for applications (办件): filing (``submitApplication``), the department's steps,
the applicant's 补正, the lists (``myApplications``, ``applicationsToHandle``,
``applications``), ``application`` and the live ``applicationChanged``.

The rules live in ``plugins.e_governance.applications``; who sees what in
``plugins.e_governance.access``. The applicant's identity number and phone are shown
whole to the department handling the application, its agent and the applicant's
account, and to others who read ``person:identity`` / ``person:contact`` where the
applicant lives; every whole read is written to the access audit. The name is whole for
them and for readers of ``person:basic`` there; others see the family name alone.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from sqlalchemy import Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.file_uploads import Upload
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from authz.masking import may_unmask
from core.actor import Actor
from core.analysis import local_today
from core.errors import Forbidden, NotFound, Unauthenticated
from core.masking import mask_identity_number, mask_phone
from core.models import Account, Department
from core.models.base import prefix_match
from plugins.e_governance import applications as service
from plugins.e_governance.access import (
    KIND,
    SERVICE,
    applicant_side,
    own_department,
    visible,
)
from plugins.e_governance.applications import (
    OPEN,
    Filing,
    MaterialIn,
    StepName,
    noted_materials,
)
from plugins.e_governance.graphql.catalogue import (
    CalendarLoader,
    ServiceVersionLoader,
    ServiceVersionType,
)
from plugins.e_governance.models import (
    ApplicationStatus,
    Channel,
    Decision,
    GovApplication,
    GovApplicationMaterial,
    GovApplicationStep,
    GovServiceItem,
    GovServiceMaterial,
    GovServiceVersion,
)
from plugins.e_governance.workdays import Calendar
from schema.audit import operation_of
from schema.codes import known_area_prefix
from schema.files import file_link, has_thumbnail, media_type
from schema.ids import optional_id, parse_id
from schema.loaders import ManyLoader, OneLoader
from schema.pagination import Connection, Edge, keyset_page, to_connection
from schema.streams import merged, streamed
from schema.uploads import forget_uploads, store_uploads

strawberry.enum(
    ApplicationStatus,
    name="GovApplicationStatus",
    description="申请, 不予受理, 受理, 补正 (the clock stopped), 审查, 决定, 办结",
)
strawberry.enum(Decision, name="GovDecision", description="批准 or 不予许可")
strawberry.enum(StepName, name="GovApplicationStepName", description="A step of the trace")
#: the files a request may carry (one per material)
MAX_FILES = 50
#: recent live updates a subscriber remembers, so one announced on two of its topics is
#: sent once
RECENT = 256
EPOCH = date(2000, 1, 1)
#: a queue's sort key for "no deadline yet" (after every real deadline)
NO_DEADLINE = 999_999

APPLICATIONS = (
    select(
        GovApplication.id,
        GovApplication.item_id,
        GovApplication.item_version,
        GovApplication.department_code,
        GovApplication.applicant_name,
        GovApplication.id_number,
        GovApplication.phone,
        GovApplication.region_code,
        GovApplication.applicant_account_id,
        GovApplication.agent_id,
        GovApplication.channel,
        GovApplication.visits,
        GovApplication.status,
        GovApplication.note,
        GovApplication.submitted_at,
        GovApplication.accepted_on,
        GovApplication.deadline_on,
        GovApplication.paused_days,
        GovApplication.paused_since,
        GovApplication.decision,
        GovApplication.decided_at,
        GovApplication.completed_on,
        GovApplication.on_time,
        GovApplication.revision,
        GovServiceItem.code.label("item_code"),
        GovServiceVersion.name.label("item_name"),
        Department.name.label("department_name"),
    )
    .select_from(GovApplication)
    .join(GovServiceItem, GovServiceItem.id == GovApplication.item_id)
    .join(
        GovServiceVersion,
        and_(
            GovServiceVersion.item_id == GovApplication.item_id,
            GovServiceVersion.version == GovApplication.item_version,
        ),
    )
    .join(Department, Department.code == GovApplication.department_code)
)
#: newest first, as an ascending keyset
NEWEST = literal(0) - GovApplication.id
#: the queue: open ones first, by deadline (those not yet accepted after), then by id
QUEUE_RANK = case((GovApplication.status.in_([s.value for s in OPEN]), 0), else_=1)
QUEUE_DAYS = cast(
    func.coalesce(GovApplication.deadline_on - EPOCH, NO_DEADLINE),
    Integer,
)


# --- loaders --------------------------------------------------------------------------------


class AccountLoader(OneLoader):
    statement = select(Account.id, Account.username, Account.name)
    key = Account.id
    key_name = "id"


class StepsLoader(ManyLoader):
    """The trace of each application, oldest first, with who took each step."""

    statement = (
        select(
            GovApplicationStep.id,
            GovApplicationStep.application_id,
            GovApplicationStep.step,
            GovApplicationStep.from_status,
            GovApplicationStep.to_status,
            GovApplicationStep.actor_id,
            GovApplicationStep.as_agent,
            GovApplicationStep.note,
            GovApplicationStep.at,
            Account.username.label("actor_username"),
            Account.name.label("actor_name"),
        )
        .outerjoin(Account, Account.id == GovApplicationStep.actor_id)
        .order_by(GovApplicationStep.id)
    )
    key = GovApplicationStep.application_id
    key_name = "application_id"


class MaterialsLoader(ManyLoader):
    """What each application's version asks for, with what was handed in."""

    statement = (
        select(
            GovApplication.id.label("application_id"),
            GovServiceMaterial.seq,
            GovServiceMaterial.name,
            GovServiceMaterial.required,
            GovApplicationMaterial.key,
            GovApplicationMaterial.filename,
            GovApplicationMaterial.handed_in_at,
        )
        .select_from(GovApplication)
        .join(
            GovServiceMaterial,
            and_(
                GovServiceMaterial.item_id == GovApplication.item_id,
                GovServiceMaterial.version == GovApplication.item_version,
            ),
        )
        .outerjoin(
            GovApplicationMaterial,
            and_(
                GovApplicationMaterial.application_id == GovApplication.id,
                GovApplicationMaterial.seq == GovServiceMaterial.seq,
            ),
        )
        .order_by(GovApplication.id, GovServiceMaterial.seq)
    )
    key = GovApplication.id
    key_name = "application_id"


async def _calendar_and_today(info: Info) -> tuple[Calendar, date]:
    ctx = info.context
    calendar = await ctx.loader(CalendarLoader).load(0)
    return calendar, local_today(ctx.settings.timezone)


# --- types ----------------------------------------------------------------------------------


@strawberry.type(name="GovApplicationItem", description="The item and version applied for")
class ItemRef:
    id: strawberry.ID
    code: str
    name: str = strawberry.field(description="The name in the version applied for")
    version: int


@strawberry.type(name="GovAccount", description="An account, as the trace shows it")
class AccountRef:
    username: str
    name: str


@strawberry.type(name="GovApplicationMaterial")
class MaterialType:
    seq: int
    name: str
    required: bool
    handed_in: bool
    filename: str | None = strawberry.field(description="The file's name, if a file came")
    key: str | None = strawberry.field(
        description="Storage key of the file (null: seen at the window)"
    )
    handed_in_at: datetime | None
    requested: bool = strawberry.field(description="Asked for by the pending 补正")

    @strawberry.field(
        description="Where to fetch the file: a link made for you (it works without an "
        "Authorization header, e.g. as <img src>) for 1–2 hours, and only while you may "
        "still see the application; null when no file came"
    )
    def url(self, info: Info) -> str | None:
        return file_link(info, self.key) if self.key is not None else None

    @strawberry.field(
        description="A small JPEG of an image for lists (320 px on the long edge); null "
        "when no file came, and for HEIC/HEIF photos"
    )
    def thumbnail_url(self, info: Info) -> str | None:
        if self.key is None or not has_thumbnail(media_type(self.key)):
            return None
        return file_link(info, self.key, thumb=True)


@strawberry.type(name="GovApplicationStep", description="One step of the trace")
class StepType:
    step: StepName
    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    actor: AccountRef | None
    as_agent: bool = strawberry.field(description="Taken by the applicant's agent (代办)")
    note: str | None
    at: datetime = strawberry.field(description="When (the day given, for back-office entry)")
    materials: list[int] = strawberry.field(
        description="The materials it names (handed in, or asked for by a 补正)"
    )


def step_of(row: Any) -> StepType:
    return StepType(
        step=StepName(row.step),
        from_status=ApplicationStatus(row.from_status) if row.from_status else None,
        to_status=ApplicationStatus(row.to_status),
        actor=(
            AccountRef(username=row.actor_username, name=row.actor_name)
            if row.actor_username is not None
            else None
        ),
        as_agent=row.as_agent,
        note=row.note,
        at=row.at,
        materials=noted_materials(row.note),
    )


def _party(actor: Actor, row: Any) -> bool:
    """The department handling it, its agent, the applicant's account."""
    return own_department(actor) == row.department_code or applicant_side(actor, row)


def _personal(
    info: Info,
    row: Any,
    field: str,
    value: str | None,
    category: str,
    mask: Callable[[str], str | None],
) -> str | None:
    """Whole (and audited) for the parties and whoever reads ``category`` where the
    applicant lives; masked for the others."""
    if value is None:
        return None
    actor = info.context.actor
    if _party(actor, row) or may_unmask(actor, category, row.region_code):
        info.context.audit.record(
            KIND, int(row.id), row.region_code, field, lambda: operation_of(info)
        )
        return value
    return mask(value)


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``: the family name alone."""
    return name[:1] + "*" * (len(name) - 1)


@strawberry.type(
    name="GovApplication",
    description="An application (办件) for a version of a service item, by a resident "
    "or their agent (代办), handled by the item's department to a deadline in working days",
)
class ApplicationType:
    id: strawberry.ID
    department_code: str
    department_name: str
    region_code: str = strawberry.field(description="Where the applicant lives")
    status: ApplicationStatus
    channel: Channel = strawberry.field(description="How it was filed")
    visits: int = strawberry.field(description="Times the applicant came in person (0: 零跑腿)")
    note: str | None
    submitted_at: datetime
    accepted_on: date | None
    deadline_on: date | None = strawberry.field(
        description="The last working day to finish on time (moved on by every 补正)"
    )
    paused_days: int = strawberry.field(description="Working days spent in 补正")
    paused_since: date | None = strawberry.field(description="The day the pending 补正 began")
    decision: Decision | None
    decided_at: datetime | None
    completed_on: date | None
    on_time: bool | None = strawberry.field(description="Null until completed")
    revision: int = strawberry.field(description="One more on every step")

    @strawberry.field
    def item(self) -> ItemRef:
        row: Any = self
        return ItemRef(
            id=strawberry.ID(str(row.item_id)),
            code=row.item_code,
            name=row.item_name,
            version=row.item_version,
        )

    @strawberry.field(description="The terms it was filed under (its deadline's, its materials')")
    async def terms(self, info: Info) -> ServiceVersionType:
        row: Any = self
        found = await info.context.loader(ServiceVersionLoader).load(
            (int(row.item_id), int(row.item_version))
        )
        if found is None:
            raise NotFound(f"the version {row.item_version} of item {row.item_id} is missing")
        return found

    @strawberry.field(description="Whole for the parties and readers of person:basic there")
    def applicant_name(self, info: Info) -> str:
        row: Any = self
        actor = info.context.actor
        if _party(actor, row) or may_unmask(actor, "person:basic", row.region_code):
            return str(row.applicant_name)
        return mask_name(row.applicant_name)

    @strawberry.field(description="Masked unless you may see it (then audited)")
    def id_number(self, info: Info) -> str | None:
        row: Any = self
        return _personal(
            info, row, "idNumber", row.id_number, "person:identity", mask_identity_number
        )

    @strawberry.field(description="Masked unless you may see it (then audited)")
    def phone(self, info: Info) -> str | None:
        row: Any = self
        return _personal(info, row, "phone", row.phone, "person:contact", mask_phone)

    @strawberry.field(description="The grid worker who filed it for the applicant (代办)")
    async def agent(self, info: Info) -> AccountRef | None:
        row: Any = self
        if row.agent_id is None:
            return None
        account = await info.context.loader(AccountLoader).load(row.agent_id)
        return AccountRef(username=account.username, name=account.name) if account else None

    @strawberry.field(description="Not completed past its deadline, or completed late")
    def overdue(self, info: Info) -> bool:
        return service.is_overdue(self, local_today(info.context.settings.timezone))

    @strawberry.field(description="Running, with its deadline 2 working days away or fewer")
    async def due_soon(self, info: Info) -> bool:
        calendar, today = await _calendar_and_today(info)
        return service.is_due_soon(calendar, self, today)

    @strawberry.field(
        description="Working days to the deadline (negative past it); null while the clock "
        "does not run (not accepted, in 补正, finished)"
    )
    async def working_days_left(self, info: Info) -> int | None:
        calendar, today = await _calendar_and_today(info)
        return service.working_days_left(calendar, self, today)

    @strawberry.field(description="What the version asks for, and what was handed in")
    async def materials(self, info: Info) -> list[MaterialType]:
        row: Any = self
        rows = await info.context.loader(MaterialsLoader).load(int(row.id))
        asked: set[int] = set()
        if row.status == ApplicationStatus.CORRECTING.value:
            steps = await info.context.loader(StepsLoader).load(int(row.id))
            requests = [s for s in steps if s.step == StepName.REQUEST_CORRECTION.value]
            asked = set(noted_materials(requests[-1].note)) if requests else set()
        return [
            MaterialType(
                seq=m.seq,
                name=m.name,
                required=m.required,
                handed_in=m.handed_in_at is not None,
                filename=m.filename,
                key=m.key,
                handed_in_at=m.handed_in_at,
                requested=m.seq in asked,
            )
            for m in rows
        ]

    @strawberry.field(description="The trace, oldest first, with the agent's steps marked")
    async def steps(self, info: Info) -> list[StepType]:
        row: Any = self
        return [step_of(s) for s in await info.context.loader(StepsLoader).load(int(row.id))]


ApplicationEdge = Edge[ApplicationType]
ApplicationConnection = Connection[ApplicationType]


@strawberry.type(name="GovApplicationUpdate", description="An application and the step taken")
class ApplicationUpdate:
    application: ApplicationType
    step: StepType


# --- inputs ---------------------------------------------------------------------------------


@strawberry.input(name="GovMaterialInput", description="A material handed in")
class MaterialInput:
    seq: int = strawberry.field(description="Its number in the item's list")
    file: Upload | None = strawberry.field(
        default=None, description="A scan or photo; without one, the original seen at the window"
    )


@strawberry.input(name="GovSubmitApplicationInput")
class SubmitInput:
    item_id: strawberry.ID
    channel: Channel = strawberry.field(description="How it is filed: no better than the item's")
    applicant_name: str | None = strawberry.field(
        default=None, description="Required for yourself; an agent's comes from the person record"
    )
    id_number: str | None = None
    phone: str | None = None
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="The resident an agent (a grid worker) files for"
    )
    applicant_username: str | None = strawberry.field(
        default=None, description="The resident's citizen account, to follow it (agents)"
    )
    visits: int = strawberry.field(default=0, description="Times the applicant came in person")
    note: str | None = None
    materials: list[MaterialInput] = strawberry.field(default_factory=list)


# --- helpers --------------------------------------------------------------------------------


async def _stored(
    info: Info, materials: Sequence[MaterialInput]
) -> tuple[list[MaterialIn], list[Any]]:
    """The materials with their files saved (before the transaction; forgotten on error)."""
    files = [m.file for m in materials if m.file is not None]
    saved = await store_uploads(
        info, files, limit=MAX_FILES, argument="materials", kinds=("image",)
    )
    found = iter(saved)
    return [
        MaterialIn(m.seq, next(found) if m.file is not None else None) for m in materials
    ], saved


Action = Callable[[AsyncSession], Awaitable[tuple[GovApplication, Any]]]


async def _run(info: Info, action: Action, saved: Sequence[Any] = ()) -> Any:
    """One step in one transaction; the application as the caller now sees it."""
    ctx = info.context
    try:
        async with ctx.transaction() as session:
            app, _step = await action(session)
            return (await session.execute(APPLICATIONS.where(GovApplication.id == app.id))).one()
    except BaseException:
        await forget_uploads(info, list(saved))
        raise


def _tz(info: Info) -> str:
    return str(info.context.settings.timezone)


def _require_login(actor: Actor) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to see applications")


def _status_filter(statement: Any, status: ApplicationStatus | None) -> Any:
    return statement if status is None else statement.where(GovApplication.status == status.value)


async def _newest_first(
    info: Info, statement: Any, kind: str, first: int, after: str | None
) -> Any:
    page = await keyset_page(
        info,
        statement,
        [NEWEST],
        lambda r: (-int(r.id),),
        kind=kind,
        key_types=(int,),
        first=first,
        after=after,
    )
    return to_connection(ApplicationConnection, ApplicationEdge, page, kind)


# --- the API --------------------------------------------------------------------------------


@strawberry.type
class ApplicationQueries:
    @strawberry.field(
        description="Applications you filed: as the applicant, or as agent (代办), newest first"
    )
    async def my_applications(
        self,
        info: Info,
        status: ApplicationStatus | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ApplicationConnection:
        actor = info.context.actor
        _require_login(actor)
        mine = or_(
            GovApplication.applicant_account_id == actor.account_id,
            GovApplication.agent_id == actor.account_id,
        )
        statement = _status_filter(APPLICATIONS.where(mine), status)
        return await _newest_first(info, statement, "gov_my_applications", first, after)

    @strawberry.field(
        description="Your department's queue: open ones first, by deadline (those awaiting "
        "受理 after them), then the finished"
    )
    async def applications_to_handle(
        self,
        info: Info,
        status: ApplicationStatus | None = None,
        overdue: bool | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ApplicationConnection:
        actor = info.context.actor
        _require_login(actor)
        department = own_department(actor)
        if department is None and not actor.reach.anywhere(SERVICE, "handle"):
            raise Forbidden("only a department's staff (or service handlers) have a queue")
        ways = [actor.reach.where(SERVICE, "handle", GovApplication.region_code)]
        if department is not None:
            ways.append(GovApplication.department_code == department)
        statement = _status_filter(
            APPLICATIONS.add_columns(
                QUEUE_RANK.label("queue_rank"), QUEUE_DAYS.label("queue_days")
            ).where(or_(*ways)),
            status,
        )
        if overdue is not None:
            late = service.overdue_sql(local_today(_tz(info)))
            statement = statement.where(late if overdue else ~late)
        page = await keyset_page(
            info,
            statement,
            [QUEUE_RANK, QUEUE_DAYS, GovApplication.id],
            lambda r: (int(r.queue_rank), int(r.queue_days), int(r.id)),
            kind="gov_queue",
            key_types=(int, int, int),
            first=first,
            after=after,
        )
        return to_connection(ApplicationConnection, ApplicationEdge, page, "gov_queue")

    @strawberry.field(description="One application you may see")
    async def application(self, info: Info, id: strawberry.ID) -> ApplicationType:
        actor = info.context.actor
        _require_login(actor)
        app_id = parse_id(id)
        row = (
            await info.context.execute(
                APPLICATIONS.where(GovApplication.id == app_id, visible(actor))
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"no application has the id {id}", argument="id")
        return row

    @strawberry.field(
        description="Applications you may see (the command centre; region grants on "
        "service), newest first"
    )
    async def applications(
        self,
        info: Info,
        department_code: str | None = None,
        region_code: str | None = None,
        status: ApplicationStatus | None = None,
        item_id: strawberry.ID | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> ApplicationConnection:
        actor = info.context.actor
        _require_login(actor)
        statement = _status_filter(APPLICATIONS.where(visible(actor)), status)
        if department_code is not None:
            statement = statement.where(GovApplication.department_code == department_code.strip())
        if region_code is not None:
            prefix = await known_area_prefix(info, region_code)
            statement = statement.where(prefix_match(GovApplication.region_code, prefix))
        item = optional_id(item_id, "itemId")
        if item is not None:
            statement = statement.where(GovApplication.item_id == item)
        return await _newest_first(info, statement, "gov_applications", first, after)


@strawberry.type
class ApplicationMutations:
    @strawberry.mutation(
        description="File an application (申请) under the item's current version: for "
        "yourself, or as a grid worker for a resident of your grid (代办). Materials come as "
        "files (multipart) or as originals seen at the window."
    )
    async def submit_application(self, info: Info, input: SubmitInput) -> ApplicationType:
        materials, saved = await _stored(info, input.materials)
        filing = Filing(
            item_id=parse_id(input.item_id, "itemId"),
            channel=input.channel,
            applicant_name=input.applicant_name,
            id_number=input.id_number,
            phone=input.phone,
            person_id=optional_id(input.person_id, "personId"),
            applicant_username=input.applicant_username,
            visits=input.visits,
            note=input.note,
            materials=materials,
        )
        actor = info.context.actor
        return await _run(info, lambda s: service.submit(s, actor, filing, tz=_tz(info)), saved)

    @strawberry.mutation(
        description="受理 (the handling department): every required material handed in; "
        "the clock starts. acceptedOn: an earlier day, for back-office entry."
    )
    async def accept_application(
        self, info: Info, id: strawberry.ID, accepted_on: date | None = None
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.accept(s, actor, app_id, accepted_on=accepted_on, tz=_tz(info)),
        )

    @strawberry.mutation(description="不予受理, saying why: the application ends")
    async def refuse_application(
        self, info: Info, id: strawberry.ID, reason: str, refused_on: date | None = None
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.refuse(s, actor, app_id, reason, refused_on=refused_on, tz=_tz(info)),
        )

    @strawberry.mutation(
        description="补正: name the materials to supply (by number); the clock stops"
    )
    async def request_correction(
        self,
        info: Info,
        id: strawberry.ID,
        materials: list[int],
        note: str | None = None,
        requested_on: date | None = None,
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.request_correction(
                s, actor, app_id, materials, note, requested_on=requested_on, tz=_tz(info)
            ),
        )

    @strawberry.mutation(
        description="The applicant or their agent hands in what the 补正 asked for; the "
        "clock runs again, the deadline moved on by the working days it was stopped"
    )
    async def supply_correction(
        self,
        info: Info,
        id: strawberry.ID,
        materials: list[MaterialInput],
        supplied_on: date | None = None,
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        brought, saved = await _stored(info, materials)
        return await _run(
            info,
            lambda s: service.supply_correction(
                s, actor, app_id, brought, supplied_on=supplied_on, tz=_tz(info)
            ),
            saved,
        )

    @strawberry.mutation(description="审查 begins")
    async def start_review(
        self, info: Info, id: strawberry.ID, started_on: date | None = None
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.start_review(s, actor, app_id, started_on=started_on, tz=_tz(info)),
        )

    @strawberry.mutation(description="决定: APPROVED (批准) or DENIED (不予许可, with a reason)")
    async def decide_application(
        self,
        info: Info,
        id: strawberry.ID,
        decision: Decision,
        reason: str | None = None,
        decided_on: date | None = None,
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.decide(
                s, actor, app_id, decision, reason, decided_on=decided_on, tz=_tz(info)
            ),
        )

    @strawberry.mutation(description="办结: on time when on or before the deadline")
    async def complete_application(
        self, info: Info, id: strawberry.ID, completed_on: date | None = None
    ) -> ApplicationType:
        app_id, actor = parse_id(id), info.context.actor
        return await _run(
            info,
            lambda s: service.complete(s, actor, app_id, completed_on=completed_on, tz=_tz(info)),
        )


# --- live -----------------------------------------------------------------------------------


async def _update(info: Info, app_id: int, step_id: int) -> ApplicationUpdate | None:
    """The application and the step as the subscriber may see them now (None if not),
    on a fresh session."""
    ctx = info.context
    await ctx.fresh()
    row = (
        await ctx.execute(APPLICATIONS.where(GovApplication.id == app_id, visible(ctx.actor)))
    ).one_or_none()
    if row is None:
        return None
    step = (
        await ctx.execute(
            StepsLoader.statement.where(
                GovApplicationStep.id == step_id, GovApplicationStep.application_id == app_id
            )
        )
    ).one_or_none()
    return None if step is None else ApplicationUpdate(application=row, step=step_of(step))


def _selected_under(info: Info, parent: str) -> set[str]:
    """The names of the fields the subscriber selected under ``parent`` (fragments
    included)."""
    names: set[str] = set()

    def walk(selections: Sequence[Any], inside: bool) -> None:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if inside:
                    names.add(selection.name)
                else:
                    walk(selection.selections, selection.name == parent)
            else:  # a fragment: its fields are the enclosing selection's
                walk(selection.selections, inside)

    walk(info.selected_fields, False)
    return names


#: the personal fields of an application: (field, row attribute, category that unmasks)
PERSONAL = (("idNumber", "id_number", "person:identity"), ("phone", "phone", "person:contact"))


async def _audit_ahead(info: Info, row: Any, selected: set[str]) -> None:
    """Write the whole reads the update is about to make before it is sent: the
    request's audit is flushed after execution, which a stream's messages never reach.
    The reads its resolvers note are then dropped (``_clear_audit``)."""
    ctx = info.context
    for field, attr, category in PERSONAL:
        value = getattr(row, attr)
        if field in selected and value is not None:
            _personal(info, row, field, value, category, lambda v: v)
    if ctx.audit.entries:
        async with ctx.locked() as session:
            await ctx.audit.flush(session, ctx.actor)


def _clear_audit(info: Info) -> None:
    info.context.audit.entries.clear()


@strawberry.type
class ApplicationSubscriptions:
    @strawberry.subscription(
        description="Applications you may see as they change: the department's, those you "
        "filed or follow, those where you read service (the application as it is when the "
        "update is sent, with the step taken)"
    )
    async def application_changed(self, info: Info) -> AsyncGenerator[ApplicationUpdate, None]:
        actor = info.context.actor
        if not actor.authenticated:
            raise Unauthenticated("log in (connection_init Authorization) to follow applications")
        broker = info.context.app.broker
        selected = _selected_under(info, "application")

        async def updates() -> AsyncIterator[ApplicationUpdate | None]:
            recent: OrderedDict[tuple[Any, ...], None] = OrderedDict()
            async for message in merged(broker, service.subscriber_topics(actor)):
                if "id" not in message or "step" not in message:
                    continue  # a reconnection: nothing to reload, the next change comes
                key = (message["id"], message.get("revision"))
                if key in recent:
                    continue
                recent[key] = None
                if len(recent) > RECENT:
                    recent.popitem(last=False)
                update = await _update(info, int(message["id"]), int(message["step"]))
                if update is not None:
                    await _audit_ahead(info, update.application, selected)
                yield update
                _clear_audit(info)  # written ahead

        await info.context.fresh()
        async for update in streamed(info, updates()):
            yield update
