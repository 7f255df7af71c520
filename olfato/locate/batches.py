"""The rate of a source that may emit in batches: the rate while it emits.

A lab that cooks in batches emits for D = duty x period seconds of every cycle. Two
things then make its crossings read low, more so the shorter the batch:

Crossings seen in part
    The batch passes a crosswind line at the drone's distance during a window about
    D long, while the drone needs tau = 4 sigma_y / v_perp to cross the plume (its
    +-2 sigma_y, at its speed across the axis). With the crossing's start uniform over
    the D + tau during which the two windows overlap (the crossing saw the plume at
    all), the crossing holds the whole window's plume with probability
    max(D - tau, 0) / (D + tau), and saw it only in part otherwise
    (:func:`partly_on_share`). The likelihood's own shares
    (:data:`olfato.locate.likelihood.PARTLY_ON_SHARES`, one per source) cannot follow
    this: a batch short against the crossing time leaves most crossings partial.

The batch spread along the wind
    On its way the batch is spread along the wind as across it (a puff's along-wind
    sd sigma_x taken as its crosswind sigma_y: Turner 1970, *Workbook of Atmospheric
    Dispersion Estimates*, ch. 3; the INPUFF and CALPUFF puff models, Petersen &
    Lavdas 1986, EPA/600/8-86/024, and Scire et al. 2000, *A User's Guide for the
    CALPUFF Dispersion Model*, sec. 2.1), so even a whole crossing receives at most
    the share f = erf(U D / (2 sqrt(2) sigma_x)) of what a steady source of the same
    rate would give it (a Gaussian's mass inside a window U D wide around its centre;
    :func:`batch_fraction`).

The position's posterior (:mod:`olfato.locate.posterior`) is left as it is; the rate
reported is computed again over its most probable cells (:func:`on_rate`), averaged
over the ways the source may emit (:func:`emission_modes`):

* steady, its crossings seen in part only with :data:`STEADY_PARTLY_ON` (a track's
  end), with the likelihood's prior on "always on" (the first value of
  :attr:`olfato.locate.likelihood.Settings.p_off_prior`);
* or in batches, the duty 1 - ``p_off`` for each other value of
  :attr:`~olfato.locate.likelihood.Settings.p_off_grid` (25-75 % off) and the period
  log-uniform over 30-300 s, the range of batch production (issue 12), at
  :data:`BATCH_PERIODS_S`.

Each mode is weighted, cell by cell, by how well it explains the crossings' integrals
(the marginal over ln Q of :func:`olfato.locate.likelihood.rate_marginal`). Crossings
that scatter far beyond turbulence's reach (many at a tenth of the others) favour short
batches and get the rate the source emits at while on. Crossings within that reach
(the log-normal's discrepancy, 0.6 in ln) cannot tell a batch from a weaker steady
source: the rate stays near what they read, its interval widened upward by the chance
that the source cooks in batches.

The passes on which a source was off do not weigh the modes: the likelihood's ``p_off``
is the chance that a whole pass misses the plume, which a cycle shorter than the time
between passes does not set (a 34 s cycle at 56 % duty is seen on most passes): at
simulated batch sources its posterior put 77-96 % on "always on".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import erf

from olfato.locate.likelihood import (
    PARTLY_ON_SHARES,
    Crossings,
    Settings,
    crossing_magnitudes,
    crossing_speed,
    dispersion_sigmas,
    rate_marginal,
)
from olfato.locate.posterior import Raster, mixture_quantiles
from olfato.locate.transport import WindHistory, plume_coordinates
from olfato.physics.dispersion import X_MIN_M

F64 = NDArray[np.float64]

#: the range [s] of a batch source's period (issue 12: batch production on 25-75 % of a
#: 30-300 s cycle)
BATCH_PERIOD_RANGE_S = (30.0, 300.0)
#: the periods [s] the rate is averaged over: geometric midpoints of thirds of
#: :data:`BATCH_PERIOD_RANGE_S`, equally likely (a log-uniform prior)
BATCH_PERIODS_S = tuple(
    BATCH_PERIOD_RANGE_S[0]
    * (BATCH_PERIOD_RANGE_S[1] / BATCH_PERIOD_RANGE_S[0]) ** ((i + 0.5) / 3.0)
    for i in range(3)
)
#: share [-] of a steady source's crossings seen in part (cut by a track's end): the
#: likelihood's smallest share
STEADY_PARTLY_ON = PARTLY_ON_SHARES[0]
#: the largest share [-] of a batch source's crossings seen in part (a contaminated
#: model keeps some weight on its full part)
MAX_PARTLY_ON = 0.95
#: the plume's width a drone crosses [sigma_y]: +-2 sigma_y holds 95 % of it
CROSSED_WIDTH_SIGMAS = 4.0
#: most probable cells (position x height) the rate is computed over, at most
ON_RATE_CELLS = 128
#: posterior mass of the cells kept [-]
ON_RATE_MASS = 0.99


def batch_fraction(duration_s: ArrayLike, speed_m_s: ArrayLike, sigma_x_m: ArrayLike) -> F64:
    """The largest share [-] of a steady plume's crossing integral that a batch of
    ``duration_s`` gives a crossing, once spread along the wind by ``sigma_x_m``
    (module docstring): erf(U D / (2 sqrt(2) sigma_x)).

    Parameters
    ----------
    duration_s : array_like
        How long the batch emits [s], > 0.
    speed_m_s : array_like
        Transport speed [m/s], > 0.
    sigma_x_m : array_like
        Along-wind spread of the batch at the crossing [m], > 0.

    Returns
    -------
    ndarray
        The share [-], in (0, 1].
    """
    d = np.asarray(duration_s, dtype=float)
    u = np.asarray(speed_m_s, dtype=float)
    s = np.asarray(sigma_x_m, dtype=float)
    return np.asarray(erf(u * d / (2.0 * np.sqrt(2.0) * s)), dtype=float)


def partly_on_share(
    crossing_s: ArrayLike,
    duration_s: float,
    floor: float = STEADY_PARTLY_ON,
    cap: float = MAX_PARTLY_ON,
) -> F64:
    """The chance [-] that a crossing lasting ``crossing_s`` saw a batch lasting
    ``duration_s`` only in part, given it saw it at all (module docstring):
    1 - (1 - floor) max(D - tau, 0) / (D + tau), at most ``cap``.

    Parameters
    ----------
    crossing_s : array_like
        Time the drone takes to cross the plume [s], > 0.
    duration_s : float
        How long the batch passes the crossing [s], > 0.
    floor : float, default STEADY_PARTLY_ON
        The share when the batch is much longer than the crossing [-].
    cap : float, default MAX_PARTLY_ON
        The largest share [-], <= 1 (below 1 for
        :func:`olfato.locate.likelihood.partly_on_logpdf`).

    Returns
    -------
    ndarray
        The share [-], in [floor, cap].
    """
    tau = np.asarray(crossing_s, dtype=float)
    whole = np.maximum(duration_s - tau, 0.0) / (duration_s + tau)
    return np.asarray(np.clip(1.0 - (1.0 - floor) * whole, floor, cap), dtype=float)


def emission_modes(
    crossings: Crossings, wind: WindHistory, settings: Settings, at: tuple[float, float]
) -> list[tuple[float, F64, F64]]:
    """The ways the source may emit, each with its prior weight [-], its crossings'
    shares seen in part [-] (m,) and the ln of the share of the plume a whole
    crossing receives [-] (m,): steady, or in batches of duty 1 - ``p_off`` for each
    ``p_off`` of :attr:`Settings.p_off_grid` (their prior
    :attr:`Settings.p_off_prior`) and each of :data:`BATCH_PERIODS_S` (module
    docstring).

    The crossing times and along-wind spreads are those of a source at ``at``.

    Parameters
    ----------
    crossings : Crossings
        The source's hits.
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings (class, dispersion model, ``p_off_grid``).
    at : tuple of float
        The source's east and north [m].

    Returns
    -------
    list of (float, ndarray, ndarray)
        (weight, shares, ln whole-crossing share) per mode; the weights sum to 1.
    """
    m = len(crossings)
    co = plume_coordinates(crossings.east, crossings.north, crossings.time, [at[0]], [at[1]], wind)
    down = co.x[0] > 0.0
    sigma = dispersion_sigmas(np.maximum(co.x[0], X_MIN_M), settings)[0]
    vperp = crossing_speed(co, crossings.vel_e, crossings.vel_n, crossings.vel_sq)[0]
    crossing_s = CROSSED_WIDTH_SIGMAS * sigma / vperp
    steady = np.full(m, STEADY_PARTLY_ON)
    modes: list[tuple[float, F64, F64]] = []
    for p, w in zip(settings.p_off_grid, settings.p_off_prior, strict=True):
        if p <= 0.0:
            modes.append((float(w), steady, np.zeros(m)))
            continue
        for period in BATCH_PERIODS_S:
            d = period * (1.0 - p)
            shares = np.where(down, partly_on_share(crossing_s, d), STEADY_PARTLY_ON)
            whole = np.where(down, np.log(batch_fraction(d, co.u[0], sigma)), 0.0)
            modes.append((float(w) / len(BATCH_PERIODS_S), shares, whole))
    return modes


def on_rate(
    raster: Raster,
    crossings: Crossings,
    wind: WindHistory,
    settings: Settings,
    at: tuple[float, float],
    qs: tuple[float, ...] = (0.025, 0.5, 0.975),
    *,
    discrepancy_factors: tuple[float, ...] = (1.0,),
) -> list[float]:
    """Quantiles [g/s] of the rate while the source emits (module docstring).

    Over the most probable cells of ``raster`` (at most :data:`ON_RATE_CELLS`, holding
    :data:`ON_RATE_MASS` of it), each way the source may emit
    (:func:`emission_modes`) and each discrepancy (``discrepancy_factors`` times the
    settings', equally likely) gives the crossings' marginal over ln Q and its posterior
    (:func:`olfato.locate.likelihood.rate_marginal`, with the mode's shares seen in
    part and whole-crossing shares); the modes and discrepancies are weighted per cell
    by prior x marginal, the cells by the raster.

    Parameters
    ----------
    raster : Raster
        The source's position posterior.
    crossings : Crossings
        Its hits.
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.
    at : tuple of float
        The source's east and north [m] (where the crossing times and the along-wind
        spreads are taken).
    qs : tuple of float, default (0.025, 0.5, 0.975)
        Probability levels [-].
    discrepancy_factors : tuple of float, default (1.0,)
        Factors [-] on ``settings.discrepancy``, equally likely a priori: how far the
        crossings' integrals stray from the plume model's is learned from their
        scatter (:data:`olfato.locate.defaults.DISCREPANCY_FACTORS`).

    Returns
    -------
    list of float
        The rate at each level [g/s].
    """
    p3 = raster.prob3.ravel()
    keep = raster.most_probable(ON_RATE_MASS, ON_RATE_CELLS)
    iy, ix, ih = np.unravel_index(keep, raster.prob3.shape)
    _, log_e, var_log, log_g, _ = crossing_magnitudes(
        raster.east[ix], raster.north[iy], raster.heights, crossings, wind, settings
    )
    log_g = log_g[np.arange(len(keep)), ih]  # (cells, m)
    noise = var_log - settings.discrepancy**2  # the integrals' own error
    modes = emission_modes(crossings, wind, settings, at)
    lls, mus, sds = [], [], []
    for factor in discrepancy_factors:
        var_f = noise + (factor * settings.discrepancy) ** 2
        for weight, shares, whole in modes:
            ll, mu, sd = rate_marginal(
                log_e, var_f, log_g + whole, settings.rate_range_g_s, (shares[:, None],)
            )
            lls.append(np.log(weight / len(discrepancy_factors)) + ll)
            mus.append(mu)
            sds.append(sd)
    lw = np.stack(lls, axis=1)  # (cells, modes)
    lw -= np.max(lw, axis=1, keepdims=True)
    w = np.exp(lw)
    w /= w.sum(axis=1, keepdims=True)
    w *= (p3[keep] / p3[keep].sum())[:, None]
    mu, sd = np.stack(mus, axis=1), np.stack(sds, axis=1)
    return mixture_quantiles(w.ravel(), mu.ravel(), sd.ravel(), qs)
