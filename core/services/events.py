"""The event loop: report → grid found → worker → escalation up four levels → department
→ handled → verified → closed → rated. Every step is one transaction that appends an
immutable trace record; two concurrent steps on one event never both succeed."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from core.models import Department, DepartmentArea, Event, EventAttachment, EventCategory, Grid
from core.models.event import EventTrace
from core.plugins import call_async
from core.services.event_rules import (
    LEVEL_UP,
    can_see,
    check_state,
    holds,
    may_supervise,
    region_of_level,
    status_after,
)
from core.services.locating import Placement, place_point, time_code_of
from core.tenancy import county_of

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
CHANNELS = ("citizen_app", "worker_app", "command")
DUPLICATE_RADIUS_M = 250


@dataclass(frozen=True, slots=True)
class Report:
    category_code: str
    title: str
    description: str
    lon: float | None
    lat: float | None
    idempotency_key: str
    address: str | None = None
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    """What a transition carries: a note, where it was taken, files already stored."""

    note: str | None = None
    lon: float | None = None
    lat: float | None = None
    attachments: list[Any] = field(default_factory=list)  # StoredFile


def _text(value: str | None, name: str, limit: int, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput(f"{name} must not be empty", argument=name)
        return None
    if len(value) > limit:
        raise BadInput(f"{name} has more than {limit} characters", argument=name)
    return value


_DISTRICT = text("""
SELECT min(code) FROM region
WHERE level = 'district' AND (CAST(:county AS text) IS NULL OR prefix = :county)
HAVING count(*) = 1
""")


async def _district(session: AsyncSession, county: str | None = None) -> str:
    """The region code of the county (district) ``county`` names, or of the deployment's
    only one when it names none."""
    code = await session.scalar(_DISTRICT, {"county": county or None})
    if code is not None:
        return str(code)
    if county:
        raise Conflict(f"no district region has the county code {county}")
    several = await session.scalar(text("SELECT count(*) > 1 FROM region WHERE level = 'district'"))
    if several:
        raise BadInput(
            "this deployment holds several counties: give a location inside one",
            argument="location",
        )
    raise Conflict("the deployment has no district region to route events to")


def _point(lon: float | None, lat: float | None) -> str | None:
    if lon is None or lat is None:
        return None
    return f"SRID=4326;POINT({lon!r} {lat!r})"


async def _append(
    session: AsyncSession,
    event: Event,
    actor: Actor,
    action: str,
    from_status: str | None,
    step: Step,
    *,
    internal: bool = False,
    detail: str | None = None,
) -> EventTrace:
    number = await session.scalar(
        select(func.coalesce(func.max(EventTrace.step), 0) + 1).where(
            EventTrace.event_id == event.id
        )
    )
    trace = EventTrace(
        event_id=event.id,
        step=number,
        action=action,
        from_status=from_status,
        to_status=event.status,
        actor_id=actor.account_id,
        actor_role=actor.role.value if actor.role else "anonymous",
        geom=_point(step.lon, step.lat),
        note=step.note,
        internal=internal,
        detail=detail,
        county=event.county,
    )
    session.add(trace)
    await session.flush()
    for stored in step.attachments:
        session.add(
            EventAttachment(
                event_id=event.id,
                trace_id=trace.id,
                key=stored.key,
                mime=stored.mime,
                kind=stored.kind,
                size=stored.size,
                sha256=stored.sha256,
                original_filename=stored.original_filename,
                county=event.county,
            )
        )
    await session.flush()
    return trace


async def report_event(
    session: AsyncSession,
    actor: Actor,
    report: Report,
    *,
    tz: str,
    attachments: Sequence[Any] = (),
    pm: Any = None,
    channel: str | None = None,
) -> tuple[Event, bool]:
    """File an event; the same (reporter, idempotency key) returns the first event."""
    if not actor.authenticated:
        raise Unauthenticated("log in to report an event")
    if not IDEMPOTENCY_KEY.match(report.idempotency_key or ""):
        raise BadInput(
            "idempotencyKey must be 8–64 letters, digits or . _ : -", argument="idempotencyKey"
        )
    existing = await session.scalar(
        select(Event).where(
            Event.reporter_id == actor.account_id, Event.idempotency_key == report.idempotency_key
        )
    )
    if existing is not None:
        return existing, False
    category = await session.get(EventCategory, report.category_code)
    if category is None or not category.active:
        raise BadInput(f"unknown event category {report.category_code!r}", argument="categoryCode")
    title = _text(report.title, "title", 200)
    description = _text(report.description, "description", 5000)
    if report.lon is not None and report.lat is not None:
        placement = await place_point(session, report.lon, report.lat)
        district = await _district(session, county_of(placement.region_code) or None)
    elif report.address and report.address.strip():
        # An address alone cannot be placed here (no geocoder): the command centre of the
        # reporter's county (or of the only one) routes it.
        district = await _district(session, actor.tenancy if len(actor.tenancy) == 6 else None)
        placement = Placement(grid_id=None, region_code=district[:6], beidou_code="", grid=None)
    else:
        raise BadInput("give a location, or at least an address", argument="location")
    now = datetime.now(UTC)
    worker = placement.grid.worker_id if placement.grid is not None else None
    level = "grid" if worker is not None else "district"
    event = Event(
        category_code=category.code,
        title=title,
        description=description,
        address=_text(report.address, "address", 200, required=False),
        status=status_after("report", ""),
        level=level,
        handling_region=placement.region_code if level == "grid" else district,
        assignee_id=worker,
        reporter_id=actor.account_id,
        anonymous=report.anonymous,
        channel=channel
        or ("citizen_app" if actor.role and actor.role.value == "citizen" else "worker_app"),
        idempotency_key=report.idempotency_key,
        deadline_at=now + timedelta(hours=category.deadline_hours),
        geom=_point(report.lon, report.lat),
        grid_id=placement.grid_id,
        region_code=placement.region_code or "",
        county=county_of(placement.region_code),
        beidou_code=placement.beidou_code or None,
        collected_at=now,
        time_code=time_code_of(now, tz),
        collected_by=actor.account_id,
    )
    session.add(event)
    await session.flush()
    detail = f"grid:{placement.grid.code}" if level == "grid" else "district"
    await _append(
        session,
        event,
        actor,
        "report",
        None,
        Step(lon=report.lon, lat=report.lat, attachments=list(attachments)),
        detail=detail,
    )
    if pm is not None:
        await call_async(
            pm.hook.gridgov_event_transition,
            session=session,
            event=event,
            transition="report",
            actor=actor,
        )
    return event, True


async def possible_duplicates(session: AsyncSession, event: Event) -> list[int]:
    """Open events of the same category within 250 m, newest first."""
    rows = await session.scalars(
        text("""
        SELECT e.id FROM event e, event me WHERE me.id = :id AND e.id <> me.id
          AND e.county = me.county AND me.county = :county
          AND e.category_code = me.category_code AND e.status <> 'closed'
          AND ST_DWithin(e.geom::geography, me.geom::geography, :radius)
        ORDER BY e.id DESC LIMIT 20"""),
        {"id": event.id, "county": event.county, "radius": DUPLICATE_RADIUS_M},
    )
    return list(rows)


async def _load(session: AsyncSession, event_id: int) -> Event:
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event has the id {event_id}", argument="id")
    return event


async def _commit_change(session: AsyncSession, event: Event, version: int, **values: Any) -> None:
    """Optimistic concurrency: the update only applies to the version we read."""
    result = await session.execute(
        update(Event)
        .where(Event.id == event.id, Event.version == version)
        .values(version=version + 1, updated_at=func.now(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's CursorResult
        raise Conflict("the event was changed by someone else meanwhile; reload and retry")
    await session.refresh(event)


def _state(event: Event, action: str) -> None:
    check_state(action, event.status)


async def transition(
    session: AsyncSession,
    actor: Actor,
    event_id: int,
    action: str,
    step: Step,
    *,
    pm: Any = None,
    **params: Any,
) -> Event:
    """Apply one workflow step (``accept``, ``escalate``, ``dispatch``, ``send_back``,
    ``resolve``, ``verify``, ``close``, ``rate``, ``supervise``)."""
    if not actor.authenticated:
        raise Unauthenticated("log in first")
    event = await _load(session, event_id)
    if not actor.in_tenancy(event.region_code) and not can_see(actor, event):
        raise NotFound(f"no event has the id {event_id}", argument="id")  # another county's
    version, before = event.version, event.status
    if params.get("expected_version") not in (None, version):
        raise Conflict(f"the event is at version {version}, not {params['expected_version']}")
    handler = _HANDLERS.get(action)
    if handler is None:
        raise BadInput(f"unknown action {action!r}")
    values, detail, internal = await handler(session, actor, event, step, params)
    await _commit_change(session, event, version, **values)
    await _append(session, event, actor, action, before, step, internal=internal, detail=detail)
    if pm is not None:
        await call_async(
            pm.hook.gridgov_event_transition,
            session=session,
            event=event,
            transition=action,
            actor=actor,
        )
    return event


def _require_holder(actor: Actor, event: Event, action: str) -> None:
    if not holds(actor, event):
        raise Forbidden(f"only whoever holds the event may {action} it")


#: what a step changes on the event, the trace's detail, and whether the step is internal
Outcome = tuple[dict[str, Any], str | None, bool]


async def _accept(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "accept")
    _require_holder(actor, event, "accept")
    values: dict[str, Any] = {"status": status_after("accept", event.status)}
    if event.level != "grid" and event.assignee_department is None:
        values["assignee_id"] = actor.account_id  # staff of the level takes it personally
    return values, None, False


async def _escalate(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "escalate")
    _require_holder(actor, event, "escalate")
    if event.assignee_department is not None:
        raise Conflict("a department sends an event back; it does not escalate it")
    up = LEVEL_UP.get(event.level)
    if up is None:
        raise Conflict("the district command centre is the top level")
    district = await _district(session, county_of(event.region_code) or None)
    region = region_of_level(event.region_code or district, up, district)
    if up != "district" and not event.region_code.startswith(region[:9]):
        region = district  # an event outside every grid has no community or township
        up = "district"
    return (
        {
            "status": status_after("escalate", event.status),
            "level": up,
            "handling_region": region,
            "assignee_id": None,
        },
        f"level:{up}",
        True,
    )


async def _dispatch(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "dispatch")
    _require_holder(actor, event, "dispatch")
    if event.level not in ("township", "district") or event.assignee_department is not None:
        raise Forbidden("only a township or the district command centre dispatches events")
    code = params.get("department_code") or ""
    department = await session.get(Department, code)
    if department is None:
        raise NotFound(f"no department has the code {code!r}", argument="departmentCode")
    category = await session.get(EventCategory, event.category_code)
    if (
        category is not None
        and category.department_types
        and (department.type not in category.department_types)
    ):
        raise BadInput(
            f"{department.name} does not take {category.name_zh} events "
            f"(takes: {', '.join(category.department_types)})",
            argument="departmentCode",
        )
    serves = await session.scalar(
        select(
            exists().where(
                DepartmentArea.department_code == code,
                func.starts_with(event.region_code or "", DepartmentArea.area_code),
            )
        )
    )
    if not serves:
        raise BadInput(
            f"{department.name} does not serve {event.region_code}", argument="departmentCode"
        )
    return (
        {
            "status": status_after("dispatch", event.status),
            "assignee_department": code,
            "assignee_id": None,
        },
        f"department:{code}",
        True,
    )


async def _send_back(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "send_back")
    if event.assignee_department is None or actor.department_code != event.assignee_department:
        raise Forbidden("only the department the event was dispatched to may send it back")
    if not (step.note or "").strip():
        raise BadInput("a department sending an event back must say why", argument="reason")
    return (
        {
            "status": status_after("send_back", event.status),
            "assignee_department": None,
            "assignee_id": None,
        },
        f"department:{event.assignee_department}",
        True,
    )


async def _resolve(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "resolve")
    _require_holder(actor, event, "resolve")
    if not (step.note or "").strip():
        raise BadInput("say what was done (the result fed back)", argument="result")
    return (
        {"status": status_after("resolve", event.status), "resolved_at": datetime.now(UTC)},
        None,
        False,
    )


async def _verifier(session: AsyncSession, actor: Actor, event: Event) -> bool:
    if actor.role is not None and actor.role.value == "district_command":
        return actor.in_tenancy(event.region_code)
    if event.grid_id is not None:
        grid = await session.get(Grid, event.grid_id)
        current = (
            await session.scalar(
                select(Grid.worker_id).where(Grid.code == grid.code, Grid.valid_to.is_(None))
            )
            if grid
            else None
        )
        if current == actor.account_id:
            return True
    return holds(actor, event) and event.assignee_department is None


async def _verify(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "verify")
    if not await _verifier(session, actor, event):
        raise Forbidden("the grid's worker or the responsible level verifies on site")
    if params.get("passed", True):
        return {"status": status_after("verify", event.status)}, "passed", False
    if not (step.note or "").strip():
        raise BadInput("say what failed verification", argument="note")
    failed = status_after("verify", event.status, passed=False)
    return {"status": failed, "resolved_at": None}, "failed", False


async def _close(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "close")
    if not await _verifier(session, actor, event):
        raise Forbidden("the grid's worker or the responsible level closes the event")
    return (
        {"status": status_after("close", event.status), "closed_at": datetime.now(UTC)},
        None,
        False,
    )


async def _rate(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    if actor.account_id != event.reporter_id:
        raise Forbidden("only the reporter rates the handling")
    _state(event, "rate")
    if event.rating is not None:
        raise Conflict("the event was already rated")
    score = params.get("score")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise BadInput("score must be 1 to 5", argument="score")
    return (
        {
            "rating": score,
            "rating_comment": _text(step.note, "comment", 1000, False),
            "rated_at": datetime.now(UTC),
        },
        f"score:{score}",
        False,
    )


async def _supervise(
    session: AsyncSession, actor: Actor, event: Event, step: Step, params: dict[str, Any]
) -> Outcome:
    _state(event, "supervise")
    if not may_supervise(actor, event):
        raise Forbidden("supervision cards come from a higher level")
    card = params.get("card")
    if card not in ("normal", "yellow", "red"):
        raise BadInput("card must be normal, yellow or red", argument="card")
    return {"supervision": card}, f"card:{card}", True


_HANDLERS: dict[str, Callable[..., Awaitable[Outcome]]] = {
    "accept": _accept,
    "escalate": _escalate,
    "dispatch": _dispatch,
    "send_back": _send_back,
    "resolve": _resolve,
    "verify": _verify,
    "close": _close,
    "rate": _rate,
    "supervise": _supervise,
}
