"""The simulated atmosphere: a meandering, gusting wind and the plumes it carries.

Wind
    Spatially uniform, varying in time. The direction wanders as an
    Ornstein-Uhlenbeck (first-order autoregressive) process with standard deviation
    sigma_theta and integral time scale T (the Langevin model of a velocity
    component with an exponential autocorrelation; Taylor 1921, "Diffusion by
    continuous movements", Proc. London Math. Soc. 20, 196; Pope, *Turbulent
    Flows*, 2000, sec. 12.3). Gusts are a second OU process on the speed, as a
    fraction of the mean. A scheduled shift ramps the mean direction (the short way
    round) and speed to new values. Discretised exactly: x[k+1] = phi x[k] +
    sigma sqrt(1 - phi^2) eps, phi = exp(-dt / T) (Gillespie 1996, Phys. Rev. E 54,
    2084).

Steady mode
    The time-averaged Gaussian plume of :mod:`olfato.physics.dispersion`, pointing
    along the mean wind at each moment (meander and gusts are already inside the
    averaged sigmas), with the speed at the mean.

Turbulent mode
    Every ``PUFF_INTERVAL_S`` each source releases a Gaussian puff of mass Q dt.
    Puffs ride the instantaneous uniform wind, so the puff centroid is
    source + W(t) - W(t_release), with W the time integral of the wind vector: the
    plume is the wind's recent history drawn backwards and snakes when the wind
    meanders. Puffs grow with their travel distance s by RELATIVE dispersion, the
    spread about their own centre, which is narrower than the time-averaged plume
    because it excludes meander. Horizontal puff sigmas are Slade's
    instantaneous-source coefficients (Slade, *Meteorology and Atomic Energy 1968*,
    TID-24190, pp. 163-175, as tabulated in Crowl & Louvar, *Chemical Process
    Safety*, 3rd ed., 2011, Table 5-3), plus an initial source size
    ``SOURCE_SIGMA_M``. Vertically the ground caps the size of eddies, so near the
    surface a puff is about as deep as the time-averaged plume (Gifford 1959,
    "Statistical properties of a fluctuating plume dispersion model", Adv. Geophys.
    6, 117, meanders plumes horizontally only): puffs use the Pasquill-Gifford
    sigma_z (ISC3 fit), a different curve from the steady mode's default Briggs
    fit. Along the wind
    a puff is also smeared over the release spacing so that a line of puffs reads
    as a continuous plume, not beads. The ground and an optional mixing lid reflect
    as in the plume (:func:`olfato.physics.dispersion.vertical_factor`). Puffs that
    have travelled further than the survey's reach are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.physics.dispersion import X_MIN_M, gaussian_plume, sigma_yz, vertical_factor
from olfato.physics.wind import downwind_crosswind, wind_vector

F64 = NDArray[np.float64]

#: time between puffs of one source [s] and the wind grid step
PUFF_INTERVAL_S = 1.0
#: initial puff size (the vent / building wake) [m]
SOURCE_SIGMA_M = 1.0
#: along-wind smear as a fraction of the puff spacing (0.6 keeps the bead ripple < 0.2%)
ALONG_SMEAR = 0.6
#: floor on the instantaneous wind speed [m/s]: gusts never reverse the flow
MIN_GUST_SPEED_MS = 0.2
#: sample x puff elements evaluated at once (memory ~ 8 arrays of this many floats)
CHUNK_ELEMENTS = 400_000

#: Slade (1968) puff coefficients, sigma = a s^b with s [m]: class -> (ay, by, az, bz)
SLADE_PUFF = {
    "A": (0.18, 0.92, 0.60, 0.75),
    "B": (0.14, 0.92, 0.53, 0.73),
    "C": (0.10, 0.92, 0.34, 0.71),
    "D": (0.06, 0.92, 0.15, 0.70),
    "E": (0.04, 0.92, 0.10, 0.65),
    "F": (0.02, 0.89, 0.05, 0.61),
}

#: default direction wander sigma_theta [deg] by class: the middle of each class's
#: sigma-theta band in US EPA, *Meteorological Monitoring Guidance for Regulatory
#: Modeling Applications*, EPA-454/R-99-005 (2000), Table 6-8
DEFAULT_MEANDER_DEG = {"A": 25.0, "B": 20.0, "C": 15.0, "D": 10.0, "E": 5.6, "F": 3.0}


def ou_process(n: int, dt: float, sigma: float, timescale: float, rng: np.random.Generator) -> F64:
    """A stationary Ornstein-Uhlenbeck series of ``n`` steps of ``dt`` [s].

    Standard deviation ``sigma`` (same unit as the output), integral time scale
    ``timescale`` [s]; exact discretisation (Gillespie 1996), started from the
    stationary distribution.

    Parameters
    ----------
    n : int
        Number of steps.
    dt : float
        Step [s].
    sigma : float
        Standard deviation [any unit].
    timescale : float
        Integral time scale [s].
    rng : numpy.random.Generator
        Random draws.

    Returns
    -------
    ndarray, shape (n,)
        The series [unit of ``sigma``].

    References
    ----------
    Gillespie, D. T. (1996). Exact numerical simulation of the Ornstein-Uhlenbeck
    process and its integral. Phys. Rev. E 54, 2084-2091.
    """
    phi = np.exp(-dt / timescale)
    eps = rng.standard_normal(n)
    eps[1:] *= np.sqrt(1.0 - phi * phi)
    # x[k] = phi x[k-1] + e[k]: an IIR filter, done by scipy in C
    from scipy.signal import lfilter

    return sigma * lfilter([1.0], [1.0, -phi], eps)


@dataclass
class WindSeries:
    """The wind on a uniform time grid, with its running integrals.

    ``t`` [s since take-off], ``speed`` [m/s], ``direction`` FROM [deg],
    ``mean_speed`` and ``mean_direction`` (without meander and gusts), and
    ``disp_e``, ``disp_n`` [m] (integral of the wind vector) and ``path`` [m]
    (integral of the speed) from the first grid time.
    """

    t: F64
    speed: F64
    direction: F64
    mean_speed: F64
    mean_direction: F64
    disp_e: F64
    disp_n: F64
    path: F64

    def at(self, t: F64) -> dict[str, F64]:
        """All fields linearly interpolated at times ``t`` [s].

        Parameters
        ----------
        t : ndarray
            Times [s since take-off].

        Returns
        -------
        dict[str, ndarray]
            Field name (``speed`` [m/s], ``direction`` [deg], ``disp_e`` [m], ...) ->
            values at ``t``.
        """
        # interpolate direction through its vector so 359 -> 1 deg is not a sweep
        ue, vn = wind_vector(1.0, self.direction)
        ue_t, vn_t = np.interp(t, self.t, ue), np.interp(t, self.t, vn)
        me, mn = wind_vector(1.0, self.mean_direction)
        me_t, mn_t = np.interp(t, self.t, me), np.interp(t, self.t, mn)
        return {
            "speed": np.interp(t, self.t, self.speed),
            "direction": np.mod(np.rad2deg(np.arctan2(-ue_t, -vn_t)), 360.0),
            "mean_speed": np.interp(t, self.t, self.mean_speed),
            "mean_direction": np.mod(np.rad2deg(np.arctan2(-me_t, -mn_t)), 360.0),
            "disp_e": np.interp(t, self.t, self.disp_e),
            "disp_n": np.interp(t, self.t, self.disp_n),
            "path": np.interp(t, self.t, self.path),
        }


def make_wind(
    t_start: float,
    t_end: float,
    speed_ms: float,
    direction_deg: float,
    meander_deg: float,
    meander_timescale_s: float,
    gust_fraction: float,
    gust_timescale_s: float,
    rng: np.random.Generator,
    shift: tuple[float, float, float | None, float] | None = None,
    dt: float = PUFF_INTERVAL_S,
) -> WindSeries:
    """The wind from ``t_start`` to ``t_end`` [s] on a grid of ``dt`` [s].

    ``speed_ms`` [m/s] and ``direction_deg`` (FROM) [deg] are the means; meander
    sigma_theta ``meander_deg`` [deg] with time scale ``meander_timescale_s`` [s];
    gusts ``gust_fraction`` [-] with ``gust_timescale_s`` [s]; ``shift`` =
    (at [s], new direction [deg], new speed [m/s] or None, ramp [s]).

    Parameters
    ----------
    t_start, t_end : float
        Time span [s].
    speed_ms : float
        Mean speed [m/s].
    direction_deg : float
        Mean direction FROM [deg].
    meander_deg : float
        Meander sigma_theta [deg].
    meander_timescale_s : float
        Meander time scale [s].
    gust_fraction : float
        Gust standard deviation as a fraction of the speed [-].
    gust_timescale_s : float
        Gust time scale [s].
    rng : numpy.random.Generator
        Random draws.
    shift : tuple of (float, float, float or None, float) or None, default None
        A wind shift: (at [s], new direction [deg], new speed [m/s] or None, ramp [s]).
    dt : float, default PUFF_INTERVAL_S
        Grid step [s].

    Returns
    -------
    WindSeries
        The wind on the grid.
    """
    t = np.arange(t_start, t_end + 2 * dt, dt)
    n = len(t)
    mean_dir = np.full(n, float(direction_deg))
    mean_speed = np.full(n, float(speed_ms))
    if shift is not None:
        at, new_dir, new_speed, ramp = shift
        frac = np.clip((t - at) / ramp, 0.0, 1.0) if ramp > 0 else (t >= at).astype(float)
        turn = (new_dir - direction_deg + 180.0) % 360.0 - 180.0  # the short way round
        mean_dir = mean_dir + frac * turn
        if new_speed is not None:
            mean_speed = mean_speed + frac * (new_speed - speed_ms)
    meander = ou_process(n, dt, meander_deg, meander_timescale_s, rng)
    gust = ou_process(n, dt, gust_fraction, gust_timescale_s, rng)
    direction = np.mod(mean_dir + meander, 360.0)
    speed = np.maximum(mean_speed * (1.0 + gust), MIN_GUST_SPEED_MS)
    ue, vn = wind_vector(speed, direction)
    # trapezoidal running integrals
    disp_e = np.concatenate([[0.0], np.cumsum(0.5 * (ue[1:] + ue[:-1]) * dt)])
    disp_n = np.concatenate([[0.0], np.cumsum(0.5 * (vn[1:] + vn[:-1]) * dt)])
    path = np.concatenate([[0.0], np.cumsum(0.5 * (speed[1:] + speed[:-1]) * dt)])
    return WindSeries(
        t, speed, direction, mean_speed, np.mod(mean_dir, 360.0), disp_e, disp_n, path
    )


def puff_sigmas(travel_m: F64, stability: str) -> tuple[F64, F64]:
    """Instantaneous puff sigma_y, sigma_z [m] after ``travel_m`` [m] of travel.

    sigma_y: Slade (1968) relative dispersion; sigma_z: Pasquill-Gifford (ISC3);
    both with the source size :data:`SOURCE_SIGMA_M` added in quadrature (module
    docstring).

    Parameters
    ----------
    travel_m : ndarray
        Distance travelled [m].
    stability : str
        Pasquill-Gifford stability class (``"A"``-``"F"``).

    Returns
    -------
    tuple of (ndarray, ndarray)
        sigma_y, sigma_z [m].

    References
    ----------
    Slade, D. H. (ed.) (1968). Meteorology and Atomic Energy. USAEC.
    """
    ay, by, _, _ = SLADE_PUFF[stability]
    s = np.maximum(travel_m, 0.0)
    s0 = SOURCE_SIGMA_M**2
    _, sz = sigma_yz(np.maximum(s, X_MIN_M), stability, "pasquill_gifford")
    return np.sqrt(s0 + (ay * s**by) ** 2), np.sqrt(s0 + sz * sz)


def steady_field(
    t: F64,
    east: F64,
    north: F64,
    up: F64,
    sources: F64,
    wind: WindSeries,
    stability: str,
    model: str,
    mixing_height_m: float | None = None,
) -> F64:
    """Time-averaged concentration per unit rate [g/m3 per g/s], shape (n_sources, n).

    ``t`` [s], receptor ``east``, ``north``, ``up`` [m]; ``sources`` rows of
    (east, north, height) [m]. Uses the mean wind (with any shift) at each time.

    Parameters
    ----------
    t : ndarray
        Times [s].
    east, north, up : ndarray
        Receptor positions [m].
    sources : ndarray, shape (n_sources, 3)
        Source east, north, height [m].
    wind : WindSeries
        The wind.
    stability : str
        Pasquill-Gifford stability class.
    model : str
        Dispersion-coefficient model (e.g. ``"briggs_rural"``).
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.

    Returns
    -------
    ndarray, shape (n_sources, n)
        Concentration per unit rate [g/m3 per g/s].
    """
    w = wind.at(t)
    out = np.empty((len(sources), len(t)))
    for k, (se, sn, sh) in enumerate(sources):
        x, y = downwind_crosswind(east, north, se, sn, w["mean_direction"])
        out[k] = gaussian_plume(
            x, y, up, 1.0, w["mean_speed"], sh, stability, model, mixing_height_m
        )
    return out


def turbulent_field(
    t: F64,
    east: F64,
    north: F64,
    up: F64,
    sources: F64,
    wind: WindSeries,
    stability: str,
    max_travel_m: float,
    mixing_height_m: float | None = None,
    progress=None,
    emission: F64 | None = None,
) -> tuple[F64, int]:
    """Instantaneous puff concentration per unit rate [g/m3 per g/s], (n_sources, n).

    ``emission`` (n_sources, len(wind.t)) [-]: each puff's share of the rate (0 while
    a source is off), default 1.

    ``t`` [s] must be sorted; puffs are released at the wind grid times
    (every :data:`PUFF_INTERVAL_S`) from ``wind.t[0]`` on, and those that have
    travelled more than ``max_travel_m`` [m] are dropped. Vectorised over blocks of
    samples x live puffs. Returns the field and the number of sample-puff pairs
    evaluated (per source), for benchmarks.

    Parameters
    ----------
    t : ndarray
        Times [s], sorted.
    east, north, up : ndarray
        Receptor positions [m].
    sources : ndarray, shape (n_sources, 3)
        Source east, north, height [m].
    wind : WindSeries
        The wind; its grid gives the puff release times.
    stability : str
        Pasquill-Gifford stability class.
    max_travel_m : float
        Puffs farther travelled are dropped [m].
    mixing_height_m : float or None, default None
        Mixing-layer height [m]; None for no lid.
    progress : callable or None, default None
        Called with the number of samples each block finished, for a progress bar.
    emission : ndarray or None, default None
        Each puff's share of the rate [-], shape (n_sources, len(wind.t)).

    Returns
    -------
    tuple of (ndarray, int)
        Concentration per unit rate [g/m3 per g/s], shape (n_sources, n), and the
        sample-puff pairs evaluated per source.
    """
    n = len(t)
    n_src = len(sources)
    out = np.zeros((n_src, n))
    if n == 0 or n_src == 0:
        return out, 0
    rel_t = wind.t
    dt_rel = float(rel_t[1] - rel_t[0])
    mass = dt_rel  # puff mass per unit rate [g per g/s]
    w = wind.at(t)
    de, dn = wind_vector(1.0, w["direction"])  # unit vector the wind blows TO
    spacing = np.maximum(w["speed"], MIN_GUST_SPEED_MS) * dt_rel
    # oldest live puff per sample, from the path integral
    first = np.searchsorted(wind.path, w["path"] - max_travel_m, side="left")
    last = np.searchsorted(rel_t, t, side="right")  # puffs released at or before t
    src_e = sources[:, 0][:, None, None]
    src_n = sources[:, 1][:, None, None]
    src_h = sources[:, 2][:, None, None]
    norm = mass / (2.0 * np.pi) ** 1.5
    pairs = 0
    i0 = 0
    while i0 < n:
        width = max(int(last[i0] - first[i0]), 1)
        step = max(1, CHUNK_ELEMENTS // (width * n_src))
        i1 = min(n, i0 + step)
        r0 = int(first[i0:i1].min())
        r1 = int(last[i0:i1].max())
        if r1 > r0:
            sl = slice(i0, i1)
            r = np.arange(r0, r1)
            live = (r[None, :] >= first[sl, None]) & (r[None, :] < last[sl, None])
            travel = w["path"][sl, None] - wind.path[None, r]
            sy, sz = puff_sigmas(travel, stability)
            sx2 = sy * sy + (ALONG_SMEAR * spacing[sl, None]) ** 2
            # receptor relative to the puff centroid, minus the source offset
            off_e = east[sl, None] - (w["disp_e"][sl, None] - wind.disp_e[None, r])
            off_n = north[sl, None] - (w["disp_n"][sl, None] - wind.disp_n[None, r])
            rel_e = off_e[None] - src_e
            rel_n = off_n[None] - src_n
            along = rel_e * de[sl, None] + rel_n * dn[sl, None]
            cross = -rel_e * dn[sl, None] + rel_n * de[sl, None]
            horiz = np.exp(-0.5 * (along * along / sx2 + cross * cross / (sy * sy)))
            vert = vertical_factor(up[sl, None][None], src_h, sz[None], mixing_height_m)
            c = norm / (np.sqrt(sx2) * sy * sz) * horiz * vert
            if emission is not None:
                c = c * emission[:, None, r]
            out[:, sl] = np.where(live[None], c, 0.0).sum(axis=2)
            pairs += int(live.sum())
        if progress is not None:
            progress(i1 - i0)
        i0 = i1
    return out, pairs
