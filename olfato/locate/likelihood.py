"""The likelihood of a source's position, height and rate given the hits and non-detections.

Data, for the source's dominant analyte (the channel with the highest integrated SNR
over its hits):

Hits (crossings)
    Each hit k gives the drone's position at the enhancement-weighted centroid of the
    crossing, corrected for the sensor lag (the centroid of a first-order sensor's
    output is the input's delayed by its time constant: centroids of convolutions
    add), and the time-integrated enhancement E_k [ppb s] with its error s_k.

    * Where: the crossing centroid lies on the plume axis. Its crosswind offset y_k
      from the back-trajectory through the candidate (:mod:`olfato.locate.transport`)
      has a Student-t error (nu = ``dof``; heavy tails for partial crossings and wind
      the anemometer did not see; Lange, Little & Taylor 1989, J. Am. Stat. Assoc.
      84, 881) of scale sqrt(position_sd^2 + (transport_sd x_k)^2).
    * How much: a crossing of a plume integrates its crosswind-integrated
      concentration CIC(x) = Q V(z, H, sz) / (sqrt(2 pi) u sz) (Turner 1970, eq. 3.1
      integrated over y), divided by the drone's speed across the plume, v_perp:
      E_k = Q G_k(s, H). This integral does not depend on where inside the plume's
      meander the drone was, which is why crossings, not samples, are matched
      (Hirst et al. 2013, Atmos. Environ. 74, 354; the mass-balance view of
      Conley et al. 2017, Atmos. Meas. Tech. 10, 3345). Turbulence and model error
      act multiplicatively: log E_k = log Q + log G_k + eta_k with eta_k ~ N(0,
      (s_k / E_k)^2 + discrepancy^2), a log-normal (heavy right tail) error whose
      ``discrepancy`` is the model-discrepancy term of Kennedy & O'Hagan (2001),
      J. R. Stat. Soc. B 63, 425.

Crossings seen in part
    A crossing during which a batch source switched on or off, or which the track
    cut short at its end, saw only a fraction f of the plume, and its integral is
    f Q G_k: far below the log-normal's reach (over 24 simulated flights of sources
    cooking in batches, 23 % of 159 crossings sat 0.9 to 5.6 below ln Q G at the
    true source and rate, against 6 % of 233 when the same sources emit all the time),
    and a log-normal then pulls the rate down and the position towards where the
    low crossing fits. Each crossing is instead full (log-normal as above) or, with
    probability ``partly_on``, seen in part with f uniform on (0, 1]: a contaminated
    model (Box & Tiao 1968, Biometrika 55, 119) whose second part is an
    exponentially modified Gaussian (:func:`partly_on_logpdf`). The share is a
    per-source nuisance integrated out over :data:`PARTLY_ON_SHARES` (0.1 for a
    source that emits all the time and loses only the odd crossing at a track's
    end, 0.4 and 0.7 for a batch source whose cycle is as short as a few
    crossings). The marginal over ln Q is then a one-dimensional grid integral
    (:func:`rate_marginal`), done only for the candidates it may matter to
    (:func:`magnitude_loglik`).

Non-detections (probes)
    The track outside hits is cut into segments of ``probe_length_m``. A segment
    the plume of candidate (s, H, Q) would have crossed with an expected peak
    mu = Q c_j above the detection threshold u sd, but where nothing was detected,
    rules that candidate out: P(no hit | mu) = miss + (1 - miss) Phi((u sd - mu) /
    sqrt(sd^2 + (discrepancy mu)^2)); ``miss`` is the chance that a plume is missed
    anyway (intermittency). c_j is the Gaussian plume's peak at the segment's
    closest approach to the axis, its width widened by the transport error.

Rate
    Q enters linearly, so log Q is a location parameter of the hits' log-normal
    errors: with a log-uniform prior on [rate_min, rate_max] the hits' marginal
    likelihood over Q is closed form (a Gaussian integral; e.g. Sivia & Skilling,
    *Data Analysis: A Bayesian Tutorial*, 2nd ed., 2006, sec. 3.3), and Q given the
    position is log-normal, truncated to the prior range (where crossings may be
    seen in part, "Crossings seen in part" above, a grid integral instead). The
    non-detection factor is averaged over that conditional posterior of Q by
    Gauss-Hermite quadrature (Abramowitz & Stegun 1972, 25.4.46), so the result is
    still the full marginal:
    p(hits, none | s) = p(hits | s) E_{Q | hits, s} E_{p_off}[(1 - p_off)^n_on
    p(none | Q, p_off, s)], n_on the number of passes holding the source's hits
    (next section; with p_off = 0 the last factor is p(none | Q, s) above).

Emission that may be off during a pass
    A lab that cooks in batches emits on part of a cycle of tens of seconds to
    minutes. The probes of one pass across the candidate's plume (one straight leg
    of the track, :func:`olfato.locate.levels.pass_numbers`) are flown within
    seconds of each other, so they share one on/off state instead of missing
    independently: with p_off the chance the source is off during a pass,

        P(no hit on pass g) = p_off + (1 - p_off) prod_{j in g} P(no hit at j | on),

    and a pass that holds one of the source's hits was flown while it was on
    (probability 1 - p_off, times its probes' product with the source on). p_off
    is a per-source nuisance integrated out over a small grid
    (:attr:`Settings.p_off_grid`) with a spike-and-slab prior
    (:attr:`Settings.p_off_prior`; Mitchell & Beauchamp 1988, J. Am. Stat. Assoc.
    83, 1023): half the mass on "always on" (the farms, landfills, fuel stations
    and fires of the signature library emit continuously, and a steady source
    must stay as sharp as with independent misses), the other half spread evenly
    over 25, 50 and 75 % off, the midpoints of thirds of the 12.5-87.5 % range
    that holds batch production's duty cycles (issue 12: on 25-75 % of a 30-300 s
    period). The pass-level mixture is a zero-inflated detection model (Lambert
    1992, Technometrics 34, 1; MacKenzie et al. 2002, Ecology 83, 2248, for
    repeated surveys of one site). A steady source's hit passes push the
    posterior of p_off to 0 through the (1 - p_off)^n_on factor; a batch source's
    off passes no longer count as strong evidence against its true position and
    rate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import erfcx, gammaln, ndtr

from olfato.locate.transport import (
    PlumeCoordinates,
    WindHistory,
    pair_coordinates,
    plume_coordinates,
    rows_per_block,
)
from olfato.physics.dispersion import (
    X_MIN_M,
    crosswind_integrated_sigma,
    gaussian_plume_sigma,
    sigma_yz,
)
from olfato.physics.units import g_m3_to_ppb, molar_mass

F64 = NDArray[np.float64]

#: log-likelihood of a hit that the candidate's plume cannot reach (upwind of it)
UPWIND_LOGLIK = -50.0
#: Gauss-Hermite nodes for the average over the rate
N_RATE_NODES = 3
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(N_RATE_NODES)
#: bytes of each array of a block of the non-detection term (:func:`nondetection_loglik`:
#: 32,768 single-precision (probe, candidate) pairs x heights x rate nodes), which then
#: stay in a core's L2 cache
PROBE_BLOCK_BYTES = 131072
#: candidates evaluated together (memory: candidates x heights x nodes x probes)
CHUNK = 256
#: straight-line screen of probes: within |y| < CONE_SLOPE x + CONE_PAD_M of the mean wind
CONE_SLOPE = 1.2
CONE_PAD_M = 60.0


#: the ways hits are grouped into sources (:attr:`Settings.grouping`)
GROUPINGS = ("greedy", "evidence")
#: chance [-] that a source is off during a pass: always on, or 25, 50, 75 % off
P_OFF_GRID = (0.0, 0.25, 0.5, 0.75)
#: their prior [-]: half on "always on", half spread evenly (module docstring)
P_OFF_PRIOR = (0.5, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0)
#: the possible shares [-] of a source's crossings that saw its plume only in part,
#: each equally likely a priori (module docstring, "Crossings seen in part")
PARTLY_ON_SHARES = (0.1, 0.4, 0.7)
#: shares of crossings seen in part: one value for all crossings, or one per crossing
Shares = tuple[float | NDArray[np.float64], ...]


@dataclass(frozen=True)
class Settings:
    """Model settings of the likelihood (see the module docstring).

    ``stability`` Pasquill class A..F; ``dispersion_model`` one of
    :data:`olfato.physics.dispersion.SIGMA_MODELS`; ``position_sd_m`` [m] error of a
    crossing centroid (GPS, sensor lag residual); ``transport_sd_deg`` [deg] error
    of the transport direction; ``dof`` [-] Student-t degrees of freedom;
    ``discrepancy`` [-] log-normal model error of a crossing integral;
    ``miss`` [-] chance a plume above threshold is missed; ``rate_range_g_s``
    [g/s] the log-uniform rate prior; ``p_off_grid`` [-] the values of the chance
    that the source is off during a pass, and ``p_off_prior`` [-] their prior
    probabilities (module docstring; ``(0.0,)`` and ``(1.0,)``: always on, every
    probe's miss independent); ``partly_on`` [-] the possible shares of a source's
    crossings that saw its plume only in part, each equally likely a priori (module
    docstring; empty: every crossing log-normal); ``dispersion_scale`` [-] a factor on the
    class's dispersion, the same for sigma_y, sigma_z and the transport direction error
    (a plume that spreads faster or slower than the curves of its class: a nuisance of
    :func:`olfato.locate.pipeline.with_nuisances`); ``mixing_height_m`` [m] or None; ``grouping``
    how hits become sources: ``"greedy"`` (vote-map groups and pairwise merges,
    :mod:`olfato.locate.multisource`) or ``"evidence"`` (forward selection, reassignment,
    merges and removal scored by marginal evidence, :mod:`olfato.locate.joint`).
    """

    stability: str = "D"
    dispersion_model: str = "pasquill_gifford"
    position_sd_m: float = 3.0
    transport_sd_deg: float = 3.0
    dof: float = 4.0
    discrepancy: float = 0.6
    miss: float = 0.05
    rate_range_g_s: tuple[float, float] = (1e-4, 1e3)
    mixing_height_m: float | None = None
    grouping: str = "greedy"
    p_off_grid: tuple[float, ...] = P_OFF_GRID
    p_off_prior: tuple[float, ...] = P_OFF_PRIOR
    partly_on: tuple[float, ...] = ()
    dispersion_scale: float = 1.0

    def __post_init__(self) -> None:
        from olfato.errors import OlfatoError

        if self.grouping not in GROUPINGS:
            raise OlfatoError(
                f"grouping must be one of {', '.join(GROUPINGS)}, got {self.grouping!r}",
                parameter="grouping",
            )
        grid, prior = tuple(self.p_off_grid), tuple(self.p_off_prior)
        if not grid or len(grid) != len(prior):
            raise OlfatoError(
                "p_off_grid and p_off_prior must be non-empty and of the same length, got "
                f"{len(grid)} and {len(prior)} values",
                parameter="p_off_prior",
            )
        if not all(0.0 <= p < 1.0 for p in grid):
            raise OlfatoError(
                f"p_off_grid values must lie in [0, 1), got {grid}", parameter="p_off_grid"
            )
        if not all(w > 0.0 for w in prior) or abs(sum(prior) - 1.0) > 1e-6:
            raise OlfatoError(
                f"p_off_prior must be positive probabilities summing to 1, got {prior}",
                parameter="p_off_prior",
            )
        if not (np.isfinite(self.dispersion_scale) and self.dispersion_scale > 0.0):
            raise OlfatoError(
                f"dispersion_scale must be a finite factor > 0, got {self.dispersion_scale}",
                parameter="dispersion_scale",
            )
        if not all(0.0 <= e < 1.0 for e in self.partly_on):
            raise OlfatoError(
                f"partly_on values must lie in [0, 1), got {tuple(self.partly_on)}",
                parameter="partly_on",
            )

    @property
    def transport_sd_rad(self) -> float:
        """The transport direction error [rad]: ``transport_sd_deg`` times ``dispersion_scale``."""
        return float(np.deg2rad(self.transport_sd_deg) * self.dispersion_scale)

    @property
    def on_off(self) -> bool:
        """Whether the emission may be off during a pass (a ``p_off_grid`` value above 0)."""
        return any(p > 0.0 for p in self.p_off_grid)


@dataclass
class Crossings:
    """The hits of one source candidate group, seen in one channel.

    Arrays (one value per hit): ``hit_ids``; centroid ``east``, ``north`` [m],
    ``time`` [s], ``alt`` [m AGL]; drone velocity ``vel_e``, ``vel_n`` [m/s];
    ``integral`` and ``integral_err`` [ppb s]. ``channel`` the analyte and
    ``molar_mass`` [g/mol]. ``vel_sq`` (m, 3) [m2/s2] the crossing's mean products of
    the velocity, (v_e^2, v_e v_n, v_n^2), weighted as ``vel_e`` and ``vel_n`` are
    (None: a straight crossing at ``vel_e``, ``vel_n``; :func:`crossing_speed`).
    """

    hit_ids: NDArray[np.int64]
    east: F64
    north: F64
    time: F64
    alt: F64
    vel_e: F64
    vel_n: F64
    integral: F64
    integral_err: F64
    channel: str
    molar_mass: float
    vel_sq: F64 | None = None

    def __len__(self) -> int:
        return len(self.hit_ids)

    def subset(self, keep: NDArray[np.bool_]) -> Crossings:
        """The crossings where ``keep`` is True.

        Parameters
        ----------
        keep : ndarray of bool
            One value per hit.

        Returns
        -------
        Crossings
            The kept crossings (same channel).
        """
        return Crossings(
            self.hit_ids[keep],
            self.east[keep],
            self.north[keep],
            self.time[keep],
            self.alt[keep],
            self.vel_e[keep],
            self.vel_n[keep],
            self.integral[keep],
            self.integral_err[keep],
            self.channel,
            self.molar_mass,
            None if self.vel_sq is None else self.vel_sq[keep],
        )


@dataclass
class Probes:
    """Track segments without a hit, in one channel.

    ``east``, ``north`` [m], ``time`` [s], ``alt`` [m] at the segment's middle;
    ``half_length`` [m]; drone velocity ``vel_e``, ``vel_n`` [m/s]; ``noise`` [ppb]
    the channel's noise sd; ``threshold`` [sd] the detection threshold;
    ``pass_start`` [s] the times (on the probes' and crossings' clock) at which a
    new pass of the track begins, ascending (:func:`olfato.locate.levels.pass_numbers`),
    or None when the pass structure is unknown (every probe then misses
    independently, whatever :attr:`Settings.p_off_grid` says).
    """

    east: F64
    north: F64
    time: F64
    alt: F64
    half_length: F64
    vel_e: F64
    vel_n: F64
    noise: float
    threshold: float
    pass_start: F64 | None = None

    def __len__(self) -> int:
        return len(self.east)

    def pass_of(self, time_s: F64) -> NDArray[np.int64]:
        """The pass number of each time (0 before the first entry of ``pass_start``).

        Parameters
        ----------
        time_s : ndarray
            Times [s] on the probes' clock (a probe's or a crossing's ``time``).

        Returns
        -------
        ndarray of int
            Pass number per time; all 0 when ``pass_start`` is None.
        """
        t = np.asarray(time_s, dtype=float)
        if self.pass_start is None:
            return np.zeros(t.shape, dtype=np.int64)
        return np.searchsorted(self.pass_start, t, side="right").astype(np.int64)


@dataclass
class Evaluation:
    """The likelihood on candidates (k positions x H heights).

    ``loglik`` (k, H) the log marginal likelihood (rate integrated out);
    ``hits_loglik`` (k, H) its hits-only part; ``rate_mu``, ``rate_sd`` (k, H) the
    conditional posterior of ln Q [ln g/s] given hits; ``lateral`` (k, n_hits)
    each hit's lateral log-likelihood.
    """

    loglik: F64
    hits_loglik: F64
    rate_mu: F64
    rate_sd: F64
    lateral: F64 = field(repr=False)


def dispersion_sigmas(x: F64, settings: Settings) -> tuple[F64, F64]:
    """sigma_y, sigma_z [m] at downwind distances ``x`` [m] of the settings' class and
    dispersion model, times ``settings.dispersion_scale``.

    Parameters
    ----------
    x : ndarray
        Downwind distance [m], > 0.
    settings : Settings
        Model settings.

    Returns
    -------
    tuple of (ndarray, ndarray)
        sigma_y and sigma_z [m].
    """
    sy, sz = sigma_yz(x, settings.stability, settings.dispersion_model)
    if settings.dispersion_scale != 1.0:
        sy, sz = sy * settings.dispersion_scale, sz * settings.dispersion_scale
    return sy, sz


def lateral_loglik(coords: PlumeCoordinates, settings: Settings) -> F64:
    """Student-t log density of the crosswind offsets ``coords.y`` [m] (module docstring).

    Receptors upwind of a candidate (x < -2 position_sd) get :data:`UPWIND_LOGLIK`.

    Parameters
    ----------
    coords : PlumeCoordinates
        Receptors relative to candidates (k, m).
    settings : Settings
        Model settings.

    Returns
    -------
    ndarray, shape (k, m)
        Log density [ln 1/m].
    """
    x = np.maximum(coords.x, 0.0)
    scale = np.sqrt(settings.position_sd_m**2 + (settings.transport_sd_rad * x) ** 2)
    nu = settings.dof
    z2 = (coords.y / scale) ** 2
    norm = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
    ll = norm - np.log(scale) - (nu + 1) / 2 * np.log1p(z2 / nu)
    return np.where(coords.x < -2.0 * settings.position_sd_m, UPWIND_LOGLIK, ll)


def crosswind_integral(coords: PlumeCoordinates, alt: F64, heights: F64, settings: Settings) -> F64:
    """Crosswind-integrated concentration per unit rate [g/m2 per g/s], (k, H, m).

    CIC = Q V(z, H, sz) / (sqrt(2 pi) u sz)
    (:func:`olfato.physics.dispersion.crosswind_integrated_sigma`). Zero where the
    receptor is upwind.

    Parameters
    ----------
    coords : PlumeCoordinates
        Receptors relative to candidates (k, m).
    alt : ndarray, shape (m,)
        Receptor heights [m AGL].
    heights : ndarray, shape (H,)
        Source heights [m AGL].
    settings : Settings
        Model settings.

    Returns
    -------
    ndarray, shape (k, H, m)
        Crosswind-integrated concentration per unit rate [g/m2 per g/s].
    """
    x = np.maximum(coords.x, X_MIN_M)
    _, sz = dispersion_sigmas(x, settings)
    cic = crosswind_integrated_sigma(
        alt[None, None, :],
        coords.u[:, None, :],
        np.asarray(heights, dtype=float)[None, :, None],
        sz[:, None, :],
        settings.mixing_height_m,
    )
    cic *= coords.x[:, None, :] > 0.0
    return cic


def crossing_speed(
    coords: PlumeCoordinates, vel_e: F64, vel_n: F64, vel_sq: F64 | None = None
) -> F64:
    """The drone's speed across the plume axis [m/s], (k, m), floored at 10% of its speed.

    A crossing integrates the plume over time, E = int c dt, so a straight crossing
    at speed v_perp across the axis reads CIC / v_perp (:mod:`olfato.locate.likelihood`,
    "How much"). With ``vel_sq`` the speed is the root mean square of the velocity's
    component across the axis over the crossing's samples, sqrt(n^T <v v^T> n) (n the
    axis's normal): the mean velocity's on a straight leg flown at a steady speed; where the
    drone turned inside the plume, its two legs each count at their own speed instead
    of cancelling in the mean velocity, which made the expected integral several
    times too large (6 crossings at simulated U-turns read a median 1.4 below it in ln,
    0.07 with this speed, as the straight crossings' 0.05).

    Parameters
    ----------
    coords : PlumeCoordinates
        Receptors relative to candidates (k, m).
    vel_e, vel_n : ndarray, shape (m,)
        Drone velocity [m/s], the crossing's mean.
    vel_sq : ndarray, shape (m, 3) or None, default None
        Mean (v_e^2, v_e v_n, v_n^2) over the crossing [m2/s2] (:attr:`Crossings.vel_sq`);
        None: the mean velocity's component.

    Returns
    -------
    ndarray, shape (k, m)
        Speed across the plume axis [m/s].
    """
    de, dn = coords.to_e, coords.to_n  # unit vector the plume travels TO
    if vel_sq is None:
        vperp = np.abs(-vel_e[None, :] * dn + vel_n[None, :] * de)
    else:
        ee, en, nn = (vel_sq[None, :, j] for j in range(3))
        vperp = np.sqrt(np.maximum(dn * dn * ee - 2.0 * dn * de * en + de * de * nn, 0.0))
    return np.maximum(vperp, 0.1 * np.hypot(vel_e, vel_n)[None, :] + 1e-3)


#: nodes of the rate grid when crossings may be partly on (:func:`rate_marginal`)
N_RATE_GRID = 32
#: bytes of each array of a block of that grid integral (candidates x nodes float64): 128
#: KiB, 512 candidates, keeps a block's arrays in a core's L2 cache; on
#: ``benchmarks/scenarios/long_23k.yaml``'s 67 grid integrals it takes 0.51 s of CPU
#: against 0.64 s for 4096 candidates and 0.67 s for 128, with identical values
RATE_BLOCK_BYTES = 131072
#: half-width [-] of the table of a crossing's ln density over its log-residual
RESID_TABLE_HALF = 40.0
#: the rate grid reaches this many sd of ln E below the lowest crossing and above the
#: highest (:func:`_rate_grid_marginal`)
RATE_GRID_SD = 4.0
#: and this much further above the highest [ln g/s]: partly-on crossings fall off as
#: exp(-(ln Q - y)) there, 2 more e-folds
RATE_GRID_TAIL = 2.0


def partly_on_logpdf(resid: F64, var_log: F64, shares: Shares) -> F64:
    """ln density of a crossing's log-residual r = ln E - ln(Q G) when a share of
    crossings saw the plume only in part, for each share in ``shares``.

    A full crossing has r ~ N(0, var). A crossing during which the emission
    switched on or off (a batch source), or which the track cut short, saw a fraction
    f of the plume, f uniform on (0, 1], so r = ln f + eta with -ln f ~ Exp(1): an
    exponentially modified Gaussian, p(r) = exp(r + var/2) Phi(-(r + var)/sd)
    (Grushka 1972, Anal. Chem. 44, 1733, eq. 2, with the exponential's rate 1 and
    its sign turned). With share e the crossing's density is the contaminated model
    (1 - e) N + e EMG (Box & Tiao 1968, Biometrika 55, 119). With
    Phi(-z) = erfcx(z / sqrt 2) exp(-z^2 / 2) / 2 both parts share the factor
    exp(-r^2 / (2 var)), so p(r) = exp(-r^2 / (2 var)) [(1 - e) / sqrt(2 pi var)
    + e erfcx((r + var) / sqrt(2 var)) / 2], one special function per value for all
    shares (erfcx: Cody 1969, Math. Comp. 23, 631).

    Parameters
    ----------
    resid : ndarray
        ln E - ln(Q G) [-].
    var_log : ndarray
        Variance of the full crossing's log error [-], broadcast against ``resid``.
    shares : tuple of float or of ndarray
        Shares of crossings that saw the plume in part [-], each in [0, 1) (an array
        where each crossing has its own: broadcast against ``resid``).

    Returns
    -------
    ndarray, shape (len(shares), ...)
        ln p(r) [-] (a density in r) for each share.
    """
    gauss = -0.5 * resid * resid / var_log
    norm = 1.0 / np.sqrt(2.0 * np.pi * var_log)
    x = (resid + var_log) / np.sqrt(2.0 * var_log)
    # erfcx overflows below x ~ -26; there Phi(-z) = 1 to double precision
    far = x < -25.0
    tail = 0.5 * erfcx(np.maximum(x, -25.0))
    out = np.empty((len(shares), *gauss.shape))
    for i, e in enumerate(shares):
        out[i] = gauss + np.log((1.0 - e) * norm + e * tail)
        some = np.asarray(e) > 0.0
        if far.any() and np.any(some):
            log_e = np.log(np.where(some, e, 1.0))
            out[i] = np.where(far & some, log_e + resid + 0.5 * var_log, out[i])
    return out


def _rate_grid_marginal(
    y: F64, var_log: F64, a: float, b: float, shares: Shares
) -> tuple[F64, F64, F64]:
    """The marginal over ln Q on [a, b] and over the share of partly-on crossings
    (``shares``, equally likely a priori) by the trapezoid rule on
    :data:`N_RATE_GRID` nodes per row of ``y`` (rows, m) = ln E - ln G (exact to
    ~1e-4 in ln p for integrands as smooth as these Gaussians and exponential tails:
    Trefethen & Weideman 2014, SIAM Review 56, 385); returns (ln p without the 1/E
    Jacobians and the prior's 1/(b - a), posterior mean of ln Q, its sd) per row.

    Each crossing's ln density is read from a table of :func:`partly_on_logpdf` over
    the residual, linearly interpolated (step 0.03 sd: error < 1.2e-4 per crossing;
    beyond +-:data:`RESID_TABLE_HALF` the end values, where every candidate is
    ruled out anyway)."""
    m = y.shape[1]
    sd_k = np.sqrt(var_log)
    lo = np.clip(np.min(y - RATE_GRID_SD * sd_k, axis=-1), a, b)
    hi = np.clip(np.max(y + RATE_GRID_SD * sd_k, axis=-1) + RATE_GRID_TAIL, a, b)
    hi = np.maximum(hi, np.minimum(lo + 1e-3, b))
    lo = np.minimum(lo, hi - 1e-3)
    step_r = 0.03 * float(np.min(sd_k))
    # the table's nodes -HALF + step j, for the j that the residuals y - t on [lo, hi] reach
    n_full = int(np.ceil(2.0 * RESID_TABLE_HALF / step_r)) + 1
    reach = (np.min(y - hi[:, None]), np.max(y - lo[:, None]))
    j0, j1 = (int(v) for v in np.floor((np.asarray(reach) + RESID_TABLE_HALF) / step_r))
    j0, j1 = max(j0 - 1, 0), min(j1 + 2, n_full - 1)
    if j1 <= j0:  # every residual beyond one end: the end value
        j0, j1 = (0, 1) if reach[1] < -RESID_TABLE_HALF else (n_full - 2, n_full - 1)
    n_tab = j1 - j0 + 1
    r_tab = -RESID_TABLE_HALF + step_r * np.arange(j0, j1 + 1, dtype=np.float64)
    table = partly_on_logpdf(r_tab[None, :], var_log[:, None], shares)  # (S, m, n_tab)
    slope = np.diff(table, axis=-1)
    frac = np.linspace(0.0, 1.0, N_RATE_GRID)
    log_trap = np.log(np.where((frac == 0.0) | (frac == 1.0), 0.5, 1.0))
    ll = np.empty(len(y))
    mean = np.empty(len(y))
    sd = np.empty(len(y))
    rows = rows_per_block(8 * N_RATE_GRID, RATE_BLOCK_BYTES)
    for s in range(0, len(y), rows):
        blk = slice(s, s + rows)
        width = hi[blk] - lo[blk]
        t = lo[blk, None] + width[:, None] * frac  # (rows, nodes)
        per_share = np.zeros((len(shares), *t.shape))
        u = np.empty(t.shape)
        idx = np.empty(t.shape, dtype=np.intp)
        got = np.empty(t.shape)
        for k in range(m):
            # in place, with the table's indices clipped to it: the hot loop of the grid
            np.subtract(y[blk, k, None], t, out=u)
            u += RESID_TABLE_HALF
            u /= step_r
            u -= j0
            np.clip(u, 0.0, n_tab - 1.001, out=u)
            idx[...] = u
            u -= idx
            for i in range(len(shares)):
                per_share[i] += np.take(table[i, k], idx, out=got, mode="clip")
                np.take(slope[i, k], idx, out=got, mode="clip")
                got *= u
                per_share[i] += got
        top_s = np.max(per_share, axis=0)
        per_share -= top_s
        np.exp(per_share, out=per_share)
        lj = np.sum(per_share, axis=0)
        lj /= len(shares)
        np.log(lj, out=lj)
        lj += top_s
        lj += log_trap
        top = np.max(lj, axis=1, keepdims=True)
        w = np.exp(lj - top)
        tot = np.sum(w, axis=1)
        ll[blk] = top[:, 0] + np.log(tot) + np.log(width / (N_RATE_GRID - 1))
        w /= tot[:, None]
        mean[blk] = np.sum(w * t, axis=1)
        sd[blk] = np.sqrt(np.maximum(np.sum(w * (t - mean[blk, None]) ** 2, axis=1), 0.0))
    return ll, mean, sd


def _one_crossing_rate_marginal(
    y: F64, var_log: F64, a: float, b: float, shares: Shares
) -> tuple[F64, F64, F64]:
    """:func:`_rate_grid_marginal` of one crossing: where the grid on ln Q is not cut
    by the prior's bounds it is the same shape around every row's y (the residuals
    y - ln Q on the nodes are the same), so the integral is done once and shifted;
    the rows the bounds cut are integrated each."""
    half = RATE_GRID_SD * float(np.sqrt(var_log[0]))
    free = (y[:, 0] - half > a) & (y[:, 0] + half + RATE_GRID_TAIL < b)
    ll = np.empty(len(y))
    mean = np.empty(len(y))
    sd = np.empty(len(y))
    if np.any(free):
        first = int(np.argmax(free))
        ll0, mean0, sd0 = _rate_grid_marginal(y[first : first + 1], var_log, a, b, shares)
        ll[free] = ll0[0]
        mean[free] = y[free, 0] + (mean0[0] - y[first, 0])
        sd[free] = sd0[0]
    if not np.all(free):
        cut = ~free
        ll[cut], mean[cut], sd[cut] = _rate_grid_marginal(y[cut], var_log, a, b, shares)
    return ll, mean, sd


def rate_marginal(
    log_e: F64,
    var_log: F64,
    log_g: F64,
    rate_range_g_s: tuple[float, float],
    partly_on: Shares = (),
) -> tuple[F64, F64, F64]:
    """Marginal over ln Q of the crossing integrals: closed form for log-normal
    crossings, a grid integral where some may be partly on.

    ``log_e`` (m,) ln E_k [ln ppb s]; ``var_log`` (m,) their variances; ``log_g``
    (..., m) ln G_k [ln (ppb s per g/s)]; prior: ln Q uniform on ln ``rate_range_g_s``.
    Returns (log p(E | s), posterior mean of ln Q, its sd), each of shape (...).
    p(E | s) = int prod_k p(E_k | Q G_k) p(Q) dQ, the densities in E (with their
    1/E_k Jacobians); p(E_k | Q G_k) log-normal, or with ``partly_on`` the
    contaminated model of :func:`partly_on_logpdf`, its share of partly-on
    crossings one of ``partly_on``'s values, each equally likely a priori (a
    per-source nuisance integrated out).

    Parameters
    ----------
    log_e : ndarray, shape (m,)
        ln of each crossing integral [ln ppb s].
    var_log : ndarray, shape (m,)
        Their variances [-].
    log_g : ndarray, shape (..., m)
        ln of the integral per unit rate [ln (ppb s per g/s)].
    rate_range_g_s : tuple of (float, float)
        Prior range of the rate [g/s].
    partly_on : tuple of float or of ndarray, default ()
        The possible shares of crossings that saw the plume only in part [-] (empty:
        every crossing log-normal, the closed form); an array of shape (m, 1) where
        each crossing has its own (:func:`partly_on_logpdf`).

    Returns
    -------
    tuple of (ndarray, ndarray, ndarray)
        log p(E | s) [-], posterior mean of ln Q [ln g/s] and its sd [-].
    """
    a, b = np.log(rate_range_g_s[0]), np.log(rate_range_g_s[1])
    y = log_e - log_g
    if partly_on:
        rows = y.reshape(-1, y.shape[-1])
        grid = _one_crossing_rate_marginal if rows.shape[1] == 1 else _rate_grid_marginal
        ll, mean, sd_q = grid(rows, var_log, a, b, tuple(partly_on))
        ll += -float(np.sum(log_e)) - np.log(b - a)
        shape = y.shape[:-1]
        return ll.reshape(shape), mean.reshape(shape), sd_q.reshape(shape)
    w = 1.0 / var_log
    sw = float(np.sum(w))
    ybar = np.sum(w * y, axis=-1) / sw
    sd = 1.0 / np.sqrt(sw)
    chi = np.sum(w * (y - ybar[..., None]) ** 2, axis=-1)
    mass = np.log(np.maximum(ndtr((b - ybar) / sd) - ndtr((a - ybar) / sd), 1e-300))
    const = (
        -0.5 * float(np.sum(np.log(2.0 * np.pi * var_log)))
        - float(np.sum(log_e))
        + 0.5 * np.log(2.0 * np.pi / sw)
        - np.log(b - a)
    )
    return -0.5 * chi + const + mass, np.clip(ybar, a, b), np.full(ybar.shape, sd)


def magnitude_loglik(
    log_e: F64,
    var_log: F64,
    log_g: F64,
    lateral_sum: F64,
    rate_range_g_s: tuple[float, float],
    partly_on: tuple[float, ...],
    prune: float,
) -> tuple[F64, F64, F64]:
    """:func:`rate_marginal` of every candidate, the grid integral of partly-on
    crossings done only where it may matter.

    With share e the contaminated density is at least (1 - e) times the log-normal
    one, so the closed form plus max_e [ln(1/n) + m ln(1 - e)] (n shares, equally
    likely) bounds each candidate's term from below; and int prod_k p_k dt <=
    prod_(k != j) max p_k (p_j integrates to 1 over ln Q), largest over the shares,
    bounds it from above for every candidate. A candidate whose ``lateral_sum``
    plus that upper bound falls ``prune`` below the best lower bound keeps its lower
    bound (its posterior weight is below exp(-prune) either way).

    Parameters
    ----------
    log_e : ndarray, shape (m,)
        ln of each crossing integral [ln ppb s].
    var_log : ndarray, shape (m,)
        Their variances [-].
    log_g : ndarray, shape (k, H, m)
        ln of the integral per unit rate [ln (ppb s per g/s)].
    lateral_sum : ndarray, shape (k, 1)
        Each candidate's summed lateral log-likelihood [-].
    rate_range_g_s : tuple of (float, float)
        Prior range of the rate [g/s].
    partly_on : tuple of float
        The possible shares of crossings that saw the plume only in part [-].
    prune : float
        Log-likelihood distance below the best candidate beyond which the lower
        bound is kept [-].

    Returns
    -------
    tuple of (ndarray, ndarray, ndarray)
        log p(E | s) [-], posterior mean of ln Q [ln g/s] and its sd [-], each (k, H).
    """
    mag, mu, sd = rate_marginal(log_e, var_log, log_g, rate_range_g_s)
    if not partly_on:
        return mag, mu, sd
    m = len(log_e)
    mag = mag + max(m * np.log1p(-e) for e in partly_on) - np.log(len(partly_on))
    r = np.linspace(-4.0, 2.0, 241)
    top = np.max(partly_on_logpdf(r[None, :], var_log[:, None], tuple(partly_on)), axis=2)
    upper = (
        float(np.max(np.sum(top, axis=1) - np.max(top, axis=1)))
        - float(np.sum(log_e))
        - np.log(np.log(rate_range_g_s[1]) - np.log(rate_range_g_s[0]))
    )
    best = float(np.max(mag + lateral_sum))
    keep = np.broadcast_to(lateral_sum + upper >= best - prune, mag.shape)
    if keep.any():
        mag[keep], mu[keep], sd[keep] = rate_marginal(
            log_e, var_log, log_g[keep], rate_range_g_s, partly_on
        )
    return mag, mu, sd


@dataclass
class PairCache:
    """Rate-independent probe geometry for one fixed candidate set, filled lazily.

    The non-detection term of a candidate needs, per probe its plume reaches, the
    probe's index and the plume's peak per unit rate there (``unit_ppb``, (pairs,
    H)); that depends on the
    candidate, the probes, the wind and the settings but not on the hits, so the
    coarse grid shared by every source of a survey computes it once per channel,
    in blocks of :data:`CHUNK` candidates, as they are first needed.
    """

    cand_e: F64
    cand_n: F64
    heights: F64
    blocks: dict[int, tuple[NDArray[np.int64], NDArray[np.int64], F64]] = field(
        default_factory=dict
    )

    def pairs(
        self,
        index: NDArray[np.int64],
        probes: Probes,
        wind: WindHistory,
        molar_mass_g_mol: float,
        settings: Settings,
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], F64]:
        """(position in ``index``, probe, unit_ppb) of every live pair of the candidates
        ``index``.

        Parameters
        ----------
        index : ndarray of int
            Positions of the candidates in the cache.
        probes : Probes
            The non-detection segments.
        wind : WindHistory
            The wind.
        molar_mass_g_mol : float
            Molar mass of the gas [g/mol].
        settings : Settings
            Model settings.

        Returns
        -------
        tuple of (ndarray of int, ndarray of int, ndarray)
            Position in ``index`` per pair, the probe's index per pair, and peak per
            unit rate [ppb per g/s], shape (pairs, H).
        """
        pos = np.full(len(self.cand_e), -1, dtype=np.int64)
        pos[index] = np.arange(len(index))
        out_c, out_p, out_u = [], [], []
        for b in np.unique(index // CHUNK):
            b = int(b)
            if b not in self.blocks:
                sl = slice(b * CHUNK, min(len(self.cand_e), (b + 1) * CHUNK))
                ci, pj, unit = probe_pairs(
                    self.cand_e[sl],
                    self.cand_n[sl],
                    self.heights,
                    probes,
                    wind,
                    molar_mass_g_mol,
                    settings,
                )
                self.blocks[b] = (ci + b * CHUNK, pj, unit)
            ci, pj, unit = self.blocks[b]
            p = pos[ci]
            keep = p >= 0
            out_c.append(p[keep])
            out_p.append(pj[keep])
            out_u.append(unit[keep])
        if not out_c:
            none = np.empty(0, dtype=np.int64)
            return none, none.copy(), np.empty((0, len(self.heights)))
        return np.concatenate(out_c), np.concatenate(out_p), np.concatenate(out_u)


def probe_pairs(
    cand_e: F64,
    cand_n: F64,
    heights: F64,
    probes: Probes,
    wind: WindHistory,
    molar_mass_g_mol: float,
    settings: Settings,
) -> tuple[NDArray[np.int64], NDArray[np.int64], F64]:
    """(candidate index, probe index, unit_ppb (pairs, H)): the probes each candidate's
    plume reaches, candidate by candidate and, for each, in the probes' order.

    unit_ppb [ppb per g/s] is the Gaussian plume's peak at the probe segment's closest
    approach to the axis, its width widened by the transport error (module docstring).
    Probes outside a wide straight cone downwind, upwind, or beyond 5 plume widths
    are left out (their P(no hit) is 1).

    Parameters
    ----------
    cand_e, cand_n : ndarray, shape (k,)
        Candidate source positions [m].
    heights : ndarray, shape (H,)
        Candidate source heights [m AGL].
    probes : Probes
        The non-detection segments.
    wind : WindHistory
        The wind.
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    settings : Settings
        Model settings.

    Returns
    -------
    tuple of (ndarray of int, ndarray of int, ndarray)
        Candidate index per pair, probe index per pair, and peak per unit rate [ppb per
        g/s], shape (pairs, H).
    """
    k = len(cand_e)
    empty = (
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.int64),
        np.empty((0, len(heights))),
    )
    if len(probes) == 0 or k == 0:
        return empty
    tsd = settings.transport_sd_rad
    me, mn = wind.mean_e, wind.mean_n
    ms = max(np.hypot(me, mn), 1e-9)
    me, mn = me / ms, mn / ms
    speed_p = np.maximum(np.hypot(probes.vel_e, probes.vel_n), 1e-6)
    cis, pjs, units = [], [], []
    for c0 in range(0, k, CHUNK):
        sl = slice(c0, min(k, c0 + CHUNK))
        # cheap straight-line screen: probes far outside a wide cone downwind cannot matter
        rx = probes.east[None, :] - cand_e[sl, None]
        ry = probes.north[None, :] - cand_n[sl, None]
        xs = rx * me + ry * mn
        ys = -rx * mn + ry * me
        ci, pj = np.nonzero((xs > -CONE_PAD_M) & (np.abs(ys) < CONE_SLOPE * xs + CONE_PAD_M))
        if ci.size == 0:
            continue
        co = pair_coordinates(
            probes.east[pj], probes.north[pj], probes.time[pj], cand_e[sl][ci], cand_n[sl][ci], wind
        )
        x = np.maximum(co.x, X_MIN_M)
        sy, sz = dispersion_sigmas(x, settings)
        s_lat = np.sqrt(sy**2 + settings.position_sd_m**2 + (tsd * x) ** 2)
        sin_a = np.abs(-probes.vel_e[pj] * co.to_n + probes.vel_n[pj] * co.to_e) / speed_p[pj]
        y_min = np.maximum(np.abs(co.y) - probes.half_length[pj] * sin_a, 0.0)
        near = (co.x > 0.0) & (y_min < 5.0 * s_lat)
        if not near.any():
            continue
        pj = pj[near]
        conc = gaussian_plume_sigma(
            y_min[near][:, None],
            probes.alt[pj][:, None],
            1.0,
            co.u[near][:, None],
            heights[None, :],
            s_lat[near][:, None],
            sz[near][:, None],
            settings.mixing_height_m,
        )  # (pairs, H) [g/m3 per g/s]
        cis.append(ci[near] + c0)
        pjs.append(pj)
        units.append(g_m3_to_ppb(conc, molar_mass_g_mol))
    if not cis:
        return empty
    return np.concatenate(cis), np.concatenate(pjs), np.concatenate(units)


def pass_nondetection_logprob(log_on: F64, p_off: float | Sequence[float]) -> F64:
    """ln P(no hit on a pass) of a source that is off during the pass with chance ``p_off``.

    P = p_off + (1 - p_off) exp(log_on), where log_on = sum_j ln P(no hit at probe j |
    on) over the pass's probes: the probes of one pass share the source's on/off
    state (module docstring, "Emission that may be off during a pass"; the
    zero-inflated detection model of Lambert 1992, Technometrics 34, 1).

    Parameters
    ----------
    log_on : ndarray
        ln P(no hit at any of the pass's probes | source on) [-], at most 0.
    p_off : float or sequence of float
        Chance that the source is off during the pass [-], in [0, 1); a sequence gives
        the probability for each of its values (exp(log_on) is then computed once).

    Returns
    -------
    ndarray
        ln P(no hit on the pass) [-], the shape of ``log_on``; with a sequence
        ``p_off``, (len(p_off), *log_on.shape).
    """
    log_on = np.asarray(log_on, dtype=float)
    values = np.atleast_1d(np.asarray(p_off, dtype=float))
    out = np.empty((len(values), *log_on.shape))
    on_prob = np.exp(log_on) if np.any(values > 0.0) else None
    for i, p in enumerate(values):
        if p <= 0.0 or on_prob is None:
            out[i] = log_on
        else:
            # p_off > 0 bounds the sum away from 0: no underflow where exp(log_on) does
            np.log(p + (1.0 - p) * on_prob, out=out[i])
    return out if np.ndim(p_off) else out[0]


def hits_on_logprob(
    n_on: int, p_off_grid: tuple[float, ...], p_off_prior: tuple[float, ...]
) -> float:
    """ln sum_i prior_i (1 - p_i)^n_on: the chance that the source was on during each of
    the ``n_on`` passes that hold its hits, ``p_off`` integrated out (module docstring).

    Parameters
    ----------
    n_on : int
        Number of passes holding the source's hits [-].
    p_off_grid : tuple of float
        Values of the chance the source is off during a pass [-], each in [0, 1).
    p_off_prior : tuple of float
        Their prior probabilities [-], summing to 1.

    Returns
    -------
    float
        Log probability [-]; 0 when the grid is ``(0.0,)``.
    """
    terms = [np.log(w) + n_on * np.log1p(-p) for p, w in zip(p_off_grid, p_off_prior, strict=True)]
    return float(np.logaddexp.reduce(terms))


def off_marginal_loglik(
    log_on: F64,
    owner: NDArray[np.int64],
    known_on: NDArray[np.bool_],
    n_on: int,
    n_candidates: int,
    p_off_grid: tuple[float, ...],
    p_off_prior: tuple[float, ...],
) -> F64:
    """ln sum_i prior_i (1 - p_i)^n_on prod_g P(no hit on pass g | p_i), per candidate.

    The chance ``p_off`` that the source is off during a pass, integrated out over
    its grid (module docstring). Passes in ``known_on`` hold one of the source's hits:
    the source was on, so they contribute their probes' product with the source on,
    and the hits' passes contribute (1 - p_i)^n_on. With ``p_off_grid = (0.0,)`` this
    is the sum of every probe's independent log P(no hit).

    Parameters
    ----------
    log_on : ndarray, shape (G, ...)
        ln P(no hit at any probe of the pass | on) [-] of each (candidate, pass) group.
    owner : ndarray of int, shape (G,)
        The candidate of each group, ascending.
    known_on : ndarray of bool, shape (G,)
        Whether the group's pass holds one of the source's hits.
    n_on : int
        Number of passes holding the source's hits [-].
    n_candidates : int
        Number of candidates k.
    p_off_grid : tuple of float
        Values of the chance the source is off during a pass [-], each in [0, 1).
    p_off_prior : tuple of float
        Their prior probabilities [-], summing to 1.

    Returns
    -------
    ndarray, shape (k, ...)
        Log probability [-]; a candidate without groups gets ln sum_i prior_i
        (1 - p_i)^n_on.

    Raises
    ------
    ValueError
        If ``p_off_grid`` and ``p_off_prior`` differ in length.
    """
    log_on = np.asarray(log_on, dtype=float)
    owner = np.asarray(owner, dtype=np.int64)
    known_on = np.asarray(known_on, dtype=bool)
    starts = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))[: owner.size]
    if len(p_off_grid) != len(p_off_prior):
        raise ValueError(
            f"p_off_grid and p_off_prior differ in length: {len(p_off_grid)} and {len(p_off_prior)}"
        )
    # every value of p_off at once, (P, G, ...): one exp(log_on) for all of them
    lg = pass_nondetection_logprob(log_on, p_off_grid)
    if known_on.any():
        lg[:, known_on] = log_on[known_on]
    grid = np.asarray(p_off_grid, dtype=float)
    acc = np.empty((len(grid), n_candidates, *log_on.shape[1:]))
    acc[...] = (np.log(p_off_prior) + n_on * np.log1p(-grid)).reshape(-1, *[1] * (acc.ndim - 1))
    if owner.size:
        acc[:, owner[starts]] += np.add.reduceat(lg, starts, axis=1)
    return np.asarray(np.logaddexp.reduce(acc, axis=0), dtype=float)


def nondetection_loglik(
    cand_e: F64,
    cand_n: F64,
    heights: F64,
    rate_mu: F64,
    rate_sd: F64,
    probes: Probes,
    wind: WindHistory,
    molar_mass_g_mol: float,
    settings: Settings,
    *,
    cache: PairCache | None = None,
    index: NDArray[np.int64] | None = None,
    on_passes: NDArray[np.int64] | None = None,
) -> F64:
    """ln E_{Q | hits} E_{p_off}[(1 - p_off)^n_on P(no hit at any probe | s, H, Q,
    p_off)], shape (k, H) (module docstring).

    The probes of one pass share the source's on/off state when ``probes`` know
    their passes and :attr:`Settings.p_off_grid` allows the source to be off;
    otherwise every probe misses independently and n_on = 0. With ``cache`` (whose
    candidates include these: ``index`` their positions in it) the probe geometry
    is taken from, and kept in, the cache.

    Parameters
    ----------
    cand_e, cand_n : ndarray, shape (k,)
        Candidate source positions [m].
    heights : ndarray, shape (H,)
        Candidate source heights [m AGL].
    rate_mu, rate_sd : ndarray, shape (k, H)
        Posterior of ln Q given the hits [ln g/s].
    probes : Probes
        The non-detection segments.
    wind : WindHistory
        The wind.
    molar_mass_g_mol : float
        Molar mass of the gas [g/mol].
    settings : Settings
        Model settings.
    cache : PairCache or None, default None
        Probe geometry shared between calls.
    index : ndarray of int or None, default None
        Positions of these candidates in ``cache``.
    on_passes : ndarray of int or None, default None
        The passes (:meth:`Probes.pass_of`) that hold the source's hits: it was on.

    Returns
    -------
    ndarray, shape (k, H)
        Log probability of the hits' passes being on and no hit elsewhere [-].
    """
    k, nh = len(cand_e), len(heights)
    if settings.on_off and probes.pass_start is not None:
        grid, prior = tuple(settings.p_off_grid), tuple(settings.p_off_prior)
        on = np.unique(np.asarray(on_passes if on_passes is not None else [], dtype=np.int64))
    else:
        grid, prior, on = (0.0,), (1.0,), np.empty(0, dtype=np.int64)
    # a candidate whose plume reaches no probe: only the hits' passes' on-probability
    out = np.full((k, nh), hits_on_logprob(len(on), grid, prior))
    if len(probes) == 0 or k == 0:
        return out
    if cache is not None and index is not None:
        ci, pj, unit_ppb = cache.pairs(index, probes, wind, molar_mass_g_mol, settings)
    else:
        ci, pj, unit_ppb = probe_pairs(
            cand_e, cand_n, heights, probes, wind, molar_mass_g_mol, settings
        )
    if ci.size == 0:
        return out
    nodes = rate_mu[..., None] + np.sqrt(2.0) * rate_sd[..., None] * _GH_X  # (k, H, N)
    logw = np.log(_GH_W / np.sqrt(np.pi))
    # pairs whose plume cannot reach the threshold at the highest rate node: P = 1
    limit = 0.2 * probes.threshold * probes.noise
    q = np.exp(nodes)  # (k, H, N) [g/s]
    live = unit_ppb.max(axis=1) * q.max(axis=(1, 2))[ci] > limit
    if not live.any():
        return out
    ci, pj, unit_ppb = ci[live], pj[live], unit_ppb[live]
    # (pairs, H, N) [ppb]; single precision: each term is a probability near 1 whose
    # log is summed over a few hundred probes (error ~1e-5 on the log-likelihood)
    # (a block of pairs at a time, in place: these arrays are the largest of locate's,
    # and a block's stay in a core's cache)
    f32 = np.float32
    q32 = q.astype(f32)
    u32 = unit_ppb.astype(f32)
    logp = np.empty((len(ci), *q.shape[1:]), dtype=f32)
    rows = rows_per_block(4 * int(np.prod(q.shape[1:])), PROBE_BLOCK_BYTES)
    for b0 in range(0, len(ci), rows):
        blk = slice(b0, b0 + rows)
        mu = q32[ci[blk]]
        mu *= u32[blk, :, None]
        sd = np.multiply(mu, f32(settings.discrepancy))
        np.square(sd, out=sd)
        sd += f32(probes.noise**2)
        np.sqrt(sd, out=sd)
        z = np.subtract(f32(probes.threshold * probes.noise), mu, out=mu)
        z /= sd
        ndtr(z, out=z)
        z *= f32(1.0 - settings.miss)
        z += f32(settings.miss)
        np.log(z, out=logp[blk])
    # sum over each (candidate, pass) group's probes: pairs come candidate by candidate,
    # each candidate's in the probes' (time) order
    pas = probes.pass_of(probes.time)[pj] if len(grid) > 1 else np.zeros_like(pj)
    key = ci * (int(pas.max()) + 1) + pas
    if np.any(key[1:] < key[:-1]):
        order = np.argsort(key, kind="stable")
        key, ci, pas, logp = key[order], ci[order], pas[order], logp[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    log_on = np.add.reduceat(logp, starts, axis=0, dtype=np.float64)  # (G, H, N)
    lp = off_marginal_loglik(log_on, ci[starts], np.isin(pas[starts], on), len(on), k, grid, prior)
    return np.asarray(np.logaddexp.reduce(lp + logw, axis=-1), dtype=float)


def crossing_magnitudes(
    cand_e: F64,
    cand_n: F64,
    heights: F64,
    crossings: Crossings,
    wind: WindHistory,
    settings: Settings,
) -> tuple[PlumeCoordinates, F64, F64, F64, F64]:
    """What the crossings' integrals are matched with (module docstring, "How much").

    Parameters
    ----------
    cand_e, cand_n : ndarray, shape (k,)
        Candidate source positions [m].
    heights : ndarray, shape (H,)
        Candidate source heights [m AGL].
    crossings : Crossings
        The hits (m of them).
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.

    Returns
    -------
    tuple
        The crossings' plume coordinates (k, m); ln E_k [ln ppb s] and the variance of
        its log error [-], (m,); ln G_k [ln (ppb s per g/s)], (k, H, m); the drone's
        speed across the plume [m/s], (k, m).
    """
    co = plume_coordinates(crossings.east, crossings.north, crossings.time, cand_e, cand_n, wind)
    cic = crosswind_integral(co, crossings.alt, heights, settings)
    vperp = crossing_speed(co, crossings.vel_e, crossings.vel_n, crossings.vel_sq)
    g = g_m3_to_ppb(cic / vperp[:, None, :], crossings.molar_mass)  # ppb s per g/s
    e = np.maximum(crossings.integral, crossings.integral_err)
    var_log = (crossings.integral_err / e) ** 2 + settings.discrepancy**2
    return co, np.log(e), var_log, np.log(np.maximum(g, 1e-300)), vperp


def evaluate(
    cand_e: F64,
    cand_n: F64,
    heights: F64,
    crossings: Crossings,
    probes: Probes | None,
    wind: WindHistory,
    settings: Settings,
    *,
    prune: float = 20.0,
    cache: PairCache | None = None,
) -> Evaluation:
    """The log marginal likelihood of every candidate (positions x heights).

    ``cand_e``, ``cand_n`` (k,) [m]; ``heights`` (H,) [m AGL]. The non-detection term
    is evaluated only where the hits' likelihood is within ``prune`` of its maximum
    (elsewhere it cannot change which candidates are plausible). ``cache``: a
    :class:`PairCache` for exactly these candidates.

    Parameters
    ----------
    cand_e, cand_n : ndarray, shape (k,)
        Candidate source positions [m].
    heights : ndarray, shape (H,)
        Candidate source heights [m AGL].
    crossings : Crossings
        The hits.
    probes : Probes or None
        The non-detection segments; None leaves the term out.
    wind : WindHistory
        The wind.
    settings : Settings
        Model settings.
    prune : float, default 20.0
        Log-likelihood distance from the maximum beyond which the non-detection term
        is skipped [-].
    cache : PairCache or None, default None
        Probe geometry for exactly these candidates.

    Returns
    -------
    Evaluation
        Log marginal likelihood (k, H), its hits-only part, the rate's conditional
        posterior [ln g/s] and each hit's lateral log-likelihood.
    """
    cand_e = np.asarray(cand_e, dtype=float)
    cand_n = np.asarray(cand_n, dtype=float)
    heights = np.asarray(heights, dtype=float)
    co, log_e, var_log, log_g, _ = crossing_magnitudes(
        cand_e, cand_n, heights, crossings, wind, settings
    )
    lateral = lateral_loglik(co, settings)
    lateral_sum = lateral.sum(axis=1)[:, None]
    mag, mu, sd = magnitude_loglik(
        log_e, var_log, log_g, lateral_sum, settings.rate_range_g_s, settings.partly_on, prune
    )
    hits_ll = mag + lateral_sum
    total = hits_ll.copy()
    if probes is not None and len(probes):
        best = np.max(hits_ll)
        keep = np.any(hits_ll > best - prune, axis=1)
        on_passes = probes.pass_of(crossings.time)
        if keep.any():
            nd = nondetection_loglik(
                cand_e[keep],
                cand_n[keep],
                heights,
                mu[keep],
                sd[keep],
                probes,
                wind,
                crossings.molar_mass,
                settings,
                cache=cache,
                index=np.flatnonzero(keep),
                on_passes=on_passes,
            )
            total[keep] += nd
            # bounded below what any kept candidate can reach
            floor = -prune
            if settings.on_off and probes.pass_start is not None:
                n_on = len(np.unique(on_passes))
                floor += hits_on_logprob(n_on, settings.p_off_grid, settings.p_off_prior)
            total[~keep] += floor
    return Evaluation(total, hits_ll, mu, sd, lateral)


def channel_molar_mass(channel: str) -> float:
    """Molar mass [g/mol] of a gas channel (an analyte name).

    Parameters
    ----------
    channel : str
        Analyte name.

    Returns
    -------
    float
        Molar mass [g/mol].
    """
    return molar_mass(channel)
