"""Generated requests from the OpenAPI (schemathesis + Hypothesis): never a 5xx, never a traceback.

Every operation of /openapi.json gets :data:`EXAMPLES` generated requests (valid and
edge-case paths, queries and bodies) as a supervisor (users' routes as the admin),
on the populated world of the other tests.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server.conftest import World

#: generated requests per operation (about 30 operations: bounded to ~1 min per database)
EXAMPLES = 25


def test_generated_requests_never_get_a_server_error(world: World) -> None:
    app = world.client.app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    n_ops = n_calls = 0
    for result in schema.get_all_operations():
        op = result.ok()
        who = "root" if op.path.startswith("/api/users") else "sam"
        headers = world.as_(who)
        n_ops += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(op.as_strategy())
        def run(case: schemathesis.Case) -> None:
            nonlocal n_calls
            n_calls += 1
            r = case.call(headers=headers)  # noqa: B023 (run() is called in this iteration)
            if r.status_code >= 500 or "Traceback" in r.text:
                failures.append(f"{case.method} {case.path} -> {r.status_code}: {r.text[:200]}")

        run()
    app.state.jobs.wait()  # type: ignore[attr-defined]
    assert n_ops >= 25 and n_calls >= n_ops
    print(f"{n_ops} operations, {n_calls} generated requests")
    assert failures == [], "\n".join(failures[:20])


def test_openapi_and_docs_are_served(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    paths = set(spec["paths"])
    for p in (
        "/api/cases",
        "/api/cases/{case}",
        "/api/cases/{case}/surveys",
        "/api/cases/{case}/sources",
        "/api/cases/{case}/notes",
        "/api/cases/{case}/products",
        "/api/jobs/{job_id}",
    ):
        assert p in paths
    r = world.client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
