"""The posterior over a source's position, height and rate, on grids.

The prior is uniform in position over the search domain (the track's bounding box
widened by a margin), uniform over a few source heights, and log-uniform in rate
(:mod:`olfato.locate.likelihood`). The likelihood, with the rate integrated out in
closed form, is evaluated on a coarse grid over the whole domain, then on a fine
grid over the region holding all but 1e-6 of the coarse posterior (a two-level
grid: exact up to the resolution, no sampler to tune or converge). Where the wind
direction's mean is itself uncertain (``direction_sd_deg``, straight
time-averaged plumes) it is a nuisance integrated over a 5-point Gauss-Hermite rule.

Summaries
    The posterior mean and covariance of east/north; the 95% credible ellipse is
    the covariance ellipse scaled so that it holds 95% of the posterior mass on the
    grid (so it stays calibrated for the non-Gaussian, banana-shaped posteriors of
    sources seen from few crossings); the rate's median and 95% interval come from
    the posterior mixture of log-normals (one per cell and height); the evidence
    p(data | one source) = sum over cells of likelihood x prior, used to compare
    hypotheses about the number of sources (Sivia & Skilling 2006, ch. 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp, ndtr

from olfato.locate.likelihood import (
    Crossings,
    Evaluation,
    PairCache,
    Probes,
    Settings,
    evaluate,
)
from olfato.locate.transport import WindHistory, wind_history

F64 = NDArray[np.float64]

#: source heights of the prior [m above ground]
DEFAULT_HEIGHTS_M = (1.0, 3.0, 6.0, 12.0)
#: posterior mass outside the region the fine grid covers
TAIL_MASS = 1e-6
#: cells per axis of the fine grid (at most)
FINE_CELLS = 72
#: 95% ellipse probability
LEVEL = 0.95
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(5)


@dataclass(frozen=True)
class Domain:
    """The search domain: a rectangle [m] and its prior heights [m]."""

    east_min: float
    east_max: float
    north_min: float
    north_max: float
    heights: tuple[float, ...] = DEFAULT_HEIGHTS_M

    @property
    def area_m2(self) -> float:
        return (self.east_max - self.east_min) * (self.north_max - self.north_min)

    def grid(self, spacing_m: float) -> tuple[F64, F64]:
        """Cell centres along east and north [m] at ``spacing_m``.

        Parameters
        ----------
        spacing_m : float
            Cell size [m].

        Returns
        -------
        tuple of (ndarray, ndarray)
            East and north cell centres [m].
        """
        ne = max(2, int(np.ceil((self.east_max - self.east_min) / spacing_m)))
        nn = max(2, int(np.ceil((self.north_max - self.north_min) / spacing_m)))
        e = self.east_min + (np.arange(ne) + 0.5) * (self.east_max - self.east_min) / ne
        n = self.north_min + (np.arange(nn) + 0.5) * (self.north_max - self.north_min) / nn
        return e, n


@dataclass
class Raster:
    """A posterior on a regular grid.

    ``east`` (nx,), ``north`` (ny,) cell centres [m]; ``prob`` (ny, nx) posterior
    probability of each cell (heights summed; sums to 1); ``loglik`` (ny, nx, H)
    the log likelihood; ``rate_mu``, ``rate_sd`` (ny, nx, H) ln Q given the cell.
    """

    east: F64
    north: F64
    heights: F64
    loglik: F64
    rate_mu: F64
    rate_sd: F64
    prob: F64 = field(init=False)
    prob3: F64 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ll = self.loglik
        m = np.max(ll)
        p3 = np.exp(ll - m) if np.isfinite(m) else np.ones_like(ll)
        p3 /= p3.sum()
        self.prob3 = p3
        self.prob = p3.sum(axis=2)

    @property
    def cell_m(self) -> tuple[float, float]:
        de = float(self.east[1] - self.east[0]) if len(self.east) > 1 else 1.0
        dn = float(self.north[1] - self.north[0]) if len(self.north) > 1 else 1.0
        return de, dn

    def log_evidence(self, domain: Domain) -> float:
        """ln of sum over cells and heights of likelihood x prior.

        Parameters
        ----------
        domain : Domain
            The domain (its area sets the position prior).

        Returns
        -------
        float
            ln evidence [-].
        """
        de, dn = self.cell_m
        return float(
            logsumexp(self.loglik) + np.log(de * dn / domain.area_m2) - np.log(len(self.heights))
        )

    def region(self, tail: float = TAIL_MASS) -> tuple[float, float, float, float]:
        """Bounding box [m] of the cells holding all but ``tail`` of the mass, padded a cell.

        Parameters
        ----------
        tail : float, default TAIL_MASS
            Mass left outside [-].

        Returns
        -------
        tuple of (float, float, float, float)
            (east_min, east_max, north_min, north_max) [m].
        """
        p = self.prob.ravel()
        order = np.argsort(p)[::-1]
        csum = np.cumsum(p[order])
        n_keep = int(np.searchsorted(csum, 1.0 - tail)) + 1
        keep = np.zeros(p.size, dtype=bool)
        keep[order[:n_keep]] = True
        iy, ix = np.unravel_index(np.flatnonzero(keep), self.prob.shape)
        de, dn = self.cell_m
        return (
            float(self.east[ix.min()] - 1.5 * de),
            float(self.east[ix.max()] + 1.5 * de),
            float(self.north[iy.min()] - 1.5 * dn),
            float(self.north[iy.max()] + 1.5 * dn),
        )


@dataclass
class Ellipse:
    """A credible ellipse: ``semi_major``, ``semi_minor`` [m], ``azimuth_deg`` of the
    major axis, clockwise from north, in [0, 180)."""

    semi_major: float
    semi_minor: float
    azimuth_deg: float

    def as_dict(self) -> dict[str, float]:
        """The ellipse as plain data, rounded for output.

        Returns
        -------
        dict[str, float]
            ``semi_major``, ``semi_minor`` [m] and ``azimuth_deg`` [deg].
        """
        return {
            "semi_major": round(self.semi_major, 2),
            "semi_minor": round(self.semi_minor, 2),
            "azimuth_deg": round(self.azimuth_deg, 1),
        }


@dataclass
class Posterior:
    """One source's posterior: rasters and summaries (module docstring).

    ``mean`` (east, north) [m]; ``cov`` 2x2 [m2]; ``ellipse`` the 95% region;
    ``height_m`` posterior mean [m]; ``height_probs`` per prior height;
    ``rate_g_s`` median and ``rate_ci95_g_s`` [g/s]; ``log_evidence`` [-].
    """

    fine: Raster
    coarse: Raster
    mean: tuple[float, float]
    cov: F64
    ellipse: Ellipse
    height_m: float
    height_probs: dict[float, float]
    rate_g_s: float
    rate_ci95_g_s: tuple[float, float]
    log_evidence: float
    map_position: tuple[float, float, float]


def _raster(
    e: F64,
    n: F64,
    heights: F64,
    crossings: Crossings,
    probes: Probes | None,
    winds: list[tuple[WindHistory, float]],
    settings: Settings,
    caches: dict[Any, PairCache] | None = None,
) -> Raster:
    ee, nn = np.meshgrid(e, n)
    ce, cn = ee.ravel(), nn.ravel()
    lls, mus, sds, lws = [], [], [], []
    for j, (wind, logw) in enumerate(winds):
        cache = None
        if caches is not None:
            key = (crossings.channel, j, len(ce), float(ce[0]), float(cn[0]))
            cache = caches.setdefault(key, PairCache(ce, cn, heights))
        ev: Evaluation = evaluate(ce, cn, heights, crossings, probes, wind, settings, cache=cache)
        lls.append(ev.loglik)
        mus.append(ev.rate_mu)
        sds.append(ev.rate_sd)
        lws.append(logw)
    if len(lls) == 1:
        ll, mu, sd = lls[0], mus[0], sds[0]
    else:
        stack = np.stack(lls) + np.array(lws)[:, None, None]
        ll = logsumexp(stack, axis=0)
        w = np.exp(stack - ll[None])
        mu = np.sum(w * np.stack(mus), axis=0)
        sd = np.sqrt(np.sum(w * (np.stack(sds) ** 2 + np.stack(mus) ** 2), axis=0) - mu**2)
    shape = (len(n), len(e), len(heights))
    return Raster(e, n, heights, ll.reshape(shape), mu.reshape(shape), sd.reshape(shape))


def _winds(base: WindHistory, direction_sd_deg: float, survey_wind: tuple[F64, F64, F64]):
    if direction_sd_deg <= 0:
        return [(base, 0.0)]
    t, speed, direction = survey_wind
    out = []
    for x, w in zip(_GH_X, _GH_W, strict=True):
        off = float(np.sqrt(2.0) * direction_sd_deg * x)
        wh = wind_history(t, speed, direction, transport=base.transport, offset_deg=off)
        out.append((wh, float(np.log(w / np.sqrt(np.pi)))))
    return out


def ellipse_from(raster: Raster, mean: F64, cov: F64, level: float = LEVEL) -> Ellipse:
    """The covariance ellipse scaled to hold ``level`` of the raster's mass.

    Parameters
    ----------
    raster : Raster
        The posterior raster.
    mean : ndarray, shape (2,)
        Centre (east, north) [m].
    cov : ndarray, shape (2, 2)
        Covariance [m2].
    level : float, default LEVEL
        Mass inside [-].

    Returns
    -------
    Ellipse
        Semi-axes [m] and azimuth [deg].
    """
    ee, nn = np.meshgrid(raster.east, raster.north)
    d = np.stack([ee.ravel() - mean[0], nn.ravel() - mean[1]])
    inv = np.linalg.inv(cov)
    m2 = np.einsum("ik,ij,jk->k", d, inv, d)
    p = raster.prob.ravel()
    order = np.argsort(m2)
    csum = np.cumsum(p[order])
    r2 = float(m2[order][min(int(np.searchsorted(csum, level)), len(order) - 1)])
    return scaled_ellipse(cov, max(r2, 1e-9))


def rate_quantiles(raster: Raster, qs: tuple[float, ...] = (0.025, 0.5, 0.975)) -> list[float]:
    """Quantiles [g/s] of the rate's posterior mixture of log-normals over the raster.

    Parameters
    ----------
    raster : Raster
        The posterior raster.
    qs : tuple of float, default (0.025, 0.5, 0.975)
        Probability levels [-].

    Returns
    -------
    list of float
        The rate at each level [g/s].
    """
    p = raster.prob3.ravel()
    mu = raster.rate_mu.ravel()
    sd = np.maximum(raster.rate_sd.ravel(), 1e-6)
    order = np.argsort(p)[::-1]
    n_keep = int(np.searchsorted(np.cumsum(p[order]), 1.0 - 1e-4)) + 1
    keep = order[:n_keep]
    p, mu, sd = p[keep] / p[keep].sum(), mu[keep], sd[keep]

    def cdf_pdf(x: F64) -> tuple[F64, F64]:
        z = (x[None, :] - mu[:, None]) / sd[:, None]
        dens = np.exp(-0.5 * z * z) / (np.sqrt(2.0 * np.pi) * sd[:, None])
        return np.asarray(p @ ndtr(z), dtype=float), np.asarray(p @ dens, dtype=float)

    # a coarse grid brackets each quantile, linear interpolation starts it, and three
    # Newton steps on the mixture's CDF, kept inside the bracket, finish it: the
    # mixture (up to ~20,000 cells) is evaluated at 32 + 3 x 3 points; the error in
    # log rate is below 1e-3, set by the cells left out (the tests compare with a root
    # finder on the whole mixture)
    qa = np.asarray(qs, dtype=float)
    grid = np.linspace(np.min(mu - 5 * sd), np.max(mu + 5 * sd), 32)
    c, _ = cdf_pdf(grid)
    j = np.clip(np.searchsorted(c, qa), 1, len(grid) - 1)
    lo, hi = grid[j - 1], grid[j]
    rise = np.maximum(c[j] - c[j - 1], 1e-300)
    x = lo + np.clip((qa - c[j - 1]) / rise, 0.0, 1.0) * (hi - lo)
    for _ in range(3):
        f_x, d_x = cdf_pdf(x)
        x = np.clip(x - (f_x - qa) / np.maximum(d_x, 1e-300), lo, hi)
    return [float(v) for v in np.exp(x)]


def posterior(
    crossings: Crossings,
    probes: Probes | None,
    wind: WindHistory,
    domain: Domain,
    settings: Settings,
    *,
    coarse_m: float = 10.0,
    direction_sd_deg: float = 0.0,
    survey_wind: tuple[F64, F64, F64] | None = None,
    coarse: Raster | None = None,
    pair_cache: dict[Any, PairCache] | None = None,
) -> Posterior:
    """The posterior of one source from its crossings and the flight's probes.

    ``coarse_m`` [m] the coarse grid; ``direction_sd_deg`` [deg] the uncertainty of
    the mean wind direction, integrated out when > 0 (needs ``survey_wind`` = (time
    [s], speed [m/s], direction FROM [deg])); ``coarse`` a coarse raster already
    computed for these data; ``pair_cache`` a dict, shared by the fits of one
    survey, that keeps the coarse grid's probe geometry per channel
    (:class:`olfato.locate.likelihood.PairCache`; the probes of a channel must not
    change between fits that share it).

    Parameters
    ----------
    crossings : Crossings
        The source's hits.
    probes : Probes or None
        The non-detection segments; None leaves the term out.
    wind : WindHistory
        The wind.
    domain : Domain
        Where a source may be.
    settings : Settings
        Model settings.
    coarse_m : float, default 10.0
        Coarse grid spacing [m].
    direction_sd_deg : float, default 0.0
        Mean wind direction uncertainty [deg].
    survey_wind : tuple of (ndarray, ndarray, ndarray) or None, default None
        (time [s], speed [m/s], direction FROM [deg]).
    coarse : Raster or None, default None
        A coarse raster already computed for these data.
    pair_cache : dict or None, default None
        Probe geometry shared by the fits of one survey.

    Returns
    -------
    Posterior
        Rasters, mean [m], covariance [m2], ellipse, height [m], rate [g/s] and
        log evidence [-].
    """
    heights = np.asarray(domain.heights, dtype=float)
    winds = (
        _winds(wind, direction_sd_deg, survey_wind) if survey_wind is not None else [(wind, 0.0)]
    )
    if coarse is None:
        e, n = domain.grid(coarse_m)
        coarse = _raster(e, n, heights, crossings, probes, winds, settings, pair_cache)
    e0, e1, n0, n1 = coarse.region()
    step = max((e1 - e0) / FINE_CELLS, (n1 - n0) / FINE_CELLS, 0.25)
    if step >= 0.75 * min(coarse.cell_m):
        fine = coarse  # a broad posterior: a finer grid would not be finer
    else:
        sub = replace(domain, east_min=e0, east_max=e1, north_min=n0, north_max=n1)
        fe, fn = sub.grid(step)
        fine = _raster(fe, fn, heights, crossings, probes, winds, settings)
    ee, nn = np.meshgrid(fine.east, fine.north)
    p = fine.prob
    mean = np.array([np.sum(p * ee), np.sum(p * nn)])
    de, dn = fine.cell_m
    d = np.stack([(ee - mean[0]).ravel(), (nn - mean[1]).ravel()])
    cov = (d * p.ravel()) @ d.T + np.diag([de * de / 12.0, dn * dn / 12.0])
    ell = ellipse_from(fine, mean, cov)
    hp = fine.prob3.sum(axis=(0, 1))
    lo, med, hi = rate_quantiles(fine)
    iy, ix, ih = np.unravel_index(int(np.argmax(fine.loglik)), fine.loglik.shape)
    return Posterior(
        fine,
        coarse,
        (float(mean[0]), float(mean[1])),
        cov,
        ell,
        float(np.sum(hp * heights)),
        {float(h): float(v) for h, v in zip(heights, hp, strict=True)},
        med,
        (lo, hi),
        fine.log_evidence(domain),
        (float(fine.east[ix]), float(fine.north[iy]), float(heights[ih])),
    )


# -- the 95% ellipse of a bivariate normal: one home for locate, plan and report --------


def chi2_2_quantile(level: float) -> float:
    """Quantile of the chi-square distribution with two degrees of freedom.

    For two degrees of freedom the chi-square CDF is 1 - exp(-x / 2), so the
    quantile is -2 ln(1 - level) in closed form (e.g. 5.991 at 0.95).

    Parameters
    ----------
    level : float
        Probability [-], in (0, 1).

    Returns
    -------
    float
        The squared Mahalanobis radius [-] of the ``level`` region of a bivariate
        normal.

    Raises
    ------
    ValueError
        When ``level`` is not in (0, 1).
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return float(-2.0 * np.log1p(-level))


