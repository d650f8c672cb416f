"""实有人口: residents by residence type, gender, age (a pyramid of five-year bands),
special groups (特殊人群) and care groups (关爱人群)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figures, PanelPart, Scope
from core.models import SpecialGroup
from plugins.analytics.tallies import count, tallies

RESIDENCE = (("registered", "户籍人口"), ("floating", "流动人口"), ("overseas", "境外人员"))
GENDER = (("male", "男"), ("female", "女"))
#: GB/T 31000 special groups; the rest of the reference list are groups cared for
SPECIAL = (
    "released_prisoners",
    "community_corrections",
    "drug_users",
    "severe_mental_disorder",
    "hiv_risk",
    "key_youth",
)
BAND = 5
#: disclosure control of the panel's counts (as the residents' heat maps): a count under
#: the minimum is withheld from a reader who may not read those residents in the area
BASIC: dict[str, Any] = {"personal": "person:basic", "min_count": 3}
GROUPS: dict[str, Any] = {"personal": "person:special_group", "min_count": 5}
TOP = 85  # the last band is 85 and over


def band_of(age: int) -> str:
    if age >= TOP:
        return f"{TOP}+"
    low = max(age, 0) // BAND * BAND
    return f"{low}-{low + BAND - 1}"


BANDS = [band_of(a) for a in range(0, TOP + 1, BAND)]


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    groups = (await tallies(session, scope, "person"))["person"]
    names = dict((await session.execute(select(SpecialGroup.code, SpecialGroup.name_zh))).all())
    out: Figures = {}
    for g, counts in groups.items():
        figures = [count("total", "实有人口", counts.get(("total", ""), 0), **BASIC)]
        figures += [
            count(k, n, counts.get(("residence", k), 0), "residence", **BASIC) for k, n in RESIDENCE
        ]
        figures += [count(k, n, counts.get(("gender", k), 0), "gender", **BASIC) for k, n in GENDER]
        ages: dict[str, int] = {}
        for (dim, value), n in counts.items():
            if dim == "birth":
                gender, year = value.split(":")
                key = f"{gender}:{band_of(scope.last_day.year - int(year))}"
                ages[key] = ages.get(key, 0) + n
        for gender, label in GENDER:
            figures += [
                count(
                    f"age:{gender}:{b}",
                    f"{label} {b}",
                    ages.get(f"{gender}:{b}", 0),
                    "age_pyramid",
                    **BASIC,
                )
                for b in BANDS
            ]
        for code, name in sorted(names.items()):
            chart = "special_groups" if code in SPECIAL else "care_groups"
            n = counts.get(("group", code), 0)
            figures.append(count(f"group:{code}", name, n, chart, **GROUPS))
        out[g] = figures
    return out


PANEL = PanelPart("population", compute, title="实有人口", order=10)
