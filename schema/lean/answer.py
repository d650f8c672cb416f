"""How a GraphQL result becomes an HTTP answer, for both request paths: the body, the
status (503 when the database is away, 400 for a request that never executed under the
GraphQL-over-HTTP media type) and the media type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from core.database.faults import RETRY_AFTER_SECONDS
from schema.errors import UNAVAILABLE, decorate

GRAPHQL_RESPONSE = "application/graphql-response+json"
INT64 = range(-(2**63), 2**64)  # what orjson encodes as a number


@dataclass
class Answer:
    body: dict[str, Any]
    status: int | None = None  # None: 200
    headers: dict[str, str] = field(default_factory=dict)
    media: str | None = None  # None: application/json


def answer_of(result: Any, accept: str, *, production: bool) -> Answer:
    """The HTTP answer to a GraphQL result (Strawberry's ``process_result`` plus ours)."""
    errors = result.errors or ()
    if errors:
        errors = [decorate(e, production=production) for e in errors]
        result.errors = errors
    body: dict[str, Any] = {"data": result.data}
    if errors:
        body["errors"] = [e.formatted for e in errors]
    if getattr(result, "extensions", None):
        body["extensions"] = result.extensions
    out = Answer(body)
    codes = {(e.extensions or {}).get("code") for e in errors}
    if UNAVAILABLE in codes:
        out.status = 503  # the database is away: come back later
        out.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    if GRAPHQL_RESPONSE in accept:
        # GraphQL over HTTP: with this media type a request that never executed (parse,
        # validation, variable errors) is a 400 without a data entry.
        out.media = GRAPHQL_RESPONSE
        if result.data is None and errors and all(e.path is None for e in errors):
            out.status = 400
            body.pop("data", None)
    return out


def _exact_big_ints(value: Any) -> Any:
    """``value`` with integers orjson cannot encode written as their exact digits."""
    if isinstance(value, dict):
        return {k: _exact_big_ints(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_exact_big_ints(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and value not in INT64:
        return orjson.Fragment(str(value).encode())
    return value


def encode(data: object) -> bytes:
    """JSON with orjson (several times faster than json on large results); an integer
    past 64 bits (a query cost) is written as its digits, as JSON allows."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return orjson.dumps(_exact_big_ints(data))
