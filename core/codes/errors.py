"""Errors shared by the code parsers in :mod:`core.codes`."""

from __future__ import annotations

__all__ = ["InvalidCode"]


class InvalidCode(ValueError):
    """A code (identity number, division code, grid code, ...) is malformed.

    It is a :class:`ValueError`, so callers that already handle bad input generically keep
    working. The message says what is wrong in plain words; ``value`` keeps the rejected input
    (callers must not log it verbatim when it may be personal data such as an identity number).
    """

    def __init__(self, message: str, *, value: object = None) -> None:
        super().__init__(message)
        self.value = value
