"""Small simulated flights for the locate tests (turbulent unless stated), cached per session."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from olfato.detect import detect
from olfato.simulate import simulate
from olfato.simulate.scenario import scenario_from_dict
from olfato.survey.io import read_survey

SENSORS = [
    {
        "analyte": "acetone",
        "unit": "ppb",
        "response_time_s": 2,
        "noise": 1.0,
        "background": 3,
        "resolution": 0.1,
    },
    {
        "analyte": "voc",
        "unit": "ppb",
        "response_time_s": 1,
        "noise": 4.0,
        "background": 25,
        "resolution": 1,
    },
    {
        "analyte": "toluene",
        "unit": "ppb",
        "response_time_s": 2,
        "noise": 0.3,
        "background": 0.6,
        "resolution": 0.05,
    },
]

ONE_LAB: dict[str, Any] = {
    "name": "one_lab",
    "origin": {"lat": 29.095, "lon": -111.042},
    "start_time": "2024-03-14T15:30:00-07:00",
    "area": {"width_m": 400, "height_m": 360},
    "mode": "turbulent",
    "stability": "D",
    "wind": {"speed_ms": 4.0, "direction_deg": 270, "meander_deg": 10, "meander_timescale_s": 60},
    "sources": [
        {
            "id": "lab1",
            "east_m": -130,
            "north_m": 20,
            "height_m": 3,
            "signature": "clandestine_lab",
            "rate_g_s": 2.0,
        },
    ],
    "flight": {"line_spacing_m": 80, "altitude_m": 20, "speed_ms": 6, "sample_rate_hz": 2},
    "sensors": SENSORS,
}


def scenario(**changes: Any) -> dict[str, Any]:
    """ONE_LAB with top-level or nested (``wind__direction_deg``) changes."""
    d = copy.deepcopy(ONE_LAB)
    for k, v in changes.items():
        parts = k.split("__")
        tgt = d
        for p in parts[:-1]:
            tgt = tgt[p]
        tgt[parts[-1]] = v
    return d


class Flight:
    """A simulated flight read back through the reader, with its hits and truth."""

    def __init__(self, raw: dict[str, Any], seed: int, tmp: Path) -> None:
        self.sim = simulate(scenario_from_dict(raw), seed=seed)
        paths = self.sim.write(tmp)
        self.path = paths["survey"]
        self.survey = read_survey(self.path, quiet=True)
        self.hits = detect(self.survey)

    def logged_wind(self) -> tuple[Any, Any, Any]:
        """(time [s], speed [m/s], direction FROM [deg]) of the wind as the drone logged it."""
        s = self.survey.samples
        return (
            self.survey.time,
            s["wind_speed_ms"].to_numpy(dtype=float),
            s["wind_dir_deg"].to_numpy(dtype=float),
        )

    def truth(self, k: int = 0) -> tuple[float, float]:
        s = self.sim.truth["sources"][k]
        e, n = self.survey.frame.to_local([s["lat"]], [s["lon"]])
        return float(e[0]), float(n[0])


@pytest.fixture(scope="session")
def one_lab(tmp_path_factory: pytest.TempPathFactory) -> Flight:
    return Flight(ONE_LAB, 1, tmp_path_factory.mktemp("one_lab"))


@pytest.fixture(scope="session")
def one_lab_ne(tmp_path_factory: pytest.TempPathFactory) -> Flight:
    """A lab near the upwind (north-east) corner in a wind FROM 40 deg: another quadrant."""
    raw = scenario(wind__direction_deg=40)
    raw["sources"][0].update(east_m=100, north_m=100)
    return Flight(raw, 2, tmp_path_factory.mktemp("one_lab_ne"))


@pytest.fixture(scope="session")
def no_plume(tmp_path_factory: pytest.TempPathFactory) -> Flight:
    return Flight(scenario(sources=[]), 3, tmp_path_factory.mktemp("no_plume"))


def check_factor_option(
    flight: Flight, tmp_path: Path, option: str, given: str, prop: str, keys: set[str]
) -> None:
    """``olfato locate`` with a nuisance's factors ``option`` (e.g. ``--travel-factors``):
    ``given`` is averaged over, each source's GeoJSON ``prop`` reporting ``keys``, and
    words are refused with a one-line error that names the option."""
    import json

    from typer.testing import CliRunner

    from olfato.cli import app

    out = tmp_path / "s.geojson"
    args = ["locate", str(flight.path), "--out", str(out), "-q", option]
    r = CliRunner().invoke(app, [*args, given])
    assert r.exit_code == 0, r.output
    src = [f["properties"] for f in json.loads(out.read_text())["features"]]
    assert set(next(p for p in src if p["kind"] == "source")[prop]) == keys
    bad = CliRunner().invoke(app, [*args, "1,twice"])
    assert bad.exit_code != 0
    assert f"{option} takes comma-separated numbers" in bad.output
    assert "Traceback" not in bad.output


def bias_cross(flight: Flight, **factors: Any) -> list[Any]:
    """The nuisance components of ``flight``'s logged wind: a 4 deg bias (3 Gauss-Hermite
    nodes) crossed with one other nuisance's factors (``factors``: the keyword of
    :func:`olfato.locate.posterior.nuisances` and its factor -> prior weight), 3 deg of
    transport error."""
    from olfato.locate.likelihood import Settings
    from olfato.locate.posterior import nuisances
    from olfato.locate.transport import wind_history

    sw = flight.logged_wind()
    return nuisances(
        wind_history(*sw),
        sw,
        settings=Settings(transport_sd_deg=3.0),
        bias_sd_deg=4.0,
        cross=True,
        **factors,
    )
