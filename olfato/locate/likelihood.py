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
    position is log-normal, truncated to the prior range. The non-detection factor
    is averaged over that conditional posterior of Q by Gauss-Hermite quadrature
    (Abramowitz & Stegun 1972, 25.4.46), so the result is still the full marginal:
    p(hits, none | s) = p(hits | s) E_{Q | hits, s}[p(none | Q, s)].
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaln, ndtr

from olfato.locate.transport import (
    PlumeCoordinates,
    WindHistory,
    pair_coordinates,
    plume_coordinates,
)
from olfato.physics.dispersion import X_MIN_M, gaussian_plume_sigma, sigma_yz
from olfato.physics.units import g_m3_to_ppb, molar_mass

F64 = NDArray[np.float64]

#: log-likelihood of a hit that the candidate's plume cannot reach (upwind of it)
UPWIND_LOGLIK = -50.0
#: Gauss-Hermite nodes for the average over the rate
N_RATE_NODES = 3
_GH_X, _GH_W = np.polynomial.hermite.hermgauss(N_RATE_NODES)
#: candidates evaluated together (memory: candidates x heights x nodes x probes)
CHUNK = 256
#: straight-line screen of probes: within |y| < CONE_SLOPE x + CONE_PAD_M of the mean wind
CONE_SLOPE = 1.2
CONE_PAD_M = 60.0


@dataclass(frozen=True)
class Settings:
    """Model settings of the likelihood (see the module docstring).

    ``stability`` Pasquill class A..F; ``dispersion_model`` one of
    :data:`olfato.physics.dispersion.SIGMA_MODELS`; ``position_sd_m`` [m] error of a
    crossing centroid (GPS, sensor lag residual); ``transport_sd_deg`` [deg] error
    of the transport direction; ``dof`` [-] Student-t degrees of freedom;
    ``discrepancy`` [-] log-normal model error of a crossing integral;
    ``miss`` [-] chance a plume above threshold is missed; ``rate_range_g_s``
    [g/s] the log-uniform rate prior; ``mixing_height_m`` [m] or None.
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


@dataclass
class Crossings:
    """The hits of one source candidate group, seen in one channel.

    Arrays (one value per hit): ``hit_ids``; centroid ``east``, ``north`` [m],
    ``time`` [s], ``alt`` [m AGL]; drone velocity ``vel_e``, ``vel_n`` [m/s];
    ``integral`` and ``integral_err`` [ppb s]. ``channel`` the analyte and
    ``molar_mass`` [g/mol].
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
        )


@dataclass
class Probes:
    """Track segments without a hit, in one channel.

    ``east``, ``north`` [m], ``time`` [s], ``alt`` [m] at the segment's middle;
    ``half_length`` [m]; drone velocity ``vel_e``, ``vel_n`` [m/s]; ``noise`` [ppb]
    the channel's noise sd; ``threshold`` [sd] the detection threshold.
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

    def __len__(self) -> int:
        return len(self.east)


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
    scale = np.sqrt(settings.position_sd_m**2 + (np.deg2rad(settings.transport_sd_deg) * x) ** 2)
    nu = settings.dof
    z2 = (coords.y / scale) ** 2
    norm = gammaln((nu + 1) / 2) - gammaln(nu / 2) - 0.5 * np.log(nu * np.pi)
    ll = norm - np.log(scale) - (nu + 1) / 2 * np.log1p(z2 / nu)
    return np.where(coords.x < -2.0 * settings.position_sd_m, UPWIND_LOGLIK, ll)


def crosswind_integral(coords: PlumeCoordinates, alt: F64, heights: F64, settings: Settings) -> F64:
    """Crosswind-integrated concentration per unit rate [g/m2 per g/s], (k, H, m).

    CIC = Q V(z, H, sz) / (sqrt(2 pi) u sz), evaluated as the Gaussian plume on its
    axis times sqrt(2 pi) sy (:func:`olfato.physics.dispersion.gaussian_plume_sigma`).
    Zero where the receptor is upwind.

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
    sy, sz = sigma_yz(x, settings.stability, settings.dispersion_model)
    h = np.asarray(heights, dtype=float)[None, :, None]
    c0 = gaussian_plume_sigma(
        0.0,
        alt[None, None, :],
        1.0,
        coords.u[:, None, :],
        h,
        sy[:, None, :],
        sz[:, None, :],
        settings.mixing_height_m,
    )
    cic = c0 * np.sqrt(2.0 * np.pi) * sy[:, None, :]
    return np.where(coords.x[:, None, :] > 0.0, cic, 0.0)


