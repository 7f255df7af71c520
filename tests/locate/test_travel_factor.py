"""The plume's travel speed as a fraction of the logged wind's: a ground-level plume moves
in the slower air below the drone (and an anemometer may read fast), so its air left the
source earlier, under an older wind direction, than the logged speed says."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import yaml

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.defaults import SLOWER_TRAVEL_FACTORS, TRAVEL_FACTORS
from olfato.locate.posterior import nuisances
from olfato.locate.transport import plume_coordinates, wind_history

from .conftest import Flight, bias_cross, check_factor_option

REPO = Path(__file__).resolve().parents[2]


def _turning_wind(rate_deg_s: float, speed: float = 2.0, dt: float = 0.1):
    """A wind of constant speed [m/s] whose direction FROM turns at ``rate_deg_s``."""
    t = np.arange(0.0, 600.0 + dt / 2, dt)
    return t, np.full(t.shape, speed), (270.0 + rate_deg_s * t) % 360.0


def test_a_steady_wind_gives_the_same_plume_at_any_travel_speed() -> None:
    t, speed, direction = _turning_wind(0.0)
    rec = (np.array([0.0, 40.0]), np.array([0.0, -25.0]), np.array([500.0, 520.0]))
    src = (np.array([-150.0, -300.0, -80.0]), np.array([10.0, -40.0, 30.0]))
    base = plume_coordinates(*rec, *src, wind_history(t, speed, direction))
    for k in (0.75, 0.4):
        slow = plume_coordinates(*rec, *src, wind_history(t, speed, direction, travel_factor=k))
        for name in ("x", "y", "u"):
            assert getattr(slow, name) == pytest.approx(getattr(base, name), abs=1e-9)


def _exact(src_e: float, src_n: float, t_r: float, k: float, w_rad: float, speed: float):
    """(x, y) [m] of a receptor at the origin at ``t_r`` for a source, by the travel time
    tau that solves k |D(tau)| = x(tau) on a dense scan, with D the air's displacement over
    [t_r - tau, t_r] in closed form for a wind FROM 270 deg + w t (blowing TO 90 + w t)."""
    tau = np.linspace(1.0, 600.0, 600_001)
    a = np.deg2rad(270.0) + w_rad * (t_r - tau)
    b = np.deg2rad(270.0) + w_rad * t_r
    # the wind blows TO (east, north) = -speed (sin theta, cos theta), theta its FROM angle
    d_e = -speed / w_rad * (np.cos(a) - np.cos(b))
    d_n = -speed / w_rad * (np.sin(b) - np.sin(a))
    dist = np.hypot(d_e, d_n)
    te, tn = d_e / dist, d_n / dist
    x = -src_e * te - src_n * tn
    i = int(np.argmin(np.abs(k * dist - x)))
    # x along the transport, y to its left, of the receptor relative to the source
    return float(x[i]), float(src_e * tn[i] - src_n * te[i])


@pytest.mark.parametrize("k", [1.0, 0.6])
def test_a_turning_wind_carries_slower_air_from_an_older_direction(k: float) -> None:
    # the wind turns 0.1 deg/s: the plume's air arrives after x / (k u) seconds, from the
    # direction the wind had then; the fixed point of the transport module against the
    # closed-form displacement solved on a dense scan of travel times
    rate = 0.1
    t, speed, direction = _turning_wind(rate)
    src_e, src_n, t_r = -220.0, 35.0, 400.0
    co = plume_coordinates(
        [0.0], [0.0], [t_r], [src_e], [src_n], wind_history(t, speed, direction, travel_factor=k)
    )
    x, y = _exact(src_e, src_n, t_r, k, np.deg2rad(rate), 2.0)
    assert float(co.x[0, 0]) == pytest.approx(x, abs=0.5)
    assert float(co.y[0, 0]) == pytest.approx(y, abs=0.5)
    assert float(co.u[0, 0]) == pytest.approx(2.0, rel=0.01)  # the dilution speed: logged


def test_slower_air_moves_the_plume_across_the_wind() -> None:
    t, speed, direction = _turning_wind(0.1)
    args = ([0.0], [0.0], [400.0], [-220.0], [35.0])
    y = [
        float(plume_coordinates(*args, wind_history(t, speed, direction, travel_factor=k)).y[0, 0])
        for k in (1.0, 0.6)
    ]
    # the mean direction over about 110 s of travel against 180 s: 0.1 deg/s x 70 s / 2 =
    # 3.5 deg apart, some 13 m across the wind at 220 m
    assert abs(y[1] - y[0]) == pytest.approx(13.0, abs=2.0)


def test_the_factors_are_components_of_the_mixture(one_lab: Flight) -> None:
    comps = bias_cross(one_lab, travel_factors=dict.fromkeys(SLOWER_TRAVEL_FACTORS, 1.0))
    # Gauss-Hermite weights 1/6, 2/3, 1/6 times 1/3 per factor, restricted to the cross
    # (no bias with every factor, every bias with the logged speed): 2/9 each, 1/18, 1/18
    # of 7/9
    w = {(round(c.bias_deg, 3), c.wind.travel_factor): float(np.exp(c.log_prior)) for c in comps}
    b = round(np.sqrt(3) * 4, 3)
    want = {(0.0, 1.0): 4 / 14, (0.0, 0.75): 4 / 14, (0.0, 0.55): 4 / 14}
    want |= {(b, 1.0): 1 / 14, (-b, 1.0): 1 / 14}
    assert w == pytest.approx(want)
    # a fit's own factor is kept by every bias node when it is not averaged over
    sw = one_lab.logged_wind()
    slow = nuisances(wind_history(*sw, travel_factor=0.75), sw, bias_sd_deg=4.0)
    assert len(slow) == 3
    assert {c.wind.travel_factor for c in slow} == {0.75}


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_a_bad_travel_factor_of_a_wind_is_a_clear_error(bad: float) -> None:
    t, speed, direction = _turning_wind(0.0)
    with pytest.raises(OlfatoError, match="travel_factor") as e:
        wind_history(t, speed, direction, travel_factor=bad)
    assert e.value.parameter == "travel_factor"


def test_off_by_default_and_reported_per_source(one_lab: Flight, tmp_path: Path) -> None:
    assert TRAVEL_FACTORS == (1.0,)
    plain = locate(one_lab.survey, one_lab.hits)
    assert plain.sources
    assert all(s.posterior.travel_probs == {} for s in plain.sources)
    res = locate(one_lab.survey, one_lab.hits, travel_factors=SLOWER_TRAVEL_FACTORS)
    assert res.sources
    for src in res.sources:
        assert set(src.posterior.travel_probs) == {1.0, 0.75, 0.55}
        assert sum(src.posterior.travel_probs.values()) == pytest.approx(1.0)
    props = [
        f["properties"] for f in res.to_geojson()["features"] if f["properties"]["kind"] == "source"
    ]
    assert set(props[0]["travel_factor_probabilities"]) == {"1", "0.75", "0.55"}
    # the command line's option sets them and refuses words
    check_factor_option(
        one_lab,
        tmp_path,
        "--travel-factors",
        "1,0.5",
        "travel_factor_probabilities",
        {"1", "0.5"},
    )


@pytest.mark.slow
def test_a_fast_anemometer_is_learned_as_slower_air(tmp_path: Path) -> None:
    # two_labs (10 deg of meander on a 60 s scale), seeds 0-2: the logged speed 1.3 x the
    # wind that carried the plumes. The crossings of a source line up with the older
    # directions of slower travel, and the posterior mean factor of the six sources falls
    # from 0.89 as logged to 0.82 (1 / 1.3 = 0.77 is right)
    raw = yaml.safe_load((REPO / "scenarios" / "two_labs.yaml").read_text())
    means = {"as logged": [], "fast": []}
    for seed in (0, 1, 2):
        f = Flight(raw, seed, tmp_path / str(seed))
        s = f.survey.samples
        fast = dataclasses.replace(
            f.survey, samples=s.assign(wind_speed_ms=s["wind_speed_ms"] * 1.3)
        )
        for name, survey in (("as logged", f.survey), ("fast", fast)):
            res = locate(survey, f.hits, travel_factors=SLOWER_TRAVEL_FACTORS)
            for src in res.sources:
                p = src.posterior.travel_probs
                means[name].append(sum(k * v for k, v in p.items()))
    assert len(means["fast"]) == len(means["as logged"]) == 6
    assert np.mean(means["fast"]) < np.mean(means["as logged"]) - 0.04
