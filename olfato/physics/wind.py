"""Wind conventions: the meteorological FROM direction, vectors, plume coordinates.

Meteorological convention (WMO, *Guide to Meteorological Instruments and Methods of
Observation*, WMO-No. 8, 2018, Vol. I ch. 5): the wind direction is where the wind
blows FROM, in degrees clockwise from true north. A wind FROM 270 (west) blows
towards the east: its vector is (+speed, 0) in (east, north).

Plume coordinates follow the Gaussian plume literature (Turner 1970): x is the
distance downwind of the source along the direction the wind blows TO, y the
crosswind distance, positive to the LEFT of an observer looking downwind (so that
x, y, z is right-handed with z up).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]


def wind_vector(speed_ms: ArrayLike, dir_from_deg: ArrayLike) -> tuple[F64, F64]:
    """Wind vector components from speed and meteorological direction.

    Parameters
    ----------
    speed_ms : array_like
        Wind speed [m/s].
    dir_from_deg : array_like
        Direction the wind blows FROM, clockwise from north [deg].

    Returns
    -------
    u_east, v_north : ndarray
        Components [m/s] of the velocity the air moves with (a wind FROM 270 deg is
        (+speed, 0)).
    """
    s = np.asarray(speed_ms, dtype=float)
    th = np.deg2rad(np.asarray(dir_from_deg, dtype=float))
    return -s * np.sin(th), -s * np.cos(th)


def wind_from_vector(u_east: ArrayLike, v_north: ArrayLike) -> tuple[F64, F64]:
    """Speed and meteorological direction from wind vector components.

    A calm (zero vector) gets direction 0 by convention (WMO-No. 8 reports calm as 0);
    a NaN component gives NaN speed and direction.

    Parameters
    ----------
    u_east, v_north : array_like
        Components of the air's velocity [m/s].

    Returns
    -------
    speed : ndarray
        [m/s].
    direction : ndarray
        Direction FROM, clockwise from north, in [0, 360) [deg]; NaN where a
        component is NaN.
    """
    u = np.asarray(u_east, dtype=float)
    v = np.asarray(v_north, dtype=float)
    speed = np.hypot(u, v)
    direction = np.mod(np.rad2deg(np.arctan2(-u, -v)), 360.0)
    # calm -> 0; a missing vector (NaN) stays missing
    return speed, np.where(speed > 0, direction, np.where(np.isnan(speed), np.nan, 0.0))


def downwind_crosswind(
    east_m: ArrayLike,
    north_m: ArrayLike,
    source_east_m: ArrayLike,
    source_north_m: ArrayLike,
    dir_from_deg: ArrayLike,
) -> tuple[F64, F64]:
    """Receptor position relative to a source in plume coordinates.

    All inputs broadcast.

    Parameters
    ----------
    east_m, north_m : array_like
        Receptor [m].
    source_east_m, source_north_m : array_like
        Source [m].
    dir_from_deg : array_like
        Wind direction FROM [deg].

    Returns
    -------
    x : ndarray
        Distance downwind [m] (negative upwind).
    y : ndarray
        Crosswind distance [m], positive to the left looking downwind.
    """
    th = np.deg2rad(np.asarray(dir_from_deg, dtype=float))
    # unit vector the wind blows TO
    de, dn = -np.sin(th), -np.cos(th)
    re = np.asarray(east_m, dtype=float) - np.asarray(source_east_m, dtype=float)
    rn = np.asarray(north_m, dtype=float) - np.asarray(source_north_m, dtype=float)
    x = re * de + rn * dn
    y = -re * dn + rn * de
    return x, y
