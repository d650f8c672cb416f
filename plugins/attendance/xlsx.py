"""The monthly report as a spreadsheet: ``GET /attendance/report.xlsx?month=YYYY-MM
[&region=<12-digit code>]`` with the same bearer token as the API; the same figures as
the ``attendanceReport`` query."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.actor import Actor
from plugins.attendance.report import MonthReport, as_rows, monthly_report
from plugins.attendance.settings import settings_of
from schema.downloads import XLSX, as_caller, attachment
from schema.state import AppState


def workbook_bytes(report: MonthReport) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in as_rows(report).items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def report_xlsx(request: Request) -> Response:
    async def work(session: Any, actor: Actor, state: AppState) -> Response:
        report = await monthly_report(
            session,
            actor,
            request.query_params.get("month", ""),
            request.query_params.get("region"),
            tz=state.settings.timezone,
            settings=settings_of(state.runtime),
        )
        name = f"attendance-{report.month}-{report.region_code}.xlsx"
        return attachment(workbook_bytes(report), XLSX, name)

    return await as_caller(request, work)


ROUTES = [Route("/attendance/report.xlsx", report_xlsx, methods=["GET"])]
