"""Levels of finding: a located *source*, or a *detection* (a plume seen, not located).

A crossing tells where the plume's axis was and how much gas it carried, but one
crossing, or several on the same straight pass, fixes the source only crosswind:
along the wind the posterior runs out to the edge of the search domain, and the
rate follows the distance (a far source must be strong). So a group of hits is
reported as a **source** only when all of these hold:

* it was crossed on at least ``min_passes`` different passes (:func:`pass_numbers`:
  straight legs of the track, split at turns), which gives the along-wind
  constraint (crossings at different distances downwind, or from other sides); a
  hit cut by the log's start or end saw only part of its plume and counts as no
  pass;
* its 95% credible region is bounded: the ellipse lies inside the search domain
  (the flown area plus the margin) and less than :data:`EDGE_MASS` of the posterior
  sits in the domain's outer ring of cells (mass piled against an edge means the
  data do not bound it there);
* its rate's 95% interval does not reach either end of the prior (a rate "at the
  bound" says the data did not fix it).

Everything else is a **detection**: a Point at its strongest crossing with the
bearing the plume came from (``bearing_deg``, FROM convention, clockwise from
north) and the half-width of that wedge (``wedge_deg``), both from the source's
posterior as seen from the crossing; no ellipse, no rate, never suspect.

**Probability of existence.** Two ways a reported source may not exist: all its
hits are false alarms of the detector, or it is a second copy of a nearby source.
For a hit of peak statistic s over the threshold u, the expected number of noise
hits at least that strong in the flight is N(s) = r T exp(-(s^2 - u^2) / 2) (r the
false-alarm rate the detector was set to, T the flight time; the Gaussian tail of
a peak above a high level, Rice 1945, Bell Syst. Tech. J. 24, 46, sec. 3.6), so the
chance that noise made one is q = 1 - exp(-N(s)) (Poisson) and the chance that all
hits of the group are noise is the product of their q. A group whose chemistry
agrees with a stronger neighbour's is a separate source with probability
1 / (1 + B), B = Z(one source) / Z(two sources) the Bayes factor of the merge test
(:mod:`olfato.locate.multisource`; Kass & Raftery 1995, J. Am. Stat. Assoc. 90,
773), equal prior odds. The product of the two is ``probability_exists``.

**Suspect only on evidence.** A source is suspect when it is located, its
``probability_exists`` and its probability of a suspect signature
(``p_suspect``: the posterior mass of the library's suspect signatures) reach
:class:`Thresholds`, and it is physically plausible: no rate at a prior bound, not
CO2 alone (combustion and breathing make CO2 everywhere; a lab plume carries
solvents or precursors), no hit touched by a sensor fault.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from olfato.locate.thresholds import Thresholds

__all__ = ["Detection", "Thresholds"]

if TYPE_CHECKING:
    from olfato.locate.posterior import Domain, Ellipse, Posterior

F64 = NDArray[np.float64]

#: a pass ends where the track has turned this far from the pass's heading [deg]
TURN_DEG = 60.0
#: heading smoothing window [s]
HEADING_WINDOW_S = 5.0
#: below this ground speed [m/s] the heading is not updated (hover)
HOVER_MS = 0.5
#: a time gap longer than this [s] starts a new pass
GAP_S = 30.0
#: posterior mass allowed in the domain's outer ring of coarse cells
EDGE_MASS = 0.05
#: a rate interval end within this factor of the prior's bound is "at the bound"
BOUND_FACTOR = 1.05
#: a channel other than CO2 "sees" a source when its summed hits reach this SNR
OTHER_GAS_SNR = 3.0
#: the wedge holds this share of the posterior
WEDGE_LEVEL = 0.95


@dataclass
class Detection:
    """A plume seen but not located (module docstring).

    ``east_m``, ``north_m`` [m] and ``lat``, ``lon`` [deg]: the strongest crossing;
    ``bearing_deg`` [deg] the direction the plume came FROM, clockwise from north;
    ``wedge_deg`` [deg] the half-width of the wedge holding 95% of the posterior;
    ``analyte``, ``signature``, ``signature_probabilities``, ``p_suspect`` from its
    hits; ``probability_exists`` [-]; ``hit_ids``; ``warnings`` why it is not a
    source and anything else that concerns it; ``posterior`` its (broad) posterior,
    kept for planning a flight that would locate it.
    """

    id: str
    east_m: float
    north_m: float
    lat: float
    lon: float
    bearing_deg: float
    wedge_deg: float
    analyte: str
    signature: str
    signature_probabilities: dict[str, float]
    p_suspect: float
    probability_exists: float
    hit_ids: list[int]
    warnings: list[str]
    posterior: Posterior | None = None
    kind: str = "detection"

    @property
    def suspect(self) -> bool:
        """A detection is never suspect."""
        return False

    @property
    def n_hits(self) -> int:
        return len(self.hit_ids)


def pass_numbers(
    time_s: F64,
    east_m: F64,
    north_m: F64,
    *,
    turn_deg: float = TURN_DEG,
    window_s: float = HEADING_WINDOW_S,
) -> NDArray[np.int64]:
    """The pass (straight leg) each sample belongs to, numbered from 0.

    The heading is taken from the track over ``window_s`` [s]; a pass ends where it
    has turned more than ``turn_deg`` [deg] from the heading the pass started
    with, or at a gap in time longer than :data:`GAP_S`. Hovering samples (ground
    speed below :data:`HOVER_MS`) keep the current pass.

    Parameters
    ----------
    time_s : ndarray
        Sample times [s].
    east_m, north_m : ndarray
        Track [m].
    turn_deg : float, default TURN_DEG
        Turn that ends a pass [deg].
    window_s : float, default HEADING_WINDOW_S
        Heading window [s].

    Returns
    -------
    ndarray of int
        Pass number per sample.
    """
    t = np.asarray(time_s, dtype=float)
    e = np.asarray(east_m, dtype=float)
    n = np.asarray(north_m, dtype=float)
    m = len(t)
    out = np.zeros(m, dtype=np.int64)
    if m < 3:
        return out
    dt = float(np.median(np.diff(t)))
    k = max(1, round(window_s / max(dt, 1e-9) / 2))
    idx = np.arange(m)
    a, b = np.clip(idx - k, 0, m - 1), np.clip(idx + k, 0, m - 1)
    span = np.maximum(t[b] - t[a], 1e-9)
    ve, vn = (e[b] - e[a]) / span, (n[b] - n[a]) / span
    heading = np.rad2deg(np.arctan2(ve, vn))
    moving = np.hypot(ve, vn) >= HOVER_MS
    gap = np.concatenate([[False], np.diff(t) > GAP_S])
    # a sequential scan: over Python lists, which index an order of magnitude faster
    # than NumPy scalars do
    usable = (moving & np.isfinite(heading)).tolist()
    numbers = [0] * m
    current = 0
    start: float | None = None
    for i, (is_gap, ok, h) in enumerate(zip(gap.tolist(), usable, heading.tolist(), strict=True)):
        if is_gap:
            current += 1
            start = None
        if ok:
            if start is None:
                start = h
            elif abs((h - start + 180.0) % 360.0 - 180.0) > turn_deg:
                current += 1
                start = h
        numbers[i] = current
    out[:] = numbers
    return out


def ellipse_inside(ellipse: Ellipse, east_m: float, north_m: float, domain: Domain) -> bool:
    """Whether the 95% ellipse centred at (``east_m``, ``north_m``) [m] lies in ``domain``.

    Parameters
    ----------
    ellipse : Ellipse
        The 95% ellipse (semi-axes [m], azimuth [deg]).
    east_m, north_m : float
        Its centre [m].
    domain : Domain
        The search domain.

    Returns
    -------
    bool
        True when the ellipse lies inside.
    """
    a, b = ellipse.semi_major, ellipse.semi_minor
    th = np.deg2rad(ellipse.azimuth_deg)
    half_e = float(np.hypot(a * np.sin(th), b * np.cos(th)))
    half_n = float(np.hypot(a * np.cos(th), b * np.sin(th)))
    return bool(
        np.isfinite(half_e + half_n)
        and east_m - half_e >= domain.east_min
        and east_m + half_e <= domain.east_max
        and north_m - half_n >= domain.north_min
        and north_m + half_n <= domain.north_max
    )


def edge_mass(post: Posterior) -> float:
    """Posterior mass [-] in the outer ring of the coarse raster's cells.

    Parameters
    ----------
    post : Posterior
        One source's posterior.

    Returns
    -------
    float
        Posterior mass in the edge cells [-].
    """
    p = post.coarse.prob
    if p.shape[0] < 3 or p.shape[1] < 3:
        return 1.0
    inner = float(p[1:-1, 1:-1].sum())
    return float(max(0.0, p.sum() - inner))


def region_bounded(
    ellipse: Ellipse, east_m: float, north_m: float, post: Posterior, domain: Domain
) -> bool:
    """Whether a finding's 95% region is bounded: its ellipse (centred at ``east_m``,
    ``north_m`` [m]) inside ``domain`` and at most :data:`EDGE_MASS` of ``post`` on the
    domain's edge.

    Parameters
    ----------
    ellipse : Ellipse
        The 95% ellipse.
    east_m, north_m : float
        Its centre [m].
    post : Posterior
        The posterior the ellipse summarises.
    domain : Domain
        The search domain.

    Returns
    -------
    bool
        True when the region is bounded.
    """
    return ellipse_inside(ellipse, east_m, north_m, domain) and edge_mass(post) <= EDGE_MASS


def passes_crossed(
    members: list[int], peak_pass: dict[int, int], partial: Collection[int] = ()
) -> int:
    """On how many different passes a group of hits was crossed whole.

    A hit cut by the log's start or end (:func:`olfato.detect.pipeline.hits_cut_by_log`)
    saw part of its plume: its integral is a lower bound and its centroid sits where
    the log began or ended, so it gives no along-wind constraint and counts as no pass.

    Parameters
    ----------
    members : list of int
        Hit ids.
    peak_pass : dict[int, int]
        Hit id -> the pass (:func:`pass_numbers`) of its peak sample.
    partial : collection of int, default ()
        Ids of the hits cut by the log's start or end: they count as no pass.

    Returns
    -------
    int
        Number of passes [-].
    """
    return len({peak_pass[h] for h in members if h not in partial})


def rate_at_bound(
    ci95_g_s: tuple[float, float], rate_range_g_s: tuple[float, float], factor: float = BOUND_FACTOR
) -> bool:
    """Whether the rate interval [g/s] reaches either end of the prior's range [g/s].

    Parameters
    ----------
    ci95_g_s : tuple of (float, float)
        The rate's 95% interval [g/s].
    rate_range_g_s : tuple of (float, float)
        The prior's range [g/s].
    factor : float, default BOUND_FACTOR
        Ratio to an end within which the interval counts as reaching it [-].

    Returns
    -------
    bool
        True when the interval reaches an end.
    """
    lo, hi = ci95_g_s
    return bool(hi >= rate_range_g_s[1] / factor or lo <= rate_range_g_s[0] * factor)


def noise_probability(snr: F64, threshold: float, expected_false: float) -> float:
    """Chance [-] that noise alone made every one of these hits (module docstring).

    ``snr`` [sd] the hits' peak detection statistics; ``threshold`` [sd] the
    detector's; ``expected_false`` [-] the false hits expected in the whole flight.

    Parameters
    ----------
    snr : ndarray
        Peak detection statistic of each hit [sd].
    threshold : float
        Detection threshold [sd].
    expected_false : float
        False hits expected in the flight [-].

    Returns
    -------
    float
        Probability [-].
    """
    s = np.maximum(np.asarray(snr, dtype=float), threshold)
    n_fa = expected_false * np.exp(-0.5 * (s**2 - threshold**2))
    q = -np.expm1(-n_fa)
    return float(np.prod(q))


def separate_probability(merge_gain: float) -> float:
    """Probability [-] that a group is a source of its own rather than part of a
    neighbour's, from ln Z(one) - ln Z(two) (equal prior odds).

    Parameters
    ----------
    merge_gain : float
        ln Z(one) - ln Z(two) [-].

    Returns
    -------
    float
        Probability [-].
    """
    g = float(np.clip(merge_gain, -700.0, 700.0))
    return float(1.0 / (1.0 + np.exp(g)))


def suspect_probability(classification: Any, library: Any) -> float:
    """Posterior probability [-] that a fingerprint is of a suspect signature.

    The mass of the library's suspect signatures; for a two-part mixture, the
    suspect parts' share of it (the answer :func:`olfato.locate.pipeline.is_suspect`
    judges by).

    Parameters
    ----------
    classification : Classification
        The fingerprint's classification.
    library : SignatureLibrary
        The signature library (which signatures are suspect).

    Returns
    -------
    float
        Probability [-].
    """
    if classification.mixture:
        return float(
            sum(v for k, v in classification.mixture.items() if k in library and library[k].suspect)
        )
    return float(
        sum(
            p
            for k, p in classification.probabilities.items()
            if k in library and library[k].suspect
        )
    )


def bearing_wedge(
    post: Posterior, east_m: float, north_m: float, level: float = WEDGE_LEVEL
) -> tuple[float, float]:
    """(bearing [deg FROM, clockwise from north], half-width [deg]) of the posterior
    as seen from the crossing at (``east_m``, ``north_m``) [m].

    The bearing is the probability-weighted circular mean of the directions from
    the crossing to the cells; the half-width the weighted ``level`` quantile of
    the cells' angular distance from it.

    Parameters
    ----------
    post : Posterior
        One source's posterior.
    east_m, north_m : float
        The crossing [m].
    level : float, default WEDGE_LEVEL
        Probability mass inside the wedge [-].

    Returns
    -------
    tuple of (float, float)
        Bearing [deg] and half-width [deg].
    """
    c = post.coarse
    ee, nn = np.meshgrid(c.east, c.north)
    w = c.prob.ravel()
    az = np.arctan2((ee - east_m).ravel(), (nn - north_m).ravel())
    mean = float(np.arctan2(np.sum(w * np.sin(az)), np.sum(w * np.cos(az))))
    d = np.abs((az - mean + np.pi) % (2 * np.pi) - np.pi)
    order = np.argsort(d)
    csum = np.cumsum(w[order]) / max(float(w.sum()), 1e-300)
    j = min(int(np.searchsorted(csum, level)), len(order) - 1)
    return float(np.rad2deg(mean) % 360.0), float(np.rad2deg(d[order][j]))
