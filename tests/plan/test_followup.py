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
from olfato.plan.followup import Leg, leg_view
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
    # every survey leg runs across the wind, at several distances downwind of the
    # candidate's mean (the amounts at different distances place it along the wind)
    d, _ = wind_axes(270.0)
    xs = []
    for leg in fu.legs:
        u = (leg.end - leg.start) / leg.length_m
        assert abs(float(u @ d)) < 1e-6
        xs.append(float((leg.start - cands[0].mean) @ d))
    assert len({round(x) for x in xs}) >= 3 and max(xs) > 0
    assert min(xs) < 60.0  # close in, not only far down the plume


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
    # checked through leg_view, the model the planner uses (the binned
    # outcome_probabilities that only this test called is gone): an outcome is either
    # no crossing, with probability 1 - p_seen, or a crossing on the leg, p_seen
    v = leg_view(leg, particles, cand, 10.0, cond)
    p_none = 1.0 - v.p_seen
    assert bool(np.all((v.p_seen >= 0.0) & (v.p_seen <= v.p_det) & (v.p_det <= 1.0)))
    assert p_none[2] == 1.0  # the leg is upwind of that source: no plume
    assert p_none[0] < 0.5  # 100 m downwind of a 2 g/s source, plume likely seen
    # the crossing is expected where the plume axis meets the leg: 5 m bins from north -100
    assert int(v.along[0] // 5.0) == 20 and int(v.along[1] // 5.0) == 32


def test_a_crossing_farther_downwind_carries_less_and_is_blurred_more() -> None:
    cand = _cands({"id": "S1", "east_m": 0.0, "north_m": 0.0})[0]
    cond = Conditions(wind_speed_ms=4.0, wind_from_deg=270.0, noise_ppb={"acetone": 1.0})
    near = Leg(np.array([40.0, -100.0]), np.array([40.0, 100.0]), "S1")
    far = Leg(np.array([200.0, -100.0]), np.array([200.0, 100.0]), "S1")
    src = np.array([[0.0, 0.0]])
    # at the source's height the crosswind-integrated amount falls off with distance
    # through sigma_z(x), and the crossing's position is less certain
    a_near, a_far = (leg_view(leg, src, cand, cand.height_m, cond) for leg in (near, far))
    assert a_far.log_amount[0] < a_near.log_amount[0] - 0.5
    assert a_far.spread[0] > a_near.spread[0]
    # well above a ground-level source the plume has not yet grown up to the drone close
    # in: height and along-wind position are confounded, and the model shows it
    hi_near, hi_far = (leg_view(leg, src, cand, 20.0, cond) for leg in (near, far))
    assert hi_near.log_amount[0] < hi_far.log_amount[0]
    # a source twice as strong gives twice the amount
    double = leg_view(near, src, cand, 10.0, cond, log_rate=np.log([2 * cand.rate_g_s]))
    single = leg_view(near, src, cand, 10.0, cond)
    assert double.log_amount[0] == pytest.approx(single.log_amount[0] + np.log(2.0))


def test_a_candidate_behind_a_single_crossing_gets_less_of_the_battery() -> None:
    # two equally uncertain suspects; the northern one rests on one plume crossing
    north = {"id": "N", "east_m": -100.0, "north_m": 400.0, "semi_major": 150.0, "n_hits": 1}
    south = {"id": "S", "east_m": -100.0, "north_m": -400.0, "semi_major": 150.0, "n_hits": 12}
    kw = {"frame": FRAME, "home": (100.0, 0.0), "endurance_s": 480.0, **WIND}
    fu = next_flight(_cands(north, south), **kw)
    assert fu.gain_nats["S"] > 2 * fu.gain_nats["N"]


def test_the_flight_is_only_as_long_as_settling_the_candidate_needs() -> None:
    kw = {"frame": FRAME, "home": HOME, "endurance_s": 1200.0, **WIND}
    far_off = next_flight(_cands({"id": "S1", "east_m": -150.0, "north_m": 0.0}), **kw)
    nearly = {"id": "S1", "east_m": -150.0, "north_m": 0.0, "semi_major": 28.0}
    close = next_flight(_cands({**nearly, "semi_minor": 12.0}), **kw)
    assert close.sortie.flight_time_s < 0.6 * far_off.sortie.flight_time_s
    assert close.semi_major_expected_m["S1"] < 25.0
    settled = {**nearly, "semi_major": 10.0, "semi_minor": 6.0}
    with pytest.raises(OlfatoError, match="already under the 25 m goal"):
        next_flight(_cands(settled), **kw)


def test_impossible_requests_are_clear_errors() -> None:
    cands = _cands({"id": "S1", "east_m": -150.0, "north_m": 0.0})
    # library errors name the parameter; the command line shows its flag (test_cli)
    with pytest.raises(OlfatoError, match="the wind must be given") as err:
        next_flight(cands, frame=FRAME, home=HOME)
    assert err.value.parameter == "wind_from_deg"
    with pytest.raises(OlfatoError, match="Choose a closer home point") as err:
        next_flight(cands, frame=FRAME, home=(30_000.0, 0.0), **WIND)
    assert err.value.parameter == "home"
    with pytest.raises(OlfatoError, match="no home point"):
        next_flight(cands, frame=FRAME, **WIND)


def test_a_sources_file_with_bad_coordinates_is_a_clear_error() -> None:
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": ["x", 29.1]},
        "properties": {
            "id": "S1",
            "rate_g_s": 1.0,
            "ellipse95_m": {"semi_major": 10, "semi_minor": 5},
        },
    }
    with pytest.raises(OlfatoError, match=r"f.geojson: feature 1: coordinates .* numbers"):
        candidates_from_geojson({"type": "FeatureCollection", "features": [feature]}, "f.geojson")


def test_a_bad_feature_is_named_by_its_place_in_the_file() -> None:
    # an older file: a detection without its search region (skipped), then a source
    # whose coordinates are not numbers: the error names feature 2, as in the file
    detection = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-111.0, 29.1]},
        "properties": {"id": "D1", "kind": "detection"},
    }
    source = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": ["x", 29.1]},
        "properties": {
            "id": "S1",
            "kind": "source",
            "rate_g_s": 1.0,
            "ellipse95_m": {"semi_major": 10, "semi_minor": 5},
        },
    }
    with pytest.raises(OlfatoError, match=r"f.geojson: feature 2: coordinates .* numbers"):
        candidates_from_geojson(
            {"type": "FeatureCollection", "features": [detection, source]}, "f.geojson"
        )
