"""Gaussian plume dispersion from a continuous point source, with reflections.

The concentration [g/m3] at a receptor x [m] downwind, y [m] crosswind and z [m]
above ground of a source of rate Q [g/s] at height H [m] in a wind of speed u [m/s]
is (Turner, *Workbook of Atmospheric Dispersion Estimates*, US EPA AP-26, 1970,
eq. 3.1; ground reflection by an image source at -H)::

    C = Q / (2 pi u sy sz) exp(-y^2 / 2 sy^2)
          [exp(-(z - H)^2 / 2 sz^2) + exp(-(z + H)^2 / 2 sz^2)]

With a mixing height L, images are reflected between ground and lid (Turner 1970,
eq. 5.8) and once sz >= 1.6 L the plume is taken as uniformly mixed below L
(Turner 1970, eq. 5.9): C = Q / (sqrt(2 pi) u sy L) exp(-y^2 / 2 sy^2).

Dispersion coefficients sy(x), sz(x) [m] come from one of :data:`SIGMA_MODELS`:

``briggs_rural``, ``briggs_urban``
    Briggs (1973), "Diffusion estimation for small emissions", ATDL contribution
    79, as tabulated in Hanna, Briggs & Hosker, *Handbook on Atmospheric Diffusion*
    (DOE/TIC-11223, 1982), Table 4.5 (open country) and 4.6 (urban). Valid
    100 m < x < 10 km.
``pasquill_gifford``
    The Pasquill-Gifford curves of Turner (1970), Figs. 3-2 and 3-3, as fitted in
    the ISC3 model: US EPA, *User's Guide for the Industrial Source Complex (ISC3)
    Dispersion Models*, Vol. II, EPA-454/B-95-003b (1995), eqs. 1-33/1-34 and
    Tables 1-1 and 1-2.

Edge cases, defined rather than NaN: receptors at or upwind of the source (x <= 0)
get 0; 0 < x < :data:`X_MIN_M` is evaluated at :data:`X_MIN_M` (the source is not a
mathematical point); wind speeds below :data:`U_MIN_MS` are raised to it, as ISC3
does (Vol. II, sec. 1.1.5.3), because the plume equation (advection >> along-wind
diffusion) has no meaning in calm air.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from olfato.physics.stability import STABILITY_CLASSES

F64 = NDArray[np.float64]

SIGMA_MODELS = ("briggs_rural", "briggs_urban", "pasquill_gifford")

#: lowest wind speed the plume equation is evaluated at [m/s] (ISC3 Vol. II 1.1.5.3)
U_MIN_MS = 1.0
#: shortest downwind distance evaluated [m]; closer receptors use this distance
X_MIN_M = 1.0
#: sz / L above which the plume is uniformly mixed below the lid (Turner 1970, ch. 5)
WELL_MIXED_RATIO = 1.6
#: image pairs on each side of the source for lid reflections (|n| <= 4 leaves
#: < 1e-5 of the mass unaccounted while sz < 1.6 L)
N_IMAGES = 4

#: exp(-x) is exactly 0.0 in double precision for x >= this (the smallest subnormal
#: is exp(-744.4))
_EXP_UNDERFLOW = 746.0

# Briggs (1973) via Hanna et al. (1982), Tables 4.5/4.6: sy = a x (1 + b x)^c,
# sz = d x (1 + e x)^f, x [m].
_BRIGGS_RURAL = {
    "A": (0.22, 1e-4, -0.5, 0.20, 0.0, 0.0),
    "B": (0.16, 1e-4, -0.5, 0.12, 0.0, 0.0),
    "C": (0.11, 1e-4, -0.5, 0.08, 2e-4, -0.5),
    "D": (0.08, 1e-4, -0.5, 0.06, 1.5e-3, -0.5),
    "E": (0.06, 1e-4, -0.5, 0.03, 3e-4, -1.0),
    "F": (0.04, 1e-4, -0.5, 0.016, 3e-4, -1.0),
}
_BRIGGS_URBAN = {
    "A": (0.32, 4e-4, -0.5, 0.24, 1e-3, 0.5),
    "B": (0.32, 4e-4, -0.5, 0.24, 1e-3, 0.5),
    "C": (0.22, 4e-4, -0.5, 0.20, 0.0, 0.0),
    "D": (0.16, 4e-4, -0.5, 0.14, 3e-4, -0.5),
    "E": (0.11, 4e-4, -0.5, 0.08, 1.5e-3, -0.5),
    "F": (0.11, 4e-4, -0.5, 0.08, 1.5e-3, -0.5),
}
# ISC3 Vol. II Table 1-1: sy = 465.11628 x tan(0.017453293 (c - d ln x)), x [km].
_PG_SIGMA_Y = {
    "A": (24.1670, 2.5334),
    "B": (18.3330, 1.8096),
    "C": (12.5000, 1.0857),
    "D": (8.3330, 0.72382),
    "E": (6.2500, 0.54287),
    "F": (4.1667, 0.36191),
}
# ISC3 Vol. II Table 1-2: sz = a x^b [m], x [km], piecewise by upper bound of x [km];
# sz is capped at 5000 m.
_PG_SIGMA_Z = {
    "A": (
        (0.10, 122.800, 0.94470),
        (0.15, 158.080, 1.05420),
        (0.20, 170.220, 1.09320),
        (0.25, 179.520, 1.12620),
        (0.30, 217.410, 1.26440),
        (0.40, 258.890, 1.40940),
        (0.50, 346.750, 1.72830),
        (np.inf, 453.850, 2.11660),
    ),
    "B": ((0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (np.inf, 109.300, 1.09710)),
    "C": ((np.inf, 61.141, 0.91465),),
    "D": (
        (0.30, 34.459, 0.86974),
        (1.00, 32.093, 0.81066),
        (3.00, 32.093, 0.64403),
        (10.00, 33.504, 0.60486),
        (30.00, 36.650, 0.56589),
        (np.inf, 44.053, 0.51179),
    ),
    "E": (
        (0.10, 24.260, 0.83660),
        (0.30, 23.331, 0.81956),
        (1.00, 21.628, 0.75660),
        (2.00, 21.628, 0.63077),
        (4.00, 22.534, 0.57154),
        (10.00, 24.703, 0.50527),
        (20.00, 26.970, 0.46713),
        (40.00, 35.420, 0.37615),
        (np.inf, 47.618, 0.29592),
    ),
    "F": (
        (0.20, 15.209, 0.81558),
        (0.70, 14.457, 0.78407),
        (1.00, 13.953, 0.68465),
        (2.00, 13.953, 0.63227),
        (3.00, 14.823, 0.54503),
        (7.00, 16.187, 0.46490),
        (15.00, 17.836, 0.41507),
        (30.00, 22.651, 0.32681),
        (60.00, 27.074, 0.27436),
        (np.inf, 34.219, 0.21716),
    ),
}
_PG_SIGMA_Z_MAX_M = 5000.0


def _classes(stability: ArrayLike, shape: tuple[int, ...]) -> NDArray[np.str_]:
    cls = np.char.upper(np.asarray(stability, dtype=str))
    bad = sorted(set(np.unique(cls).tolist()) - set(STABILITY_CLASSES))
    if bad:
        raise ValueError(
            f"unknown stability class {', '.join(map(repr, bad))}; expected one of A, B, C, D, E, F"
        )
    return np.broadcast_to(cls, shape)


def _briggs(x: F64, c: tuple[float, float, float, float, float, float]) -> tuple[F64, F64]:
    a, b, p, d, e, f = c
    return a * x * (1.0 + b * x) ** p, d * x * (1.0 + e * x) ** f


def _pasquill_gifford(x: F64, cls: str) -> tuple[F64, F64]:
    xk = x / 1000.0
    ln_xk = np.log(xk)
    c, d = _PG_SIGMA_Y[cls]
    sy = 465.11628 * xk * np.tan(0.017453293 * (c - d * ln_xk))
    table = _PG_SIGMA_Z[cls]
    bounds = np.array([row[0] for row in table])
    i = np.searchsorted(bounds, xk, side="left")  # bounds are inclusive upper limits
    a = np.array([row[1] for row in table])[i]
    b = np.array([row[2] for row in table])[i]
    sz = np.minimum(a * np.exp(b * ln_xk), _PG_SIGMA_Z_MAX_M)  # a xk^b
    return sy, sz


def sigma_yz(x_m: ArrayLike, stability: ArrayLike, model: str = "briggs_rural") -> tuple[F64, F64]:
    """Plume dispersion coefficients at a distance downwind.

    Distances below :data:`X_MIN_M` (including upwind ones) are evaluated at
    :data:`X_MIN_M`, so the result is always finite and positive. Briggs rural class D
    at 1 km gives sigma_y 76.28 m, sigma_z 37.95 m.

    Parameters
    ----------
    x_m : array_like
        Downwind distance [m].
    stability : array_like
        Pasquill-Gifford class ``"A"``..``"F"`` (one, or an array that broadcasts with
        ``x_m``).
    model : str
        One of :data:`SIGMA_MODELS` (see the module docstring for the references).

    Returns
    -------
    sigma_y, sigma_z : ndarray
        Crosswind and vertical standard deviations of the plume [m].

    Raises
    ------
    ValueError
        For an unknown model or stability class.
    """
    if model not in SIGMA_MODELS:
        raise ValueError(
            f"unknown dispersion model '{model}'; expected one of {', '.join(SIGMA_MODELS)}"
        )
    x = np.maximum(np.asarray(x_m, dtype=float), X_MIN_M)
    if np.ndim(stability) == 0:
        # one class for every distance (locate's case): no per-class masks and copies
        sy, sz = _sigma_yz_of_class(x, str(_classes(stability, ())), model)
        return np.asarray(sy), np.asarray(sz)
    cls = _classes(stability, np.broadcast_shapes(x.shape, np.shape(stability)))
    x = np.broadcast_to(x, cls.shape)
    sy = np.empty(cls.shape)
    sz = np.empty(cls.shape)
    for c in np.unique(cls):
        m = cls == c
        sy[m], sz[m] = _sigma_yz_of_class(x[m], str(c), model)
    return sy, sz


def _sigma_yz_of_class(x: F64, cls: str, model: str) -> tuple[F64, F64]:
    """:func:`sigma_yz` at distances ``x`` [m] (already at least :data:`X_MIN_M`) of one
    class."""
    if model == "pasquill_gifford":
        return _pasquill_gifford(x, cls)
    table = _BRIGGS_RURAL if model == "briggs_rural" else _BRIGGS_URBAN
    return _briggs(x, table[cls])


def vertical_factor(
    z_m: ArrayLike,
    source_height_m: ArrayLike,
    sigma_z_m: ArrayLike,
    mixing_height_m: float | None = None,
) -> F64:
    """The bracketed vertical term of the plume equation, with reflections.

    Sum of exp(-(z -/+ H + 2 n L)^2 / 2 sz^2) over the ground image (Turner 1970, eq.
    3.1) and, with a mixing height L, the lid images |n| <= :data:`N_IMAGES` (Turner
    1970, eq. 5.8); for sz >= 1.6 L the uniformly mixed equivalent sqrt(2 pi) sz / L
    (eq. 5.9). Receptors above the lid get 0.

    Parameters
    ----------
    z_m : array_like
        Receptor height above ground [m].
    source_height_m : array_like
        Source height [m].
    sigma_z_m : array_like
        Vertical dispersion coefficient [m]; the three broadcast.
    mixing_height_m : float, optional
        Height of the lid [m]; None for no lid.

    Returns
    -------
    ndarray
        The vertical factor [-].
    """
    z = np.asarray(z_m, dtype=float)
    h = np.asarray(source_height_m, dtype=float)
    sz = np.asarray(sigma_z_m, dtype=float)
    two_var = 2.0 * sz * sz
    if mixing_height_m is None:
        return np.exp(-((z - h) ** 2) / two_var) + np.exp(-((z + h) ** 2) / two_var)
    lid = float(mixing_height_m)
    total = np.zeros(np.broadcast_shapes(z.shape, h.shape, sz.shape))
    # an image at least sqrt(2 x 746) sz away everywhere adds exp(< -746) = 0.0 exactly
    # in double precision: it is left out (most lid images, for a lid far above sz)
    reach = np.sqrt(2.0 * _EXP_UNDERFLOW) * float(np.max(sz)) if sz.size else 0.0
    top = float(np.max(np.abs(z))) + float(np.max(np.abs(h))) if z.size and h.size else 0.0
    for n in range(-N_IMAGES, N_IMAGES + 1):
        if n != 0 and 2 * abs(n) * lid - top > reach:
            continue
        total = total + np.exp(-((z - h + 2 * n * lid) ** 2) / two_var)
        total = total + np.exp(-((z + h + 2 * n * lid) ** 2) / two_var)
    mixed = np.sqrt(2.0 * np.pi) * sz / lid
    out = np.where(sz >= WELL_MIXED_RATIO * lid, mixed, total)
    return np.where(z <= lid, out, 0.0)


def gaussian_plume_sigma(
    y_m: ArrayLike,
    z_m: ArrayLike,
    rate_g_s: ArrayLike,
    wind_speed_ms: ArrayLike,
    source_height_m: ArrayLike,
    sigma_y_m: ArrayLike,
    sigma_z_m: ArrayLike,
    mixing_height_m: float | None = None,
) -> F64:
    """Plume concentration for given dispersion coefficients.

    Turner (1970) eqs. 3.1, 5.8, 5.9. Inputs broadcast.

    Parameters
    ----------
    y_m : array_like
        Crosswind distance of the receptor [m].
    z_m : array_like
        Receptor height above ground [m].
    rate_g_s : array_like
        Emission rate [g/s].
    wind_speed_ms : array_like
        Wind speed [m/s], raised to :data:`U_MIN_MS`.
    source_height_m : array_like
        [m].
    sigma_y_m, sigma_z_m : array_like
        Dispersion coefficients at the receptor's downwind distance [m].
    mixing_height_m : float, optional
        [m]; None for no lid.

    Returns
    -------
    ndarray
        Concentration [g/m3].
    """
    u = np.maximum(np.asarray(wind_speed_ms, dtype=float), U_MIN_MS)
    sy = np.asarray(sigma_y_m, dtype=float)
    sz = np.asarray(sigma_z_m, dtype=float)
    y = np.asarray(y_m, dtype=float)
    lateral = np.exp(-(y * y) / (2.0 * sy * sy))
    vert = vertical_factor(z_m, source_height_m, sz, mixing_height_m)
    return np.asarray(rate_g_s, dtype=float) / (2.0 * np.pi * u * sy * sz) * lateral * vert


def crosswind_integrated_sigma(
    z_m: ArrayLike,
    wind_speed_ms: ArrayLike,
    source_height_m: ArrayLike,
    sigma_z_m: ArrayLike,
    mixing_height_m: float | None = None,
) -> F64:
    """Crosswind-integrated concentration per unit rate, for a given sigma_z.

    The plume of :func:`gaussian_plume_sigma` integrated over y (the lateral Gaussian
    integrates to sqrt(2 pi) sy): CIC / Q = V / (sqrt(2 pi) u sz), V the
    :func:`vertical_factor` (Turner 1970, eq. 3.1; eq. 5.9 where well mixed). It does
    not depend on sigma_y. Inputs broadcast.

    Parameters
    ----------
    z_m : array_like
        Receptor height above ground [m].
    wind_speed_ms : array_like
        Wind speed [m/s], raised to :data:`U_MIN_MS`.
    source_height_m : array_like
        [m].
    sigma_z_m : array_like
        Vertical dispersion coefficient at the receptor's downwind distance [m].
    mixing_height_m : float, optional
        [m]; None for no lid.

    Returns
    -------
    ndarray
        Crosswind-integrated concentration per unit rate [g/m2 per g/s].
    """
    u = np.maximum(np.asarray(wind_speed_ms, dtype=float), U_MIN_MS)
    sz = np.asarray(sigma_z_m, dtype=float)
    vert = np.asarray(vertical_factor(z_m, source_height_m, sz, mixing_height_m))
    # the factor on the smaller arrays first, then one product at the full shape
    scale = 1.0 / (np.sqrt(2.0 * np.pi) * u * sz)
    if vert.ndim and vert.shape == np.broadcast_shapes(vert.shape, scale.shape):
        vert *= scale
        return vert
    return np.asarray(vert * scale, dtype=float)


def gaussian_plume(
    x_m: ArrayLike,
    y_m: ArrayLike,
    z_m: ArrayLike,
    rate_g_s: ArrayLike,
    wind_speed_ms: ArrayLike,
    source_height_m: ArrayLike,
    stability: ArrayLike,
    model: str = "briggs_rural",
    mixing_height_m: float | None = None,
) -> F64:
    """Time-averaged concentration downwind of a continuous point source.

    All array inputs broadcast. Upwind receptors (x <= 0) get exactly 0; calm winds
    are raised to :data:`U_MIN_MS` (module docstring).

    Parameters
    ----------
    x_m, y_m : array_like
        Downwind and crosswind distance of the receptor [m] (see
        :func:`olfato.physics.wind.downwind_crosswind`).
    z_m : array_like
        Receptor height above ground [m].
    rate_g_s : array_like
        Emission rate [g/s].
    wind_speed_ms : array_like
        Wind speed [m/s].
    source_height_m : array_like
        [m].
    stability : array_like
        Pasquill-Gifford class A..F.
    model : str
        One of :data:`SIGMA_MODELS`.
    mixing_height_m : float, optional
        [m]; None for no lid.

    Returns
    -------
    ndarray
        Concentration [g/m3].

    Raises
    ------
    ValueError
        For an unknown model or stability class.
    """
    x = np.asarray(x_m, dtype=float)
    sy, sz = sigma_yz(x, stability, model)
    c = gaussian_plume_sigma(
        y_m, z_m, rate_g_s, wind_speed_ms, source_height_m, sy, sz, mixing_height_m
    )
    return np.where(np.broadcast_to(x, c.shape) > 0.0, c, 0.0)
