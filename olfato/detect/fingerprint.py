"""Chemical fingerprints: enhancement ratios, and which signature a plume matches.

Ratios
    The enhancement of one channel against another over the samples of a hit (or a
    group of hits) is a straight line whose slope is the molar ratio. Both channels
    are noisy, so the slope comes from the errors-in-variables regression of York et
    al. (2004), "Unified equations for the slope, intercept, and standard errors of
    the best straight line", Am. J. Phys. 72, 367 (the intercept absorbs any residual
    background offset). Its standard error is scaled up by sqrt(MSWD) when the scatter
    exceeds the stated errors (the Birge ratio; Wendt & Carl 1991, Chem. Geol. 86, 275).

Classifier
    The data are the time-integrated enhancements E_c [ppb s] of the channels, with
    standard errors s_c; integrals are used because a first-order sensor response
    preserves them, so channels with different response times stay comparable. A
    signature predicts E_c = A R_c exp(spread z_c), A >= 0 the reference gas's integral,
    R_c the library ratio, z_c ~ N(0, 1) the site's scatter (none on the reference
    channel), and E_c = 0 for channels it lacks. The evidence of a signature
    integrates the Gaussian measurement error over z_c (Gauss-Hermite quadrature;
    Abramowitz & Stegun 1972, 25.4.46) and over A with a log-uniform prior on the
    signature's total SNR between :data:`SNR_RANGE` (the same for every signature, so
    no unit favours one). "none of these" is the alternative in which every channel
    has its own free enhancement (zero or log-uniform, 50/50): it wins when no
    signature's ratios fit, and loses otherwise by its Occam factor. Posterior
    probabilities use equal priors over the library and ``prior_none`` for "none".

Mixtures
    When two (or three) plumes overlap, E = A_1 R_1 + A_2 R_2 (+ A_3 R_3) with A >= 0:
    for every pair (then triple) of signatures, a weighted non-negative least squares
    fit (Lawson & Hanson 1974, *Solving Least Squares Problems*, ch. 23;
    scipy.optimize.nnls) whose weights add the signatures' spread (relative to the
    fitted enhancement, iteratively reweighted) to the measurement error. A mixture
    is reported when no single signature explains the data ("none" wins) and the
    best pair, or failing that the best triple, fits (chi-square p-value >= :data:`MIXTURE_MIN_P`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls
from scipy.special import (
    chdtrc,  # chi-squared survival function (scipy.stats costs 46 MB)
    log_ndtr,
    logsumexp,
)

from olfato.chemistry.signatures import Signature, SignatureLibrary

F64 = NDArray[np.float64]

#: range of the log-uniform prior on a signature's total SNR (and a channel's SNR
#: under "none of these") [-]
SNR_RANGE = (0.5, 1e5)
#: default prior probability that a plume matches no signature in the library
PRIOR_NONE = 0.05
#: p-value a two-signature NNLS fit must reach to be reported as a mixture
MIXTURE_MIN_P = 0.01
NONE = "none"

_GRID = np.linspace(np.log(SNR_RANGE[0]), np.log(SNR_RANGE[1]), 250)
_LOG_WIDTH = float(np.log(SNR_RANGE[1] / SNR_RANGE[0]))
_DLOG = float(_GRID[1] - _GRID[0])


# -- York regression ---------------------------------------------------------------------
@dataclass(frozen=True)
class YorkFit:
    """A York (2004) straight line y = intercept + slope x with standard errors.

    ``slope_se`` and ``intercept_se`` are York's (from the stated errors);
    ``mswd`` is the reduced chi-square of the fit (1 when the errors are right);
    :attr:`slope_se_scaled` inflates the slope's error by sqrt(MSWD) when MSWD > 1.
    """

    slope: float
    intercept: float
    slope_se: float
    intercept_se: float
    mswd: float
    n: int

    @property
    def slope_se_scaled(self) -> float:
        """``slope_se`` times sqrt(MSWD) when MSWD > 1 (the Birge ratio)."""
        return self.slope_se * max(1.0, float(np.sqrt(self.mswd)))


def york_fit(
    x: F64, y: F64, sx: F64 | float, sy: F64 | float, r: float = 0.0, *, max_iter: int = 100
) -> YorkFit:
    """Best straight line through points with errors in both ``x`` and ``y``.

    ``x``, ``y`` [any units], ``sx``, ``sy`` their standard errors (arrays or scalars),
    ``r`` the correlation of the x and y errors. York et al. (2004), section III,
    steps 1-8. NaN pairs are dropped; fewer than 3 points give NaN.

    Parameters
    ----------
    x, y : ndarray of float
        The points [any units].
    sx, sy : ndarray of float or float
        Standard errors of ``x`` and ``y`` [units of ``x`` and ``y``].
    r : float, default 0.0
        Correlation of the x and y errors [-].
    max_iter : int, default 100
        Most iterations of the slope [-].

    Returns
    -------
    YorkFit
        Slope [y/x], intercept [y], their standard errors, MSWD [-] and number of
        points used.

    References
    ----------
    York, D., Evensen, N. M., Martinez, M. L., Delgado, J. D. B. (2004). Unified
    equations for the slope, intercept, and standard errors of the best straight
    line. Am. J. Phys. 72, 367-375.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    sxa = np.broadcast_to(np.asarray(sx, dtype=float), x.shape)
    sya = np.broadcast_to(np.asarray(sy, dtype=float), y.shape)
    ok = np.isfinite(x) & np.isfinite(y) & (sxa > 0) & (sya > 0)
    x, y, sxa, sya = x[ok], y[ok], sxa[ok], sya[ok]
    n = int(x.size)
    nan = float("nan")
    if n < 3 or np.ptp(x) == 0:
        return YorkFit(nan, nan, nan, nan, nan, n)
    wx, wy = 1.0 / sxa**2, 1.0 / sya**2
    alpha = np.sqrt(wx * wy)
    b = float(np.polyfit(x, y, 1)[0])
    for _ in range(max_iter):
        w = wx * wy / (wx + b * b * wy - 2.0 * b * r * alpha)
        xbar, ybar = np.sum(w * x) / np.sum(w), np.sum(w * y) / np.sum(w)
        u, v = x - xbar, y - ybar
        beta = w * (u / wy + b * v / wx - (b * u + v) * r / alpha)
        b_new = float(np.sum(w * beta * v) / np.sum(w * beta * u))
        done = abs(b_new - b) <= 1e-12 * max(1.0, abs(b))
        b = b_new
        if done:
            break
    w = wx * wy / (wx + b * b * wy - 2.0 * b * r * alpha)
    xbar, ybar = np.sum(w * x) / np.sum(w), np.sum(w * y) / np.sum(w)
    u, v = x - xbar, y - ybar
    beta = w * (u / wy + b * v / wx - (b * u + v) * r / alpha)
    a = float(ybar - b * xbar)
    xadj = xbar + beta
    xm = np.sum(w * xadj) / np.sum(w)
    ua = xadj - xm
    sb = float(np.sqrt(1.0 / np.sum(w * ua * ua)))
    sa = float(np.sqrt(1.0 / np.sum(w) + xm * xm * sb * sb))
    mswd = float(np.sum(w * (y - b * x - a) ** 2) / (n - 2))
    return YorkFit(b, a, sb, sa, mswd, n)


