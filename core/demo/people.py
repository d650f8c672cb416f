"""Deterministic synthetic residents for the demo dataset.

Everything is drawn from the :class:`random.Random` passed in, so a given seed (and ``today``)
always yields the same people. The identity numbers are valid GB 11643 numbers, but the
people are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from typing import Literal

from core.codes.identity import Gender, check_address_code, make_identity_number

__all__ = [
    "FLOATING_ADDRESS_CODES",
    "FLOATING_SHARE",
    "MAX_AGE",
    "MIN_PHONE_AGE",
    "MOBILE_PREFIXES",
    "SPECIAL_GROUPS",
    "SyntheticPerson",
    "make_household_size",
    "make_person",
]

# (code, zh name, en name). The first six are the GB/T 31000-2015 特殊人群 / key groups;
# the rest are care groups tracked by grid workers.
SPECIAL_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("released_prisoners", "刑满释放人员", "released prisoners"),
    ("community_corrections", "社区矫正人员", "community corrections"),
    ("drug_users", "吸毒人员", "drug users"),
    ("severe_mental_disorder", "严重精神障碍患者", "severe mental disorder"),
    ("hiv_risk", "艾滋病危险人员", "HIV risk"),
    ("key_youth", "重点青少年", "key youth"),
    ("left_behind_children", "留守儿童", "left-behind children"),
    ("empty_nest_elderly", "空巢老人", "empty-nest elderly"),
    ("children_in_difficulty", "困境儿童", "children in difficulty"),
    ("disabled", "残疾人", "disabled"),
    ("minimum_living_allowance", "低保对象", "minimum-living-allowance recipients"),
    ("extreme_poverty", "特困人员", "extreme-poverty"),
    ("veterans", "退役军人", "veterans"),
)

# Other Sichuan counties, used as the registered address code of the floating population.
FLOATING_ADDRESS_CODES: tuple[str, ...] = (
    "511502",  # 宜宾市翠屏区
    "511503",  # 宜宾市南溪区
    "511523",  # 宜宾市江安县
    "511524",  # 宜宾市长宁县
    "511525",  # 宜宾市高县
    "511526",  # 宜宾市珙县
    "511528",  # 宜宾市兴文县
    "510502",  # 泸州市江阳区
    "510321",  # 自贡市荣县
    "511102",  # 乐山市市中区
    "510107",  # 成都市武侯区
)
FLOATING_SHARE = 0.12

MOBILE_PREFIXES: tuple[str, ...] = (
    *(str(n) for n in range(130, 140)),
    "150",
    "151",
    "152",
    "153",
    *(str(n) for n in range(155, 160)),
    *(str(n) for n in range(180, 190)),
    "198",
    "199",
    "166",
    "177",
)
MIN_PHONE_AGE = 12

# ~60 common Han surnames with relative weights, Sichuan-flavoured (陈/罗/何/曾/邓 rank higher
# than nationally).
# fmt: off
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.9), ("张", 7.0), ("刘", 5.4), ("陈", 5.6), ("杨", 4.0),
    ("黄", 2.7), ("赵", 2.3), ("吴", 2.0), ("周", 2.1), ("徐", 1.5), ("孙", 1.0),
    ("马", 1.2), ("朱", 1.2), ("胡", 1.5), ("郭", 1.1), ("何", 1.6), ("高", 1.0),
    ("林", 0.9), ("罗", 1.8), ("郑", 0.9), ("梁", 0.8), ("谢", 1.1), ("宋", 0.7),
    ("唐", 1.2), ("许", 0.7), ("韩", 0.6), ("冯", 0.7), ("邓", 1.1), ("曹", 0.6),
    ("彭", 0.8), ("曾", 1.1), ("肖", 0.8), ("田", 0.6), ("董", 0.6), ("袁", 0.7),
    ("潘", 0.5), ("蒋", 0.7), ("蔡", 0.5), ("余", 0.7), ("杜", 0.5), ("叶", 0.4),
    ("程", 0.4), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4), ("任", 0.5),
    ("沈", 0.3), ("姚", 0.3), ("卢", 0.4), ("钟", 0.5), ("谭", 0.5), ("廖", 0.5),
    ("范", 0.4), ("付", 0.5), ("熊", 0.4), ("雷", 0.4), ("严", 0.3), ("龙", 0.3),
)
# fmt: on
_SURNAME_NAMES = tuple(name for name, _ in _SURNAMES)
_SURNAME_CUM = tuple(accumulate(weight for _, weight in _SURNAMES))

# Given-name characters, gender-leaning, split by the era the name is typical of.
_MALE_TRADITIONAL = "国建华德福贵富强军平志勇刚忠良海林荣发才成兵洪生光伟中明全树正"
_MALE_MODERN = "浩宇轩杰俊涛鹏磊超翔博豪睿宏鑫晨阳昊天航泽凯铭峰宸皓然逸辰锐"
_FEMALE_TRADITIONAL = "秀兰英芳桂珍淑琼凤梅翠霞萍莲琴燕群素清美菊香娟惠碧蓉彩玉荷仙"
_FEMALE_MODERN = "婷欣怡雪丽静敏雨涵佳悦诗琪萱晓璐瑶妍婧洁娜蕾倩颖媛茜楠可馨梓"
_NEUTRAL = "小文安红云春永金思子一心宁乐嘉新晶仁和庆瑞立江川蜀晴"
_MODERN_FROM_YEAR = 1980

# Age pyramid of a rural Sichuan county: many children and elderly, a hollowed-out
# working-age band (migrant workers registered elsewhere). (low, high inclusive, weight)
_AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (0, 4, 4.5),
    (5, 9, 6.0),
    (10, 14, 6.5),
    (15, 19, 5.0),
    (20, 24, 3.5),
    (25, 29, 3.5),
    (30, 34, 4.5),
    (35, 39, 5.0),
    (40, 44, 5.5),
    (45, 49, 7.5),
    (50, 54, 9.0),
    (55, 59, 8.5),
    (60, 64, 7.0),
    (65, 69, 8.0),
    (70, 74, 6.5),
    (75, 79, 4.5),
    (80, 84, 3.0),
    (85, 89, 1.5),
    (90, 95, 0.6),
)
_AGE_BAND_CUM = tuple(accumulate(w for _, _, w in _AGE_BANDS))
MAX_AGE = _AGE_BANDS[-1][1]

# Household size 1..6, mean 2.62 (Sichuan 2020 census average household ≈ 2.5-2.6).
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6)
_HOUSEHOLD_CUM = tuple(accumulate((22, 33, 21, 13, 7, 4)))


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    name: str
    gender: Literal["male", "female"]
    birth_date: date
    id_number: str
    phone: str  # "" for children under 12


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _birth_date_for_age(rng: random.Random, age: int, today: date) -> date:
    """A uniformly random birth date such that the person is exactly ``age`` on ``today``."""
    latest = _years_before(today, age)
    earliest = _years_before(today, age + 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _pick_age(rng: random.Random) -> int:
    low, high, _ = rng.choices(_AGE_BANDS, cum_weights=_AGE_BAND_CUM)[0]
    return rng.randint(low, high)


def _pick_gender(rng: random.Random, age: int) -> Gender:
    # Women outlive men; among the oldest residents they are the clear majority.
    male_share = 0.51 if age < 70 else 0.46 if age < 80 else 0.40
    return "male" if rng.random() < male_share else "female"


def _given_name(rng: random.Random, gender: Gender, birth_year: int) -> str:
    modern = birth_year >= _MODERN_FROM_YEAR
    if gender == "male":
        main, other = (
            (_MALE_MODERN, _MALE_TRADITIONAL) if modern else (_MALE_TRADITIONAL, _MALE_MODERN)
        )
    else:
        main, other = (
            (_FEMALE_MODERN, _FEMALE_TRADITIONAL)
            if modern
            else (_FEMALE_TRADITIONAL, _FEMALE_MODERN)
        )

    def one() -> str:
        roll = rng.random()
        pool = main if roll < 0.75 else other if roll < 0.85 else _NEUTRAL
        return rng.choice(pool)

    length = 1 if rng.random() < (0.15 if modern else 0.25) else 2
    first = one()
    if length == 1:
        return first
    second = one()
    while second == first:
        second = one()
    return first + second


def _phone(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def make_person(
    rng: random.Random, *, address_code: str = "511504", today: date
) -> SyntheticPerson:
    """One synthetic resident registered in ``address_code`` (≈12 % from another county).

    Ages follow a rural Sichuan pyramid from 0 to 95 on ``today``; children under 12 have no
    phone number. Raises :class:`core.codes.errors.InvalidCode` for a malformed address code.
    """
    check_address_code(address_code)
    age = _pick_age(rng)
    gender = _pick_gender(rng, age)
    birth_date = _birth_date_for_age(rng, age, today)
    surname = rng.choices(_SURNAME_NAMES, cum_weights=_SURNAME_CUM)[0]
    name = surname + _given_name(rng, gender, birth_date.year)

    registered = address_code
    if rng.random() < FLOATING_SHARE:
        others = [code for code in FLOATING_ADDRESS_CODES if code != address_code]
        registered = rng.choice(others)
    id_number = make_identity_number(registered, birth_date, rng.randrange(500), gender)

    phone = _phone(rng) if age >= MIN_PHONE_AGE else ""
    return SyntheticPerson(
        name=name, gender=gender, birth_date=birth_date, id_number=id_number, phone=phone
    )


def make_household_size(rng: random.Random) -> int:
    """Household size 1..6 with mean ≈ 2.6."""
    return rng.choices(_HOUSEHOLD_SIZES, cum_weights=_HOUSEHOLD_CUM)[0]
