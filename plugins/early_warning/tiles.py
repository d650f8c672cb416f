"""The ``warnings`` map layer: the open warnings a caller may see, at their centroids."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import or_, select

from core.actor import require_category
from core.errors import BadInput
from core.maps import TileLayer, TileRequest, utc_text
from plugins.early_warning.access import touching, visible_warnings
from plugins.early_warning.models import EarlyWarning
from schema.codes import parse_prefix

_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
#: past this zoom a client draws the last tile larger (as for the core's layers)
MAXZOOM = 16


async def warning_features(request: TileRequest) -> Any:
    """SELECT geom (the centroid) and the properties of the open warnings in the tile that
    touch where the caller may read events (as ``warnings`` lists them)."""
    require_category(request.actor, "event", "read")  # as the list: 401 or 403
    statement = select(
        EarlyWarning.geom.label("geom"),
        EarlyWarning.id.label("id"),
        EarlyWarning.category_code.label("category_code"),
        EarlyWarning.member_count.label("members"),
        EarlyWarning.status.label("status"),
        utc_text(EarlyWarning.last_at).label("last_at"),
    ).where(
        EarlyWarning.status == "open",
        EarlyWarning.geom.op("&&")(request.tile.bbox()),
        visible_warnings(request.actor),
    )
    region = request.params.get("region")
    if region is not None:
        statement = statement.where(touching(parse_prefix(region, "region")))
    category = request.params.get("category")
    if category is not None:
        if len(category) > 48 or not _CATEGORY.match(category):
            raise BadInput(
                f"category must be an event category code or kind (e.g. city.sanitation, "
                f"city), got {category!r}",
                argument="category",
            )
        statement = statement.where(
            or_(
                EarlyWarning.category_code == category,
                EarlyWarning.category_code.startswith(category + "."),
            )
        )
    return statement


LAYER = TileLayer(
    key="warnings",
    title="风险预警 Early warnings",
    features=warning_features,
    fields={
        "category_code": "String",
        "members": "Number",
        "status": "String",
        "last_at": "String",
    },
    description="Open early warnings (clusters of reports of one category) touching where "
    "you may read events, at the centroid of their members; the feature id is the "
    "warning's id, members how many reports it holds, last_at its latest report (UTC).",
    maxzoom=MAXZOOM,
    params={
        "region": "a region or grid code (6, 9, 12 or 15 digits): warnings with a member inside it",
        "category": "an event category code, or a kind (city): its categories",
    },
)
