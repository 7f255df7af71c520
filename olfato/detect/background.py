"""Background and noise of a gas channel: a baseline that follows drift, and its noise.

The background is a robust rolling estimate with plume masking: a running median over
a window much longer than a plume crossing, recomputed after removing the samples that
stand out above it, then smoothed by a running mean of half the window (the
"iterative rolling median" family of baseline estimators; e.g. Ars et al. 2017,
Atmos. Meas. Tech. 10, 5017, for mobile methane surveys, and Brantley et al. 2014,
Environ. Sci. Technol. 48, 14508, who take a low rolling quantile). A slow drift of
the sensor or of the ambient level (e.g. 1% of CH4 over a flight) is background, not
a plume.

Samples known to be in a plume (the hits found on all channels together) can be left
out as well (``plume``): a gas that a crossing carries below its own noise is never
masked by its own readings, and its running median would rise under the plume.

The noise is the standard deviation of the residual (reading minus background) on
background samples, from the LOWER half of its distribution (median minus the 15.87%
quantile) so plumes, which only add, cannot inflate it. Where the channel sits at a
clip (a reading of 0 for a gas near zero, which the lower half cannot show) the upper
half of the plume-masked residual is used instead. The lag-1 autocorrelation of the
residual is estimated robustly from the spread of its first differences,
rho = 1 - var(diff) / (2 var), which the false-alarm calculation of
:mod:`olfato.detect.hits` needs for red (time-correlated) noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

F64 = NDArray[np.float64]

#: default length of the background window [s]
DEFAULT_WINDOW_S = 180.0
#: a sample this many noise sd above the background is masked as a possible plume
MASK_SIGMA = 2.5
#: the fraction of Gaussian noise the mask keeps, Phi(MASK_SIGMA)
MASKED_KEPT = 0.9937903346742238
#: Gaussian quantile at -1 sd
_Q_MINUS_1SD = 0.15865525393145707


@dataclass(frozen=True)
class ChannelBackground:
    """The background of one channel along the flight.

    ``level`` [ppb] per sample; ``noise`` [ppb] the residual standard deviation;
    ``rho1`` [-] the residual's lag-1 autocorrelation; ``background_mask`` True on
    samples taken as background (not in a possible plume, not missing);
    ``level_sd`` [ppb] the standard error of ``level`` (noise over the square root
    of the effective number of samples in the window).
    """

    level: F64
    noise: float
    rho1: float
    background_mask: NDArray[np.bool_]
    level_sd: float

    def enhancement(self, values: F64) -> F64:
        """``values`` [ppb] minus the background [ppb].

        Parameters
        ----------
        values : ndarray of float
            Readings of the channel [ppb], one per sample of the flight (NaN where missing).

        Returns
        -------
        ndarray of float
            Enhancement over the background [ppb], same shape as ``values``.
        """
        return np.asarray(values, dtype=float) - self.level


def robust_sd_lower(resid: F64, kept: float = 1.0) -> float:
    """Standard deviation [same unit] from the lower half: median - 15.87% quantile.

    ``kept`` [-]: the fraction of a Gaussian left after cutting its upper tail (the
    plume mask); the quantile levels are divided by it so the cut does not pull the
    median down (for a cut at 2.5 sd, kept = Phi(2.5), a 0.6% bias otherwise).

    Parameters
    ----------
    resid : ndarray of float
        Residuals about the background [any unit]; NaN are ignored.
    kept : float, default 1.0
        Fraction of a Gaussian left after the upper-tail cut [-], in (0, 1].

    Returns
    -------
    float
        Standard deviation [unit of ``resid``].
    """
    r = resid[np.isfinite(resid)]
    if r.size < 3:
        return float("nan")
    q = np.quantile(r, [_Q_MINUS_1SD / kept, 0.5 / kept])
    return float(q[1] - q[0])


def robust_sd_upper(resid: F64, kept: float = 1.0) -> float:
    """Standard deviation [same unit] from the upper half: 84.13% quantile - median.

    ``kept`` as in :func:`robust_sd_lower`.

    Parameters
    ----------
    resid : ndarray of float
        Residuals about the background [any unit]; NaN are ignored.
    kept : float, default 1.0
        Fraction of a Gaussian left after the upper-tail cut [-], in (0, 1].

    Returns
    -------
    float
        Standard deviation [unit of ``resid``].
    """
    r = resid[np.isfinite(resid)]
    if r.size < 3:
        return float("nan")
    q = np.quantile(r, [0.5 / kept, min(1.0, (1.0 - _Q_MINUS_1SD) / kept)])
    return float(q[1] - q[0])


#: share of exact ties among a series' differences above which their MAD is not used
#: (continuous Gaussian noise has |diff| < 1% of sd on 0.6% of them)
TIED_SHARE = 0.25
#: winsorising bound [sd] of the differences' mean square in that case
WINSOR_SD = 3.0


def lag1_autocorrelation(resid: F64, sd: float) -> float:
    """Robust lag-1 autocorrelation [-] of a series with standard deviation ``sd``.

    rho = 1 - var(diff) / (2 var), with the differences' spread from 1.4826 x MAD;
    pairs with a missing member are skipped. Clipped to [0, 0.99]. A channel that
    reports in steps coarser than its noise repeats its reading on most samples, so
    most differences are exact ties and their MAD is 0 whatever the noise (which
    would read as rho = 1 and inflate every integral's error tenfold); where more
    than :data:`TIED_SHARE` of the differences are ties (within 1% of ``sd``),
    var(diff) is the mean square of the differences winsorised at
    :data:`WINSOR_SD` x sqrt(2) ``sd`` instead.

    Parameters
    ----------
    resid : ndarray of float
        Residual series about the background [any unit], in time order (NaN where
        missing).
    sd : float
        Its standard deviation [unit of ``resid``].

    Returns
    -------
    float
        Lag-1 autocorrelation [-], in [0, 0.99].
    """
    d = np.diff(resid)
    d = d[np.isfinite(d)]
    if d.size < 3 or not sd > 0:
        return 0.0
    if tied_share(resid, 0.01 * sd) > TIED_SHARE:
        cap = WINSOR_SD * np.sqrt(2.0) * sd
        var_diff = float(np.mean(np.clip(d, -cap, cap) ** 2))
    else:
        var_diff = (1.4826 * float(np.median(np.abs(d - np.median(d))))) ** 2
    return float(np.clip(1.0 - var_diff / (2.0 * sd**2), 0.0, 0.99))


def _resolution(values: F64) -> float:
    """The reading's quantisation step [same unit], 0 when it looks continuous
    (:func:`olfato.detect.faults.resolution`: an offset lattice is a lattice too)."""
    from olfato.detect.faults import resolution

    return resolution(values)


def tied_share(values: F64, within: float = 0.0) -> float:
    """Share [-] of a series' consecutive differences that are ties (``|diff| <=
    within``, same unit as ``values``); pairs with a missing member are skipped.

    Parameters
    ----------
    values : ndarray of float
        The series in time order [any unit], NaN where missing.
    within : float, default 0.0
        Largest difference counted as a tie [unit of ``values``].

    Returns
    -------
    float
        Share of ties [-]; 0 with fewer than 3 differences.
    """
    d = np.diff(values)
    d = d[np.isfinite(d)]
    return float(np.mean(np.abs(d) <= within)) if d.size >= 3 else 0.0


def lattice_sd_lower(resid: F64, kept: float = 1.0) -> float:
    """Standard deviation [same unit] of readings in steps, from the lower half's
    second moment: sqrt(2 kept mean(min(r, 0)^2)).

    Quantiles of readings in steps land on the steps (a channel in steps of 2.5 noise
    sd reads its middle step 79% of the time, and its 15.87% quantile sits half a
    step below: 0.43 step against a true spread of 0.49 step), so
    :func:`robust_sd_lower` fails there. The second moment is what an integral's
    error needs: the noise's variance plus the rounding's, step^2 / 12, when the
    noise dithers the steps (Sheppard's correction; Widrow, Kollar & Liu 1996, IEEE
    Trans. Instrum. Meas. 45, 353). The lower half keeps plumes out; ``kept`` as in
    :func:`robust_sd_lower`.

    Parameters
    ----------
    resid : ndarray of float
        Residuals about the background [any unit]; NaN are ignored.
    kept : float, default 1.0
        Fraction of a Gaussian left after the upper-tail cut [-], in (0, 1].

    Returns
    -------
    float
        Standard deviation [unit of ``resid``].
    """
    r = resid[np.isfinite(resid)]
    if r.size < 3:
        return float("nan")
    return float(np.sqrt(2.0 * kept * np.mean(np.minimum(r, 0.0) ** 2)))


def lattice_dither(n: int) -> F64:
    """``n`` offsets [steps] spread evenly over (-1/2, 1/2): the golden-ratio sequence
    (Weyl 1916, Math. Ann. 77, 313), deterministic and free of runs.

    A reading in steps k x step stands for any value within half a step of it; adding
    these offsets times the step spreads the readings over their steps, so medians
    and quantiles no longer stick to the steps (their variance grows by step^2 / 12,
    which the caller takes back out).

    Parameters
    ----------
    n : int
        Number of offsets [-].

    Returns
    -------
    ndarray of float
        Offsets [steps], each in (-1/2, 1/2).
    """
    return np.mod(np.arange(1, n + 1) * 0.6180339887498949, 1.0) - 0.5


def _rolling(x: F64, n: int, how: str) -> F64:
    s = pd.Series(x)
    r = s.rolling(n, center=True, min_periods=max(3, n // 10))
    out = r.median() if how == "median" else r.mean()
    return out.to_numpy(dtype=float)


def _fill(t: F64, y: F64) -> F64:
    ok = np.isfinite(y)
    if not ok.any():
        return y
    return np.interp(t, t[ok], y[ok])


def estimate_background(
    time_s: F64,
    values: F64,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    iterations: int = 4,
    plume: NDArray[np.bool_] | None = None,
) -> ChannelBackground:
    """Background level, noise and autocorrelation of one gas channel.

    ``time_s`` [s, increasing], ``values`` [ppb] (NaN where missing); ``window_s``
    [s] the running-median window, long against a plume crossing and short against
    drift. A flight shorter than the window gets one window over all of it.
    Returns a :class:`ChannelBackground`. The channel must have at least 3 finite
    readings (the caller reports and skips it otherwise).

    Parameters
    ----------
    time_s : ndarray of float
        Sample times [s], increasing.
    values : ndarray of float
        Readings of the channel [ppb], NaN where missing.
    window_s : float, default DEFAULT_WINDOW_S
        Running-median window [s].
    iterations : int, default 4
        Most rounds of masking plume samples and re-estimating the level [-].
    plume : ndarray of bool, optional
        Samples known to be in a plume (e.g. the hits found on every channel together),
        kept out of the level and the noise however little they stand out in this
        channel: a gas that a plume carries below its own noise still raises a running
        median that takes it in.

    Returns
    -------
    ChannelBackground
        Level [ppb] per sample, noise sd [ppb], lag-1 autocorrelation [-], the mask
        of background samples and the level's standard error [ppb].

    Raises
    ------
    ValueError
        When the channel has fewer than 3 finite readings.
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    if finite.sum() < 3:
        raise ValueError("a channel needs at least 3 finite readings for a background")
    dt = float(np.median(np.diff(t))) if len(t) > 1 else 1.0
    n = round(window_s / dt) | 1
    n = max(5, min(n, 2 * len(v) + 1))
    resolution = _resolution(v)
    low_clip = float(np.nanmin(v))
    at_low = np.mean(v[finite] <= low_clip + 1e-12)
    # readings piled at a floor; in steps, the lowest step of unclipped noise holds
    # fewer readings than the one above it, a floor more
    clipped = at_low > 0.05 and (
        resolution == 0
        or at_low >= np.mean(np.abs(v[finite] - low_clip - resolution) < 0.01 * resolution)
    )

    # readings in steps coarser than the noise repeat on most samples; their medians
    # land on the steps, so the level's running median is taken over the readings
    # spread across their steps (the histogram's CDF), and their spread from the
    # second moment (:func:`lattice_sd_lower`)
    coarse = resolution > 0 and tied_share(v) > TIED_SHARE
    spread = v + resolution * lattice_dither(len(v)) if coarse else v
    usable = finite if plume is None else finite & ~np.asarray(plume, dtype=bool)
    if usable.sum() < 3:
        usable = finite
    mask = usable.copy()
    level = np.full_like(v, np.nanmedian(v))
    noise = float("nan")
    for _ in range(iterations):
        level = _fill(t, _rolling(np.where(mask, spread, np.nan), n, "median"))
        level = _fill(t, _rolling(level, max(3, n // 2) | 1, "mean"))
        resid = v - level
        if coarse and not clipped:
            noise = lattice_sd_lower(resid[mask], MASKED_KEPT)
        else:
            sd_half = robust_sd_upper if clipped else robust_sd_lower
            noise = sd_half(resid[mask], MASKED_KEPT)
        floor = 1e-9 * max(1.0, abs(float(np.nanmedian(v))))
        noise = max(noise, resolution / np.sqrt(12.0), floor)
        new_mask = usable & (resid < MASK_SIGMA * noise)
        if np.array_equal(new_mask, mask):
            break
        mask = new_mask
    resid = v - level
    rho1 = lag1_autocorrelation(np.where(mask, resid, np.nan), noise)
    n_eff = max(1.0, n * (1.0 - rho1) / (1.0 + rho1))
    return ChannelBackground(
        level=level,
        noise=float(noise),
        rho1=rho1,
        background_mask=mask,
        level_sd=float(noise / np.sqrt(n_eff)),
    )
