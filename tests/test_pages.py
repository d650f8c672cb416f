"""The pages and their files come from the app itself: /console and /report, our modules
under /app/src, the allowed library files under /app/lib (nothing else of node_modules),
each with a policy that keeps the browser on this origin; every file a page or module
names exists and is served; without the libraries the pages say how to install them."""

from __future__ import annotations

import re
import shutil

import httpx
import pytest
from starlette.applications import Starlette

from server.pages import CSP, LIBRARY_FILES, PAGES, WEB_DIR, missing_libraries, page_routes

#: what a page or a module refers to: <script src>, <link href>, import … from, import()
REFERENCE = re.compile(
    r"""(?:src|href)="([^"]+)"|from\s+"([^"]+)"|import\(\s*[`"]([^`"$]+)[`"]\s*\)"""
)


def references(text: str) -> list[str]:
    return [next(g for g in match.groups() if g) for match in REFERENCE.finditer(text)]


def client(web_dir=WEB_DIR) -> httpx.AsyncClient:
    app = Starlette(routes=page_routes(web_dir))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_pages_and_the_files_they_name_are_served_from_this_origin() -> None:
    assert not missing_libraries(), "run `make install` (npm ci in web/app)"
    sources = [WEB_DIR / name for name in PAGES.values()] + sorted((WEB_DIR / "src").glob("*"))
    named: set[str] = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "//cdn" not in text and "https://" not in text, f"{source.name} names a host"
        for ref in references(text):
            if ref.startswith(("data:", "#")) or ref in PAGES:
                continue
            assert ref.startswith(("/app/src/", "/app/lib/")), (source.name, ref)
            named.add(ref)
    assert any(ref.startswith("/app/lib/maplibre-gl/") for ref in named)
    assert any(ref.startswith("/app/lib/echarts/") for ref in named)
    assert any(ref.startswith("/app/lib/graphql-ws/") for ref in named)
    async with client() as http:
        for path in PAGES:
            page = await http.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert page.headers["content-security-policy"] == CSP
            assert "default-src 'self'" in CSP and "connect-src 'self'" in CSP
        for ref in sorted(named):
            answer = await http.get(ref)
            assert answer.status_code == 200, ref
            kind = answer.headers["content-type"]
            assert ("javascript" in kind) if ref.endswith(("js", "mjs")) else ("css" in kind), ref
            assert answer.headers["x-content-type-options"] == "nosniff"
        # the libraries' files and nothing else of node_modules
        for path in (
            "/app/lib/maplibre-gl/package.json",
            "/app/lib/echarts/index.js",
            "/app/lib/graphql-ws/dist/../package.json",
            "/app/lib/.package-lock.json",
        ):
            assert (await http.get(path)).status_code == 404, path
        assert (await http.get("/app/src/nothing-here.js")).status_code == 404


def test_every_allowed_library_file_exists() -> None:
    installed = WEB_DIR / "node_modules"
    for pattern in LIBRARY_FILES:
        assert list(installed.glob(pattern)), f"{pattern} matches no installed file"


@pytest.mark.parametrize("path", [*PAGES, "/app/lib/maplibre-gl/dist/maplibre-gl.mjs"])
async def test_without_the_libraries_the_pages_say_how_to_install_them(tmp_path, path) -> None:
    for name in PAGES.values():
        shutil.copy(WEB_DIR / name, tmp_path / name)
    (tmp_path / "src").mkdir()
    async with client(tmp_path) as http:
        answer = await http.get(path)
    assert answer.status_code == 503
    assert "make install" in answer.text and "maplibre-gl" in answer.text
