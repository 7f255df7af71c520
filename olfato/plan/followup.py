"""The next flight: crosswind legs that most reduce the expected uncertainty of the candidates.

Infotaxis (Vergassola, Villermaux & Shraiman 2007, "'Infotaxis' as a strategy for
searching without gradients", Nature 445, 406) moves where the expected information
gain about the source's position is largest. Here the move is a whole flight, chosen
within one battery, and the gain is that of the flight's observations about every
candidate's position.

Observation model (the same as the likelihood of :mod:`olfato.locate`, so that what
the planner expects to learn is what locating will learn). A hypothesis is a source
position s, height H and rate Q, drawn from locate's posterior raster over position
and height with ln Q from its normal given that cell (or from the 95% ellipse, the
stated height and the rate interval for a Sources GeoJSON). A crosswind leg at
downwind distance x of s either shows no plume or crosses it, and a crossing gives
two numbers:

* whether: the Gaussian plume's centreline peak mu [ppb] at the leg's height
  (:func:`olfato.physics.gaussian_plume`, Pasquill-Gifford sigmas, Turner 1970) is
  detected with probability (1 - miss) (1 - Phi((u sd - mu) / sqrt(sd^2 + (k mu)^2)))
  (u the detection threshold in noise sd, k the log-normal model discrepancy);
* where: the crossing's position along the leg is normal around the plume axis with
  sd sqrt(position_sd^2 + (tan(transport_sd) x)^2); a crossing off the leg's ends is
  not seen;
* how much: the time-integrated enhancement E = Q CIC(x, z, H) / v [ppb s], the
  crosswind-integrated concentration CIC = Q V(z, H, sz) / (sqrt(2 pi) u sz) (Turner
  1970, eq. 3.1 integrated over y) over the drone's speed v across the plume, with a
  log-normal error of sd sqrt(k^2 + (noise / E)^2) (Kennedy & O'Hagan 2001 model
  discrepancy, as in locate). Because sz grows with x, the amounts at two downwind
  distances (or two heights) tell where along the wind the source is, which the
  crossing positions alone do not; since H and Q ride with each hypothesis, the
  planner sees the confounding of height, rate and along-wind position that locate
  faces.

Objective. With the outcomes of legs independent given the hypothesis, outcomes O
are sampled from the model (hypothesis j(m), then O_m) and each hypothesis i is
weighted by p(O_m | i) (nested Monte Carlo with an exact inner sum; Ryan 2003, J.
Comput. Graph. Stat. 12, 585; Chaloner & Verdinelli 1995, Stat. Sci. 10, 273). The
expected information gain about the position, with height and rate marginalised, is
taken under the normal approximation of the position posterior (Bayesian
D-optimality, Chaloner & Verdinelli 1995, sec. 2.1): 0.5 (ln det C_prior - E_O ln det
C_post(O)) [nats]. Each eigenvalue of C is floored at the variance whose 95% ellipse
is ``GOAL_MARGIN`` x the goal, so a candidate stops earning once it is expected to be
settled, the battery goes to the others, and the flight ends (short of the battery)
once every candidate is expected to be settled: flight distance is what a follow-up
costs. A candidate behind fewer than ``CONFIRM_HITS`` plume crossings may be a false
alarm of detection; it is only confirmed or ruled out (floor at ``CONFIRM_FACTOR`` x
the goal), not localised with most of the battery. The gains of the candidates add,
each weighted by its priority: suspects over benign sources, and candidates
supported by few plume crossings less.

Flight: legs are proposed around every candidate (just upwind of it, across it, and
at many distances downwind, wide enough for its crosswind uncertainty and the
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
from scipy.special import ndtr

from olfato.errors import OlfatoError
from olfato.locate.likelihood import Settings
from olfato.locate.posterior import CHI2_2_95, ellipse_from_cov
from olfato.physics import downwind_crosswind, g_m3_to_ppb, gaussian_plume
from olfato.physics.units import molar_mass
from olfato.plan.area import Area
from olfato.plan.candidates import Candidate
from olfato.plan.conditions import Conditions
from olfato.plan.coverage import wind_axes
from olfato.plan.flight_defaults import (
    ENDURANCE_S,
    GOAL_M,
    MAX_ALT_M,
    MIN_ALT_M,
    RESERVE,
    SPEED_MS,
)
from olfato.plan.nofly import DEFAULT_BUFFER_M, clear_route, free_pieces, inside_any
from olfato.plan.sortie import VERTICAL_SPEED_MS, Sortie, flight_time_s
from olfato.plan.sorties import check_flight_settings

F64 = NDArray[np.float64]

#: a detection needs the peak this many noise sd above background (detect's threshold
#: at its default false-alarm rate is about 4 sd)
DETECTION_SD = 4.0
#: locate's likelihood settings, imported so that what the planner expects to learn is
#: what locating will learn: the log-normal model discrepancy of a crossing
#: (``discrepancy``), the chance a plume above threshold is missed anyway
#: (``miss``), the error of a crossing centroid (``position_sd_m`` [m]) and of the
#: transport direction (``transport_sd_deg`` [deg])
LIKELIHOOD = Settings()
#: particles per candidate and Monte Carlo outcome samples
N_PARTICLES = 400
N_SAMPLES = 300
#: priority of a certainly-benign candidate relative to a certain suspect
BENIGN_WEIGHT = 0.25
#: a candidate with n plume crossings is weighted n / (n + HITS_HALF): one seen in a
#: single crossing may be a false alarm of detection and gets a third of the weight
HITS_HALF = 2.0
#: a candidate stops earning once its expected 95% semi-major axis is this fraction
#: of the goal: a margin for what the model does not know (meander, intermittency);
#: in the turbulent simulator locate's ellipses came out 1.5-2x the expected ones
GOAL_MARGIN = 0.5
#: a candidate behind fewer crossings than this may be a false alarm: it is only
#: confirmed (or not), its semi-major brought to CONFIRM_FACTOR x the goal
CONFIRM_HITS = 3
CONFIRM_FACTOR = 2.0
#: stop adding legs whose expected gain is below this [nats]
MIN_GAIN_NATS = 0.002
#: sample interval assumed for the integral's noise [s]
SAMPLE_DT_S = 0.5
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


def priority(c: Candidate) -> float:
    """Weight of a candidate's information gain: suspects first, then by support.

    Candidates already under the goal earn nothing more through the floor of the
    objective, not through this weight.

    Parameters
    ----------
    c : Candidate
        With ``p_suspect`` [-] and, when known, ``n_hits``.

    Returns
    -------
    float
        ``p_suspect + BENIGN_WEIGHT (1 - p_suspect)``, times ``n / (n + HITS_HALF)``
        when the number n of plume crossings behind it is known [-].
    """
    w = c.p_suspect + BENIGN_WEIGHT * (1.0 - c.p_suspect)
    if c.n_hits is not None:
        w *= c.n_hits / (c.n_hits + HITS_HALF)
    return w


def propose_legs(
    candidates: Sequence[Candidate], wind_from_deg: float, stability: str
) -> list[Leg]:
    """Crosswind legs around each candidate (module docstring), unclipped.

    At downwind offsets x from the candidate's mean: upwind of its ellipse, across it
    in steps of half its along-wind sd, and at 12 distances from just past its
    downwind edge out to 300 m, each wide enough for the crosswind sd, the plume's
    sigma_y and a 10 degree wind swing.

    Parameters
    ----------
    candidates : sequence of Candidate
        In local metres.
    wind_from_deg : float
        Wind direction FROM [deg].
    stability : str
        Pasquill class A..F.

    Returns
    -------
    list of Leg
        Crosswind legs [m], each tagged with its candidate's id.
    """
    from olfato.physics import sigma_yz

    d, c = wind_axes(wind_from_deg)
    legs = []
    for cand in candidates:
        cov = cand.covariance
        sx = math.sqrt(float(d @ cov @ d))
        sy = math.sqrt(float(c @ cov @ c))
        offsets = [-2.0 * sx - 5.0, -sx, -0.5 * sx, 0.0, 0.5 * sx, sx, 1.5 * sx]
        offsets += [
            2.0 * sx + extra for extra in (5.0, 12.0, 20.0, 30.0, 45.0, 60.0, 80.0, 110.0, 150.0)
        ]
        offsets += [2.0 * sx + extra for extra in (200.0, 250.0, 300.0)]
        for x in offsets:
            reach = max(x + 2.0 * sx, 5.0)  # farthest downwind distance from a particle
            plume_sy = float(sigma_yz(reach, stability, "pasquill_gifford")[0])
            half = 2.5 * sy + 2.0 * plume_sy + 10.0 + math.tan(math.radians(10.0)) * reach
            centre = cand.mean + x * d
            legs.append(Leg(centre - half * c, centre + half * c, cand.id))
    return legs


def clip_legs(legs: Sequence[Leg], no_fly: Sequence[Area], buffer_m: float) -> list[Leg]:
    """Legs cut out of the no-fly zones: the longest free piece of each, if long enough.

    Parameters
    ----------
    legs : sequence of Leg
        Proposed legs [m].
    no_fly : sequence of Area
        The zones.
    buffer_m : float
        Clearance from the zones [m].

    Returns
    -------
    list of Leg
        Free legs at least :data:`MIN_LEG_M` long.
    """
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


@dataclass
class LegView:
    """What a leg would see of each hypothesis (N of them), per the module docstring.

    ``p_seen`` (N,) chance of a crossing on the leg; ``p_det`` (N,) chance the plume
    is detected where it crosses the leg's line; ``along`` (N,) [m] where the plume
    axis meets the leg, from its start; ``spread`` (N,) [m] sd of the crossing
    position; ``log_amount`` (N,) expected ln E [ln ppb s]; ``amount_sd`` (N,) its sd.
    """

    p_seen: F64
    p_det: F64
    along: F64
    spread: F64
    log_amount: F64
    amount_sd: F64
    length_m: float


def leg_view(
    leg: Leg,
    particles: F64,
    cand: Candidate,
    altitude_m: float,
    cond: Conditions,
    speed_ms: float = SPEED_MS,
    heights: F64 | None = None,
    log_rate: F64 | None = None,
) -> LegView:
    """The observation model of one leg for N hypotheses (module docstring).

    Parameters
    ----------
    leg : Leg
        The crosswind leg [m].
    particles : (N, 2) array
        Hypothesised source positions [m].
    cand : Candidate
        The candidate (analyte, default height and rate).
    altitude_m : float
        Flight height [m].
    cond : Conditions
        Wind, stability, noise.
    speed_ms : float
        The drone's speed along the leg [m/s].
    heights : (N,) array, optional
        Source heights [m]; default the candidate's.
    log_rate : (N,) array, optional
        ln rate [ln g/s]; default the candidate's.

    Returns
    -------
    LegView
        Per hypothesis: chance of a crossing, where, and the amount.
    """
    from olfato.physics import sigma_yz

    n = len(particles)
    h = np.full(n, cand.height_m) if heights is None else np.asarray(heights, dtype=float)
    lq = (
        np.full(n, math.log(max(cand.rate_g_s, 1e-12)))
        if log_rate is None
        else np.asarray(log_rate, dtype=float)
    )
    x, _ = downwind_crosswind(
        leg.start[0], leg.start[1], particles[:, 0], particles[:, 1], cond.wind_from_deg
    )
    length = leg.length_m
    u = (leg.end - leg.start) / max(length, 1e-9)
    along = (particles - leg.start) @ u  # where the plume axis meets the leg's line
    xs = np.maximum(x, 1.0)
    rate = np.exp(lq)
    g = gaussian_plume(
        xs, 0.0, altitude_m, rate, cond.wind_speed_ms, h, cond.stability, "pasquill_gifford"
    )
    to_ppb = g_m3_to_ppb(1.0, molar_mass(cand.analyte), cond.temperature_k, cond.pressure_pa)
    mu = g * to_ppb
    sd = cond.noise(cand.analyte)
    k = LIKELIHOOD.discrepancy
    p_det = (1.0 - LIKELIHOOD.miss) * ndtr(
        (mu - DETECTION_SD * sd) / np.sqrt(sd**2 + (k * mu) ** 2)
    )
    p_det = np.where(x > 0, p_det, 0.0)
    tan_transport = math.tan(math.radians(LIKELIHOOD.transport_sd_deg))
    spread = np.sqrt(LIKELIHOOD.position_sd_m**2 + (tan_transport * xs) ** 2)
    p_in = ndtr((length - along) / spread) - ndtr(-along / spread)
    # crosswind-integrated amount of one crossing: peak x sqrt(2 pi) sigma_y / speed
    sy = sigma_yz(xs, cond.stability, "pasquill_gifford")[0]
    amount = mu * math.sqrt(2.0 * math.pi) * sy / speed_ms
    crossing_s = 4.0 * sy / speed_ms
    noise_int = sd * np.sqrt(SAMPLE_DT_S * crossing_s)
    amount = np.maximum(amount, 1e-12)
    amount_sd = np.sqrt(k**2 + (noise_int / amount) ** 2)
    return LegView(p_det * p_in, p_det, along, spread, np.log(amount), amount_sd, length)


def sampled_loglik(view: LegView, j: NDArray[np.int64], rng: np.random.Generator) -> F64:
    """Log-likelihoods of outcomes sampled from the model.

    Parameters
    ----------
    view : LegView
        A leg's view of N hypotheses.
    j : (M,) int array
        The hypothesis each of M outcomes is drawn from.
    rng : numpy.random.Generator
        The random source.

    Returns
    -------
    (M, N) array
        ln p(O_m | hypothesis i) [-].
    """
    m = len(j)
    seen = rng.random(m) < view.p_det[j]
    y = view.along[j] + view.spread[j] * rng.standard_normal(m)
    seen &= (y >= 0.0) & (y <= view.length_m)
    la = view.log_amount[j] + view.amount_sd[j] * rng.standard_normal(m)
    none = np.log(np.maximum(1.0 - view.p_seen, 1e-300))
    out = np.broadcast_to(none, (m, len(view.p_seen))).copy()
    if seen.any():
        zy = (y[seen, None] - view.along[None, :]) / view.spread[None, :]
        za = (la[seen, None] - view.log_amount[None, :]) / view.amount_sd[None, :]
        out[seen] = (
            np.log(np.maximum(view.p_det, 1e-300))[None, :]
            - 0.5 * (zy**2 + za**2)
            - np.log(view.spread * view.amount_sd)[None, :]
        )
    return out


def _capped_logdet(loglik: F64, particles: F64, floor: float, jitter: F64) -> F64:
    """Per outcome (rows of ``loglik`` (M, N)): ln det of the weighted position
    covariance (+ ``jitter`` (2, 2)), each eigenvalue floored at ``floor`` [m2]."""
    w = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    px, py = particles[:, 0], particles[:, 1]
    mx, my = w @ px, w @ py
    cxx = w @ (px * px) - mx * mx + jitter[0, 0]
    cyy = w @ (py * py) - my * my + jitter[1, 1]
    cxy = w @ (px * py) - mx * my + jitter[0, 1]
    half_tr = 0.5 * (cxx + cyy)
    disc = np.sqrt(np.maximum(0.25 * (cxx - cyy) ** 2 + cxy**2, 0.0))
    l1 = np.maximum(half_tr + disc, floor)
    l2 = np.maximum(half_tr - disc, floor)
    return np.asarray(np.log(l1) + np.log(l2), dtype=float)


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
        out.append(ellipse_from_cov(cov).semi_major)
    return float(np.mean(out))


@dataclass
class _State:
    """Monte Carlo bookkeeping of one candidate."""

    cand: Candidate
    weight: float
    particles: F64
    heights: F64
    log_rate: F64
    j: NDArray[np.int64]
    loglik: F64  # (M, N) accumulated log p(o_m | particle)
    jitter: F64  # (2, 2) [m2] the covariance of a point inside a raster cell
    scale: float  # stated semi-major over the particles' own [-]

    def gain(self, loglik: F64, floor: float) -> float:
        """Expected position information gain [nats] (module docstring), floored."""
        after = _capped_logdet(loglik, self.particles, floor, self.jitter)
        before = _capped_logdet(np.zeros((1, loglik.shape[1])), self.particles, floor, self.jitter)
        return float(0.5 * (before[0] - np.mean(after)))

    def floor(self, semi_major_m: float) -> float:
        """Variance [m2] (in particle units) whose 95% semi-major is ``semi_major_m``."""
        return (semi_major_m / self.scale) ** 2 / CHI2_2_95


def _insertion(route: list[Leg], leg: Leg, home: F64) -> tuple[float, int, bool]:
    """Cheapest place to insert ``leg``: (added horizontal length [m], index, reversed)."""
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
    floors: Sequence[Sequence[float]],
) -> tuple[list[Leg], float]:
    """Greedy leg selection at one altitude; returns the route and its weighted gain.

    ``floors``: per pass, per candidate, the eigenvalue floor [m2] of the objective.
    """
    # per leg, per candidate: the (M, N) log-likelihood of the sampled outcomes
    contrib: list[list[tuple[int, F64]]] = []
    for leg in legs:
        row = []
        for ci, st in enumerate(states):
            view = leg_view(
                leg, st.particles, st.cand, altitude_m, cond, speed_ms, st.heights, st.log_rate
            )
            if float(np.max(view.p_seen)) < 1e-4:
                continue  # this leg cannot see this candidate's plume
            row.append((ci, sampled_loglik(view, st.j, rng)))
        contrib.append(row)
    route: list[Leg] = []
    remaining = set(range(len(legs)))
    horizontal = 0.0
    total_gain = 0.0
    for floor in floors:
        current = [st.gain(st.loglik, floor[ci]) for ci, st in enumerate(states)]
        # lazy greedy (Minoux 1978): a leg's last gain bounds its gain now
        bound = {li: math.inf for li in remaining if contrib[li]}
        while remaining:
            best: tuple[float, int, float, int, bool] | None = None
            order = sorted((li for li in remaining if li in bound), key=lambda li: -bound[li])
            costs = {li: _insertion(route, legs[li], home) for li in order}
            order.sort(key=lambda li: -bound[li] / max(costs[li][0] / speed_ms, 1.0))
            for li in order:
                added, pos, rev = costs[li]
                if (horizontal + added) / speed_ms + 2 * altitude_m / VERTICAL_SPEED_MS > usable_s:
                    continue
                dt = max(added / speed_ms, 1.0)
                if best is not None and bound[li] / dt <= best[0]:
                    break
                gain = 0.0
                for ci, ll in contrib[li]:
                    st = states[ci]
                    gain += st.weight * (st.gain(st.loglik + ll, floor[ci]) - current[ci])
                bound[li] = gain
                if gain > MIN_GAIN_NATS and (best is None or gain / dt > best[0]):
                    best = (gain / dt, li, added, pos, rev)
            if best is None:
                break
            _, li, added, pos, rev = best
            leg = legs[li]
            if rev:
                leg = Leg(leg.end, leg.start, leg.target)
            route.insert(pos, leg)
            horizontal += added
            remaining.discard(li)
            bound.pop(li, None)
            for ci, ll in contrib[li]:
                st = states[ci]
                st.loglik = st.loglik + ll
                new = st.gain(st.loglik, floor[ci])
                total_gain += st.weight * (new - current[ci])
                current[ci] = new
    return route, total_gain


def _target_m(c: Candidate, goal_m: float) -> float:
    """The 95% semi-major axis [m] below which a candidate earns nothing (module docs)."""
    if c.n_hits is not None and c.n_hits < CONFIRM_HITS:
        return CONFIRM_FACTOR * goal_m
    return GOAL_MARGIN * goal_m


def _new_state(c: Candidate, n_particles: int, n_samples: int, rng: np.random.Generator) -> _State:
    parts, heights, log_rate = c.draw(n_particles, rng)
    if c.cells is not None:
        de, dn = c.cells[2]
        jitter = np.diag([de * de / 12.0, dn * dn / 12.0])
    else:
        jitter = np.eye(2) * LIKELIHOOD.position_sd_m**2
    own = _expected_semi_major(np.zeros((1, len(parts))), parts)
    return _State(
        c,
        priority(c),
        parts,
        heights,
        log_rate,
        rng.integers(0, n_particles, n_samples),
        np.zeros((n_samples, n_particles)),
        jitter,
        max(c.semi_major_m, 1e-3) / max(own, 1e-3),
    )


def plan_followup(
    candidates: Sequence[Candidate],
    cond: Conditions,
    frame: object,
    *,
    home: tuple[float, float] | None = None,
    min_alt_m: float = MIN_ALT_M,
    max_alt_m: float = MAX_ALT_M,
    speed_ms: float = SPEED_MS,
    endurance_s: float = ENDURANCE_S,
    reserve: float = RESERVE,
    no_fly: Sequence[Area] = (),
    goal_m: float = GOAL_M,
    buffer_m: float = DEFAULT_BUFFER_M,
    n_particles: int = N_PARTICLES,
    n_samples: int = N_SAMPLES,
    seed: int = 0,
) -> FollowUp:
    """The one-battery flight with the largest expected information gain (module docs).

    Parameters
    ----------
    candidates : sequence of Candidate
        In ``frame``.
    cond : Conditions
        Wind, stability, noise, home.
    frame : LocalFrame
        The local frame.
    home : (east, north), optional
        Take-off and landing [m]; default ``cond.home``.
    min_alt_m, max_alt_m : float
        The altitude band [m] above home.
    speed_ms : float
        Cruise speed [m/s].
    endurance_s : float
        Battery endurance [s].
    reserve : float
        Fraction of the endurance kept [-].
    no_fly : sequence of Area
        Zones kept out of.
    goal_m : float
        The 95% semi-major axis at which a candidate counts as settled [m].
    buffer_m : float
        Clearance from no-fly zones [m].
    n_particles, n_samples : int
        Monte Carlo sizes.
    seed : int
        Seed of the Monte Carlo.

    Returns
    -------
    FollowUp
        The sortie and the gains expected from it.

    Raises
    ------
    OlfatoError
        For impossible settings (``parameter`` names the one at fault) or when no
        flight within one battery is expected to teach anything.
    TypeError
        When ``frame`` is not a :class:`~olfato.survey.projection.LocalFrame`.
    """
    from olfato.survey.projection import LocalFrame

    if not isinstance(frame, LocalFrame):
        raise TypeError("frame must be a LocalFrame")
    if not candidates:
        raise OlfatoError("no candidate sources: there is nothing to follow up")
    cond.check()
    if not 0 < min_alt_m <= max_alt_m:
        raise OlfatoError(
            f"altitude band must satisfy 0 < lowest <= highest altitude, got "
            f"{min_alt_m}..{max_alt_m} m",
            parameter="min_alt_m" if not 0 < min_alt_m else "max_alt_m",
        )
    check_flight_settings(min_alt_m, speed_ms, endurance_s, reserve)
    h = home if home is not None else cond.home
    if h is None:
        raise OlfatoError(
            "no home point: give one (or a survey, whose take-off point is used)",
            parameter="home",
        )
    home_arr = np.asarray(h, dtype=float)
    if inside_any(no_fly, float(home_arr[0]), float(home_arr[1])):
        raise OlfatoError(
            "the home point is inside a no-fly zone; choose another", parameter="home"
        )
    for c in candidates:
        try:
            molar_mass(c.analyte)  # unknown analyte: a clear error now, not mid-plan
        except ValueError as exc:
            raise OlfatoError(f"candidate {c.id}: {exc}") from None
    usable = endurance_s * (1.0 - reserve)
    nearest = min(float(np.hypot(*(c.mean - home_arr))) for c in candidates)
    if 2.0 * nearest / speed_ms >= usable:
        raise OlfatoError(
            f"the home point is {nearest:.0f} m from the nearest candidate; a round trip "
            f"needs {2 * nearest / speed_ms:.0f} s but one battery allows {usable:.0f} s "
            f"({endurance_s:g} s with a {reserve:.0%} reserve). Choose a closer home point.",
            parameter="home",
        )
    legs = clip_legs(propose_legs(candidates, cond.wind_from_deg, cond.stability), no_fly, buffer_m)
    if not legs:
        raise OlfatoError("every proposed survey leg lies in a no-fly zone; nothing can be flown")
    altitudes = sorted({float(min_alt_m), float(np.clip(2.0 * min_alt_m, min_alt_m, max_alt_m))})

    best: tuple[float, list[Leg], list[_State], float] | None = None
    gains: dict[float, float] = {}
    for alt in altitudes:
        rng = np.random.default_rng(seed)
        states = [_new_state(c, n_particles, n_samples, rng) for c in candidates]
        floors = [[st.floor(_target_m(st.cand, goal_m)) for st in states]]
        route, gain = _greedy(states, legs, alt, cond, home_arr, speed_ms, usable, rng, floors)
        # no-fly detours can lengthen the route: drop legs from the end until it fits
        while route:
            pts = clear_route(_route_points(route, home_arr), no_fly, buffer_m)
            if flight_time_s(pts, alt, speed_ms) <= usable:
                break
            route = route[:-1]
        gains[alt] = gain
        if route and (best is None or gain > best[0]):
            best = (gain, route, states, alt)
    if best is None and all(c.semi_major_m < goal_m for c in candidates):
        raise OlfatoError(
            f"every candidate's 95% ellipse is already under the {goal_m:g} m goal "
            f"(largest semi-major axis {max(c.semi_major_m for c in candidates):.0f} m); "
            "there is nothing left to follow up (lower the goal to refine further)",
            parameter="goal_m",
        )
    if best is None:
        raise OlfatoError(
            "no follow-up flight within one battery is expected to teach anything about the "
            "candidates (their plumes cannot be reached from the home point at these altitudes)"
        )
    _, route, states, alt = best
    pts = clear_route(_route_points(route, home_arr), no_fly, buffer_m)
    per_gain = {st.cand.id: st.gain(st.loglik, st.floor(GOAL_MARGIN * goal_m)) for st in states}
    now = {st.cand.id: st.cand.semi_major_m for st in states}
    # expected posterior semi-major, scaled by the candidate's stated one over the
    # particles' own (so that the particle sample's scatter does not show as a change)
    expected = {}
    for st in states:
        after = _expected_semi_major(st.loglik, st.particles)
        expected[st.cand.id] = min(st.cand.semi_major_m, after * st.scale)
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
