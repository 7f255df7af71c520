"""Generic runs: plans recorded with their run, failed runs, and the input key a batch uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from olfato.casework.plans import record_plan
from olfato.casework.surveys import record_analysis
from olfato.store import models as m
from olfato.store import records
from olfato.store.cases import get_case, load_case, new_case
from olfato.store.db import Store
from olfato.store.workspace import sha256_file
from tests.store.analysis import Analysis


def _files(tmp_path: Path) -> list[Path]:
    plan = tmp_path / "next.plan"
    plan.write_text('{"fileType": "Plan"}', encoding="utf-8")
    kml = tmp_path / "next.kml"
    kml.write_text("<kml/>", encoding="utf-8")
    return [plan, kml]


def test_plan_is_a_run_on_the_survey_it_came_from(
    store: Store, analysis: Analysis, tmp_path: Path
) -> None:
    new_case(store, "c")
    added = record_analysis(
        store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources
    )
    files = _files(tmp_path)
    params = {"goal_m": 25.0, "alt_m": 20.0}
    first = record_plan(
        store, "c", files, parameters=params, inputs={"survey": analysis.csv}, survey=analysis.csv
    )
    second = record_plan(
        store,
        "c",
        files[:1],
        parameters=params,
        inputs={"survey": analysis.csv},
        survey=analysis.csv,
    )
    assert first.subject == second.subject == f"survey:{added.survey_id}"
    assert (first.version, second.version) == (1, 2)
    with store.read() as s:
        plans = list(s.scalars(select(m.Plan).order_by(m.Plan.id)))
        run = s.get(m.Run, first.run_id)
        assert run is not None and run.stage == "plan" and run.survey_id == added.survey_id
        assert run.inputs == {"survey": sha256_file(analysis.csv)}
    assert [p.format for p in plans] == ["plan", "kml", "plan"]
    assert plans[0].sha256 == sha256_file(files[0]) and plans[0].run_id == first.run_id
    actions = [a.action for a in load_case(store, "c").audit]
    assert actions[-5:] == ["run.plan", "plan.add", "plan.add", "run.plan", "plan.add"]
    # a plan from sources alone is a run on the case
    alone = record_plan(store, "c", files, parameters=params, inputs={})
    assert alone.subject == "case" and alone.version == 1


def test_failed_runs_and_the_input_key(store: Store) -> None:
    new_case(store, "c")
    inputs, params = {"survey": "ab" * 32}, {"false_alarms_per_hour": 0.2}
    key = records.input_key("detect", inputs, params)
    # the key does not depend on the order of the keys, and does on every value
    assert key == records.input_key("detect", dict(reversed(inputs.items())), params)
    assert key != records.input_key("detect", inputs, {"false_alarms_per_hour": 0.5})
    assert key != records.input_key("locate", inputs, params)
    now = datetime.now(UTC)
    with store.write() as s:
        case = get_case(s, "c")
        failed = records.add_run(
            s,
            case,
            stage="detect",
            subject="file:flight-7.csv",
            parameters=params,
            inputs=inputs,
            started_at=now,
            status="failed",
            error="flight-7.csv, line 12: not a number",
        )
        assert failed.survey_id is None and failed.input_key == key
        # a failed run is not work done: a batch tries it again
        assert records.recorded_run(s, case, key) is None
        done = records.add_run(
            s,
            case,
            stage="detect",
            subject="file:flight-7.csv",
            parameters=params,
            inputs=inputs,
            started_at=now,
        )
        assert done.version == 2
        found = records.recorded_run(s, case, key)
        assert found is not None and found.id == done.id
        with pytest.raises(ValueError, match="status must be one of"):
            records.add_run(
                s,
                case,
                stage="x",
                subject="case",
                parameters={},
                inputs={},
                started_at=now,
                status="half",
            )
