"""Signing in and out: ``login`` (throttled, audited; a token naming a new session),
``logout``, ``logoutEverywhere``, ``endMySession``, ``changeMyPassword``."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from core.auth import issue_token, verify_password
from core.errors import BadInput, NotFound, Throttled, Unauthenticated
from core.models import Account
from core.models.signin import Outcome, SessionEnd
from core.services.accounts import set_password
from core.services.signin import Policy, SignIn, end_sessions, open_session, sign_in
from schema.account.types import LoginPayload
from schema.ids import parse_id

WRONG = "wrong username or password"


def _client(info: Info) -> tuple[str, str | None]:
    request = info.context.request
    address = request.client.host if request is not None and request.client else "-"
    agent = request.headers.get("user-agent") if request is not None else None
    return address, agent


def _payload(info: Info, signed: SignIn) -> LoginPayload:
    account, expires = signed.account, signed.expires_at
    assert account is not None and signed.session_id is not None and expires is not None
    token, exp = issue_token(
        account_id=account.id,
        role=account.role,
        key=info.context.settings.signing_key(),
        ttl_seconds=info.context.settings.token_ttl_seconds,
        session_id=signed.session_id,
        expires=int(expires.timestamp()),
    )
    return LoginPayload(token=token, expires_at=datetime.fromtimestamp(exp, UTC), account=account)


def _signed_in(info: Info) -> int:
    actor = info.context.actor
    if actor.account_id is None or actor.session_id is None:
        raise Unauthenticated("log in first")
    return actor.account_id


@strawberry.type
class LoginMutation:
    @strawberry.mutation(
        description="Exchange a username and password for a bearer token (a new session). "
        "Too many recent failures for the username or from the address: RATE_LIMITED with "
        "retryAfter seconds, the password unchecked."
    )
    async def login(self, info: Info, username: str, password: str) -> LoginPayload:
        ctx = info.context
        address, agent = _client(info)
        async with ctx.transaction() as session:  # the attempt is kept whatever comes of it
            signed = await sign_in(
                session,
                username=username,
                password=password,
                address=address,
                user_agent=agent,
                policy=Policy.of(ctx.settings),
                ttl_seconds=ctx.settings.token_ttl_seconds,
            )
        if signed.outcome is Outcome.THROTTLED:
            raise Throttled(
                f"too many failed sign-ins; try again in {signed.retry_after} s",
                retry_after=signed.retry_after,
            )
        if signed.outcome is not Outcome.SUCCESS:
            raise Unauthenticated(WRONG)
        return _payload(info, signed)

    @strawberry.mutation(description="End this token's session: the token stops working.")
    async def logout(self, info: Info) -> bool:
        account_id = _signed_in(info)
        async with info.context.transaction() as session:
            await end_sessions(
                session, account_id, SessionEnd.LOGOUT, only=info.context.actor.session_id
            )
        return True

    @strawberry.mutation(
        description="End every session of your account, this one too: every token of yours "
        "stops working, on every device. The number of sessions ended."
    )
    async def logout_everywhere(self, info: Info) -> int:
        account_id = _signed_in(info)
        async with info.context.transaction() as session:
            return await end_sessions(session, account_id, SessionEnd.LOGOUT_EVERYWHERE)

    @strawberry.mutation(description="End one of your sessions (see mySessions).")
    async def end_my_session(self, info: Info, id: strawberry.ID) -> bool:
        account_id = _signed_in(info)
        async with info.context.transaction() as session:
            ended = await end_sessions(
                session, account_id, SessionEnd.ENDED_BY_OWNER, only=parse_id(id)
            )
        if not ended:
            raise NotFound(f"you have no open session {id}", argument="id")
        return True

    @strawberry.mutation(
        description="Change your password (the current one required). Every session of "
        "yours ends, this one too; the answer is a new token."
    )
    async def change_my_password(
        self, info: Info, current_password: str, new_password: str
    ) -> LoginPayload:
        account_id = _signed_in(info)
        ctx = info.context
        address, agent = _client(info)
        async with ctx.transaction() as session:
            account = await session.scalar(
                select(Account).where(Account.id == account_id).with_for_update()
            )
            if account is None or not verify_password(account.password_hash, current_password):
                raise BadInput("the current password is not right", argument="currentPassword")
            await set_password(
                session,
                account,
                new_password,
                min_length=ctx.settings.password_min_length,
                reason=SessionEnd.PASSWORD_CHANGED,
                argument="newPassword",
            )
            signed = await open_session(
                session,
                account,
                address=address,
                user_agent=agent,
                ttl_seconds=ctx.settings.token_ttl_seconds,
            )
        return _payload(info, signed)
