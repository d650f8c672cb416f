"""Party dues (党费): monthly rates, payments, arrears and a branch's monthly statement.

The rules, shared by the GraphQL API and the XLSX statement so both tell the same figures:

* a rate (``party_dues_rate``) applies from its ``from_month`` until the next rate's;
* a month is due from the member's first rate month through the asked month, and not
  after the month the member left (``left_on``);
* for each due month, owed = max(rate − the payments named for that month, 0), and the
  arrears are the sum of what is owed: overpaying a month pays no other (a payment names
  its month; paying ahead is paying for a future month).

Months travel as ``YYYY-MM`` and are kept as the first day of the month. Money is
``Decimal`` with two places.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from plugins.party_building.access import MEMBER, PARTY, PartyAccess, subtree
from plugins.party_building.calendar import add_months, month_text, parse_month
from plugins.party_building.graphql.loaders import MEMBERS, ORGANIZATIONS
from plugins.party_building.models import (
    MemberStatus,
    PartyDuesPayment,
    PartyDuesRate,
    PartyMember,
    PartyOrganization,
    Stage,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: ``Numeric(10, 2)``: below a hundred million
MAX_AMOUNT = Decimal("99999999.99")
#: a payment may name a month at most this far after the current one
MONTHS_AHEAD = 12
#: the longest window of months ``partyDues`` lists (ten years)
MAX_WINDOW = 120
#: the default window of ``partyDues``: this many months, ending with ``to``
DEFAULT_WINDOW = 12
#: the stages of a party member (预备党员, 正式党员): only they pay dues
PAYING_STAGES = (Stage.PROBATIONARY.value, Stage.FULL.value)


# --- months and money ----------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def months_from(first: date, last: date) -> int:
    """How many months ``first`` through ``last`` (inclusive) span; 0 if last < first."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def money(value: Decimal, argument: str = "amount", *, positive: bool = False) -> Decimal:
    """A finite amount of at most two decimals (cents) that the column holds, else
    BAD_USER_INPUT; ``positive``: more than zero, else at least zero."""
    if not value.is_finite():
        raise BadInput(f"{argument} must be a number", argument=argument)
    if positive and value <= 0:
        raise BadInput(f"{argument} must be more than zero, got {value}", argument=argument)
    if value < 0:
        raise BadInput(f"{argument} must not be negative, got {value}", argument=argument)
    # the range first: quantizing 1e400 to cents exceeds Decimal's precision
    if value > MAX_AMOUNT:
        raise BadInput(f"{argument} must be at most {MAX_AMOUNT}", argument=argument)
    if value != value.quantize(CENT):
        raise BadInput(f"{argument} has more than two decimals: {value}", argument=argument)
    return value.quantize(CENT)


# --- the computation -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthDues:
    """One due month: its rate, what was paid for it, what is still owed."""

    month: date
    due: Decimal
    paid: Decimal
    owed: Decimal


