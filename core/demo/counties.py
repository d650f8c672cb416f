"""The counties ``gridgov demo load`` can build: Xuzhou (the reference deployment, on its
real outline) and up to nine synthetic neighbours for many-county deployments.

The neighbours carry the codes and names of Yibin's other counties (GB/T 2260) but
nothing else of them: each is Xuzhou's outline moved east by whole widths of it (so no
two counties overlap), partitioned anew with a seed of its own and fewer grids by
default. They exist to try county tenancy and scale-out, not to describe those places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon

from core.demo.geography import DISTRICT_CODE, DISTRICT_NAME, URBAN_CENTRE, load_boundary

#: Yibin's other counties (宜宾市, 5115): code, name, short name for enterprise names
NEIGHBOURS: tuple[tuple[str, str], ...] = (
    ("511502", "翠屏区"),
    ("511503", "南溪区"),
    ("511523", "江安县"),
    ("511524", "长宁县"),
    ("511525", "高县"),
    ("511526", "珙县"),
    ("511527", "筠连县"),
    ("511528", "兴文县"),
    ("511529", "屏山县"),
)
CITY_CODE = "5115"
#: Xuzhou's grid counts (urban, rural, streets, towns)
XUZHOU_GRIDS = (282, 297, 3, 15)
#: gap between moved outlines, in widths of Xuzhou's bounding box
GAP = 0.05


@dataclass(frozen=True, slots=True)
class County:
    code: str  # 6 digits
    name: str
    boundary: MultiPolygon
    urban_grids: int
    rural_grids: int
    streets: int
    towns: int
    #: where the urban zone centres (the county seat)
    seat: tuple[float, float]
    #: the reference deployment (its accounts keep the short demo names: admin, command…)
    reference: bool

    @property
    def region(self) -> str:
        return self.code + "000000"


def sizes_for(grids: int) -> tuple[int, int, int, int]:
    """Grid counts (urban, rural, streets, towns) for a county of about ``grids`` grids."""
    if grids >= sum(XUZHOU_GRIDS[:2]):
        return XUZHOU_GRIDS
    urban = max(12, grids // 2)
    rural = max(6, grids - urban)
    return urban, rural, max(1, urban // 90), max(2, rural // 20)


def plan(extra: int, extra_grids: int | None = None) -> list[County]:
    """Xuzhou, then ``extra`` synthetic neighbours (at most nine) of ``extra_grids`` grids
    each (default: as many as Xuzhou)."""
    if not 0 <= extra <= len(NEIGHBOURS):
        raise ValueError(f"at most {len(NEIGHBOURS)} further counties, not {extra}")
    outline = load_boundary()
    counties = [
        County(DISTRICT_CODE, DISTRICT_NAME, outline, *XUZHOU_GRIDS, URBAN_CENTRE, reference=True)
    ]
    minx, _, maxx, _ = outline.bounds
    step = (maxx - minx) * (1 + GAP)
    sizes = XUZHOU_GRIDS if extra_grids is None else sizes_for(extra_grids)
    for k, (code, name) in enumerate(NEIGHBOURS[:extra], start=1):
        moved = shapely.transform(outline, lambda xy, k=k: xy + np.array([k * step, 0.0]))
        seat = (URBAN_CENTRE[0] + k * step, URBAN_CENTRE[1])
        counties.append(County(code, name, moved, *sizes, seat, reference=False))
    return counties
