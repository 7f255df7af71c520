"""The Cramer-Rao bound against the empirical spread of an efficient estimator."""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import lfilter

from olfato.locate.crlb import fisher_information, mean_direction_sd, plume_samples, position_bound


def _track() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # three crosswind lines 80-240 m downwind of a source at the origin, westerly wind
    e = np.concatenate([np.full(200, x) for x in (80.0, 160.0, 240.0)])
    n = np.tile(np.linspace(-100, 100, 200), 3)
    return e, n, np.full(e.size, 20.0)


def test_bound_matches_the_spread_of_maximum_likelihood_on_steady_data() -> None:
    e, n, z = _track()
    theta = np.array([0.0, 0.0, 3.0, 0.0, np.log(1.0)])
    args = (e, n, z, 4.0, 270.0, "D", "briggs_rural", 58.08)
    noise, dir_sd = 2.0, 2.0
    j = fisher_information(theta, e, n, z, noise, *args[3:], dir_sd)
    bound, block = position_bound(j)
    mu = plume_samples(theta, *args)
    rng = np.random.default_rng(0)
    est = []
    for _ in range(40):
        y = mu + noise * rng.standard_normal(mu.size)
        prior_dir = dir_sd * rng.standard_normal()  # the direction prior's draw

        def resid(p: np.ndarray, y: np.ndarray = y, d0: float = prior_dir) -> np.ndarray:
            r = (plume_samples(p, *args) - y) / noise
            return np.append(r, (p[3] - d0) / dir_sd)

        fit = least_squares(
            resid, theta + np.array([3.0, -3.0, 0.5, 0.0, 0.1]), x_scale=[5, 5, 1, 1, 0.1]
        )
        est.append(fit.x[:2])
    est = np.array(est)
    rms = float(np.sqrt(np.mean(np.sum(est**2, axis=1))))
    # ML is efficient here: its RMS radial error sits at the bound (sampling error ~ 11%)
    assert 0.75 < rms / bound < 1.3, (rms, bound)
    emp = np.cov(est.T)
    assert 0.6 < emp[1, 1] / block[1, 1] < 1.6  # crosswind variance


def test_bound_shrinks_with_noise_like_one_over_snr() -> None:
    e, n, z = _track()
    theta = np.array([0.0, 0.0, 3.0, 0.0, 0.0])
    args = (4.0, 270.0, "D", "briggs_rural", 58.08)
    b1 = position_bound(fisher_information(theta, e, n, z, 1.0, *args, 0.0))[0]
    b4 = position_bound(fisher_information(theta, e, n, z, 4.0, *args, 0.0))[0]
    assert abs(b4 / b1 - 4.0) < 1e-6
    assert 0.05 < b1 < 5.0  # sub-metre to metres for a 2 g/s acetone lab at 1 ppb noise


def test_mean_direction_sd_matches_an_ou_series() -> None:
    # Ornstein-Uhlenbeck direction, sd 10 deg, time scale 60 s, 900 s at 2 Hz:
    # the mean's standard error is close to 10 sqrt(2 x 60 / 900) = 3.65 deg
    rng = np.random.default_rng(2)
    dt, n, sig, tau = 0.5, 1800, 10.0, 60.0
    phi = np.exp(-dt / tau)
    means, ses = [], []
    for _ in range(120):
        eps = rng.standard_normal(n)
        eps[1:] *= np.sqrt(1 - phi**2)
        d = 270.0 + sig * lfilter([1.0], [1.0, -phi], eps)
        means.append(d.mean())
        ses.append(mean_direction_sd(np.arange(n) * dt, d))
    empirical = float(np.std(means))
    assert 0.7 < np.median(ses) / empirical < 1.3, (np.median(ses), empirical)