def enhancement_ratios(
    enhancement: Mapping[str, F64], noise: Mapping[str, float], reference: str
) -> dict[str, YorkFit]:
    """Molar ratio of each channel to ``reference`` over a hit's samples (York fits).

    ``enhancement``: channel -> enhancement samples [ppb]; ``noise``: channel -> noise
    sd [ppb]. Returns channel -> :class:`YorkFit` (slope [ppb/ppb]); the reference
    itself is left out.

    Parameters
    ----------
    enhancement : Mapping[str, ndarray of float]
        Channel -> enhancement samples over the hit [ppb].
    noise : Mapping[str, float]
        Channel -> noise standard deviation [ppb].
    reference : str
        The channel the ratios are taken against.

    Returns
    -------
    dict[str, YorkFit]
        Channel -> York fit of its samples on the reference's (slope [ppb/ppb]).
    """
    x = enhancement[reference]
    return {
        c: york_fit(x, e, noise[reference], noise[c])
        for c, e in enhancement.items()
        if c != reference
    }


# -- classifier --------------------------------------------------------------------------
@dataclass
class Classification:
    """Which signature a plume (or a group of plumes) matches.

    ``probabilities``: signature name (and ``"none"``) -> posterior probability;
    ``signature``: the most probable name, or ``"mixture"``; ``mixture``: when two
    overlapping plumes explain the data, signature -> share of the total weighted
    enhancement [-], with ``amplitudes`` [ppb s of each signature's reference gas];
    ``suspect``: the answer, or a mixture part, is in the suspect category;
    ``channels``: the channels used.
    """

    probabilities: dict[str, float]
    signature: str
    suspect: bool
    channels: list[str]
    mixture: dict[str, float] = field(default_factory=dict)
    amplitudes: dict[str, float] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        """The signature, or for a mixture its largest part (a source's own answer)."""
        if self.mixture:
            return max(self.mixture, key=lambda k: self.mixture[k])
        return self.signature


