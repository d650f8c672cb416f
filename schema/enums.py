"""GraphQL enums: every closed set of values the API reads or writes.

A member's name is what GraphQL sends (``ASSIGNED``); its value is what the database and
the core hold (``"assigned"``). Sets the core already names (fixed there and by a CHECK
constraint) are the core's own ``StrEnum`` classes, given a GraphQL definition here, so a
value is spelled once; the few sets fixed only in code get a ``StrEnum`` of their own
below, and ``tests/test_enums.py`` keeps each equal to the code that decides it.

An input outside a set fails validation (``GRAPHQL_VALIDATION_FAILED`` for a literal,
``BAD_USER_INPUT`` for a variable) before any resolver runs; resolvers receive members,
which are ``str`` and compare equal to the stored values.

Sets that stay ``String`` are open: data categories and audit record kinds (plugins add
theirs), department types, event categories and worker roles (reference data), and an
event's ``channel`` (callers of the core's report service name theirs; no CHECK)."""

from __future__ import annotations

from enum import StrEnum

import strawberry

from core.codes.timecode import TimeLevel
from core.models.account import Role, WorkerKind
from core.models.event import Card, EventStatus, Level
from core.models.place import OrganizationKind, PlaceKind, ThingKind, ThingStatus
from core.models.population import Gender, HouseholdRelation, ResidenceType
from core.models.region import GridKind, RegionKind, RegionLevel, SpecialGridType
from core.models.signin import AdminAction, Outcome

# --- the core's sets, given their GraphQL definition ------------------------------------

#: GraphQL names of core enums whose Python name differs
EventLevel = Level
SupervisionCard = Card
SignInOutcome = Outcome

for _enum, _name, _description in (
    (Role, "Role", "An account's role"),
    (WorkerKind, "WorkerKind", "A grid worker's employment: 专职 or 兼职"),
    (EventStatus, "EventStatus", "Where an event is in its loop"),
    (Level, "EventLevel", "The level responsible for an event"),
    (Card, "SupervisionCard", "A supervision card (督办)"),
    (RegionLevel, "RegionLevel", None),
    (RegionKind, "RegionKind", "District, street, town, township, community, village…"),
    (GridKind, "GridKind", None),
    (SpecialGridType, "SpecialGridType", "What a special grid covers"),
    (PlaceKind, "PlaceKind", None),
    (ThingKind, "ThingKind", None),
    (ThingStatus, "ThingStatus", None),
    (OrganizationKind, "OrganizationKind", None),
    (Gender, "Gender", None),
    (ResidenceType, "ResidenceType", "户籍, 流动 or 境外"),
    (HouseholdRelation, "HouseholdRelation", "Relation to the head of the household"),
    (TimeLevel, "TimeLevel", "The precision of a time code"),
    (AdminAction, "AdminAction", "A change an administrator made to an account"),
    (Outcome, "SignInOutcome", "How a sign-in attempt ended"),
):
    strawberry.enum(_enum, name=_name, description=_description)


# --- sets fixed in code only (tests/test_enums.py checks each against that code) ------


@strawberry.enum(description="What may be done to a data category (a grant's action)")
class GrantAction(StrEnum):
    READ = "read"
    WRITE = "write"
    HANDLE = "handle"
    GRANT = "grant"


@strawberry.enum(description="A step of an event's loop, as its trace records it")
class EventAction(StrEnum):
    REPORT = "report"
    ACCEPT = "accept"
    ESCALATE = "escalate"
    DISPATCH = "dispatch"
    SEND_BACK = "send_back"
    RESOLVE = "resolve"
    VERIFY = "verify"
    CLOSE = "close"
    RATE = "rate"
    SUPERVISE = "supervise"


@strawberry.enum(description="Who holds an event: a worker, a level or a department")
class AssigneeKind(StrEnum):
    WORKER = "worker"
    LEVEL = "level"
    DEPARTMENT = "department"


@strawberry.enum(description="A stored photo or video")
class AttachmentKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"


@strawberry.enum(description="A BeiDou code, or a spatio-temporal one (BeiDou/time)")
class CodeKind(StrEnum):
    BEIDOU = "beidou"
    SPACETIME = "spacetime"


@strawberry.enum(description="What `here` looked in: a BeiDou cell or a region/grid")
class HereKind(StrEnum):
    BEIDOU = "beidou"
    REGION = "region"


#: every enum of the core schema, by GraphQL name (the tests walk them)
ENUMS: dict[str, type[StrEnum]] = {
    "Role": Role,
    "WorkerKind": WorkerKind,
    "EventStatus": EventStatus,
    "EventLevel": EventLevel,
    "SupervisionCard": SupervisionCard,
    "EventAction": EventAction,
    "AssigneeKind": AssigneeKind,
    "AttachmentKind": AttachmentKind,
    "RegionLevel": RegionLevel,
    "RegionKind": RegionKind,
    "GridKind": GridKind,
    "SpecialGridType": SpecialGridType,
    "PlaceKind": PlaceKind,
    "ThingKind": ThingKind,
    "ThingStatus": ThingStatus,
    "OrganizationKind": OrganizationKind,
    "Gender": Gender,
    "ResidenceType": ResidenceType,
    "HouseholdRelation": HouseholdRelation,
    "GrantAction": GrantAction,
    "CodeKind": CodeKind,
    "HereKind": HereKind,
    "TimeLevel": TimeLevel,
    "AdminAction": AdminAction,
    "SignInOutcome": SignInOutcome,
}


def value_of(member: StrEnum | None) -> str | None:
    """The stored value of an input member (None stays None)."""
    return None if member is None else member.value


__all__ = [
    "ENUMS",
    "AdminAction",
    "AssigneeKind",
    "AttachmentKind",
    "CodeKind",
    "EventAction",
    "EventLevel",
    "EventStatus",
    "Gender",
    "GrantAction",
    "GridKind",
    "HereKind",
    "HouseholdRelation",
    "OrganizationKind",
    "PlaceKind",
    "RegionKind",
    "RegionLevel",
    "ResidenceType",
    "Role",
    "SignInOutcome",
    "SpecialGridType",
    "SupervisionCard",
    "ThingKind",
    "ThingStatus",
    "TimeLevel",
    "WorkerKind",
    "value_of",
]
