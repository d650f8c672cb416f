"""The dashboard's smart party building panel (智慧党建): party organizations on the grid,
their members, and the grids a party organization covers. (The plugin's own records of
members and activities come with its schema; until then the figures come from the
organizations the grid workers collect.)"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figure, Figures, PanelPart, Scope
from core.models import Grid, Organization
from core.services.indicators import percent

PARTY = "party_organization"


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    og = scope.group(Organization.region_code).label("g")
    orgs: dict[str, tuple[int, int, int]] = {}
    for g, n, members, covered in await session.execute(
        select(
            og,
            func.count(),
            func.coalesce(func.sum(Organization.member_count), 0),
            func.count(func.distinct(Organization.grid_id)),
        )
        .where(Organization.kind == PARTY, scope.within(Organization.region_code))
        .group_by(og)
    ):
        orgs[g] = (int(n), int(members or 0), int(covered))
    gg = scope.group(Grid.code).label("g")
    grids: dict[str, int] = defaultdict(int)
    for g, n in await session.execute(
        select(gg, func.count())
        .where(Grid.valid_to.is_(None), scope.within(Grid.code))
        .group_by(gg)
    ):
        grids[g] = int(n)
    keys = set(orgs) | set(grids) | ({""} if scope.group_len is None else set())
    out: Figures = {}
    for key in keys:
        n, members, covered = orgs.get(key, (0, 0, 0))
        out[key] = [
            Figure("party_organizations", "党组织", float(n)),
            Figure("party_members", "党员", float(members)),
            Figure("grids_with_party_organization", "建有党组织的网格", float(covered)),
            Figure(
                "party_coverage",
                "网格党组织覆盖率",
                percent(covered, grids.get(key, 0)),
                unit="%",
                additive=False,
            ),
        ]
    return out


PANEL = PanelPart("party_building", compute, title="智慧党建", order=50)
