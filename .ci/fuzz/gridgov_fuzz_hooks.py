"""schemathesis hooks for gridgov (loaded through SCHEMATHESIS_HOOKS).

Custom scalars get strategies that mix valid and malformed values; optional arguments are
left out in part of the cases (the generator writes every argument, `first: Int! = 50`
looks required to it, but a user types `{ regions { totalCount } }`); and one check holds
the line the fuzzing is for: no 5xx, and no GraphQL error without a stable code or with
INTERNAL_SERVER_ERROR (an unhandled exception).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import schemathesis
from graphql import (
    REMOVE,
    DocumentNode,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    is_required_argument,
    visit,
)
from hypothesis import strategies as st
from schemathesis.graphql import nodes

POINTS = [
    json.dumps({"type": "Point", "coordinates": [104.6, 28.77]}),
    json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}),
    "{}",
    "not json",
    json.dumps({"type": "Point", "coordinates": ["x", None]}),
]

schemathesis.graphql.scalar(
    "GeoJSON", st.one_of(st.sampled_from(POINTS), st.text(max_size=30)).map(nodes.String)
)
schemathesis.graphql.scalar(
    "JSON",
    st.one_of(
        st.sampled_from(['{"type": "FeatureCollection", "features": []}', "[]", "1"]),
        st.text(max_size=20),
    ).map(nodes.String),
)
schemathesis.graphql.scalar("Upload", st.just(nodes.Null))
# money (dues, fees): plain decimals, and what a Decimal must refuse
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(min_value=-1000, max_value=10**9, places=2, allow_nan=False).map(str),
        st.sampled_from(["NaN", "Infinity", "-0.001", "1e400", "12.345", "x", ""]),
    ).map(nodes.String),
)


def without_optional_arguments(
    document: DocumentNode, schema: GraphQLSchema, leave_out: Callable[[], bool]
) -> DocumentNode:
    """The document without the optional arguments for which ``leave_out()`` says so (it is
    asked once per optional argument, in document order)."""
    type_info = TypeInfo(schema)

    class LeaveOut(Visitor):
        def enter_argument(self, *_: Any) -> Any:
            argument = type_info.get_argument()
            if argument is not None and not is_required_argument(argument) and leave_out():
                return REMOVE
            return None

    return visit(document, TypeInfoVisitor(type_info, LeaveOut()))


@st.composite
def _fewer_arguments(draw: st.DrawFn, body: DocumentNode, schema: GraphQLSchema) -> DocumentNode:
    mode = draw(st.sampled_from(("as generated", "minimal", "some left out")))
    if mode == "as generated":
        return body
    if mode == "minimal":
        return without_optional_arguments(body, schema, lambda: True)
    rnd = draw(st.randoms(use_true_random=False))
    return without_optional_arguments(body, schema, lambda: rnd.random() < 0.5)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> Any:
    """A third of the cases as generated, a third minimal (every optional argument left
    out, as a user types them), a third with some left out."""
    if not isinstance(body, DocumentNode) or ctx.operation is None:
        return st.just(body)
    return _fewer_arguments(body, ctx.operation.schema.client_schema)


@schemathesis.check
def no_unhandled_errors(ctx: Any, response: Any, case: Any) -> None:
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        raise AssertionError("the response is not JSON") from None
    for error in body.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        if code in (None, "INTERNAL_SERVER_ERROR"):
            raise AssertionError(f"{code or 'no code'}: {error.get('message')}")
