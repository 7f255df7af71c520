"""The next flight: crosswind legs that most reduce the expected uncertainty of the candidates.

Infotaxis (Vergassola, Villermaux & Shraiman 2007, "'Infotaxis' as a strategy for
searching without gradients", Nature 445, 406) moves where the expected information
gain about the source's position is largest. Here the move is a whole flight, chosen
within one battery, and the gain is that of the flight's observations about every
candidate's position.

Observation model (the same as the likelihood of :mod:`olfato.locate`, so that what
the planner expects to learn is what locating will learn). A crosswind leg at
downwind distance x of a hypothetical source position s either shows no plume or
crosses it at a position along the leg:

* expected peak mu(s) [ppb]: the Gaussian plume's centreline value at the leg's
  height (:func:`olfato.physics.gaussian_plume`, Pasquill-Gifford sigmas, Turner
  1970) for the candidate's rate of its dominant analyte;
* detected with probability (1 - miss) (1 - Phi((u sd - mu) / sqrt(sd^2 + (k mu)^2)))
  (u the detection threshold in noise sd, k the log-normal model discrepancy);
* the crossing's position along the leg is normal around the plume axis with sd
  sqrt(position_sd^2 + (tan(transport_sd) x)^2), read in bins of ``bin_m``.

With the outcomes of legs independent given s, the expected information gain of a
set of legs about candidate c is the mutual information I(S_c; O) = E[log p(O | S_c)
- log p(O)], with S_c drawn from the candidate's position distribution (particles),
O drawn from the model, and p(O) the exact mixture over the particles (nested Monte
Carlo with an exact inner sum; Ryan 2003, J. Comput. Graph. Stat. 12, 585; Chaloner
& Verdinelli 1995, Stat. Sci. 10, 273). The gains of the candidates add, each
weighted by its priority: suspects over benign sources, and candidates whose 95%
ellipse is already under the goal much less.

Flight: legs are proposed around every candidate (just upwind of it, across it, and
at several distances downwind, wide enough for its crosswind uncertainty and the
plume). Legs are added greedily by expected gain per second of added flight time,
each inserted where it lengthens the route least, while the sortie fits one battery
with its reserve (greedy maximisation of a monotone submodular gain under a budget;
Krause & Guestrin 2005, "Near-optimal nonmyopic value of information in graphical
models", UAI). The altitude is chosen within the allowed band, as the one with the
largest expected gain. No-fly zones cut legs and are flown around
(:mod:`olfato.plan.nofly`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp, ndtr

from olfato.errors import OlfatoError
from olfato.physics import downwind_crosswind, g_m3_to_ppb, gaussian_plume
from olfato.physics.units import molar_mass
from olfato.plan.area import Area
from olfato.plan.candidates import Candidate, ellipse_semi_axes
from olfato.plan.conditions import Conditions
from olfato.plan.coverage import wind_axes
from olfato.plan.nofly import DEFAULT_BUFFER_M, clear_route, free_pieces, inside_any
from olfato.plan.sortie import VERTICAL_SPEED_MS, Sortie, flight_time_s
from olfato.plan.sorties import check_flight_settings

F64 = NDArray[np.float64]

#: a detection needs the peak this many noise sd above background (detect's threshold
#: at its default false-alarm rate is about 4 sd)
DETECTION_SD = 4.0
#: log-normal model discrepancy of a crossing (olfato.locate.likelihood.Settings)
DISCREPANCY = 0.6
#: chance a plume above threshold is missed anyway (intermittency)
MISS = 0.05
#: error of a crossing centroid [m] (GPS, residual sensor lag)
POSITION_SD_M = 3.0
#: error of the transport direction [deg]
TRANSPORT_SD_DEG = 3.0
#: width of the bins the crossing position is read in [m]
BIN_M = 5.0
#: particles per candidate and Monte Carlo outcome samples
N_PARTICLES = 300
N_SAMPLES = 300
#: priority of a certainly-benign candidate relative to a certain suspect
BENIGN_WEIGHT = 0.25
#: priority factor of a candidate whose 95% ellipse is already under the goal
GOAL_MET_WEIGHT = 0.05
#: stop adding legs whose expected gain is below this [nats]
MIN_GAIN_NATS = 0.01
#: shortest leg worth flying [m]
MIN_LEG_M = 20.0


@dataclass
class Leg:
    """A crosswind survey leg from ``start`` to ``end`` [east, north m]."""

    start: F64
    end: F64
    target: str

    @property
    def length_m(self) -> float:
        return float(np.hypot(*(self.end - self.start)))


@dataclass
class FollowUp:
    """A planned follow-up flight and what it is expected to teach.

    ``sortie``: the flight; ``legs``: its survey legs in flying order;
    ``gain_nats``: expected information gain per candidate id [nats];
    ``semi_major_now_m``, ``semi_major_expected_m``: the 95% ellipse semi-major axis
    per candidate now and expected after the flight [m]; ``altitude_gains``:
    weighted gain at each altitude tried [nats]; ``candidates`` and
    ``wind_from_deg`` [deg]: what it was planned for.
    """

    sortie: Sortie
    legs: list[Leg]
    gain_nats: dict[str, float]
    semi_major_now_m: dict[str, float]
    semi_major_expected_m: dict[str, float]
    altitude_gains: dict[float, float] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    wind_from_deg: float = 0.0


def priority(c: Candidate, goal_m: float) -> float:
    """Weight of a candidate's information gain: suspects first, unresolved first [-]."""
    w = c.p_suspect + BENIGN_WEIGHT * (1.0 - c.p_suspect)
    return w * (GOAL_MET_WEIGHT if c.semi_major_m < goal_m else 1.0)


