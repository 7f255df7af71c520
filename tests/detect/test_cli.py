"""`olfato detect` end to end on a simulated turbulent flight, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from olfato.cli import app
from olfato.detect import detect
from olfato.errors import OlfatoError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.simulate import simulate
from olfato.survey.io import read_survey
from tests.detect.synthetic import make_survey

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture(scope="module")
def two_labs(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("two_labs")
    sim = simulate(REPO / "scenarios" / "two_labs.yaml", seed=3)
    sim.write(out)
    return sim, out / "survey.csv"


def _true_crossings(sim) -> list[tuple[int, int, float]]:
    noise = {s["analyte"]: s["noise"] * UNIT_TO_PPB[s["unit"]] for s in sim.truth["sensors"]}
    out = []
    for src in sim.truth["sources"]:
        snr = sim.clean[f"{src['id']}:acetone"].to_numpy() / noise["acetone"]
        idx = np.flatnonzero(snr > 1.0)
        for run in np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1):
            out.append((int(run[0]), int(run[-1]), float(snr[run].max())))
    return out


def test_turbulent_flight_every_strong_crossing_found_and_called_a_lab(two_labs) -> None:
    sim, path = two_labs
    hits = detect(read_survey(path, quiet=True))
    spans = list(zip(hits.table["i_start"], hits.table["i_end"], strict=True))
    strong = [c for c in _true_crossings(sim) if c[2] >= 5]
    assert len(strong) >= 6
    for a, b, _ in strong:
        assert any(s <= b and a <= e for s, e in spans)
    # every hit is a real crossing, and the two labs' hits together say "lab"
    for s, e in spans:
        assert any(s <= b and a <= e for a, b, _ in _true_crossings(sim))
    group = hits.group(list(hits.table["id"]))
    assert group.classification.signature == "clandestine_lab"
    assert group.classification.suspect
    # the York ratio of toluene to acetone over all hits is near the sites' (0.35 x scatter)
    sites = [s["ratios"]["toluene"] for s in sim.truth["sources"]]
    assert min(sites) * 0.8 < group.ratios["toluene"].slope < max(sites) * 1.2


def test_cli_writes_geojson_and_plot(two_labs, tmp_path: Path) -> None:
    _, path = two_labs
    out, png = tmp_path / "hits.geojson", tmp_path / "hits.png"
    res = runner.invoke(app, ["detect", str(path), "--out", str(out), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "plume hit(s)" in res.output
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) >= 6
    f = fc["features"][0]
    lon, lat = f["geometry"]["coordinates"]
    assert -111.1 < lon < -111.0 and 29.0 < lat < 29.2
    p = f["properties"]
    for key in (
        "id", "start_time", "end_time", "peak_time", "wind_speed_ms", "wind_dir_deg", "snr",
        "acetone_peak_ppb", "acetone_peak_err_ppb", "acetone_int_ppb_s", "acetone_int_err_ppb_s",
        "acetone_int_whole_ppb_s", "acetone_int_whole_err_ppb_s",
        "signature", "signature_probabilities", "suspect",
    ):  # fmt: skip
        assert key in p
    assert p["peak_time"].endswith("+00:00")
    assert abs(sum(p["signature_probabilities"].values()) - 1.0) < 1e-4
    assert png.stat().st_size > 10_000


def test_signatures_file_adds_to_the_library(two_labs, tmp_path: Path) -> None:
    _, path = two_labs
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "version: 1\nsignatures:\n  paint_shop:\n    category: benign\n    reference: toluene\n"
        "    ratios: {toluene: 1.0, voc: 4.0, acetone: 0.5}\n    spread: 0.4\n"
    )
    out = tmp_path / "h.geojson"
    res = runner.invoke(app, ["detect", str(path), "--signatures", str(extra), "--out", str(out)])
    assert res.exit_code == 0, res.output
    probs = json.loads(out.read_text())["features"][0]["properties"]["signature_probabilities"]
    assert "paint_shop" in probs and "clandestine_lab" in probs


def test_malformed_signatures_yaml_is_one_clear_error(two_labs, tmp_path: Path) -> None:
    _, path = two_labs
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nsignatures:\n  lab:\n    category: suspect\n    reference: acetone\n"
        "    ratios: {acetone: 1.0, voc: -2}\n    spread: 0.4\n"
    )
    res = runner.invoke(app, ["detect", str(path), "--signatures", str(bad)])
    assert res.exit_code == 1
    assert "bad.yaml" in res.output and "ratios" in res.output
    assert "Traceback" not in res.output


def test_empty_survey_is_one_clear_error(tmp_path: Path) -> None:
    csv = tmp_path / "empty.csv"
    csv.write_text("time,lat,lon,alt_agl_m,wind_speed_ms,wind_dir_deg,acetone_ppb\n")
    res = runner.invoke(app, ["detect", str(csv)])
    assert res.exit_code != 0
    assert "empty.csv" in res.output and "Traceback" not in res.output


def test_all_nan_and_unknown_channels_are_reported_and_skipped() -> None:
    rng = np.random.default_rng(1)
    n = 1200
    survey = make_survey(
        {
            "acetone": 3.0 + rng.standard_normal(n),
            "toluene": np.full(n, np.nan),
            "so2": 2.0 + rng.standard_normal(n),
        }
    )
    hits = detect(survey)
    text = " ".join(hits.warnings)
    assert "'toluene'" in text and "skipped" in text
    assert "'so2'" in text and "no signature" in text
    assert hits.channels == ["acetone", "so2"]
    with pytest.raises(OlfatoError, match="no gas channel has readings"):
        detect(make_survey({"acetone": np.full(n, np.nan)}))
