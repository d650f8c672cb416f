"""Login, tokens and ``me``."""

from __future__ import annotations

import time

import jwt
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import TEST_SECRET

LOGIN = "mutation($u: String!, $p: String!){ login(username: $u, password: $p){ token expiresAt account { username role } } }"  # noqa: E501
ME = "{ me { username name role region { code level } department { code } grid { code } } }"


async def last_login(url: str, username: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        value = await conn.scalar(
            text("SELECT last_login_at FROM account WHERE username = :u"), {"u": username}
        )
    await engine.dispose()
    return value


async def test_login_and_me(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        assert (await client.gql(ME)) == {"data": {"me": None}}
        await client.login("ts-511504100")
        me = (await client.gql(ME))["data"]["me"]
        assert me["role"] == "township_staff"
        assert me["region"] == {"code": "511504100000", "level": "TOWNSHIP"}
        grid_worker = await client.gql(
            "{ grids(first: 1) { edges { node { code worker { id } } } } }"
        )
        code = grid_worker["data"]["grids"]["edges"][0]["node"]["code"]
        await client.login(f"gw-{code}")
        assert (await client.gql(ME))["data"]["me"]["grid"] == {"code": code}


async def test_wrong_password_and_unknown_user_are_refused_alike(db_url, app_client) -> None:
    from tests.test_cli import run_cli

    run_cli(
        ["user", "add", "zhang", "--role", "admin", "--password-stdin"],
        db_url,
        stdin="right-password\n",
    )
    async with app_client(db_url) as client:
        for username, password in (("zhang", "wrong-password"), ("nobody", "whatever-x")):
            result = await client.gql(LOGIN, {"u": username, "p": password})
            assert result["data"] is None
            assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert result["errors"][0]["message"] == "wrong username or password"
        assert await last_login(db_url, "zhang") is None  # nothing written
        ok = await client.gql(LOGIN, {"u": "zhang", "p": "right-password"})
        assert ok["data"]["login"]["account"] == {"username": "zhang", "role": "admin"}
        assert await last_login(db_url, "zhang") is not None


async def test_bad_tokens_get_401_with_a_code(demo_url, app_client) -> None:
    expired = jwt.encode(
        {"sub": "1", "role": "admin", "iat": 1, "exp": int(time.time()) - 10, "iss": "gridgov"},
        TEST_SECRET,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {"sub": "1", "role": "admin", "iat": 1, "exp": int(time.time()) + 100, "iss": "gridgov"},
        "another-secret-key-that-is-long-enough",
        algorithm="HS256",
    )
    async with app_client(demo_url) as client:
        for header, needle in (
            (f"Bearer {expired}", "expired"),
            (f"Bearer {forged}", "valid"),
            ("Basic abc", "Bearer"),
            ("Bearer ", "Bearer"),
        ):
            response = await client.http.post(
                "/graphql", json={"query": ME}, headers={"Authorization": header}
            )
            assert response.status_code == 401
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "UNAUTHENTICATED" and needle in error["message"]


async def test_healthz(demo_url, app_client) -> None:
    async with app_client(demo_url) as client:
        response = await client.http.get("/healthz")
        assert response.status_code == 200 and response.json() == {"status": "ok"}
