"""Turning code arguments into validated prefixes, with the errors clients see."""

from __future__ import annotations

from sqlalchemy import exists, select
from strawberry.types import Info

from core.codes.division import region_prefix
from core.codes.errors import InvalidCode
from core.errors import BadInput, NotFound
from core.models import Grid, Region


def parse_prefix(code: str, argument: str = "regionCode") -> str:
    try:
        return region_prefix(code)
    except InvalidCode as exc:
        raise BadInput(str(exc), argument=argument) from exc


async def known_area_prefix(info: Info, code: str | None, argument: str = "regionCode") -> str:
    """The prefix of a region or grid code that exists; None means the whole deployment."""
    if code is None:
        return ""
    prefix = parse_prefix(code, argument)
    if len(prefix) == 15:
        found = exists().where(Grid.code == prefix, Grid.valid_to.is_(None))
    else:
        found = exists().where(Region.prefix == prefix)
    if not await info.context.scalar(select(found)):
        raise NotFound(f"no region or grid has the code {code!r}", argument=argument)
    return prefix
