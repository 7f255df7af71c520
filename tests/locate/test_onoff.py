"""An emission that may be off during a pass: misses correlated along a crossing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.special import ndtr
from typer.testing import CliRunner

from olfato.cli import app
from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.likelihood import (
    Probes,
    Settings,
    hits_on_logprob,
    nondetection_loglik,
    off_marginal_loglik,
    pass_nondetection_logprob,
    probe_pairs,
)
from olfato.locate.transport import WindHistory, wind_history

from .conftest import Flight, scenario

ACETONE_G_MOL = 58.08


def test_pass_probability_is_the_zero_inflated_closed_form() -> None:
    log_on = np.log(np.array([1.0, 0.3, 1e-12]))
    got = np.exp(pass_nondetection_logprob(log_on, 0.25))
    assert np.allclose(got, [1.0, 0.25 + 0.75 * 0.3, 0.25 + 0.75e-12])
    # always on: the probes' own product
    assert np.allclose(pass_nondetection_logprob(log_on, 0.0), log_on)
    # several chances at once: one row each, as each alone
    both = pass_nondetection_logprob(log_on, (0.0, 0.25))
    assert both.shape == (2, 3)
    assert np.array_equal(both[0], pass_nondetection_logprob(log_on, 0.0))
    assert np.array_equal(both[1], pass_nondetection_logprob(log_on, 0.25))


def test_off_marginal_on_a_hand_built_case() -> None:
    # candidate 0: pass A with two probes (0.5, 0.2) and pass B (a hit's pass) with 0.3;
    # candidate 1: no probe its plume reaches. One hit pass; p_off in {0, 0.5}, equal prior.
    log_on = np.log(np.array([0.5 * 0.2, 0.3]))
    got = np.exp(
        off_marginal_loglik(
            log_on, np.array([0, 0]), np.array([False, True]), 1, 2, (0.0, 0.5), (0.5, 0.5)
        )
    )
    always_on = 0.5 * 1.0 * (0.1 * 0.3)
    half_off = 0.5 * 0.5 * ((0.5 + 0.5 * 0.1) * 0.3)  # (1 - p) for the hit's pass
    assert np.isclose(got[0], always_on + half_off)  # 0.05625
    assert np.isclose(got[1], 0.5 * 1.0 + 0.5 * 0.5)
    assert np.isclose(got[1], np.exp(hits_on_logprob(1, (0.0, 0.5), (0.5, 0.5))))


def _two_passes() -> tuple[Probes, WindHistory]:
    """Two north-going passes 60 m and 140 m downwind (east) of a source at the origin,
    wind FROM the west; probes every 15 m across the plume; a pass boundary at t = 100 s."""
    y = np.arange(-30.0, 31.0, 15.0)
    m = len(y)
    east = np.concatenate([np.full(m, 60.0), np.full(m, 140.0)])
    north = np.concatenate([y, -y])
    time = np.concatenate([np.arange(m) * 3.0, 100.0 + np.arange(m) * 3.0])
    vel_n = np.concatenate([np.full(m, 5.0), np.full(m, -5.0)])
    probes = Probes(
        east,
        north,
        time,
        np.full(2 * m, 3.0),
        np.full(2 * m, 7.5),
        np.zeros(2 * m),
        vel_n,
        1.0,
        4.0,
        np.array([100.0]),
    )
    t = np.linspace(-100.0, 300.0, 50)
    wind = wind_history(t, np.full(t.size, 3.0), np.full(t.size, 270.0))
    return probes, wind


def test_nondetection_matches_the_pass_mixture_by_hand() -> None:
    probes, wind = _two_passes()
    s = Settings()
    ce, cn, h = np.array([0.0]), np.array([0.0]), np.array([2.0])
    q = 0.05  # g/s: some probes well above the threshold, some not
    mu, sd = np.full((1, 1), np.log(q)), np.zeros((1, 1))  # the rate known exactly
    _, pj, unit = probe_pairs(ce, cn, h, probes, wind, ACETONE_G_MOL, s)
    assert set(probes.pass_of(probes.time[pj])) == {0, 1}
    peak = q * unit[:, 0]
    p_miss = s.miss + (1 - s.miss) * ndtr(
        (probes.threshold * probes.noise - peak)
        / np.sqrt(probes.noise**2 + (s.discrepancy * peak) ** 2)
    )
    passes = probes.pass_of(probes.time[pj])
    on_a, on_b = np.prod(p_miss[passes == 0]), np.prod(p_miss[passes == 1])
    assert on_a < 1e-2 and on_b < 1e-2  # both passes would have seen an always-on plume

    def by_hand(hit_passes: set[int]) -> float:
        total = 0.0
        for p, w in zip(s.p_off_grid, s.p_off_prior, strict=True):
            f = w * (1 - p) ** len(hit_passes)
            for g, on in ((0, on_a), (1, on_b)):
                f *= on if g in hit_passes else p + (1 - p) * on
            total += f
        return float(np.log(total))

    for hit_passes in (set(), {1}):
        got = nondetection_loglik(
            ce,
            cn,
            h,
            mu,
            sd,
            probes,
            wind,
            ACETONE_G_MOL,
            s,
            on_passes=np.array(sorted(hit_passes)),
        )
        # the probes' terms are summed in single precision (likelihood.nondetection_loglik)
        assert got[0, 0] == pytest.approx(by_hand(hit_passes), abs=1e-3)
    # two silent passes: the mixture leaves this candidate far likelier than independent
    # misses do (where every probe is its own chance of a miss)
    indep = Settings(p_off_grid=(0.0,), p_off_prior=(1.0,))
    ll_ind = nondetection_loglik(ce, cn, h, mu, sd, probes, wind, ACETONE_G_MOL, indep)
    assert ll_ind[0, 0] == pytest.approx(np.log(on_a * on_b), abs=1e-3)
    assert by_hand(set()) > ll_ind[0, 0] + 5.0


def test_without_passes_or_off_states_the_misses_stay_independent() -> None:
    probes, wind = _two_passes()
    ce, cn = np.meshgrid(np.linspace(-150, 50, 9), np.linspace(-60, 60, 7))
    ce, cn = ce.ravel(), cn.ravel()
    h = np.array([1.0, 5.0])
    mu = np.full((ce.size, 2), np.log(0.05))
    sd = np.full((ce.size, 2), 0.5)
    indep = Settings(p_off_grid=(0.0,), p_off_prior=(1.0,))
    a = nondetection_loglik(ce, cn, h, mu, sd, probes, wind, ACETONE_G_MOL, indep)
    no_pass = Probes(*[getattr(probes, f) for f in probes.__dataclass_fields__][:-1])
    b = nondetection_loglik(ce, cn, h, mu, sd, no_pass, wind, ACETONE_G_MOL, Settings())
    assert np.allclose(a, b, atol=1e-6)
    assert a.min() < -5.0  # some candidates ruled out


@pytest.mark.parametrize(
    ("grid", "prior", "name"),
    [
        ((0.0, 0.5), (1.0,), "p_off_prior"),
        ((0.0, 1.0), (0.5, 0.5), "p_off_grid"),
        ((0.0, 0.5), (0.7, 0.7), "p_off_prior"),
    ],
)
def test_bad_off_grid_is_a_clear_error(
    grid: tuple[float, ...], prior: tuple[float, ...], name: str
) -> None:
    with pytest.raises(OlfatoError, match=name):
        Settings(p_off_grid=grid, p_off_prior=prior)


def _covers(src: Any, east_m: float, north_m: float) -> bool:
    """Whether the source's 95% ellipse holds (east_m, north_m)."""
    el = src.ellipse95
    az = np.deg2rad(el.azimuth_deg)
    d = np.array([east_m - src.east_m, north_m - src.north_m])
    m = (d @ [np.sin(az), np.cos(az)] / el.semi_major) ** 2
    m += (d @ [np.cos(az), -np.sin(az)] / el.semi_minor) ** 2
    return bool(m <= 1.0)


