"""``Grid.events``: the latest events reported in a grid, as a part of the Grid type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from core.errors import BadInput
from schema.event.loaders import LatestEventsByGridLoader
from schema.refs import EventRef


@strawberry.type(name="GridEvents")
class GridEvents:
    @strawberry.field(
        description="The latest events reported in this grid (within your reach), newest first."
    )
    async def events(self, info: Info, first: int = 10) -> list[EventRef]:
        if not 0 <= first <= 50:
            raise BadInput("first must be between 0 and 50", argument="first")
        return await info.context.loader(LatestEventsByGridLoader).load((int(self.id), first))  # type: ignore[attr-defined]  # self is the row
