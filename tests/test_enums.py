"""Closed sets are GraphQL enums: a value outside one is refused by validation (a literal:
GRAPHQL_VALIDATION_FAILED; a variable: BAD_USER_INPUT) before any resolver runs, and
every enum field answers a member's name (``ASSIGNED``), on the compiled read path too.

The inputs are found in the composed schema itself: every argument and input field of an
enum type (inside input objects and lists too), on every field reachable from Query and
Mutation, so an enum added tomorrow is checked without anyone writing its test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
    is_required_argument,
)

from core.models.authz import ACTIONS
from core.plugins import make_plugin_manager
from core.services import events as event_service
from core.settings import Settings
from core.storage.sniff import MediaKind
from schema.build import build_schema
from schema.enums import ENUMS, AttachmentKind, EventAction, GrantAction
from tests.fixtures import sql_execute
from tests.schema_walk import fill, targets
from tests.test_records import demo_copy

BAD_NAME = "NOT_A_MEMBER"


def composed() -> GraphQLSchema:
    settings = Settings()
    schema = build_schema(make_plugin_manager(settings), settings)
    return schema._schema  # type: ignore[no-any-return]


# --- the sets themselves --------------------------------------------------------------


def test_sets_fixed_in_code_match_the_code() -> None:
    assert [a.value for a in GrantAction] == list(ACTIONS)
    assert {a.value for a in EventAction} == {"report", *event_service._HANDLERS}
    assert {k.value for k in AttachmentKind} == set(get_args(MediaKind))


def test_every_enum_of_the_schema_is_declared_and_named_by_its_value() -> None:
    """The compiled read path writes an enum as ``upper(value)`` in SQL: a member's name
    must be its value in capitals. And no enum of the core's schema escapes ``ENUMS``;
    the others are plugins' own (a plugin cannot add to ``schema.enums``), named alike."""
    settings = Settings()
    built = build_schema(make_plugin_manager(settings), settings)
    schema = built._schema
    served = {
        name: t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLEnumType) and not name.startswith("__")
    }
    assert set(ENUMS) <= set(served)
    for name in set(served) - set(ENUMS):
        owner = built.schema_converter.type_map[name].definition.wrapped_cls.__module__
        assert owner.startswith("plugins."), (name, owner)
        for key, value in served[name].values.items():
            assert key == str(value.value).upper(), (name, key)
    for name, enum in ENUMS.items():
        assert {m.name: m.value for m in enum} == {
            k: v.value for k, v in served[name].values.items()
        }, name
        for member in enum:
            assert member.name == member.value.upper(), (name, member)


# --- inputs ---------------------------------------------------------------------------


class Bad:
    """Where the value outside the set goes."""


@dataclass(frozen=True)
class Position:
    """An enum somewhere in an argument: the input fields leading to it, and whether a
    list holds it."""

    root: str
    hops: tuple[tuple[str, GraphQLField], ...]  # (field name, field) from the root
    argument: str
    path: tuple[str, ...]
    enum: GraphQLEnumType

    def __str__(self) -> str:
        fields = ".".join(name for name, _ in self.hops)
        inner = "".join(f".{p}" for p in self.path)
        return f"{self.root}.{fields}({self.argument}{inner})"


def _enum_paths(
    type_: GraphQLInputType, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[tuple[str, ...], GraphQLEnumType]]:
    named = get_named_type(type_)
    if isinstance(named, GraphQLEnumType):
        yield (), named
    elif isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        for key, f in named.fields.items():
            for path, enum in _enum_paths(f.type, seen | {named.name}):
                yield (key, *path), enum


def positions(schema: GraphQLSchema) -> list[Position]:
    out = []
    for root in (schema.query_type, schema.mutation_type):
        assert root is not None
        for target in targets(schema, root):
            hops = []
            for hop in target.hops:
                parent = schema.get_type(hop.parent)
                assert isinstance(parent, GraphQLObjectType)
                hops.append((hop.field, parent.fields[hop.field]))
            for arg_name, arg in hops[-1][1].args.items():
                for path, enum in _enum_paths(arg.type):
                    out.append(Position(root.name, tuple(hops), arg_name, path, enum))
    return out