def _batch_lab(duty_cycle: float, seed: int, tmp: Path) -> Flight:
    """A lab 90 m inside the upwind edge of a 560 m x 480 m survey, emitting on
    ``duty_cycle`` of every 80 s (a lab cooking in batches)."""
    raw = scenario(area={"width_m": 560, "height_m": 480})
    raw["sources"][0].update(duty_cycle=duty_cycle, period_s=80.0, east_m=-190.0, north_m=20.0)
    return Flight(raw, seed, tmp)


@pytest.fixture(scope="module")
def batch_lab(tmp_path_factory: pytest.TempPathFactory) -> Flight:
    return _batch_lab(0.5, 0, tmp_path_factory.mktemp("batch0"))


@pytest.mark.parametrize("seed", [0, 2])
def test_a_lab_cooking_in_batches_is_located_and_covered(
    seed: int, batch_lab: Flight, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # on half of every 80 s: some passes downwind of the lab saw nothing. Those passes
    # no longer rule out the lab's true place (with independent misses these flights
    # put the source 104 m and 25 m away)
    f = batch_lab if seed == 0 else _batch_lab(0.5, seed, tmp_path_factory.mktemp(f"batch{seed}"))
    res = locate(f.survey, f.hits)
    assert len(res.sources) == 1
    src = res.sources[0]
    te, tn = f.truth()
    assert float(np.hypot(src.east_m - te, src.north_m - tn)) < 25.0
    assert _covers(src, te, tn)


def test_a_steady_lab_is_as_sharp_as_with_independent_misses(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # always on: every pass downwind has its hit, the posterior of p_off sits on 0
    f = _batch_lab(1.0, 0, tmp_path_factory.mktemp("steady"))
    # the on/off model alone: the crossings' discrepancy fixed in both
    a = locate(f.survey, f.hits, discrepancy_factors=(1.0,)).sources[0]
    b = locate(f.survey, f.hits, intermittent=False, discrepancy_factors=(1.0,)).sources[0]
    assert float(np.hypot(a.east_m - b.east_m, a.north_m - b.north_m)) < 2.0
    area_a = a.ellipse95.semi_major * a.ellipse95.semi_minor
    area_b = b.ellipse95.semi_major * b.ellipse95.semi_minor
    assert area_a < 1.1 * area_b
    assert a.rate_g_s == pytest.approx(b.rate_g_s, rel=0.05)
    # by default the rate also learns the discrepancy from the crossings: still the
    # lab's own (1.60 g/s of toluene against the true 1.61)
    learned = locate(f.survey, f.hits).sources[0]
    q = f.sim.truth["sources"][0]["rates_g_s"][learned.analyte]
    assert learned.rate_g_s == pytest.approx(q, rel=0.05)


def test_the_command_line_can_say_every_source_emits_steadily(
    batch_lab: Flight, tmp_path: Path
) -> None:
    te, tn = batch_lab.truth()
    dists = {}
    for flag in ([], ["--steady-emission"]):
        out = tmp_path / f"s{len(flag)}.geojson"
        r = CliRunner().invoke(app, ["locate", str(batch_lab.path), "--out", str(out), "-q", *flag])
        assert r.exit_code == 0, r.output
        feats = [
            f
            for f in json.loads(out.read_text())["features"]
            if f["properties"]["kind"] == "source"
        ]
        assert len(feats) == 1
        lon, lat = feats[0]["geometry"]["coordinates"]
        e, n = batch_lab.survey.frame.to_local([lat], [lon])
        dists[len(flag)] = float(np.hypot(e[0] - te, n[0] - tn))
    # told the lab emits steadily, the passes it was off count against its true place
    assert dists[0] < 25.0 < dists[1]
