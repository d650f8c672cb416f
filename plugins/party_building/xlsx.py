"""A month's dues statement as a spreadsheet: ``GET /party/dues-statement.xlsx
?organizationId=<id>&month=YYYY-MM`` with the same bearer token as the API; the same rows
and totals as the ``partyDuesStatement`` query, names whole (the reader holds
``party:member``), every member's read written to the access audit before the file leaves.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authz.audit import AccessLog
from core.actor import Actor
from plugins.party_building import calendar, dues
from plugins.party_building.access import MEMBER_KIND, access_for
from schema.downloads import XLSX, as_caller, attachment
from schema.ids import parse_id
from schema.state import AppState

HEADER = ["党组织", "姓名", "应缴", "实缴", "累计欠缴"]
TOTAL = "合计"
MONEY_FORMAT = "0.00"
#: the fields of a member the file shows (the access audit's names for them)
SHOWN = ("name", "dues")


def statement_rows(found: dues.Statement) -> list[list[Any]]:
    """The header, a line per member, and the totals line."""
    lines: list[list[Any]] = [HEADER]
    for row in found.rows:
        name = str(row.member.person_name)
        lines.append([row.organization_name, name, row.due, row.paid, row.arrears])
    totals = found.totals
    lines.append([TOTAL, "", totals.due, totals.paid, totals.arrears])
    return lines


def workbook_bytes(found: dues.Statement) -> bytes:
    """The statement as one sheet, money shown with two decimals."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = f"党费 {calendar.month_text(found.month)}"
    for line in statement_rows(found):
        sheet.append(line)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 12
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def audit_log(found: dues.Statement, operation: str) -> AccessLog:
    """The members whose names and dues the file shows, as the access audit records them."""
    log = AccessLog()
    for row in found.rows:
        for shown in SHOWN:
            log.record(
                MEMBER_KIND, int(row.member.id), row.member.area_code, shown, lambda: operation
            )
    return log


async def dues_statement_xlsx(request: Request) -> Response:
    params = request.query_params

    async def work(session: Any, actor: Actor, state: AppState) -> Response:
        org_id = parse_id(params.get("organizationId", ""), "organizationId")
        month = calendar.parse_month(params.get("month"), "month")
        access = await access_for(session, actor)
        found = await dues.statement(session, access, org_id, month)
        name = f"dues-{found.organization.code}-{calendar.month_text(month)}.xlsx"
        content = workbook_bytes(found)
        log = audit_log(found, f"download dues-statement / {found.organization.code}")
        async with state.sessionmaker() as audit_session:
            await log.flush(audit_session, actor)  # recorded before the data leaves
        return attachment(content, XLSX, name)

    return await as_caller(request, work)


ROUTES = [Route("/party/dues-statement.xlsx", dues_statement_xlsx, methods=["GET"])]
