"""The monthly report as a spreadsheet: ``GET /attendance/report.xlsx?month=YYYY-MM
[&region=<12-digit code>]`` with the same bearer token as the API; the same figures as
the ``attendanceReport`` query."""

from __future__ import annotations

import io

from openpyxl import Workbook
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from authz.identify import bearer_token, identify
from core.errors import DomainError
from plugins.attendance.report import MonthReport, as_rows, monthly_report
from plugins.attendance.settings import settings_of
from schema.state import state_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS = {"UNAUTHENTICATED": 401, "FORBIDDEN": 403, "NOT_FOUND": 404}


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
    state = state_of(request.app)
    settings = state.settings
    try:
        token = bearer_token(request.headers.get("authorization"))
        async with state.sessionmaker() as session, session.begin():
            actor = await identify(session, token, state.tokens, state.authz)
            report = await monthly_report(
                session,
                actor,
                request.query_params.get("month", ""),
                request.query_params.get("region"),
                tz=settings.timezone,
                settings=settings_of(state.runtime),
            )
    except DomainError as exc:
        body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
        return JSONResponse(body, status_code=STATUS.get(exc.code, 400))
    name = f"attendance-{report.month}-{report.region_code}.xlsx"
    return Response(
        workbook_bytes(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


ROUTES = [Route("/attendance/report.xlsx", report_xlsx, methods=["GET"])]