@dataclass(frozen=True, slots=True)
class Ledger:
    """A member's rates and payments, enough to tell any month and the arrears.

    ``rates``: (from month, amount) sorted by month; ``paid``: the sum paid per month;
    ``last``: the month the member left (no month after it is due), None while a member.
    """

    rates: tuple[tuple[date, Decimal], ...]
    paid: Mapping[date, Decimal]
    last: date | None = None

    @property
    def first(self) -> date | None:
        """The first due month: the first rate's (None without a rate)."""
        return self.rates[0][0] if self.rates else None

    def rate(self, month: date) -> Decimal | None:
        """The month's dues, None when the month is not due (before the first rate or
        after the member left)."""
        if not self.rates or month < self.rates[0][0]:
            return None
        if self.last is not None and month > self.last:
            return None
        index = bisect_right([m for m, _ in self.rates], month) - 1
        return self.rates[index][1]

    def month(self, month: date) -> MonthDues:
        """A month's figures (zero due when the month is not due)."""
        due = self.rate(month) or ZERO
        paid = self.paid.get(month, ZERO)
        return MonthDues(month, due, paid, max(due - paid, ZERO))

    def months(self, first: date, last: date) -> list[MonthDues]:
        """The due months from ``first`` through ``last``, in order."""
        if self.first is None:
            return []
        start = max(first, self.first)
        end = last if self.last is None else min(last, self.last)
        return [self.month(add_months(start, i)) for i in range(months_from(start, end))]

    def arrears(self, through: date) -> Decimal:
        """Σ owed over every due month through ``through``: Σ due − Σ min(paid, due).
        Counted by rate spans, so a long history costs no more than its rates."""
        end = through if self.last is None else min(through, self.last)
        due = ZERO
        for i, (start, amount) in enumerate(self.rates):
            stop = self.rates[i + 1][0] if i + 1 < len(self.rates) else None
            span_end = end if stop is None else min(end, add_months(stop, -1))
            due += amount * months_from(start, span_end)
        covered = ZERO
        for month, paid in self.paid.items():
            rate = self.rate(month)
            if rate is not None and month <= end:
                covered += min(paid, rate)
        return due - covered


def leave_month(member: Any) -> date | None:
    """The month a member left (a row with ``status`` and ``left_on``), None otherwise."""
    if member.status == MemberStatus.LEFT.value and member.left_on is not None:
        return month_of(member.left_on)
    return None


async def ledgers(
    session: AsyncSession, members: Select[Any], through: date
) -> dict[int, tuple[list[tuple[date, Decimal]], dict[date, Decimal]]]:
    """The rates and monthly payment sums of the members whose ids ``members`` selects,
    up to ``through`` (two statements whatever their number)."""
    ids = members.subquery()
    found: dict[int, tuple[list[tuple[date, Decimal]], dict[date, Decimal]]] = defaultdict(
        lambda: ([], {})
    )
    rates = await session.execute(
        select(PartyDuesRate.member_id, PartyDuesRate.from_month, PartyDuesRate.amount)
        .where(PartyDuesRate.member_id.in_(select(ids.c.id)), PartyDuesRate.from_month <= through)
        .order_by(PartyDuesRate.member_id, PartyDuesRate.from_month)
    )
    for member_id, from_month, amount in rates:
        found[int(member_id)][0].append((from_month, Decimal(amount)))
    paid = await session.execute(
        select(
            PartyDuesPayment.member_id, PartyDuesPayment.month, func.sum(PartyDuesPayment.amount)
        )
        .where(PartyDuesPayment.member_id.in_(select(ids.c.id)), PartyDuesPayment.month <= through)
        .group_by(PartyDuesPayment.member_id, PartyDuesPayment.month)
    )
    for member_id, month, total in paid:
        found[int(member_id)][1][month] = Decimal(total)
    return dict(found)


def ledger_of(
    member: Any, found: Mapping[int, tuple[list[tuple[date, Decimal]], dict[date, Decimal]]]
) -> Ledger:
    rates, paid = found.get(int(member.id), ([], {}))
    return Ledger(tuple(rates), paid, leave_month(member))


# --- who may ---------------------------------------------------------------------------


def require_member_access(access: PartyAccess, member: Any | None, action: str) -> Any:
    """The member row if the actor may ``action`` its dues (``party:member`` where its
    organization is, or as staff); a member they cannot see at all is NOT_FOUND, one they
    see (``party``) but whose records they may not ``action`` FORBIDDEN."""
    if not access.actor.authenticated:
        raise Unauthenticated("log in to read party dues")
    if member is None or not access.allows(member, "read", PARTY):
        raise NotFound("no party member has this id", argument="memberId")
    if not access.allows(member, action, MEMBER):
        raise Forbidden(
            f"you may not {action} the dues of members of organization {member.organization_code}"
            " (it needs the party:member grant there, or to staff the organization)"
        )
    return member


