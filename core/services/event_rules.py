"""The event loop's rules: which step may start from which status and where it leads, who
holds an event at each level, where escalation leads, and a checker of whole traces."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.actor import Actor
from core.errors import Conflict
from core.models.account import Role

LEVEL_UP = {"grid": "community", "community": "township", "township": "district"}
#: the role holding an event at each level (a department's staff hold it at a department)
LEVEL_ROLE = {
    "grid": "grid_worker",
    "community": "community_staff",
    "township": "township_staff",
    "district": "district_command",
}
CARDS = ("normal", "yellow", "red")


@dataclass(frozen=True, slots=True)
class Transition:
    """A step: the statuses it may start from and the status it leads to (None: it keeps
    the status). ``verb`` names it in refusals."""

    starts: tuple[str, ...]
    leads_to: str | None
    verb: str


TRANSITIONS: dict[str, Transition] = {
    "report": Transition((), "assigned", "report"),
    "accept": Transition(("assigned", "dispatched"), "accepted", "accept"),
    "escalate": Transition(("assigned", "accepted"), "assigned", "escalate"),
    "dispatch": Transition(("assigned", "accepted"), "dispatched", "dispatch"),
    "send_back": Transition(("dispatched", "accepted"), "assigned", "send back"),
    "resolve": Transition(("accepted",), "resolved", "resolve"),
    "verify": Transition(("resolved",), "verified", "verify"),
    "close": Transition(("verified",), "closed", "close"),
    "rate": Transition(("closed",), None, "rate"),
    "supervise": Transition(("assigned", "accepted", "dispatched", "resolved"), None, "supervise"),
}
#: a failed verification sends the event back to whoever handled it
VERIFY_FAILED = "accepted"


def check_state(action: str, status: str) -> None:
    """Refuse a step the event's status does not allow."""
    rule = TRANSITIONS[action]
    if status not in rule.starts:
        raise Conflict(f"cannot {rule.verb} an event that is {status}")


def status_after(action: str, status: str, *, passed: bool = True) -> str:
    """The status a step leads to from ``status``."""
    if action == "verify" and not passed:
        return VERIFY_FAILED
    return TRANSITIONS[action].leads_to or status


def region_of_level(region_code: str, level: str, district: str) -> str:
    """The handling region when an event lying in ``region_code`` sits at ``level``."""
    if level == "community":
        return region_code[:12]
    if level == "township":
        return region_code[:9] + "000"
    if level == "district":
        return district
    return region_code


def holds(actor: Actor, event: Any) -> bool:
    """Is the event in the actor's hands now (assignee, level staff, or department)?"""
    if not actor.authenticated:
        return False
    if event.assignee_department is not None:
        return bool(actor.department_code == event.assignee_department)
    level, region = event.level, event.handling_region
    if level == "grid":
        return bool(actor.account_id == event.assignee_id)
    if level == "community":
        return actor.role is Role.COMMUNITY_STAFF and actor.region_code == region
    if level == "township":
        return actor.role is Role.TOWNSHIP_STAFF and actor.region_code == region
    return actor.role is Role.DISTRICT_COMMAND and actor.in_tenancy(region)


def can_see(actor: Actor, event: Any) -> bool:
    """The reporter, whoever holds the event now, and whoever's reach covers its region
    for ``event`` ``read`` may see it."""
    return (
        actor.account_id == event.reporter_id
        or holds(actor, event)
        or actor.reach.allows("event", "read", event.region_code)
    )


def may_supervise(actor: Actor, event: Any) -> bool:
    """Higher levels issue supervision cards: the district on anything below it, a township
    on its grids and communities."""
    if actor.role is Role.DISTRICT_COMMAND:
        if not actor.in_tenancy(event.region_code):
            return False
        return event.level != "district" or event.assignee_department is not None
    if actor.role is Role.TOWNSHIP_STAFF and actor.region_code:
        return event.level in ("grid", "community") and event.region_code.startswith(
            actor.region_code[:9]
        )
    return False


