"""GB 11643-1999 citizen identity numbers (公民身份号码).

An identity number has 18 characters::

    511504 19850317 123 4
    |      |        |   `- check character, ISO 7064 MOD 11-2 ("0"-"9" or "X")
    |      |        `----- sequence; its last digit is odd for men, even for women
    |      `-------------- birth date, YYYYMMDD
    `--------------------- address code (GB/T 2260 county code at first registration)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from core.codes.errors import InvalidCode

__all__ = [
    "MIN_BIRTH_DATE",
    "Gender",
    "IdentityNumber",
    "InvalidCode",
    "check_address_code",
    "check_character",
    "make_identity_number",
    "mask_identity_number",
    "parse_identity_number",
]

Gender = Literal["male", "female"]

#: Earliest birth date accepted in an identity number.
MIN_BIRTH_DATE = date(1900, 1, 1)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_LENGTH = 18


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone also accepts e.g. fullwidth "１" or superscript "²".
    return text.isascii() and text.isdigit()


@dataclass(frozen=True, slots=True)
class IdentityNumber:
    """A parsed, valid identity number. ``value`` is normalised (no spaces, upper-case X)."""

    value: str
    address_code: str
    birth_date: date
    sequence: str
    gender: Gender

    def __repr__(self) -> str:
        # Identity numbers are personal data: keep them out of logs and tracebacks.
        return f"IdentityNumber(value={mask_identity_number(self.value)!r}, gender={self.gender!r})"


def check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0"-"9" or "X") for 17 digits."""
    if not isinstance(first17, str) or len(first17) != 17 or not _is_ascii_digits(first17):
        raise InvalidCode("the check character is computed from exactly 17 digits", value=first17)
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _normalise(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidCode(
            f"identity number must be a string, got {type(value).__name__}", value=value
        )
    return "".join(value.split()).upper()


def check_address_code(address_code: str) -> str:
    """Return ``address_code`` if it is 6 ASCII digits not starting with 0, else raise.

    Only the shape is checked, not membership in GB/T 2260: numbers issued under codes that
    were later abolished or renamed stay valid for life.
    """
    if (
        not isinstance(address_code, str)
        or len(address_code) != 6
        or not _is_ascii_digits(address_code)
    ):
        raise InvalidCode(
            f"address code must be 6 digits, got {address_code!r}", value=address_code
        )
    if address_code[0] == "0":
        raise InvalidCode(
            f"address code must not start with 0, got {address_code!r}", value=address_code
        )
    return address_code


def parse_identity_number(value: str, *, today: date | None = None) -> IdentityNumber:
    """Validate and decompose an 18-character identity number.

    Spaces anywhere are ignored and a lower-case ``x`` check character is accepted. ``today``
    (default: :meth:`date.today`) bounds the birth date from above.
    """
    text = _normalise(value)
    if len(text) != _LENGTH:
        raise InvalidCode(f"identity number must have 18 characters, got {len(text)}", value=value)
    first17, given_check = text[:17], text[17]
    if not _is_ascii_digits(first17):
        raise InvalidCode(
            "the first 17 characters of an identity number must be digits", value=value
        )
    if not (_is_ascii_digits(given_check) or given_check == "X"):
        raise InvalidCode(
            "the last character of an identity number must be a digit or X", value=value
        )

    address_code = first17[:6]
    check_address_code(address_code)

    birth_text = first17[6:14]
    try:
        birth_date = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise InvalidCode(
            f"birth date {birth_text} in identity number is not a real date", value=value
        ) from None
    if birth_date < MIN_BIRTH_DATE:
        raise InvalidCode(
            f"birth date {birth_date.isoformat()} in identity number is before 1900-01-01",
            value=value,
        )
    today = date.today() if today is None else today
    if birth_date > today:
        raise InvalidCode(
            f"birth date {birth_date.isoformat()} in identity number is in the future",
            value=value,
        )

    expected = check_character(first17)
    if given_check != expected:
        raise InvalidCode(
            f"identity number check character is {given_check!r} but should be {expected!r}",
            value=value,
        )

    sequence = first17[14:17]
    gender: Gender = "male" if int(sequence[-1]) % 2 == 1 else "female"
    return IdentityNumber(
        value=text,
        address_code=address_code,
        birth_date=birth_date,
        sequence=sequence,
        gender=gender,
    )


def make_identity_number(address_code: str, birth_date: date, sequence: int, gender: Gender) -> str:
    """Build a valid identity number.

    ``sequence`` (0..499) picks one of the 500 sequence numbers available to each gender:
    the 3-digit sequence is ``2 * sequence + 1`` for men (odd) and ``2 * sequence`` for women
    (even).
    """
    check_address_code(address_code)
    if not isinstance(birth_date, date):
        raise InvalidCode("birth date must be a datetime.date", value=birth_date)
    if birth_date < MIN_BIRTH_DATE:
        raise InvalidCode(
            f"birth date {birth_date.isoformat()} is before 1900-01-01", value=birth_date
        )
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 <= sequence <= 499:
        raise InvalidCode(f"sequence must be an integer 0..499, got {sequence!r}", value=sequence)
    if gender not in ("male", "female"):
        raise InvalidCode(f"gender must be 'male' or 'female', got {gender!r}", value=gender)
    number = 2 * sequence + (1 if gender == "male" else 0)
    first17 = f"{address_code}{birth_date.strftime('%Y%m%d')}{number:03d}"
    return first17 + check_character(first17)


def mask_identity_number(value: str) -> str:
    """Mask an identity number for display: first 6 + 8 ``*`` + last 4.

    The check character and birth date are not verified (stored data may predate validation),
    but anything that is not 17 digits plus a digit/X raises :class:`InvalidCode` rather than
    being returned partly unmasked.
    """
    text = _normalise(value)
    if (
        len(text) != _LENGTH
        or not _is_ascii_digits(text[:17])
        or not (_is_ascii_digits(text[17]) or text[17] == "X")
    ):
        raise InvalidCode("cannot mask: not an 18-character identity number")
    return f"{text[:6]}{'*' * 8}{text[14:]}"
