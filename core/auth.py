"""Password hashing (argon2) and signed, expiring bearer tokens (JWT, HS256)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import Unauthenticated

_ISSUER = "gridgov"
_hasher = PasswordHasher()  # stateless and thread-safe: parameters only
# A hash of a random string, verified against when the username is unknown so that the
# answer takes as long as for a known user (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("gridgov-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True, slots=True)
class TokenClaims:
    account_id: int
    role: str
    expires_at: int
    #: the sign-in session the token belongs to (ended: the token is refused)
    session_id: int


def issue_token(
    *,
    account_id: int,
    role: str,
    key: str,
    ttl_seconds: int,
    session_id: int,
    expires: int | None = None,
) -> tuple[str, int]:
    now = int(time.time())
    exp = expires if expires is not None else now + ttl_seconds
    payload = {
        "sub": str(account_id),
        "sid": session_id,
        "role": role,
        "iat": now,
        "exp": exp,
        "iss": _ISSUER,
    }
    return jwt.encode(payload, key, algorithm="HS256"), exp


def decode_token(token: str, *, key: str) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            issuer=_ISSUER,
            options={"require": ["sub", "sid", "exp", "iat", "iss"]},
        )
        return TokenClaims(
            int(payload["sub"]),
            str(payload.get("role", "")),
            int(payload["exp"]),
            int(payload["sid"]),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired; log in again") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthenticated("the token is not valid") from exc


class TokenVerifier:
    """Verifies bearer tokens for one app, remembering the claims of recent valid ones.

    Verifying a token (PyJWT: parse, HMAC, claim checks) costs about as much as the rest of a
    small request; a client sends the same token with every request. A token's signature and
    claims never change, so a valid token's claims are kept (at most ``size``, least recently
    used dropped) and only its expiry is checked again on each use. Invalid tokens are not
    kept: each is verified (and refused) again.
    """

    def __init__(self, key: Callable[[], str], size: int = 10_000) -> None:
        self._key = key
        self._size = size
        self._known: OrderedDict[str, TokenClaims] = OrderedDict()

    def verify(self, token: str) -> TokenClaims:
        claims = self._known.get(token)
        if claims is None:
            claims = decode_token(token, key=self._key())
            self._known[token] = claims
            if len(self._known) > self._size:
                self._known.popitem(last=False)
        elif claims.expires_at <= time.time():
            del self._known[token]
            raise Unauthenticated("the token has expired; log in again")
        else:
            self._known.move_to_end(token)
        return claims

    def __len__(self) -> int:
        return len(self._known)
