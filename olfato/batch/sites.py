"""Sites: the same source seen on several flights, merged by position posterior AND chemistry.

Each located source of a flight is a *sighting*: a Gaussian approximation of its
position posterior (mean and the covariance of its 95 % ellipse) and its signature
probabilities. Two sightings are of the same site when

* their positions agree: the squared Mahalanobis distance of the difference of two
  independent estimates of one point, d² = Δᵀ (Σ₁ + Σ₂)⁻¹ Δ, is within the χ²(2)
  quantile of ``level`` (5.99 at 95 %); and
* their chemistry agrees: the Bhattacharyya coefficient of their signature
  distributions, BC = Σᵢ √(pᵢ qᵢ) (1 for identical, 0 for disjoint), is at least
  ``min_chemistry`` (0.8). A sighting without signature probabilities agrees with
  none (BC = 0): chemistry is never assumed.

So two sources 30 m apart are one site when their ellipses are 100 m long and both
smell of a lab, and two sites when one is a farm and the other a lab, or when both are
pinned to within 5 m. Flights are taken in time order; each flight's sightings are
matched one-to-one to the sites so far (Hungarian assignment on d², Kuhn 1955), so
two sources one flight told apart are never merged. A site's position is the
precision-weighted fusion of its sightings (the product of their Gaussians), its
chemistry their mean.

References
----------
Bhattacharyya, A. (1943). On a measure of divergence between two statistical
populations defined by their probability distributions. Bull. Calcutta Math. Soc. 35.
Mahalanobis, P. C. (1936). On the generalised distance in statistics. Proc. Natl.
Inst. Sci. India 2, 49-55.
Kuhn, H. W. (1955). The Hungarian method for the assignment problem. Naval Research
Logistics Quarterly 2, 83-97.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from olfato.locate.posterior import Ellipse, chi2_2_quantile, ellipse_from_cov

F64 = NDArray[np.float64]

#: default: positions agree at the 95 % level, chemistry's Bhattacharyya coefficient >= 0.8
#: (Hellinger distance sqrt(1 - BC) <= 0.45: lab 0.9 / farm 0.1 against lab 0.7 / farm 0.3
#: is 0.97, one site; against lab 0.05 / farm 0.95 is 0.52, two)
LEVEL = 0.95
MIN_CHEMISTRY = 0.8
#: a floor on each sighting's 1-sigma position error [m] (GPS, frame), so that an
#: over-confident ellipse cannot keep a site from matching itself
FLOOR_M = 3.0


def mahalanobis2(mu1: F64, cov1: F64, mu2: F64, cov2: F64) -> float:
    """The squared Mahalanobis distance between two independent position estimates.

    Parameters
    ----------
    mu1, mu2 : ndarray, shape (2,)
        The estimates [m east, north].
    cov1, cov2 : ndarray, shape (2, 2)
        Their covariances [m²].

    Returns
    -------
    float
        d² = Δᵀ (Σ₁ + Σ₂)⁻¹ Δ [-]; χ²(2)-distributed when both estimate one point.
    """
    d = np.asarray(mu1, dtype=float) - np.asarray(mu2, dtype=float)
    return float(d @ np.linalg.solve(np.asarray(cov1) + np.asarray(cov2), d))


def bhattacharyya_coefficient(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """The Bhattacharyya coefficient of two distributions over signature names.

    Parameters
    ----------
    p, q : mapping of str to float
        Signature probabilities (each normalised first).

    Returns
    -------
    float
        BC = Σᵢ √(pᵢ qᵢ): 1 when identical, 0 when they share nothing.
    """
    names = sorted(set(p) | set(q))
    a = np.array([max(float(p.get(n) or 0.0), 0.0) for n in names])
    b = np.array([max(float(q.get(n) or 0.0), 0.0) for n in names])
    if a.sum() <= 0 or b.sum() <= 0:
        return 0.0
    return float(np.sum(np.sqrt(a / a.sum() * b / b.sum())))


def fuse(means: Sequence[F64], covs: Sequence[F64]) -> tuple[F64, F64]:
    """The product of Gaussian position estimates (precision-weighted fusion).

    Parameters
    ----------
    means : sequence of ndarray, shape (2,)
        The estimates [m].
    covs : sequence of ndarray, shape (2, 2)
        Their covariances [m²].

    Returns
    -------
    mean : ndarray, shape (2,)
        μ = Σ Σᵢ Σᵢ⁻¹ μᵢ [m].
    cov : ndarray, shape (2, 2)
        Σ = (Σᵢ Σᵢ⁻¹)⁻¹ [m²].
    """
    prec = sum(np.linalg.inv(c) for c in covs)
    cov = np.linalg.inv(prec)
    mu = cov @ sum(
        np.linalg.inv(c) @ np.asarray(m, dtype=float) for m, c in zip(means, covs, strict=True)
    )
    return np.asarray(mu, dtype=float), np.asarray(cov, dtype=float)


@dataclass(frozen=True)
class Sighting:
    """One located source of one flight, in the campaign's local frame."""

    flight: int  # the survey's id
    time: float  # the flight's start [s since the epoch]
    label: str  # the source's id in its locate run
    east_m: float
    north_m: float
    cov: F64  # position covariance [m²]
    signature_probabilities: Mapping[str, float]
    signature: str = ""
    suspect: bool = False
    rate_g_s: float | None = None
    analyte: str = ""

    @property
    def mean(self) -> F64:
        return np.array([self.east_m, self.north_m], dtype=float)