class TraceStep(Protocol):
    """One ``event_trace`` row (or anything with its fields)."""

    @property
    def step(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def from_status(self) -> str | None: ...
    @property
    def to_status(self) -> str: ...
    @property
    def actor_role(self) -> str: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def at(self) -> datetime: ...


def _step_problems(s: TraceStep, level: str, department: str | None) -> Iterator[str]:
    """What is wrong with one step after the report, given where the event sits."""
    holder = "department_staff" if department else LEVEL_ROLE[level]
    role, detail = s.actor_role, s.detail or ""
    if s.action in ("accept", "escalate", "dispatch", "resolve") and role != holder:
        yield f"{s.action} by {role}, but {holder} holds the event"
    if s.action == "escalate":
        up = LEVEL_UP.get(level)
        if department or up is None:
            yield f"escalate from {'a department' if department else level}"
        elif detail != f"level:{up}":
            yield f"escalate from {level} must lead to level:{up}, not {detail}"
    if s.action == "dispatch":
        if department or level not in ("township", "district"):
            yield f"dispatch at {'a department' if department else level} level"
        if not detail.startswith("department:"):
            yield f"dispatch without a department: {detail}"
    if s.action == "send_back" and (not department or detail != f"department:{department}"):
        yield f"send back by {detail or 'nobody'} while the event is at {department or level}"
    if s.action in ("verify", "close") and role not in (
        "district_command",
        "grid_worker",
        None if department else holder,
    ):
        yield f"{s.action} by {role}"
    if s.action == "verify" and detail not in ("passed", "failed"):
        yield f"verify must pass or fail, not {detail}"
    if s.action == "rate" and detail not in [f"score:{n}" for n in range(1, 6)]:
        yield f"bad rating {detail}"
    if s.action == "supervise":
        if role == "district_command" and level == "district" and not department:
            yield "the command centre supervises only what it does not hold"
        elif role == "township_staff" and (department or level not in ("grid", "community")):
            yield "a township supervises only its grids and communities"
        elif role not in ("district_command", "township_staff"):
            yield f"supervise by {role}"
        if detail not in [f"card:{c}" for c in CARDS]:
            yield f"bad supervision card {detail}"


def trace_problems(steps: list[Any]) -> list[str]:
    """Everything in an event's trace the event loop could not have written (empty: the
    trace is possible). ``steps`` are :class:`TraceStep` objects in step order."""
    if not steps:
        return ["no trace"]
    problems: list[str] = []
    first: TraceStep = steps[0]
    if first.action != "report" or first.from_status is not None or first.to_status != "assigned":
        problems.append("step 1 must be a report leading to assigned")
    if not (first.detail == "district" or (first.detail or "").startswith("grid:")):
        problems.append(f"step 1: report detail must be grid:<code> or district: {first.detail}")
    level = "district" if first.detail == "district" else "grid"
    department: str | None = None
    rated = False
    previous = first
    for number, s in enumerate(steps, start=1):
        where = f"step {number} ({s.action})"
        if s.step != number:
            problems.append(f"{where}: numbered {s.step}")
        if s.at < previous.at:
            problems.append(f"{where}: earlier than the step before")
        if number == 1:
            continue
        if s.from_status != previous.to_status:
            problems.append(f"{where}: starts from {s.from_status}, not {previous.to_status}")
        rule = TRANSITIONS.get(s.action)
        if rule is None or s.action == "report":
            problems.append(f"{where}: unknown action")
            previous = s
            continue
        if s.from_status not in rule.starts:
            problems.append(f"{where}: not allowed from {s.from_status}")
        expected = status_after(s.action, s.from_status or "", passed=s.detail != "failed")
        if s.to_status != expected:
            problems.append(f"{where}: leads to {s.to_status}, not {expected}")
        problems.extend(f"{where}: {p}" for p in _step_problems(s, level, department))
        if s.action == "rate":
            if rated:
                problems.append(f"{where}: rated twice")
            if s.actor_id != first.actor_id:
                problems.append(f"{where}: rated by someone other than the reporter")
            rated = True
        elif s.action == "escalate":
            level = LEVEL_UP.get(level, level)
        elif s.action == "dispatch":
            department = (s.detail or "").removeprefix("department:")
        elif s.action == "send_back":
            department = None
        previous = s
    return problems


def may_verify(actor: Actor, event: Any) -> bool:
    """Verifying and closing on site: the command centre, the worker of the event's grid
    (a grid worker's own area is their current grids), or the level holding it."""
    if actor.role is Role.DISTRICT_COMMAND:
        return actor.in_tenancy(event.region_code)
    code = event.region_code or ""
    if actor.role is Role.GRID_WORKER and len(code) == 15 and code in actor.area_prefixes:
        return True
    return holds(actor, event) and event.assignee_department is None


def allowed_actions(actor: Actor, event: Any) -> list[str]:
    """The steps ``actor`` may take on ``event`` now, in ``TRANSITIONS`` order (what a desk
    offers as buttons; the mutation still decides, with the arguments it is given)."""
    if not actor.authenticated:
        return []
    status, department = event.status, event.assignee_department
    holding = holds(actor, event)
    allowed = {
        "accept": holding,
        "escalate": holding and department is None and event.level in LEVEL_UP,
        "dispatch": holding and department is None and event.level in ("township", "district"),
        "send_back": department is not None and actor.department_code == department,
        "resolve": holding,
        "verify": may_verify(actor, event),
        "close": may_verify(actor, event),
        "rate": actor.account_id == event.reporter_id and event.rating is None,
        "supervise": may_supervise(actor, event),
    }
    return [
        action
        for action, rule in TRANSITIONS.items()
        if allowed.get(action) and status in rule.starts
    ]
