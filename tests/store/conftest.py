"""Store fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from scripts/postgres-test.sh (a throwaway cluster on 127.0.0.1,
started once per session, stopped at its end), or from $OLFATO_TEST_DATABASE_URL
(a server you run; each test gets a fresh database there). Where PostgreSQL is not
installed the PostgreSQL variants skip, saying so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.store.analysis import Analysis, demo_analysis

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "postgres-test.sh"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return demo_analysis(tmp_path_factory.mktemp("analysis"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Admin URL of a PostgreSQL server for the tests (skips where none can be had)."""
    given = os.environ.get("OLFATO_TEST_DATABASE_URL")
    if given:
        yield given
        return
    folder = tempfile.mkdtemp(prefix="olfato-pg-", dir="/tmp")  # readable by the server's user
    proc = subprocess.run(
        ["bash", str(SCRIPT), "start", folder, str(_free_port())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if proc.returncode == 3:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(
            "PostgreSQL is not installed (no initdb/pg_ctl); `make test` installs it as root "
            "through scripts/install-system-deps.sh"
        )
    if proc.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start the test PostgreSQL server:\n{proc.stderr}")
    try:
        yield proc.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", folder], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


_numbers = count(1)


def fresh_postgres_database(admin_url: str) -> str:
    """Create an empty database on the test server; returns its URL."""
    name = f"olfato_t{os.getpid()}_{next(_numbers)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Workspace:
    """An empty workspace whose database is SQLite, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return Workspace.locate(tmp_path / "ws")
    admin = request.getfixturevalue("postgres_server")
    return Workspace.locate(tmp_path / "ws", fresh_postgres_database(admin))


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    s = Store(workspace)
    yield s
    s.close()