@dataclass
class Site:
    """Sightings of one source over the campaign, and the flights that covered it and missed."""

    id: int
    sightings: list[Sighting]
    mean: F64
    cov: F64
    chemistry: dict[str, float]
    misses: list[int] = field(default_factory=list)  # flights that covered it, saw nothing

    @property
    def flights(self) -> list[int]:
        return [s.flight for s in self.sightings]

    @property
    def signature(self) -> str:
        return max(self.chemistry, key=lambda k: self.chemistry[k]) if self.chemistry else ""

    @property
    def n_suspect(self) -> int:
        return sum(s.suspect for s in self.sightings)

    @property
    def first_seen(self) -> float:
        return min(s.time for s in self.sightings)

    @property
    def last_seen(self) -> float:
        return max(s.time for s in self.sightings)

    def missed_after_last_sighting(self, times: Mapping[int, float]) -> list[int]:
        """The flights that covered the site after its last sighting and did not see it.

        Parameters
        ----------
        times : mapping of int to float
            Flight id -> its start [s since the epoch].

        Returns
        -------
        list of int
        """
        return [f for f in self.misses if times[f] > self.last_seen]

    def status(self, times: Mapping[int, float]) -> str:
        """Whether the site was seen again.

        Parameters
        ----------
        times : mapping of int to float
            Flight id -> its start [s since the epoch].

        Returns
        -------
        str
            ``not seen again`` (a flight after its last sighting covered it and found
            nothing), ``seen again`` (two or more flights), or ``not revisited``.
        """
        if self.missed_after_last_sighting(times):
            return "not seen again"
        if len(set(self.flights)) >= 2:
            return "seen again"
        return "not revisited"

    def ellipse(self, level: float = LEVEL) -> Ellipse:
        """The site's fused position ellipse.

        Parameters
        ----------
        level : float
            Its probability content.

        Returns
        -------
        Ellipse
            Semi-axes [m] and azimuth of the major axis [deg from north]
            (:func:`olfato.locate.posterior.ellipse_from_cov`).
        """
        return ellipse_from_cov(self.cov, level)


def _floored(cov: F64, floor_m: float) -> F64:
    return np.asarray(cov, dtype=float) + np.eye(2) * floor_m**2