#: Gauss-Hermite rule of the scatter quadrature (:func:`_log_gauss_hermite`), and a
#: finer one where ln f bends up (an integrand with two modes, or one skewed mode)
_GH_RULE = np.polynomial.hermite.hermgauss(12)
_GH_RULE_FINE = np.polynomial.hermite.hermgauss(16)
#: Newton steps at most in the search for a mode of a scatter integrand (each
#: bracketed, so at worst a bisection: 60 halvings narrow any bracket below 1e-9 of it)
_MODE_STEPS = 60
#: the weights that share a two-mode integrand between its modes are each mode's
#: Laplace Gaussian this many times wider (so a mode's tails stay with it)
_SHARE_WIDTH = 2.0


def _scatter_slope(z: F64, e: F64, s: F64, mu: F64, spread: F64) -> tuple[F64, F64, F64]:
    """d ln f / dz of the scatter integrand f(z) = N(E; mu e^(spread z), s) N(z; 0, 1) at
    ``z``, its curvature -d2 ln f / dz2 = (m spread / s)^2 + 1 + (m - E) m spread^2 /
    s^2 (m = mu e^(spread z); negative only where m < E / 2 and ln f bends up), and
    the Gauss-Newton curvature (m spread / s)^2 + 1, which leaves out the residual's
    term and is always positive."""
    m = mu * np.exp(spread * z)
    gauss_newton = (m * spread / s) ** 2 + 1.0
    slope = (e - m) * m * spread / s**2 - z
    return slope, gauss_newton + (m - e) * m * (spread / s) ** 2, gauss_newton


def _scatter_mode(z: F64, lo: F64, hi: F64, e: F64, s: F64, mu: F64, spread: F64) -> F64:
    """A mode of the scatter integrand in [lo, hi], where its slope is >= 0 at lo and
    <= 0 at hi: Newton's steps from ``z`` where ln f is concave, a bisection where it
    is not or where a step would leave the bracket (a safeguarded Newton method: Press
    et al., *Numerical Recipes*, 3rd ed., 2007, sec. 9.4, rtsafe). The bracket keeps
    a positive slope at its lower end and a negative one at its upper, so the search
    ends on a maximum, never a minimum. Each element stops once its step moves z by
    less than 1e-9."""
    z = z.copy()
    todo = np.arange(z.size)
    zf, lo, hi = z.reshape(-1), lo.reshape(-1).copy(), hi.reshape(-1).copy()
    ef, sf, mf, pf = (a.reshape(-1) for a in (e, s, mu, spread))
    for _ in range(_MODE_STEPS):
        zt = zf[todo]
        slope, curv, gauss_newton = _scatter_slope(zt, ef[todo], sf[todo], mf[todo], pf[todo])
        lo_t = np.where(slope >= 0.0, zt, lo[todo])
        hi_t = np.where(slope <= 0.0, zt, hi[todo])
        z_next = zt + slope / np.maximum(curv, 1e-300)
        newton = (curv > 0.01 * gauss_newton) & (z_next >= lo_t) & (z_next <= hi_t)
        z_next = np.where(newton, z_next, 0.5 * (lo_t + hi_t))
        zf[todo], lo[todo], hi[todo] = z_next, lo_t, hi_t
        todo = todo[np.abs(z_next - zt) >= 1e-9]
        if todo.size == 0:
            break
    return z


