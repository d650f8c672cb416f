"""Modules over places, things (城市部件) and organizations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.analysis import AnalysisModule, Column, Scope
from core.masking import mask_address, mask_phone
from core.models import Organization, Place, Thing

CONTACT = "person:contact"


def places_source(scope: Scope, filter: str | None) -> Any:
    stmt = select(
        Place.id.label("id"),
        Place.region_code.label("region_code"),
        Place.collected_at.label("at"),
        Place.kind.label("kind"),
        Place.name.label("name"),
        Place.address.label("address"),
        Place.usage.label("usage"),
        Place.floors.label("floors"),
        (Place.kind == "house").label("is_house"),
        Place.geom.label("geom"),
        Place.beidou_code.label("beidou_code"),
    )
    return stmt.where(Place.kind == filter) if filter else stmt


def things_source(scope: Scope, filter: str | None) -> Any:
    stmt = select(
        Thing.id.label("id"),
        Thing.region_code.label("region_code"),
        Thing.collected_at.label("at"),
        Thing.kind.label("kind"),
        Thing.category.label("category"),
        Thing.name.label("name"),
        Thing.code.label("code"),
        Thing.status.label("status"),
        Thing.geom.label("geom"),
        Thing.beidou_code.label("beidou_code"),
    )
    if filter in ("component", "facility", "iot_device"):
        stmt = stmt.where(Thing.kind == filter)
    elif filter is not None:
        stmt = stmt.where(Thing.status == filter)
    return stmt


def organizations_source(scope: Scope, filter: str | None) -> Any:
    stmt = select(
        Organization.id.label("id"),
        Organization.region_code.label("region_code"),
        Organization.collected_at.label("at"),
        Organization.kind.label("kind"),
        Organization.name.label("name"),
        Organization.uscc.label("uscc"),
        Organization.legal_representative.label("legal_representative"),
        Organization.member_count.label("member_count"),
        Organization.phone.label("phone"),
        Organization.geom.label("geom"),
        Organization.beidou_code.label("beidou_code"),
    )
    return stmt.where(Organization.kind == filter) if filter else stmt


MODULES = [
    AnalysisModule(
        key="housing_places",
        title="房屋与场所分析",
        category="place",
        kind="place",
        columns=(
            Column("kind", "类别"),
            Column("name", "名称", CONTACT, mask_address, personal_when="is_house"),
            Column("address", "地址", CONTACT, mask_address, personal_when="is_house"),
            Column("usage", "用途"),
            Column("floors", "层数"),
        ),
        source=places_source,
        filters={"building": "楼栋", "house": "房屋", "venue": "场所"},
        order=50,
        located=True,
    ),
    AnalysisModule(
        key="things",
        title="城市部件分析",
        category="thing",
        kind="thing",
        columns=(
            Column("kind", "类别"),
            Column("category", "部件类型"),
            Column("name", "名称"),
            Column("code", "编码"),
            Column("status", "状态"),
        ),
        source=things_source,
        filters={
            "component": "城市部件",
            "facility": "公共设施",
            "iot_device": "物联设备",
            "faulty": "故障",
            "offline": "离线",
            "retired": "报废",
        },
        order=60,
        located=True,
    ),
    AnalysisModule(
        key="organizations",
        title="单位与组织分析",
        category="organization",
        kind="organization",
        columns=(
            Column("kind", "类别"),
            Column("name", "名称"),
            Column("uscc", "统一社会信用代码"),
            Column("legal_representative", "法定代表人"),
            Column("member_count", "人数"),
            Column("phone", "联系电话", CONTACT, mask_phone),
        ),
        source=organizations_source,
        filters={
            "enterprise": "企业",
            "social_organization": "社会组织",
            "party_organization": "党组织",
        },
        order=70,
        located=True,
    ),
]
