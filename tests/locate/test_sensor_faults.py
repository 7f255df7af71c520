"""Done-when of issue 12: sensor faults on a field without a lab give no suspect and a clear
warning; a lab seen through a warm-up is still found."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from olfato.locate import locate

from .conftest import ONE_LAB, SENSORS, Flight


def _field(sensors: list[dict[str, Any]], *, lab: bool = False) -> dict[str, Any]:
    raw = copy.deepcopy(ONE_LAB)
    raw["sources"] = copy.deepcopy(ONE_LAB["sources"]) if lab else []
    raw["sensors"] = sensors
    raw["area"] = {"width_m": 600, "height_m": 480}  # ~11 minutes: a warm-up fits
    return raw


def _sensors(**faults: dict[str, Any]) -> list[dict[str, Any]]:
    out = copy.deepcopy(SENSORS)
    for s in out:
        s.update(faults.get(s["analyte"], {}))
    return out


WARM = {"acetone": {"warmup_amplitude": 40, "warmup_timescale_s": 90}}


def _no_suspect_and_warned(f: Flight, words: str) -> None:
    assert any(words in w for w in f.hits.warnings), f.hits.warnings
    res = locate(f.survey, f.hits)
    assert not any(s.suspect for s in res.sources)
    assert any(words in w for w in res.to_geojson()["properties"]["warnings"])


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 6])
def test_warm_up_decay_no_suspect_and_a_warning(seed: int, tmp_path: Path) -> None:
    f = Flight(_field(_sensors(**WARM)), seed, tmp_path)
    _no_suspect_and_warned(f, "warm-up after power-on")
    assert len(f.hits) == 0  # the decay is not a plume


@pytest.mark.slow
def test_quantised_co_channel_no_suspect_and_a_warning(tmp_path: Path) -> None:
    co = {
        "analyte": "co",
        "unit": "ppm",
        "response_time_s": 2,
        "noise": 0.05,
        "background": 0.45,
        "wander": 0.3,
        "wander_timescale_s": 200,
        "resolution": 1,
    }
    f = Flight(_field([*copy.deepcopy(SENSORS), co]), 5, tmp_path)
    _no_suspect_and_warned(f, "quantised in steps of 1e+03 ppb")
    assert f.hits.backgrounds["co"].noise >= 1000.0 / 12**0.5
    assert len(f.hits) == 0


@pytest.mark.slow
def test_stuck_sensor_no_suspect_and_a_warning(tmp_path: Path) -> None:
    stuck = {"acetone": {"stuck": {"start_s": 200, "duration_s": 60, "value": 40}}}
    f = Flight(_field(_sensors(**stuck)), 5, tmp_path)
    _no_suspect_and_warned(f, "'acetone' is stuck")
    assert len(f.hits) == 0


@pytest.mark.slow
def test_a_lab_seen_through_a_warm_up_is_still_a_suspect(tmp_path: Path) -> None:
    f = Flight(_field(_sensors(**WARM), lab=True), 5, tmp_path)
    res = locate(f.survey, f.hits)
    assert len(res.sources) == 1 and res.sources[0].suspect
    assert res.sources[0].signature == "clandestine_lab"


@pytest.mark.slow
def test_a_lab_that_saturates_a_channel_is_still_a_suspect_with_a_warning(
    tmp_path: Path,
) -> None:
    """The saturated channel is left out of the fingerprint where it saturates; the other
    gases still say lab, and the report says which readings are lower bounds."""
    top = {"acetone": {"saturation": 25}}
    f = Flight(_field(_sensors(**top), lab=True), 5, tmp_path)
    flags = "; ".join(str(x) for x in f.hits.table["flags"])
    assert "'acetone' saturated" in flags
    res = locate(f.survey, f.hits)
    assert len(res.sources) == 1 and res.sources[0].suspect
    assert res.sources[0].signature == "clandestine_lab"
    assert any("'acetone' saturated" in w for w in res.sources[0].warnings)
