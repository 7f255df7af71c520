"""Plane geometry for flight planning, in local east/north metres, on shapely (GEOS).

An *area* is a list of rings, each an (n, 2) array of [east, north] [m] vertices,
not repeated at the end. The even-odd rule over all rings (O'Rourke, *Computational
Geometry in C*, 2nd ed., 1998, sec. 7.4) makes holes and multi-part areas work
without telling outer rings from inner ones: the area is the symmetric difference
of the rings' polygons (:func:`area_polygon`). The predicates are shapely's (the
DE-9IM relations of the OGC Simple Features model, ISO 19125-1), vectorised over
points where that matters.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from olfato.survey.lines import even_odd_polygon, line_spans

F64 = NDArray[np.float64]
Rings = Sequence[F64]


def area_polygon(rings: Rings) -> BaseGeometry:
    """The area of ``rings`` (even-odd rule) as a shapely geometry.

    Parameters
    ----------
    rings : sequence of (n, 2) arrays
        [m], not closed.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        See :func:`olfato.survey.lines.even_odd_polygon`.
    """
    return even_odd_polygon(rings)


def ring_problem(ring: ArrayLike) -> str | None:
    """Why a ring is not a simple polygon, or None when it is.

    A simple ring has at least three distinct vertices, a non-zero area, and no two
    edges that touch except adjacent ones at their shared corner (shapely's
    ``is_simple`` of the closed ring).

    Parameters
    ----------
    ring : (n, 2) array_like
        Corners [east, north m], not closed.

    Returns
    -------
    str or None
        The problem in words, or None.
    """
    r = np.asarray(ring, dtype=float)
    if r.ndim != 2 or r.shape[1] != 2 or len(r) < 3:
        return "a polygon ring needs at least three distinct corners"
    if not np.all(np.isfinite(r)):
        return "a polygon corner is not a finite number"
    if len(np.unique(np.round(r, 6), axis=0)) < len(r):
        return "the ring passes through the same corner twice"
    if np.linalg.matrix_rank(r - r.mean(axis=0), tol=1e-6) < 2:
        return "the ring encloses no area (its corners are in a line)"
    lr = shapely.LinearRing(r)
    if not lr.is_simple:
        reason = shapely.is_valid_reason(shapely.Polygon(r))
        where = ""
        if "[" in reason:  # e.g. "Self-intersection[50 50]"
            x, y = (float(v) for v in reason[reason.index("[") + 1 : -1].split()[:2])
            where = f" near {x:.0f} E, {y:.0f} N m"
        return f"the ring crosses itself{where}"
    if shapely.Polygon(r).area < 1e-6:
        return "the ring encloses no area (its corners are in a line)"
    return None


def contains(rings: Rings, east: ArrayLike, north: ArrayLike) -> NDArray[np.bool_]:
    """Whether points are inside the area (even-odd rule).

    Parameters
    ----------
    rings : sequence of (n, 2) arrays
        The area [m].
    east, north : array_like
        Points [m], broadcast together.

    Returns
    -------
    ndarray of bool
        True inside; points exactly on an edge may fall either way (callers keep a
        margin).
    """
    poly = area_polygon(rings)
    shapely.prepare(poly)
    out: NDArray[np.bool_] = np.asarray(
        shapely.contains_xy(poly, np.asarray(east, dtype=float), np.asarray(north, dtype=float))
    )
    return out


def clip_line(rings: Rings, point: ArrayLike, direction: ArrayLike) -> list[tuple[float, float]]:
    """Intervals of the line ``point + s * direction`` inside the area of ``rings``.

    Parameters
    ----------
    rings : sequence of (n, 2) arrays
        The area [m] (even-odd rule).
    point : (2,) array_like
        A point of the line [m].
    direction : (2,) array_like
        Unit vector along it.

    Returns
    -------
    list of (s0, s1)
        [m]: :func:`olfato.survey.lines.line_spans` on :func:`area_polygon`.
    """
    return clip_line_to(area_polygon(rings), point, direction)


def clip_line_to(
    polygon: BaseGeometry, point: ArrayLike, direction: ArrayLike
) -> list[tuple[float, float]]:
    """Intervals of a line inside a shapely polygon.

    Parameters
    ----------
    polygon : shapely geometry
        The area [m].
    point, direction : (2,) array_like
        The line ``point + s * direction`` [m].

    Returns
    -------
    list of (s0, s1)
        [m] (:func:`olfato.survey.lines.line_spans`).
    """
    return line_spans(polygon, point, direction)


def segment_enters(rings: Rings, p: ArrayLike, q: ArrayLike) -> bool:
    """Whether the segment p-q passes through the inside of the area.

    Parameters
    ----------
    rings : sequence of (n, 2) arrays
        The area [m].
    p, q : (2,) array_like
        The segment's ends [m].

    Returns
    -------
    bool
        True when the segment's interior meets the area's interior (DE-9IM
        ``T********``): it crosses it or lies in it; running along an edge or through
        a corner is not entering.
    """
    return segment_enters_polygon(area_polygon(rings), p, q)


def segment_enters_polygon(polygon: BaseGeometry, p: ArrayLike, q: ArrayLike) -> bool:
    """Whether a segment passes through the inside of a shapely polygon.

    Parameters
    ----------
    polygon : shapely geometry
        The area [m].
    p, q : (2,) array_like
        The segment's ends [m].

    Returns
    -------
    bool
        As :func:`segment_enters`.
    """
    a = np.asarray(p, dtype=float)
    b = np.asarray(q, dtype=float)
    seg = shapely.LineString([a, b]) if np.any(a != b) else shapely.Point(a)
    return bool(shapely.relate_pattern(seg, polygon, "T********"))


def distance_to_area(rings: Rings, east: float, north: float) -> float:
    """Distance from a point to the area.

    Parameters
    ----------
    rings : sequence of (n, 2) arrays
        The area [m].
    east, north : float
        The point [m].

    Returns
    -------
    float
        Distance [m]; 0 inside.
    """
    return float(shapely.distance(area_polygon(rings), shapely.Point(east, north)))


def path_length(points: ArrayLike) -> float:
    """Length of a polyline.

    Parameters
    ----------
    points : (k, 2) array_like
        Vertices [m].

    Returns
    -------
    float
        Sum of the straight hops [m]; 0 for fewer than two points.
    """
    pts = np.asarray(points, dtype=float)
    if len(pts) < 2:
        return 0.0
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())
