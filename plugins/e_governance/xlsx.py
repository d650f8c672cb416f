"""The service figures as a spreadsheet: ``GET /gov/metrics.xlsx?regionCode=
&departmentCode=&from=YYYY-MM-DD&to=YYYY-MM-DD&groupBy=DEPARTMENT|REGION`` with the same
bearer token as the API; the same request, rights and numbers as the ``serviceMetrics``
query (one computation: ``plugins.e_governance.metrics``). Rates are the percent values
the API answers, shown with a % sign; an empty cell where nothing is counted."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.actor import Actor
from core.errors import BadInput
from plugins.e_governance import metrics
from plugins.e_governance.metrics import Counts, Metrics, MetricsGroup
from schema.downloads import XLSX, as_caller, attachment
from schema.state import AppState

PATH = "/gov/metrics.xlsx"
GROUP_HEADER = {MetricsGroup.DEPARTMENT: "部门", MetricsGroup.REGION: "区域"}
HEADER = ["办件量", "办结量", "按时办结率", "网上办理率", "零跑腿率", "满意率", "差评数"]
TOTAL = "合计"
PERCENT_FORMAT = '0.00"%"'


def date_param(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not {raw!r}", argument=name) from None


def group_param(params: Mapping[str, str]) -> MetricsGroup:
    """``groupBy`` as the API spells it (DEPARTMENT or REGION), default DEPARTMENT."""
    raw = params.get("groupBy") or MetricsGroup.DEPARTMENT.name
    try:
        return MetricsGroup[raw.upper()]
    except KeyError:
        raise BadInput(
            f"groupBy must be DEPARTMENT or REGION, not {raw!r}", argument="groupBy"
        ) from None


def figures(counts: Counts) -> list[Any]:
    """A row's cells after its label, in ``HEADER``'s order."""
    return [
        counts.applications,
        counts.completed,
        counts.on_time_rate,
        counts.online_rate,
        counts.zero_visit_rate,
        counts.satisfaction_rate,
        counts.bad_ratings,
    ]


def table(found: Metrics) -> list[list[Any]]:
    """The header, a line per group (its name, else its code), the totals line."""
    lines: list[list[Any]] = [[GROUP_HEADER[found.query.group_by], *HEADER]]
    for row in found.rows:
        lines.append([row.name or row.code, *figures(row.counts)])
    lines.append([TOTAL, *figures(found.totals)])
    return lines


def workbook_bytes(found: Metrics) -> bytes:
    period = found.query.period
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = f"办件统计 {period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}"
    for line in table(found):
        sheet.append(line)
    percent_columns = {i + 2 for i, h in enumerate(HEADER) if h.endswith("率")}
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if cell.column in percent_columns:
                cell.number_format = PERCENT_FORMAT
    for cell in (*sheet[1], *sheet[sheet.max_row]):
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def metrics_xlsx(request: Request) -> Response:
    params = request.query_params

    async def work(session: Any, actor: Actor, state: AppState) -> Response:
        query = await metrics.resolve(
            session,
            actor,
            region_code=params.get("regionCode") or None,
            department_code=params.get("departmentCode") or None,
            first=date_param(params, "from"),
            last=date_param(params, "to"),
            group_by=group_param(params),
            tz=state.settings.timezone,
        )
        found = await metrics.service_metrics(session, query)
        period = query.period
        scope = query.department_code or query.prefix or "all"
        name = f"gov-metrics-{scope}-{period.first_day}-{period.last_day}.xlsx"
        return attachment(workbook_bytes(found), XLSX, name)

    return await as_caller(request, work)


ROUTES = [Route(PATH, metrics_xlsx, methods=["GET"])]
