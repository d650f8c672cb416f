"""SQLAlchemy models of the core. Importing this package registers them on ``Base.metadata``."""

from core.models.account import Account, Duty, GridWorkerProfile, Role, WorkerRole
from core.models.authz import AccessAudit, AuthzVersion, DepartmentGrant, GrantEvent
from core.models.base import SRID, Base
from core.models.department import Department, DepartmentArea
from core.models.event import Event, EventAttachment, EventCategory, EventTrace
from core.models.place import Organization, Place, Thing
from core.models.population import Household, Person, PersonSpecialGroup, SpecialGroup
from core.models.region import Grid, GridWorkerAssignment, Region
from core.models.signin import AccountAdminLog, AccountSession, LoginAttempt, PasswordReset

__all__ = [
    "SRID",
    "AccessAudit",
    "Account",
    "AccountAdminLog",
    "AccountSession",
    "AuthzVersion",
    "Base",
    "Department",
    "DepartmentArea",
    "DepartmentGrant",
    "Duty",
    "Event",
    "EventAttachment",
    "EventCategory",
    "EventTrace",
    "GrantEvent",
    "Grid",
    "GridWorkerAssignment",
    "GridWorkerProfile",
    "Household",
    "LoginAttempt",
    "Organization",
    "PasswordReset",
    "Person",
    "PersonSpecialGroup",
    "Place",
    "Region",
    "Role",
    "SpecialGroup",
    "Thing",
    "WorkerRole",
]
