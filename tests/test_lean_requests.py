"""The lean request path answers exactly as the full path (schema/lean), and automatic
persisted queries follow Apollo's protocol (version 1)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from tests.fixtures import DEMO_PASSWORD

GRID = "query($c: String!) { grid(code: $c) { code name worker { name } } }"
JSON = "application/json"
DEEP = "{ me { grid { region" + " { parent" * 10 + " { code }" + " }" * 13
COSTLY = "{ grids(first: 100) { edges { node { events(first: 50) { trace { note } } } } } }"
GQL_RESPONSE = "application/graphql-response+json"


def sha(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha(query)}}


async def _token(http: httpx.AsyncClient, username: str) -> str:
    answer = await http.post(
        "/graphql",
        json={
            "query": "mutation($u: String!, $p: String!){ login(username: $u, password: $p)"
            "{ token } }",
            "variables": {"u": username, "p": DEMO_PASSWORD},
        },
    )
    return str(answer.json()["data"]["login"]["token"])


def _requests(code: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, method, httpx arguments): answered ones, refused ones, and odd ones."""
    post = "POST"
    get = "GET"
    return [
        ("typename", post, {"json": {"query": "{ __typename }"}}),
        ("grid", post, {"json": {"query": GRID, "variables": {"c": code}}}),
        ("grid, no variables key", post, {"json": {"query": GRID.replace("$c", f'"{code}"')}}),
        ("regions total", post, {"json": {"query": "{ regions { totalCount } }"}}),
        ("unknown grid", post, {"json": {"query": GRID, "variables": {"c": code[:-3] + "999"}}}),
        ("bad code", post, {"json": {"query": GRID, "variables": {"c": "x"}}}),
        ("variable missing", post, {"json": {"query": GRID}}),
        ("variable of the wrong type", post, {"json": {"query": GRID, "variables": {"c": 5}}}),
        ("parse error", post, {"json": {"query": "{ grid(code: "}}),
        ("validation error", post, {"json": {"query": "{ grid { nope } }"}}),
        (
            "too deep",
            post,
            {"json": {"query": DEEP}},
        ),
        ("nul literal", post, {"json": {"query": '{ gridVersions(code: "a\\u0000") { code } }'}}),
        ("nul variable", post, {"json": {"query": GRID, "variables": {"c": "5\x00"}}}),
        (
            "too costly",
            post,
            {"json": {"query": COSTLY}},
        ),
        (
            "two operations, none named",
            post,
            {"json": {"query": "query a { __typename } query b { __typename }"}},
        ),
        (
            "two operations, one named",
            post,
            {
                "json": {
                    "query": "query a { __typename } query b { me { id } }",
                    "operationName": "b",
                }
            },
        ),
        (
            "unknown operation",
            post,
            {"json": {"query": "query a { __typename }", "operationName": "z"}},
        ),
        ("variables not an object", post, {"json": {"query": "{ __typename }", "variables": [1]}}),
        ("query not a string", post, {"json": {"query": 5}}),
        ("no query", post, {"json": {}}),
        ("body not json", post, {"content": b"{", "headers": {"content-type": JSON}}),
        ("body a list", post, {"json": [{"query": "{ __typename }"}]}),
        (
            "graphql-response media",
            post,
            {"json": {"query": "{ grid { nope } }"}, "headers": {"accept": GQL_RESPONSE}},
        ),
        (
            "graphql-response, executed",
            post,
            {"json": {"query": GRID, "variables": {"c": "x"}}, "headers": {"accept": GQL_RESPONSE}},
        ),
        (
            "mutation refused",
            post,
            {"json": {"query": 'mutation { enableAccount(id: "999999999") { id } }'}},
        ),
        ("get query", get, {"params": {"query": GRID, "variables": json.dumps({"c": code})}}),
        ("get mutation", get, {"params": {"query": "mutation { logout }"}}),
        ("get bad variables", get, {"params": {"query": GRID, "variables": "{"}}),
        ("get no query", get, {"params": {}, "headers": {"accept": JSON}}),
        (
            "text/plain body",
            post,
            {"content": b"{ __typename }", "headers": {"content-type": "text/plain"}},
        ),
        ("subscription over http", post, {"json": {"query": "subscription { myNewTasks { id } }"}}),
    ]


def _shape(response: httpx.Response) -> tuple[int, str, Any, str | None]:
    kind = response.headers.get("content-type", "")
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return response.status_code, kind.split(";")[0], body, response.headers.get("retry-after")


