"""Queries generated from the schema itself, for every field of every type reachable from a
root: asked for as a newcomer types them (only the required arguments) and in the other
ways a client may write the same request (defaulted arguments as literals, as variables
with and without values, behind named and inline fragments, aliases, @include/@skip).

Nothing here knows gridgov's fields: a field added tomorrow is walked without anyone
writing its test. Argument values come from a callback (the tests give demo values).

Values are held as a client sends them in JSON variables: an enum's value is the name of
one of its members (``"RED"``), never the server's internal value."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graphql import (
    GraphQLArgument,
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
    is_list_type,
    is_non_null_type,
    is_required_argument,
)

# (parent type, field, argument name, argument) -> a Python value, or Undefined for "none"
Values = Callable[[str, str, str, GraphQLArgument], Any]


class Variant(StrEnum):
    """How the optional arguments (and the target) are written."""

    MINIMAL = "minimal"  # optional arguments left out, no fragment, no alias
    LITERAL = "literal"  # optional arguments written out; a named fragment and an alias
    VARIABLES = "variables"  # as variables with values; an inline fragment, @include
    UNSET = "unset"  # as nullable variables sent without values (the defaults apply); @skip
    VARIABLE_DEFAULTS = "variable-defaults"  # variables with defaults of their own, not sent
    NULLS = "nulls"  # the target's optional arguments as variables sent as null


# Variants that must give the same answer: by the defaults, and by the same given values.
SAME_ANSWER = (
    (Variant.MINIMAL, Variant.UNSET),
    (Variant.LITERAL, Variant.VARIABLES, Variant.VARIABLE_DEFAULTS),
)


@dataclass(frozen=True)
class Hop:
    parent: str
    field: str


@dataclass(frozen=True)
class Target:
    """A field (the last hop) and how to reach its parent from the root."""

    hops: tuple[Hop, ...]

    def __str__(self) -> str:
        return " > ".join(f"{h.parent}.{h.field}" for h in self.hops)


@dataclass(frozen=True)
class Probe:
    target: Target
    variant: Variant
    document: str
    variables: dict[str, Any]
    keys: tuple[str, ...]  # response keys along the path, the target's last


def _object(field: GraphQLField) -> GraphQLObjectType | None:
    named = get_named_type(field.type)
    return named if isinstance(named, GraphQLObjectType) else None


def _hop_rank(field: GraphQLField) -> int:
    """Single objects before lists, fields without required arguments first."""
    t = field.type.of_type if is_non_null_type(field.type) else field.type
    required = any(is_required_argument(a) for a in field.args.values())
    return 2 * is_list_type(t) + required


def targets(
    schema: GraphQLSchema, root: GraphQLObjectType, first_hops: tuple[str, ...] | None = None
) -> list[Target]:
    """One target per field of every object type reachable from ``root`` (through
    ``first_hops`` only, if given), each reached by the shortest path (single objects
    preferred to lists)."""
    paths: dict[str, tuple[Hop, ...]] = {root.name: ()}
    queue: deque[GraphQLObjectType] = deque([root])
    while queue:
        parent = queue.popleft()
        fields = sorted(parent.fields.items(), key=lambda kv: _hop_rank(kv[1]))
        for name, field in fields:
            if name.startswith("__"):
                continue
            if parent is root and first_hops is not None and name not in first_hops:
                continue
            child = _object(field)
            if child is not None and child.name not in paths:
                paths[child.name] = (*paths[parent.name], Hop(parent.name, name))
                queue.append(child)
    out: list[Target] = []
    for type_name, path in paths.items():
        parent = schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        for name in parent.fields:
            if parent is root and first_hops is not None and name not in first_hops:
                continue
            out.append(Target((*path, Hop(type_name, name))))
    return out


def leaves(type_: GraphQLObjectType) -> list[str]:
    """The fields of ``type_`` that need no sub-selection and no argument."""
    return [
        name
        for name, field in type_.fields.items()
        if is_leaf_type(get_named_type(field.type))
        and not any(is_required_argument(a) for a in field.args.values())
    ]


def _type_text(type_: GraphQLInputType, *, nullable: bool = False) -> str:
    if nullable and isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return str(type_)


def enum_name(value: Any, enum: GraphQLEnumType) -> str:
    """The member of ``enum`` that ``value`` names: a name as sent in variables, or an
    internal value (an argument's default as graphql-core holds it)."""
    if isinstance(value, str) and value in enum.values:
        return value
    return next(k for k, v in enum.values.items() if v.value == value)


def wire(value: Any, type_: GraphQLInputType) -> Any:
    """``value`` as a JSON variable of ``type_``: enum members by name, inside lists and
    input objects too (an argument's default is held by its internal value)."""
    named = get_named_type(type_)
    if value is None or value is Undefined:
        return value
    if isinstance(value, list):
        return [wire(v, named) for v in value]
    if isinstance(named, GraphQLInputObjectType) and isinstance(value, dict):
        return {
            k: wire(v, named.fields[k].type) if k in named.fields else v for k, v in value.items()
        }
    if isinstance(named, GraphQLEnumType):
        return enum_name(value, named)
    return value


def _literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` written as a GraphQL literal of ``type_`` (enums by name, scalars as in
    JSON: a custom scalar's literal is its variable value)."""
    named = get_named_type(type_)
    if value is None:
        return "null"
    if isinstance(value, list):
        return f"[{', '.join(_literal(v, named) for v in value)}]"
    if isinstance(named, GraphQLInputObjectType):
        fields = ", ".join(f"{k}: {_literal(v, named.fields[k].type)}" for k, v in value.items())
        return f"{{{fields}}}"
    if isinstance(named, GraphQLEnumType):
        return enum_name(value, named)
    return json.dumps(value, ensure_ascii=False)


_BUILT_IN = {
    "Int": (int,),
    "Float": (int, float),
    "Boolean": (bool,),
    "String": (str,),
    "ID": (str,),
}


def fits(value: Any, type_: GraphQLInputType) -> bool:
    """Could ``value`` be a variable value of ``type_``? (a name-keyed demo value may not)"""
    if value is Undefined:
        return False
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if value is None:
        return inner is type_
    if isinstance(inner, GraphQLList):
        return isinstance(value, list) and all(fits(v, inner.of_type) for v in value)
    if isinstance(inner, GraphQLEnumType):
        return isinstance(value, str) and value in inner.values  # a member's name
    if isinstance(inner, GraphQLInputObjectType):
        return isinstance(value, dict)
    kinds = _BUILT_IN.get(inner.name)  # type: ignore[union-attr]
    if kinds is None:
        return True  # a custom scalar parses what it is given
    return isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)


def fill(type_: GraphQLInputType, name: str, values: Callable[[str], Any]) -> Any:
    """A value of an input type: ``values(name)`` where it knows one of that type, else one
    made up from the type (input objects get their required fields, filled the same way)."""
    known = values(name)
    if fits(known, type_):
        return known
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        obj = {
            key: fill(f.type, key, values)
            for key, f in named.fields.items()
            if is_non_null_type(f.type) and f.default_value is Undefined
        }
        value: Any = obj
    elif isinstance(named, GraphQLEnumType):
        value = next(iter(named.values))  # a real member, by name
    else:
        value = {
            "Int": 1,
            "Float": 1.5,
            "Boolean": True,
            "ID": "1",
            "DateTime": "2026-11-01T08:00:00+08:00",
            "Date": "2026-11-01",
            "Decimal": "10.00",
            "JSON": json.dumps({}),
            "GeoJSON": json.dumps({"type": "Point", "coordinates": [104.6, 28.77]}),
            "Upload": None,
        }.get(named.name, "x")
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    return [value] if isinstance(inner, GraphQLList) else value


class _Writer:
    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.declarations: list[str] = []
        self.variables: dict[str, Any] = {}

    def variable(self, type_: GraphQLInputType, value: Any, *, optional: bool, last: bool) -> str:
        name = f"v{len(self.declarations)}"
        v = self.variant
        if v is Variant.NULLS and optional and last:
            self.declarations.append(f"${name}: {_type_text(type_, nullable=True)}")
            self.variables[name] = None
        elif not optional or v in (Variant.VARIABLES, Variant.NULLS):
            self.declarations.append(f"${name}: {_type_text(type_)}")
            self.variables[name] = value
        elif v is Variant.UNSET:
            self.declarations.append(f"${name}: {_type_text(type_, nullable=True)}")
        else:  # VARIABLE_DEFAULTS: the variable's own default is the value
            self.declarations.append(
                f"${name}: {_type_text(type_, nullable=True)} = {_literal(value, type_)}"
            )
        return f"${name}"

    def arguments(
        self, parent: str, field_name: str, field: GraphQLField, values: Values, *, last: bool
    ) -> str:
        parts = []
        for name, arg in field.args.items():
            required = is_required_argument(arg)
            if not required and self.variant is Variant.MINIMAL:
                continue

            def known(n: str, arg: GraphQLArgument = arg) -> Any:
                return values(parent, field_name, n, arg)

            if required:
                value = fill(arg.type, name, known)
            else:
                value = known(name)
                if not fits(value, arg.type):
                    default = arg.default_value
                    value = None if default is Undefined else wire(default, arg.type)
            if self.variant in (Variant.MINIMAL, Variant.LITERAL):
                text = _literal(value, arg.type)
            else:
                text = self.variable(arg.type, value, optional=not required, last=last)
            parts.append(f"{name}: {text}")
        return f"({', '.join(parts)})" if parts else ""


def probe(
    schema: GraphQLSchema, root: GraphQLObjectType, target: Target, variant: Variant, values: Values
) -> Probe:
    """The document of ``target`` written the ``variant`` way."""
    w = _Writer(variant)
    keys: list[str] = []
    texts: list[str] = []
    for i, hop in enumerate(target.hops):
        parent = schema.get_type(hop.parent)
        assert isinstance(parent, GraphQLObjectType)
        field = parent.fields[hop.field]
        last = i == len(target.hops) - 1
        key = "target" if last and variant is not Variant.MINIMAL else hop.field
        keys.append(key)
        alias = f"{key}: " if key != hop.field else ""
        written = w.arguments(hop.parent, hop.field, field, values, last=last)
        texts.append(f"{alias}{hop.field}{written}")
    last = target.hops[-1]
    child = _object(schema.get_type(last.parent).fields[last.field])  # type: ignore[union-attr]
    inner = f" {{ {' '.join(['__typename', *leaves(child)])} }}" if child is not None else ""
    directive = ""
    if variant is Variant.VARIABLES:
        w.declarations.append("$yes: Boolean!")
        w.variables["yes"] = True
        directive = " @include(if: $yes)"
    elif variant is Variant.UNSET:
        w.declarations.append("$no: Boolean = false")
        directive = " @skip(if: $no)"
    body = f"{texts[-1]}{directive}{inner}"
    fragment = ""
    if variant is Variant.VARIABLES:
        body = f"... on {last.parent} {{ {body} }}"
    elif variant is not Variant.MINIMAL:
        fragment = f" fragment Target on {last.parent} {{ {body} }}"
        body = "...Target"
    for text in reversed(texts[:-1]):
        body = f"{text} {{ {body} }}"
    operation = {"Query": "query", "Mutation": "mutation"}[root.name]
    declared = f"({', '.join(w.declarations)})" if w.declarations else ""
    document = f"{operation} Probe{declared} {{ {body} }}{fragment}"
    return Probe(target, variant, document, w.variables, tuple(keys))


def has_optional(schema: GraphQLSchema, hops: tuple[Hop, ...]) -> bool:
    for hop in hops:
        parent = schema.get_type(hop.parent)
        assert isinstance(parent, GraphQLObjectType)
        if any(not is_required_argument(a) for a in parent.fields[hop.field].args.values()):
            return True
    return False


def probes(
    schema: GraphQLSchema,
    root: GraphQLObjectType,
    values: Values,
    first_hops: tuple[str, ...] | None = None,
    *,
    depth: int | None = None,
    variants: tuple[Variant, ...] = tuple(Variant),
) -> Iterator[Probe]:
    """Every target (``depth`` hops at most) in each of ``variants`` that differs: only
    the minimal one when nothing on the path is optional."""
    for target in targets(schema, root, first_hops):
        if depth is not None and len(target.hops) > depth:
            continue
        wanted = variants if has_optional(schema, target.hops) else (Variant.MINIMAL,)
        if not has_optional(schema, target.hops[-1:]):
            wanted = tuple(v for v in wanted if v is not Variant.NULLS)
        for variant in wanted:
            yield probe(schema, root, target, variant, values)


def found(data: Any, keys: tuple[str, ...]) -> list[Any]:
    """The target's values in a response: every parent object on the path that is there
    contributes its value of the last key (lists and connections are walked)."""
    level: list[Any] = [data]
    for key in keys[:-1]:
        nxt: list[Any] = []
        for item in level:
            value = item.get(key) if isinstance(item, dict) else None
            nxt.extend(v for v in (value if isinstance(value, list) else [value]) if v is not None)
        level = nxt
    return [item[keys[-1]] for item in level if isinstance(item, dict) and keys[-1] in item]
