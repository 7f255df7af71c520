"""`olfato locate SURVEY --out sources.geojson --plot map.png`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from olfato.cli import app

from .conftest import Flight


def test_locate_writes_geojson_and_map(one_lab: Flight, tmp_path: Path) -> None:
    out, png = tmp_path / "sources.geojson", tmp_path / "map.png"
    r = CliRunner().invoke(
        app, ["locate", str(one_lab.path), "--out", str(out), "--plot", str(png), "-q"]
    )
    assert r.exit_code == 0, r.output
    gj = json.loads(out.read_text())
    assert len(gj["features"]) == 1 and gj["features"][0]["properties"]["suspect"] is True
    assert png.stat().st_size > 20_000
    assert "1 suspect" in r.output


def test_locate_without_plumes_says_so(no_plume: Flight, tmp_path: Path) -> None:
    out = tmp_path / "sources.geojson"
    r = CliRunner().invoke(app, ["locate", str(no_plume.path), "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert "no plume" in r.output
    assert json.loads(out.read_text())["features"] == []


def test_missing_file_is_one_paragraph(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["locate", str(tmp_path / "nope.csv")])
    assert r.exit_code != 0
    assert "Traceback" not in r.output and "nope.csv" in r.output


def test_a_threshold_that_is_no_probability_names_its_flag(one_lab: Flight) -> None:
    r = CliRunner().invoke(app, ["locate", str(one_lab.path), "--min-p-suspect", "1.5", "-q"])
    assert r.exit_code == 1
    assert "min_probability_suspect must be a probability" in r.output
    assert "--min-p-suspect" in r.output and "Traceback" not in r.output


def test_a_calm_flight_reports_its_hits_and_refuses_to_locate(
    one_lab: Flight, tmp_path: Path
) -> None:
    import pandas as pd

    calm = tmp_path / "calm.csv"
    pd.read_csv(one_lab.path).assign(wind_speed_ms=0.0).to_csv(calm, index=False)
    r = CliRunner().invoke(app, ["locate", str(calm), "-q"])
    assert r.exit_code == 1
    assert "hit(s)" in r.output and "too calm" in r.output
    assert "Traceback" not in r.output
