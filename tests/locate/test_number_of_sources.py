"""Done-when of issue 12: two labs 60 m apart are two sources; one lab crossed on six passes
is one."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from olfato.locate import locate
from olfato.locate.levels import pass_numbers

from .conftest import ONE_LAB, Flight


def _truths(f: Flight) -> list[tuple[float, float]]:
    return [f.truth(k) for k in range(len(f.sim.truth["sources"]))]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_labs_60_m_apart_are_two_sources(seed: int, tmp_path: Path) -> None:
    raw = copy.deepcopy(ONE_LAB)
    lab = raw["sources"][0]
    raw["sources"] = [dict(lab, id="lab1", north_m=50), dict(lab, id="lab2", north_m=-10)]
    f = Flight(raw, seed, tmp_path)
    res = locate(f.survey, f.hits)
    assert len(res.sources) == 2, res.message
    assert all(s.suspect for s in res.sources)
    # one source per lab, each within 60 m of it (along the wind the regions are long)
    d = np.array(
        [
            [float(np.hypot(s.east_m - te, s.north_m - tn)) for s in res.sources]
            for te, tn in _truths(f)
        ]
    )
    worst = min(max(d[0, 0], d[1, 1]), max(d[0, 1], d[1, 0]))
    assert worst < 60.0, d


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_one_lab_crossed_on_six_passes_is_one_source(seed: int, tmp_path: Path) -> None:
    raw = copy.deepcopy(ONE_LAB)
    raw["area"] = {"width_m": 640, "height_m": 360}
    raw["sources"][0].update(east_m=-290)
    f = Flight(raw, seed, tmp_path)
    res = locate(f.survey, f.hits)
    assert len(res.sources) == 1 and not res.detections, res.message
    s = res.sources[0]
    sm = f.survey.samples
    p = pass_numbers(f.survey.time, sm["east_m"].to_numpy(), sm["north_m"].to_numpy())
    passes = {int(p[i]) for i in res.hits.table["i_peak"]}
    assert s.n_hits >= 6 and len(passes) >= 6
    te, tn = f.truth()
    assert float(np.hypot(s.east_m - te, s.north_m - tn)) < 45.0
    assert s.suspect and s.probability_exists > 0.99
