"""Flight tracks: crosswind survey lines and waypoint routes, flown at constant speed.

Plume surveys fly lines across the wind, starting downwind and stepping upwind, so
each line cuts every plume once and the drone does not fly through a plume it has
not yet mapped (e.g. Hirst et al. 2013, Atmos. Environ. 74, 354 for the crosswind
transect method; Thoma et al. 2016, EPA OTM 33A). The turn to the next line is part
of the track and is sampled like the rest.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError
from olfato.survey import lines

F64 = NDArray[np.float64]


def survey_lines(
    bounds: tuple[float, float, float, float],
    dir_from_deg: float,
    spacing_m: float,
    start: Literal["downwind", "upwind"] = "downwind",
) -> F64:
    """Waypoints of crosswind lines covering a rectangle.

    Parameters
    ----------
    bounds : (east_min, east_max, north_min, north_max)
        The rectangle [m].
    dir_from_deg : float
        Wind FROM [deg].
    spacing_m : float
        Distance between lines [m]; the first is half a spacing inside the
        ``start`` edge.
    start : {"downwind", "upwind"}
        The edge flown first.

    Returns
    -------
    (k, 2) array
        Waypoints [east, north m]: the lines' ends in flying order, alternately left
        and right (boustrophedon), clipped to the rectangle
        (:func:`olfato.survey.lines.survey_lines`).

    Raises
    ------
    OlfatoError
        When ``spacing_m`` is impossible, or the rectangle is too small for one line.
    """
    try:
        pieces = lines.survey_lines(
            [lines.rectangle(bounds)],
            dir_from_deg,
            spacing_m,
            placement="inset",
            start=start,
            min_piece_m=0.0,
            turn="alternate",
        )
    except OlfatoError as exc:
        if exc.parameter is not None:  # an impossible spacing: its own message
            raise
        raise OlfatoError(
            "the survey area is too small for one flight line at this spacing"
        ) from None
    return np.concatenate(pieces)


def fly(
    waypoints: F64, speed_ms: float, sample_rate_hz: float, max_duration_s: float | None = None
) -> tuple[F64, F64, F64]:
    """Sample a route flown at constant speed.

    ``waypoints`` (k, 2) [east, north m]; ``speed_ms`` [m/s]; ``sample_rate_hz``
    [Hz]; ``max_duration_s`` [s] cuts the flight short. Returns ``t`` [s since
    take-off], ``east``, ``north`` [m].

    Parameters
    ----------
    waypoints : ndarray, shape (k, 2)
        Route [east, north m].
    speed_ms : float
        Ground speed [m/s].
    sample_rate_hz : float
        Sampling rate [Hz].
    max_duration_s : float or None, default None
        Longest flight [s]; None flies the whole route.

    Returns
    -------
    tuple of (ndarray, ndarray, ndarray)
        ``t`` [s since take-off], ``east`` [m], ``north`` [m].
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
    """Position [east, north m] at times ``t`` [s] along a route flown at ``speed_ms``.

    Parameters
    ----------
    waypoints : ndarray, shape (k, 2)
        Route [east, north m].
    speed_ms : float
        Ground speed [m/s].
    t : ndarray
        Times since take-off [s].

    Returns
    -------
    tuple of (ndarray, ndarray)
        ``east``, ``north`` [m].
    """
    wp = np.asarray(waypoints, dtype=float)
    dist = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(wp, axis=0).T))])
    s = np.clip(np.asarray(t, dtype=float) * speed_ms, 0.0, dist[-1])
    return np.interp(s, dist, wp[:, 0]), np.interp(s, dist, wp[:, 1])
