"""Visits (走访) and patrols (巡查) of grid workers. A finding on a patrol can be turned into
an event through the core event service; the finding keeps the event's id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import BadInput, Conflict, Forbidden, NotFound
from core.models import Event, Household, Person
from core.services.events import Report, report_event
from core.services.locating import code_record
from plugins.attendance.checkin import require_worker
from plugins.attendance.models import Patrol, PatrolFinding, Visit, VisitPhoto
from plugins.attendance.tracks import playback_figures

NOTE_LIMIT = 5000


def _note(value: str | None, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise BadInput("note must not be empty", argument="note")
        return None
    if len(value) > NOTE_LIMIT:
        raise BadInput(f"note has more than {NOTE_LIMIT} characters", argument="note")
    return value


async def _visited(
    session: AsyncSession, actor: Actor, model: type[Any], record_id: int, argument: str
) -> Any:
    """The household or person visited: it exists and the worker may read it."""
    record = await session.get(model, record_id)
    if record is None or not actor.reach.allows("person", "read", record.region_code):
        raise NotFound(f"no {model.__name__.lower()} {record_id}", argument=argument)
    return record


async def record_visit(
    session: AsyncSession,
    actor: Actor,
    *,
    note: str,
    lon: float,
    lat: float,
    tz: str,
    household_id: int | None = None,
    person_id: int | None = None,
    photos: Sequence[Any] = (),
) -> Visit:
    require_worker(actor)
    if household_id is None and person_id is None:
        raise BadInput("a visit is to a household or a person", argument="householdId")
    text = _note(note, required=True)
    if household_id is not None:
        await _visited(session, actor, Household, household_id, "householdId")
    if person_id is not None:
        person = await _visited(session, actor, Person, person_id, "personId")
        if household_id is not None and person.household_id != household_id:
            raise BadInput("the person is not of that household", argument="personId")
    visit = Visit(
        worker_id=actor.account_id,
        household_id=household_id,
        person_id=person_id,
        note=text,
        collected_by=actor.account_id,
    )
    await code_record(session, visit, lon, lat, datetime.now(UTC), tz)
    session.add(visit)
    await session.flush()
    for stored in photos:
        session.add(
            VisitPhoto(
                visit_id=visit.id,
                key=stored.key,
                mime=stored.mime,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
    await session.flush()
    return visit


async def start_patrol(
    session: AsyncSession, actor: Actor, *, lon: float, lat: float, tz: str, note: str | None
) -> Patrol:
    require_worker(actor)
    now = datetime.now(UTC)
    patrol = Patrol(
        worker_id=actor.account_id,
        started_at=now,
        note=_note(note, required=False),
        collected_by=actor.account_id,
    )
    await code_record(session, patrol, lon, lat, now, tz)
    open_one = await session.scalar(
        select(Patrol.id).where(Patrol.worker_id == actor.account_id, Patrol.ended_at.is_(None))
    )
    if open_one is not None:
        raise Conflict(f"patrol {open_one} is still under way; end it first")
    session.add(patrol)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent start won
        raise Conflict("a patrol is already under way") from exc
    return patrol


async def _own_patrol(session: AsyncSession, actor: Actor, patrol_id: int) -> Patrol:
    require_worker(actor)
    patrol = await session.get(Patrol, patrol_id, with_for_update=True)
    if patrol is None:
        raise NotFound(f"no patrol {patrol_id}", argument="patrolId")
    if patrol.worker_id != actor.account_id:
        raise Forbidden("a patrol is recorded by the worker who walks it")
    return patrol


async def end_patrol(
    session: AsyncSession, actor: Actor, patrol_id: int, *, settings: Any
) -> Patrol:
    patrol = await _own_patrol(session, actor, patrol_id)
    if patrol.ended_at is not None:
        raise Conflict(f"patrol {patrol_id} has ended already")
    patrol.ended_at = datetime.now(UTC)
    distance, _, _ = await playback_figures(
        session, patrol.worker_id, patrol.started_at, patrol.ended_at, settings
    )
    patrol.distance_m = distance
    patrol.computed_version = patrol.version
    await session.flush()
    return patrol


@dataclass(frozen=True, slots=True)
class FindingReport:
    """What the event made of a finding says (the core event service's own checks apply)."""

    category_code: str
    title: str


async def add_finding(
    session: AsyncSession,
    actor: Actor,
    patrol_id: int,
    *,
    note: str,
    lon: float,
    lat: float,
    tz: str,
    report: FindingReport | None = None,
    pm: Any = None,
) -> tuple[PatrolFinding, Event | None]:
    patrol = await _own_patrol(session, actor, patrol_id)
    if patrol.ended_at is not None:
        raise Conflict(f"patrol {patrol_id} has ended; findings belong to a patrol under way")
    finding = PatrolFinding(
        patrol_id=patrol.id, note=_note(note, required=True), collected_by=actor.account_id
    )
    await code_record(session, finding, lon, lat, datetime.now(UTC), tz)
    session.add(finding)
    await session.flush()
    event = None
    if report is not None:
        event = await report_finding(session, actor, finding, report, tz=tz, pm=pm)
    return finding, event


async def report_finding(
    session: AsyncSession,
    actor: Actor,
    finding: PatrolFinding,
    report: FindingReport,
    *,
    tz: str,
    pm: Any = None,
) -> Event:
    """Turn a finding into an event (once: asking again returns the same event)."""
    if finding.event_id is not None:
        event = await session.get(Event, finding.event_id)
        assert event is not None
        return event
    point = (
        await session.execute(
            select(func.ST_X(PatrolFinding.geom), func.ST_Y(PatrolFinding.geom)).where(
                PatrolFinding.id == finding.id
            )
        )
    ).one()
    event, _ = await report_event(
        session,
        actor,
        Report(
            category_code=report.category_code,
            title=report.title,
            description=finding.note,
            lon=point[0],
            lat=point[1],
            idempotency_key=f"patrol-finding:{finding.id}",
        ),
        tz=tz,
        pm=pm,
        channel="worker_app",
    )
    finding.event_id = event.id
    await session.flush()
    return event


async def finding_of(session: AsyncSession, actor: Actor, finding_id: int) -> PatrolFinding:
    finding = await session.get(PatrolFinding, finding_id, with_for_update=True)
    if finding is None:
        raise NotFound(f"no finding {finding_id}", argument="findingId")
    await _own_patrol(session, actor, finding.patrol_id)
    return finding
