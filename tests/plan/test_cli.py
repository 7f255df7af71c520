"""`olfato plan area` and `olfato plan next` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app
from olfato.plan import read_qgc_plan

from .helpers import FRAME, rect, sources_geojson, write_polygon

runner = CliRunner()


def test_plan_area_writes_plans_kml_geojson_and_preview(tmp_path: Path) -> None:
    area = write_polygon(tmp_path / "area.geojson", rect(-300, 300, -250, 250))
    out = tmp_path / "survey.plan"
    args = ["plan", "area", str(area), "--wind-from", "270", "--alt", "20", "--spacing", "60"]
    args += ["--out", str(out), "--endurance", "600", "--plot", str(tmp_path / "area.png")]
    args += ["--kml", str(tmp_path / "area.kml"), "--geojson", str(tmp_path / "area.gj")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    plans = sorted(tmp_path.glob("survey_*.plan"))
    assert len(plans) >= 2 and "coverage sortie 1/" in res.output
    assert all(read_qgc_plan(p).waypoints[0, 2] == 20.0 for p in plans)
    assert (tmp_path / "area.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "area.kml").stat().st_size > 0
    assert json.loads((tmp_path / "area.gj").read_text())["type"] == "FeatureCollection"


def test_plan_next_from_a_sources_geojson(tmp_path: Path) -> None:
    src = tmp_path / "sources.geojson"
    src.write_text(json.dumps(sources_geojson([{"id": "S1", "east_m": -100.0, "north_m": 0.0}])))
    lat, lon = FRAME.to_wgs84([300.0], [0.0])
    out = tmp_path / "next.plan"
    args = ["plan", "next", str(src), "--out", str(out), "--wind-from", "270"]
    args += ["--wind-speed", "4", "--home", f"{lat[0]:.7f},{lon[0]:.7f}"]
    args += ["--plot", str(tmp_path / "next.png")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "S1: 95% ellipse semi-major 60 m now" in res.output
    mission = read_qgc_plan(out)
    assert abs(mission.home[0] - lat[0]) < 1e-6 and len(mission.waypoints) > 3
    assert (tmp_path / "next.png").exists()


def test_bad_input_is_one_paragraph_not_a_traceback(tmp_path: Path) -> None:
    area = write_polygon(tmp_path / "area.geojson", rect(-300, 300, -250, 250))
    res = runner.invoke(
        app,
        [
            "plan",
            "area",
            str(area),
            "--wind-from",
            "270",
            "--alt",
            "20",
            "--spacing",
            "-5",
            "--out",
            str(tmp_path / "x.plan"),
        ],
    )
    assert res.exit_code == 1
    assert "line spacing must be > 0 m" in res.output and "Traceback" not in res.output
    assert "(option --spacing)" in res.output
    src = tmp_path / "s.geojson"
    src.write_text(json.dumps(sources_geojson([{"id": "S1", "east_m": 0.0, "north_m": 0.0}])))
    res = runner.invoke(app, ["plan", "next", str(src), "--out", str(tmp_path / "n.plan")])
    assert res.exit_code == 1 and "the wind must be given" in res.output
    assert "(option --wind-from)" in res.output
    res = runner.invoke(
        app,
        [
            "plan",
            "next",
            str(src),
            "--out",
            str(tmp_path / "n.plan"),
            "--wind-from",
            "270",
            "--wind-speed",
            "4",
            "--home",
            "north",
        ],
    )
    assert res.exit_code == 1 and "home point must be LAT,LON" in res.output
    assert "(option --home)" in res.output


def test_plan_next_from_a_survey_locates_then_plans_from_its_take_off_point(
    tmp_path: Path,
) -> None:
    from olfato.simulate import simulate

    repo = Path(__file__).resolve().parents[2]
    sim = simulate(repo / "scenarios" / "waypoints_steady.yaml", seed=0)
    survey = tmp_path / "survey.csv"
    sim.samples.to_csv(survey, index=False)
    out = tmp_path / "next.plan"
    res = runner.invoke(app, ["plan", "next", str(survey), "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "expected after the flight" in res.output
    mission = read_qgc_plan(out)
    first = sim.samples.iloc[0]
    assert abs(mission.home[0] - first["lat"]) < 1e-6
    assert abs(mission.home[1] - first["lon"]) < 1e-6
    assert mission.commands[0] == 22 and mission.commands[-1] == 20


def test_plan_next_records_the_plan_in_a_case(tmp_path: Path) -> None:
    """`plan next --case` records a plan run with its files (issue 14)."""
    from sqlalchemy import select

    from olfato.store import models as m
    from olfato.store.db import open_store

    ws = tmp_path / "ws"
    assert runner.invoke(app, ["case", "new", "sonora", "--workspace", str(ws)]).exit_code == 0
    sources = tmp_path / "sources.geojson"
    sources.write_text(
        json.dumps(sources_geojson([{"id": "S1", "east_m": -100.0, "north_m": 0.0}]))
    )
    lat, lon = FRAME.to_wgs84([300.0], [0.0])
    out, kml = tmp_path / "next.plan", tmp_path / "next.kml"
    args = ["plan", "next", str(sources), "--out", str(out), "--kml", str(kml)]
    args += ["--wind-from", "270", "--wind-speed", "4", "--home", f"{lat[0]:.7f},{lon[0]:.7f}"]
    args += ["--case", "sonora", "--workspace", str(ws), "--quiet"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "plan v1 recorded in case sonora (case): 2 file(s)" in res.output
    with open_store(ws) as store, store.read() as s:
        run = s.scalar(select(m.Run).where(m.Run.stage == "plan"))
        assert run is not None and run.subject == "case" and run.parameters["goal_m"] == 25.0
        plans = list(s.scalars(select(m.Plan).order_by(m.Plan.id)))
        assert [(p.format, Path(p.path).name) for p in plans] == [
            ("plan", "next.plan"),
            ("kml", "next.kml"),
        ]


def test_every_parameter_a_plan_error_names_has_its_flag() -> None:
    """Library errors name parameters; each must map to exactly one flag of the CLI."""
    import re

    import typer

    from olfato.cli import option_for

    root = typer.main.get_command(app)
    sources = [
        *(Path(__file__).resolve().parents[2] / "olfato" / "plan").glob("*.py"),
        Path(__file__).resolve().parents[2] / "olfato" / "survey" / "lines.py",
    ]
    named = set()
    for path in sources:
        named |= set(re.findall(r'parameter="(\w+)"', path.read_text(encoding="utf-8")))
    expected = {
        "home": "--home",
        "spacing_m": "--spacing",
        "margin_m": "--margin",
        "alt_m": "--alt",
        "speed_ms": "--speed",
        "endurance_s": "--endurance",
        "reserve": "--reserve",
        "wind_from_deg": "--wind-from",
        "wind_speed_ms": "--wind-speed",
        "stability": "--stability",
        "min_alt_m": "--min-alt",
        "max_alt_m": "--max-alt",
        "goal_m": "--goal",
        "survey": "--survey",
    }
    assert named <= set(expected), named - set(expected)
    assert {p: option_for(root, p) for p in named} == {p: expected[p] for p in named}
