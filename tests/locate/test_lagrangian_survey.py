"""locate on plumes it did not make: a survey whose plumes come from the independent
Lagrangian particle model (:mod:`olfato.simulate.lagrangian`), one lab and one benign
emitter, crossed on several passes."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from olfato.locate import locate

from .conftest import ONE_LAB, Flight


def _raw() -> dict:
    raw = copy.deepcopy(ONE_LAB)
    raw["plume_model"] = "lagrangian"
    raw["area"] = {"width_m": 560, "height_m": 420}
    lab = raw["sources"][0]
    lab.update(east_m=-240, north_m=60)
    raw["sources"] = [
        lab,
        {
            "id": "farm1",
            "east_m": -200,
            "north_m": -120,
            "height_m": 1,
            "signature": "livestock_farm",
            "rate_g_s": 1.5,
        },
    ]
    raw["sensors"] = raw["sensors"] + [
        {
            "analyte": "nh3",
            "unit": "ppb",
            "response_time_s": 4,
            "noise": 2.0,
            "background": 6,
            "resolution": 0.5,
        },
        {
            "analyte": "ch4",
            "unit": "ppm",
            "response_time_s": 2,
            "noise": 0.004,
            "background": 1.95,
            "resolution": 0.001,
        },
    ]
    return raw


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_locate_finds_the_lab_in_a_lagrangian_survey(seed: int, tmp_path: Path) -> None:
    f = Flight(_raw(), seed, tmp_path)
    assert f.sim.truth["plume_model"] == "lagrangian"
    res = locate(f.survey, f.hits)
    te, tn = f.truth(0)
    d = [float(np.hypot(s.east_m - te, s.north_m - tn)) for s in res.sources]
    near = [s for s, di in zip(res.sources, d, strict=True) if di < 60.0]
    # the lab: exactly one source within 60 m, and it is called suspect
    assert len(near) == 1, (d, res.message)
    assert near[0].suspect
    # the farm is never a suspect lab, nor is anything away from the lab
    fe, fn = f.truth(1)
    for s in res.sources:
        if s is not near[0]:
            assert not s.suspect, (s.east_m, s.north_m, fe, fn)
