"""GraphiQL at ``/graphql`` from the project's own files, not a CDN: it works offline.

The page is ``web/graphiql/graphiql.html``; the scripts and styles it loads (React,
ReactDOM, GraphiQL with graphql-ws bundled, the explorer plugin: UMD builds, no bundler)
are what ``make install`` puts in ``web/graphiql/node_modules`` with ``npm ci``, pinned
by ``web/graphiql/package-lock.json``. ``GraphiQLAssets`` serves just those files under
``STATIC_PATH``. Without them the server still starts; the page answers 503 saying so.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

WEB_DIR = Path(__file__).resolve().parent.parent / "web" / "graphiql"
STATIC_PATH = "/graphiql/static"
PLACEHOLDER = "{{static}}"

# What the page loads, by path under node_modules (and under STATIC_PATH)
ASSETS = frozenset(
    {
        "react/umd/react.production.min.js",
        "react-dom/umd/react-dom.production.min.js",
        "graphiql/graphiql.min.js",
        "graphiql/graphiql.min.css",
        "@graphiql/plugin-explorer/dist/index.umd.js",
        "@graphiql/plugin-explorer/dist/style.css",
    }
)


def missing_assets(web_dir: Path = WEB_DIR) -> list[str]:
    """The page's files that are not installed, sorted (empty when all are)."""
    return sorted(name for name in ASSETS if not (web_dir / "node_modules" / name).is_file())


def not_installed(web_dir: Path, missing: list[str]) -> PlainTextResponse:
    return PlainTextResponse(
        f"GraphiQL's files are not installed ({len(missing)} missing under "
        f"{web_dir / 'node_modules'}, e.g. {missing[0]}). Run `make install` "
        f"(or `npm ci` in {web_dir}) and reload.\n",
        status_code=503,
    )


def render_page(request: Request, web_dir: Path = WEB_DIR) -> Response:
    """The GraphiQL page, its files referenced on this server; 503 when not installed."""
    missing = missing_assets(web_dir)
    if missing:
        return not_installed(web_dir, missing)
    template = (web_dir / "graphiql.html").read_text(encoding="utf-8")
    static = html.escape(request.scope.get("root_path", "").rstrip("/") + STATIC_PATH)
    return HTMLResponse(template.replace(PLACEHOLDER, static))


class NodeModulesFiles(StaticFiles):
    """Some files of ``web_dir/node_modules`` (those ``allowed`` names), nothing else of
    it; ``missing()`` answers for an allowed file that is not there (a 503 saying how to
    install, or None: 404)."""

    def __init__(
        self,
        web_dir: Path,
        allowed: Callable[[str], bool],
        missing: Callable[[], Response | None],
    ) -> None:
        self.web_dir = web_dir
        self.allowed = allowed
        self.missing = missing
        super().__init__(directory=web_dir / "node_modules", check_dir=False)

    async def check_config(self) -> None:
        """Not installed is answered per request (503), not with an exception."""
        if (self.web_dir / "node_modules").is_dir():
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        name = path.replace("\\", "/")
        if ".." in name.split("/") or not self.allowed(name):
            raise HTTPException(status_code=404)
        if not (self.web_dir / "node_modules" / name).is_file():
            answer = self.missing()
            if answer is None:
                raise HTTPException(status_code=404)
            return answer
        return await super().get_response(path, scope)


class GraphiQLAssets(NodeModulesFiles):
    """The files of ``ASSETS`` from node_modules, nothing else of it."""

    def __init__(self, web_dir: Path = WEB_DIR) -> None:
        super().__init__(
            web_dir, ASSETS.__contains__, lambda: not_installed(web_dir, missing_assets(web_dir))
        )
