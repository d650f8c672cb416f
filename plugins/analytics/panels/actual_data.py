"""实有数据: households, houses and other places by kind, things (城市部件) by kind and
state, organizations by kind with their members."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.analysis import Figures, PanelPart, Scope
from plugins.analytics.tallies import count, tallies

PLACES = (("building", "楼栋"), ("house", "房屋"), ("venue", "场所"))
THING_KINDS = (("component", "城市部件"), ("facility", "公共设施"), ("iot_device", "物联设备"))
THING_STATES = (("normal", "正常"), ("faulty", "故障"), ("offline", "离线"), ("retired", "报废"))
ORGANIZATIONS = (
    ("enterprise", "企业"),
    ("social_organization", "社会组织"),
    ("party_organization", "党组织"),
)


async def compute(session: AsyncSession, scope: Scope) -> Figures:
    t = await tallies(session, scope, "household", "place", "thing", "organization")
    groups = set().union(*(t[s].keys() for s in t))
    out: Figures = {}
    for g in groups:
        hh, pl, th, org = (t[s].get(g, {}) for s in ("household", "place", "thing", "organization"))
        figures = [
            count("households", "实有户数", hh.get(("total", ""), 0)),
            count("places", "实有房屋与场所", pl.get(("total", ""), 0)),
            *(count(f"place:{k}", n, pl.get(("kind", k), 0), "places") for k, n in PLACES),
            count("things", "实有部件与设施", th.get(("total", ""), 0)),
            *(
                count(f"thing:{k}", n, th.get(("kind", k), 0), "thing_kinds")
                for k, n in THING_KINDS
            ),
            *(
                count(f"thing_state:{k}", n, th.get(("status", k), 0), "thing_states")
                for k, n in THING_STATES
            ),
            count("organizations", "实有单位与组织", org.get(("total", ""), 0)),
            *(
                count(f"organization:{k}", n, org.get(("kind", k), 0), "organizations")
                for k, n in ORGANIZATIONS
            ),
            count(
                "organization_members",
                "组织成员",
                sum(org.get(("members", k), 0) for k, _ in ORGANIZATIONS),
            ),
        ]
        out[g] = figures
    return out


PANEL = PanelPart("actual_data", compute, title="实有数据", order=20)
