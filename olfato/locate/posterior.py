"""The posterior over a source's position, height and rate, on grids.

The prior is uniform in position over the search domain (the track's bounding box
widened by a margin), uniform over a few source heights, and log-uniform in rate
(:mod:`olfato.locate.likelihood`). The likelihood, with the rate integrated out in
closed form, is evaluated on a coarse grid over the whole domain, then on a fine
grid over the region holding all but 1e-6 of the coarse posterior (a two-level
grid: exact up to the resolution, no sampler to tune or converge). Where the wind
direction's mean is itself uncertain (``direction_sd_deg``, straight
time-averaged plumes) it is a nuisance integrated over a 5-point Gauss-Hermite rule.

Nuisances integrated out (:func:`nuisances`)
    A source's final posterior may be a mixture over nuisance settings the data cannot
    be trusted to fix: a bias of the whole flight's logged wind direction (a
    misaligned vane or compass; Gauss-Hermite nodes of a normal prior) and the
    Pasquill-Gifford stability class (the survey's class and its neighbours). Each
    component k with prior weight pi_k gives the likelihood L_k(x) of every cell; the
    posterior is p(x | D) ~ sum_k pi_k L_k(x), which is Bayesian model averaging
    (Hoeting, Madigan, Raftery & Volinsky 1999, Statist. Sci. 14, 382, eq. 1): the
    posterior weight of component k is pi_k Z_k / sum_j pi_j Z_j with Z_k its
    marginal evidence (:func:`model_weights`), so a class the crossings contradict
    loses its weight and one they cannot tell apart widens the region.

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

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import product
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
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
from olfato.physics.stability import STABILITY_CLASSES

F64 = NDArray[np.float64]
K = TypeVar("K", str, float)

#: source heights of the prior [m above ground]
DEFAULT_HEIGHTS_M = (1.0, 3.0, 6.0, 12.0)
#: Gauss-Hermite nodes over the bias: 3 (0 and +-sqrt(3) sd; exact for a likelihood of
#: degree 5 in the bias): 3 likelihoods per source instead of 5, and under a 6 deg bias of
#: the wind log 96% coverage with the 4 deg prior (``benchmarks/nuisance.py``)
N_BIAS_NODES = 3
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
    #: per nuisance component, ln(prior weight x sum over cells of its likelihood) [-]
    component_logz: F64 | None = None
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

    def most_probable(self, mass: float, most: int | None = None) -> NDArray[np.intp]:
        """Flat indices into ``prob3`` of the most probable cells (position x height),
        the fewest that hold ``mass`` [-] of the posterior, at most ``most``.

        Parameters
        ----------
        mass : float
            Posterior mass to hold [-], in (0, 1].
        most : int or None, default None
            The most cells to keep; None: no limit.

        Returns
        -------
        ndarray of int
            Flat indices, most probable first.
        """
        p = self.prob3.ravel()
        order = np.argsort(p)[::-1]
        n_keep = int(np.searchsorted(np.cumsum(p[order]), mass)) + 1
        return order[: n_keep if most is None else min(n_keep, most)]

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
    ``rate_g_s`` median and ``rate_ci95_g_s`` [g/s] (of the fine raster, computed when
    first asked for: most fits of a survey are compared by their evidence alone);
    ``log_evidence`` [-].
    """

    fine: Raster
    coarse: Raster
    mean: tuple[float, float]
    cov: F64
    ellipse: Ellipse
    height_m: float
    height_probs: dict[float, float]
    log_evidence: float
    map_position: tuple[float, float, float]
    #: posterior probability of each stability class averaged over (empty: fixed class)
    stability_probs: dict[str, float] = field(default_factory=dict)
    #: posterior mean of the flight's wind-direction bias [deg] (0 when not integrated)
    direction_bias_deg: float = 0.0
    #: posterior probability of each factor on the class's dispersion averaged over
    #: (empty: the class's own)
    dispersion_probs: dict[float, float] = field(default_factory=dict)
    #: posterior probability of each transport direction error [deg] averaged over
    #: (empty: the settings' own)
    transport_error_probs: dict[float, float] = field(default_factory=dict)
    #: posterior probability of each travel speed factor [-] averaged over (empty: the
    #: wind's own; :attr:`olfato.locate.transport.WindHistory.travel_factor`)
    travel_probs: dict[float, float] = field(default_factory=dict)

    @cached_property
    def _rate_levels(self) -> list[float]:
        return rate_quantiles(self.fine)

    @property
    def rate_g_s(self) -> float:
        """Posterior median of the rate [g/s]."""
        return self._rate_levels[1]

    @property
    def rate_ci95_g_s(self) -> tuple[float, float]:
        """The rate's 95% credible interval [g/s]."""
        return self._rate_levels[0], self._rate_levels[2]


