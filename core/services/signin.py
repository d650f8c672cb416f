"""Signing in that resists guessing (OWASP ASVS V2.2), and sessions that end.

Every attempt is written to ``login_attempt`` (append-only): the username as given, the
account if there is one, the address, the outcome. Before a password is checked, the
recent failures decide whether it may be:

- of the **username** (known or not: an unknown name is throttled like a real one, so
  throttling tells nothing), counted since the later of ``login_window_seconds`` ago, its
  last success and its last password change: the first ``login_free_failures`` are
  answered at once; after that each attempt must come 1, 2, 4… seconds after the last
  failure, and from ``login_lock_failures`` on the account is locked for
  ``login_lock_seconds`` after the last failure (short on purpose; a password reset lifts
  it at once);
- of the **address** (any usernames), in the window: after ``login_address_free_failures``
  the same growing delays.

An attempt that comes too early is refused with RATE_LIMITED and ``retryAfter`` without
checking the password, and does not count as a failure. An unknown user and a wrong
password get the same answer in the same time (a dummy hash is verified); so does the right
password of a disabled account.

A successful sign-in opens a session (``account_session``) whose id the token carries;
ending a session (logout, a password change or reset, disabling) invalidates its token on
every process at once (see migration 0010).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth import hash_password, needs_rehash, verify_password
from core.database.identity import mark_identity_changed
from core.models import Account
from core.models.signin import AccountSession, LoginAttempt, Outcome, SessionEnd

MAX_USERNAME = 63

_FAILURES = text(
    """
    WITH recent AS (
      SELECT at, username, address, outcome FROM login_attempt
      WHERE at > CAST(:since AS timestamptz) AND (username = :username OR address = :address)
    ), fresh AS (
      SELECT greatest(
        CAST(:since AS timestamptz),
        (SELECT max(at) FROM recent WHERE username = :username AND outcome = 'success'),
        CAST(:changed AS timestamptz)
      ) AS after
    )
    SELECT
      count(*) FILTER (WHERE username = :username AND outcome = 'failed'
                       AND at > (SELECT after FROM fresh)) AS user_failures,
      max(at) FILTER (WHERE username = :username AND outcome = 'failed'
                      AND at > (SELECT after FROM fresh)) AS user_last,
      count(*) FILTER (WHERE address = :address AND outcome = 'failed') AS address_failures,
      max(at) FILTER (WHERE address = :address AND outcome = 'failed') AS address_last,
      clock_timestamp() AS now
    FROM recent
    """
)


@dataclass(frozen=True, slots=True)
class Policy:
    """The throttling settings (see ``core.settings.Settings``)."""

    window_seconds: int
    free_failures: int
    lock_failures: int
    lock_seconds: int
    address_free_failures: int

    @classmethod
    def of(cls, settings: Any) -> Policy:
        return cls(
            window_seconds=settings.login_window_seconds,
            free_failures=settings.login_free_failures,
            lock_failures=settings.login_lock_failures,
            lock_seconds=settings.login_lock_seconds,
            address_free_failures=settings.login_address_free_failures,
        )

    def delay(self, failures: int, free: int) -> float:
        """Seconds an attempt must wait after the last of ``failures`` failures."""
        if failures < free:
            return 0.0
        return float(min(2 ** (failures - free), self.lock_seconds))

    def user_wait(self, failures: int) -> float:
        if failures >= self.lock_failures:
            return float(self.lock_seconds)
        return self.delay(failures, self.free_failures)


@dataclass(frozen=True, slots=True)
class SignIn:
    """What an attempt came to: ``account`` and ``session_id`` on success,
    ``retry_after`` seconds when it was throttled."""

    outcome: Outcome
    account: Account | None = None
    session_id: int | None = None
    expires_at: datetime | None = None
    retry_after: int = 0


def normalised(username: str) -> str:
    return username.strip().lower()[:MAX_USERNAME]


async def wait_before(
    session: AsyncSession,
    policy: Policy,
    username: str,
    address: str,
    changed: datetime | None,
) -> float:
    """Seconds until an attempt for ``username`` from ``address`` is heard (0: now)."""
    now = datetime.now(UTC)
    since = now - timedelta(seconds=policy.window_seconds)
    row = (
        await session.execute(
            _FAILURES,
            {"since": since, "username": username, "address": address, "changed": changed},
        )
    ).one()
    waits = [0.0]
    if row.user_last is not None:
        ready = row.user_last + timedelta(seconds=policy.user_wait(row.user_failures))
        waits.append((ready - row.now).total_seconds())
    if row.address_last is not None:
        delay = policy.delay(row.address_failures, policy.address_free_failures)
        waits.append((row.address_last + timedelta(seconds=delay) - row.now).total_seconds())
    return max(waits)


async def sign_in(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    address: str,
    user_agent: str | None,
    policy: Policy,
    ttl_seconds: int,
) -> SignIn:
    """One attempt, written down (the caller commits, whatever the outcome)."""
    name = normalised(username)
    account = await session.scalar(select(Account).where(Account.username == name))
    changed = account.password_changed_at if account is not None else None
    wait = await wait_before(session, policy, name, address, changed)
    account_id = account.id if account is not None else None
    if wait > 0:
        await _attempt(session, name, account_id, address, Outcome.THROTTLED)
        return SignIn(Outcome.THROTTLED, retry_after=max(1, math.ceil(wait)))
    ok = verify_password(account.password_hash if account else None, password)
    if account is None or not ok:
        await _attempt(session, name, account_id, address, Outcome.FAILED)
        return SignIn(Outcome.FAILED)
    if not account.is_active:
        await _attempt(session, name, account_id, address, Outcome.DISABLED)
        return SignIn(Outcome.DISABLED)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    await _attempt(session, name, account.id, address, Outcome.SUCCESS)
    return await open_session(
        session, account, address=address, user_agent=user_agent, ttl_seconds=ttl_seconds
    )


async def open_session(
    session: AsyncSession,
    account: Account,
    *,
    address: str,
    user_agent: str | None,
    ttl_seconds: int,
) -> SignIn:
    """A new session of ``account`` (its password was just proven)."""
    now = datetime.now(UTC)
    account.last_login_at = now
    expires = now + timedelta(seconds=ttl_seconds)
    session_id = await session.scalar(
        insert(AccountSession)
        .values(
            account_id=account.id,
            expires_at=expires,
            address=address[:45],
            user_agent=(user_agent or "")[:200] or None,
        )
        .returning(AccountSession.id)
    )
    return SignIn(Outcome.SUCCESS, account=account, session_id=session_id, expires_at=expires)


async def _attempt(
    session: AsyncSession, username: str, account_id: int | None, address: str, outcome: Outcome
) -> None:
    await session.execute(
        insert(LoginAttempt).values(
            username=username, account_id=account_id, address=address[:45], outcome=outcome.value
        )
    )


async def end_sessions(
    session: AsyncSession,
    account_id: int,
    reason: SessionEnd,
    *,
    only: int | None = None,
    keep: int | None = None,
) -> int:
    """End the account's open sessions (``only`` one, or all but ``keep``); how many."""
    stmt = (
        update(AccountSession)
        .where(AccountSession.account_id == account_id, AccountSession.ended_at.is_(None))
        .values(ended_at=text("clock_timestamp()"), end_reason=reason.value)
    )
    if only is not None:
        stmt = stmt.where(AccountSession.id == only)
    if keep is not None:
        stmt = stmt.where(AccountSession.id != keep)
    result: Any = await session.execute(stmt)
    mark_identity_changed(session)  # this process forgets the sessions at commit
    return int(result.rowcount or 0)


async def open_sessions(session: AsyncSession, account_id: int) -> list[Any]:
    """The account's sessions not ended and not expired, newest first."""
    stmt = (
        select(AccountSession)
        .where(
            AccountSession.account_id == account_id,
            AccountSession.ended_at.is_(None),
            AccountSession.expires_at > text("now()"),
        )
        .order_by(AccountSession.id.desc())
    )
    return list((await session.scalars(stmt)).all())
