"""Login, tokens and ``me``."""

from __future__ import annotations

import time

import jwt
from sqlalchemy import text

from core.database.engine import make_engine
from core.settings import Settings
from tests.fixtures import TEST_SECRET, sql_execute, sql_scalar

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
        assert me["role"] == "TOWNSHIP_STAFF"
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
        stdin="the-right-password-42\n",
    )
    async with app_client(db_url) as client:
        for username, password in (("zhang", "wrong-password"), ("nobody", "whatever-x")):
            result = await client.gql(LOGIN, {"u": username, "p": password})
            assert result["data"] is None
            assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert result["errors"][0]["message"] == "wrong username or password"
        assert await last_login(db_url, "zhang") is None  # nothing written
        ok = await client.gql(LOGIN, {"u": "zhang", "p": "the-right-password-42"})
        assert ok["data"]["login"]["account"] == {"username": "zhang", "role": "ADMIN"}
        assert await last_login(db_url, "zhang") is not None


async def test_bad_tokens_get_401_with_a_code(demo_url, app_client) -> None:
    expired = jwt.encode(
        {
            "sub": "1",
            "sid": 1,
            "role": "admin",
            "iat": 1,
            "exp": int(time.time()) - 10,
            "iss": "gridgov",
        },
        TEST_SECRET,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {
            "sub": "1",
            "sid": 1,
            "role": "admin",
            "iat": 1,
            "exp": int(time.time()) + 100,
            "iss": "gridgov",
        },
        "another-secret-key-that-is-long-enough",
        algorithm="HS256",
    )
    # a token of before sessions (no sid): not valid
    sessionless = jwt.encode(
        {"sub": "1", "role": "admin", "iat": 1, "exp": int(time.time()) + 100, "iss": "gridgov"},
        TEST_SECRET,
        algorithm="HS256",
    )
    async with app_client(demo_url) as client:
        for header, needle in (
            (f"Bearer {expired}", "expired"),
            (f"Bearer {forged}", "valid"),
            (f"Bearer {sessionless}", "valid"),
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
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok", "pubsub": "ok"}


def test_token_verifier_keeps_claims_but_checks_expiry_each_time(monkeypatch) -> None:
    from core import auth
    from core.errors import Unauthenticated

    verifier = auth.TokenVerifier(lambda: TEST_SECRET, size=2)
    token, exp = auth.issue_token(
        account_id=7, role="admin", key=TEST_SECRET, ttl_seconds=60, session_id=1
    )
    assert verifier.verify(token).account_id == 7
    calls: list[str] = []
    real_decode = auth.decode_token
    monkeypatch.setattr(
        auth, "decode_token", lambda t, key: calls.append(t) or real_decode(t, key=key)
    )
    assert verifier.verify(token).expires_at == exp and calls == []  # known: not decoded again
    monkeypatch.setattr(auth.time, "time", lambda: exp + 1)
    try:
        verifier.verify(token)
        raise AssertionError("an expired token was accepted")
    except Unauthenticated as exc:
        assert "expired" in exc.message
    assert len(verifier) == 0
    monkeypatch.undo()
    others = [
        auth.issue_token(account_id=i, role="admin", key=TEST_SECRET, ttl_seconds=60, session_id=i)[
            0
        ]
        for i in range(3)
    ]
    for other in others:
        verifier.verify(other)
    assert len(verifier) == 2  # bounded: the least recently used is dropped
    try:
        verifier.verify(others[0][:-2] + "xx")
        raise AssertionError("a forged token was accepted")
    except Unauthenticated:
        pass


async def test_disabled_account_is_refused_at_once(demo_url, app_client) -> None:
    """Without kept actors the account is read on every request: the very next one fails.
    (With them, once the change is notified: tests/test_identity_cache.py.)"""
    async with app_client(demo_url, identity_cache_seconds=0) as client:
        token = await client.login("ts-511504100")
        assert (await client.gql(ME))["data"]["me"]["username"] == "ts-511504100"
        disable = "UPDATE account SET is_active = :on WHERE username = 'ts-511504100'"
        try:
            await sql_execute(demo_url, disable, on=False)
            response = await client.http.post(
                "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401
            assert "disabled" in response.json()["errors"][0]["message"]
        finally:
            await sql_execute(demo_url, disable, on=True)


async def test_connections_closed_by_the_server_are_replaced(db_url, app_client) -> None:
    """No pre-ping: a pooled connection whose backend is gone is noticed at checkout."""
    import asyncio

    from tests.test_cli import run_cli

    run_cli(
        ["user", "add", "li", "--role", "admin", "--password-stdin"],
        db_url,
        stdin="pool-pass-12345678\n",
    )
    async with app_client(db_url) as client:  # its own database: only this app's connections
        await client.login("li", "pool-pass-12345678")
        assert (await client.gql(ME))["data"]["me"] is not None
        killed = await sql_scalar(
            db_url,
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND application_name = 'gridgov'",
        )
        assert killed >= 1
        await asyncio.sleep(0.2)  # the server closes the sockets; the loop reads it
        for _ in range(3):
            result = await client.gql(ME)
            assert "errors" not in result and result["data"]["me"] is not None, result