class Nuisance(NamedTuple):
    """One component of a nuisance mixture: the wind and settings it assumes, its prior.

    ``wind`` the wind history (the logged directions turned by ``bias_deg``);
    ``log_prior`` ln of its prior weight [-]; ``settings`` the likelihood's settings
    (None: the fit's own); ``stability`` its Pasquill class ('' when not varied);
    ``bias_deg`` the wind-direction bias it assumes [deg]; ``dispersion_scale`` the
    factor on its class's dispersion (:attr:`olfato.locate.likelihood.Settings.dispersion_scale`);
    ``transport_sd_deg`` the transport direction error it assumes [deg]
    (:attr:`olfato.locate.likelihood.Settings.transport_sd_deg`; None: the fit's own).
    The plume's travel speed it assumes is ``wind.travel_factor``
    (:attr:`olfato.locate.transport.WindHistory.travel_factor`).
    """

    wind: WindHistory
    log_prior: float
    settings: Settings | None = None
    stability: str = ""
    bias_deg: float = 0.0
    dispersion_scale: float = 1.0
    transport_sd_deg: float | None = None


def _raster(
    e: F64,
    n: F64,
    heights: F64,
    crossings: Crossings,
    probes: Probes | None,
    winds: list[Nuisance],
    settings: Settings,
    caches: dict[Any, PairCache] | None = None,
) -> Raster:
    ee, nn = np.meshgrid(e, n)
    ce, cn = ee.ravel(), nn.ravel()
    lls, mus, sds, lws = [], [], [], []
    for comp in winds:
        st = comp.settings or settings
        cache = None
        if caches is not None:
            key = (
                crossings.channel,
                st,
                comp.bias_deg,
                comp.wind.travel_factor,
                len(ce),
                float(ce[0]),
                float(cn[0]),
            )
            cache = caches.setdefault(key, PairCache(ce, cn, heights))
        ev: Evaluation = evaluate(ce, cn, heights, crossings, probes, comp.wind, st, cache=cache)
        lls.append(ev.loglik)
        mus.append(ev.rate_mu)
        sds.append(ev.rate_sd)
        lws.append(comp.log_prior)
    shape = (len(n), len(e), len(heights))
    if len(lls) == 1:
        return Raster(
            e, n, heights, lls[0].reshape(shape), mus[0].reshape(shape), sds[0].reshape(shape)
        )
    stack = np.stack(lls) + np.array(lws)[:, None, None]
    ll = logsumexp(stack, axis=0)
    w = np.exp(stack - ll[None])
    mu = np.sum(w * np.stack(mus), axis=0)
    sd = np.sqrt(
        np.maximum(np.sum(w * (np.stack(sds) ** 2 + np.stack(mus) ** 2), axis=0) - mu**2, 0.0)
    )
    logz = logsumexp(stack.reshape(len(lls), -1), axis=1)
    return Raster(
        e,
        n,
        heights,
        ll.reshape(shape),
        mu.reshape(shape),
        sd.reshape(shape),
        component_logz=np.asarray(logz, dtype=float),
    )


def _winds(
    base: WindHistory, direction_sd_deg: float, survey_wind: tuple[F64, F64, F64]
) -> list[Nuisance]:
    return nuisances(base, survey_wind, bias_sd_deg=direction_sd_deg, n_bias_nodes=5)


#: prior probability that the survey's stability class is right; the rest is shared by
#: its neighbours (:func:`stability_prior`)
P_SURVEY_CLASS = 0.7


