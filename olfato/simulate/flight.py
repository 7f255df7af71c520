"""Flight tracks: crosswind survey lines and waypoint routes, flown at constant speed.

Plume surveys fly lines across the wind, starting downwind and stepping upwind, so
each line cuts every plume once and the drone does not fly through a plume it has
not yet mapped (e.g. Hirst et al. 2013, Atmos. Environ. 74, 354 for the crosswind
transect method; Thoma et al. 2016, EPA OTM 33A). The turn to the next line is part
of the track and is sampled like the rest.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError

F64 = NDArray[np.float64]


def survey_lines(
    bounds: tuple[float, float, float, float],
    dir_from_deg: float,
    spacing_m: float,
    start: str = "downwind",
) -> F64:
    """Waypoints (k, 2) [east, north m] of crosswind lines covering a rectangle.

    ``bounds`` = (east_min, east_max, north_min, north_max) [m]; ``dir_from_deg``:
    wind FROM [deg]; lines are ``spacing_m`` [m] apart, the first half a spacing
    inside the ``start`` edge (``"downwind"`` or ``"upwind"``), flown alternately
    left and right (boustrophedon) and clipped to the rectangle.
    """
    e0, e1, n0, n1 = bounds
    th = np.deg2rad(dir_from_deg)
    d = np.array([-np.sin(th), -np.cos(th)])  # downwind unit vector
    c = np.array([-d[1], d[0]])  # crosswind (left of downwind)
    centre = np.array([(e0 + e1) / 2, (n0 + n1) / 2])
    corners = np.array([[e0, n0], [e1, n0], [e1, n1], [e0, n1]]) - centre
    xs = corners @ d
    n_lines = max(1, int(np.floor((xs.max() - xs.min()) / spacing_m + 1e-9)))
    offsets = xs.max() - spacing_m / 2 - spacing_m * np.arange(n_lines)
    if start == "upwind":
        offsets = offsets[::-1]
    pts: list[F64] = []
    for k, x in enumerate(offsets):
        p0 = centre + x * d
        lo, hi = -np.inf, np.inf
        # slab clipping of p0 + s c to the rectangle
        for axis, (a, b) in enumerate(((e0, e1), (n0, n1))):
            if abs(c[axis]) < 1e-12:
                if not a <= p0[axis] <= b:
                    lo, hi = 1.0, 0.0
                continue
            s1, s2 = (a - p0[axis]) / c[axis], (b - p0[axis]) / c[axis]
            lo, hi = max(lo, min(s1, s2)), min(hi, max(s1, s2))
        if hi <= lo:
            continue
        seg = [p0 + lo * c, p0 + hi * c]
        pts.extend(seg if k % 2 == 0 else seg[::-1])
    if len(pts) < 2:
        raise OlfatoError("the survey area is too small for one flight line at this spacing")
    return np.array(pts)


def fly(
    waypoints: F64, speed_ms: float, sample_rate_hz: float, max_duration_s: float | None = None
) -> tuple[F64, F64, F64]:
    """Sample a route flown at constant speed.

    ``waypoints`` (k, 2) [east, north m]; ``speed_ms`` [m/s]; ``sample_rate_hz``
    [Hz]; ``max_duration_s`` [s] cuts the flight short. Returns ``t`` [s since
    take-off], ``east``, ``north`` [m].
    """
    wp = np.asarray(waypoints, dtype=float)
    leg = np.hypot(*np.diff(wp, axis=0).T)
    dist = np.concatenate([[0.0], np.cumsum(leg)])
    duration = dist[-1] / speed_ms
    if max_duration_s is not None:
        duration = min(duration, max_duration_s)
    t = np.arange(0.0, duration + 1e-9, 1.0 / sample_rate_hz)
    east, north = position_at(wp, speed_ms, t)
    return t, east, north


def position_at(waypoints: F64, speed_ms: float, t: F64) -> tuple[F64, F64]:
    """Position [east, north m] at times ``t`` [s] along a route flown at ``speed_ms``."""
    wp = np.asarray(waypoints, dtype=float)
    dist = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(wp, axis=0).T))])
    s = np.clip(np.asarray(t, dtype=float) * speed_ms, 0.0, dist[-1])
    return np.interp(s, dist, wp[:, 0]), np.interp(s, dist, wp[:, 1])