def propose_legs(
    candidates: Sequence[Candidate], wind_from_deg: float, stability: str
) -> list[Leg]:
    """Crosswind legs around each candidate (module docstring), unclipped."""
    from olfato.physics import sigma_yz

    d, c = wind_axes(wind_from_deg)
    legs = []
    for cand in candidates:
        cov = cand.covariance
        sx = math.sqrt(float(d @ cov @ d))
        sy = math.sqrt(float(c @ cov @ c))
        offsets = [-2.0 * sx - 5.0, -sx, 0.0, sx]
        offsets += [2.0 * sx + extra for extra in (15.0, 40.0, 80.0, 140.0, 220.0)]
        for x in offsets:
            reach = max(x + 2.0 * sx, 5.0)  # farthest downwind distance from a particle
            plume_sy = float(sigma_yz(reach, stability, "pasquill_gifford")[0])
            half = 2.5 * sy + 2.0 * plume_sy + 10.0 + math.tan(math.radians(10.0)) * reach
            centre = cand.mean + x * d
            legs.append(Leg(centre - half * c, centre + half * c, cand.id))
    return legs


def clip_legs(legs: Sequence[Leg], no_fly: Sequence[Area], buffer_m: float) -> list[Leg]:
    """Legs cut out of the no-fly zones: the longest free piece of each, if long enough."""
    if not no_fly:
        return list(legs)
    out = []
    for leg in legs:
        pieces = free_pieces(leg.start, leg.end, no_fly, buffer_m)
        if not pieces:
            continue
        a, b = max(pieces, key=lambda p: float(np.hypot(*(p[1] - p[0]))))
        if float(np.hypot(*(b - a))) >= MIN_LEG_M:
            out.append(Leg(a, b, leg.target))
    return out


