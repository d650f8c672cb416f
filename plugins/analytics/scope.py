"""Turning a request's region and period into a checked ``Scope``.

The period is local days ``from..to``, both included (default: the year up to today);
the region a code of a region or grid (default: the district, or the one area of yours
your analytics grant reaches). Aggregates need the ``analytics`` grant for the region."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.actor import Actor
from core.analysis import Scope, period
from core.errors import BadInput, Forbidden, NotFound, Unauthenticated
from plugins.analytics.regions import Area, area_of, top_area
from schema.codes import parse_prefix

CATEGORY = "analytics"


def date_param(params: Mapping[str, str], name: str) -> date | None:
    """A query parameter holding a date (YYYY-MM-DD), None when absent."""
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not {raw!r}", argument=name) from None


async def _default_area(session: AsyncSession, actor: Actor) -> Area:
    top = await top_area(session)
    prefixes = actor.reach.prefixes(CATEGORY, "read")
    if (top is None or not actor.reach.allows(CATEGORY, "read", top.prefix)) and len(prefixes) == 1:
        own = await area_of(session, prefixes[0])
        if own is not None:
            return own
    if top is None:
        raise NotFound(
            "the deployment has no single district; name a regionCode", argument="regionCode"
        )
    return top


async def resolve(
    session: AsyncSession,
    actor: Actor,
    region_code: str | None,
    first: date | None,
    last: date | None,
    tz: str,
) -> tuple[Area, Scope]:
    if not actor.authenticated:
        raise Unauthenticated("log in to read analytics")
    now = datetime.now(UTC)
    first, last = period(tz, first, last, now)
    if region_code is None:
        area = await _default_area(session, actor)
    else:
        found = await area_of(session, parse_prefix(region_code))
        if found is None:
            raise NotFound(f"no region or grid has the code {region_code!r}", argument="regionCode")
        area = found
    if not actor.reach.allows(CATEGORY, "read", area.prefix):
        raise Forbidden(f"analytics of {area.code} need the analytics grant for it")
    zone = ZoneInfo(tz)
    scope = Scope(
        prefix=area.prefix,
        first_day=first,
        last_day=last,
        start=datetime.combine(first, time(), zone),
        end=datetime.combine(last + timedelta(days=1), time(), zone),
        now=now,
        tz=tz,
    )
    return area, scope
