"""Shapes of the products in WGS84: a source's 95% ellipse as a polygon."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.store import models as m
from olfato.survey.projection import LocalFrame


def ellipse_local(
    east: float, north: float, semi_major: float, semi_minor: float, azimuth_deg: float, n: int = 72
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Closed ring of an ellipse centred at ``east``, ``north`` [m], axes [m], major axis
    ``azimuth_deg`` clockwise from north; returns (east, north) [m], first point repeated.

    Parameters
    ----------
    east, north : float
        Centre in the survey's local frame [m].
    semi_major, semi_minor : float
        Semi-axes [m].
    azimuth_deg : float
        Direction of the major axis, clockwise from north [deg].
    n : int, default 72
        Points on the ring before the repeated first one.

    Returns
    -------
    east, north : numpy.ndarray
        ``n + 1`` coordinates each [m].
    """
    th = np.linspace(0.0, 2.0 * np.pi, n + 1)
    az = np.deg2rad(azimuth_deg)
    u = np.array([np.sin(az), np.cos(az)])  # along the major axis (east, north)
    v = np.array([np.cos(az), -np.sin(az)])  # along the minor axis
    e = east + semi_major * np.cos(th) * u[0] + semi_minor * np.sin(th) * v[0]
    nn = north + semi_major * np.cos(th) * u[1] + semi_minor * np.sin(th) * v[1]
    e[-1], nn[-1] = e[0], nn[0]
    return e, nn


def source_ellipse_wgs84(
    src: m.Source, survey: m.Survey, n: int = 72
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The source's 95% ellipse as (lat, lon) [deg], a closed ring.

    Parameters
    ----------
    src : olfato.store.models.Source
        A located source (its ``region``: semi-axes [m] and azimuth [deg]).
    survey : olfato.store.models.Survey
        Its survey, whose ``lat0``/``lon0`` [deg] anchor the local frame.
    n : int, default 72
        Points on the ring before the repeated first one.

    Returns
    -------
    lat, lon : numpy.ndarray
        ``n + 1`` coordinates each [deg].

    Raises
    ------
    ValueError
        ``src`` is a detection, which has no 95 % region.
    """
    e, nn = ellipse_local(src.east_m, src.north_m, *src.region, n)
    lat, lon = LocalFrame(survey.lat0, survey.lon0).to_wgs84(e, nn)
    lat[-1], lon[-1] = lat[0], lon[0]
    return lat, lon
