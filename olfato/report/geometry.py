"""Shapes of the products in WGS84: a source's 95% ellipse as a polygon."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from olfato.locate.posterior import Ellipse, ellipse_ring
from olfato.store import models as m
from olfato.survey.projection import LocalFrame


def source_ellipse_local(
    src: m.Source, n: int = 72
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The stored source's 95% ellipse as a closed ring in its survey's frame.

    Parameters
    ----------
    src : olfato.store.models.Source
        A located source: position [m] and 95% ellipse (its ``region``: semi-axes
        [m] and azimuth [deg]).
    n : int, default 72
        Points on the ring before the repeated first one.

    Returns
    -------
    east, north : numpy.ndarray
        ``n + 1`` coordinates each [m] (:func:`olfato.locate.posterior.ellipse_ring`).

    Raises
    ------
    ValueError
        ``src`` is a detection, which has no 95 % region.
    """
    return ellipse_ring(src.east_m, src.north_m, Ellipse(*src.region), n)


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
    e, nn = source_ellipse_local(src, n)
    lat, lon = LocalFrame(survey.lat0, survey.lon0).to_wgs84(e, nn)
    lat[-1], lon[-1] = lat[0], lon[0]
    return lat, lon
