from __future__ import annotations

from datetime import date

import pytest

from core.codes.errors import InvalidCode
from core.codes.identity import (
    IdentityNumber,
    check_address_code,
    check_character,
    make_identity_number,
    mask_identity_number,
    parse_identity_number,
)

TODAY = date(2024, 6, 1)
CLASSIC = "11010519491231002X"  # GB 11643 worked example: 北京市朝阳区, 1949-12-31, female
# Hand-computed: weighted sum of 51150419850317123 is 263, 263 % 11 = 10 -> "2".
XUZHOU_MALE = "511504198503171232"


def test_invalid_code_is_value_error() -> None:
    assert issubclass(InvalidCode, ValueError)


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),  # weighted sum 167, 167 % 11 = 2 -> X
        ("44052418800101001", "4"),  # the other textbook example
        ("51150419850317123", "2"),
        ("00000000000000000", "1"),  # sum 0 -> "1"
    ],
)
def test_check_character(first17: str, expected: str) -> None:
    assert check_character(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100X", ""])
def test_check_character_rejects_non_17_digits(bad: str) -> None:
    with pytest.raises(InvalidCode, match="17 digits"):
        check_character(bad)


def test_parse_classic_example() -> None:
    parsed = parse_identity_number(CLASSIC, today=TODAY)
    assert parsed == IdentityNumber(
        value=CLASSIC,
        address_code="110105",
        birth_date=date(1949, 12, 31),
        sequence="002",
        gender="female",
    )


def test_parse_male_example() -> None:
    parsed = parse_identity_number(XUZHOU_MALE, today=TODAY)
    assert parsed.address_code == "511504"
    assert parsed.birth_date == date(1985, 3, 17)
    assert parsed.sequence == "123"
    assert parsed.gender == "male"


@pytest.mark.parametrize(
    "raw",
    ["11010519491231002x", " 11010519491231002X ", "110105 19491231 002x", "110105\t19491231002X"],
)
def test_parse_normalises_spaces_and_lowercase_x(raw: str) -> None:
    assert parse_identity_number(raw, today=TODAY).value == CLASSIC


def test_parse_defaults_today_to_real_today() -> None:
    assert parse_identity_number(CLASSIC).birth_date == date(1949, 12, 31)


def test_repr_does_not_leak_the_number() -> None:
    text = repr(parse_identity_number(CLASSIC, today=TODAY))
    assert CLASSIC not in text
    assert "110105********002X" in text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "18 characters, got 0"),
        ("11010519491231002", "18 characters, got 17"),
        ("11010519491231002X1", "18 characters, got 19"),
        ("1101051949123100AX", "first 17 characters .* digits"),
        ("１１０１０５１９４９１２３１００２Ｘ", "first 17 characters .* digits"),  # fullwidth
        ("11010519491231002Y", "last character .* digit or X"),
        ("01010519491231002X", "address code must not start with 0"),
        ("110105194913310021", "19491331 .* not a real date"),
        ("110105190002290021", "19000229 .* not a real date"),  # 1900 was not a leap year
        ("110105000001010021", "00000101 .* not a real date"),
    ],
)
def test_parse_rejects_malformed(raw: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        parse_identity_number(raw, today=TODAY)


def test_parse_rejects_non_string() -> None:
    with pytest.raises(InvalidCode, match="must be a string"):
        parse_identity_number(11010519491231002, today=TODAY)  # type: ignore[arg-type]


def test_parse_rejects_birth_before_1900() -> None:
    # Check character is right ("4"), but 1880 is before the accepted range.
    with pytest.raises(InvalidCode, match=r"1880-01-01 .* before 1900-01-01"):
        parse_identity_number("440524188001010014", today=TODAY)


def test_parse_accepts_first_and_last_allowed_birth_dates() -> None:
    first = make_identity_number("511504", date(1900, 1, 1), 0, "male")
    assert parse_identity_number(first, today=TODAY).birth_date == date(1900, 1, 1)
    born_today = make_identity_number("511504", TODAY, 0, "male")
    assert parse_identity_number(born_today, today=TODAY).birth_date == TODAY


def test_parse_rejects_future_birth_date() -> None:
    tomorrow = make_identity_number("511504", date(2024, 6, 2), 0, "male")
    with pytest.raises(InvalidCode, match=r"2024-06-02 .* in the future"):
        parse_identity_number(tomorrow, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "given", "expected"),
    [
        ("110105194912310021", "1", "X"),
        ("511504198503171230", "0", "2"),
        ("51150419850317123X", "X", "2"),
    ],
)
def test_parse_rejects_wrong_check_character(raw: str, given: str, expected: str) -> None:
    with pytest.raises(InvalidCode, match=f"is '{given}' but should be '{expected}'"):
        parse_identity_number(raw, today=TODAY)


def test_round_trip_and_gender_parity() -> None:
    birth = date(2000, 2, 29)
    for sequence in (0, 1, 17, 250, 499):
        for gender in ("male", "female"):
            value = make_identity_number("511504", birth, sequence, gender)
            assert len(value) == 18
            parsed = parse_identity_number(value, today=TODAY)
            assert parsed.value == value
            assert parsed.address_code == "511504"
            assert parsed.birth_date == birth
            assert parsed.gender == gender
            assert int(parsed.sequence) == 2 * sequence + (1 if gender == "male" else 0)
            assert int(parsed.sequence[-1]) % 2 == (1 if gender == "male" else 0)


def test_make_worked_examples() -> None:
    assert make_identity_number("511504", date(1985, 3, 17), 61, "male") == XUZHOU_MALE
    assert make_identity_number("110105", date(1949, 12, 31), 1, "female") == CLASSIC
    assert make_identity_number("511504", date(2000, 2, 29), 499, "male") == "511504200002299991"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("51150", date(1990, 1, 1), 0, "male"), "6 digits"),
        (("51150a", date(1990, 1, 1), 0, "male"), "6 digits"),
        (("011504", date(1990, 1, 1), 0, "male"), "must not start with 0"),
        (("511504", date(1899, 12, 31), 0, "male"), "before 1900-01-01"),
        (("511504", "1990-01-01", 0, "male"), "datetime.date"),
        (("511504", date(1990, 1, 1), -1, "male"), "0..499"),
        (("511504", date(1990, 1, 1), 500, "male"), "0..499"),
        (("511504", date(1990, 1, 1), True, "male"), "0..499"),
        (("511504", date(1990, 1, 1), 0, "m"), "'male' or 'female'"),
    ],
)
def test_make_rejects_bad_arguments(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        make_identity_number(*args)  # type: ignore[arg-type]


def test_check_address_code() -> None:
    assert check_address_code("511504") == "511504"
    for bad in ("", "5115041", "０１１５０４", "011504"):
        with pytest.raises(InvalidCode):
            check_address_code(bad)


def test_mask() -> None:
    assert mask_identity_number("511504198503171234") == "511504********1234"
    assert mask_identity_number(CLASSIC) == "110105********002X"
    assert mask_identity_number(" 11010519491231002x") == "110105********002X"
    # Masking does not verify the check character (legacy stored data) ...
    assert mask_identity_number("110105194912310021") == "110105********0021"


@pytest.mark.parametrize("bad", ["", "1234", "11010519491231002XX", "1101051949123100AX"])
def test_mask_refuses_what_it_cannot_mask(bad: str) -> None:
    # ... but never returns something partly unmasked.
    with pytest.raises(InvalidCode, match="cannot mask"):
        mask_identity_number(bad)
