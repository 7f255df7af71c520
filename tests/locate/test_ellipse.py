"""The 95% ellipse of a covariance: one home (locate.posterior) for locate, plan and report."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2

from olfato.locate.posterior import (
    CHI2_2_95,
    Ellipse,
    chi2_2_quantile,
    ellipse_covariance,
    ellipse_from_cov,
    ellipse_ring,
)


def test_chi2_quantile_with_two_degrees_of_freedom_is_closed_form() -> None:
    assert CHI2_2_95 == pytest.approx(5.991464547, rel=1e-9)  # tables: 5.991
    for level in (0.5, 0.9, 0.99):
        assert chi2_2_quantile(level) == pytest.approx(float(chi2.ppf(level, 2)), rel=1e-12)
    with pytest.raises(ValueError, match="level"):
        chi2_2_quantile(1.0)


def test_ellipse_axes_and_azimuth_of_a_covariance() -> None:
    ell = ellipse_from_cov(np.diag([100.0, 25.0]))  # sd 10 m east, 5 m north
    assert ell.semi_major == pytest.approx(10.0 * np.sqrt(CHI2_2_95))
    assert ell.semi_minor == pytest.approx(5.0 * np.sqrt(CHI2_2_95))
    assert ell.azimuth_deg == pytest.approx(90.0)  # the major axis points east
    # rotated 30 deg clockwise from north
    th = np.deg2rad(30.0)
    u = np.array([np.sin(th), np.cos(th)])
    v = np.array([u[1], -u[0]])
    cov = 400.0 * np.outer(u, u) + 9.0 * np.outer(v, v)
    ell = ellipse_from_cov(cov)
    assert ell.azimuth_deg == pytest.approx(30.0)
    assert ellipse_covariance(ell) == pytest.approx(cov)


def test_the_ring_lies_on_the_ellipse() -> None:
    ell = Ellipse(30.0, 10.0, 120.0)
    e, n = ellipse_ring(100.0, -50.0, ell, n=36)
    assert len(e) == 37 and e[0] == e[-1] and n[0] == n[-1]
    cov = ellipse_covariance(ell)
    d = np.stack([e - 100.0, n + 50.0])
    m2 = np.einsum("ik,ij,jk->k", d, np.linalg.inv(cov), d)
    assert m2 == pytest.approx(np.full(37, CHI2_2_95))


def _mixture_quantile(p: np.ndarray, mu: np.ndarray, sd: np.ndarray, q: float) -> float:
    """The q-quantile of a mixture of normals (weights p) by a root finder."""
    from scipy.optimize import brentq
    from scipy.special import ndtr

    return float(brentq(lambda x: p @ ndtr((x - mu) / sd) - q, -40.0, 40.0, xtol=1e-12))


def test_rate_quantiles_match_a_root_finder_on_the_whole_mixture() -> None:
    """The rate interval's ends are the mixture's own quantiles (to 0.1 % in rate)."""
    from olfato.locate.posterior import Raster, rate_quantiles

    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 4000))
        p = rng.random(n) ** 4
        p /= p.sum()
        mu, sd = rng.normal(2.0, 2.0, n), rng.uniform(0.05, 1.5, n)
        cells = Raster(
            np.arange(float(n)),
            np.zeros(1),
            np.zeros(1),
            np.log(p).reshape(1, n, 1),
            mu.reshape(1, n, 1),
            sd.reshape(1, n, 1),
        )
        got = np.log(rate_quantiles(cells))
        for q, g in zip((0.025, 0.5, 0.975), got, strict=True):
            assert abs(g - _mixture_quantile(p, mu, sd, q)) < 1e-3