def require_org_access(access: PartyAccess, org: Any | None, action: str = "read") -> Any:
    """The organization row if the actor may ``action`` its members' records."""
    if not access.actor.authenticated:
        raise Unauthenticated("log in to read party dues")
    if org is None or not access.allows(org, "read", PARTY):
        raise NotFound("no party organization has this id", argument="organizationId")
    if not access.allows(org, action, MEMBER):
        raise Forbidden(
            f"you may not {action} the dues of members of organization {org.code} "
            "(it needs the party:member grant there, or to staff the organization)"
        )
    return org


async def member_row(session: AsyncSession, member_id: int) -> Any | None:
    """The member as ``MEMBERS`` selects it (name, organization path and area)."""
    return (await session.execute(MEMBERS.where(PartyMember.id == member_id))).one_or_none()


# --- one member ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberDues:
    """A member's due months in a window and their arrears through its last month."""

    member: Any
    rates: tuple[tuple[date, Decimal], ...]
    months: list[MonthDues]
    arrears: Decimal


def window(from_: str | None, to: str | None, today: date) -> tuple[date, date]:
    """The months ``partyDues`` lists: ``to`` defaults to the current month, ``from`` to
    the start of the 12 months ending with ``to``."""
    last = parse_month(to, "to") if to is not None else month_of(today)
    first = (
        parse_month(from_, "from") if from_ is not None else add_months(last, 1 - DEFAULT_WINDOW)
    )
    if first > last:
        raise BadInput("from must not be after to", argument="from")
    if months_from(first, last) > MAX_WINDOW:
        raise BadInput(f"at most {MAX_WINDOW} months at a time", argument="from")
    if last > add_months(month_of(today), MONTHS_AHEAD):
        raise BadInput(f"to may be at most {MONTHS_AHEAD} months ahead", argument="to")
    return first, last


async def member_dues(
    session: AsyncSession, access: PartyAccess, member_id: int, first: date, last: date
) -> MemberDues:
    """A member's due months ``first``..``last`` and arrears from the first rate through
    ``last`` (NOT_FOUND / FORBIDDEN as ``require_member_access``)."""
    member = require_member_access(access, await member_row(session, member_id), "read")
    found = await ledgers(session, select(PartyMember.id).where(PartyMember.id == member_id), last)
    ledger = ledger_of(member, found)
    return MemberDues(member, ledger.rates, ledger.months(first, last), ledger.arrears(last))


# --- the statement ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementRow:
    member: Any  # a MEMBERS row
    organization_name: str
    due: Decimal
    paid: Decimal
    arrears: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    due: Decimal
    paid: Decimal
    arrears: Decimal


@dataclass(frozen=True, slots=True)
class Statement:
    organization: Any  # an ORGANIZATIONS row
    month: date
    rows: list[StatementRow]
    totals: Totals


def statement_members(org_path: str, month: date, access: PartyAccess) -> ColumnElement[bool]:
    """SQL: the members a month's statement lists: party members (预备, 正式) of the
    organization's subtree whose records the reader may read, still members or who left
    that month or later."""
    return (
        subtree(org_path)
        & access.where("read", MEMBER)
        & PartyMember.stage.in_(PAYING_STAGES)
        & or_(PartyMember.status != MemberStatus.LEFT.value, PartyMember.left_on >= month)
    )


async def statement(
    session: AsyncSession, access: PartyAccess, org_id: int, month: date
) -> Statement:
    """A month's dues statement of an organization and its subtree: each member's dues of
    the month, payments for it and arrears through it, and their totals. Four statements,
    whatever the size of the tree."""
    found_org = (
        await session.execute(ORGANIZATIONS.where(PartyOrganization.id == org_id))
    ).one_or_none()
    org = require_org_access(access, found_org, "read")
    where = statement_members(org.path, month, access)
    members = (
        await session.execute(
            MEMBERS.add_columns(PartyOrganization.name.label("organization_name"))
            .where(where)
            .order_by(PartyOrganization.path, PartyMember.id)
        )
    ).all()
    found = await ledgers(
        session,
        select(PartyMember.id)
        .join(PartyOrganization, PartyOrganization.id == PartyMember.organization_id)
        .where(where),
        month,
    )
    rows = [row_of(member, ledger_of(member, found), month) for member in members]
    return Statement(org, month, rows, totals_of(rows))


