"""Small, fast scenarios for the simulator tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

BASE: dict[str, Any] = {
    "name": "test",
    "origin": {"lat": 29.095, "lon": -111.042},
    "start_time": "2024-03-14T15:30:00-07:00",
    "area": {"width_m": 320, "height_m": 300},
    "mode": "turbulent",
    "stability": "D",
    "wind": {"speed_ms": 4.0, "direction_deg": 270, "meander_deg": 10, "meander_timescale_s": 60},
    "sources": [
        {
            "id": "lab1",
            "east_m": -120,
            "north_m": 0,
            "height_m": 3,
            "signature": "clandestine_lab",
            "rate_g_s": 2.0,
        },
    ],
    "flight": {"line_spacing_m": 80, "altitude_m": 15, "speed_ms": 6, "sample_rate_hz": 2},
    "sensors": [
        {
            "analyte": "acetone",
            "unit": "ppb",
            "response_time_s": 2,
            "noise": 1.0,
            "background": 3,
            "resolution": 0.1,
        },
        {
            "analyte": "co2",
            "unit": "ppm",
            "response_time_s": 3,
            "noise": 0.8,
            "background": 421,
            "resolution": 0.1,
        },
    ],
}


@pytest.fixture
def base() -> dict[str, Any]:
    return copy.deepcopy(BASE)