def outcome_probabilities(
    leg: Leg,
    particles: F64,
    cand: Candidate,
    altitude_m: float,
    cond: Conditions,
) -> F64:
    """P(outcome | source at each particle) (N, 1 + bins): column 0 = no detection.

    ``particles`` (N, 2) [m]; ``altitude_m`` [m]; see the module docstring.
    """
    x, _ = downwind_crosswind(
        leg.start[0], leg.start[1], particles[:, 0], particles[:, 1], cond.wind_from_deg
    )
    length = leg.length_m
    u = (leg.end - leg.start) / max(length, 1e-9)
    along = (particles - leg.start) @ u  # where the plume axis meets the leg's line
    g = gaussian_plume(
        x,
        0.0,
        altitude_m,
        cand.rate_g_s,
        cond.wind_speed_ms,
        cand.height_m,
        cond.stability,
        "pasquill_gifford",
    )
    mu = g_m3_to_ppb(g, molar_mass(cand.analyte), cond.temperature_k, cond.pressure_pa)
    sd = cond.noise(cand.analyte)
    p_det = (1.0 - MISS) * ndtr((mu - DETECTION_SD * sd) / np.sqrt(sd**2 + (DISCREPANCY * mu) ** 2))
    p_det = np.where(x > 0, p_det, 0.0)
    spread = np.sqrt(POSITION_SD_M**2 + (math.tan(math.radians(TRANSPORT_SD_DEG)) * x) ** 2)
    n_bins = max(1, math.ceil(length / BIN_M))
    edges = np.linspace(0.0, length, n_bins + 1)
    cdf = ndtr((edges[None, :] - along[:, None]) / spread[:, None])
    in_bins = p_det[:, None] * np.diff(cdf, axis=1)
    none = np.clip(1.0 - in_bins.sum(axis=1), 0.0, 1.0)
    return np.column_stack([none, in_bins])


def _mutual_information(s: F64, j: NDArray[np.int64]) -> float:
    """I = mean_m [log p(o_m | s_j(m)) - log mean_i p(o_m | s_i)] [nats] (module docs)."""
    if s.shape[1] == 0:
        return 0.0
    own = s[np.arange(len(j)), j]
    marginal = logsumexp(s, axis=1) - math.log(s.shape[1])
    return float(np.mean(own - marginal))


def _expected_semi_major(s: F64, particles: F64, n: int = 100) -> float:
    """Mean over outcomes of the posterior's 95% semi-major axis [m] (particle weights)."""
    rows = s[:n] if s.shape[0] > n else s
    out = []
    for r in rows:
        w = np.exp(r - r.max())
        w /= w.sum()
        m = w @ particles
        dev = particles - m
        cov = (dev * w[:, None]).T @ dev
        out.append(ellipse_semi_axes(cov)[0])
    return float(np.mean(out))


@dataclass
class _State:
    """Monte Carlo bookkeeping of one candidate."""

    cand: Candidate
    weight: float
    particles: F64
    j: NDArray[np.int64]
    loglik: F64  # (M, N) accumulated log p(o_m | particle)


def _insertion(route: list[Leg], leg: Leg, home: F64) -> tuple[float, int, bool]:
    """Cheapest place to insert ``leg``: (added horizontal length [m], index, reversed)."""
    pts = [home]
    for r in route:
        pts.extend([r.start, r.end])
    pts.append(home)
    best = (math.inf, 0, False)
    for k in range(len(route) + 1):
        p = route[k - 1].end if k > 0 else home
        q = route[k].start if k < len(route) else home
        base = float(np.hypot(*(q - p)))
        for rev in (False, True):
            a, b = (leg.end, leg.start) if rev else (leg.start, leg.end)
            added = float(np.hypot(*(a - p))) + leg.length_m + float(np.hypot(*(q - b))) - base
            if added < best[0]:
                best = (added, k, rev)
    return best


def _route_points(route: Sequence[Leg], home: F64) -> F64:
    pts = [home]
    for r in route:
        pts.extend([r.start, r.end])
    pts.append(home)
    return np.array(pts)