#: chi-square 95% quantile with 2 degrees of freedom, -2 ln(0.05) = 5.991
CHI2_2_95 = chi2_2_quantile(LEVEL)


def scaled_ellipse(cov: F64, r2: float) -> Ellipse:
    """The ellipse of points at squared Mahalanobis radius ``r2`` of a covariance.

    Parameters
    ----------
    cov : (2, 2) array
        Covariance of (east, north) [m2].
    r2 : float
        Squared Mahalanobis radius [-] (:func:`chi2_2_quantile` for a probability).

    Returns
    -------
    Ellipse
        Semi-axes sqrt(r2 x eigenvalue) [m]; azimuth of the major axis clockwise from
        north in [0, 180) [deg].
    """
    vals, vecs = np.linalg.eigh(np.asarray(cov, dtype=float))
    major = vecs[:, 1]
    az = float(np.mod(np.rad2deg(np.arctan2(major[0], major[1])), 180.0))
    return Ellipse(
        float(np.sqrt(r2 * max(vals[1], 0.0))), float(np.sqrt(r2 * max(vals[0], 0.0))), az
    )


def ellipse_from_cov(cov: F64, level: float = LEVEL) -> Ellipse:
    """The ``level`` credible ellipse of a bivariate normal of covariance ``cov``.

    Parameters
    ----------
    cov : (2, 2) array
        Covariance of (east, north) [m2].
    level : float
        Probability the ellipse holds [-].

    Returns
    -------
    Ellipse
        Semi-axes [m] and azimuth [deg] (:func:`scaled_ellipse`).
    """
    return scaled_ellipse(cov, chi2_2_quantile(level))


