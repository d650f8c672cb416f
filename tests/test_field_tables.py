"""Field tables (schema/fields.py): one declaration, every path."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import strawberry
from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects import postgresql
from strawberry.types.base import get_object_definition

from schema.account.types import ACCOUNT_FIELDS
from schema.department.types import DEPARTMENT_FIELDS
from schema.enums import GridKind
from schema.event.types import EVENT_FIELDS
from schema.fields import Column, FieldTable
from schema.grid.types import GRID_FIELDS, REGION_FIELDS, WORKER_FIELDS
from schema.located import LOCATED_FIELDS
from schema.person.types import HOUSEHOLD_FIELDS, PERSON_FIELDS
from schema.place.types import ORGANIZATION_FIELDS, PLACE_FIELDS, THING_FIELDS

#: the fields of a grid that the located lists leave to the resolvers (a plugin's too)
GRID_RELATIONS = ("partyHelpers", "events", "worker", "geometry")
EVENTS = "events, myTasks, myReports, overdueEvents, event(id:)"
TABLES = (
    GRID_FIELDS,
    REGION_FIELDS,
    WORKER_FIELDS,
    EVENT_FIELDS,
    LOCATED_FIELDS,
    PERSON_FIELDS,
    HOUSEHOLD_FIELDS,
    PLACE_FIELDS,
    THING_FIELDS,
    ORGANIZATION_FIELDS,
    DEPARTMENT_FIELDS,
    ACCOUNT_FIELDS,
)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.typename)
def test_each_field_is_in_the_type_and_on_both_compiled_paths(table: FieldTable) -> None:
    definition = get_object_definition(table.part, strict=True)
    names = [
        f.graphql_name or strawberry.utils.str_converters.to_camel_case(f.python_name)
        for f in definition.fields
    ]
    assert names == list(table.sql) == list(table.python)
    described = {n: c.description for n, c in table.columns.items()}
    for field in definition.fields:
        assert field.description == described[field.python_name]


def test_a_computed_field_needs_both_forms() -> None:
    with pytest.raises(TypeError, match="both"):
        Column(int, sql=lambda r: func.length(r.code))
    with pytest.raises(TypeError, match="both"):
        Column(int, python=lambda r: len(r.code))


def test_a_field_of_a_type_without_a_serialised_form_is_refused_at_start_up() -> None:
    with pytest.raises(TypeError, match="no SQL form"):
        FieldTable("Scratch", {"tags": Column(list[str])})


def test_python_values_serialise_as_the_scalars_do() -> None:
    class Row:
        id = 7
        code = "511504001001001"
        kind = "rural"
        special_type = None
        valid_from = datetime(2026, 7, 1, 0, 0, 0, 500, tzinfo=UTC)

    python = GRID_FIELDS.python
    assert python["id"](Row) == "7"
    assert python["kind"](Row) == "RURAL" == GridKind("rural").name
    assert python["specialType"](Row) is None
    assert python["validFrom"](Row) == "2026-07-01T00:00:00.000500+00:00"
    table = FieldTable(
        "Scratch",
        {
            "day": Column(date),
            "code_length": Column(
                int, sql=lambda r: func.length(r.code), python=lambda r: len(r.code)
            ),
        },
    )

    class Other:
        day = date(2026, 2, 3)
        code = "abc"

    assert table.python == {"day": table.python["day"], "codeLength": table.python["codeLength"]}
    assert table.python["day"](Other) == "2026-02-03"
    assert table.python["codeLength"](Other) == 3
    row = select(literal_column("'abc'").label("code")).subquery()
    sql = select(table.sql["codeLength"](row.c)).compile(dialect=postgresql.dialect())
    assert "length" in str(sql)


def test_the_fields_only_resolvers_answer_are_listed_at_start_up() -> None:
    from core.plugins import make_plugin_manager
    from core.settings import Settings
    from schema.build import build_schema
    from schema.compiled.coverage import DECLARED, resolver_fields

    settings = Settings()
    listed = resolver_fields(build_schema(make_plugin_manager(settings), settings)._schema)
    assert set(listed) == set(DECLARED)
    grids = listed["grids, grid(code:)"]
    # a plugin's field and a field with its own logic are listed; the table's are not
    assert "GridWorker.attendance" in grids and "Grid.geometry" in grids
    assert not any(f"Grid.{name}" in grids for name in GRID_FIELDS.sql)
    assert "Event.patrolFinding" in listed[EVENTS] and "Event.trace" not in listed[EVENTS]
    assert not any(
        f.startswith("Event.") and f.split(".")[1] in EVENT_FIELDS.python for f in listed[EVENTS]
    )
    # every field of the located lists' types is theirs: only relations they do not load
    assert listed["places"] == [f"Grid.{f}" for f in GRID_RELATIONS]
    assert listed["regions, region(code:)"] == listed["places"]
    assert set(listed["organizations"]) == set(listed["places"])
