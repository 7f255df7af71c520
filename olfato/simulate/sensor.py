"""What a gas sensor makes of the air: lag, background, drift, noise, steps, gaps, faults.

Pure functions on sampled series; the order in :func:`olfato.simulate.core.simulate`
is: true mole fraction (background + plumes) -> first-order response -> unit ->
warm-up offset -> white noise -> quantisation -> clip at 0 and at saturation ->
stuck stretch -> dropouts.

The faults are those of cheap field sensors: a heated metal-oxide or
electrochemical cell reads high after power-on and decays to its baseline over
minutes (modelled as an exponential offset); a reading that saturates at the top
of its range; a channel that freezes at one value (a stalled firmware loop or a
disconnected cell that repeats its last reading).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import lfilter

F64 = NDArray[np.float64]


def first_order_response(x: ArrayLike, dt_s: float, tau_s: float, axis: int = -1) -> F64:
    """A first-order (single time constant) sensor's reading of ``x``.

    dy/dt = (x - y) / tau with ``tau_s`` [s], sampled every ``dt_s`` [s], input held
    constant over each step (zero-order-hold equivalent, Franklin, Powell &
    Workman, *Digital Control of Dynamic Systems*, 3rd ed., 1998, sec. 6.3.1):
    y[k] = y[k-1] + a (x[k] - y[k-1]), a = 1 - exp(-dt / tau). Starts settled at
    x[0]. ``tau_s`` = 0 returns ``x``. After one tau a step has reached 63.2%.

    Parameters
    ----------
    x : array_like
        True concentration [any unit], uniformly sampled.
    dt_s : float
        Sampling interval [s].
    tau_s : float
        Sensor time constant [s].
    axis : int, default -1
        The time axis.

    Returns
    -------
    ndarray
        The sensor's reading [unit of ``x``].
    """
    xa = np.asarray(x, dtype=float)
    if tau_s <= 0 or xa.shape[axis] == 0:
        return xa.copy()
    a = 1.0 - np.exp(-dt_s / tau_s)
    x0 = np.take(xa, [0], axis=axis)
    zi = (1.0 - a) * x0  # steady state at x[0]
    y, _ = lfilter([a], [1.0, -(1.0 - a)], xa, axis=axis, zi=zi)
    return np.asarray(y, dtype=float)


def background(
    t_s: F64,
    level: float,
    drift_per_hour: float,
    wander: float,
    wander_timescale_s: float,
    rng: np.random.Generator,
) -> F64:
    """Ambient background: ``level`` + linear drift + an Ornstein-Uhlenbeck wander.

    ``t_s`` [s, uniform], ``level`` [ppb], ``drift_per_hour`` [ppb/h], ``wander``
    [ppb] std dev with time scale ``wander_timescale_s`` [s].

    Parameters
    ----------
    t_s : ndarray
        Times [s], uniform.
    level : float
        Mean level [ppb].
    drift_per_hour : float
        Linear drift [ppb/h].
    wander : float
        Standard deviation of the wander [ppb].
    wander_timescale_s : float
        Its integral time scale [s].
    rng : numpy.random.Generator
        Random draws.

    Returns
    -------
    ndarray
        Background [ppb].
    """
    from olfato.simulate.world import ou_process

    t = np.asarray(t_s, dtype=float)
    out = level + drift_per_hour * (t - t[0]) / 3600.0
    if wander > 0 and len(t) > 1:
        out = out + ou_process(len(t), float(t[1] - t[0]), wander, wander_timescale_s, rng)
    return out


def quantise(x: ArrayLike, step: float) -> F64:
    """Round ``x`` to multiples of ``step`` (same unit); ``step`` 0 leaves it as is.

    Parameters
    ----------
    x : array_like
        Readings [any unit].
    step : float
        Resolution [unit of ``x``].

    Returns
    -------
    ndarray
        Quantised readings [unit of ``x``].
    """
    xa = np.asarray(x, dtype=float)
    return xa.copy() if step <= 0 else np.round(xa / step) * step


def dropout_mask(
    t_s: F64, rate_per_min: float, mean_duration_s: float, rng: np.random.Generator
) -> NDArray[np.bool_]:
    """True where the sensor reports nothing.

    Dropouts start as a Poisson process of ``rate_per_min`` [1/min] and last an
    exponentially distributed time of mean ``mean_duration_s`` [s].

    Parameters
    ----------
    t_s : ndarray
        Times [s].
    rate_per_min : float
        Dropout start rate [1/min].
    mean_duration_s : float
        Mean dropout length [s].
    rng : numpy.random.Generator
        Random draws.

    Returns
    -------
    ndarray of bool
        True where the reading is missing.
    """
    t = np.asarray(t_s, dtype=float)
    mask = np.zeros(len(t), dtype=bool)
    if rate_per_min <= 0 or len(t) == 0:
        return mask
    span = float(t[-1] - t[0])
    n = rng.poisson(rate_per_min * span / 60.0)
    starts = t[0] + rng.uniform(0.0, span, n)
    ends = starts + rng.exponential(mean_duration_s, n)
    for a, b in zip(starts, ends, strict=True):
        mask |= (t >= a) & (t < b)
    return mask


def warmup_offset(t_s: F64, amplitude: float, timescale_s: float) -> F64:
    """The warm-up offset [unit of ``amplitude``] after power-on at ``t_s[0]``:
    ``amplitude`` exp(-(t - t0) / ``timescale_s``); 0 when either is 0.

    Parameters
    ----------
    t_s : ndarray
        Times [s].
    amplitude : float
        Offset at power-on [any unit].
    timescale_s : float
        E-folding time [s].

    Returns
    -------
    ndarray
        Offset [unit of ``amplitude``].
    """
    t = np.asarray(t_s, dtype=float)
    if amplitude == 0 or timescale_s <= 0 or len(t) == 0:
        return np.zeros(len(t))
    return np.asarray(amplitude * np.exp(-(t - t[0]) / timescale_s), dtype=float)


def saturate(x: ArrayLike, maximum: float | None) -> F64:
    """Clip ``x`` at the sensor's ``maximum`` reading (same unit); None leaves it.

    Parameters
    ----------
    x : array_like
        Readings [any unit].
    maximum : float or None
        Largest reading [unit of ``x``], or None.

    Returns
    -------
    ndarray
        Clipped readings [unit of ``x``].
    """
    xa = np.asarray(x, dtype=float)
    return xa.copy() if maximum is None else np.minimum(xa, maximum)


def stick(
    t_s: F64, x: ArrayLike, start_s: float, duration_s: float, value: float | None = None
) -> F64:
    """``x`` frozen at ``value`` (default: its reading at ``start_s`` [s after t_s[0]]) for
    ``duration_s`` [s].

    Parameters
    ----------
    t_s : ndarray
        Times [s].
    x : array_like
        Readings [any unit].
    start_s : float
        When the sensor sticks [s after ``t_s[0]``].
    duration_s : float
        For how long [s].
    value : float or None, default None
        The stuck reading [unit of ``x``]; None keeps the reading at ``start_s``.

    Returns
    -------
    ndarray
        The readings with the stuck stretch [unit of ``x``].
    """
    t = np.asarray(t_s, dtype=float)
    out = np.asarray(x, dtype=float).copy()
    rel = t - t[0]
    on = (rel >= start_s) & (rel < start_s + duration_s)
    if not on.any():
        return out
    out[on] = out[np.argmax(on)] if value is None else value
    return out
