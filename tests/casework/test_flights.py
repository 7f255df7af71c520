"""`case add` of a payload log holding three flights, with a wind log per flight."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from olfato.cli import app
from olfato.store.cases import load_case
from olfato.store.db import open_store
from tests.survey.test_payload_logs import MAPPING, make_payload


@pytest.mark.slow
def test_case_add_adds_each_flight_with_its_wind_log(tmp_path: Path) -> None:
    mapping = tmp_path / "dfrobot.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    csv, winds, truths = make_payload(tmp_path)
    ws = tmp_path / "ws"
    runner = CliRunner()
    env = {"OLFATO_WORKSPACE": str(ws)}
    assert runner.invoke(app, ["case", "new", "sonora"], env=env).exit_code == 0
    args = ["case", "add", "sonora", str(csv), "-m", str(mapping)]
    for w, _ in winds:
        args += ["--wind", str(w)]
    r = runner.invoke(app, args, env=env)
    assert r.exit_code == 0, r.output
    with open_store(ws) as store:
        view = load_case(store, "sonora")
    names = sorted(sv.survey.name for sv in view.surveys)
    assert names == [f"SENSOR.CSV (flight {n})" for n in (1, 2, 3)]
    assert sorted(sv.survey.n_samples for sv in view.surveys) == sorted(len(t) for t in truths)
    # two wind logs for one file of three flights: which goes where is unclear
    r = runner.invoke(
        app, [*args[:6], "--wind", str(winds[0][0]), "--wind", str(winds[1][0])], env=env
    )
    assert r.exit_code == 1 and "one --wind for all, one per file, or one per flight" in r.output