def ellipse_covariance(ellipse: Ellipse, level: float = LEVEL) -> F64:
    """The covariance of the bivariate normal whose ``level`` ellipse is ``ellipse``.

    The inverse of :func:`ellipse_from_cov`: standard deviations along the axes are
    semi-axis / sqrt(chi2_2(level)).

    Parameters
    ----------
    ellipse : Ellipse
        Semi-axes [m] and azimuth of the major axis clockwise from north [deg].
    level : float
        Probability the ellipse holds [-].

    Returns
    -------
    (2, 2) array
        Covariance of (east, north) [m2].
    """
    th = np.deg2rad(ellipse.azimuth_deg)
    major = np.array([np.sin(th), np.cos(th)])  # clockwise from north
    minor = np.array([major[1], -major[0]])
    r2 = chi2_2_quantile(level)
    s1 = ellipse.semi_major**2 / r2
    s2 = ellipse.semi_minor**2 / r2
    out: F64 = s1 * np.outer(major, major) + s2 * np.outer(minor, minor)
    return out


def ellipse_ring(east: float, north: float, ellipse: Ellipse, n: int = 72) -> tuple[F64, F64]:
    """A closed ring of points on an ellipse, e.g. to draw or export it as a polygon.

    Parameters
    ----------
    east, north : float
        The centre [m].
    ellipse : Ellipse
        Semi-axes [m] and azimuth of the major axis clockwise from north [deg].
    n : int
        Number of distinct points.

    Returns
    -------
    east, north : (n + 1,) arrays
        [m], the first point repeated at the end.
    """
    th = np.linspace(0.0, 2.0 * np.pi, n + 1)
    az = np.deg2rad(ellipse.azimuth_deg)
    u = np.array([np.sin(az), np.cos(az)])  # along the major axis (east, north)
    v = np.array([np.cos(az), -np.sin(az)])  # along the minor axis
    a, b = ellipse.semi_major * np.cos(th), ellipse.semi_minor * np.sin(th)
    e = east + a * u[0] + b * v[0]
    nn = north + a * u[1] + b * v[1]
    e[-1], nn[-1] = e[0], nn[0]
    return e, nn
