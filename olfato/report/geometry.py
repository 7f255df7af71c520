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
        A located source: position [m] and 95% ellipse (semi-axes [m], azimuth
        [deg]) as stored (``region``; a detection has none: ValueError).
    n : int
        Number of distinct points.

    Returns
    -------
    east, north : (n + 1,) arrays
        [m], the first point repeated (:func:`olfato.locate.posterior.ellipse_ring`).
    """
    return ellipse_ring(src.east_m, src.north_m, Ellipse(*src.region), n)


def source_ellipse_wgs84(
    src: m.Source, survey: m.Survey, n: int = 72
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The source's 95% ellipse as (lat, lon) [deg], a closed ring.

    Parameters
    ----------
    src : olfato.store.models.Source
        The stored source.
    survey : olfato.store.models.Survey
        Its survey, whose local frame the source's metres are in.
    n : int
        Number of distinct points.

    Returns
    -------
    lat, lon : (n + 1,) arrays
        [deg], the first point repeated.
    """
    e, nn = source_ellipse_local(src, n)
    lat, lon = LocalFrame(survey.lat0, survey.lon0).to_wgs84(e, nn)
    lat[-1], lon[-1] = lat[0], lon[0]
    return lat, lon