def _greedy(
    states: list[_State],
    legs: list[Leg],
    altitude_m: float,
    cond: Conditions,
    home: F64,
    speed_ms: float,
    usable_s: float,
    rng: np.random.Generator,
) -> tuple[list[Leg], float]:
    """Greedy leg selection at one altitude; returns the route and its weighted gain."""
    m = states[0].loglik.shape[0]
    # per leg, per candidate: the (M, N) log-likelihood of the sampled outcomes
    contrib: list[list[tuple[int, F64]]] = []
    for leg in legs:
        row = []
        for ci, st in enumerate(states):
            p = outcome_probabilities(leg, st.particles, st.cand, altitude_m, cond)
            if float(np.max(1.0 - p[:, 0])) < 1e-4:
                continue  # this leg cannot see this candidate's plume
            cum = np.cumsum(p[st.j], axis=1)
            uu = rng.random((m, 1)) * cum[:, -1:]
            outcome = np.minimum((cum < uu).sum(axis=1), p.shape[1] - 1)
            row.append((ci, np.log(np.maximum(p[:, outcome].T, 1e-300))))
        contrib.append(row)
    current = {ci: _mutual_information(st.loglik, st.j) for ci, st in enumerate(states)}
    route: list[Leg] = []
    remaining = set(range(len(legs)))
    horizontal = 0.0
    total_gain = 0.0
    while remaining:
        best: tuple[float, int, float, int, bool] | None = None
        for li in remaining:
            if not contrib[li]:
                continue
            added, pos, rev = _insertion(route, legs[li], home)
            if (horizontal + added) / speed_ms + 2 * altitude_m / VERTICAL_SPEED_MS > usable_s:
                continue
            gain = 0.0
            for ci, ll in contrib[li]:
                st = states[ci]
                gain += st.weight * (_mutual_information(st.loglik + ll, st.j) - current[ci])
            score = gain / max(added / speed_ms, 1e-6)
            if gain > MIN_GAIN_NATS and (best is None or score > best[0]):
                best = (score, li, added, pos, rev)
        if best is None:
            break
        _, li, added, pos, rev = best
        leg = legs[li]
        if rev:
            leg = Leg(leg.end, leg.start, leg.target)
        route.insert(pos, leg)
        horizontal += added
        remaining.discard(li)
        for ci, ll in contrib[li]:
            st = states[ci]
            st.loglik = st.loglik + ll
            new = _mutual_information(st.loglik, st.j)
            total_gain += st.weight * (new - current[ci])
            current[ci] = new
    return route, total_gain


