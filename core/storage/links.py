"""Signed links to stored files: ``/files/<key>?t=<token>``, for pages that show a photo
with ``<img src>`` (a browser sends no Authorization header there).

A link's token names the account it was made for, the file's key and when it expires
(JWT, HS256, audience ``gridgov:file``: never accepted as a bearer token, nor a bearer
token as a link). Whoever follows a link is served as that account, and only if that
account may still read the file: a link outlives neither the account's access nor its
expiry. Expiry is rounded to the hour ahead, so the same file has the same link for an
hour and the browser's cache keeps it.
"""

from __future__ import annotations

import time

import jwt

AUDIENCE = "gridgov:file"
_ISSUER = "gridgov"
#: a link lives at least this long, at most twice this long (seconds)
WINDOW_SECONDS = 3600


def link_token(*, key: str, account_id: int, secret: str, now: float | None = None) -> str:
    """The token of a link to ``key`` for ``account_id``, valid 1–2 hours from ``now``."""
    now = time.time() if now is None else now
    expires = (int(now) // WINDOW_SECONDS + 2) * WINDOW_SECONDS
    payload = {"sub": str(account_id), "key": key, "exp": expires, "aud": AUDIENCE, "iss": _ISSUER}
    return jwt.encode(payload, secret, algorithm="HS256")


def link_account(token: str, *, key: str, secret: str) -> int | None:
    """The account a valid, unexpired link to ``key`` was made for; None for any other."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=_ISSUER,
            options={"require": ["sub", "exp", "aud", "iss"]},
        )
        if payload.get("key") != key:
            return None
        return int(payload["sub"])
    except (jwt.InvalidTokenError, ValueError):
        return None