async def test_lean_and_full_paths_answer_alike(demo_url, app_client) -> None:
    """Every request above, anonymous and as the command centre, gets the same status,
    media type and body with the lean path on and off."""
    answers: dict[bool, dict[tuple[str, str], Any]] = {}
    for lean in (True, False):
        async with app_client(demo_url, lean_requests=lean, max_query_cost=5_000) as client:
            http = client.http
            code = (await client.gql("{ grids(first: 1) { nodes { code } } }"))["data"]
            code = code["grids"]["nodes"][0]["code"]
            tokens = {"anonymous": None, "command": await _token(http, "command")}
            seen = answers[lean] = {}
            for who, token in tokens.items():
                for name, method, args in _requests(code):
                    headers = dict(args.get("headers", {}))
                    if token:
                        headers["Authorization"] = f"Bearer {token}"
                    kwargs = {k: v for k, v in args.items() if k != "headers"}
                    response = await http.request(method, "/graphql", headers=headers, **kwargs)
                    seen[(who, name)] = _shape(response)
    assert answers[True].keys() == answers[False].keys()
    for key, full in answers[False].items():
        assert answers[True][key] == full, key
    # and they are real answers, not the same error twice
    lean = answers[True]
    assert lean[("command", "too deep")][2]["errors"][0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    assert "cost" in lean[("command", "too costly")][2]["errors"][0]["message"]
    assert lean[("command", "subscription over http")][0] == 400
    assert lean[("command", "two operations, one named")][2]["data"]["me"]["id"]
    assert lean[("anonymous", "get query")][2]["data"]["grid"]["code"]
    assert answers[True][("command", "grid")][2]["data"]["grid"]["worker"]["name"]
    assert answers[True][("anonymous", "unknown grid")][2]["errors"][0]["extensions"]["code"] == (
        "NOT_FOUND"
    )


async def test_automatic_persisted_queries(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        http = client.http
        code = (await client.gql("{ grids(first: 1) { nodes { code } } }"))["data"]
        variables = {"c": code["grids"]["nodes"][0]["code"]}

        # a hash the server does not know: the client is asked for the document
        unknown = await http.post(
            "/graphql", json={"extensions": persisted(GRID), "variables": variables}
        )
        assert unknown.status_code == 200
        assert unknown.json() == {
            "errors": [
                {
                    "message": "PersistedQueryNotFound",
                    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
                }
            ]
        }
        strict = await http.post(
            "/graphql",
            json={"extensions": persisted(GRID), "variables": variables},
            headers={"accept": GQL_RESPONSE},
        )
        assert strict.status_code == 400
        assert strict.headers["content-type"].startswith(GQL_RESPONSE)

        # the document with its hash is answered and kept; the hash alone then works
        full = await http.post(
            "/graphql", json={"query": GRID, "extensions": persisted(GRID), "variables": variables}
        )
        assert full.status_code == 200 and full.json()["data"]["grid"]["code"] == variables["c"]
        again = await http.post(
            "/graphql", json={"extensions": persisted(GRID), "variables": variables}
        )
        assert again.json() == full.json()
        by_get = await http.get(
            "/graphql",
            params={
                "extensions": json.dumps(persisted(GRID)),
                "variables": json.dumps(variables),
            },
        )
        assert by_get.status_code == 200 and by_get.json() == full.json()

        # a hash that is not the document's, a version we do not speak, a malformed hash
        wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha("{ __typename }")}}
        for extensions, message in (
            (wrong, "provided sha does not match query"),
            (persisted(GRID, version=2), "unsupported persisted query version"),
            ({"persistedQuery": {"version": 1, "sha256Hash": "ABC"}}, "64 lower-case hex"),
            ({"persistedQuery": "yes"}, "must be an object"),
        ):
            refused = await http.post(
                "/graphql", json={"query": GRID, "extensions": extensions, "variables": variables}
            )
            assert refused.status_code == 400, extensions
            (error,) = refused.json()["errors"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert message in error["message"]

        # an invalid document is answered with its errors and not kept
        invalid = "{ grid { nope } }"
        first = await http.post(
            "/graphql", json={"query": invalid, "extensions": persisted(invalid)}
        )
        assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        later = await http.post("/graphql", json={"extensions": persisted(invalid)})
        assert later.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

        # a kept mutation still cannot run over GET (the full path refuses it)
        logout = "mutation { logout }"
        await http.post("/graphql", json={"query": logout, "extensions": persisted(logout)})
        over_get = await http.get("/graphql", params={"extensions": json.dumps(persisted(logout))})
        assert over_get.status_code == 400 and "GET" in over_get.text


async def test_persisted_queries_can_be_turned_off(demo_url, app_client) -> None:
    async with app_client(demo_url, persisted_queries=0) as client:
        body = {"query": "{ __typename }", "extensions": persisted("{ __typename }")}
        assert (await client.http.post("/graphql", json=body)).json() == {
            "data": {"__typename": "Query"}
        }
        alone = await client.http.post("/graphql", json={"extensions": persisted("{ __typename }")})
        assert alone.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_the_full_path_also_gets_persisted_queries(demo_url, app_client) -> None:
    """A hash alone for a request the lean path hands on (over the cost limit here, with
    variables) reaches the full path with its document filled in."""
    query = (
        "query($n: Int!) { grids(first: $n) { edges { node { events(first: 50) "
        "{ trace { note } } } } } }"
    )
    async with app_client(demo_url, max_query_cost=5_000) as client:
        extensions = persisted(query)
        body = {"query": query, "extensions": extensions, "variables": {"n": 1}}
        assert "data" in (await client.http.post("/graphql", json=body)).json()
        costly = await client.http.post(
            "/graphql", json={"extensions": extensions, "variables": {"n": 100}}
        )
        (error,) = costly.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "cost" in error["message"]


async def test_uploads_stream_to_the_full_path_unread(demo_url, app_client, monkeypatch) -> None:
    """A multipart body (up to the attachments' cap) is never buffered by the lean path."""
    from schema.lean import handler

    read: list[bool] = []
    original = handler._read_body

    async def recording(receive: Any) -> bytes:
        read.append(True)
        return await original(receive)

    monkeypatch.setattr(handler, "_read_body", recording)
    async with app_client(demo_url) as client:
        operations = json.dumps({"query": "{ __typename }", "variables": {}})
        answer = await client.http.post(
            "/graphql", data={"operations": operations, "map": "{}"}, files={"x": b"1"}
        )
        assert answer.json() == {"data": {"__typename": "Query"}}
        assert read == []
        assert (await client.gql("{ __typename }"))["data"] and read == [True]
