"""Crossings seen in part (a batch source switching during a crossing, a track cut
short): the contaminated log-normal / exponentially modified Gaussian model of a
crossing's integral, checked against closed forms and brute-force quadrature."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.stats import exponnorm, norm

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.likelihood import (
    PARTLY_ON_SHARES,
    Settings,
    _rate_grid_marginal,
    magnitude_loglik,
    partly_on_logpdf,
    rate_marginal,
)
from olfato.locate.pipeline import STEADY, TURBULENT

from .conftest import Flight, scenario

RATE_RANGE = (1e-4, 1e3)


def test_a_crossing_seen_in_part_is_an_exponentially_modified_gaussian() -> None:
    # r = ln f + eta, f ~ U(0, 1], eta ~ N(0, v): -r is scipy's exponnorm with
    # K = 1 / sd (an exponential of rate 1 added to N(0, sd^2))
    v = 0.36
    sd = np.sqrt(v)
    r = np.linspace(-12.0, 3.0, 301)
    share = 0.4
    got = np.exp(partly_on_logpdf(r, np.array(v), (share,))[0])
    want = (1 - share) * norm.pdf(r, scale=sd) + share * exponnorm.pdf(-r, 1.0 / sd, scale=sd)
    assert np.allclose(got, want, rtol=1e-9, atol=1e-300)
    # far below (erfcx would overflow) it is the exponential tail e^(r + v/2)
    far = partly_on_logpdf(np.array([-60.0]), np.array(v), (share,))[0, 0]
    assert far == pytest.approx(np.log(share) - 60.0 + v / 2, abs=1e-9)
    # share 0 is the log-normal crossing
    assert np.allclose(partly_on_logpdf(r, np.array(v), (0.0,))[0], norm.logpdf(r, scale=sd))


@pytest.mark.parametrize("share", PARTLY_ON_SHARES)
def test_each_share_is_a_density(share: float) -> None:
    total, _ = quad(
        lambda x: float(np.exp(partly_on_logpdf(np.array(x), np.array(0.5), (share,))[0])),
        -80.0,
        15.0,
        points=[0.0],
        limit=200,
    )
    assert total == pytest.approx(1.0, abs=1e-7)


def _by_quadrature(log_e: np.ndarray, var: np.ndarray, log_g: np.ndarray, shares: tuple) -> tuple:
    """ln p(E), the mean and sd of ln Q by adaptive quadrature over ln Q (reference)."""
    a, b = np.log(RATE_RANGE[0]), np.log(RATE_RANGE[1])
    y = log_e - log_g

    def density(t: float) -> float:
        per = partly_on_logpdf(y[:, None] - t, var[:, None], shares).sum(axis=1)
        return float(np.mean(np.exp(per)))

    pts = sorted(set(np.clip(np.concatenate([y - 1, y, y + 1]), a, b)))
    z = quad(density, a, b, points=pts, limit=400, epsabs=0, epsrel=1e-10)[0]
    m1 = quad(lambda t: t * density(t), a, b, points=pts, limit=400, epsabs=0)[0] / z
    m2 = quad(lambda t: (t - m1) ** 2 * density(t), a, b, points=pts, limit=400, epsabs=0)[0]
    return np.log(z) - np.sum(log_e) - np.log(b - a), m1, np.sqrt(m2 / z)


def test_the_rate_marginal_matches_quadrature() -> None:
    # four crossings agree on ln Q = 1; a fifth saw a fifth of the plume
    log_e = np.log(np.array([2.7, 3.0, 2.4, 2.9, 0.55]))
    var = np.array([0.36, 0.37, 0.40, 0.36, 0.38])
    log_g = np.array([[0.0, 0.05, -0.1, 0.02, 0.0], [0.4, -0.3, 0.2, 0.1, -0.5]])
    got = rate_marginal(log_e, var, log_g, RATE_RANGE, PARTLY_ON_SHARES)
    for row in range(2):
        ll, mean, sd = _by_quadrature(log_e, var, log_g[row], PARTLY_ON_SHARES)
        assert got[0][row] == pytest.approx(ll, abs=2e-3)
        assert got[1][row] == pytest.approx(mean, abs=5e-3)
        assert got[2][row] == pytest.approx(sd, rel=2e-2)


def test_one_crossing_rows_match_quadrature_inside_and_at_the_prior_bounds() -> None:
    # one crossing (a detection's fit): rows whose grid on ln Q the prior's bounds do
    # not cut share one integral, shifted; rows near ln 1e-4 and ln 1e3 are cut
    log_e = np.log(np.array([4.0]))
    var = np.array([0.4])
    a, b = np.log(RATE_RANGE[0]), np.log(RATE_RANGE[1])
    y_rows = np.array([0.0, 1.3, -2.0, a + 0.5, b - 1.0, b + 2.0, 2.0])
    log_g = (log_e[0] - y_rows)[:, None]
    got = rate_marginal(log_e, var, log_g, RATE_RANGE, PARTLY_ON_SHARES)
    free = [0, 1, 2, 6]
    for row in range(len(y_rows)):
        # the grid stops 2 e-folds (+ 4 sd) above the crossing: the partly-on tail
        # beyond, at most 0.7 e^(-2 - 4 sd) = 0.7 % of the mass, is left out (one
        # crossing alone does not make up for it: its sd of ln Q comes out ~6 % low)
        if row in free:
            ll, _, _ = _by_quadrature(log_e, var, log_g[row], PARTLY_ON_SHARES)
            assert got[0][row] == pytest.approx(ll, abs=8e-3)
        # and it is the grid integral of that row alone, to rounding
        alone = _rate_grid_marginal(
            (log_e - log_g[row])[None, :], var, a, b, tuple(PARTLY_ON_SHARES)
        )
        assert alone[0][0] - np.log(b - a) - log_e[0] == pytest.approx(got[0][row], abs=1e-12)
        assert alone[1][0] == pytest.approx(got[1][row], abs=1e-12)
        assert alone[2][0] == pytest.approx(got[2][row], abs=1e-12)
    # the free rows are one shape, shifted with y
    assert np.ptp(got[0][free]) < 1e-12 and np.ptp(got[2][free]) < 1e-12
    assert np.allclose(got[1][free] - y_rows[free], got[1][0] - y_rows[0], atol=1e-12)


def test_a_row_of_the_grid_does_not_depend_on_the_rows_beside_it() -> None:
    # the residual table is built only where a call's residuals reach: a candidate's
    # integral is the same alone as beside candidates that reach far beyond the table
    # (where each crossing takes the table's end value, so those rows are equal)
    var = np.array([0.36, 0.2, 0.5])
    a, b = np.log(RATE_RANGE[0]), np.log(RATE_RANGE[1])
    near = np.array([[1.0, 1.3, 0.6]])
    far_up = np.array([[60.0, 61.0, 59.0], [90.0, 91.0, 89.0]])
    far_down = np.array([[-60.0, -61.0, -59.0], [-90.0, -91.0, -89.0]])
    shares = tuple(PARTLY_ON_SHARES)
    alone = _rate_grid_marginal(near, var, a, b, shares)
    together = _rate_grid_marginal(np.vstack([far_up[:1], near, far_down[:1]]), var, a, b, shares)
    for x, y in zip(alone, together, strict=True):
        assert x[0] == pytest.approx(y[1], rel=1e-12, abs=1e-12)
    for rows in (far_up, far_down):
        ll, mean, sd = _rate_grid_marginal(rows, var, a, b, shares)
        assert np.all(np.isfinite(ll)) and ll[0] == ll[1]
        assert mean[0] == mean[1] and sd[0] == sd[1]
        assert ll[0] < alone[0][0] - 50.0  # ruled out against the candidate that fits


def test_with_no_share_seen_in_part_the_grid_is_the_closed_form() -> None:
    rng = np.random.default_rng(4)
    log_e = np.log(np.array([3.0, 5.0, 4.0, 2.5]))
    var = np.full(4, 0.36)
    log_g = rng.normal(0.0, 0.3, (6, 4))
    closed = rate_marginal(log_e, var, log_g, RATE_RANGE)
    grid = rate_marginal(log_e, var, log_g, RATE_RANGE, (1e-12,))
    for c, g in zip(closed, grid, strict=True):
        assert np.allclose(c, g, atol=2e-3)


def test_a_crossing_seen_in_part_pulls_the_rate_down_far_less() -> None:
    # the closed form averages ln E: one crossing at 1/20 of the others drags the rate
    # to 20^(-1/5) = 0.55 of theirs; the contaminated model keeps it near theirs
    log_e = np.log(np.array([10.0, 10.0, 10.0, 10.0, 0.5]))
    var = np.full(5, 0.36)
    log_g = np.zeros((1, 5))
    gauss = np.exp(rate_marginal(log_e, var, log_g, RATE_RANGE)[1][0])
    robust = np.exp(rate_marginal(log_e, var, log_g, RATE_RANGE, PARTLY_ON_SHARES)[1][0])
    assert gauss == pytest.approx(10.0 * 20 ** (-1 / 5), rel=1e-6)
    assert 8.5 < robust < 11.0
    # and the candidate that must call it "in part" is far likelier than under the
    # log-normal, which has no room for a factor of 20
    ll_gauss = rate_marginal(log_e, var, log_g, RATE_RANGE)[0][0]
    ll_robust = rate_marginal(log_e, var, log_g, RATE_RANGE, PARTLY_ON_SHARES)[0][0]
    assert ll_robust > ll_gauss + 5.0


def test_candidates_left_out_of_the_grid_cannot_matter() -> None:
    # 400 candidates x 2 heights, their lateral fit spread over 60 log units
    rng = np.random.default_rng(7)
    log_e = np.log(rng.uniform(1.0, 10.0, 6))
    var = np.full(6, 0.4)
    log_g = rng.normal(0.0, 1.5, (400, 2, 6))
    lateral = np.linspace(0.0, -60.0, 400)[:, None]
    mag, mu, _ = magnitude_loglik(log_e, var, log_g, lateral, RATE_RANGE, PARTLY_ON_SHARES, 20.0)
    full, full_mu, _ = rate_marginal(log_e, var, log_g, RATE_RANGE, PARTLY_ON_SHARES)
    best = np.max(full + lateral)
    near = full + lateral > best - 20.0
    assert np.array_equal(mag[near], full[near]) and np.array_equal(mu[near], full_mu[near])
    assert (~near).any() and np.all(mag[~near] <= full[~near] + 1e-9)  # a lower bound
    assert np.max(mag + lateral) == best


@pytest.mark.parametrize("shares", [(1.0,), (0.1, -0.2), (float("nan"),)])
def test_a_share_outside_0_1_is_a_clear_error(shares: tuple) -> None:
    with pytest.raises(OlfatoError, match="partly_on values must lie in") as err:
        Settings(partly_on=shares)
    assert err.value.parameter == "partly_on"


def test_the_turbulent_default_models_crossings_seen_in_part_and_the_steady_not() -> None:
    assert TURBULENT.partly_on == PARTLY_ON_SHARES
    assert STEADY.partly_on == ()


@pytest.mark.slow
def test_a_lab_cooking_in_short_batches_has_its_rate_covered(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # on 40 % of every 30 s: a crossing is often flown while the lab switches, so it
    # sees part of the plume. Six flights: the rate interval holds the true rate in 5
    # (with log-normal crossings alone: 2, one flight without a source at all)
    covered = 0
    for seed in range(6):
        raw = scenario(area={"width_m": 560, "height_m": 480})
        raw["sources"][0].update(duty_cycle=0.4, period_s=30.0, east_m=-190.0, north_m=20.0)
        f = Flight(raw, seed, tmp_path_factory.mktemp(f"short{seed}"))
        res = locate(f.survey, f.hits)
        q = f.sim.truth["sources"][0]["rates_g_s"]
        if len(res.sources) == 1:
            s = res.sources[0]
            covered += int(s.rate_ci95_g_s[0] <= q[s.analyte] <= s.rate_ci95_g_s[1])
    assert covered >= 5
