from __future__ import annotations

import random
import re
from collections import Counter
from datetime import date

import pytest

from core.codes.errors import InvalidCode
from core.codes.identity import parse_identity_number
from core.demo.people import (
    FLOATING_ADDRESS_CODES,
    MOBILE_PREFIXES,
    SPECIAL_GROUPS,
    SyntheticPerson,
    make_household_size,
    make_person,
)

TODAY = date(2024, 6, 1)
PHONE = re.compile(r"1(3\d|5[0-35-9]|8\d|98|99|66|77)\d{8}")
HAN = re.compile(r"[\u4e00-\u9fff]{2,3}")


def _age(birth: date, today: date = TODAY) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _people(seed: int, n: int, **kwargs: object) -> list[SyntheticPerson]:
    rng = random.Random(seed)
    return [make_person(rng, today=TODAY, **kwargs) for _ in range(n)]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def thousand() -> list[SyntheticPerson]:
    return _people(20240601, 1000)


def test_deterministic_for_a_seed() -> None:
    assert _people(7, 50) == _people(7, 50)
    assert _people(7, 50) != _people(8, 50)


def test_mobile_prefixes() -> None:
    expected = {str(n) for n in [*range(130, 140), 150, 151, 152, 153, *range(155, 160)]}
    expected |= {str(n) for n in range(180, 190)} | {"198", "199", "166", "177"}
    assert set(MOBILE_PREFIXES) == expected
    assert len(MOBILE_PREFIXES) == len(expected)


def test_thousand_people_are_valid_and_plausible(thousand: list[SyntheticPerson]) -> None:
    for person in thousand:
        parsed = parse_identity_number(person.id_number, today=TODAY)
        assert parsed.birth_date == person.birth_date
        assert parsed.gender == person.gender
        assert parsed.address_code == "511504" or parsed.address_code in FLOATING_ADDRESS_CODES
        age = _age(person.birth_date)
        assert 0 <= age <= 95
        assert HAN.fullmatch(person.name), person.name
        if age < 12:
            assert person.phone == ""
        else:
            assert PHONE.fullmatch(person.phone), person.phone


def test_age_pyramid_is_rural(thousand: list[SyntheticPerson]) -> None:
    ages = [_age(p.birth_date) for p in thousand]
    children = sum(a < 15 for a in ages) / len(ages)
    elderly = sum(a >= 60 for a in ages) / len(ages)
    young_adults = sum(20 <= a < 30 for a in ages) / len(ages)
    assert 0.12 < children < 0.25
    assert 0.22 < elderly < 0.40  # Sichuan rural counties: well above the national ~19 %
    assert young_adults < children  # hollowed-out working-age band
    assert max(ages) >= 85
    assert min(ages) <= 2


def test_genders_are_balanced(thousand: list[SyntheticPerson]) -> None:
    males = sum(p.gender == "male" for p in thousand)
    assert 420 < males < 580


def test_floating_population_share(thousand: list[SyntheticPerson]) -> None:
    floating = sum(not p.id_number.startswith("511504") for p in thousand)
    assert 80 < floating < 170  # ≈ 12 %


def test_names_look_chinese(thousand: list[SyntheticPerson]) -> None:
    surnames = Counter(p.name[0] for p in thousand)
    assert len(surnames) >= 40
    top = {s for s, _ in surnames.most_common(5)}
    assert top & set("王李张刘陈")
    lengths = Counter(len(p.name) for p in thousand)
    assert lengths[3] > lengths[2] > 0
    assert set(lengths) <= {2, 3}


def test_unique_id_numbers(thousand: list[SyntheticPerson]) -> None:
    # Collisions are possible in principle (same day, same sequence) but vanishingly rare.
    assert len({p.id_number for p in thousand}) >= 998


def test_custom_address_code() -> None:
    people = _people(3, 300, address_code="510107")
    codes = Counter(p.id_number[:6] for p in people)
    assert codes["510107"] > 200
    assert all(code in FLOATING_ADDRESS_CODES for code in codes)


def test_bad_address_code_is_rejected() -> None:
    with pytest.raises(InvalidCode, match="6 digits"):
        make_person(random.Random(1), address_code="5115", today=TODAY)


def test_leap_day_today() -> None:
    leap_day = date(2024, 2, 29)
    rng = random.Random(11)
    for _ in range(500):
        person = make_person(rng, today=leap_day)
        assert 0 <= _age(person.birth_date, leap_day) <= 95
        assert parse_identity_number(person.id_number, today=leap_day).birth_date <= leap_day


def test_household_size() -> None:
    rng = random.Random(5)
    sizes = [make_household_size(rng) for _ in range(20_000)]
    assert set(sizes) == {1, 2, 3, 4, 5, 6}
    assert 2.45 < sum(sizes) / len(sizes) < 2.75
    rng_a, rng_b = random.Random(9), random.Random(9)
    assert [make_household_size(rng_a) for _ in range(50)] == [
        make_household_size(rng_b) for _ in range(50)
    ]


def test_special_groups() -> None:
    codes = [code for code, _, _ in SPECIAL_GROUPS]
    assert len(codes) == len(set(codes)) == 13
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)
    zh = {name for _, name, _ in SPECIAL_GROUPS}
    assert {
        "刑满释放人员",
        "社区矫正人员",
        "吸毒人员",
        "严重精神障碍患者",
        "艾滋病危险人员",
        "重点青少年",
        "留守儿童",
        "空巢老人",
        "困境儿童",
        "残疾人",
        "低保对象",
        "特困人员",
        "退役军人",
    } == zh
    assert all(en and en.isascii() for _, _, en in SPECIAL_GROUPS)
