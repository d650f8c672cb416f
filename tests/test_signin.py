"""Sign-in that resists guessing, and sessions that end.

Throttling: failures of a username (from any address) and of an address (any usernames)
make later attempts wait, refused with RATE_LIMITED before the password is checked; the
right password works once the wait is over. Sessions: each login is one; logout, "log out
everywhere", a password change end them and their tokens at once — and the live
subscriptions of an ended session close with 4403 on another server process too."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets

from tests.fixtures import DEMO_PASSWORD, sql_execute, sql_rows
from tests.live import Subscriber, live_server
from tests.test_records import demo_copy

LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  token account { username } } }"""
ME = "{ me { username } }"
SESSIONS = "{ mySessions { id current address userAgent } }"
THROTTLING = {
    "login_free_failures": 3,
    "login_lock_failures": 3,
    "login_lock_seconds": 4,
    "login_address_free_failures": 1000,
    "rate_limit_per_minute": 0,
}


@asynccontextmanager
async def from_address(client: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the same app whose requests come from ``address``."""
    transport = httpx.ASGITransport(app=client.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def login(http: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    return (
        await http.post(
            "/graphql", json={"query": LOGIN, "variables": {"u": username, "p": password}}
        )
    ).json()


def code(answer: dict[str, Any]) -> str | None:
    errors = answer.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


async def gql(http: httpx.AsyncClient, token: str, query: str) -> httpx.Response:
    return await http.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


async def outcomes(url: str, username: str) -> list[str]:
    rows = await sql_rows(
        url, "SELECT outcome FROM login_attempt WHERE username = :u ORDER BY id", u=username
    )
    return [r[0] for r in rows]


async def test_twenty_wrong_passwords_wait_and_then_the_right_one_works(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url, **THROTTLING) as client, from_address(client, "10.0.0.1") as http:
        answers = [await login(http, "admin", f"guess-number-{i}") for i in range(20)]
        codes = [code(a) for a in answers]
        # the first three are checked; then each one comes too early and is refused unchecked
        assert codes[:3] == ["UNAUTHENTICATED"] * 3
        assert set(codes[3:]) == {"RATE_LIMITED"}, codes
        assert all(a["errors"][0]["extensions"]["retryAfter"] >= 1 for a in answers[3:])
        # even the right password is refused while the wait lasts: nothing was checked
        early = await login(http, "admin", DEMO_PASSWORD)
        assert code(early) == "RATE_LIMITED"
        assert await outcomes(url, "admin") == ["failed"] * 3 + ["throttled"] * 18
        await asyncio.sleep(early["errors"][0]["extensions"]["retryAfter"] + 0.2)
        right = await login(http, "admin", DEMO_PASSWORD)
        assert "errors" not in right, right
        # a success forgets the failures: a wrong password is answered as such again
        assert code(await login(http, "admin", "wrong-again-123")) == "UNAUTHENTICATED"
        attempts = await sql_rows(
            url,
            "SELECT count(*), count(DISTINCT address), count(account_id) FROM login_attempt "
            "WHERE username = 'admin'",
        )
        assert attempts == [(23, 1, 23)]


async def test_throttling_follows_the_account_across_addresses_and_the_address_across_names(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    settings = {**THROTTLING, "login_address_free_failures": 4, "login_lock_seconds": 60}
    async with (
        app_client(url, **settings) as client,
        from_address(client, "10.0.0.1") as first,
        from_address(client, "10.0.0.2") as second,
        from_address(client, "10.0.0.3") as third,
    ):
        for i in range(3):
            assert code(await login(first, "command", f"wrong-password-{i}")) == "UNAUTHENTICATED"
        # another address, the right password: the account waits all the same
        assert code(await login(second, "command", DEMO_PASSWORD)) == "RATE_LIMITED"
        # an unknown username is throttled exactly like a real one (tells nothing)
        for i in range(3):
            assert code(await login(third, "nobody-here", f"wrong-password-{i}")) == (
                "UNAUTHENTICATED"
            )
        unknown = await login(third, "nobody-here", "wrong-password-x")
        assert code(unknown) == "RATE_LIMITED"
        # the first address has failed with two names four times in all: it waits for any
        assert code(await login(first, "nobody-else", "x" * 12)) == "UNAUTHENTICATED"
        assert code(await login(first, "citizen", DEMO_PASSWORD)) == "RATE_LIMITED"
        # other addresses and accounts are not held up
        assert "errors" not in await login(second, "citizen", DEMO_PASSWORD)


async def test_unknown_user_and_wrong_password_look_the_same(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url, rate_limit_per_minute=0) as client:
        http = client.http
        await login(http, "citizen", "warm-up-the-hasher")
        started = time.perf_counter()
        wrong = await login(http, "citizen", "not-the-password")
        known = time.perf_counter() - started
        started = time.perf_counter()
        unknown = await login(http, "no-such-person", "not-the-password")
        missing = time.perf_counter() - started
        assert wrong["errors"][0]["message"] == unknown["errors"][0]["message"]
        assert code(wrong) == code(unknown) == "UNAUTHENTICATED"
        assert missing > known / 3  # an unknown name is not answered without hashing
        # a disabled account's right password: the same answer
        await sql_execute(url, "UPDATE account SET is_active = false WHERE username = 'citizen'")
        disabled = await login(http, "citizen", DEMO_PASSWORD)
        assert disabled["errors"][0]["message"] == wrong["errors"][0]["message"]
        assert (await outcomes(url, "citizen"))[-1] == "disabled"


async def test_sessions_end_with_logout_and_a_password_change(
    pg_server, template_db, app_client
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with app_client(url, rate_limit_per_minute=0) as client:
        http = client.http
        phone = (await login(http, "citizen", DEMO_PASSWORD))["data"]["login"]["token"]
        laptop = (await login(http, "citizen", DEMO_PASSWORD))["data"]["login"]["token"]
        seen = (await gql(http, laptop, SESSIONS)).json()["data"]["mySessions"]
        assert len(seen) == 2 and [s["current"] for s in seen] == [True, False]
        # logout ends this token only
        assert (await gql(http, phone, "mutation { logout }")).json()["data"]["logout"] is True
        assert (await gql(http, phone, ME)).status_code == 401
        assert (await gql(http, laptop, ME)).json()["data"]["me"]["username"] == "citizen"
        # a password change: the current one is required, the new one checked, nothing
        # changes on a refusal
        change = (
            "mutation($c: String!, $n: String!) { changeMyPassword(currentPassword: $c, "
            "newPassword: $n) { token } }"
        )

        async def changed(current: str, new: str) -> dict[str, Any]:
            response = await http.post(
                "/graphql",
                json={"query": change, "variables": {"c": current, "n": new}},
                headers={"Authorization": f"Bearer {laptop}"},
            )
            return response.json()

        wrong = await changed("not-my-password", "Plenty-long-new-1")
        assert wrong["errors"][0]["extensions"] == {
            "code": "BAD_USER_INPUT",
            "argument": "currentPassword",
        }
        for weak in ("short-1", "password1234", "aaaaaaaaaaaaaaaa", "my-citizen-password"):
            refused = await changed(DEMO_PASSWORD, weak)
            assert refused["errors"][0]["extensions"]["argument"] == "newPassword", weak
        assert (await gql(http, laptop, ME)).status_code == 200
        fresh = (await changed(DEMO_PASSWORD, "Plenty-long-new-1"))["data"]["changeMyPassword"]
        assert (await gql(http, laptop, ME)).status_code == 401  # every earlier token ends
        assert (await gql(http, fresh["token"], ME)).json()["data"]["me"]["username"] == "citizen"
        assert code(await login(http, "citizen", DEMO_PASSWORD)) == "UNAUTHENTICATED"
        assert "errors" not in await login(http, "citizen", "Plenty-long-new-1")
        # log out everywhere: every token of the account
        everywhere = await gql(http, fresh["token"], "mutation { logoutEverywhere }")
        assert everywhere.json()["data"]["logoutEverywhere"] == 2
        assert (await gql(http, fresh["token"], ME)).status_code == 401
        reasons = await sql_rows(
            url,
            "SELECT end_reason, count(*) FROM account_session s JOIN account a "
            "ON a.id = s.account_id WHERE a.username = 'citizen' GROUP BY 1 ORDER BY 1",
        )
        assert reasons == [
            ("logout", 1),
            ("logout_everywhere", 2),
            ("password_changed", 1),
        ]


async def test_an_ended_session_closes_its_subscriptions_on_another_process(
    pg_server, template_db, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with (
        live_server(url, tmp_path / "a") as server_a,
        live_server(url, tmp_path / "b") as server_b,
        httpx.AsyncClient(base_url=server_b) as http,
    ):
        token = (await login(http, "command", DEMO_PASSWORD))["data"]["login"]["token"]
        other = (await login(http, "command", DEMO_PASSWORD))["data"]["login"]["token"]
        async with Subscriber(server_a, token) as watching, Subscriber(server_a, other) as kept:
            await watching.subscribe("tasks", "subscription { myNewTasks { id } }")
            await kept.subscribe("tasks", "subscription { myNewTasks { id } }")
            await asyncio.sleep(0.3)
            # the session ends through server B; server A closes its WebSocket
            assert (await gql(http, token, "mutation { logout }")).status_code == 200
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await watching.next(wait=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
            # the other session's socket stays open
            await kept.ws.ping()
        assert (await gql(http, token, ME)).status_code == 401
        async with httpx.AsyncClient(base_url=server_a) as http_a:
            assert (await gql(http_a, token, ME)).status_code == 401
            assert (await gql(http_a, other, ME)).status_code == 200
        # a new WebSocket with the ended session's token is refused
        with pytest.raises((websockets.ConnectionClosed, AssertionError)):
            async with Subscriber(server_a, token):
                pass


async def test_disabling_an_account_ends_its_requests_and_subscriptions_everywhere(
    pg_server, template_db, tmp_path
) -> None:
    url = await demo_copy(pg_server, template_db)
    async with (
        live_server(url, tmp_path / "a") as server_a,
        live_server(url, tmp_path / "b") as server_b,
        httpx.AsyncClient(base_url=server_a) as http_a,
        httpx.AsyncClient(base_url=server_b) as http_b,
    ):
        token = (await login(http_a, "citizen", DEMO_PASSWORD))["data"]["login"]["token"]
        admin = (await login(http_b, "admin", DEMO_PASSWORD))["data"]["login"]["token"]
        citizen_id = (await sql_rows(url, "SELECT id FROM account WHERE username = 'citizen'"))[0][
            0
        ]
        assert (await gql(http_a, token, ME)).status_code == 200  # known to server A now
        async with Subscriber(server_a, token) as watching:
            await watching.subscribe("mine", "subscription { myNewTasks { id } }")
            await asyncio.sleep(0.3)
            disabled = await http_b.post(
                "/graphql",
                json={
                    "query": 'mutation($id: ID!) { disableAccount(id: $id, reason: "离职") '
                    "{ active } }",
                    "variables": {"id": str(citizen_id)},
                },
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert disabled.json()["data"]["disableAccount"] == {"active": False}, disabled.text
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await watching.next(wait=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        for http in (http_a, http_b):
            refused = await gql(http, token, ME)
            assert refused.status_code == 401
            assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert code(await login(http_a, "citizen", DEMO_PASSWORD)) == "UNAUTHENTICATED"
