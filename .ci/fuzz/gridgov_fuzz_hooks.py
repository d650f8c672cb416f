"""schemathesis hooks for gridgov (loaded through SCHEMATHESIS_HOOKS).

Custom scalars get strategies that mix valid and malformed values, and one check holds
the line the fuzzing is for: no 5xx, and no GraphQL error without a stable code or with
INTERNAL_SERVER_ERROR (an unhandled exception).
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
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
