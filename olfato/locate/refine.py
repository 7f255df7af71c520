"""Sample-level refinement of a steady source: every sample, not just crossing summaries.

The grid posterior (:mod:`olfato.locate.posterior`) matches robust per-crossing
summaries (centroid, integral), which is what a meandering, intermittent plume
allows. When the plume is steady (``transport="mean"``) the shape of every crossing
carries information too, and the estimator that uses it is the maximum of the
sample likelihood (efficient: it reaches the Cramer-Rao bound of
:mod:`olfato.locate.crlb` for the same samples, noise and sensor response).

Model: the background-subtracted samples y_i of the dominant channel are
y_i = Q (h * g(theta))_i + e_i, e_i ~ N(0, sd^2), with g the steady Gaussian plume
per unit rate along the flight's mean wind turned by ``ddir`` (the same model as
:func:`olfato.locate.crlb.plume_samples`), ``h *`` the sensor's first-order
response of time constant ``tau`` (exact for input linear between samples, a
first-order hold: y_k = E y_(k-1) + (1 - E) x_(k-1) + (x_k - x_(k-1))(1 - tau
(1 - E) / dt), E = exp(-dt / tau), on a sub-step of at most 0.1 s with the
drone's position linear between samples; e.g. Franklin, Powell & Workman, *Digital
Control of Dynamic Systems*, 3rd ed., 1998, sec. 6.3), and theta = (east, north,
height, ddir [deg], ln Q, tau [s], delay [s]), the delay a pure time shift
before the response (an inlet's transport time, or the gas logger's clock
against the GPS). The direction offset has the Gaussian prior of
the mean direction's standard error (as in the bound). The fit is Gauss-Newton /
trust-region least squares (scipy.optimize.least_squares) from the grid estimate;
its covariance is (J^T J)^-1 (the inverse Fisher information at the estimate),
inflated by the reduced chi-square of the plume samples when the model fits worse
than the noise (the model-discrepancy factor).

The refinement is used only when the data fit a steady plume: the reduced chi-square
over the samples the plume reaches is at most :data:`MAX_CHI2`, and the refined
position lies inside the grid posterior's credible region widened by
:data:`MAX_JUMP`. Otherwise the grid result stands (a meandering plume is not
over-fitted).

Other sources of the flight: their hits' samples are left out, and the plume of
each source already refined is subtracted before the next is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import least_squares

from olfato.locate.crlb import sensor_samples
from olfato.locate.posterior import CHI2_2_95

F64 = NDArray[np.float64]

#: accept the refinement when the plume samples' reduced chi-square is at most this
MAX_CHI2 = 3.0
#: ... and the refined position's Mahalanobis distance^2 from the grid estimate is
#: at most this times the grid's 95% radius^2
MAX_JUMP = 4.0
#: a sample is in the plume when the model is above this many noise sd
PLUME_SD = 1.0
#: bounds of height [m], direction offset [deg], response time and delay [s]
H_MAX_M = 40.0
DDIR_MAX_DEG = 30.0
TAU_MAX_S = 15.0
DELAY_MAX_S = 3.0


@dataclass
class Refined:
    """A refined source: ``theta`` (east [m], north [m], height [m], ddir [deg], ln Q
    [ln g/s], tau [s], delay [s]); ``cov`` 7x7; ``chi2`` the plume samples' reduced chi-square;
    ``n_plume`` their number; ``accepted`` whether it replaces the grid estimate."""

    theta: F64
    cov: F64
    chi2: float
    n_plume: int
    accepted: bool

    @property
    def position_cov(self) -> F64:
        return np.asarray(self.cov[:2, :2], dtype=float)


def refine(
    start: F64,
    east: F64,
    north: F64,
    alt: F64,
    y: F64,
    use: NDArray[np.bool_],
    noise_ppb: float,
    dt_s: float,
    speed_ms: float,
    dir_from_deg: float,
    direction_sd_deg: float,
    stability: str,
    dispersion_model: str,
    molar_mass_g_mol: float,
    mixing_height_m: float | None = None,
) -> Refined:
    """Fit theta (module docstring) from ``start`` to the samples ``y`` [ppb] where ``use``.

    ``east``, ``north``, ``alt`` [m] every sample of the flight (in time order,
    every ``dt_s`` [s]); ``noise_ppb`` the noise sd; the wind's mean speed [m/s]
    and direction FROM [deg] with the direction's standard error [deg].

    Parameters
    ----------
    start : ndarray, shape (7,)
        Initial theta (module docstring).
    east, north, alt : ndarray
        Sample positions [m].
    y : ndarray
        Sensor readings [ppb].
    use : ndarray of bool
        The samples fitted.
    noise_ppb : float
        Noise standard deviation [ppb].
    dt_s : float
        Sampling interval [s].
    speed_ms : float
        Mean wind speed [m/s].
    dir_from_deg : float
        Mean wind direction FROM [deg].
    direction_sd_deg : float
        Its standard error [deg].
    stability : str
        Pasquill-Gifford stability class.
    dispersion_model : str
        Dispersion-coefficient model.
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.

    Returns
    -------
    Refined
        theta, its covariance, reduced chi-square [-] and samples in the plume.
    """
    args = (
        east,
        north,
        alt,
        dt_s,
        speed_ms,
        dir_from_deg,
        stability,
        dispersion_model,
        molar_mass_g_mol,
        mixing_height_m,
    )
    yu = y[use]
    dsd = direction_sd_deg if np.isfinite(direction_sd_deg) and direction_sd_deg > 0 else 0.0

    def resid(p: F64) -> F64:
        r = (sensor_samples(p, *args)[use] - yu) / noise_ppb
        if dsd > 0:
            r = np.append(r, p[3] / dsd)
        return r

    lo = np.array([-np.inf, -np.inf, 0.0, -DDIR_MAX_DEG, -12.0, 0.0, -DELAY_MAX_S])
    hi = np.array([np.inf, np.inf, H_MAX_M, DDIR_MAX_DEG, 10.0, TAU_MAX_S, DELAY_MAX_S])
    x0 = np.clip(np.asarray(start, dtype=float), lo + 1e-6, hi - 1e-6)
    fit = least_squares(
        resid,
        x0,
        bounds=(lo, hi),
        x_scale=np.array([5.0, 5.0, 1.0, 1.0, 0.1, 0.5, 0.2]),
        max_nfev=200,
    )
    j = fit.jac
    info = j.T @ j
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.linalg.pinv(info)
    mu = sensor_samples(fit.x, *args)[use]
    plume = mu > PLUME_SD * noise_ppb
    n_plume = int(plume.sum())
    red = float(np.mean(((mu - yu)[plume] / noise_ppb) ** 2)) if n_plume else float("inf")
    if np.isfinite(red):
        cov = cov * max(red, 1.0)
    return Refined(np.asarray(fit.x, dtype=float), cov, red, n_plume, False)


def accept(ref: Refined, grid_mean: F64, grid_cov: F64) -> bool:
    """Whether the refinement fits a steady plume and stays in the grid's region.

    Parameters
    ----------
    ref : Refined
        The refinement.
    grid_mean : ndarray, shape (2,)
        The grid posterior's mean [m].
    grid_cov : ndarray, shape (2, 2)
        Its covariance [m2].

    Returns
    -------
    bool
        True when accepted.
    """
    if not (np.isfinite(ref.chi2) and ref.chi2 <= MAX_CHI2 and ref.n_plume >= 5):
        return False
    if not np.all(np.isfinite(ref.cov)) or np.any(np.diag(ref.cov)[:2] <= 0):
        return False
    d = ref.theta[:2] - np.asarray(grid_mean, dtype=float)
    try:
        m2 = float(d @ np.linalg.solve(grid_cov, d))
    except np.linalg.LinAlgError:
        return False
    return m2 <= MAX_JUMP * CHI2_2_95