def _log_gauss_hermite(
    e: F64,
    s: F64,
    mu: F64,
    spread: F64,
    centre: F64,
    tau: F64,
    rule: tuple[F64, F64] = _GH_RULE,
    log_share: Callable[[F64], F64] | None = None,
) -> F64:
    """ln of the integral over z of the scatter integrand, times ``exp(log_share(z))``
    where one mode's share is wanted, by the Gauss-Hermite ``rule`` (nodes, weights)
    around ``centre`` with width ``tau``."""
    x, w = rule
    nodes = centre[..., None] + np.sqrt(2.0) * tau[..., None] * x
    mn = mu[..., None] * np.exp(spread[..., None] * nodes)
    lg = -0.5 * ((e[..., None] - mn) / s[..., None]) ** 2 - 0.5 * nodes**2
    lg -= 0.5 * np.log(2 * np.pi)
    if log_share is not None:
        lg += log_share(nodes)
    lg += np.log(w) + x**2 + np.log(np.sqrt(2.0) * tau)[..., None]
    # ln sum exp over the nodes, in NumPy: SciPy's logsumexp costs ~0.3 ms a call in its
    # array-API layer, as much as the quadrature itself at these sizes
    top = np.max(lg, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    lg -= top
    return np.asarray(np.log(np.sum(np.exp(lg), axis=-1)) + top[..., 0], dtype=float)


def _log_shared(
    e: F64, s: F64, mu: F64, spread: F64, centres: tuple[F64, F64], widths: tuple[F64, F64]
) -> F64:
    """ln of the integral of a scatter integrand with two modes (``centres``, Laplace
    ``widths``): a quadrature around each (:data:`_GH_RULE_FINE`), the integrand shared
    between them by weights that sum to one (a partition of unity: each mode's
    Gaussian, :data:`_SHARE_WIDTH` times its Laplace width, over their sum), so neither
    mode's mass is missed or counted twice."""

    def log_share(which: int) -> Callable[[F64], F64]:
        def share(nodes: F64) -> F64:
            up, low = (
                -0.5 * ((nodes - c[:, None]) / (_SHARE_WIDTH * w[:, None])) ** 2
                - np.log(_SHARE_WIDTH * w)[:, None]
                for c, w in zip(centres, widths, strict=True)
            )
            return np.asarray((up, low)[which] - np.logaddexp(up, low), dtype=float)

        return share

    parts = [
        _log_gauss_hermite(e, s, mu, spread, c, w, _GH_RULE_FINE, log_share(k))
        for k, (c, w) in enumerate(zip(centres, widths, strict=True))
    ]
    return np.asarray(np.logaddexp(*parts), dtype=float)


def _log_scattered(e: F64, s: F64, mean: F64, spread: F64) -> F64:
    """log p(E_c | A) + log(s sqrt(2 pi)) of channels with a scatter ``spread`` > 0
    (:func:`_log_channels`): adaptive Gauss-Hermite quadrature over z, (G, C).

    ln f(z) = -((E - m)/s)^2 / 2 - z^2 / 2 with m = mean e^(spread z). Its slope g(z) =
    (E - m) m spread / s^2 - z, so a mode lies between z = 0 and z_E = ln(E / mean) /
    spread (where m = E), or for E <= 0 below 0, where g(z_lo) > 0 at z_lo = -(mean -
    E) mean spread / s^2 - 1. Below E the mode is unique (ln f is concave where m >=
    E / 2). Above it ln f bends up where (E - 2m) m spread^2 / s^2 > 1, between the m
    of 2 m^2 - E m + (s / spread)^2 = 0, and there the integrand is skewed (a finer
    rule) or, where g dips below 0 at the lower of those points and rises above it at
    the upper, has two modes: one near z = 0, where the measurement error explains
    the excess, and one near z_E, where the scatter does (:func:`_log_shared`).
    """
    e, s, mu, spread = np.broadcast_arrays(e, s, np.maximum(mean, 1e-300), spread)
    above = e > mu
    z_e = np.log(np.maximum(e, 1e-300) / mu) / spread
    floor = -(mu - e) * mu * spread / s**2 - 1.0
    lo = np.where(above, 0.0, np.where(e > 0, z_e, floor))
    hi = np.where(above, z_e, 0.0)
    # where ln f bends up: m between the roots m_a <= m_b, above the signature's level;
    # with two modes the upper one is alone in [z_b, z_E] and the lower in [0, z_a]
    root = np.sqrt(np.maximum(e * e - 8.0 * (s / spread) ** 2, 0.0))
    m_a, m_b = (e - root) / 4.0, (e + root) / 4.0
    bends = above & (root > 0.0) & (m_b > mu)
    z_a = np.log(np.maximum(m_a, mu) / mu) / spread
    z_b = np.log(np.maximum(m_b, mu) / mu) / spread
    two = bends & (z_a > 0.0) & (_scatter_slope(z_a, e, s, mu, spread)[0] < 0.0)
    two &= _scatter_slope(z_b, e, s, mu, spread)[0] > 0.0
    lo = np.where(two, z_b, lo)
    # above the signature's level, from z_E's side (the upper mode); below it, from
    # where the mode would be if E were 0: z = -W(2 (spread mean / s)^2) / (2 spread),
    # W Lambert's function by Winitzki's approximation (within 2 %: Winitzki 2003,
    # Lect. Notes Comput. Sci. 2667, 780, eq. 7)
    x = np.log1p(2.0 * (spread * mu / s) ** 2)
    lambert = x * (1.0 - np.log1p(x) / (2.0 + x))
    start = np.where(above, z_e, np.clip(-lambert / (2.0 * spread), lo, hi))
    z = _scatter_mode(start, lo, hi, e, s, mu, spread)
    tau = 1.0 / np.sqrt(_scatter_slope(z, e, s, mu, spread)[2])
    out = np.empty(e.shape)
    for where, rule in ((~bends, _GH_RULE), (bends & ~two, _GH_RULE_FINE)):
        out[where] = _log_gauss_hermite(
            e[where], s[where], mu[where], spread[where], z[where], tau[where], rule
        )
    if np.any(two):
        e, s, mu, spread, z_up, tau_up = (a[two] for a in (e, s, mu, spread, z, tau))
        zero = np.zeros_like(e)
        z_low = _scatter_mode(zero, zero, z_a[two], e, s, mu, spread)
        tau_low = 1.0 / np.sqrt(_scatter_slope(z_low, e, s, mu, spread)[2])
        out[two] = _log_shared(e, s, mu, spread, (z_up, z_low), (tau_up, tau_low))
    return out


def _log_channels(e: F64, s: F64, mean: F64, spread: F64, lower: F64 | None = None) -> F64:
    """sum_c log p(E_c | A) on the A grid: N(E; m e^(spread z), s) integrated over z ~ N(0, 1).

    Channels marked in ``lower`` (a saturated sensor: E_c is a lower bound) contribute
    log P(E_c^true >= E_c) instead: Phi((m - E) / s) without scatter, and with it the
    log-normal's Phi((ln m - ln E) / sqrt(spread^2 + (s / E)^2)) (the measurement
    error taken as relative at E): a censored observation (e.g. Helsel,
    *Statistics for Censored Environmental Data*, 2nd ed., Wiley 2012, ch. 6).

    ``e``, ``s``, ``spread`` (C,); ``mean`` (G, C) the expected enhancement at each
    grid amplitude. Adaptive Gauss-Hermite quadrature centred on the integrand's mode
    in z, found by safeguarded Newton steps, with its Gauss-Newton width (Liu & Pierce
    1994, Biometrika 81, 624): accurate both when the measurement error dwarfs the
    scatter and when the scatter dwarfs it (a plume at SNR 100); where the integrand
    has two modes, one quadrature around each (:func:`_log_scattered`). No spread: a
    plain Gaussian.
    """
    norm = -np.log(s * np.sqrt(2 * np.pi))
    each = -0.5 * ((e - mean) / s) ** 2 + norm  # no spread: a plain Gaussian
    sc = spread > 0
    if np.any(sc):
        each[:, sc] = _log_scattered(e[sc], s[sc], mean[:, sc], spread[sc]) + norm[sc]
    if lower is not None and np.any(lower):
        # a clipped integral at or below 0 bounds nothing: any floor far below its
        # error gives every hypothesis the same chance (1e-300 overflowed s / e)
        e_pos = np.maximum(e, 1e-9 * s)
        width = np.sqrt(spread**2 + (s / e_pos) ** 2)
        above_scattered = log_ndtr((np.log(np.maximum(mean, 1e-300)) - np.log(e_pos)) / width)
        above_plain = log_ndtr((mean - e) / s)
        above = np.where(spread > 0, above_scattered, above_plain)
        each = np.where(lower, above, each)
    return np.asarray(each.sum(axis=1), dtype=float)


def _loglike_grid(
    grid: F64,
    enhancement: F64,
    err: F64,
    channels: Sequence[str],
    signature: Signature,
    lower: F64 | None = None,
) -> F64:
    ratios = np.array([signature.ratios.get(c, 0.0) for c in channels])
    spread = np.array(
        [
            0.0 if c == signature.reference or r == 0 else signature.spread
            for c, r in zip(channels, ratios, strict=True)
        ]
    )
    scale = np.sqrt(np.sum((ratios / err) ** 2))  # total SNR per unit A
    amp = np.exp(grid) / scale
    return _log_channels(
        np.asarray(enhancement, dtype=float), err, amp[:, None] * ratios, spread, lower
    )


def _log_trapezoid(grid: F64, logf: F64) -> float:
    d = np.diff(grid)
    pair = np.logaddexp(logf[1:], logf[:-1]) + np.log(0.5 * d)
    return float(logsumexp(pair))


def log_evidence(
    enhancement: F64,
    error: F64,
    channels: Sequence[str],
    signature: Signature,
    lower: F64 | None = None,
) -> float:
    """log p(E | signature) (module docstring), ``enhancement`` and ``error`` per channel.

    The integral over log SNR uses a coarse grid over the whole prior range refined
    around its peak, so a sharply measured plume is not missed between grid points.

    Parameters
    ----------
    enhancement : ndarray of float
        Integrated enhancement per channel [ppb s].
    error : ndarray of float
        Its standard error per channel [ppb s].
    channels : Sequence[str]
        Channel names, in the order of ``enhancement``.
    signature : Signature
        The chemical signature tested.
    lower : ndarray of bool, optional
        Channels whose enhancement is only a lower bound (saturated).

    Returns
    -------
    float
        Natural log of the evidence [-].
    """
    ratios = np.array([signature.ratios.get(c, 0.0) for c in channels])
    if not np.any(ratios > 0):
        return -np.inf
    err = np.asarray(error, dtype=float)
    coarse = _loglike_grid(_GRID, enhancement, err, channels, signature, lower)
    k = int(np.argmax(coarse))
    lo, hi = _GRID[max(k - 3, 0)], _GRID[min(k + 3, len(_GRID) - 1)]
    fine_grid = np.linspace(lo, hi, 200)
    fine = _loglike_grid(fine_grid, enhancement, err, channels, signature, lower)
    keep = (_GRID < lo) | (_GRID > hi)
    grid = np.concatenate([_GRID[keep], fine_grid])
    vals = np.concatenate([coarse[keep], fine])
    order = np.argsort(grid)
    return _log_trapezoid(grid[order], vals[order]) - np.log(_LOG_WIDTH)


def _log_free_channel(x: float, lower: bool = False) -> float:
    """log of int N(x; a, 1) / (a W) da over a in SNR_RANGE (x = E / s); with ``lower``
    (E only a lower bound) of int Phi(a - x) / (a W) da, the chance the SNR reaches x."""
    lo, hi = SNR_RANGE
    a = np.exp(_GRID)
    if lo < x < hi:
        a = np.sort(np.concatenate([a, x + np.linspace(-8.0, 8.0, 401)]))
        a = a[(a >= lo) & (a <= hi)]
    fit = log_ndtr(a - x) if lower else -0.5 * (x - a) ** 2 - 0.5 * np.log(2 * np.pi)
    return _log_trapezoid(a, fit - np.log(a) - np.log(_LOG_WIDTH))


def log_evidence_none(enhancement: F64, error: F64, lower: F64 | None = None) -> float:
    """log p(E | none of these): every channel free, zero or log-uniform in SNR.

    Parameters
    ----------
    enhancement : ndarray of float
        Integrated enhancement per channel [ppb s].
    error : ndarray of float
        Its standard error per channel [ppb s].
    lower : ndarray of bool, optional
        Channels whose enhancement is only a lower bound (saturated): their
        probability of reaching it, as in :func:`log_evidence`.

    Returns
    -------
    float
        Natural log of the evidence [-].
    """
    out = 0.0
    below = np.zeros(len(enhancement), dtype=bool) if lower is None else np.asarray(lower)
    for e, s, bound in zip(enhancement, error, below, strict=True):
        x = float(e / s)
        if bound:
            zero = float(log_ndtr(-x))
            out += float(np.logaddexp(zero, _log_free_channel(x, lower=True)) + np.log(0.5))
            continue
        lp0 = -0.5 * x * x - 0.5 * np.log(2 * np.pi)
        out += float(np.logaddexp(lp0, _log_free_channel(x)) + np.log(0.5) - np.log(s))
    return out


def unmix(
    enhancement: F64,
    error: F64,
    channels: Sequence[str],
    library: SignatureLibrary,
    parts: int = 2,
) -> tuple[dict[str, float], float, float]:
    """Best non-negative decomposition of the enhancements into ``parts`` signatures.

    Returns ({signature: amplitude [reference-gas units of E]}, chi-square, p-value
    with len(channels) - parts degrees of freedom); empty when there are not more
    channels than parts.

    Parameters
    ----------
    enhancement : ndarray of float
        Integrated enhancement per channel [ppb s].
    error : ndarray of float
        Its standard error per channel [ppb s].
    channels : Sequence[str]
        Channel names, in the order of ``enhancement``.
    library : SignatureLibrary
        The signatures to combine.
    parts : int, default 2
        Number of signatures in the mixture [-].

    Returns
    -------
    tuple of (dict[str, float], float, float)
        Amplitude per signature [reference-gas units of ``enhancement``], chi-square
        [-] and its p-value [-].
    """
    e = np.asarray(enhancement, dtype=float)
    s = np.asarray(error, dtype=float)
    n = len(channels)
    if n <= parts:
        return {}, float("nan"), float("nan")
    best: tuple[float, dict[str, float]] = (np.inf, {})
    for combo in itertools.combinations(library.names, parts):
        sigs = [library[k] for k in combo]
        m = np.array([[sg.ratios.get(c, 0.0) for sg in sigs] for c in channels])
        if not m.any(axis=0).all():
            continue
        spread = max(sg.spread for sg in sigs)
        # iteratively reweighted: the scatter is relative to the MODEL's enhancement,
        # so a fit that predicts nothing cannot hide behind large observed values
        pred = np.abs(e)
        for _ in range(8):
            w = 1.0 / np.sqrt(s**2 + (spread * pred) ** 2)
            x, rnorm = nnls(m * w[:, None], e * w)
            pred = m @ x
        if rnorm**2 < best[0]:
            best = (float(rnorm**2), {k: float(v) for k, v in zip(combo, x, strict=True)})
    chi = best[0]
    p = float(chdtrc(n - parts, chi)) if np.isfinite(chi) else float("nan")
    return best[1], chi, p


def classify(
    enhancement: Mapping[str, float],
    error: Mapping[str, float],
    library: SignatureLibrary,
    *,
    prior_none: float = PRIOR_NONE,
    lower_bounds: Collection[str] = (),
) -> Classification:
    """Posterior over the library's signatures and "none", and any two-part mixture.

    ``enhancement``: channel -> integrated enhancement [ppb s] (or any common
    integral); ``error``: channel -> its standard error [same unit]. Channels that no
    signature has are left out (the caller reports them); non-finite ones too.

    Parameters
    ----------
    enhancement : Mapping[str, float]
        Channel -> integrated enhancement [ppb s].
    error : Mapping[str, float]
        Channel -> its standard error [ppb s].
    library : SignatureLibrary
        The signatures to weigh.
    prior_none : float, default PRIOR_NONE
        Prior probability of "none of these" [-].
    lower_bounds : Collection[str], default ()
        Channels whose enhancement is only a lower bound (the sensor saturated): a
        censored observation in every hypothesis; mixtures are fitted without them.

    Returns
    -------
    Classification
        Posterior probability per signature and "none" [-], the best signature,
        whether it is suspect, the channels used, and any two-part mixture.
    """
    known = {c for sig in library.signatures.values() for c in sig.ratios}
    channels = [
        c
        for c in enhancement
        if c in known
        and np.isfinite(enhancement[c])
        and np.isfinite(error.get(c, np.nan))
        and error[c] > 0
    ]
    if not channels:
        return Classification({}, "unclassified", False, [])
    e = np.array([enhancement[c] for c in channels], dtype=float)
    s = np.array([error[c] for c in channels], dtype=float)
    names = library.names
    lower = np.array([c in lower_bounds for c in channels], dtype=bool)
    logp = np.array([log_evidence(e, s, channels, library[n], lower) for n in names])
    logp = logp + np.log((1.0 - prior_none) / len(names))
    lnone = log_evidence_none(e, s, lower) + np.log(prior_none) if prior_none > 0 else -np.inf
    allp = np.append(logp, lnone)
    post = np.exp(allp - logsumexp(allp))
    probs = {n: float(p) for n, p in zip([*names, NONE], post, strict=True)}
    best = max(probs, key=lambda k: probs[k])
    out = Classification(probs, best, best != NONE and library[best].suspect, channels)
    exact = [c for c, b in zip(channels, lower, strict=True) if not b]
    for n_parts in (2, 3) if best == NONE else ():
        parts, _, pval = unmix(e[~lower], s[~lower], exact, library, n_parts)
        if parts and pval >= MIXTURE_MIN_P:
            contrib = {}
            for n_, amp in parts.items():
                r = np.array([library[n_].ratios.get(c, 0.0) for c in exact])
                contrib[n_] = float(np.sum(amp * r / s[~lower]))
            tot = sum(contrib.values())
            if tot > 0 and min(contrib.values()) / tot > 0.05:
                out.signature = "mixture"
                out.mixture = {k: v / tot for k, v in contrib.items()}
                out.amplitudes = parts
                out.suspect = any(library[k].suspect for k in parts)
                break
    return out
