"""The information-driven follow-up flight: what it flies, for whom, and within which limits."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.plan import read_area, read_qgc_plan, write_qgc_plan
from olfato.plan.candidates import candidates_from_geojson
from olfato.plan.conditions import Conditions
from olfato.plan.coverage import wind_axes
from olfato.plan.followup import Leg, outcome_probabilities
from olfato.plan.geometry import segment_enters
from olfato.plan.nextflight import next_flight

from .helpers import FRAME, rect, sources_geojson, write_polygon

WIND = {"wind_from_deg": 270.0, "wind_speed_ms": 4.0}
HOME = (350.0, 0.0)  # downwind (east) of the candidates


def _cands(*specs: dict[str, float | str | bool]):  # type: ignore[no-untyped-def]
    return candidates_from_geojson(sources_geojson(list(specs)), "test", FRAME)[0]


def test_the_flight_fits_one_battery_and_is_expected_to_shrink_the_ellipse() -> None:
    cands = _cands({"id": "S1", "east_m": -150.0, "north_m": 50.0})
    fu = next_flight(cands, frame=FRAME, home=HOME, endurance_s=900, **WIND)
    s = fu.sortie
    assert s.fits and s.flight_time_s <= 900 * 0.8
    assert s.kind == "follow-up" and s.targets == ["S1"]
    assert fu.gain_nats["S1"] > 0.5
    assert fu.semi_major_expected_m["S1"] < 0.6 * fu.semi_major_now_m["S1"]
    # every survey leg runs across the wind, and they bracket the candidate along the wind
    d, _ = wind_axes(270.0)
    xs = []
    for leg in fu.legs:
        u = (leg.end - leg.start) / leg.length_m
        assert abs(float(u @ d)) < 1e-6
        xs.append(float((leg.start - cands[0].mean) @ d))
    assert min(xs) < 0 < max(xs)


def test_suspects_are_preferred_over_benign_sources() -> None:
    north = {"id": "N", "east_m": -100.0, "north_m": 400.0}
    south = {"id": "S", "east_m": -100.0, "north_m": -400.0}
    # one battery serves one of the two well; the suspect gets the flight
    kw = {"frame": FRAME, "home": (100.0, 0.0), "endurance_s": 480.0, **WIND}
    fu = next_flight(_cands({**north, "suspect": True}, {**south, "suspect": False}), **kw)
    assert fu.gain_nats["N"] > 3 * fu.gain_nats["S"]
    fu = next_flight(_cands({**north, "suspect": False}, {**south, "suspect": True}), **kw)
    assert fu.gain_nats["S"] > 3 * fu.gain_nats["N"]


def test_no_fly_zones_are_kept_out_of_and_written_as_geofence(tmp_path: Path) -> None:
    cands = _cands({"id": "S1", "east_m": -150.0, "north_m": 0.0})
    zone = read_area(write_polygon(tmp_path / "nofly.geojson", rect(-60, 40, -80, 80)), FRAME)
    fu = next_flight(cands, frame=FRAME, home=HOME, no_fly=[zone], endurance_s=900, **WIND)
    route = fu.sortie.route
    for a, b in itertools.pairwise(route):
        assert not segment_enters(zone.rings, a, b)
    path = write_qgc_plan(fu.sortie, tmp_path / "next.plan", no_fly=[zone])[0]
    mission = read_qgc_plan(path)
    assert len(mission.exclusion_zones) == 1
    e, n = FRAME.to_local(mission.waypoints[1:, 0], mission.waypoints[1:, 1])
    assert not bool(np.any(zone.contains(e, n)))
    fence = json.loads(path.read_text())["geoFence"]["polygons"][0]
    assert fence["inclusion"] is False and len(fence["polygon"]) == 4


def test_the_altitude_band_is_respected() -> None:
    cands = _cands({"id": "S1", "east_m": -150.0, "north_m": 0.0})
    fu = next_flight(cands, frame=FRAME, home=HOME, min_alt_m=30, max_alt_m=45, **WIND)
    assert 30 <= fu.sortie.altitude_m <= 45
    with pytest.raises(OlfatoError, match="altitude band"):
        next_flight(cands, frame=FRAME, home=HOME, min_alt_m=50, max_alt_m=40, **WIND)


def test_outcome_model_sums_to_one_and_sees_nothing_upwind() -> None:
    cand = _cands({"id": "S1", "east_m": 0.0, "north_m": 0.0})[0]
    cond = Conditions(wind_speed_ms=4.0, wind_from_deg=270.0, noise_ppb={"acetone": 1.0})
    leg = Leg(np.array([100.0, -100.0]), np.array([100.0, 100.0]), "S1")
    particles = np.array([[0.0, 2.5], [0.0, 62.5], [150.0, 0.0]])  # last one is downwind of leg
    p = outcome_probabilities(leg, particles, cand, 10.0, cond)
    assert p.sum(axis=1) == pytest.approx(np.ones(3))
    assert p[2, 0] == 1.0  # the leg is upwind of that source: no plume
    assert p[0, 0] < 0.5  # 100 m downwind of a 2 g/s source, plume likely seen
    # the crossing is expected where the plume axis meets the leg: 5 m bins from north -100
    assert int(np.argmax(p[0, 1:])) == 20 and int(np.argmax(p[1, 1:])) == 32


def test_impossible_requests_are_clear_errors() -> None:
    cands = _cands({"id": "S1", "east_m": -150.0, "north_m": 0.0})
    with pytest.raises(OlfatoError, match="--wind-from DEG and --wind-speed"):
        next_flight(cands, frame=FRAME, home=HOME)
    with pytest.raises(OlfatoError, match="Choose a closer --home"):
        next_flight(cands, frame=FRAME, home=(30_000.0, 0.0), **WIND)
    with pytest.raises(OlfatoError, match="no home point"):
        next_flight(cands, frame=FRAME, **WIND)