def stability_prior(survey_class: str, p_survey: float | None = None) -> dict[str, float]:
    """Prior weights of the survey's Pasquill class and the class on each side of it.

    The survey's class gets ``p_survey``; the rest is split equally between its
    neighbours (one at A and F, which then gets all of it). Why a neighbour and not
    further: Pasquill's classes from wind speed and insolation (Turner 1964, J. Appl.
    Meteor. 3, 83) and the reference schemes (sigma-theta, temperature gradient,
    Monin-Obukhov length) mostly disagree by one class and rarely by more (Mohan &
    Siddiqui 1998, Atmos. Environ. 32, 3775). The default 0.7 was picked on
    ``benchmarks/nuisance.py`` between 0.5 and 0.7: with 0.5 the classes the crossings
    cannot tell apart move the as-simulated median error by 1.7 m (paired 95% interval
    1.0-3.5 m), with 0.7 by 0.5 m (-0.2-1.5 m), while under a class wrong by one the
    coverage still rises from 88% to 98%.

    Parameters
    ----------
    survey_class : str
        The survey's Pasquill-Gifford class, ``"A"``-``"F"``.
    p_survey : float or None, default None
        Prior probability of the survey's class [-], in (0, 1]; None:
        :data:`P_SURVEY_CLASS`.

    Returns
    -------
    dict[str, float]
        Class -> prior weight [-], summing to 1, the survey's class first.

    Raises
    ------
    ValueError
        When ``survey_class`` is not a class or ``p_survey`` not in (0, 1].
    """
    if p_survey is None:
        p_survey = P_SURVEY_CLASS
    if survey_class not in STABILITY_CLASSES:
        raise ValueError(f"survey_class must be one of {STABILITY_CLASSES}, got {survey_class!r}")
    if not 0.0 < p_survey <= 1.0:
        raise ValueError(f"p_survey must be in (0, 1], got {p_survey}")
    k = STABILITY_CLASSES.index(survey_class)
    sides = [STABILITY_CLASSES[j] for j in (k - 1, k + 1) if 0 <= j < len(STABILITY_CLASSES)]
    out = {survey_class: p_survey}
    if p_survey < 1.0:
        for c in sides:
            out[c] = (1.0 - p_survey) / len(sides)
    return out


def model_weights(log_evidence: ArrayLike, prior: ArrayLike) -> F64:
    """Posterior probabilities of models from their evidences and prior weights.

    p(M_k | D) = pi_k Z_k / sum_j pi_j Z_j (Bayesian model averaging; Hoeting et al.
    1999, Statist. Sci. 14, 382, eq. 2), computed in logs so that evidences of
    -1e4 do not underflow.

    Parameters
    ----------
    log_evidence : array_like, shape (K,)
        ln Z_k = ln p(D | M_k) [-].
    prior : array_like, shape (K,)
        Prior weights pi_k [-] (normalised here; zero excludes a model).

    Returns
    -------
    ndarray, shape (K,)
        Posterior probabilities [-], summing to 1.
    """
    lz = np.asarray(log_evidence, dtype=float)
    pr = np.asarray(prior, dtype=float)
    with np.errstate(divide="ignore"):
        a = lz + np.log(pr / pr.sum())
    return np.asarray(np.exp(a - logsumexp(a)), dtype=float)


