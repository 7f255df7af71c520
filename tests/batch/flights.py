"""Tiny simulated flights for the batch tests (well under a second each to simulate, a
few seconds to analyse): one lab in a 300 m x 240 m square, steady plume, 1 Hz."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

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
    {
        "analyte": "co2",
        "unit": "ppm",
        "response_time_s": 3,
        "noise": 0.8,
        "background": 421,
        "resolution": 0.1,
    },
    {
        "analyte": "hcl",
        "unit": "ppb",
        "response_time_s": 5,
        "noise": 0.5,
        "background": 0.3,
        "resolution": 0.1,
    },
]
LAB = {
    "id": "lab1",
    "east_m": -90,
    "north_m": 20,
    "height_m": 3,
    "signature": "clandestine_lab",
    "rate_g_s": 2.0,
}


def tiny_scenario(day: int = 14, *, lab: bool = True, north_km: float = 0.0) -> dict[str, Any]:
    """The scenario flown on March ``day``, 2024 (with or without the lab emitting), its
    square moved ``north_km`` north."""
    return {
        "name": f"tiny_{day}",
        "description": "one lab, tiny square, for batch tests",
        "origin": {"lat": 29.0950 + north_km / 111.0, "lon": -111.0420},
        "start_time": f"2024-03-{day:02d}T15:30:00-07:00",
        "area": {"east_m": 0, "north_m": 0, "width_m": 300, "height_m": 240},
        "mode": "steady",
        "stability": "D",
        "wind": {"speed_ms": 4.0, "direction_deg": 270},
        "sources": [LAB] if lab else [],
        "flight": {
            "pattern": "lines",
            "line_spacing_m": 60,
            "altitude_m": 20,
            "speed_ms": 8,
            "sample_rate_hz": 1,
        },
        "sensors": SENSORS,
    }


def write_flight(
    folder: Path,
    name: str,
    *,
    day: int = 14,
    lab: bool = True,
    seed: int = 0,
    north_km: float = 0.0,
) -> Path:
    """Simulate one tiny flight and copy its Survey CSV to ``folder/name``."""
    from olfato.simulate import simulate

    work = folder.parent / f".sim-{name}"
    work.mkdir(parents=True, exist_ok=True)
    scenario = work / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(tiny_scenario(day, lab=lab, north_km=north_km)))
    paths = simulate(scenario, seed=seed).write(work)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / name
    shutil.copy(paths["survey"], out)
    return out


CORRUPT = "time,lat,lon\n1,2\nnot a survey\n"