def merge_sightings(
    sightings: Sequence[Sighting],
    *,
    level: float = LEVEL,
    min_chemistry: float = MIN_CHEMISTRY,
    floor_m: float = FLOOR_M,
) -> list[Site]:
    """Merge sightings from several flights into sites (see the module's docstring).

    Parameters
    ----------
    sightings : sequence of Sighting
        Every located source of the campaign.
    level : float
        The position test's probability level (χ²(2) quantile; 0.95 -> d² <= 5.99).
    min_chemistry : float
        The least Bhattacharyya coefficient of two chemistries to be one site [0..1].
    floor_m : float
        Added in quadrature to every sighting's 1-sigma position error [m].

    Returns
    -------
    list of Site
        Numbered 1.. in order of first sighting; ``misses`` left empty (see
        :func:`add_misses`).
    """
    from scipy.optimize import linear_sum_assignment

    gate = chi2_2_quantile(level)
    by_flight: dict[int, list[Sighting]] = {}
    for s in sorted(sightings, key=lambda s: (s.time, s.flight, s.label)):
        by_flight.setdefault(s.flight, []).append(s)
    sites: list[Site] = []
    for group in by_flight.values():
        cost = np.full((len(group), max(len(sites), 1)), np.inf)
        for i, s in enumerate(group):
            for j, site in enumerate(sites):
                d2 = mahalanobis2(s.mean, _floored(s.cov, floor_m), site.mean, site.cov)
                bc = bhattacharyya_coefficient(s.signature_probabilities, site.chemistry)
                if d2 <= gate and bc >= min_chemistry:
                    cost[i, j] = d2
        matched: dict[int, int] = {}
        if sites and np.isfinite(cost).any():
            big = 1e9
            rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, big))
            matched = {
                int(r): int(c) for r, c in zip(rows, cols, strict=True) if np.isfinite(cost[r, c])
            }
        for i, s in enumerate(group):
            if i in matched:
                site = sites[matched[i]]
                site.sightings.append(s)
                site.mean, site.cov = fuse(
                    [x.mean for x in site.sightings],
                    [_floored(x.cov, floor_m) for x in site.sightings],
                )
                site.chemistry = _mean_chemistry(site.sightings)
            else:
                sites.append(
                    Site(
                        len(sites) + 1,
                        [s],
                        s.mean,
                        _floored(s.cov, floor_m),
                        _mean_chemistry([s]),
                    )
                )
    return sites


def _mean_chemistry(sightings: Sequence[Sighting]) -> dict[str, float]:
    total: dict[str, float] = {}
    for s in sightings:
        norm = sum(max(float(v or 0.0), 0.0) for v in s.signature_probabilities.values()) or 1.0
        for k, v in s.signature_probabilities.items():
            total[k] = total.get(k, 0.0) + max(float(v or 0.0), 0.0) / norm
    return {k: v / len(sightings) for k, v in total.items()}


def inside_hull(hull: F64, east: float, north: float) -> bool:
    """Whether a point is inside a convex polygon.

    Parameters
    ----------
    hull : ndarray, shape (n, 2)
        The polygon's vertices in order, either sense [m].
    east, north : float
        The point [m].

    Returns
    -------
    bool
        False for a polygon of fewer than 3 vertices.
    """
    if len(hull) < 3:
        return False
    d = np.roll(hull, -1, axis=0) - hull
    r = np.array([east, north]) - hull
    cross = d[:, 0] * r[:, 1] - d[:, 1] * r[:, 0]
    return bool(np.all(cross >= 0) or np.all(cross <= 0))


def add_misses(
    sites: Sequence[Site], coverage: Mapping[int, F64], times: Mapping[int, float]
) -> None:
    """Fill each site's ``misses``: flights after its first sighting whose covered area (a
    convex hull of the track in the campaign frame) holds the site's position but that
    made no sighting of it.

    Parameters
    ----------
    sites : sequence of Site
        The sites, changed in place.
    coverage : mapping
        Flight id -> its covered area's vertices, shape (n, 2) [m east, north].
    times : mapping
        Flight id -> its start [s since the epoch].
    """
    for site in sites:
        seen = set(site.flights)
        site.misses = [
            f
            for f, hull in sorted(coverage.items(), key=lambda kv: times[kv[0]])
            if f not in seen
            and times[f] > site.first_seen
            and inside_hull(hull, float(site.mean[0]), float(site.mean[1]))
        ]
