"""Who reaches which application (办件) and who runs the catalogue.

Applications are personal data (category ``service``). An application is seen by:

* the department that owns its item (its staff: they handle it);
* its agent (代办: the grid worker who filed it) and its applicant's account;
* whoever holds ``service`` ``read`` where the applicant lives (the district command
  centre everywhere; a department granted it by region).

Steps are taken by the owning department's staff (or whoever holds ``service``
``handle`` where the applicant lives); the applicant's side (supplying materials for a
补正, rating) by the applicant's account or the agent. The catalogue of a department is
run by that department's staff, or by whoever may write ``service`` everywhere.

The files of an application's materials (``/files/<key>``) are read by whoever sees it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.errors import Forbidden, Unauthenticated
from core.models.account import Role
from plugins.e_governance.models import GovApplication, GovApplicationMaterial

SERVICE = "service"
#: the access audit's name for an application
KIND = "gov_application"


def own_department(actor: Actor) -> str | None:
    """The department an actor works for (department staff only)."""
    if actor.role == Role.DEPARTMENT_STAFF and actor.department_code:
        return actor.department_code
    return None


def visible(actor: Actor, app: Any = GovApplication) -> ColumnElement[bool]:
    """SQL: the applications the actor may see."""
    if not actor.authenticated:
        return false()
    ways: list[ColumnElement[bool]] = [actor.reach.where(SERVICE, "read", app.region_code)]
    department = own_department(actor)
    if department is not None:
        ways.append(app.department_code == department)
    ways.append(app.agent_id == actor.account_id)
    ways.append(app.applicant_account_id == actor.account_id)
    return or_(*ways)


def sees(actor: Actor, app: Any) -> bool:
    """Does the actor see this application (a row with the columns of ``visible``)?"""
    if not actor.authenticated:
        return False
    return (
        actor.reach.allows(SERVICE, "read", app.region_code)
        or (own_department(actor) is not None and own_department(actor) == app.department_code)
        or actor.account_id in (app.agent_id, app.applicant_account_id)
    )


async def material_readable(session: AsyncSession, actor: Actor, key: str) -> bool:
    """Is ``key`` a material handed in for an application the actor sees (``visible``)?"""
    if not actor.authenticated:
        return False
    held = (
        select(GovApplicationMaterial.application_id)
        .join(GovApplication, GovApplication.id == GovApplicationMaterial.application_id)
        .where(GovApplicationMaterial.key == key, visible(actor))
        .exists()
    )
    return bool(await session.scalar(select(held)))


def handles(actor: Actor, app: Any) -> bool:
    """May the actor take the department's steps (accept, review, decide, complete)?"""
    department = own_department(actor)
    if department is not None and department == app.department_code:
        return True
    return actor.reach.allows(SERVICE, "handle", app.region_code)


def applicant_side(actor: Actor, app: Any) -> bool:
    """Is the actor the applicant's side (their account or their agent)?"""
    return actor.authenticated and actor.account_id in (app.agent_id, app.applicant_account_id)


def runs_catalogue(actor: Actor, department_code: str) -> bool:
    """May the actor publish, change or withdraw the items of this department?"""
    return own_department(actor) == department_code or "" in actor.reach.prefixes(SERVICE, "write")


def require_catalogue(actor: Actor, department_code: str) -> None:
    if not actor.authenticated:
        raise Unauthenticated("log in to run the service catalogue")
    if not runs_catalogue(actor, department_code):
        raise Forbidden(f"you may not change the items of {department_code}")
