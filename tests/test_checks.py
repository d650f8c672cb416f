"""The layer contracts and the type checker that `make test` runs do fail on a violation:
each is run on a copy of the code with one deliberate fault planted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "authz", "schema", "plugins", "server")
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packages and pyproject.toml, for planting faults in."""
    root = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "tests")
        )
    shutil.copy(ROOT / "pyproject.toml", root)
    return root


def run(tool: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / tool)] + (["--no-cache"] if tool == "lint-imports" else [])
    env = {"PATH": str(BIN), "PYTHONPATH": str(cwd), "HOME": str(cwd)}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def plant(path: Path, line: str) -> str:
    before = path.read_text()
    path.write_text(before + "\n\n" + line + "\n")
    return before


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the core reaching up into the schema, dodged inside a function
        (
            "core/services/events.py",
            "def _up() -> None:\n    from schema.errors import error_code  # noqa: F401",
            "core is not allowed to import schema",
        ),
        # authorization reaching up into the server
        (
            "authz/scope.py",
            "import server.app  # noqa: F401,E402",
            "authz is not allowed to import",
        ),
        # one plugin importing another
        (
            "plugins/party_building/__init__.py",
            "from plugins.attendance import models  # noqa: F401,E402",
            "Plugins never import each other BROKEN",
        ),
    ],
)
def test_import_linter_fails_on_a_layer_violation(
    tree: Path, module: str, line: str, broken: str
) -> None:
    assert run("lint-imports", tree).returncode == 0
    target = tree / module
    before = plant(target, line)
    try:
        found = run("lint-imports", tree)
    finally:
        target.write_text(before)
    assert found.returncode != 0 and broken in found.stdout, found.stdout[-2000:]


def test_mypy_fails_on_a_type_error(tree: Path) -> None:
    target = tree / "core" / "runtime.py"
    before = plant(target, 'def _port() -> int:\n    return "8000"')
    try:
        found = run("mypy", tree)
    finally:
        target.write_text(before)
    assert found.returncode != 0, found.stdout
    assert "core/runtime.py" in found.stdout and "[return-value]" in found.stdout


def test_every_type_ignore_names_its_error_code_and_says_why() -> None:
    pattern = re.compile(r"# type: ignore\[[a-z-]+(, [a-z-]+)*\]  # \S")
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "type: ignore" in line and not pattern.search(line)
    ]
    assert not bare, "type: ignore without [code]  # reason: " + ", ".join(bare)
