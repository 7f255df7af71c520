"""The Cramer-Rao lower bound on a source's position error for a flight.

For samples y_i = mu_i(theta) + e_i with independent Gaussian noise of sd sigma,
the Fisher information is J = sum_i grad mu_i grad mu_i^T / sigma^2 (Kay 1993,
*Fundamentals of Statistical Signal Processing: Estimation Theory*, eq. 3.31) and
any unbiased estimator has cov >= J^-1 (the bound on a parameter subset with the
others unknown is the block of the inverse: nuisance parameters cost information,
Kay 1993, sec. 3.7).

Here mu_i is the steady Gaussian plume (:func:`olfato.physics.dispersion.gaussian_plume`)
of the source at every sample of the flight, in the dominant channel [ppb], pointing
along the flight's mean wind; theta = (east, north, height, wind-direction offset,
ln rate). The mean wind direction is known only to the standard error of the
logged direction's mean, a Gaussian prior that adds 1 / sd^2 to its information
(the Bayesian bound of Van Trees 1968, *Detection, Estimation and Modulation Theory*
I, sec. 2.4). The bound reported is sqrt(trace) of the east/north block: a lower
bound on the RMS radial position error [m]. Derivatives are central differences.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.physics.dispersion import gaussian_plume
from olfato.physics.units import g_m3_to_ppb
from olfato.physics.wind import downwind_crosswind

F64 = NDArray[np.float64]

#: central-difference steps: east, north, height [m], direction [deg], ln rate [-]
_STEPS = (0.5, 0.5, 0.1, 0.05, 1e-3)


def mean_direction_sd(time_s: F64, dir_from_deg: F64) -> float:
    """Standard error [deg] of a logged wind direction's time mean.

    The variance of the mean of an autocorrelated series is var / n_eff with
    n_eff = n / (1 + 2 sum rho_k), the sum truncated by Geyer's (1992, Stat. Sci.
    7, 473) initial positive sequence; directions are taken about their vector mean.
    """
    th = np.deg2rad(np.asarray(dir_from_deg, dtype=float))
    ok = np.isfinite(th)
    th = th[ok]
    if th.size < 4:
        return float("nan")
    mean = np.arctan2(np.mean(np.sin(th)), np.mean(np.cos(th)))
    d = np.rad2deg(np.angle(np.exp(1j * (th - mean))))
    d = d - d.mean()
    n = d.size
    f = np.fft.rfft(d, 2 * n)
    acf = np.fft.irfft(f * np.conj(f))[:n] / (np.arange(n, 0, -1))
    acf = acf / acf[0]
    tau = 1.0
    for k in range(1, n - 1, 2):
        pair = acf[k] + acf[k + 1]
        if pair <= 0:
            break
        tau += 2.0 * pair
    return float(np.sqrt(np.var(d) * tau / n))


def plume_samples(
    theta: F64,
    east: F64,
    north: F64,
    alt: F64,
    wind_speed_ms: float,
    dir_from_deg: float,
    stability: str,
    model: str,
    molar_mass_g_mol: float,
    mixing_height_m: float | None = None,
) -> F64:
    """mu_i(theta) [ppb]: the steady plume at the samples (module docstring)."""
    se, sn, h, ddir, lnq = theta
    x, y = downwind_crosswind(east, north, se, sn, dir_from_deg + ddir)
    c = gaussian_plume(
        x, y, alt, np.exp(lnq), wind_speed_ms, max(h, 0.0), stability, model, mixing_height_m
    )
    return g_m3_to_ppb(c, molar_mass_g_mol)


def fisher_information(
    theta: F64,
    east: F64,
    north: F64,
    alt: F64,
    noise_ppb: float,
    wind_speed_ms: float,
    dir_from_deg: float,
    stability: str,
    model: str,
    molar_mass_g_mol: float,
    direction_sd_deg: float,
    mixing_height_m: float | None = None,
) -> F64:
    """J (5 x 5) for theta = (east [m], north [m], height [m], direction offset [deg],
    ln rate [ln g/s]) from samples at ``east``, ``north``, ``alt`` [m] with white noise
    ``noise_ppb`` [ppb], plus the direction prior of sd ``direction_sd_deg`` [deg]."""
    theta = np.asarray(theta, dtype=float)
    grads = []
    for k, h in enumerate(_STEPS):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        args = (east, north, alt, wind_speed_ms, dir_from_deg, stability, model, molar_mass_g_mol)
        grads.append(
            (plume_samples(tp, *args, mixing_height_m) - plume_samples(tm, *args, mixing_height_m))
            / (2 * h)
        )
    g = np.stack(grads)
    j = g @ g.T / noise_ppb**2
    if direction_sd_deg > 0 and np.isfinite(direction_sd_deg):
        j[3, 3] += 1.0 / direction_sd_deg**2
    return np.asarray(j, dtype=float)


def position_bound(j: F64) -> tuple[float, F64]:
    """(sqrt of the trace of the east/north block of J^-1 [m], that 2x2 block [m2])."""
    try:
        inv = np.linalg.inv(j)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(j)
    block = inv[:2, :2]
    tr = float(np.trace(block))
    return (float(np.sqrt(tr)) if tr > 0 else float("inf")), np.asarray(block, dtype=float)
