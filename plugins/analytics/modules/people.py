"""Modules over residents: population structure, floating population, special and care
groups, households."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, extract, func, literal, select

from core.analysis import AnalysisModule, Column, Scope
from core.masking import mask_address, mask_identity_number, mask_phone
from core.models import Household, Person, PersonSpecialGroup, SpecialGroup
from plugins.analytics.panels.population import SPECIAL

IDENTITY = "person:identity"
CONTACT = "person:contact"
#: disclosure control: the smallest heat cell of residents (households) shown to an actor
#: without the read grant where they live, and of special groups (GB/T 31000 tags)
MIN_PERSONAL = 3
MIN_SPECIAL = 5
PERSON_COLUMNS = (
    Column("name", "姓名"),
    Column("gender", "性别"),
    Column("birth_year", "出生年份"),
    Column("residence_type", "人口类型"),
    Column("id_number", "身份证号", IDENTITY, mask_identity_number),
    Column("phone", "联系电话", CONTACT, mask_phone),
    Column("address", "住址", CONTACT, mask_address),
)


def _age_at_least(scope: Scope, years: int) -> Any:
    return extract("year", Person.birth_date) <= scope.last_day.year - years


def _persons() -> Any:
    return select(
        Person.id.label("id"),
        Person.region_code.label("region_code"),
        Person.collected_at.label("at"),
        Person.name.label("name"),
        Person.gender.label("gender"),
        extract("year", Person.birth_date).label("birth_year"),
        Person.residence_type.label("residence_type"),
        Person.id_number.label("id_number"),
        Person.phone.label("phone"),
        Person.address.label("address"),
        Person.geom.label("geom"),
        Person.beidou_code.label("beidou_code"),
    )


def population_source(scope: Scope, filter: str | None) -> Any:
    stmt = _persons()
    if filter in ("registered", "floating", "overseas"):
        stmt = stmt.where(Person.residence_type == filter)
    elif filter in ("male", "female"):
        stmt = stmt.where(Person.gender == filter)
    elif filter == "children":
        stmt = stmt.where(~_age_at_least(scope, 18))
    elif filter == "working_age":
        stmt = stmt.where(_age_at_least(scope, 18), ~_age_at_least(scope, 60))
    elif filter == "elderly":
        stmt = stmt.where(_age_at_least(scope, 60))
    return stmt


def floating_source(scope: Scope, filter: str | None) -> Any:
    kinds = ("floating", "overseas") if filter is None else (filter,)
    return _persons().where(Person.residence_type.in_(kinds))


def groups_source(scope: Scope, filter: str | None) -> Any:
    """One row per person, with the groups they are in (a special-group tag is personal)."""
    tags = select(
        PersonSpecialGroup.person_id, SpecialGroup.name_zh, PersonSpecialGroup.group_code
    ).join(SpecialGroup, SpecialGroup.code == PersonSpecialGroup.group_code)
    if filter == "special":
        tags = tags.where(PersonSpecialGroup.group_code.in_(SPECIAL))
    elif filter == "care":
        tags = tags.where(PersonSpecialGroup.group_code.not_in(SPECIAL))
    t = tags.subquery()
    grouped = (
        select(t.c.person_id, func.string_agg(t.c.name_zh, literal("、")).label("groups"))
        .group_by(t.c.person_id)
        .subquery()
    )
    return select(
        Person.id.label("id"),
        Person.region_code.label("region_code"),
        Person.collected_at.label("at"),
        Person.name.label("name"),
        Person.gender.label("gender"),
        extract("year", Person.birth_date).label("birth_year"),
        grouped.c.groups.label("groups"),
        Person.phone.label("phone"),
        Person.geom.label("geom"),
        Person.beidou_code.label("beidou_code"),
    ).join(grouped, grouped.c.person_id == Person.id)


def households_source(scope: Scope, filter: str | None) -> Any:
    members = (
        select(Person.household_id, func.count().label("members"))
        .where(Person.household_id.is_not(None))
        .group_by(Person.household_id)
        .subquery()
    )
    head = (
        select(Person.household_id, func.min(Person.name).label("head"))
        .where(and_(Person.household_id.is_not(None), Person.relation == "head"))
        .group_by(Person.household_id)
        .subquery()
    )
    return (
        select(
            Household.id.label("id"),
            Household.region_code.label("region_code"),
            Household.collected_at.label("at"),
            Household.code.label("code"),
            head.c.head.label("head"),
            func.coalesce(members.c.members, 0).label("members"),
            Household.address.label("address"),
            Household.geom.label("geom"),
            Household.beidou_code.label("beidou_code"),
        )
        .outerjoin(members, members.c.household_id == Household.id)
        .outerjoin(head, head.c.household_id == Household.id)
    )


MODULES = [
    AnalysisModule(
        key="population_structure",
        title="人口结构分析",
        category="person:basic",
        kind="person",
        columns=PERSON_COLUMNS,
        source=population_source,
        filters={
            "registered": "户籍人口",
            "floating": "流动人口",
            "overseas": "境外人员",
            "male": "男性",
            "female": "女性",
            "children": "未成年人（不满18岁）",
            "working_age": "劳动年龄（18–59岁）",
            "elderly": "老年人（60岁及以上）",
        },
        order=10,
        located=True,
        location_personal=CONTACT,
        min_count=MIN_PERSONAL,
    ),
    AnalysisModule(
        key="floating_population",
        title="流动人口分析",
        category="person:basic",
        kind="person",
        columns=PERSON_COLUMNS,
        source=floating_source,
        filters={"floating": "流动人口", "overseas": "境外人员"},
        order=20,
        located=True,
        location_personal=CONTACT,
        min_count=MIN_PERSONAL,
    ),
    AnalysisModule(
        key="special_groups",
        title="特殊人群与关爱对象",
        category="person:special_group",
        kind="person",
        columns=(
            Column("name", "姓名"),
            Column("gender", "性别"),
            Column("birth_year", "出生年份"),
            Column("groups", "人群类别", "person:special_group"),
            Column("phone", "联系电话", CONTACT, mask_phone),
        ),
        source=groups_source,
        filters={"special": "特殊人群", "care": "关爱人群"},
        order=30,
        located=True,
        location_personal=CONTACT,
        min_count=MIN_SPECIAL,
    ),
    AnalysisModule(
        key="households",
        title="户籍与家庭分析",
        category="person:basic",
        kind="household",
        columns=(
            Column("code", "户号"),
            Column("head", "户主"),
            Column("members", "人数"),
            Column("address", "地址", CONTACT, mask_address),
        ),
        source=households_source,
        order=40,
        located=True,
        location_personal=CONTACT,
        min_count=MIN_PERSONAL,
    ),
]
