"""Reports as downloads, with the same bearer token as the API:

- ``GET /analytics/modules/<module>.xlsx`` or ``.csv`` ``?region=&from=&to=&filter=``:
  a module's whole list (at most ``MAX_REPORT_ROWS`` rows), masked and audited as the
  ``analysis { rows }`` field is;
- ``GET /analytics/assessment.xlsx?month=YYYY-MM&region=&level=``: the assessment table,
  the same figures as the ``assessment`` query.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from authz.audit import AccessLog
from authz.masking import may_unmask
from core.actor import Actor
from core.analysis import Column
from core.errors import BadInput, NotFound
from plugins.analytics import engine
from plugins.analytics.assessment import LEVELS, as_rows, assess, month_scope
from plugins.analytics.registry import registry
from plugins.analytics.scope import date_param, resolve
from schema.downloads import XLSX, as_caller, attachment, error_response
from schema.state import AppState


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM, so spreadsheets read UTF-8


async def module_report(request: Request) -> Response:
    key, fmt = request.path_params["key"], request.path_params["fmt"]
    if fmt not in ("xlsx", "csv"):
        return error_response(NotFound("reports are .xlsx or .csv"))

    async def work(session: Any, actor: Actor, state: AppState) -> Response:
        module = registry(state.runtime).modules.get(key)
        if module is None:
            raise NotFound(f"no analysis module {key!r}", argument="module")
        tz = state.settings.timezone
        area, scope = await resolve(
            session,
            actor,
            request.query_params.get("region"),
            date_param(request.query_params, "from"),
            date_param(request.query_params, "to"),
            tz,
        )
        recs = engine.records(module, scope, actor, request.query_params.get("filter"))
        count = await engine.total(session, recs)
        if count > engine.MAX_REPORT_ROWS:
            raise BadInput(
                f"the report would hold {count} rows, more than {engine.MAX_REPORT_ROWS}: "
                "narrow the region, the period or the filter"
            )
        rows = (await session.execute(select(recs).order_by(recs.c.id))).all()
        log = AccessLog()
        operation = f"report {module.key} / {area.code}"

        def shown(column: Column, row: Any) -> bool:
            assert column.personal is not None
            if not may_unmask(actor, column.personal, row.region_code):
                return False
            log.record(module.kind, int(row.id), row.region_code, column.key, lambda: operation)
            return True

        header = ["id", "region_code", "at", *(c.label for c in module.columns)]
        body = [
            [r.id, r.region_code, engine.text_of(r.at), *engine.cells(module, r, shown)]
            for r in rows
        ]
        async with state.sessionmaker() as audit_session:
            await log.flush(audit_session, actor)  # recorded before the data leaves
        name = f"{module.key}-{area.code}-{scope.first_day}-{scope.last_day}.{fmt}"
        if fmt == "csv":
            return attachment(csv_bytes([header, *body]), "text/csv; charset=utf-8", name)
        return attachment(workbook({module.title: [header, *body]}), XLSX, name)

    return await as_caller(request, work)


async def assessment_report(request: Request) -> Response:
    async def work(session: Any, actor: Actor, state: AppState) -> Response:
        tz = state.settings.timezone
        level = request.query_params.get("level", "worker")
        if level not in LEVELS:
            raise BadInput(f"level must be one of {', '.join(LEVELS)}", argument="level")
        month = request.query_params.get("month", "")
        area, _ = await resolve(session, actor, request.query_params.get("region"), None, None, tz)
        scope = month_scope(month, area, tz)
        table = await assess(session, registry(state.runtime), area, scope, level, month)
        name = f"assessment-{table.month}-{area.code}-{level}.xlsx"
        return attachment(workbook(as_rows(table)), XLSX, name)

    return await as_caller(request, work)


ROUTES = [
    Route("/analytics/assessment.xlsx", assessment_report, methods=["GET"]),
    Route("/analytics/modules/{key}.{fmt:str}", module_report, methods=["GET"]),
]