def nuisances(
    wind: WindHistory,
    survey_wind: tuple[F64, F64, F64] | None,
    *,
    settings: Settings | None = None,
    bias_sd_deg: float = 0.0,
    n_bias_nodes: int = N_BIAS_NODES,
    stabilities: dict[str, float] | None = None,
    dispersion_scales: dict[float, float] | None = None,
    transport_factors: dict[float, float] | None = None,
    travel_factors: dict[float, float] | None = None,
    cross: bool = False,
) -> list[Nuisance]:
    """The components of a nuisance mixture: wind-direction biases x stability classes x
    dispersion scales x transport direction errors x travel speeds.

    The bias of the whole flight's logged wind direction has a normal prior of sd
    ``bias_sd_deg`` [deg], integrated by ``n_bias_nodes``-point Gauss-Hermite quadrature
    (Abramowitz & Stegun 1972, 25.4.46: nodes sqrt(2) sd x_i, weights w_i / sqrt(pi);
    n nodes are exact for a likelihood that is a polynomial of degree 2n - 1 in the
    bias); ``stabilities`` class -> prior weight (:func:`stability_prior`) replaces
    the class of ``settings`` (its first class is the nominal one);
    ``dispersion_scales`` factor -> prior weight (its first factor is the nominal one)
    scales the class's dispersion (:attr:`Settings.dispersion_scale`);
    ``transport_factors`` factor -> prior weight (its first factor is the nominal one)
    scales the transport direction error alone (:attr:`Settings.transport_sd_deg`: how far
    a plume's crossing strays from the logged wind's trajectory, not how wide it is);
    ``travel_factors`` factor -> prior weight (its first factor is the nominal one) sets
    the plume's mean speed as a fraction of the logged wind's
    (:attr:`WindHistory.travel_factor`: how long its air took to arrive, so which of the
    logged directions carried it). Every component keeps ``wind``'s own travel factor
    unless ``travel_factors`` replaces it.
    Components are the product of the five; with ``cross`` only those where at most one
    nuisance departs from its nominal value (no bias, the first class, the first
    factors): the product prior restricted to that cross and renormalised (with 3
    nodes and 3 classes, 5 points instead of 9, the 4 left out holding (1 - 2/3) x
    (1 - p_class) of the product's mass, 0.1 for :func:`stability_prior`'s 0.7); a
    bias and a wrong class at once are then carried by the nearest points of the
    cross, each costing one likelihood less.

    Parameters
    ----------
    wind : WindHistory
        The wind history as logged (the component without a bias).
    survey_wind : tuple of (ndarray, ndarray, ndarray) or None
        (time [s], speed [m/s], direction FROM [deg]) to turn; None: no bias.
    settings : Settings or None, default None
        The fit's settings (needed with ``stabilities``).
    bias_sd_deg : float, default 0.0
        Prior sd of the direction bias [deg]; 0 leaves it out.
    n_bias_nodes : int, default N_BIAS_NODES
        Quadrature nodes for the bias.
    stabilities : dict[str, float] or None, default None
        Class -> prior weight; None keeps the settings' class.
    dispersion_scales : dict[float, float] or None, default None
        Dispersion factor [-] -> prior weight; None keeps the settings' factor.
    transport_factors : dict[float, float] or None, default None
        Factor [-] on the transport direction error -> prior weight; None keeps the
        settings' error.
    travel_factors : dict[float, float] or None, default None
        The plume's mean speed over the logged wind's [-] -> prior weight; None keeps
        ``wind``'s.
    cross : bool, default False
        Keep only the components where at most one nuisance is off its nominal value.

    Returns
    -------
    list of Nuisance
        The components with their ln prior weights (summing to 1 in probability).
    """
    biases: list[tuple[WindHistory, float, float]] = [(wind, 0.0, 0.0)]
    if bias_sd_deg > 0 and survey_wind is not None:
        t, speed, direction = survey_wind
        biases = []
        for x, w in zip(*np.polynomial.hermite.hermgauss(n_bias_nodes), strict=True):
            off = float(np.sqrt(2.0) * bias_sd_deg * x)
            off = 0.0 if abs(off) < 1e-12 else off
            wh = (
                wind
                if off == 0.0
                else wind_history(
                    t,
                    speed,
                    direction,
                    transport=wind.transport,
                    offset_deg=off,
                    travel_factor=wind.travel_factor,
                )
            )
            biases.append((wh, float(np.log(w / np.sqrt(np.pi))), off))
    classes: list[tuple[str, float]] = [("", 0.0)]
    if stabilities and settings is not None:
        classes = _log_prior(stabilities)
    scales: list[tuple[float, float]] = [(settings.dispersion_scale if settings else 1.0, 0.0)]
    if dispersion_scales and settings is not None:
        scales = [(float(f), lp) for f, lp in _log_prior(dispersion_scales)]
    transports: list[tuple[float, float]] = [(1.0, 0.0)]
    if transport_factors and settings is not None:
        transports = [(float(f), lp) for f, lp in _log_prior(transport_factors)]
    travels: list[tuple[float, float]] = [(wind.travel_factor, 0.0)]
    if travel_factors:
        travels = [(float(k), lp) for k, lp in _log_prior(travel_factors)]
    comps = []
    for (wb, lw, off), (k, lk), (c, lc), (f, lf), (g, lg) in product(
        biases, travels, classes, scales, transports
    ):
        departs = (
            (off != 0.0)
            + (k != travels[0][0])
            + (c != classes[0][0])
            + (f != scales[0][0])
            + (g != transports[0][0])
        )
        if cross and departs > 1:
            continue
        st, tsd = None, None
        if settings is not None and (c or len(scales) > 1 or len(transports) > 1):
            tsd = settings.transport_sd_deg * g
            st = replace(
                settings,
                stability=c or settings.stability,
                dispersion_scale=f,
                transport_sd_deg=tsd,
            )
        wh = wb if k == wb.travel_factor else replace(wb, travel_factor=k)
        comps.append(Nuisance(wh, lw + lk + lc + lf + lg, st, c, off, f, tsd))
    norm = float(logsumexp([c.log_prior for c in comps]))
    return [c._replace(log_prior=c.log_prior - norm) for c in comps]


