"""Party dues (党费) in GraphQL: ``partyDues``, ``partyDuesStatement``, ``setPartyDuesRate``
and ``payPartyDues``. The figures come from ``plugins.party_building.dues`` (the XLSX
statement tells the same); every dues read of a member is audited as a personal read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from plugins.party_building import calendar, dues
from plugins.party_building.access import access_for
from plugins.party_building.graphql.access import access_of, reveal_member
from plugins.party_building.graphql.types import MemberType, OrganizationType
from schema.ids import parse_id

MONTH_HELP = "A month as YYYY-MM"


@strawberry.type(name="PartyDuesMonth", description="One due month of a member's dues")
class DuesMonthType:
    month: str = strawberry.field(description=MONTH_HELP)
    due: Decimal = strawberry.field(description="The month's dues (应缴): its rate")
    paid: Decimal = strawberry.field(description="Paid for this month (实缴), all payments")
    owed: Decimal = strawberry.field(description="Still owed: max(due − paid, 0)")

    @staticmethod
    def of(figures: dues.MonthDues) -> DuesMonthType:
        return DuesMonthType(
            month=calendar.month_text(figures.month),
            due=figures.due,
            paid=figures.paid,
            owed=figures.owed,
        )


@strawberry.type(name="PartyDuesRate", description="A member's monthly dues from a month on")
class DuesRateType:
    member: MemberType
    from_month: str = strawberry.field(
        description="The first month it applies (YYYY-MM); it holds until the next rate's"
    )
    amount: Decimal


@strawberry.type(
    name="PartyDues",
    description="A member's dues: the due months asked for and the arrears (累计欠缴) from "
    "the first rate through the last month asked",
)
class DuesType:
    member: MemberType
    rates: list[DuesRateType] = strawberry.field(
        description="The rates in force from the first through to, by month"
    )
    months: list[DuesMonthType] = strawberry.field(
        description="The due months between from and to (none before the first rate or "
        "after the month the member left)"
    )
    arrears: Decimal = strawberry.field(description="Σ owed over every due month through to")


@strawberry.type(name="PartyDuesPayment", description="A payment of dues for a month")
class PaymentType:
    id: strawberry.ID
    member: MemberType
    month: str = strawberry.field(description="The month it pays (YYYY-MM)")
    amount: Decimal
    paid_on: date
    recorded_at: datetime


@strawberry.type(name="PartyDuesStatementRow", description="One member's line of a statement")
class StatementRowType:
    member: MemberType
    due: Decimal = strawberry.field(description="The month's dues (应缴)")
    paid: Decimal = strawberry.field(description="Paid for the month (实缴)")
    arrears: Decimal = strawberry.field(description="Owed through the month (累计欠缴)")


@strawberry.type(name="PartyDuesTotals", description="The sums of a statement's rows")
class TotalsType:
    due: Decimal
    paid: Decimal
    arrears: Decimal


@strawberry.type(
    name="PartyDuesStatement",
    description="A month's dues of an organization and its subtree: every party member "
    "still a member or who left that month or later",
)
class StatementType:
    organization: OrganizationType
    month: str = strawberry.field(description=MONTH_HELP)
    rows: list[StatementRowType]
    totals: TotalsType


def today_of(info: Info) -> date:
    return calendar.local_today(info.context.settings.timezone)


@strawberry.type
class DuesQueries:
    @strawberry.field(
        description="A member's dues month by month and their arrears. Needs the "
        "party:member grant where the member's organization is (or to staff it); audited. "
        "to: default the current month; from: default the 12 months ending with to."
    )
    async def party_dues(
        self,
        info: Info,
        member_id: strawberry.ID,
        from_: Annotated[str | None, strawberry.argument(name="from")] = None,
        to: str | None = None,
    ) -> DuesType:
        member_key = parse_id(member_id, "memberId")
        first, last = dues.window(from_, to, today_of(info))
        access = await access_of(info)
        async with info.context.locked() as session:
            found = await dues.member_dues(session, access, member_key, first, last)
        reveal_member(info, access, member_key, found.member, "dues")
        return DuesType(
            member=found.member,
            rates=[
                DuesRateType(member=found.member, from_month=calendar.month_text(m), amount=a)
                for m, a in found.rates
            ],
            months=[DuesMonthType.of(m) for m in found.months],
            arrears=found.arrears,
        )

    @strawberry.field(
        description="A month's dues statement of an organization and its subtree, with "
        "totals. Needs the party:member grant there (or to staff it); every row is audited."
    )
    async def party_dues_statement(
        self, info: Info, organization_id: strawberry.ID, month: str
    ) -> StatementType:
        org_key = parse_id(organization_id, "organizationId")
        asked = calendar.parse_month(month, "month")
        access = await access_of(info)
        async with info.context.locked() as session:
            found = await dues.statement(session, access, org_key, asked)
        for row in found.rows:
            reveal_member(info, access, int(row.member.id), row.member, "dues")
        return StatementType(
            organization=found.organization,
            month=calendar.month_text(found.month),
            rows=[
                StatementRowType(member=r.member, due=r.due, paid=r.paid, arrears=r.arrears)
                for r in found.rows
            ],
            totals=TotalsType(
                due=found.totals.due, paid=found.totals.paid, arrears=found.totals.arrears
            ),
        )


@strawberry.type
class DuesMutations:
    @strawberry.mutation(
        description="Set a member's monthly dues from a month (YYYY-MM) on, replacing that "
        "month's rate if there is one. Needs party:member write."
    )
    async def set_party_dues_rate(
        self, info: Info, member_id: strawberry.ID, from_month: str, amount: Decimal
    ) -> DuesRateType:
        ctx = info.context
        member_key = parse_id(member_id, "memberId")
        month = calendar.parse_month(from_month, "fromMonth")
        value = dues.money(amount)
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            done = await dues.set_rate(
                session, access, member_key, month, value, ctx.actor.account_id
            )
        return DuesRateType(
            member=done.member, from_month=calendar.month_text(done.from_month), amount=done.amount
        )

    @strawberry.mutation(
        description="Record a payment of a member's dues for a month (YYYY-MM, from the "
        "first rate's to 12 months ahead). Needs party:member write."
    )
    async def pay_party_dues(
        self, info: Info, member_id: strawberry.ID, month: str, amount: Decimal, paid_on: date
    ) -> PaymentType:
        ctx = info.context
        member_key = parse_id(member_id, "memberId")
        value = dues.money(amount, positive=True)
        asked = calendar.parse_month(month, "month")
        async with ctx.transaction() as session:
            access = await access_for(session, ctx.actor)
            done = await dues.pay(
                session,
                access,
                member_key,
                asked,
                value,
                paid_on,
                today_of(info),
                ctx.actor.account_id,
            )
        return PaymentType(
            id=strawberry.ID(str(done.id)),
            member=done.member,
            month=calendar.month_text(done.month),
            amount=done.amount,
            paid_on=done.paid_on,
            recorded_at=done.recorded_at,
        )