def _value(type_: GraphQLInputType, path: tuple[str, ...]) -> Any:
    """A value of ``type_`` with ``Bad`` at ``path`` (other required fields filled)."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return [_value(inner.of_type, path)]
    if not path:
        return Bad
    named = get_named_type(type_)
    assert isinstance(named, GraphQLInputObjectType)
    value = fill(named, "", lambda _: Undefined)
    value[path[0]] = _value(named.fields[path[0]].type, path[1:])
    return value


def _literal(value: Any, type_: GraphQLInputType, bad: str) -> str:
    named = get_named_type(type_)
    if value is Bad:
        return bad
    if isinstance(value, list):
        return f"[{', '.join(_literal(v, named, bad) for v in value)}]"
    if isinstance(named, GraphQLInputObjectType):
        parts = [f"{k}: {_literal(v, named.fields[k].type, bad)}" for k, v in value.items()]
        return "{" + ", ".join(parts) + "}"
    if isinstance(named, GraphQLEnumType):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _variable(value: Any, bad: str) -> Any:
    if value is Bad:
        return bad
    if isinstance(value, list):
        return [_variable(v, bad) for v in value]
    if isinstance(value, dict):
        return {k: _variable(v, bad) for k, v in value.items()}
    return value


def document(p: Position, *, as_variable: bool, bad: str) -> tuple[str, dict[str, Any]]:
    """The request with the bad value in place: written out, or sent in a variable."""
    texts = []
    variables: dict[str, Any] = {}
    declarations = []
    for i, (name, field) in enumerate(p.hops):
        args = []
        for arg_name, arg in field.args.items():
            last = i == len(p.hops) - 1
            if last and arg_name == p.argument:
                value = _value(arg.type, p.path)
                if as_variable:
                    declarations.append(f"$v: {arg.type}")
                    variables["v"] = _variable(value, bad)
                    args.append(f"{arg_name}: $v")
                else:
                    args.append(f"{arg_name}: {_literal(value, arg.type, bad)}")
            elif is_required_argument(arg):
                given = fill(arg.type, arg_name, lambda _: Undefined)
                args.append(f"{arg_name}: {_literal(given, arg.type, bad)}")
        texts.append(name + (f"({', '.join(args)})" if args else ""))
    last_type = get_named_type(p.hops[-1][1].type)
    body = texts[-1] + (" { __typename }" if not is_leaf_type(last_type) else "")
    for text in reversed(texts[:-1]):
        body = f"{text} {{ {body} }}"
    operation = "mutation" if p.root == "Mutation" else "query"
    declared = f"({', '.join(declarations)})" if declarations else ""
    return f"{operation} Bad{declared} {{ {body} }}", variables


def test_every_enum_input_is_found() -> None:
    """The generator is not vacuous: the inputs known today are among those it finds."""
    found = {str(p) for p in positions(composed())}
    assert {
        "Query.events(status)",
        "Query.regions(level)",
        "Query.places(kind)",
        "Query.things(kind)",
        "Query.organizations(kind)",
        "Mutation.superviseEvent(card)",
        "Mutation.grantAccess(input.action)",
        "Mutation.createPlace(input.kind)",
        "Mutation.createThing(input.kind)",
        "Mutation.createThing(input.status)",
        "Mutation.createOrganization(input.kind)",
        "Mutation.createPerson(input.gender)",
        "Mutation.createPerson(input.residenceType)",
        "Mutation.createPerson(input.relation)",
    } <= found, found


async def test_a_value_outside_the_set_is_refused_before_any_resolver(demo_url, app_client) -> None:
    schema = composed()
    refused: list[str] = []
    async with app_client(demo_url) as client:
        await client.login("command")  # whoever may do most: still refused
        for p in positions(schema):
            old_spelling = next(iter(p.enum.values.values())).value  # e.g. "assigned"
            for as_variable, bad, code in (
                (False, BAD_NAME, "GRAPHQL_VALIDATION_FAILED"),
                (False, json.dumps(old_spelling), "GRAPHQL_VALIDATION_FAILED"),
                (True, BAD_NAME, "BAD_USER_INPUT"),
                (True, old_spelling, "BAD_USER_INPUT"),
            ):
                query, variables = document(p, as_variable=as_variable, bad=bad)
                body = await client.gql(query, variables)
                codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors", ())]
                if body.get("data") is not None or not codes or set(codes) != {code}:
                    refused.append(f"{p} {bad!r}: {body}\n    {query} {variables}")
                else:
                    assert p.enum.name in body["errors"][0]["message"], body
    assert not refused, "\n".join(refused)


async def test_a_member_name_is_accepted(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        await client.login("command")
        result = await client.gql(
            "query($s: EventStatus, $k: PlaceKind) { events(status: $s, first: 1) { totalCount }"
            " places(kind: $k, first: 1) { nodes { kind } } "
            " things(kind: FACILITY, first: 1) { nodes { kind status } } }",
            {"s": "CLOSED", "k": "BUILDING"},
        )
        assert "errors" not in result, result
        assert result["data"]["places"]["nodes"] == [{"kind": "BUILDING"}]
        assert result["data"]["things"]["nodes"][0]["kind"] == "FACILITY"


# --- outputs --------------------------------------------------------------------------


def selection(type_: GraphQLObjectType, depth: int) -> str | None:
    """The fields of ``type_`` that are enums or lead to enums within ``depth`` objects
    (pages of 3; fields with other arguments are left out); None when there are none."""
    parts = []
    for name, field in type_.fields.items():
        args = set(field.args)
        if args - {"first"}:
            continue
        named = get_named_type(field.type)
        call = name + ("(first: 3)" if "first" in args else "")
        if isinstance(named, GraphQLEnumType):
            parts.append(name)
        elif isinstance(named, GraphQLObjectType) and depth > 0 and name != "edges":
            inner = selection(named, depth - 1)
            if inner is not None:
                parts.append(f"{call} {{ {inner} }}")
    return " ".join(parts) or None


def enum_answers(
    schema: GraphQLSchema, type_: GraphQLObjectType, data: Any
) -> Iterator[tuple[str, GraphQLEnumType, Any]]:
    """(Type.field, enum, value) for every enum value in ``data`` (a ``type_`` object)."""
    if isinstance(data, list):
        for item in data:
            yield from enum_answers(schema, type_, item)
        return
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        field = type_.fields.get(key)
        if field is None or value is None:
            continue
        named = get_named_type(field.type)
        if isinstance(named, GraphQLEnumType):
            for v in value if isinstance(value, list) else [value]:
                yield f"{type_.name}.{key}", named, v
        elif isinstance(named, GraphQLObjectType):
            yield from enum_answers(schema, named, value)


ROOTS = ("me", "grids", "persons", "events", "places", "things", "organizations", "regions")
#: shapes the compiled read path serves (schema/compiled/): its JSON must carry names too
COMPILED = (
    "grids(first: 20) { nodes { kind specialType region { kind level } worker { kind }"
    " events(first: 5) { status level supervision } } }",
    "persons(first: 20) { nodes { gender residenceType relation grid { kind specialType } } }",
)
OK_CODES = {"UNAUTHENTICATED", "FORBIDDEN"}


@pytest.mark.parametrize("compiled", [True, False])
async def test_enum_fields_answer_member_names(
    pg_server, template_db, app_client, compiled
) -> None:
    url = await demo_copy(pg_server, template_db)
    # the demo has no special grid: make the first one a business district
    await sql_execute(
        url,
        "UPDATE grid SET kind = 'special', special_type = 'business_district' "
        "WHERE code = (SELECT min(code) FROM grid WHERE valid_to IS NULL)",
    )
    schema = composed()
    query_type = schema.query_type
    assert query_type is not None
    fields = []
    for root in ROOTS:
        field = query_type.fields[root]
        named = get_named_type(field.type)
        assert isinstance(named, GraphQLObjectType)
        call = root + ("(first: 3)" if "first" in field.args else "")
        fields.append(f"{call} {{ {selection(named, 4)} }}")
    fields += [
        "myPermissions { action }",
        'decodeCode(code: "N48H51276/2026112514") { kind timeLevel }',
        'here(code: "511504") { kind }',
    ]
    seen: dict[str, set[str]] = {}
    async with app_client(url, compiled_reads=compiled) as client:
        for who in ("command", "citizen", "ts-511504100"):
            await client.login(who)
            for query in ["{ " + " ".join(fields) + " }", *(f"{{ {c} }}" for c in COMPILED)]:
                body = await client.gql(query)
                codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors", ())}
                assert codes <= OK_CODES, body
                for where, enum, value in enum_answers(schema, query_type, body["data"]):
                    assert value in enum.values, (where, value)
                    seen.setdefault(where, set()).add(value)
        assert bool(client.app.state.gridgov.compiled_statements) is compiled
    assert seen["Grid.specialType"] == {"BUSINESS_DISTRICT"}
    # the demo holds values of most of them
    for where in (
        "Account.role",
        "Grid.kind",
        "GridWorker.kind",
        "Region.kind",
        "Region.level",
        "Person.gender",
        "Person.residenceType",
        "Person.relation",
        "Place.kind",
        "Thing.kind",
        "Thing.status",
        "Organization.kind",
        "Permission.action",
        "DecodedCode.kind",
        "DecodedCode.timeLevel",
        "Here.kind",
    ):
        assert seen.get(where), (where, sorted(seen))