def _log_prior(weights: Mapping[K, float]) -> list[tuple[K, float]]:
    """(value, ln prior) of each value with a weight > 0, the weights normalised to sum to 1."""
    tot = sum(weights.values())
    return [(k, float(np.log(p / tot))) for k, p in weights.items() if p > 0]


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
    sd = raster.rate_sd.ravel()
    keep = raster.most_probable(1.0 - 1e-4)
    return mixture_quantiles(p[keep] / p[keep].sum(), mu[keep], sd[keep], qs)


def mixture_quantiles(p: F64, mu: F64, sd: F64, qs: tuple[float, ...]) -> list[float]:
    """Quantiles [g/s] of a mixture of log-normal rates.

    Parameters
    ----------
    p : ndarray
        Weights [-], summing to 1.
    mu, sd : ndarray
        Mean and sd of each component's ln Q [ln g/s] (sd floored at 1e-6).
    qs : tuple of float
        Probability levels [-].

    Returns
    -------
    list of float
        The rate at each level [g/s].
    """

    sd = np.maximum(sd, 1e-6)

    def cdf(x: F64) -> F64:
        z = (x[None, :] - mu[:, None]) / sd[:, None]
        return np.asarray(p @ ndtr(z), dtype=float)

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
    c = cdf(grid)
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
    mixture: list[Nuisance] | None = None,
    pad_m: float = 0.0,
) -> Posterior:
    """The posterior of one source from its crossings and the flight's probes.

    ``coarse_m`` [m] the coarse grid; ``direction_sd_deg`` [deg] the uncertainty of
    the mean wind direction, integrated out when > 0 (needs ``survey_wind`` = (time
    [s], speed [m/s], direction FROM [deg])); ``coarse`` a coarse raster already
    computed for these data; ``pair_cache`` a dict, shared by the fits of one
    survey, that keeps the coarse grid's probe geometry per channel
    (:class:`olfato.locate.likelihood.PairCache`; the probes of a channel must not
    change between fits that share it); ``mixture`` nuisance components
    (:func:`nuisances`) integrated out of the fine grid (and of the coarse one when
    ``coarse`` is None): with a given ``coarse`` (the fixed-nuisance fit, kept for maps
    and the domain-edge test) the fine grid covers its region widened by ``pad_m`` [m]
    on each side, and is widened once more when over :data:`MIXTURE_EDGE_MASS` of the
    mixture's mass lies on its border.

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
    mixture : list of Nuisance or None, default None
        Nuisance components integrated out; None: those of ``direction_sd_deg``.
    pad_m : float, default 0.0
        With ``mixture`` and ``coarse``, how far the fine grid reaches beyond the
        coarse posterior's region [m].

    Returns
    -------
    Posterior
        Rasters, mean [m], covariance [m2], ellipse, height [m], rate [g/s] and
        log evidence [-].
    """
    heights = np.asarray(domain.heights, dtype=float)
    base: list[Nuisance] = (
        _winds(wind, direction_sd_deg, survey_wind)
        if survey_wind is not None
        else [Nuisance(wind, 0.0)]
    )
    comps = mixture or base
    given = coarse is not None
    if coarse is None:
        e, n = domain.grid(coarse_m)
        coarse = _raster(e, n, heights, crossings, probes, comps, settings, pair_cache)
    if mixture is None or not given:
        fine = _fine(coarse, domain, heights, crossings, probes, comps, settings)
    else:
        fine = _padded_fine(coarse, domain, heights, crossings, probes, comps, settings, pad_m)
    ee, nn = np.meshgrid(fine.east, fine.north)
    p = fine.prob
    mean = np.array([np.sum(p * ee), np.sum(p * nn)])
    de, dn = fine.cell_m
    d = np.stack([(ee - mean[0]).ravel(), (nn - mean[1]).ravel()])
    cov = (d * p.ravel()) @ d.T + np.diag([de * de / 12.0, dn * dn / 12.0])
    ell = ellipse_from(fine, mean, cov)
    hp = fine.prob3.sum(axis=(0, 1))
    iy, ix, ih = np.unravel_index(int(np.argmax(fine.loglik)), fine.loglik.shape)
    return Posterior(
        fine,
        coarse,
        (float(mean[0]), float(mean[1])),
        cov,
        ell,
        float(np.sum(hp * heights)),
        {float(h): float(v) for h, v in zip(heights, hp, strict=True)},
        fine.log_evidence(domain),
        (float(fine.east[ix]), float(fine.north[iy]), float(heights[ih])),
        *_nuisance_summary(fine, comps),
    )