def crossing_speed(coords: PlumeCoordinates, vel_e: F64, vel_n: F64) -> F64:
    """The drone's speed across the plume axis [m/s], (k, m), floored at 10% of its speed.

    Parameters
    ----------
    coords : PlumeCoordinates
        Receptors relative to candidates (k, m).
    vel_e, vel_n : ndarray, shape (m,)
        Drone velocity [m/s].

    Returns
    -------
    ndarray, shape (k, m)
        Speed across the plume axis [m/s].
    """
    de, dn = coords.to_e, coords.to_n  # unit vector the plume travels TO
    vperp = np.abs(-vel_e[None, :] * dn + vel_n[None, :] * de)
    return np.maximum(vperp, 0.1 * np.hypot(vel_e, vel_n)[None, :] + 1e-3)


def rate_marginal(
    log_e: F64, var_log: F64, log_g: F64, rate_range_g_s: tuple[float, float]
) -> tuple[F64, F64, F64]:
    """Closed-form marginal over ln Q of log-normal crossing integrals.

    ``log_e`` (m,) ln E_k [ln ppb s]; ``var_log`` (m,) their variances; ``log_g``
    (..., m) ln G_k [ln (ppb s per g/s)]; prior: ln Q uniform on ln ``rate_range_g_s``.
    Returns (log p(E | s), posterior mean of ln Q, its sd), each of shape (...).
    p(E | s) = int prod_k LogNormal(E_k; ln Q + ln G_k, var_k) p(Q) dQ, the densities
    in E (with their 1/E_k Jacobians).

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

    Returns
    -------
    tuple of (ndarray, ndarray, ndarray)
        log p(E | s) [-], posterior mean of ln Q [ln g/s] and its sd [-].
    """
    a, b = np.log(rate_range_g_s[0]), np.log(rate_range_g_s[1])
    w = 1.0 / var_log
    y = log_e - log_g
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


