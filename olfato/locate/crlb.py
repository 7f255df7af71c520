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

With ``dt_s`` given, the samples are those of the sensor: the plume passed through
its first-order response of time constant tau (:func:`first_order_hold`) after a
pure delay, and tau and the delay join theta as unknown parameters (nuisances, as
they are to the estimator of :mod:`olfato.locate.refine`, which sees the same
samples with the same noise).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.physics.dispersion import gaussian_plume
from olfato.physics.units import g_m3_to_ppb
from olfato.physics.wind import downwind_crosswind

F64 = NDArray[np.float64]

#: central-difference steps: east, north, height [m], direction [deg], ln rate [-], tau,
#: delay [s]
_STEPS = (0.5, 0.5, 0.1, 0.05, 1e-3, 0.02, 0.02)


def first_order_hold(x: F64, dt_s: float, tau_s: float) -> F64:
    """A first-order sensor's reading of ``x`` sampled every ``dt_s`` [s], time constant
    ``tau_s`` [s], the input linear between samples; starts settled at ``x[0]``.

    Exact recursion for a first-order hold input: y_k = E y_(k-1) + (1 - E) x_(k-1) +
    (x_k - x_(k-1)) (1 - tau (1 - E) / dt), E = exp(-dt / tau) (e.g. Franklin, Powell
    & Workman, *Digital Control of Dynamic Systems*, 3rd ed., 1998, sec. 6.3).

    Parameters
    ----------
    x : ndarray
        Input [any unit], one value per sample.
    dt_s : float
        Sampling interval [s].
    tau_s : float
        Time constant [s]; 0 returns ``x``.

    Returns
    -------
    ndarray
        The sensor's reading [unit of ``x``].
    """
    from scipy.signal import lfilter  # here: scipy.signal imports scipy.stats (~45 MB)

    x = np.asarray(x, dtype=float)
    if tau_s <= 1e-6 or len(x) == 0:
        return x
    e = float(np.exp(-dt_s / tau_s))
    c = 1.0 - tau_s * (1.0 - e) / dt_s
    b = [c, (1.0 - e) - c]
    zi = [(e + b[1]) * x[0]]  # the filter state E y[-1] + b1 x[-1], y[-1] = x[-1] = x[0]
    return np.asarray(lfilter(b, [1.0, -e], x, zi=zi)[0], dtype=float)


#: the sensor model's internal time step [s]: finer than a crossing's time scale
SUB_STEP_S = 0.1


def sensor_samples(
    theta: F64,
    east: F64,
    north: F64,
    alt: F64,
    dt_s: float,
    wind_speed_ms: float,
    dir_from_deg: float,
    stability: str,
    model: str,
    molar_mass_g_mol: float,
    mixing_height_m: float | None = None,
) -> F64:
    """What the sensor reads [ppb] at samples every ``dt_s`` [s] for theta = (east,
    north, height, direction offset, ln rate, tau[, delay]): the steady plume along the
    track (positions linear between samples, evaluated every <= :data:`SUB_STEP_S`),
    passed through the first-order response of time constant tau [s] after a pure
    delay [s] (an inlet's transport time or a clock offset; 0 when absent), read at
    the samples.

    Parameters
    ----------
    theta : ndarray, shape (6,) or (7,)
        (east [m], north [m], height [m], direction offset [deg], ln rate [ln g/s],
        tau [s][, delay [s]]).
    east, north, alt : ndarray
        Sample positions [m] (``alt`` above ground).
    dt_s : float
        Sampling interval [s]; samples are in time order.
    wind_speed_ms : float
        Mean wind speed [m/s].
    dir_from_deg : float
        Mean wind direction FROM [deg].
    stability : str
        Pasquill-Gifford stability class (``"A"``-``"F"``).
    model : str
        Dispersion-coefficient model (one of
        :data:`olfato.physics.dispersion.SIGMA_MODELS`).
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.

    Returns
    -------
    ndarray
        Sensor reading per sample [ppb].
    """
    k = max(1, int(np.ceil(dt_s / SUB_STEP_S - 1e-9)))
    delay = float(theta[6]) / dt_s if len(theta) > 6 else 0.0
    if (k > 1 or delay != 0.0) and len(east) > 1:
        f = np.arange((len(east) - 1) * k + 1) / k - delay
        i = np.arange(len(east), dtype=float)
        east, north, alt = (np.interp(f, i, v) for v in (east, north, alt))
    raw = plume_samples(
        theta[:5],
        east,
        north,
        alt,
        wind_speed_ms,
        dir_from_deg,
        stability,
        model,
        molar_mass_g_mol,
        mixing_height_m,
    )
    return first_order_hold(raw, dt_s / k, max(float(theta[5]), 0.0))[::k]


