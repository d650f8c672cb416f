"""The pages people use, served by the app from its own files (no CDN: a deployment
without internet works): ``/console`` (the command centre: big screen and event desk) and
``/report`` (the citizen's page).

The pages are ``web/app/*.html``; their scripts and styles are our own ES modules in
``web/app/src`` (served under ``/app/src``) and the libraries they import — MapLibre GL JS,
ECharts, the graphql-ws client — which ``make install`` puts in ``web/app/node_modules``
with ``npm ci``, pinned by ``web/app/package-lock.json``, served under ``/app/lib`` (only
the files in ``LIBRARY_FILES``). Without them the pages answer 503 saying so.

Every page and file carries a Content-Security-Policy that lets the browser reach this
origin only.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from schema.graphiql import NodeModulesFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "app"
PAGES = {"/console": "console.html", "/report": "report.html"}

#: the library files a page may load, as patterns of paths under node_modules
LIBRARY_FILES = (
    "maplibre-gl/dist/maplibre-gl.mjs",
    "maplibre-gl/dist/maplibre-gl-shared.mjs",
    "maplibre-gl/dist/maplibre-gl-worker.mjs",
    "maplibre-gl/dist/maplibre-gl.css",
    "echarts/dist/echarts.esm.min.mjs",
    "graphql-ws/dist/client.js",
    "graphql-ws/dist/common-*.js",
)
#: one file of each library, to tell whether they are installed
PROBES = (
    "maplibre-gl/dist/maplibre-gl.mjs",
    "echarts/dist/echarts.esm.min.mjs",
    "graphql-ws/dist/client.js",
)

#: this origin only: MapLibre's worker starts from a blob, charts and maps draw into
#: canvases (data: and blob: images), styles set inline by the libraries
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "child-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def missing_libraries(web_dir: Path = WEB_DIR) -> list[str]:
    """The library files that are not installed (empty when all are)."""
    return [name for name in PROBES if not (web_dir / "node_modules" / name).is_file()]


def _not_installed(web_dir: Path, missing: list[str]) -> PlainTextResponse:
    return PlainTextResponse(
        f"The pages' libraries are not installed ({', '.join(missing)} missing under "
        f"{web_dir / 'node_modules'}). Run `make install` (or `npm ci` in {web_dir}) "
        "and reload.\n",
        status_code=503,
    )


def _secured(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


def _revalidated(response: Response) -> Response:
    """A file the browser asks about again (ETag) before each use: a new release shows."""
    response.headers["Cache-Control"] = "no-cache"
    return _secured(response)


def page_endpoint(
    filename: str, web_dir: Path = WEB_DIR
) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        missing = missing_libraries(web_dir)
        if missing:
            return _secured(_not_installed(web_dir, missing))
        body = (web_dir / filename).read_text(encoding="utf-8")
        return _secured(HTMLResponse(body, headers={"Cache-Control": "no-cache"}))

    return page


class _Files(StaticFiles):
    """Static files that revalidate (ETag) and carry the security headers."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        return _revalidated(await super().get_response(path, scope))


class LibraryFiles(NodeModulesFiles):
    """The files of ``LIBRARY_FILES`` from node_modules, nothing else of it."""

    def __init__(self, web_dir: Path = WEB_DIR) -> None:
        super().__init__(
            web_dir,
            lambda name: any(fnmatch.fnmatchcase(name, p) for p in LIBRARY_FILES),
            lambda: (
                _not_installed(web_dir, missing)
                if (missing := missing_libraries(web_dir))
                else None
            ),
        )

    async def get_response(self, path: str, scope: Scope) -> Response:
        return _revalidated(await super().get_response(path, scope))


def page_routes(web_dir: Path = WEB_DIR) -> list[BaseRoute]:
    """``/console``, ``/report`` and the files they load (``/app/src``, ``/app/lib``)."""
    routes: list[BaseRoute] = [
        Route(path, page_endpoint(filename, web_dir), methods=["GET", "HEAD"])
        for path, filename in PAGES.items()
    ]
    routes.append(Mount("/app/src", _Files(directory=web_dir / "src"), name="app-src"))
    routes.append(Mount("/app/lib", LibraryFiles(web_dir), name="app-lib"))
    return routes
