"""Fixed lists the demo draws from: departments, things, organizations."""

from __future__ import annotations

# (type, name) of the district's departments: functional grids serving the whole district.
DISTRICT_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("public_security", "叙州区公安分局"),
    ("civil_affairs", "叙州区民政局"),
    ("health", "叙州区卫生健康局"),
    ("urban_management", "叙州区综合行政执法局"),
    ("emergency", "叙州区应急管理局"),
    ("ecology_environment", "叙州区生态环境局"),
    ("housing", "叙州区住房和城乡建设局"),
    ("market_regulation", "叙州区市场监督管理局"),
    ("human_resources", "叙州区人力资源和社会保障局"),
    ("natural_resources", "叙州区自然资源局"),
    ("education", "叙州区教育和体育局"),
    ("agriculture", "叙州区农业农村局"),
    ("water", "叙州区水务局"),
    ("transport", "叙州区交通运输局"),
    ("justice", "叙州区司法局"),
    ("petition", "叙州区信访局"),
)

# What each district department may see of the whole district (category, action); police
# stations see their own township. Everything else stays closed until an admin grants it.
DEPARTMENT_GRANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "public_security": (
        ("person", "read"),
        ("place", "read"),
        ("thing", "read"),
        ("organization", "read"),
    ),
    "civil_affairs": (("person:basic", "read"), ("person:special_group", "read")),
    "health": (("person:basic", "read"),),
    "urban_management": (("thing", "read"), ("thing", "handle"), ("place", "read")),
    "emergency": (("place", "read"), ("thing", "read")),
    "market_regulation": (("organization", "read"),),
    "housing": (("place", "read"),),
    "human_resources": (("person:basic", "read"),),
    "police_station": (("person", "read"), ("place", "read")),
}

# (kind, category, name, urban_per_grid, rural_per_grid)
THINGS: tuple[tuple[str, str, str, int, int], ...] = (
    ("component", "manhole_cover", "井盖", 8, 1),
    ("component", "street_light", "路灯", 10, 3),
    ("component", "trash_bin", "垃圾桶", 6, 2),
    ("facility", "fire_hydrant", "消火栓", 3, 1),
    ("facility", "aed", "AED除颤仪", 1, 0),
    ("facility", "emergency_shelter", "应急避难场所", 0, 1),
    ("iot_device", "camera", "视频监控", 4, 2),
    ("iot_device", "smoke_sensor", "烟感报警器", 5, 1),
    ("iot_device", "water_level_sensor", "水位监测仪", 0, 1),
    ("iot_device", "landslide_sensor", "地灾监测仪", 0, 1),
)

ENTERPRISE_TRADES: tuple[str, ...] = (
    "商贸有限公司",
    "餐饮店",
    "建材有限公司",
    "酒业有限公司",
    "茶业有限公司",
    "物流有限公司",
    "农业专业合作社",
    "超市",
    "药房",
    "汽车修理厂",
    "竹木制品厂",
    "物业管理有限公司",
)
SOCIAL_ORGANIZATIONS: tuple[str, ...] = (
    "志愿者协会",
    "老年协会",
    "红白理事会",
    "文艺队",
    "调解委员会",
    "妇女儿童之家",
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(prefix2: str, region6: str, org9: str) -> str:
    """A unified social credit code (GB 32100-2015) with its check character."""
    body = prefix2 + region6 + org9
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return body + USCC_CHARS[(31 - total % 31) % 31]