def mean_direction_sd(time_s: F64, dir_from_deg: F64) -> float:
    """Standard error [deg] of a logged wind direction's time mean.

    The variance of the mean of an autocorrelated series is var / n_eff with
    n_eff = n / (1 + 2 sum rho_k), the sum truncated by Geyer's (1992, Stat. Sci.
    7, 473) initial positive sequence; directions are taken about their vector mean.

    Parameters
    ----------
    time_s : ndarray
        Sample times [s].
    dir_from_deg : ndarray
        Logged wind direction FROM [deg].

    Returns
    -------
    float
        Standard error of the mean direction [deg].
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
    """mu_i(theta) [ppb]: the steady plume at the samples (module docstring).

    Parameters
    ----------
    theta : ndarray, shape (5,)
        (east [m], north [m], height [m], direction offset [deg], ln rate [ln g/s]).
    east, north, alt : ndarray
        Sample positions [m] (``alt`` above ground).
    wind_speed_ms : float
        Mean wind speed [m/s].
    dir_from_deg : float
        Mean wind direction FROM [deg].
    stability : str
        Pasquill-Gifford stability class (``"A"``-``"F"``).
    model : str
        Dispersion-coefficient model (one of
        :data:`olfato.physics.dispersion.SIGMA_MODELS`).
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.

    Returns
    -------
    ndarray
        Mean mole fraction per sample [ppb].
    """
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
    dt_s: float | None = None,
    use: NDArray[np.bool_] | None = None,
) -> F64:
    """J (5 x 5) for theta = (east [m], north [m], height [m], direction offset [deg],
    ln rate [ln g/s]) from samples at ``east``, ``north``, ``alt`` [m] with white noise
    ``noise_ppb`` [ppb], plus the direction prior of sd ``direction_sd_deg`` [deg].

    With ``dt_s`` [s] (samples every ``dt_s`` in time order) theta has a sixth entry,
    the sensor's response time [s], and may have a seventh, a pure delay [s]; J is
    then 6 x 6 or 7 x 7 (module docstring, :func:`sensor_samples`); ``use`` then
    picks the samples that are data (the response runs over all of them).

    Parameters
    ----------
    theta : ndarray, shape (5,), (6,) or (7,)
        The parameters at which J is evaluated (see above).
    east, north, alt : ndarray
        Sample positions [m] (``alt`` above ground).
    noise_ppb : float
        White-noise standard deviation [ppb].
    wind_speed_ms : float
        Mean wind speed [m/s].
    dir_from_deg : float
        Mean wind direction FROM [deg].
    stability : str
        Pasquill-Gifford stability class (``"A"``-``"F"``).
    model : str
        Dispersion-coefficient model.
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    direction_sd_deg : float
        Standard deviation of the direction prior [deg].
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.
    dt_s : float or None, default None
        Sampling interval [s] for the sensor-response model; None for the plume alone.
    use : ndarray of bool or None, default None
        With ``dt_s``, the samples that are data; None uses all.

    Returns
    -------
    ndarray, shape (p, p)
        Fisher information matrix, p = len(theta) [units of 1/theta_i theta_j].
    """
    theta = np.asarray(theta, dtype=float)
    args = (east, north, alt, wind_speed_ms, dir_from_deg, stability, model, molar_mass_g_mol)

    def mu(p: F64) -> F64:
        if dt_s is None:
            return plume_samples(p[:5], *args, mixing_height_m)
        out = sensor_samples(p, east, north, alt, dt_s, *args[3:], mixing_height_m)
        return out if use is None else out[use]

    grads = []
    for k, h in enumerate(_STEPS[: len(theta)]):
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        if k == 5:  # tau >= 0: one-sided at the boundary
            tm[k] = max(tm[k], 0.0)
        grads.append((mu(tp) - mu(tm)) / (tp[k] - tm[k]))
    g = np.stack(grads)
    j = g @ g.T / noise_ppb**2
    if direction_sd_deg > 0 and np.isfinite(direction_sd_deg):
        j[3, 3] += 1.0 / direction_sd_deg**2
    return np.asarray(j, dtype=float)


def position_bound(j: F64) -> tuple[float, F64]:
    """(sqrt of the trace of the east/north block of J^-1 [m], that 2x2 block [m2]).

    Parameters
    ----------
    j : ndarray, shape (p, p)
        Fisher information matrix (east, north first).

    Returns
    -------
    tuple of (float, ndarray)
        Position bound [m] and the 2x2 east/north covariance bound [m2].
    """
    try:
        inv = np.linalg.inv(j)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(j)
    block = inv[:2, :2]
    tr = float(np.trace(block))
    return (float(np.sqrt(tr)) if tr > 0 else float("inf")), np.asarray(block, dtype=float)
