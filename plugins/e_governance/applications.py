"""Applications (办件) from filing to completion, against the promised working days.

申请 SUBMITTED → 受理 ACCEPTED (or 不予受理 NOT_ACCEPTED, final) → [补正 CORRECTING → back
to where it came from] → 审查 REVIEWING → 决定 DECIDED (批准 or 不予许可) → 办结 COMPLETED.

A resident files for themselves (their citizen account is the applicant's account), or a
grid worker files for a resident of their grid as agent (代办帮办); the resident's citizen
account, when named, follows the application too. The owning department takes the
department's steps; the applicant's side (account or agent) supplies what a 补正 asks for.

Deadlines follow ``workdays``: accepted on A with P promised working days, the deadline
is the P-th working day after A; every 补正 moves it on by the working days after the
request up to and including the day the materials came. Each step may be entered with an
earlier date (back-office entry of what happened on paper), never a future one and never
one before the previous step: the step's time in the trace is then that day's.

Every step writes a trace row, bumps ``revision`` and is announced (after commit) on the
topics of the department, the agent, the applicant's account and the applicant's region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import local_today
from core.codes.errors import InvalidCode
from core.codes.identity import parse_identity_number
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Account, Department
from core.models.account import Role
from core.models.population import Person
from core.pubsub import publish
from plugins.e_governance.access import SERVICE, applicant_side, handles, own_department, sees
from plugins.e_governance.catalogue import applicable_version
from plugins.e_governance.models import (
    ApplicationStatus,
    Channel,
    Decision,
    GovApplication,
    GovApplicationMaterial,
    GovApplicationStep,
    GovServiceMaterial,
    GovServiceVersion,
)
from plugins.e_governance.workdays import Calendar, load_calendar

S = ApplicationStatus
#: not finished: the department still has something to do
OPEN = frozenset({S.SUBMITTED, S.ACCEPTED, S.CORRECTING, S.REVIEWING, S.DECIDED})
#: the clock runs (accepted, not paused for 补正, not completed)
RUNNING = frozenset({S.ACCEPTED, S.REVIEWING, S.DECIDED})
#: an open application whose deadline is this many working days away or fewer is due soon
DUE_SOON_DAYS = 2
MAX_VISITS = 99
MAX_MATERIALS = 50
NAME_LENGTH = 100
PHONE = re.compile(r"[0-9+-]{5,20}")
NOTE_LENGTH = 2000
REASON_LENGTH = 1000
#: pub/sub topics: ``gov_application:<dept|account|region>:<key>``
TOPIC = "gov_application"
#: region code lengths of the district, township, community and grid
LEVELS = (6, 9, 12, 15)
ALL_REGIONS = "all"


class StepName(StrEnum):
    """The steps of the trace."""

    SUBMIT = "submit"  # 申请
    ACCEPT = "accept"  # 受理
    REFUSE = "refuse"  # 不予受理
    REQUEST_CORRECTION = "request_correction"  # 补正告知
    SUPPLY_CORRECTION = "supply_correction"  # 补正材料提交
    START_REVIEW = "start_review"  # 审查
    DECIDE = "decide"  # 决定
    COMPLETE = "complete"  # 办结


#: the statuses each step may be taken from (any other order is a CONFLICT)
ALLOWED_FROM: dict[StepName, frozenset[ApplicationStatus]] = {
    StepName.ACCEPT: frozenset({S.SUBMITTED}),
    StepName.REFUSE: frozenset({S.SUBMITTED}),
    StepName.REQUEST_CORRECTION: frozenset({S.ACCEPTED, S.REVIEWING}),
    StepName.SUPPLY_CORRECTION: frozenset({S.CORRECTING}),
    StepName.START_REVIEW: frozenset({S.ACCEPTED}),
    StepName.DECIDE: frozenset({S.REVIEWING}),
    StepName.COMPLETE: frozenset({S.DECIDED}),
}
#: a filing may be no better than the item allows: an item handled at the window cannot
#: be filed online, an online one may still be filed at the window
CHANNEL_RANK: dict[Channel, int] = {Channel.WINDOW: 0, Channel.ONE_VISIT: 1, Channel.ONLINE: 2}
#: the trace's note of a step that names materials starts with this header, which keeps
#: their numbers: ``补正材料 #2 #4：户口簿；结婚证``
HEADS: dict[StepName, str] = {
    StepName.SUBMIT: "提交材料",
    StepName.REQUEST_CORRECTION: "补正材料",
    StepName.SUPPLY_CORRECTION: "补交材料",
}
_HEAD = re.compile(r"^(?:提交材料|补正材料|补交材料)((?: #\d+)+)：")


@dataclass(frozen=True, slots=True)
class MaterialIn:
    """A material handed in: an uploaded file (a ``StoredFile``) or, without one, the
    original seen at the window."""

    seq: int
    stored: Any = None


@dataclass(frozen=True, slots=True)
class Filing:
    """What ``submit`` is given."""

    item_id: int
    channel: Channel
    applicant_name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    person_id: int | None = None
    applicant_username: str | None = None
    visits: int = 0
    note: str | None = None
    materials: Sequence[MaterialIn] = field(default_factory=tuple)


# --- time -----------------------------------------------------------------------------------


def local_now(tz: str) -> datetime:
    return datetime.now(ZoneInfo(tz))


def step_time(on: date | None, previous_at: datetime | None, tz: str, argument: str) -> datetime:
    """When a step happened: now, or on an earlier day given for back-office entry (at the
    current time of day, never before the previous step). A day in the future, or before
    the previous step's day, is BAD_USER_INPUT."""
    now = local_now(tz)
    previous_day = previous_at.astimezone(ZoneInfo(tz)).date() if previous_at else None
    if on is None or on == now.date():
        at = now
    else:
        if on > now.date():
            raise BadInput(f"{argument} {on} is in the future", argument=argument)
        at = datetime.combine(on, now.timetz())
    if previous_day is not None and at.date() < previous_day:
        raise BadInput(
            f"{argument} {at.date()} is before the previous step ({previous_day})",
            argument=argument,
        )
    if previous_at is not None and at < previous_at:
        at = previous_at  # the same day, earlier in it: keep the trace in order
    return at.astimezone(UTC)


