"""Plume hits: the stretches of a flight where the drone was inside a plume.

A crossing raises several gases at once, smeared in time by each sensor's response.
Detection is joint across channels:

1. Each channel's enhancement (reading minus background, :mod:`olfato.detect.background`)
   is divided by its noise: z_c(t) [-].
2. Detection statistics are linear combinations of the z_c: every channel alone,
   and, for each signature of the library, the matched filter across channels
   S = sum_c w_c z_c / sqrt(sum_c w_c^2) with w_c = R_c / sigma_c, the expected
   enhancement per unit of the signature's reference over the channel's noise (the
   matched filter for a known direction in channel space; Kay 1998, *Fundamentals of
   Statistical Signal Processing II: Detection Theory*, sec. 4.3). Each is also
   taken after a running mean over ``smooth_s`` seconds, matched to a crossing
   broadened by the sensors' response. Every statistic is rescaled to unit variance
   on background samples (the larger of its lower and upper robust half-widths) and
   its lag-1 autocorrelation rho is measured.
3. A hit starts where any statistic rises through the threshold u. For a stationary
   Gaussian series the chance that a given sample is an up-crossing of u is exactly
   P(X_{k-1} < u <= X_k) = Phi(u) - Phi2(u, u; rho) = 2 T(u, sqrt((1-rho)/(1+rho))),
   T Owen's function (Owen 1956, Ann. Math. Stat. 27, 1075, eq. 3.1; the discrete
   form of Rice's up-crossing rate, Rice 1945, Bell Syst. Tech. J. 24, 46). The
   threshold is the u at which the sum of these over all statistics, times the
   samples per hour, equals the user's false alarms per flight hour (a union, i.e.
   Bonferroni, bound: exact for independent statistics, conservative otherwise).
4. A hit spans the run of samples above u, split where two plumes were crossed back
   to back, extended while its triggering statistic stays above 1 sd and padded by
   ``pad_s`` seconds for the sensors' slow tail. Hits that then overlap merge, unless
   the statistic between their peaks falls as low as a split asks for: then they
   are two crossings (of one plume that meanders back over the track, or of two
   plumes a few seconds apart) and part at that valley, so that each hit stays one
   crossing, as locate's crossing model needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq
from scipy.special import owens_t

from olfato.detect.background import (
    MASKED_KEPT,
    lag1_autocorrelation,
    robust_sd_lower,
    robust_sd_upper,
)
from olfato.survey.flights import flight_edges

F64 = NDArray[np.float64]

#: a hit extends while its triggering statistic stays above this [sd]
EXTEND_SD = 1.0
#: two peaks in one run are two hits when the valley between them is at most this
#: fraction of the lower peak
SPLIT_FRACTION = 0.5
#: default running-mean length for the smoothed statistics [s]
DEFAULT_SMOOTH_S = 3.0
#: default padding of each hit on both sides [s]
DEFAULT_PAD_S = 4.0


def upcrossing_probability(u: float | F64, rho1: float | F64) -> F64:
    """Chance [-] that a sample of a unit stationary Gaussian series up-crosses ``u``.

    ``u`` [sd], ``rho1`` [-] the lag-1 autocorrelation: 2 T(u, sqrt((1-rho)/(1+rho)))
    (module docstring; Owen 1956).

    Parameters
    ----------
    u : float or ndarray of float
        Threshold [sd].
    rho1 : float or ndarray of float
        Lag-1 autocorrelation [-].

    Returns
    -------
    ndarray of float
        Probability per sample of an up-crossing [-].

    References
    ----------
    Owen, D. B. (1956). Tables for computing bivariate normal probabilities. Ann.
    Math. Statist. 27, 1075-1090.
    """
    r = np.clip(np.asarray(rho1, dtype=float), -0.999, 0.999)
    return np.asarray(2.0 * owens_t(u, np.sqrt((1.0 - r) / (1.0 + r))), dtype=float)


def threshold_for_rate(false_alarms_per_hour: float, samples_per_hour: float, rho1: F64) -> float:
    """Threshold u [sd] whose expected up-crossings of any statistic match the rate.

    ``false_alarms_per_hour`` [1/h] the user's setting; ``samples_per_hour`` [1/h];
    ``rho1`` [-] the lag-1 autocorrelation of each statistic.

    Parameters
    ----------
    false_alarms_per_hour : float
        Expected false hits per flight hour on clean air [1/h].
    samples_per_hour : float
        Sampling rate [1/h].
    rho1 : ndarray of float
        Lag-1 autocorrelation of each statistic [-].

    Returns
    -------
    float
        Threshold [sd].
    """
    rho = np.asarray(rho1, dtype=float)

    def excess(u: float) -> float:
        rate = float(np.sum(upcrossing_probability(u, rho))) * samples_per_hour
        return float(np.log(max(rate, 1e-300)) - np.log(false_alarms_per_hour))

    lo, hi = 0.0, 40.0
    if excess(lo) <= 0:
        return lo
    return float(brentq(excess, lo, hi, xtol=1e-6))


def running_mean(x: F64, n: int) -> F64:
    """Centred running mean of ``n`` samples that skips NaN (NaN where all are).

    Parameters
    ----------
    x : ndarray of float
        Series [any unit], NaN where missing.
    n : int
        Window length [samples].

    Returns
    -------
    ndarray of float
        Running mean [unit of ``x``], same shape as ``x``.
    """
    if n <= 1:
        return np.asarray(x, dtype=float).copy()
    ok = np.isfinite(x)
    k = np.ones(n)
    s = np.convolve(np.where(ok, x, 0.0), k, mode="same")
    c = np.convolve(ok.astype(float), k, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1.0), np.nan)


def combine(z: F64, weights: F64) -> F64:
    """Matched combination of channels: sum_c w_c z_c / sqrt(sum over present w_c^2).

    ``z`` (n, C) [sd] with NaN where a channel is missing; ``weights`` (C,) [-].

    Parameters
    ----------
    z : ndarray of float, shape (n, C)
        Enhancement over noise per channel [sd], NaN where missing.
    weights : ndarray of float, shape (C,)
        Weight per channel [-].

    Returns
    -------
    ndarray of float, shape (n,)
        Combined statistic [sd].
    """
    w = np.asarray(weights, dtype=float)
    ok = np.isfinite(z)
    num = np.where(ok, z, 0.0) @ w
    den = np.sqrt(ok.astype(float) @ (w * w))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


@dataclass(frozen=True)
class Statistics:
    """The detection statistics of a flight.

    ``values`` (n, K) [sd, unit variance on background]; ``names`` (K,) e.g.
    ``"acetone"`` or ``"clandestine_lab~3s"``; ``rho1`` (K,) lag-1 autocorrelations.
    """

    values: F64
    names: list[str]
    rho1: F64


def detection_statistics(
    z: F64,
    channels: list[str],
    combinations: dict[str, dict[str, float]],
    background_mask: NDArray[np.bool_],
    *,
    smooth_samples: int = 1,
) -> Statistics:
    """All detection statistics: each channel, each combination, raw and smoothed.

    ``z`` (n, C) enhancement over noise [sd]; ``combinations`` name -> {channel:
    weight}; ``background_mask`` (n,) samples to calibrate on; ``smooth_samples``
    the running-mean length (1: no smoothed statistics).

    Parameters
    ----------
    z : ndarray of float, shape (n, C)
        Enhancement over noise per channel [sd].
    channels : list of str
        Channel names, in the column order of ``z``.
    combinations : dict[str, dict[str, float]]
        Combination name -> {channel: weight [-]}.
    background_mask : ndarray of bool, shape (n,)
        Samples to calibrate on.
    smooth_samples : int, default 1
        Running-mean length [samples]; 1 gives no smoothed statistics.

    Returns
    -------
    Statistics
        The statistics [sd] as columns, their names and lag-1 autocorrelations [-].
    """
    vectors: list[tuple[str, F64]] = []
    seen: set[tuple[float, ...]] = set()
    candidates = [(c, {c: 1.0}) for c in channels] + list(combinations.items())
    for name, wdict in candidates:
        w = np.array([float(wdict.get(c, 0.0)) for c in channels])
        if not np.any(w > 0):
            continue
        key = tuple(np.round(w / np.linalg.norm(w), 6))
        if key in seen:
            continue
        seen.add(key)
        vectors.append((name, w))
    cols, names, rhos = [], [], []
    scales = [1] if smooth_samples <= 1 else [1, smooth_samples]
    for name, w in vectors:
        base = combine(z, w)
        for m in scales:
            s = running_mean(base, m)
            # the larger of the two half-widths: the lower one is squeezed where a
            # channel is clipped at zero, the upper one by plume tails
            bg = s[background_mask]
            sd = max(robust_sd_lower(bg, MASKED_KEPT), robust_sd_upper(bg, MASKED_KEPT))
            if not np.isfinite(sd) or sd <= 0:
                sd = 1.0
            # never below the sd of an m-sample mean of unit white noise: a quantised
            # channel that sits on one step most of the time has half-widths near 0,
            # which would make every single step a plume of tens of sd
            sd = max(sd, 1.0 / np.sqrt(m))
            s = s / sd
            cols.append(s)
            names.append(name if m == 1 else f"{name}~{m}")
            rhos.append(lag1_autocorrelation(np.where(background_mask, s, np.nan), 1.0))
    values = np.column_stack(cols) if cols else np.empty((len(z), 0))
    return Statistics(values, names, np.array(rhos))


def _split(m: F64, a: int, b: int) -> list[tuple[int, int]]:
    """Split samples a..b (all above threshold) at valleys below half the lower peak."""
    p = a + int(np.argmax(m[a : b + 1]))
    low, pos = np.inf, -1
    for q in range(p + 1, b + 1):
        if m[q] < low:
            low, pos = m[q], q
        if low <= SPLIT_FRACTION * m[q]:
            return _split(m, a, pos - 1) + _split(m, pos, b)
    low, pos = np.inf, -1
    for q in range(p - 1, a - 1, -1):
        if m[q] < low:
            low, pos = m[q], q
        if low <= SPLIT_FRACTION * m[q]:
            return _split(m, a, pos) + _split(m, pos + 1, b)
    return [(a, b)]


def hit_spans(
    stats: Statistics,
    threshold: float,
    pad_samples: int = 0,
    starts: NDArray[np.int64] | None = None,
) -> list[tuple[int, int, int, int]]:
    """Sample spans of hits: (start, end inclusive, peak index, triggering statistic).

    A run of samples where any statistic reaches ``threshold`` [sd] is one hit, or
    several where the largest statistic dips between two peaks to at most
    :data:`SPLIT_FRACTION` of the lower one (two plumes crossed back to back). The
    run's outer ends extend while the triggering statistic (the largest at the
    peak) stays above :data:`EXTEND_SD`, padded by ``pad_samples``. Hits of
    different runs that then overlap part at the lowest sample between their peaks
    where it is as low as that split asks for (two crossings seconds apart: with a
    pad for a slow sensor's tail they overlap, yet each is its own crossing), and
    merge where it is not; a sample where every statistic is missing is never the
    valley (a dropout inside one crossing does not make two). No hit spans two flights
    of one log (``starts``): a run, its extension and its pad end at the flight's edge.

    Parameters
    ----------
    stats : Statistics
        The detection statistics of :func:`detection_statistics`.
    threshold : float
        Detection threshold [sd].
    pad_samples : int, default 0
        Samples added to each side of a hit [-].
    starts : ndarray of int or None, default None
        Samples where a flight after the first begins
        (:func:`olfato.survey.flights.flight_starts`); None: one flight.

    Returns
    -------
    list of tuple of (int, int, int, int)
        Per hit: first sample, last sample (inclusive), peak sample, index of the
        triggering statistic.
    """
    v = stats.values
    n = v.shape[0]
    if n == 0 or v.shape[1] == 0:
        return []
    filled = np.where(np.isfinite(v), v, -np.inf)
    m = filled.max(axis=1)
    above = m >= threshold
    idx = np.flatnonzero(above)
    if idx.size == 0:
        return []
    edges = flight_edges(starts, n)
    flight = np.searchsorted(edges, np.arange(n), side="right") - 1
    runs = np.split(idx, np.flatnonzero((np.diff(idx) > 1) | (np.diff(flight[idx]) != 0)) + 1)
    spans: list[tuple[int, int, int, int]] = []
    for run in runs:
        lo, hi = int(edges[flight[run[0]]]), int(edges[flight[run[0]] + 1]) - 1
        segs = _split(m, int(run[0]), int(run[-1]))
        group = []
        for a, b in segs:
            peak = a + int(np.argmax(m[a : b + 1]))
            group.append([a, b, peak, int(np.argmax(filled[peak]))])

        def keep(i: int, k: int) -> bool:
            return bool(filled[i, k] >= EXTEND_SD or not np.isfinite(v[i, k]))

        first, last = group[0], group[-1]
        while first[0] > lo and keep(first[0] - 1, first[3]):
            first[0] -= 1
        while last[1] < hi and keep(last[1] + 1, last[3]):
            last[1] += 1
        first[0] = max(lo, first[0] - pad_samples)
        last[1] = min(hi, last[1] + pad_samples)
        for g in group:
            sp = (g[0], g[1], g[2], g[3])
            if spans and g is first and sp[0] <= spans[-1][1]:
                a0, b0, p0, k0 = spans[-1]
                valley = _valley(m, p0, sp[2])
                if valley is not None:
                    spans[-1] = (a0, valley, p0, k0)
                    spans.append((valley + 1, max(b0, sp[1]), sp[2], sp[3]))
                    continue
                best = (p0, k0) if m[p0] >= m[sp[2]] else (sp[2], sp[3])
                spans[-1] = (a0, max(b0, sp[1]), *best)
            else:
                spans.append(sp)
    return spans


def _valley(m: F64, p0: int, p1: int) -> int | None:
    """The lowest sample strictly between peaks ``p0`` < ``p1`` of the largest
    statistic ``m`` [sd] where it is at most :data:`SPLIT_FRACTION` of the lower peak
    (two crossings), else None (one); samples where every statistic is missing
    (``m`` = -inf) are skipped."""
    between = m[p0 + 1 : p1]
    ok = np.isfinite(between)
    if not ok.any():
        return None
    q = p0 + 1 + int(np.argmin(np.where(ok, between, np.inf)))
    return q if m[q] <= SPLIT_FRACTION * min(m[p0], m[p1]) else None


def integrate_enhancement(
    time_s: F64, enhancement: F64, noise: float, rho1: float, level_sd: float
) -> tuple[float, float]:
    """Time-integrated enhancement [ppb s] over a hit and its standard error [ppb s].

    Trapezoid over the finite samples (gaps bridged linearly). The error adds the
    noise of the n samples, inflated by (1+rho)/(1-rho) for AR(1)-correlated noise
    (e.g. Bayley & Hammersley 1946, J. R. Stat. Soc. Suppl. 8, 184), and the
    background's own error ``level_sd`` [ppb] over the whole duration.

    Parameters
    ----------
    time_s : ndarray of float
        Sample times over the hit [s].
    enhancement : ndarray of float
        Enhancement over the hit [ppb], NaN where missing.
    noise : float
        Noise standard deviation [ppb].
    rho1 : float
        Lag-1 autocorrelation of the noise [-].
    level_sd : float
        Standard error of the background level [ppb].

    Returns
    -------
    tuple of (float, float)
        Integrated enhancement [ppb s] and its standard error [ppb s].
    """
    t = np.asarray(time_s, dtype=float)
    e = np.asarray(enhancement, dtype=float)
    ok = np.isfinite(e)
    if ok.sum() == 0:
        return float("nan"), float("nan")
    if ok.sum() == 1:
        dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
        return float(e[ok][0] * dt), float(noise * dt)
    tt, ee = t[ok], e[ok]
    total = float(np.sum(0.5 * (ee[1:] + ee[:-1]) * np.diff(tt)))
    dt = float(np.median(np.diff(tt)))
    duration = float(tt[-1] - tt[0]) + dt
    n = ok.sum()
    inflate = (1.0 + rho1) / (1.0 - rho1)
    err = np.sqrt(n * inflate * (noise * dt) ** 2 + (level_sd * duration) ** 2)
    return total, float(err)