def plan_followup(
    candidates: Sequence[Candidate],
    cond: Conditions,
    frame: object,
    *,
    home: tuple[float, float] | None = None,
    min_alt_m: float = 10.0,
    max_alt_m: float = 120.0,
    speed_ms: float = 6.0,
    endurance_s: float = 1200.0,
    reserve: float = 0.2,
    no_fly: Sequence[Area] = (),
    goal_m: float = 25.0,
    buffer_m: float = DEFAULT_BUFFER_M,
    n_particles: int = N_PARTICLES,
    n_samples: int = N_SAMPLES,
    seed: int = 0,
) -> FollowUp:
    """The one-battery flight with the largest expected information gain (module docs).

    ``candidates`` in ``frame`` (a :class:`~olfato.survey.projection.LocalFrame`);
    ``cond``: wind, stability, noise; ``home`` (east, north) [m], default
    ``cond.home``; ``min_alt_m``..``max_alt_m`` the altitude band [m];
    ``speed_ms`` [m/s]; ``endurance_s`` [s]; ``reserve`` [-]; ``no_fly`` zones;
    ``goal_m`` [m] the 95% semi-major axis at which a candidate counts as settled;
    ``buffer_m`` [m] clearance from no-fly zones; ``seed`` for the Monte Carlo.
    """
    from olfato.survey.projection import LocalFrame

    if not isinstance(frame, LocalFrame):
        raise TypeError("frame must be a LocalFrame")
    if not candidates:
        raise OlfatoError("no candidate sources: there is nothing to follow up")
    cond.check()
    if not 0 < min_alt_m <= max_alt_m:
        raise OlfatoError(
            f"altitude band must satisfy 0 < --min-alt <= --max-alt, got {min_alt_m}..{max_alt_m} m"
        )
    check_flight_settings(min_alt_m, speed_ms, endurance_s, reserve)
    h = home if home is not None else cond.home
    if h is None:
        raise OlfatoError(
            "no home point: give --home LAT,LON (or a survey, whose take-off point is used)"
        )
    home_arr = np.asarray(h, dtype=float)
    if inside_any(no_fly, float(home_arr[0]), float(home_arr[1])):
        raise OlfatoError("the home point is inside a no-fly zone; choose another (--home)")
    for c in candidates:
        molar_mass(c.analyte)  # unknown analyte: a clear error now
    usable = endurance_s * (1.0 - reserve)
    nearest = min(float(np.hypot(*(c.mean - home_arr))) for c in candidates)
    if 2.0 * nearest / speed_ms >= usable:
        raise OlfatoError(
            f"the home point is {nearest:.0f} m from the nearest candidate; a round trip "
            f"needs {2 * nearest / speed_ms:.0f} s but one battery allows {usable:.0f} s "
            f"({endurance_s:g} s with a {reserve:.0%} reserve). Choose a closer --home."
        )
    legs = clip_legs(propose_legs(candidates, cond.wind_from_deg, cond.stability), no_fly, buffer_m)
    if not legs:
        raise OlfatoError("every proposed survey leg lies in a no-fly zone; nothing can be flown")
    altitudes = sorted({float(min_alt_m), float(np.clip(2.0 * min_alt_m, min_alt_m, max_alt_m))})

    best: tuple[float, list[Leg], list[_State], float] | None = None
    gains: dict[float, float] = {}
    for alt in altitudes:
        rng = np.random.default_rng(seed)
        states = []
        for c in candidates:
            parts = c.particles(n_particles, rng)
            states.append(
                _State(
                    c,
                    priority(c, goal_m),
                    parts,
                    rng.integers(0, n_particles, n_samples),
                    np.zeros((n_samples, n_particles)),
                )
            )
        route, gain = _greedy(states, legs, alt, cond, home_arr, speed_ms, usable, rng)
        # no-fly detours can lengthen the route: drop legs from the end until it fits
        while route:
            pts = clear_route(_route_points(route, home_arr), no_fly, buffer_m)
            if flight_time_s(pts, alt, speed_ms) <= usable:
                break
            route = route[:-1]
        gains[alt] = gain
        if route and (best is None or gain > best[0]):
            best = (gain, route, states, alt)
    if best is None:
        raise OlfatoError(
            "no follow-up flight within one battery is expected to teach anything about the "
            "candidates (their plumes cannot be reached from the home point at these altitudes)"
        )
    _, route, states, alt = best
    pts = clear_route(_route_points(route, home_arr), no_fly, buffer_m)
    per_gain = {st.cand.id: _mutual_information(st.loglik, st.j) for st in states}
    now = {st.cand.id: st.cand.semi_major_m for st in states}
    # expected posterior semi-major, scaled by the candidate's stated one over the
    # particles' own (so that the particle sample's scatter does not show as a change)
    expected = {}
    for st in states:
        prior = _expected_semi_major(np.zeros((1, len(st.particles))), st.particles)
        after = _expected_semi_major(st.loglik, st.particles)
        expected[st.cand.id] = min(st.cand.semi_major_m, after * st.cand.semi_major_m / prior)
    targets = sorted({leg.target for leg in route})
    sortie = Sortie(
        waypoints=pts[1:-1],
        home=(float(home_arr[0]), float(home_arr[1])),
        altitude_m=alt,
        speed_ms=speed_ms,
        frame=frame,
        endurance_s=endurance_s,
        reserve=reserve,
        label="follow-up sortie",
        kind="follow-up",
        expected_gain_nats=float(sum(per_gain.values())),
        targets=targets,
    )
    return FollowUp(
        sortie, route, per_gain, now, expected, gains, list(candidates), cond.wind_from_deg
    )
