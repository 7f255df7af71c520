"""The likelihood's closed forms against numerical integration."""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad

from olfato.locate.likelihood import Settings, crosswind_integral, lateral_loglik, rate_marginal
from olfato.locate.transport import PlumeCoordinates
from olfato.physics.dispersion import gaussian_plume


def test_rate_marginal_matches_numerical_integration() -> None:
    rng = np.random.default_rng(4)
    log_g = np.log(rng.uniform(50, 400, 4))  # ln (ppb s per g/s)
    q_true = 0.8
    var = np.array([0.3, 0.5, 0.4, 0.6]) ** 2
    log_e = np.log(q_true) + log_g + rng.normal(0, np.sqrt(var))
    lo, hi = 1e-4, 1e3
    logz, mu, sd = rate_marginal(log_e, var, log_g, (lo, hi))

    def integrand(lnq: float) -> float:
        # prod_k LogNormal(E_k; lnQ + lnG_k, var_k) x p(lnQ) (uniform in ln Q)
        r = log_e - lnq - log_g
        dens = np.exp(-0.5 * r**2 / var) / np.sqrt(2 * np.pi * var) / np.exp(log_e)
        return float(np.prod(dens) / (np.log(hi) - np.log(lo)))

    a, b = float(mu - 15 * sd), float(mu + 15 * sd)  # all of the mass, well inside the prior
    kw = {"epsabs": 0.0, "epsrel": 1e-11, "limit": 200}
    z, _ = quad(integrand, a, b, **kw)
    m1, _ = quad(lambda x: x * integrand(x), a, b, **kw)
    m2, _ = quad(lambda x: x * x * integrand(x), a, b, **kw)
    assert abs(float(logz) - np.log(z)) < 1e-6
    assert abs(float(mu) - m1 / z) < 1e-6
    assert abs(float(sd) - np.sqrt(m2 / z - (m1 / z) ** 2)) < 1e-6
    # and the posterior is centred on the truth within its width
    assert abs(float(mu) - np.log(q_true)) < 3 * float(sd)


def test_rate_marginal_truncates_at_the_prior_range() -> None:
    # data asking for 1e4 g/s, beyond a prior capped at 1e3: the mean is clipped to the cap
    logz, mu, _ = rate_marginal(
        np.array([np.log(1e6)]), np.array([0.01]), np.array([np.log(100.0)]), (1e-4, 1e3)
    )
    assert np.isclose(float(mu), np.log(1e3))
    assert float(logz) < -50  # almost no prior mass where the data are


def _coords(x: float, y: np.ndarray, u: float = 4.0) -> PlumeCoordinates:
    ones = np.ones((1, len(y)))
    return PlumeCoordinates(x * ones, y[None, :], u * ones, ones, 0 * ones)


def test_lateral_density_integrates_to_one_and_rules_out_upwind() -> None:
    s = Settings(position_sd_m=3.0, transport_sd_deg=3.0, dof=4.0)
    y = np.linspace(-3000, 3000, 600001)
    ll = lateral_loglik(_coords(150.0, y), s)[0]
    assert abs(np.trapezoid(np.exp(ll), y) - 1.0) < 2e-3
    up = lateral_loglik(_coords(-50.0, np.array([0.0])), s)
    assert float(up[0, 0]) == -50.0


def test_crosswind_integral_is_the_plume_integrated_across() -> None:
    s = Settings(stability="D", dispersion_model="pasquill_gifford")
    x, z, h, u = 180.0, 20.0, 3.0, 4.0
    cic = crosswind_integral(_coords(x, np.array([0.0]), u), np.array([z]), np.array([h]), s)
    num, _ = quad(
        lambda yy: float(gaussian_plume(x, yy, z, 1.0, u, h, "D", "pasquill_gifford")),
        -400,
        400,
        limit=200,
    )
    assert abs(float(cic[0, 0, 0]) / num - 1.0) < 1e-6
