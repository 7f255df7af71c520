"""The rate of a source that may emit in batches (olfato.locate.batches): the share of
a batch a whole crossing receives, the share of crossings seen in part, and the rate
while the source emits, checked against closed forms, a simulation of the two windows
and adaptive quadrature."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import exponnorm, norm

from olfato.locate.batches import (
    STEADY_PARTLY_ON,
    batch_fraction,
    emission_modes,
    on_rate,
    partly_on_share,
)
from olfato.locate.likelihood import Crossings, Settings, crossing_magnitudes, rate_marginal
from olfato.locate.posterior import Raster
from olfato.locate.transport import wind_history

RATE_RANGE = (1e-4, 1e3)


def test_a_whole_crossing_gets_the_gaussian_mass_inside_the_batch_window() -> None:
    # a window U D = 2 sigma wide around the centre holds the one-sigma mass, 68.27 %
    assert batch_fraction(20.0, 1.0, 10.0) == pytest.approx(0.6826894921370859, rel=1e-12)
    for d, u, s in [(5.0, 3.0, 40.0), (30.0, 2.0, 15.0), (120.0, 4.0, 60.0)]:
        half = u * d / 2.0
        want = quad(lambda x, s=s: norm.pdf(x, scale=s), -half, half)[0]
        assert batch_fraction(d, u, s) == pytest.approx(want, rel=1e-9)
    # a batch far longer than the spread is a steady plume's crossing
    assert batch_fraction(1e4, 3.0, 50.0) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("tau, d", [(10.0, 4.0), (10.0, 10.0), (10.0, 30.0), (6.0, 150.0)])
def test_the_share_seen_in_part_matches_two_random_windows(tau: float, d: float) -> None:
    # the crossing [s, s + tau] overlaps the batch's window [0, d]: s uniform on
    # (-tau, d); it holds the whole window's plume when 0 <= s and s + tau <= d
    rng = np.random.default_rng(7)
    s = rng.uniform(-tau, d, 400_000)
    part = 1.0 - np.mean((s >= 0.0) & (s + tau <= d))
    assert partly_on_share(tau, d, floor=0.0, cap=1.0) == pytest.approx(part, abs=3e-3)
    # a steady source's floor: crossings cut by a track's end
    with_floor = 1.0 - (1.0 - STEADY_PARTLY_ON) * (1.0 - part)
    assert partly_on_share(tau, d) == pytest.approx(min(with_floor, 0.95), abs=3e-3)


def test_the_rate_marginal_with_a_share_per_crossing_matches_quadrature() -> None:
    # each crossing its own share seen in part: the density of its log-residual is
    # (1 - e_k) N(0, v_k) + e_k EMG, the EMG scipy's exponnorm of -r (K = 1 / sd)
    log_e = np.log(np.array([2.7, 3.0, 0.9, 2.9, 0.55]))
    var = np.array([0.36, 0.37, 0.40, 0.36, 0.38])
    shares = np.array([0.1, 0.3, 0.8, 0.1, 0.95])
    log_g = np.array([[0.0, 0.05, -0.1, 0.02, 0.0], [0.4, -0.3, 0.2, 0.1, -0.5]])
    got = rate_marginal(log_e, var, log_g, RATE_RANGE, (shares[:, None],))
    a, b = np.log(RATE_RANGE[0]), np.log(RATE_RANGE[1])
    for row in range(2):
        y = log_e - log_g[row]
        sd = np.sqrt(var)

        def density(t: float, y: np.ndarray = y, sd: np.ndarray = sd) -> float:
            r = y - t
            per = (1 - shares) * norm.pdf(r, scale=sd) + shares * exponnorm.pdf(
                -r, 1.0 / sd, scale=sd
            )
            return float(np.prod(per))

        pts = sorted(set(np.concatenate([y - 1, y, y + 1])))
        z = quad(density, a, b, points=pts, limit=400, epsabs=0, epsrel=1e-10)[0]
        m1 = quad(lambda t: t * density(t), a, b, points=pts, limit=400, epsabs=0)[0] / z
        assert got[0][row] == pytest.approx(np.log(z) - np.sum(log_e) - np.log(b - a), abs=2e-3)
        assert got[1][row] == pytest.approx(m1, abs=5e-3)


def _crossings_of(source: tuple[float, float], q: float, fractions: np.ndarray):
    """Crossings of a plume from ``source`` [m] in a steady 4 m/s west wind, each at
    its modelled integral for rate ``q`` [g/s] times ``fractions``; the wind, the
    settings and a one-cell raster at the source."""
    n = len(fractions)
    t = np.arange(0.0, 1200.0, 1.0)
    wind = wind_history(t, np.full(len(t), 4.0), np.full(len(t), 270.0))
    east = source[0] + np.linspace(80.0, 320.0, n)
    cr = Crossings(
        hit_ids=np.arange(1, n + 1),
        east=east,
        north=np.full(n, source[1]),
        time=np.linspace(300.0, 1100.0, n),
        alt=np.full(n, 20.0),
        vel_e=np.zeros(n),
        vel_n=np.full(n, 6.0),
        integral=np.ones(n),
        integral_err=np.full(n, 0.05),
        channel="toluene",
        molar_mass=92.14,
    )
    settings = Settings(stability="D", partly_on=(0.1, 0.4, 0.7))
    heights = np.array([3.0])
    _, _, _, log_g, _ = crossing_magnitudes(
        np.array([source[0]]), np.array([source[1]]), heights, cr, wind, settings
    )
    integral = q * np.exp(log_g[0, 0]) * fractions
    cr = Crossings(**{**cr.__dict__, "integral": integral, "integral_err": 0.05 * integral})
    raster = Raster(
        np.array([source[0]]),
        np.array([source[1]]),
        heights,
        np.zeros((1, 1, 1)),
        np.zeros((1, 1, 1)),
        np.ones((1, 1, 1)),
    )
    return cr, wind, settings, raster


def test_a_steady_source_keeps_its_rate() -> None:
    # crossings that agree within the model's discrepancy: the steady mode explains
    # them, and the rate while it emits is the rate they read
    fractions = np.exp(np.array([0.2, -0.3, 0.1, -0.1, 0.25, -0.15]))
    cr, wind, settings, raster = _crossings_of((0.0, 0.0), 2.0, fractions)
    lo, med, hi = on_rate(raster, cr, wind, settings, (0.0, 0.0))
    assert med == pytest.approx(2.0, rel=0.1)
    assert lo < 2.0 < hi
    # the steady mode alone (every crossing whole but a track's end)
    _, mu, _ = rate_marginal(
        np.log(cr.integral),
        (cr.integral_err / cr.integral) ** 2 + settings.discrepancy**2,
        crossing_magnitudes(np.zeros(1), np.zeros(1), np.array([3.0]), cr, wind, settings)[3][0],
        RATE_RANGE,
        (STEADY_PARTLY_ON,),
    )
    assert med == pytest.approx(float(np.exp(mu[0])), rel=0.05)


def test_crossings_of_short_batches_read_low_and_the_rate_while_on_is_recovered() -> None:
    # five of eight crossings saw a twentieth to a fifth of a short batch, three saw
    # it (nearly) whole: far more scatter than turbulence gives (discrepancy 0.6 in
    # ln). Read as log-normal crossings the rate is a quarter of the truth; the rate
    # while on comes back more than half way (in ln) and its interval holds the
    # truth. (Fractions of a quarter to a half alone are within turbulence's reach:
    # the crossings then cannot tell a batch from a weaker steady source, and the
    # steady mode's prior keeps the rate near what they read.)
    fractions = np.array([1.0, 0.1, 0.2, 1.0, 0.05, 0.15, 0.9, 0.1])
    cr, wind, settings, raster = _crossings_of((0.0, 0.0), 2.0, fractions)
    _, mu, _ = rate_marginal(
        np.log(cr.integral),
        (cr.integral_err / cr.integral) ** 2 + settings.discrepancy**2,
        crossing_magnitudes(np.zeros(1), np.zeros(1), np.array([3.0]), cr, wind, settings)[3][0],
        RATE_RANGE,
    )
    steady = float(np.exp(mu[0]))
    lo, med, hi = on_rate(raster, cr, wind, settings, (0.0, 0.0))
    assert steady < 0.55  # 2 g/s read as about a quarter
    assert abs(np.log(med / 2.0)) < 0.5 * abs(np.log(steady / 2.0))
    assert lo < 2.0 < hi


def test_the_emission_modes_weigh_steady_as_the_likelihood_does() -> None:
    cr, wind, settings, _ = _crossings_of((0.0, 0.0), 2.0, np.ones(4))
    modes = emission_modes(cr, wind, settings, (0.0, 0.0))
    weights = np.array([w for w, _, _ in modes])
    assert weights.sum() == pytest.approx(1.0)
    assert weights[0] == pytest.approx(settings.p_off_prior[0])
    assert np.all(modes[0][1] == STEADY_PARTLY_ON) and np.all(modes[0][2] == 0.0)
    # a shorter batch: more crossings seen in part, less of the plume in a whole one
    short, long_ = modes[-3], modes[-1]  # duty 25 %: the shortest and longest period
    assert np.all(short[1] >= long_[1]) and np.all(short[2] <= long_[2])


def _steady_only(settings: Settings) -> Settings:
    """``settings`` with the source always on: one emission mode, the steady one."""
    return dataclasses.replace(settings, p_off_grid=(0.0,), p_off_prior=(1.0,))


def test_the_discrepancy_averaged_over_matches_quadrature() -> None:
    # one cell, the steady mode only: the rate's posterior is the mixture over the two
    # discrepancies (0.6 and 0.3 in ln), each weighted by its evidence, of the
    # contaminated log-normal posteriors of ln Q; on_rate's quantiles against adaptive
    # quadrature of that density and a root finder on its CDF
    fractions = np.exp(np.array([0.2, -0.25, 0.1, -0.1, 0.3, -0.15, 0.05]))
    cr, wind, settings, raster = _crossings_of((0.0, 0.0), 2.0, fractions)
    settings = _steady_only(settings)
    got = on_rate(raster, cr, wind, settings, (0.0, 0.0), discrepancy_factors=(1.0, 0.5))
    log_g = crossing_magnitudes(np.zeros(1), np.zeros(1), np.array([3.0]), cr, wind, settings)[3][
        0, 0
    ]
    y = np.log(cr.integral) - log_g
    noise = (cr.integral_err / cr.integral) ** 2
    a, b = np.log(RATE_RANGE[0]), np.log(RATE_RANGE[1])

    def density(t: float) -> float:
        total = 0.0
        for d in (0.6, 0.3):
            sd = np.sqrt(noise + d**2)
            r = y - t
            per = (1 - STEADY_PARTLY_ON) * norm.pdf(r, scale=sd) + STEADY_PARTLY_ON * (
                exponnorm.pdf(-r, 1.0 / sd, scale=sd)
            )
            total += 0.5 * float(np.prod(per))
        return total

    lo_t, hi_t = float(y.min() - 3.0), float(y.max() + 3.0)  # the mass outside is < 1e-12
    z = quad(density, lo_t, hi_t, points=sorted(y), limit=400, epsabs=0, epsrel=1e-11)[0]
    assert lo_t > a and hi_t < b

    def cdf(x: float) -> float:
        return quad(density, lo_t, x, limit=400, epsabs=0, epsrel=1e-11)[0] / z

    for level, value in zip((0.025, 0.5, 0.975), got, strict=True):
        want = brentq(lambda x, level=level: cdf(x) - level, lo_t, hi_t, xtol=1e-10)
        assert np.log(value) == pytest.approx(want, abs=3e-3)


def test_crossings_that_agree_narrow_the_rate_and_crossings_that_scatter_do_not() -> None:
    # 10 crossings scattering 0.15 in ln about the model's (normal quantiles, so their
    # sample sd is exactly that): the smaller discrepancy explains them better, and the
    # interval narrows to near a log-normal's of 0.3 (1.96 x 0.3 / sqrt(10) = 0.19 each
    # side, against 0.37 with 0.6 fixed) and still holds the truth
    z = norm.ppf((np.arange(10) + 0.5) / 10)
    z = (z - z.mean()) / z.std(ddof=1)
    widths = {}
    for spread in (0.15, 0.6):
        cr, wind, settings, raster = _crossings_of((0.0, 0.0), 2.0, np.exp(spread * z))
        settings = _steady_only(settings)
        fixed = on_rate(raster, cr, wind, settings, (0.0, 0.0))
        learned = on_rate(raster, cr, wind, settings, (0.0, 0.0), discrepancy_factors=(1.0, 0.5))
        assert learned[0] < 2.0 < learned[2]
        widths[spread] = (np.log(fixed[2] / fixed[0]), np.log(learned[2] / learned[0]))
    w_fixed, w_learned = widths[0.15]
    assert w_fixed == pytest.approx(2 * 1.96 * 0.6 / np.sqrt(10), rel=0.15)
    assert w_learned < 0.65 * w_fixed
    assert w_learned == pytest.approx(2 * 1.96 * 0.3 / np.sqrt(10), rel=0.25)
    # crossings scattering as far as the nominal discrepancy: the interval stays
    w_fixed, w_learned = widths[0.6]
    assert w_learned == pytest.approx(w_fixed, rel=0.1)
