"""The Citus tests' cluster: a coordinator and two workers, private to the session
(``make test-citus`` installs Citus first; without it these tests cannot run)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from core.database.citus import CitusCluster, citus_available
from tests.pg import THROWAWAY


@pytest.fixture(scope="session")
def citus() -> Iterable[CitusCluster]:
    if not citus_available():
        pytest.fail("Citus is not installed: run `make test-citus` (it says what it needs)")
    folder = Path(tempfile.mkdtemp(prefix="gg-citus-"))
    folder.chmod(0o755)  # the postgres account (when root) must reach the data folders
    cluster = CitusCluster(folder, workers=2, settings=THROWAWAY)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)
