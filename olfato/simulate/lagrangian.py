"""An independent plume model: a Lagrangian stochastic particle model of the surface layer.

olfato's own inference uses Gaussian plumes and puffs; a method tested only on data
made by the same equations can hide its own model error. This module is a second
plume model built on different physics, selected per scenario with
``plume_model: lagrangian``.

Particles
    Each source releases ``particles_per_s`` marked fluid particles a second, each
    carrying mass 1/particles_per_s per unit rate [g per g/s] (times the emission
    pattern, so a lab cooking in batches releases nothing while off). Every particle
    moves with the resolved wind (the meandering, gusting uniform wind of
    :mod:`olfato.simulate.world`, scaled with height by the Monin-Obukhov log profile)
    plus its own turbulent velocity (u', v', w') along, across and up.

Turbulent velocities
    Langevin equations that satisfy the well-mixed criterion of Thomson (1987,
    "Criteria for the selection of stochastic models of particle trajectories in
    turbulent flows", J. Fluid Mech. 180, 529-556) for Gaussian turbulence whose
    vertical variance sigma_w^2(z) varies with height (his eq. 17 in one dimension)::

        dw = [-w / T_Lw + 0.5 (1 + w^2 / sigma_w^2) d(sigma_w^2)/dz] dt
             + sqrt(2 sigma_w^2 / T_Lw) dW

    The horizontal components are homogeneous Gaussian (sigma_u, sigma_v constant in
    the surface layer), so theirs is the plain Langevin equation, with time scales
    that may vary with the particle's height. The linear part is integrated exactly
    over a step, u <- u phi + sigma sqrt(1 - phi^2) xi, phi = exp(-dt / T_L)
    (Gillespie 1996, Phys. Rev. E 54, 2084), so short time scales near the ground
    stay stable.

Boundary layer by stability class
    Class -> Monin-Obukhov length L from Golder's (1972) nomogram as fitted by
    1/L = a + b log10(z0) (Seinfeld & Pandis, *Atmospheric Chemistry and Physics*,
    2nd ed., 2006, Table 16.4); friction velocity u* from the log profile with the
    Businger-Dyer stability functions (Dyer 1974, Boundary-Layer Meteorol. 7, 363);
    boundary-layer height h: the mixing lid if the scenario gives one, else
    Zilitinkevich's 0.4 sqrt(u* L / f) in stable air, 0.3 u*/f in neutral air
    (Hanna 1982) and :data:`CONVECTIVE_HEIGHT_M` in unstable air. Velocity variances
    and Lagrangian time scales: Hanna (1982, "Applications in air pollution
    modeling", in *Atmospheric Turbulence and Air Pollution Modelling*, Nieuwstadt &
    van Dop eds., Reidel, 275-310), as collected by Rodean (1996, *Stochastic
    Lagrangian Models of Turbulent Diffusion*, AMS Meteorol. Monogr. 26(48), ch. 7);
    sigma_w in the unstable surface layer after Panofsky et al. (1977,
    Boundary-Layer Meteorol. 11, 355), in stable air with Nieuwstadt's (1984, J.
    Atmos. Sci. 41, 2202) local scaling (1 - z/h)^(3/4). See :func:`turbulence`.

Boundaries
    Perfect reflection at the ground and at h (z -> -z, w -> -w), which keeps a
    well-mixed tracer well mixed for a velocity distribution that is symmetric in w
    (Wilson & Flesch 1993, Boundary-Layer Meteorol. 63, 251).

Concentration
    Gaussian kernel density estimation at each receptor (the drone) at each time
    (de Haan 1999, "On the use of density kernels for concentration estimations
    within particle and puff dispersion models", Atmos. Environ. 33, 2007), with a
    bandwidth that grows with the particle's age as a fraction
    :data:`KERNEL_FRACTION` of Taylor's (1921) single-particle spread, and an image
    across the ground so the kernel conserves mass there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.physics.wind import wind_vector
from olfato.simulate.world import MIN_GUST_SPEED_MS, SOURCE_SIGMA_M, WindSeries

F64 = NDArray[np.float64]

#: von Karman constant [-]
KARMAN = 0.4
#: Coriolis parameter used for boundary-layer heights and neutral time scales [1/s]
#: (mid-latitudes, ~45 deg)
CORIOLIS_PER_S = 1e-4
#: unstable boundary-layer height when the scenario gives no mixing lid [m]
CONVECTIVE_HEIGHT_M = 1000.0
#: floor on the stable boundary-layer height [m]
MIN_STABLE_HEIGHT_M = 50.0
#: height floor for the log profile and the time scales [m] (particles at the ground)
MIN_Z_M = 0.5
#: stable sigma_w stops falling at this fraction of its surface value near the lid
STABLE_SIGMA_FLOOR = 0.2
#: default particles released per second per source [1/s]
PARTICLES_PER_S = 10.0
#: particle time step [s]
DT_S = 1.0
#: kernel bandwidth as a fraction of the Taylor spread at the particle's age [-]
KERNEL_FRACTION = 0.4
#: smallest horizontal and vertical kernel bandwidths [m]
MIN_KERNEL_XY_M = 2.0
MIN_KERNEL_Z_M = 1.5
#: default surface roughness length [m] (scrub, open farmland)
ROUGHNESS_M = 0.1

#: Golder (1972) fit 1/L = a + b log10(z0) [1/m], by Pasquill class
#: (Seinfeld & Pandis 2006, Table 16.4)
GOLDER = {
    "A": (-0.096, 0.029),
    "B": (-0.037, 0.029),
    "C": (-0.002, 0.018),
    "D": (0.0, 0.0),
    "E": (0.004, -0.018),
    "F": (0.035, -0.036),
}


def monin_obukhov_length(stability: str, roughness_m: float = ROUGHNESS_M) -> float:
    """Monin-Obukhov length L [m] of a Pasquill class (Golder 1972).

    Parameters
    ----------
    stability : str
        Pasquill class A..F.
    roughness_m : float
        Surface roughness length z0 [m].

    Returns
    -------
    float
        L [m]: negative when unstable, positive when stable, ``inf`` when neutral.
    """
    a, b = GOLDER[stability]
    inv = a + b * math.log10(roughness_m)
    return math.inf if inv == 0.0 else 1.0 / inv


def psi_m(z_over_l: F64 | float) -> F64:
    """Businger-Dyer integrated stability function for momentum psi_m(z/L) [-] (Dyer 1974).

    Stable (z/L > 0): -5 z/L. Unstable: 2 ln((1+x)/2) + ln((1+x^2)/2) - 2 atan x + pi/2,
    x = (1 - 16 z/L)^(1/4) (Paulson 1970).

    Parameters
    ----------
    z_over_l : float or ndarray
        Height over the Monin-Obukhov length z/L [-].

    Returns
    -------
    ndarray
        psi_m [-].
    """
    zl = np.asarray(z_over_l, dtype=float)
    x = np.power(np.maximum(1.0 - 16.0 * np.minimum(zl, 0.0), 1.0), 0.25)
    unstable = (
        2.0 * np.log((1.0 + x) / 2.0) + np.log((1.0 + x * x) / 2.0) - 2.0 * np.arctan(x) + np.pi / 2
    )
    out: F64 = np.where(zl >= 0.0, -5.0 * zl, unstable)
    return out


def log_profile(z_m: F64 | float, roughness_m: float, mo_length_m: float) -> F64:
    """ln(z/z0) - psi_m(z/L) + psi_m(z0/L): the wind at height z is u*/kappa times this.

    Parameters
    ----------
    z_m : float or ndarray
        Heights [m], floored at :data:`MIN_Z_M` (and above z0).
    roughness_m : float
        Roughness length z0 [m].
    mo_length_m : float
        Monin-Obukhov length L [m] (``inf`` when neutral).

    Returns
    -------
    ndarray
        The profile factor [-].
    """
    z = np.maximum(np.asarray(z_m, dtype=float), max(MIN_Z_M, 1.5 * roughness_m))
    inv_l = 0.0 if math.isinf(mo_length_m) else 1.0 / mo_length_m
    return np.log(z / roughness_m) - psi_m(z * inv_l) + psi_m(roughness_m * inv_l)


@dataclass(frozen=True)
class BoundaryLayer:
    """The surface layer one stability class and one wind give (see :func:`boundary_layer`).

    ``ustar`` friction velocity [m/s], ``mo_length`` Monin-Obukhov length L [m],
    ``height`` h [m], ``roughness`` z0 [m], ``ref_height`` the height the wind
    speed was given at [m], ``stability`` the Pasquill class.
    """

    stability: str
    ustar: float
    mo_length: float
    height: float
    roughness: float
    ref_height: float

    @property
    def regime(self) -> str:
        """'unstable', 'neutral' or 'stable'."""
        if math.isinf(self.mo_length):
            return "neutral"
        return "unstable" if self.mo_length < 0 else "stable"


def boundary_layer(
    stability: str,
    speed_ms: float,
    ref_height_m: float,
    roughness_m: float = ROUGHNESS_M,
    mixing_height_m: float | None = None,
) -> BoundaryLayer:
    """The surface layer for a Pasquill class and a mean wind [m/s] at a height [m].

    Parameters
    ----------
    stability : str
        Pasquill class A..F.
    speed_ms : float
        Mean wind speed at ``ref_height_m`` [m/s].
    ref_height_m : float
        Height of that wind [m] (the drone's anemometer: the flight altitude).
    roughness_m : float
        Roughness length z0 [m].
    mixing_height_m : float or None
        Boundary-layer height h [m]; None derives it (module docstring).

    Returns
    -------
    BoundaryLayer
    """
    L = monin_obukhov_length(stability, roughness_m)
    ustar = KARMAN * speed_ms / float(log_profile(ref_height_m, roughness_m, L))
    if mixing_height_m is not None:
        h = float(mixing_height_m)
    elif math.isinf(L):
        h = 0.3 * ustar / CORIOLIS_PER_S
    elif L > 0:
        h = max(0.4 * math.sqrt(ustar * L / CORIOLIS_PER_S), MIN_STABLE_HEIGHT_M)
    else:
        h = CONVECTIVE_HEIGHT_M
    h = max(h, 2.0 * ref_height_m)
    return BoundaryLayer(stability, ustar, L, h, roughness_m, ref_height_m)


@dataclass(frozen=True)
class Turbulence:
    """Velocity standard deviations [m/s], d(sigma_w^2)/dz [m/s^2] and Lagrangian time
    scales [s], one value per height asked for."""

    sigma_u: F64
    sigma_v: F64
    sigma_w: F64
    dsw2_dz: F64
    tl_u: F64
    tl_v: F64
    tl_w: F64


def turbulence(z_m: F64, bl: BoundaryLayer) -> Turbulence:
    """Turbulence statistics at heights ``z_m`` [m] (Hanna 1982; Rodean 1996, ch. 7).

    Unstable (L < 0): sigma_u = sigma_v = u* (12 + 0.5 h/|L|)^(1/3); sigma_w =
    1.25 u* (1 - 3 z/L)^(1/3) up to z = 0.1 h and constant above (Panofsky et al.
    1977); T_Lu = T_Lv = 0.15 h / sigma_u; T_Lw = 0.1 z / (sigma_w (0.55 - 0.38 z/L))
    below 0.1 h, 0.15 h (1 - exp(-5 z/h)) / sigma_w above.
    Neutral: sigma_u = 2.0 u*, sigma_v = 1.3 u*, sigma_w = 1.25 u*; every T_L =
    0.5 z / sigma_w / (1 + 15 f z / u*).
    Stable (L > 0): sigma_u = 2.0 u*, sigma_v = 1.3 u* (surface values), sigma_w =
    1.25 u* max(1 - z/h, :data:`STABLE_SIGMA_FLOOR` ^ (4/3))^(3/4); T_Lu =
    0.15 h (z/h)^0.5 / sigma_u, T_Lv = 0.07 h (z/h)^0.5 / sigma_v, T_Lw =
    0.10 h (z/h)^0.8 / sigma_w.
    Heights are floored at :data:`MIN_Z_M` for the time scales.

    Parameters
    ----------
    z_m : ndarray
        Heights above ground [m].
    bl : BoundaryLayer
        The surface layer (:func:`boundary_layer`).

    Returns
    -------
    Turbulence
    """
    z = np.asarray(z_m, dtype=float)
    zt = np.maximum(z, MIN_Z_M)
    us, L, h = bl.ustar, bl.mo_length, bl.height
    one = np.ones_like(z)
    a = 1.25 * us
    if bl.regime == "unstable":
        su = us * (12.0 + 0.5 * h / abs(L)) ** (1.0 / 3.0) * one
        sv = su
        zs = 0.1 * h
        zc = np.minimum(np.maximum(z, 0.0), zs)
        base = 1.0 - 3.0 * zc / L
        sw2 = a * a * base ** (2.0 / 3.0)
        dsw2 = np.where(z < zs, -2.0 * a * a / L * base ** (-1.0 / 3.0), 0.0)
        sw = np.sqrt(sw2)
        tl_w = np.where(
            zt < zs,
            0.1 * zt / (sw * (0.55 - 0.38 * zt / L)),
            0.15 * h * (1.0 - np.exp(-5.0 * zt / h)) / sw,
        )
        tl_u = 0.15 * h / su
        tl_v = tl_u
    elif bl.regime == "neutral":
        su = 2.0 * us * one
        sv = 1.3 * us * one
        sw = a * one
        dsw2 = np.zeros_like(z)
        tl_w = 0.5 * zt / sw / (1.0 + 15.0 * CORIOLIS_PER_S * zt / us)
        tl_u = tl_w
        tl_v = tl_w
    else:
        su = 2.0 * us * one
        sv = 1.3 * us * one
        floor = STABLE_SIGMA_FLOOR ** (4.0 / 3.0)
        r = 1.0 - np.maximum(z, 0.0) / h
        rc = np.maximum(r, floor)
        sw = a * rc**0.75
        dsw2 = np.where(r > floor, -1.5 * a * a * np.sqrt(rc) / h, 0.0)
        zh = np.minimum(zt, h) / h
        tl_u = 0.15 * h * np.sqrt(zh) / su
        tl_v = 0.07 * h * np.sqrt(zh) / sv
        tl_w = 0.10 * h * zh**0.8 / sw
    return Turbulence(su, sv, sw, dsw2, tl_u, tl_v, tl_w)


def taylor_sigma(sigma: F64 | float, tl: F64 | float, t: F64 | float) -> F64:
    """Taylor's (1921) single-particle spread [m] after travel time ``t`` [s].

    sigma_y^2 = 2 sigma^2 T_L^2 (t/T_L - 1 + exp(-t/T_L)) for an exponential velocity
    autocorrelation with time scale ``tl`` [s] and velocity sd ``sigma`` [m/s]:
    sigma t for t << T_L and sqrt(2 sigma^2 T_L t) for t >> T_L.

    Parameters
    ----------
    sigma : float or ndarray
        Velocity standard deviation [m/s].
    tl : float or ndarray
        Lagrangian time scale [s].
    t : float or ndarray
        Travel time [s].

    Returns
    -------
    ndarray
        The spread [m].
    """
    s = np.asarray(sigma, dtype=float)
    T = np.asarray(tl, dtype=float)
    tt = np.maximum(np.asarray(t, dtype=float), 0.0)
    x = tt / T
    # x - 1 + exp(-x) loses digits for small x: use its series there
    small = x < 1e-3
    g = np.where(small, x * x / 2.0 - x**3 / 6.0, x - 1.0 + np.exp(-np.minimum(x, 700.0)))
    return np.sqrt(2.0 * s * s * T * T * g)


def ou_update(u: F64, sigma: F64, tl: F64, dt: float, xi: F64) -> F64:
    """One exact step of the stationary Langevin (Ornstein-Uhlenbeck) equation.

    Parameters
    ----------
    u : ndarray
        Velocities [m/s].
    sigma : ndarray
        Their stationary standard deviations [m/s].
    tl : ndarray
        Lagrangian time scales [s].
    dt : float
        Step [s].
    xi : ndarray
        Standard normal draws.

    Returns
    -------
    ndarray
        The new velocities [m/s] (exact step, Gillespie 1996).
    """
    phi = np.exp(-dt / tl)
    return u * phi + sigma * np.sqrt(1.0 - phi * phi) * xi


def vertical_step(
    z: F64,
    w: F64,
    dt: float,
    bl: BoundaryLayer,
    rng: np.random.Generator,
    tb: Turbulence | None = None,
) -> tuple[F64, F64]:
    """Advance heights ``z`` [m] and vertical velocities ``w`` [m/s] by ``dt`` [s].

    Thomson's (1987) well-mixed model for Gaussian inhomogeneous turbulence
    (module docstring): the exact OU step plus the drift
    0.5 (1 + w^2/sigma_w^2) d(sigma_w^2)/dz dt, then perfect reflection at the
    ground and at the boundary-layer top.

    Parameters
    ----------
    z, w : ndarray
        Heights [m] and vertical velocities [m/s].
    dt : float
        Step [s].
    bl : BoundaryLayer
        The surface layer.
    rng : numpy.random.Generator
        Random draws.
    tb : Turbulence or None
        :func:`turbulence` at ``z`` if already computed.

    Returns
    -------
    z, w : ndarray
        New heights [m] and velocities [m/s].
    """
    if tb is None:
        tb = turbulence(z, bl)
    w = ou_update(w, tb.sigma_w, tb.tl_w, dt, rng.standard_normal(len(z)))
    w = w + 0.5 * (1.0 + w * w / (tb.sigma_w * tb.sigma_w)) * tb.dsw2_dz * dt
    z = z + w * dt
    return reflect(z, w, bl.height)


def reflect(z: F64, w: F64, top_m: float) -> tuple[F64, F64]:
    """Perfect reflection at z = 0 and z = ``top_m`` [m]: position mirrored, w reversed.

    Parameters
    ----------
    z, w : ndarray
        Heights [m] and vertical velocities [m/s] after a step.
    top_m : float
        Boundary-layer top [m].

    Returns
    -------
    z, w : ndarray
        Heights inside [0, top_m] [m] and velocities [m/s].
    """
    below = z < 0.0
    z = np.where(below, -z, z)
    w = np.where(below, -w, w)
    above = z > top_m
    z = np.where(above, 2.0 * top_m - z, z)
    w = np.where(above, -w, w)
    # a step longer than the layer (never with sane dt) would leave it: clip
    return np.clip(z, 0.0, top_m), w


def kernel_concentration(
    east: float,
    north: float,
    up: float,
    pe: F64,
    pn: F64,
    pz: F64,
    mass: F64,
    h_xy: F64,
    h_z: F64,
    group: NDArray[np.int64] | None = None,
    n_groups: int = 1,
) -> F64:
    """Gaussian-kernel concentration [mass/m3] at one receptor from particles.

    Parameters
    ----------
    east, north, up : float
        Receptor position [m].
    pe, pn, pz : ndarray
        Particle positions [m].
    mass : ndarray
        Particle masses.
    h_xy, h_z : ndarray
        Horizontal and vertical kernel bandwidths [m].
    group : ndarray of int or None
        Each particle's group (its source) in ``0..n_groups-1``; None: one group.
    n_groups : int
        Number of groups.

    Returns
    -------
    ndarray
        (n_groups,) concentration per group. The kernel is mirrored across the
        ground (de Haan 1999), so a particle at the surface counts whole.
    """
    de = pe - east
    dn = pn - north
    d2 = (de * de + dn * dn) / (h_xy * h_xy)
    near = np.flatnonzero(d2 < 25.0)  # 5 bandwidths: the rest add < 4e-6 of the peak
    if len(near) == 0:
        return np.zeros(n_groups)
    hx, hz, zz = h_xy[near], h_z[near], pz[near]
    vert = np.exp(-0.5 * ((zz - up) / hz) ** 2) + np.exp(-0.5 * ((zz + up) / hz) ** 2)
    c = mass[near] * np.exp(-0.5 * d2[near]) * vert / ((2.0 * np.pi) ** 1.5 * hx * hx * hz)
    if group is None:
        return np.array([c.sum()])
    per_group: F64 = np.bincount(group[near], weights=c, minlength=n_groups).astype(float)
    return per_group


def lagrangian_field(
    t: F64,
    east: F64,
    north: F64,
    up: F64,
    sources: F64,
    wind: WindSeries,
    bl: BoundaryLayer,
    max_travel_m: float,
    rng: np.random.Generator,
    emission: F64 | None = None,
    particles_per_s: float = PARTICLES_PER_S,
    dt: float = DT_S,
    progress: Callable[[int], object] | None = None,
) -> tuple[F64, int]:
    """Particle-model concentration per unit rate [g/m3 per g/s], shape (n_sources, n).

    Parameters
    ----------
    t : ndarray
        Receptor times [s], sorted; several receptors may share a time.
    east, north, up : ndarray
        Receptor positions [m].
    sources : ndarray
        (n_sources, 3) east, north, height [m].
    wind : WindSeries
        The resolved (meandering, gusting) wind at ``bl.ref_height``; particles are
        released from ``wind.t[0]`` on.
    bl : BoundaryLayer
        Surface layer (:func:`boundary_layer`).
    max_travel_m : float
        Particles farther than this from their source [m] are dropped.
    rng : numpy.random.Generator
        Randomness of the turbulent velocities.
    emission : ndarray or None
        (n_sources, len(wind.t)) share of the rate [-] at each wind-grid time, as in
        :func:`olfato.simulate.world.turbulent_field`; None: always on.
    particles_per_s : float
        Particles released per source per second [1/s].
    dt : float
        Particle time step [s].
    progress : callable or None
        Called with the number of receptors done.

    Returns
    -------
    field : ndarray
        (n_sources, n) [g/m3 per g/s].
    n_particles : int
        Particles released in all (for benchmarks).

    Raises
    ------
    ValueError
        ``particles_per_s`` is not positive.
    """
    n = len(t)
    n_src = len(sources)
    out = np.zeros((n_src, n))
    if n == 0 or n_src == 0:
        return out, 0
    if particles_per_s <= 0:
        raise ValueError(f"particles_per_s must be > 0, got {particles_per_s}")
    t_start = float(wind.t[0])
    steps = max(1, math.ceil((float(t[-1]) - t_start) / dt + 0.5))
    # releases per step per source, carried fractionally so the rate is exact
    per_step = particles_per_s * dt
    carry = 0.0
    # kernel bandwidths by source and age in steps: a fraction of the Taylor spread with
    # the statistics at the source's height
    tb_src = turbulence(sources[:, 2], bl)
    ages: F64 = np.arange(steps + 2, dtype=float) * dt
    h_xy_table = np.maximum(
        KERNEL_FRACTION * taylor_sigma(tb_src.sigma_v[:, None], tb_src.tl_v[:, None], ages),
        MIN_KERNEL_XY_M,
    )
    h_z_table = np.maximum(
        KERNEL_FRACTION * taylor_sigma(tb_src.sigma_w[:, None], tb_src.tl_w[:, None], ages),
        MIN_KERNEL_Z_M,
    )
    uref = float(log_profile(bl.ref_height, bl.roughness, bl.mo_length))
    z_grid = np.linspace(0.0, bl.height, max(int(bl.height / 0.05), 2) + 1)
    dz_grid = float(z_grid[1])
    profile = log_profile(z_grid, bl.roughness, bl.mo_length)

    src_idx = np.empty(0, dtype=np.int64)
    pe = np.empty(0)
    pn = np.empty(0)
    pz = np.empty(0)
    pu = np.empty(0)
    pv = np.empty(0)
    pw = np.empty(0)
    born = np.empty(0, dtype=np.int64)
    mass = np.empty(0)
    released = 0
    j = 0  # next receptor
    for k in range(steps + 1):
        tk = t_start + k * dt
        # -- release ------------------------------------------------------------
        carry += per_step
        m_new = int(carry)
        carry -= m_new
        if m_new > 0:
            idx = np.repeat(np.arange(n_src), m_new)
            cnt = len(idx)
            hz0 = sources[idx, 2] + SOURCE_SIGMA_M * np.abs(rng.standard_normal(cnt))
            tb0 = turbulence(hz0, bl)
            if emission is None:
                share = np.ones(cnt)
            else:
                grid_dt = float(wind.t[1] - wind.t[0])
                col = min(max(round((tk - t_start) / grid_dt), 0), len(wind.t) - 1)
                share = emission[idx, col]
            src_idx = np.concatenate([src_idx, idx])
            pe = np.concatenate([pe, sources[idx, 0] + SOURCE_SIGMA_M * rng.standard_normal(cnt)])
            pn = np.concatenate([pn, sources[idx, 1] + SOURCE_SIGMA_M * rng.standard_normal(cnt)])
            pz = np.concatenate([pz, hz0])
            pu = np.concatenate([pu, tb0.sigma_u * rng.standard_normal(cnt)])
            pv = np.concatenate([pv, tb0.sigma_v * rng.standard_normal(cnt)])
            pw = np.concatenate([pw, tb0.sigma_w * rng.standard_normal(cnt)])
            born = np.concatenate([born, np.full(cnt, k, dtype=np.int64)])
            mass = np.concatenate([mass, share / particles_per_s])
            released += cnt
        # -- read out the receptors nearest this step -----------------------------
        if j < n and t[j] < tk + 0.5 * dt:
            j0 = j
            if len(pe):
                age = k - born  # steps
                h_xy = h_xy_table[src_idx, age]
                h_z = h_z_table[src_idx, age]
            while j < n and t[j] < tk + 0.5 * dt:
                if len(pe):
                    out[:, j] = kernel_concentration(
                        float(east[j]),
                        float(north[j]),
                        float(up[j]),
                        pe,
                        pn,
                        pz,
                        mass,
                        h_xy,
                        h_z,
                        src_idx,
                        n_src,
                    )
                j += 1
            if progress is not None:
                progress(j - j0)
        if j >= n:
            break
        if not len(pe):
            continue
        # -- move -----------------------------------------------------------------
        w_now = wind.at(np.array([tk + 0.5 * dt]))
        speed = max(float(w_now["speed"][0]), MIN_GUST_SPEED_MS)
        de_, dn_ = wind_vector(1.0, w_now["direction"])  # unit vector the wind blows TO
        de1, dn1 = float(de_[0]), float(dn_[0])
        tb = turbulence(pz, bl)
        xi = rng.standard_normal((2, len(pz)))
        pu = ou_update(pu, tb.sigma_u, tb.tl_u, dt, xi[0])
        pv = ou_update(pv, tb.sigma_v, tb.tl_v, dt, xi[1])
        # the log profile from a uniform table (far cheaper than its logs and psi)
        fz = np.minimum(pz * (1.0 / dz_grid), len(profile) - 1.001)
        iz = fz.astype(np.int64)
        fz -= iz
        mean = (speed / uref) * (profile[iz] * (1.0 - fz) + profile[iz + 1] * fz)
        along = mean + pu
        pe = pe + (along * de1 - pv * dn1) * dt
        pn = pn + (along * dn1 + pv * de1) * dt
        pz, pw = vertical_step(pz, pw, dt, bl, rng, tb)
        # -- drop particles past the survey's reach (and the empty ones) --------------
        d = np.hypot(pe - sources[src_idx, 0], pn - sources[src_idx, 1])
        keep = (d <= max_travel_m) & (mass > 0)
        if not keep.all():
            src_idx, pe, pn, pz = src_idx[keep], pe[keep], pn[keep], pz[keep]
            pu, pv, pw, born, mass = pu[keep], pv[keep], pw[keep], born[keep], mass[keep]
    return out, released