#: cells per axis of a mixture's grid (at most): each cell costs one likelihood per
#: component, and the 95% region is found from the mass, not the cell size
MIXTURE_CELLS = 48
#: mixture mass on the border of a padded fine grid above which it is widened once
MIXTURE_EDGE_MASS = 1e-3


def _fine(
    coarse: Raster,
    domain: Domain,
    heights: F64,
    crossings: Crossings,
    probes: Probes | None,
    comps: list[Nuisance],
    settings: Settings,
) -> Raster:
    e0, e1, n0, n1 = coarse.region()
    step = max((e1 - e0) / FINE_CELLS, (n1 - n0) / FINE_CELLS, 0.25)
    if step >= 0.75 * min(coarse.cell_m):
        return coarse  # a broad posterior: a finer grid would not be finer
    sub = replace(domain, east_min=e0, east_max=e1, north_min=n0, north_max=n1)
    fe, fn = sub.grid(step)
    return _raster(fe, fn, heights, crossings, probes, comps, settings)


def _padded_fine(
    coarse: Raster,
    domain: Domain,
    heights: F64,
    crossings: Crossings,
    probes: Probes | None,
    comps: list[Nuisance],
    settings: Settings,
    pad_m: float,
) -> Raster:
    """The mixture on a grid over the fixed-nuisance region widened by ``pad_m`` [m]
    (at most :data:`MIXTURE_CELLS` a side)."""
    e0, e1, n0, n1 = coarse.region()
    fine = coarse
    for _ in range(2):
        sub = replace(
            domain,
            east_min=max(domain.east_min, e0 - pad_m),
            east_max=min(domain.east_max, e1 + pad_m),
            north_min=max(domain.north_min, n0 - pad_m),
            north_max=min(domain.north_max, n1 + pad_m),
        )
        step = max(
            (sub.east_max - sub.east_min) / MIXTURE_CELLS,
            (sub.north_max - sub.north_min) / MIXTURE_CELLS,
            0.25,
        )
        fe, fn = sub.grid(step)
        fine = _raster(fe, fn, heights, crossings, probes, comps, settings)
        p = fine.prob
        inner = float(p[1:-1, 1:-1].sum()) if min(p.shape) >= 3 else 0.0
        at_domain = sub == domain
        if 1.0 - inner <= MIXTURE_EDGE_MASS or at_domain:
            break
        pad_m = 2.0 * pad_m + max(e1 - e0, n1 - n0) / 2.0
    return fine


def _nuisance_summary(
    fine: Raster, comps: list[Nuisance]
) -> tuple[dict[str, float], float, dict[float, float], dict[float, float], dict[float, float]]:
    """(class -> posterior probability, posterior mean bias [deg], dispersion factor ->
    posterior probability, transport direction error [deg] -> posterior probability,
    travel speed factor -> posterior probability) of a mixture raster."""
    if fine.component_logz is None or len(comps) < 2:
        return {}, 0.0, {}, {}, {}
    w = model_weights(fine.component_logz, np.ones(len(comps)))  # priors already in logz
    probs: dict[str, float] = {}
    scales: dict[float, float] = {}
    transports: dict[float, float] = {}
    travels: dict[float, float] = {}
    for c, wk in zip(comps, w, strict=True):
        k = c.wind.travel_factor
        travels[k] = travels.get(k, 0.0) + float(wk)
        if c.stability:
            probs[c.stability] = probs.get(c.stability, 0.0) + float(wk)
        scales[c.dispersion_scale] = scales.get(c.dispersion_scale, 0.0) + float(wk)
        if c.transport_sd_deg is not None:
            transports[c.transport_sd_deg] = transports.get(c.transport_sd_deg, 0.0) + float(wk)
    bias = float(sum(float(wk) * c.bias_deg for c, wk in zip(comps, w, strict=True)))
    return (
        probs,
        bias,
        scales if len(scales) > 1 else {},
        transports if len(transports) > 1 else {},
        travels if len(travels) > 1 else {},
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
