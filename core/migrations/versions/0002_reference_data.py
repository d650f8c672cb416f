"""Reference data: the six grid-worker roles, their 20 duties, GB/T 31000 special groups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 六员: informant, publicist, mediator, co-manager, server, supervisor.
ROLES = [
    ("informant", "信息员", "Informant", 1),
    ("publicist", "宣传员", "Publicist", 2),
    ("mediator", "调解员", "Mediator", 3),
    ("co_manager", "协管员", "Co-manager", 4),
    ("server", "服务员", "Server", 5),
    ("supervisor", "监督员", "Supervisor", 6),
]

# 20 项具体职责, spread over the six roles.
DUTIES = [
    (
        "collect_basic_info",
        "informant",
        "基础信息采集",
        "Basic information collection",
        "Collect and verify people, houses, units and organizations in the grid (一次采集).",
    ),
    (
        "report_events",
        "informant",
        "事件发现上报",
        "Event discovery and reporting",
        "Find problems on patrol and report them with photos and location.",
    ),
    (
        "dynamic_update",
        "informant",
        "动态信息更新",
        "Keeping records current",
        "Record births, deaths, moves in and out, and changes of use of houses.",
    ),
    (
        "policy_publicity",
        "publicist",
        "政策法规宣传",
        "Policy and law publicity",
        "Explain policies and laws to residents, household by household.",
    ),
    (
        "safety_publicity",
        "publicist",
        "安全防范宣传",
        "Safety awareness",
        "Fire, flood, fraud and traffic safety awareness in the grid.",
    ),
    (
        "civic_publicity",
        "publicist",
        "文明新风宣传",
        "Civic and public-spirit publicity",
        "Promote civic conduct, good neighbourliness and public health.",
    ),
    (
        "dispute_screening",
        "mediator",
        "矛盾纠纷排查",
        "Dispute screening",
        "Screen the grid regularly for disputes and their early signs.",
    ),
    (
        "dispute_mediation",
        "mediator",
        "矛盾纠纷调解",
        "Dispute mediation",
        "Mediate neighbourhood, family and small civil disputes on the spot.",
    ),
    (
        "petition_guidance",
        "mediator",
        "信访诉求引导",
        "Petition guidance",
        "Guide residents' petitions and requests into legal channels.",
    ),
    (
        "special_group_care",
        "co_manager",
        "特殊人群服务管理",
        "Special groups",
        "Follow and help released prisoners, community corrections, severe mental illness…",
    ),
    (
        "floating_population",
        "co_manager",
        "流动人口与出租房屋管理",
        "Floating population and rented houses",
        "Register floating residents and rented houses.",
    ),
    (
        "security_assist",
        "co_manager",
        "治安协防",
        "Public security assistance",
        "Assist patrols and report public-security hazards.",
    ),
    (
        "hazard_inspection",
        "co_manager",
        "安全隐患排查",
        "Safety hazard inspection",
        "Inspect fire, gas, geological and construction hazards.",
    ),
    (
        "errand_service",
        "server",
        "代办帮办",
        "Errands on residents' behalf",
        "Handle administrative errands for residents so they need not travel (一次都不跑).",
    ),
    (
        "vulnerable_care",
        "server",
        "困难群体帮扶",
        "Care for vulnerable groups",
        "Visit and help empty-nest elderly, left-behind children, disabled and poor residents.",
    ),
    (
        "livelihood_service",
        "server",
        "民生服务",
        "Livelihood services",
        "Social insurance, medical insurance and employment services in the grid.",
    ),
    (
        "environment_supervision",
        "supervisor",
        "环境卫生与市容监督",
        "Sanitation and city appearance",
        "Watch sanitation, city appearance and pollution.",
    ),
    (
        "food_drug_supervision",
        "supervisor",
        "食品药品安全监督",
        "Food and drug safety",
        "Watch food stalls, small eateries and drug sales in the grid.",
    ),
    (
        "construction_supervision",
        "supervisor",
        "违法建设监督",
        "Illegal construction",
        "Find and report illegal construction and land use.",
    ),
    (
        "policy_supervision",
        "supervisor",
        "惠民政策落实监督",
        "Benefit policies",
        "Watch that benefit policies reach the residents they are meant for.",
    ),
]

SPECIAL_GROUPS = [
    ("released_prisoners", "刑满释放人员", "Released prisoners"),
    ("community_corrections", "社区矫正人员", "Persons under community correction"),
    ("drug_users", "吸毒人员", "Drug users"),
    ("severe_mental_disorder", "严重精神障碍患者", "Patients with severe mental disorders"),
    ("hiv_risk", "艾滋病危险人员", "Persons at risk of HIV"),
    ("key_youth", "重点青少年", "Key youth"),
    ("left_behind_children", "留守儿童", "Left-behind children"),
    ("empty_nest_elderly", "空巢老人", "Empty-nest elderly"),
    ("children_in_difficulty", "困境儿童", "Children in difficulty"),
    ("disabled", "残疾人", "Persons with disabilities"),
    ("minimum_living_allowance", "低保对象", "Minimum living allowance recipients"),
    ("extreme_poverty", "特困人员", "Persons in extreme poverty"),
    ("veterans", "退役军人", "Veterans"),
]


def upgrade() -> None:
    role = sa.table(
        "worker_role",
        sa.column("code"),
        sa.column("name_zh"),
        sa.column("name_en"),
        sa.column("position"),
    )
    duty = sa.table(
        "duty",
        sa.column("code"),
        sa.column("role_code"),
        sa.column("name_zh"),
        sa.column("name_en"),
        sa.column("description"),
        sa.column("position"),
    )
    group = sa.table("special_group", sa.column("code"), sa.column("name_zh"), sa.column("name_en"))
    op.bulk_insert(
        role, [dict(zip(("code", "name_zh", "name_en", "position"), r, strict=True)) for r in ROLES]
    )
    op.bulk_insert(
        duty,
        [
            {
                "code": c,
                "role_code": r,
                "name_zh": zh,
                "name_en": en,
                "description": d,
                "position": i,
            }
            for i, (c, r, zh, en, d) in enumerate(DUTIES, start=1)
        ],
    )
    op.bulk_insert(
        group, [dict(zip(("code", "name_zh", "name_en"), g, strict=True)) for g in SPECIAL_GROUPS]
    )


def downgrade() -> None:
    op.execute("DELETE FROM special_group")
    op.execute("DELETE FROM duty")
    op.execute("DELETE FROM worker_role")