def local_day(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


# --- deadlines ------------------------------------------------------------------------------


def deadline(calendar: Calendar, accepted_on: date, promised_days: int, paused_days: int) -> date:
    """The last day to finish on time: the (promised + paused)-th working day after
    acceptance (the day of acceptance is not counted)."""
    return calendar.add(accepted_on, promised_days + paused_days)


def is_overdue(row: Any, today: date) -> bool:
    """Late: running past its deadline, paused for 补正 after it had passed, or
    completed after it."""
    status = ApplicationStatus(row.status)
    if status == S.COMPLETED:
        return row.on_time is False
    if row.deadline_on is None:
        return False
    if status in RUNNING:
        return bool(today > row.deadline_on)
    if status == S.CORRECTING:
        return row.paused_since is not None and bool(row.paused_since > row.deadline_on)
    return False


def overdue_sql(today: date, app: Any = GovApplication) -> ColumnElement[bool]:
    """SQL: ``is_overdue`` of each row."""
    return or_(
        and_(app.status.in_([s.value for s in RUNNING]), app.deadline_on < today),
        and_(app.status == S.CORRECTING.value, app.paused_since > app.deadline_on),
        and_(app.status == S.COMPLETED.value, app.on_time.is_(False)),
    )


def working_days_left(calendar: Calendar, row: Any, today: date) -> int | None:
    """Working days until the deadline (negative once past it); None while the clock
    does not run (not yet accepted, paused for 补正, finished)."""
    if ApplicationStatus(row.status) not in RUNNING or row.deadline_on is None:
        return None
    if row.deadline_on >= today:
        return calendar.between(today, row.deadline_on)
    return -calendar.between(row.deadline_on, today)


def is_due_soon(calendar: Calendar, row: Any, today: date) -> bool:
    left = working_days_left(calendar, row, today)
    return left is not None and 0 <= left <= DUE_SOON_DAYS


# --- notes naming materials ------------------------------------------------------------------


def materials_note(step: StepName, materials: Iterable[Any], note: str | None) -> str | None:
    """The trace's note of a step that names materials: a header keeping their numbers
    and names, then the free note."""
    named = sorted(materials, key=lambda m: m.seq)
    if not named:
        return note
    head = (
        HEADS[step] + "".join(f" #{m.seq}" for m in named) + "：" + "；".join(m.name for m in named)
    )
    return head if not note else f"{head}\n{note}"


def noted_materials(note: str | None) -> list[int]:
    """The material numbers a step's note names (none for a note without the header)."""
    found = _HEAD.match(note or "")
    if found is None:
        return []
    return [int(n) for n in found[1].split("#")[1:]]


# --- input ----------------------------------------------------------------------------------


def _text(value: str | None, argument: str, limit: int, *, required: bool) -> str | None:
    stripped = (value or "").strip()
    if not stripped:
        if required:
            raise BadInput(f"{argument} must not be empty", argument=argument)
        return None
    if len(stripped) > limit:
        raise BadInput(f"{argument} is longer than {limit} characters", argument=argument)
    return stripped


def _identity(value: str | None, today: date) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return parse_identity_number(value, today=today).value
    except InvalidCode as exc:
        raise BadInput(str(exc), argument="idNumber") from None


def _phone(value: str | None) -> str | None:
    stripped = (value or "").strip()
    if not stripped:
        return None
    if PHONE.fullmatch(stripped) is None:
        raise BadInput("phone must be 5 to 20 digits, + or -", argument="phone")
    return stripped


def _check_channel(filed: Channel, allowed: Channel, visits: int) -> None:
    if CHANNEL_RANK[filed] > CHANNEL_RANK[allowed]:
        raise BadInput(
            f"the item is handled {allowed.value}: it cannot be filed {filed.value}",
            argument="channel",
        )
    if not 0 <= visits <= MAX_VISITS:
        raise BadInput(f"visits must be between 0 and {MAX_VISITS}", argument="visits")
    if filed == Channel.ONLINE and visits != 0:
        raise BadInput("an application filed online took no visit (零跑腿)", argument="visits")
    if filed == Channel.ONE_VISIT and visits > 1:
        raise BadInput("最多跑一次: at most one visit", argument="visits")


def _named(
    wanted: Iterable[int], materials: Sequence[GovServiceMaterial], argument: str
) -> list[GovServiceMaterial]:
    """The version's materials of these numbers, each once (BAD_USER_INPUT otherwise)."""
    by_seq = {m.seq: m for m in materials}
    out: list[GovServiceMaterial] = []
    for seq in wanted:
        found = by_seq.get(seq)
        if found is None:
            raise BadInput(f"the item asks for no material numbered {seq}", argument=argument)
        if found in out:
            raise BadInput(f"material {seq} ({found.name}) is named twice", argument=argument)
        out.append(found)
    if len(out) > MAX_MATERIALS:
        raise BadInput(f"at most {MAX_MATERIALS} materials", argument=argument)
    return out


def _listing(materials: Iterable[Any]) -> str:
    return "、".join(f"{m.seq} {m.name}" for m in materials)


# --- loading ---------------------------------------------------------------------------------


async def version_materials(session: AsyncSession, app: GovApplication) -> list[GovServiceMaterial]:
    """The materials the application's version asks for, in order."""
    rows = await session.scalars(
        select(GovServiceMaterial)
        .where(
            GovServiceMaterial.item_id == app.item_id,
            GovServiceMaterial.version == app.item_version,
        )
        .order_by(GovServiceMaterial.seq)
    )
    return list(rows)


async def _handed_in(session: AsyncSession, app_id: int) -> dict[int, GovApplicationMaterial]:
    rows = await session.scalars(
        select(GovApplicationMaterial).where(GovApplicationMaterial.application_id == app_id)
    )
    return {r.seq: r for r in rows}


async def _last_step(session: AsyncSession, app_id: int, step: StepName | None = None) -> Any:
    statement = select(GovApplicationStep).where(GovApplicationStep.application_id == app_id)
    if step is not None:
        statement = statement.where(GovApplicationStep.step == step.value)
    return await session.scalar(statement.order_by(GovApplicationStep.id.desc()).limit(1))


async def load_for_step(session: AsyncSession, actor: Actor, app_id: int) -> GovApplication:
    """The application, locked until the transaction ends (two steps never interleave);
    NOT_FOUND unless the actor sees it."""
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    app = await session.scalar(
        select(GovApplication).where(GovApplication.id == app_id).with_for_update()
    )
    if app is None or not sees(actor, app):
        raise NotFound(f"no application has the id {app_id}", argument="id")
    return app


def _check_order(app: GovApplication, step: StepName) -> None:
    if ApplicationStatus(app.status) not in ALLOWED_FROM[step]:
        raise Conflict(
            f"the application is {app.status}: it cannot {step.value.replace('_', ' ')} now",
            argument="id",
        )


def _require_handler(actor: Actor, app: GovApplication, step: StepName) -> None:
    if not handles(actor, app):
        raise Forbidden(f"only the department handling the application may {step.value}")


# --- live updates ---------------------------------------------------------------------------


def topic(key: str) -> str:
    return f"{TOPIC}:{key}"


def topics_of(app: Any) -> list[str]:
    """Where a change of the application is announced: its department, its agent, its
    applicant's account, each region level of the applicant's region, and ``all``."""
    keys = {f"dept:{app.department_code}", f"region:{ALL_REGIONS}"}
    keys.update(f"account:{a}" for a in (app.agent_id, app.applicant_account_id) if a)
    code = app.region_code or ""
    keys.update(f"region:{code[:n]}" for n in LEVELS if len(code) >= n)
    return sorted(topic(k) for k in keys)


def subscriber_topics(actor: Actor) -> list[str]:
    """The topics of the changes an actor may see: their account's, their department's,
    and one per region prefix where they read ``service`` (``all`` for a reach that is
    not made of region levels)."""
    keys = {f"account:{actor.account_id}"}
    department = own_department(actor)
    if department is not None:
        keys.add(f"dept:{department}")
    for prefix in actor.reach.prefixes(SERVICE, "read"):
        keys.add(f"region:{prefix}" if len(prefix) in LEVELS else f"region:{ALL_REGIONS}")
    return sorted(topic(k) for k in keys)


async def announce(session: AsyncSession, app: GovApplication, step: GovApplicationStep) -> None:
    """Tell subscribers (in every process, after commit) that the application changed."""
    payload = {"id": app.id, "revision": app.revision, "status": app.status, "step": step.id}
    for name in topics_of(app):
        await publish(session, name, payload)


async def _record(
    session: AsyncSession,
    app: GovApplication,
    actor: Actor,
    step: StepName,
    from_status: str | None,
    at: datetime,
    note: str | None,
) -> GovApplicationStep:
    """Write the trace row and announce the change."""
    row = GovApplicationStep(
        application_id=app.id,
        step=step.value,
        from_status=from_status,
        to_status=app.status,
        actor_id=actor.account_id,
        as_agent=app.agent_id is not None and actor.account_id == app.agent_id,
        note=note,
        at=at,
    )
    session.add(row)
    await session.flush()
    await announce(session, app, row)
    return row


async def _advance(
    session: AsyncSession,
    app: GovApplication,
    actor: Actor,
    step: StepName,
    to_status: ApplicationStatus,
    at: datetime,
    note: str | None,
    **values: Any,
) -> GovApplicationStep:
    """Move the application to ``to_status`` with ``values``; one more revision."""
    before = app.status
    app.status = to_status.value
    for name, value in values.items():
        setattr(app, name, value)
    app.revision = app.revision + 1
    await session.flush()
    return await _record(session, app, actor, step, before, at, note)


# --- filing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applicant:
    name: str
    id_number: str | None
    phone: str | None
    person_id: int | None
    region_code: str | None
    account_id: int | None
    agent_id: int | None


async def _self_applicant(
    session: AsyncSession, actor: Actor, filing: Filing, today: date
) -> Applicant:
    """A resident filing for themselves, matched to a resident record by identity number."""
    if filing.person_id is not None:
        raise BadInput("personId is for a grid worker filing as agent", argument="personId")
    if filing.applicant_username is not None:
        raise BadInput(
            "applicantUsername is for a grid worker filing as agent", argument="applicantUsername"
        )
    name = _text(filing.applicant_name, "applicantName", NAME_LENGTH, required=True)
    id_number = _identity(filing.id_number, today)
    person = None
    if id_number is not None:
        person = (
            await session.execute(
                select(Person.id, Person.region_code).where(Person.id_number == id_number)
            )
        ).one_or_none()
    return Applicant(
        name=name or "",
        id_number=id_number,
        phone=_phone(filing.phone),
        person_id=person.id if person else None,
        region_code=person.region_code if person else None,
        account_id=actor.account_id,
        agent_id=None,
    )


async def _agent_applicant(session: AsyncSession, actor: Actor, filing: Filing) -> Applicant:
    """A grid worker filing for a resident of their grid (代办): the applicant is the
    resident record; the resident's citizen account may follow it."""
    if filing.person_id is None:
        raise BadInput("an agent files for a resident: give personId", argument="personId")
    person = await session.get(Person, filing.person_id)
    if person is None:
        raise NotFound(f"no person has the id {filing.person_id}", argument="personId")
    if not any(person.region_code.startswith(p) for p in actor.area_prefixes if p):
        raise Forbidden("the person does not live in your grid")
    account_id = None
    if filing.applicant_username is not None:
        account_id = await session.scalar(
            select(Account.id).where(
                Account.username == filing.applicant_username.strip(),
                Account.role == Role.CITIZEN.value,
                Account.is_active.is_(True),
            )
        )
        if account_id is None:
            raise BadInput(
                f"no active citizen account is called {filing.applicant_username!r}",
                argument="applicantUsername",
            )
    return Applicant(
        name=person.name,
        id_number=person.id_number,
        phone=person.phone,
        person_id=person.id,
        region_code=person.region_code,
        account_id=account_id,
        agent_id=actor.account_id,
    )


async def submit(
    session: AsyncSession, actor: Actor, filing: Filing, *, tz: str
) -> tuple[GovApplication, GovApplicationStep]:
    """File an application under the item's current version (申请).

    UNAUTHENTICATED; FORBIDDEN for a role that neither files for itself (citizen) nor as
    agent (grid worker), or an agent's person outside their grid; NOT_FOUND (item,
    person); CONFLICT (withdrawn item); BAD_USER_INPUT (the applicant, channel, visits,
    materials)."""
    if not actor.authenticated:
        raise Unauthenticated("log in to file an application")
    if actor.role not in (Role.CITIZEN, Role.GRID_WORKER):
        raise Forbidden("residents file for themselves, grid workers as agents (代办)")
    today = local_today(tz)
    item, version, materials = await applicable_version(session, filing.item_id)
    _check_channel(filing.channel, Channel(version.channel), filing.visits)
    if actor.role == Role.GRID_WORKER:
        applicant = await _agent_applicant(session, actor, filing)
    else:
        applicant = await _self_applicant(session, actor, filing, today)
    handed = _named((m.seq for m in filing.materials), materials, "materials")
    _check_files(filing.channel, filing.materials)
    at = datetime.now(UTC)
    region = applicant.region_code or await session.scalar(
        select(Department.region_code).where(Department.code == item.department_code)
    )
    app = GovApplication(
        item_id=item.id,
        item_version=version.version,
        department_code=item.department_code,
        applicant_name=applicant.name,
        id_number=applicant.id_number,
        phone=applicant.phone,
        person_id=applicant.person_id,
        region_code=region or "",
        applicant_account_id=applicant.account_id,
        agent_id=applicant.agent_id,
        channel=filing.channel.value,
        visits=filing.visits,
        status=S.SUBMITTED.value,
        note=_text(filing.note, "note", NOTE_LENGTH, required=False),
        paused_days=0,
        revision=1,
        submitted_at=at,
    )
    session.add(app)
    await session.flush()
    _hand_in(session, app.id, filing.materials, {}, at)
    await session.flush()
    step = await _record(
        session,
        app,
        actor,
        StepName.SUBMIT,
        None,
        at,
        materials_note(StepName.SUBMIT, handed, None),
    )
    return app, step


def _check_files(channel: Channel, materials: Iterable[MaterialIn]) -> None:
    if channel == Channel.ONLINE and any(m.stored is None for m in materials):
        raise BadInput(
            "an application filed online hands in every material as a file", argument="materials"
        )


def _hand_in(
    session: AsyncSession,
    app_id: int,
    materials: Iterable[MaterialIn],
    existing: dict[int, GovApplicationMaterial],
    at: datetime,
) -> None:
    """Record the materials handed in (a material handed in again replaces the earlier)."""
    for m in materials:
        key = m.stored.key if m.stored is not None else None
        filename = m.stored.original_filename if m.stored is not None else None
        row = existing.get(m.seq)
        if row is None:
            session.add(
                GovApplicationMaterial(
                    application_id=app_id, seq=m.seq, key=key, filename=filename, handed_in_at=at
                )
            )
        else:
            row.key, row.filename, row.handed_in_at = key, filename, at


# --- the department's steps -----------------------------------------------------------------


async def accept(
    session: AsyncSession, actor: Actor, app_id: int, *, accepted_on: date | None, tz: str
) -> tuple[GovApplication, GovApplicationStep]:
    """受理: every required material handed in (BAD_USER_INPUT naming the missing); the
    clock starts: the deadline is the promised working days after the day of acceptance."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.ACCEPT)
    _check_order(app, StepName.ACCEPT)
    previous = await _last_step(session, app.id)
    at = step_time(accepted_on, previous.at if previous else None, tz, "acceptedOn")
    handed = await _handed_in(session, app.id)
    missing = [
        m for m in await version_materials(session, app) if m.required and m.seq not in handed
    ]
    if missing:
        raise BadInput(
            f"required materials not handed in: {_listing(missing)}", argument="materials"
        )
    version = await session.get_one(GovServiceVersion, (app.item_id, app.item_version))
    calendar = await _calendar(session)
    day = local_day(at, tz)
    return app, await _advance(
        session,
        app,
        actor,
        StepName.ACCEPT,
        S.ACCEPTED,
        at,
        None,
        accepted_on=day,
        deadline_on=deadline(calendar, day, version.promised_days, 0),
    )


async def refuse(
    session: AsyncSession,
    actor: Actor,
    app_id: int,
    reason: str,
    *,
    refused_on: date | None = None,
    tz: str,
) -> tuple[GovApplication, GovApplicationStep]:
    """不予受理, saying why: the application ends."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.REFUSE)
    _check_order(app, StepName.REFUSE)
    note = _text(reason, "reason", REASON_LENGTH, required=True)
    previous = await _last_step(session, app.id)
    at = step_time(refused_on, previous.at if previous else None, tz, "refusedOn")
    return app, await _advance(session, app, actor, StepName.REFUSE, S.NOT_ACCEPTED, at, note)


async def request_correction(
    session: AsyncSession,
    actor: Actor,
    app_id: int,
    seqs: Sequence[int],
    note: str | None,
    *,
    requested_on: date | None = None,
    tz: str,
) -> tuple[GovApplication, GovApplicationStep]:
    """补正: the department names the materials missing; the clock stops that day."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.REQUEST_CORRECTION)
    _check_order(app, StepName.REQUEST_CORRECTION)
    if not seqs:
        raise BadInput("name the materials to supply", argument="materials")
    asked = _named(seqs, await version_materials(session, app), "materials")
    text = _text(note, "note", NOTE_LENGTH, required=False)
    previous = await _last_step(session, app.id)
    at = step_time(requested_on, previous.at if previous else None, tz, "requestedOn")
    return app, await _advance(
        session,
        app,
        actor,
        StepName.REQUEST_CORRECTION,
        S.CORRECTING,
        at,
        materials_note(StepName.REQUEST_CORRECTION, asked, text),
        paused_since=local_day(at, tz),
    )


async def start_review(
    session: AsyncSession, actor: Actor, app_id: int, *, started_on: date | None = None, tz: str
) -> tuple[GovApplication, GovApplicationStep]:
    """审查."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.START_REVIEW)
    _check_order(app, StepName.START_REVIEW)
    previous = await _last_step(session, app.id)
    at = step_time(started_on, previous.at if previous else None, tz, "startedOn")
    return app, await _advance(session, app, actor, StepName.START_REVIEW, S.REVIEWING, at, None)


async def decide(
    session: AsyncSession,
    actor: Actor,
    app_id: int,
    decision: Decision,
    reason: str | None,
    *,
    decided_on: date | None = None,
    tz: str,
) -> tuple[GovApplication, GovApplicationStep]:
    """决定: 批准, or 不予许可 with the reason."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.DECIDE)
    _check_order(app, StepName.DECIDE)
    note = _text(reason, "reason", REASON_LENGTH, required=decision == Decision.DENIED)
    previous = await _last_step(session, app.id)
    at = step_time(decided_on, previous.at if previous else None, tz, "decidedOn")
    return app, await _advance(
        session,
        app,
        actor,
        StepName.DECIDE,
        S.DECIDED,
        at,
        note,
        decision=decision.value,
        decided_at=at,
    )


async def complete(
    session: AsyncSession, actor: Actor, app_id: int, *, completed_on: date | None, tz: str
) -> tuple[GovApplication, GovApplicationStep]:
    """办结: on time when completed on or before the deadline."""
    app = await load_for_step(session, actor, app_id)
    _require_handler(actor, app, StepName.COMPLETE)
    _check_order(app, StepName.COMPLETE)
    previous = await _last_step(session, app.id)
    at = step_time(completed_on, previous.at if previous else None, tz, "completedOn")
    day = local_day(at, tz)
    return app, await _advance(
        session,
        app,
        actor,
        StepName.COMPLETE,
        S.COMPLETED,
        at,
        None,
        completed_at=at,
        completed_on=day,
        on_time=app.deadline_on is not None and day <= app.deadline_on,
    )


# --- the applicant's side -------------------------------------------------------------------


async def supply_correction(
    session: AsyncSession,
    actor: Actor,
    app_id: int,
    materials: Sequence[MaterialIn],
    *,
    supplied_on: date | None = None,
    tz: str,
) -> tuple[GovApplication, GovApplicationStep]:
    """The applicant's side hands in what the 补正 asked for (all of it, BAD_USER_INPUT
    naming what is still missing); the clock runs again, the deadline moved on by the
    working days after the request up to and including today."""
    app = await load_for_step(session, actor, app_id)
    if not applicant_side(actor, app):
        raise Forbidden("only the applicant or their agent supplies materials")
    _check_order(app, StepName.SUPPLY_CORRECTION)
    request = await _last_step(session, app.id, StepName.REQUEST_CORRECTION)
    version = await version_materials(session, app)
    brought = _named((m.seq for m in materials), version, "materials")
    _check_files(Channel(app.channel), materials)
    asked = set(noted_materials(request.note if request else None))
    missing = [m for m in version if m.seq in asked and m not in brought]
    if missing:
        raise BadInput(f"the 补正 also asks for: {_listing(missing)}", argument="materials")
    previous = await _last_step(session, app.id)
    at = step_time(supplied_on, previous.at if previous else None, tz, "suppliedOn")
    day = local_day(at, tz)
    _hand_in(session, app.id, materials, await _handed_in(session, app.id), at)
    calendar = await _calendar(session)
    paused = app.paused_days + calendar.between(app.paused_since or day, day)
    terms = await session.get_one(GovServiceVersion, (app.item_id, app.item_version))
    back = ApplicationStatus(request.from_status) if request and request.from_status else S.ACCEPTED
    return app, await _advance(
        session,
        app,
        actor,
        StepName.SUPPLY_CORRECTION,
        back,
        at,
        materials_note(StepName.SUPPLY_CORRECTION, brought, None),
        paused_days=paused,
        paused_since=None,
        deadline_on=deadline(calendar, app.accepted_on or day, terms.promised_days, paused),
    )


async def _calendar(session: AsyncSession) -> Calendar:
    return await load_calendar(session)
