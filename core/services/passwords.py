"""What a new password must be (OWASP ASVS V2.1): at least ``password_min_length``
characters (12 by default; spaces and any script count), at most 1024, not one of the
common passwords shipped in ``core/data/common-passwords.txt``, not the username."""

from __future__ import annotations

import functools
from pathlib import Path

from core.errors import BadInput

COMMON = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
MAX_PASSWORD = 1024


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list (lower case), read once."""
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def check_new_password(
    password: str, *, min_length: int, username: str | None = None, argument: str = "password"
) -> None:
    """BAD_USER_INPUT naming ``argument`` unless ``password`` may be set."""
    if len(password) < min_length:
        raise BadInput(
            f"the password must have at least {min_length} characters", argument=argument
        )
    if len(password) > MAX_PASSWORD:
        raise BadInput(
            f"the password must have at most {MAX_PASSWORD} characters", argument=argument
        )
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) < 3:
        raise BadInput("this password is too common; choose another", argument=argument)
    if username and username.lower() in folded:
        raise BadInput("the password must not contain the username", argument=argument)