@dataclass
class PairCache:
    """Rate-independent probe geometry for one fixed candidate set, filled lazily.

    The non-detection term of a candidate needs, per probe its plume reaches, the
    plume's peak per unit rate there (``unit_ppb``, (pairs, H)); that depends on the
    candidate, the probes, the wind and the settings but not on the hits, so the
    coarse grid shared by every source of a survey computes it once per channel,
    in blocks of :data:`CHUNK` candidates, as they are first needed.
    """

    cand_e: F64
    cand_n: F64
    heights: F64
    blocks: dict[int, tuple[NDArray[np.int64], F64]] = field(default_factory=dict)

    def pairs(
        self,
        index: NDArray[np.int64],
        probes: Probes,
        wind: WindHistory,
        molar_mass_g_mol: float,
        settings: Settings,
    ) -> tuple[NDArray[np.int64], F64]:
        """(position in ``index``, unit_ppb) of every live pair of the candidates ``index``.

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
        tuple of (ndarray of int, ndarray)
            Position in ``index`` per pair, and peak per unit rate [ppb per g/s], shape
            (pairs, H).
        """
        pos = np.full(len(self.cand_e), -1, dtype=np.int64)
        pos[index] = np.arange(len(index))
        out_c, out_u = [], []
        for b in np.unique(index // CHUNK):
            b = int(b)
            if b not in self.blocks:
                sl = slice(b * CHUNK, min(len(self.cand_e), (b + 1) * CHUNK))
                ci, unit = probe_pairs(
                    self.cand_e[sl],
                    self.cand_n[sl],
                    self.heights,
                    probes,
                    wind,
                    molar_mass_g_mol,
                    settings,
                )
                self.blocks[b] = (ci + b * CHUNK, unit)
            ci, unit = self.blocks[b]
            p = pos[ci]
            keep = p >= 0
            out_c.append(p[keep])
            out_u.append(unit[keep])
        if not out_c:
            return np.empty(0, dtype=np.int64), np.empty((0, len(self.heights)))
        return np.concatenate(out_c), np.concatenate(out_u)


def probe_pairs(
    cand_e: F64,
    cand_n: F64,
    heights: F64,
    probes: Probes,
    wind: WindHistory,
    molar_mass_g_mol: float,
    settings: Settings,
) -> tuple[NDArray[np.int64], F64]:
    """(candidate index, unit_ppb (pairs, H)): the probes each candidate's plume reaches.

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
    tuple of (ndarray of int, ndarray)
        Candidate index per pair, and peak per unit rate [ppb per g/s], shape (pairs, H).
    """
    k = len(cand_e)
    empty = (np.empty(0, dtype=np.int64), np.empty((0, len(heights))))
    if len(probes) == 0 or k == 0:
        return empty
    tsd = np.deg2rad(settings.transport_sd_deg)
    me, mn = wind.mean_e, wind.mean_n
    ms = max(np.hypot(me, mn), 1e-9)
    me, mn = me / ms, mn / ms
    speed_p = np.maximum(np.hypot(probes.vel_e, probes.vel_n), 1e-6)
    cis, units = [], []
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
        sy, sz = sigma_yz(x, settings.stability, settings.dispersion_model)
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
        units.append(g_m3_to_ppb(conc, molar_mass_g_mol))
    if not cis:
        return empty
    return np.concatenate(cis), np.concatenate(units)


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
) -> F64:
    """ln E_{Q | hits}[P(no hit at any probe | s, H, Q)], shape (k, H) (module docstring).

    With ``cache`` (whose candidates include these: ``index`` their positions in
    it) the probe geometry is taken from, and kept in, the cache.

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

    Returns
    -------
    ndarray, shape (k, H)
        Log probability of no hit [-].
    """
    k, nh = len(cand_e), len(heights)
    out = np.zeros((k, nh))
    if len(probes) == 0 or k == 0:
        return out
    if cache is not None and index is not None:
        ci, unit_ppb = cache.pairs(index, probes, wind, molar_mass_g_mol, settings)
    else:
        ci, unit_ppb = probe_pairs(
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
    ci, unit_ppb = ci[live], unit_ppb[live]
    # (pairs, H, N) [ppb]; single precision: each term is a probability near 1 whose
    # log is summed over a few hundred probes (error ~1e-5 on the log-likelihood)
    f32 = np.float32
    mu = q[ci].astype(f32) * unit_ppb[:, :, None].astype(f32)
    sd = np.sqrt(f32(probes.noise**2) + (f32(settings.discrepancy) * mu) ** 2)
    z = (f32(probes.threshold * probes.noise) - mu) / sd
    logp = np.log(f32(settings.miss) + f32(1.0 - settings.miss) * ndtr(z))
    # sum over each candidate's probes (pairs come candidate by candidate)
    if np.any(ci[1:] < ci[:-1]):
        order = np.argsort(ci, kind="stable")
        ci, logp = ci[order], logp[order]
    starts = np.flatnonzero(np.concatenate([[True], ci[1:] != ci[:-1]]))
    lp = np.zeros((k, nh, N_RATE_NODES))
    lp[ci[starts]] = np.add.reduceat(logp, starts, axis=0, dtype=np.float64)
    return np.asarray(np.logaddexp.reduce(lp + logw, axis=-1), dtype=float)


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
    co = plume_coordinates(crossings.east, crossings.north, crossings.time, cand_e, cand_n, wind)
    lateral = lateral_loglik(co, settings)
    cic = crosswind_integral(co, crossings.alt, heights, settings)
    vperp = crossing_speed(co, crossings.vel_e, crossings.vel_n)
    g = g_m3_to_ppb(cic / vperp[:, None, :], crossings.molar_mass)  # ppb s per g/s
    e = np.maximum(crossings.integral, crossings.integral_err)
    log_e = np.log(e)
    var_log = (crossings.integral_err / e) ** 2 + settings.discrepancy**2
    log_g = np.log(np.maximum(g, 1e-300))
    mag, mu, sd = rate_marginal(log_e, var_log, log_g, settings.rate_range_g_s)
    hits_ll = mag + lateral.sum(axis=1)[:, None]
    total = hits_ll.copy()
    if probes is not None and len(probes):
        best = np.max(hits_ll)
        keep = np.any(hits_ll > best - prune, axis=1)
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
            )
            total[keep] += nd
            total[~keep] += -prune  # bounded below what any kept candidate can reach
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
