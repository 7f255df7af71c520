"""locate on plumes it did not make: a survey whose plumes come from the independent
Lagrangian particle model (:mod:`olfato.simulate.lagrangian`), one lab and one benign
emitter, crossed on several passes."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from olfato.locate import locate

from .conftest import ONE_LAB, Flight

REPO = Path(__file__).resolve().parents[2]


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


@pytest.mark.slow
def test_a_plume_that_strays_more_than_the_fixed_model_is_not_split(tmp_path: Path) -> None:
    # benchmarks/locate.py's "lagrangian" condition on scenarios/benign_only.yaml, seed 14:
    # the fuel station's 6 crossings of a meandering particle plume stray from the logged
    # wind's path more than a 3 deg transport error allows. With the nuisances fixed the
    # merges keep them as two sources (3 crossings each, 76 and 73 m off the station);
    # with the wind bias and the transport error integrated out of the merges' near
    # misses, one source per true source with two crossings or more (the farm and the
    # fuel station). (Seed 16's landfill split the same way until crossings took their
    # whole integral, detect's <c>_int_whole_ppb_s; now neither model splits it.)
    raw = yaml.safe_load((REPO / "scenarios" / "benign_only.yaml").read_text())
    raw["plume_model"] = "lagrangian"
    f = Flight(raw, 14, tmp_path)
    fixed = locate(f.survey, f.hits, direction_bias_sd_deg=0.0, transport_error_factors=(1.0,))
    learned = locate(f.survey, f.hits)
    # fixed: the farm, and the fuel station as two sources
    assert len(fixed.sources) == 3
    assert len(learned.sources) == 2
    truth = [f.truth(k) for k in range(len(raw["sources"]))]
    nearest = {
        min(
            range(len(truth)),
            key=lambda k: np.hypot(s.east_m - truth[k][0], s.north_m - truth[k][1]),
        )
        for s in learned.sources
    }
    # one near the farm, one near the landfill
    ids = [raw["sources"][k]["id"] for k in sorted(nearest)]
    assert ids == ["fuel1", "farm1"]
    assert not any(s.suspect for s in learned.sources)
