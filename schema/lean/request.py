"""A plain GraphQL request read from HTTP: a JSON POST or a GET, one operation, answered
as JSON. Anything else is not plain (``None``): the full path answers it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

#: media types a plain request may accept (anything else, e.g. text/html for GraphiQL or
#: a streaming transport, goes to the full path)
PLAIN_ACCEPT = frozenset(
    {"", "*/*", "application/*", "application/json", "application/graphql-response+json"}
)


@dataclass(slots=True)
class PlainRequest:
    method: str
    query: Any
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: Any
    #: the request's parameters as sent (rewritten when a persisted query is filled in)
    params: dict[str, Any]


def accepts_plain(accept: str) -> bool:
    return all(part.split(";", 1)[0].strip() in PLAIN_ACCEPT for part in accept.split(","))


def _fields(params: dict[str, Any], method: str) -> PlainRequest | None:
    query = params.get("query")
    variables = params.get("variables")
    name = params.get("operationName")
    extensions = params.get("extensions")
    if not isinstance(query, str | None) or not isinstance(name, str | None):
        return None
    if not isinstance(variables, dict | None) or not isinstance(extensions, dict | None):
        return None
    return PlainRequest(method, query, variables, name, extensions, params)


def is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def read_post(content_type: str, body: bytes) -> PlainRequest | None:
    if not is_json(content_type):
        return None
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return _fields(params, "POST") if isinstance(params, dict) else None


def read_get(query_string: bytes) -> PlainRequest | None:
    try:
        pairs = parse_qsl(query_string.decode(), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return None
    params: dict[str, Any] = {}
    for key, value in pairs:
        if key in params:
            return None  # a parameter twice: the full path decides
        params[key] = value
    for key in ("variables", "extensions"):
        if key in params:
            try:
                params[key] = orjson.loads(params[key])
            except orjson.JSONDecodeError:
                return None
    return _fields(params, "GET")


def with_query(request: PlainRequest, query: str) -> tuple[bytes, bytes]:
    """The request's body (POST) or query string (GET) with ``query`` filled in."""
    params = {**request.params, "query": query}
    if request.method == "POST":
        return orjson.dumps(params), b""
    text = {
        k: v if isinstance(v, str) else orjson.dumps(v).decode()
        for k, v in params.items()
        if v is not None
    }
    return b"", urlencode(text).encode()
