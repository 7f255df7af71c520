"""Server fixtures: a store with one account of each role and two analysed cases, served by
the app through httpx (Starlette's TestClient); on SQLite and on PostgreSQL (the store
tests' throwaway server, skipping where PostgreSQL is not installed)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from olfato.casework.surveys import record_analysis
from olfato.report.make import make_exports
from olfato.server.app import create_app
from olfato.store import models as m
from olfato.store.accounts import add_user, issue_token
from olfato.store.cases import add_note, new_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace, acting_as
from tests.store.analysis import Analysis, demo_analysis
from tests.store.conftest import fresh_postgres_database, postgres_server  # noqa: F401

PASSWORDS = {
    "ana": "analyst-password-1",
    "sam": "supervisor-password-1",
    "mx": "partner-mx-password",
    "co": "partner-co-password",
    "root": "admin-password-12",
}
ROLES = {"ana": "analyst", "sam": "supervisor", "mx": "partner", "co": "partner", "root": "admin"}
PARTNERS = {"mx": "MX", "co": "CO"}


@dataclass
class World:
    """A served store: tokens by account, the ids of what the two cases hold."""

    client: TestClient
    store: Store
    tokens: dict[str, str]
    ids: dict[str, int] = field(default_factory=dict)
    csv: Path = Path()

    def as_(self, name: str | None) -> dict[str, str]:
        """Headers of a bearer-token request as ``name`` (None: nobody)."""
        return {} if name is None else {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture(scope="session")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return demo_analysis(tmp_path_factory.mktemp("analysis"))


def populate(store: Store, a: Analysis) -> tuple[dict[str, str], dict[str, int]]:
    """Accounts of every role; cases 'alpha' (analysed, a note, products released to MX
    and to CO, an internal one) and 'beta' (analysed, its own note)."""
    tokens = {}
    for name, role in ROLES.items():
        add_user(store, name, role, PASSWORDS[name], PARTNERS.get(name))
        tokens[name] = issue_token(store, name)
    ids: dict[str, int] = {}
    with acting_as("ana"):
        for case in ("alpha", "beta"):
            ids[case] = new_case(store, case)
            added = record_analysis(store, case, a.csv, a.survey, a.hits, a.sources)
            ids[f"{case}.survey"] = added.survey_id
            ids[f"{case}.note"] = add_note(
                store, case, f"internal note of {case}", lang="en", internal=True
            )
        ids["alpha.internal"] = make_exports(store, "alpha", kinds=("csv",))[0].id
        ids["alpha.mx"] = make_exports(store, "alpha", releasable_to=["MX"], kinds=("geojson",))[
            0
        ].id
        ids["alpha.co"] = make_exports(store, "alpha", releasable_to=["CO"], kinds=("kml",))[0].id
    return tokens, ids


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Workspace:
    if request.param == "sqlite":
        return Workspace.locate(tmp_path / "ws")
    admin = request.getfixturevalue("postgres_server")
    return Workspace.locate(tmp_path / "ws", fresh_postgres_database(admin))


@pytest.fixture
def world(workspace: Workspace, analysis: Analysis) -> Iterator[World]:
    store = Store(workspace)
    tokens, ids = populate(store, analysis)
    app = create_app(store=store, jobs="thread", workers=1, max_upload_bytes=2_000_000)
    with TestClient(app) as client:
        yield World(client, store, tokens, ids, analysis.csv)
    store.close()


def wait_job(w: World, job_id: int, who: str = "ana", timeout_s: float = 300) -> dict[str, object]:
    """Poll a job until it is done or failed."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        j: dict[str, object] = w.client.get(f"/api/jobs/{job_id}", headers=w.as_(who)).json()
        if j["state"] in ("done", "failed"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def count_rows(store: Store, model: type[m.Base]) -> int:
    from sqlalchemy import func, select

    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)
