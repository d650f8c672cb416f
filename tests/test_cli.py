"""The ``gridgov`` command line, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from core.database.cluster import ClusterError, find_binaries
from core.database.engine import make_engine
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    args: list[str],
    url: str,
    stdin: str = "",
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GRIDGOV_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", "from server.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


async def accounts(url: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(url, Settings(database_url=url))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT username, role, region_code FROM account ORDER BY id"))
        ).all()
    await engine.dispose()
    return [tuple(r) for r in rows]


async def test_user_add_with_password_on_stdin(db_url) -> None:
    result = run_cli(
        ["user", "add", "Li.Si", "--role", "admin", "--name", "李四", "--password-stdin"],
        db_url,
        stdin="a-good-password-42\n",
    )
    assert "added li.si" in result.stderr
    assert await accounts(db_url) == [("li.si", "admin", None)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "emperor"], "unknown role 'emperor'"),
        (["--role", "township_staff"], "needs a region"),
        (["--role", "township_staff", "--region", "51150410"], "division code"),
        (["--role", "township_staff", "--region", "511504101000"], "no region has the code"),
        (["--role", "department_staff"], "needs a department"),
    ],
)
async def test_user_add_refuses_bad_input_and_writes_nothing(db_url, args, message) -> None:
    result = run_cli(
        ["user", "add", "wang", "--password-stdin", *args],
        db_url,
        stdin="a-good-password-42\n",
        check=False,
    )
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert await accounts(db_url) == []


async def test_user_add_refuses_short_password_and_missing_stdin_flag(db_url) -> None:
    short = run_cli(
        ["user", "add", "wang", "--role", "admin", "--password-stdin"],
        db_url,
        stdin="short\n",
        check=False,
    )
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    no_flag = run_cli(["user", "add", "wang", "--role", "admin"], db_url, check=False)
    assert no_flag.returncode == 1 and "--password-stdin" in no_flag.stderr
    duplicate = run_cli(
        ["user", "add", "wang", "--role", "admin", "--password-stdin"],
        db_url,
        stdin="a-good-password-42\n",
    )
    again = run_cli(
        ["user", "add", "wang", "--role", "admin", "--password-stdin"],
        db_url,
        stdin="a-good-password-42\n",
        check=False,
    )
    assert duplicate.returncode == 0 and "is taken" in again.stderr


def test_missing_postgres_or_postgis_is_one_clear_message(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ClusterError, match="apt-get install postgresql postgresql-15-postgis-3"):
        find_binaries(search_root=tmp_path / "none")
    bindir = tmp_path / "lib" / "99" / "bin"  # no /usr/share/postgresql/99
    bindir.mkdir(parents=True)
    for name in ("initdb", "pg_ctl"):
        (bindir / name).write_text("")
    with pytest.raises(ClusterError, match="PostGIS is not installed"):
        find_binaries(search_root=tmp_path / "lib")


def test_schema_export_prints_the_sdl(tmp_path: Path) -> None:
    result = run_cli(["schema", "export"], "postgresql+asyncpg://unused@/x")
    assert "type Query" in result.stdout and "type Grid" in result.stdout
