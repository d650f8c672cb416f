"""The selection of a field as plain data: response key, field name, arguments and
sub-selection, with fragments merged and @skip/@include applied (graphql-core's own
field collection)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLObjectType, get_named_type
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values


class NotCompilable(Exception):
    """The selection holds something the compiled path does not declare."""


@dataclass
class Selected:
    key: str  # the response name (alias or field name)
    name: str
    args: dict[str, Any]
    children: list[Selected] = field(default_factory=list)


def _fragments(info: Any) -> dict[str, FragmentDetails]:
    out = {}
    for name, definition in info.fragments.items():
        if getattr(definition, "variable_definitions", None):
            raise NotCompilable("fragment variables")
        out[name] = FragmentDetails(definition, None)
    return out


def _collect(
    info: Any, variables: Any, fragments: Any, parent: GraphQLObjectType, details: Any
) -> list[Selected]:
    collected = collect_subfields(
        info.schema, fragments, variables, info.operation, parent, details
    )
    out: list[Selected] = []
    for key, group in collected.grouped_field_set.items():
        node = group[0].node
        name = node.name.value
        if name == "__typename":
            out.append(Selected(key, name, {}))
            continue
        definition = parent.fields.get(name)
        if definition is None:
            raise NotCompilable(name)
        args = get_argument_values(definition, node, variables)
        named = get_named_type(definition.type)
        children = (
            _collect(info, variables, fragments, named, group)
            if isinstance(named, GraphQLObjectType)
            else []
        )
        out.append(Selected(key, name, args, children))
    return out


def selection_of(info: Any) -> list[Selected]:
    """The sub-selection of the field being resolved (an object type's fields)."""
    raw = info._raw_info
    named = get_named_type(raw.return_type)
    if not isinstance(named, GraphQLObjectType):
        raise NotCompilable("not an object")
    details = [FieldDetails(node, None, None) for node in raw.field_nodes]
    variables = raw.variable_values
    if not isinstance(variables, VariableValues):  # the resolver sees the coerced dict
        variables = VariableValues({}, dict(variables or {}))
    return _collect(raw, variables, _fragments(raw), named, details)
