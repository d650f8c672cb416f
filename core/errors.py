"""Domain errors. The GraphQL layer turns each into an error with ``extensions.code``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a client may see; ``code`` is stable, the message is for people."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadInput(DomainError):
    code = "BAD_USER_INPUT"


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"


class Forbidden(DomainError):
    code = "FORBIDDEN"


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    code = "CONFLICT"


class Unavailable(DomainError):
    """The server cannot do it now (its disk is full, a service is away): try again later."""

    code = "SERVICE_UNAVAILABLE"


class Throttled(DomainError):
    """Too many attempts: refused without looking; ``retry_after`` seconds until the next
    one is heard."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after