def row_of(member: Any, ledger: Ledger, month: date) -> StatementRow:
    figures = ledger.month(month)
    return StatementRow(
        member, member.organization_name, figures.due, figures.paid, ledger.arrears(month)
    )


def totals_of(rows: Sequence[StatementRow]) -> Totals:
    return Totals(
        sum((r.due for r in rows), ZERO),
        sum((r.paid for r in rows), ZERO),
        sum((r.arrears for r in rows), ZERO),
    )


# --- writes ----------------------------------------------------------------------------


def require_paying(member: Any, month: date) -> None:
    """Dues are a party member's (预备 or 正式), and none after the month they left."""
    if member.stage not in PAYING_STAGES:
        raise Conflict(
            f"member {member.id} is at stage {member.stage}: only party members "
            "(probationary or full) pay dues"
        )
    last = leave_month(member)
    if last is not None and month > last:
        raise Conflict(
            f"member {member.id} left on {member.left_on}: no dues after {month_text(last)}"
        )


@dataclass(frozen=True, slots=True)
class RateSet:
    member: Any
    from_month: date
    amount: Decimal


async def set_rate(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    from_month: date,
    amount: Decimal,
    account_id: int | None,
) -> RateSet:
    """Set (or replace) the member's rate from ``from_month`` on; it holds until the next
    rate's month."""
    member = require_member_access(access, await member_row(session, member_id), "write")
    require_paying(member, from_month)
    upsert = insert(PartyDuesRate).values(
        member_id=member_id, from_month=from_month, amount=amount, set_by=account_id
    )
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=[PartyDuesRate.member_id, PartyDuesRate.from_month],
            set_={"amount": upsert.excluded.amount, "set_by": upsert.excluded.set_by},
        )
    )
    return RateSet(member, from_month, amount)


@dataclass(frozen=True, slots=True)
class Paid:
    id: int
    member: Any
    month: date
    amount: Decimal
    paid_on: date
    recorded_at: datetime


async def pay(
    session: AsyncSession,
    access: PartyAccess,
    member_id: int,
    month: date,
    amount: Decimal,
    paid_on: date,
    today: date,
    account_id: int | None,
) -> Paid:
    """Record a payment of the member's dues for ``month`` (several may pay one month)."""
    if paid_on > today:
        raise BadInput(f"paidOn {paid_on} is in the future", argument="paidOn")
    if month > add_months(month_of(today), MONTHS_AHEAD):
        raise BadInput(
            f"dues may be paid at most {MONTHS_AHEAD} months ahead, not for {month_text(month)}",
            argument="month",
        )
    member = require_member_access(access, await member_row(session, member_id), "write")
    first = await session.scalar(
        select(func.min(PartyDuesRate.from_month)).where(PartyDuesRate.member_id == member_id)
    )
    if first is None or month < first:
        since = "no rate is set" if first is None else f"the first rate is from {first:%Y-%m}"
        raise BadInput(
            f"{month_text(month)} is not due: {since} for member {member_id}", argument="month"
        )
    require_paying(member, month)
    row = (
        await session.execute(
            insert(PartyDuesPayment)
            .values(
                member_id=member_id,
                month=month,
                amount=amount,
                paid_on=paid_on,
                recorded_by=account_id,
            )
            .returning(PartyDuesPayment.id, PartyDuesPayment.recorded_at)
        )
    ).one()
    return Paid(int(row.id), member, month, amount, paid_on, row.recorded_at)
