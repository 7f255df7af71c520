"""Survey lines: the crosswind flight lines (boustrophedon) of a plume survey, downwind first.

Plume surveys fly lines across the wind, starting at the downwind edge and stepping
upwind, so every line cuts every plume once and the drone meets each plume's far
field before flying close to its source (Hirst et al. 2013, Atmos. Environ. 74, 354,
crosswind transects; Thoma et al. 2016, EPA OTM 33A). Back-and-forth
("boustrophedon") order keeps the turns short (Choset 2000, "Coverage of known
spaces: the boustrophedon cellular decomposition", Autonomous Robots 9, 247).

One home for the planner (:mod:`olfato.plan`, real areas with holes) and the
simulator (:mod:`olfato.simulate`, a rectangle): each line is clipped to the area
(shapely; concave areas and holes give several pieces per line) and kept
``margin_m`` inside its boundary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import reduce
from typing import Literal

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

from olfato.errors import OlfatoError
from olfato.physics.wind import wind_vector

F64 = NDArray[np.float64]

#: pieces of a survey line shorter than this are dropped [m]
MIN_PIECE_M = 1.0


def wind_axes(wind_from_deg: float) -> tuple[F64, F64]:
    """Unit vectors along and across the wind.

    Parameters
    ----------
    wind_from_deg : float
        Direction the wind blows FROM, clockwise from north [deg].

    Returns
    -------
    downwind, crosswind : (2,) arrays
        [east, north] unit vectors: where the wind blows to, and 90 deg to its left.
    """
    u, v = wind_vector(1.0, wind_from_deg)
    d = np.array([float(u), float(v)])
    return d, np.array([-d[1], d[0]])


def rectangle(bounds: tuple[float, float, float, float]) -> F64:
    """The ring of a rectangle.

    Parameters
    ----------
    bounds : (east_min, east_max, north_min, north_max)
        [m].

    Returns
    -------
    (4, 2) array
        Corners [east, north m], counter-clockwise, not closed.
    """
    e0, e1, n0, n1 = bounds
    return np.array([[e0, n0], [e1, n0], [e1, n1], [e0, n1]], dtype=float)


def even_odd_polygon(rings: Sequence[ArrayLike]) -> BaseGeometry:
    """The area of ``rings`` under the even-odd rule, as a shapely geometry.

    The even-odd rule (O'Rourke, *Computational Geometry in C*, 2nd ed., 1998, sec.
    7.4) makes holes and multi-part areas work without telling outer rings from
    inner ones.

    Parameters
    ----------
    rings : sequence of (n, 2) array_like
        Simple rings [east, north m], not closed.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The symmetric difference of the rings' polygons: a ring inside an odd number
        of others is a hole.
    """
    polys = [shapely.Polygon(np.asarray(r, dtype=float)) for r in rings]
    return reduce(shapely.symmetric_difference, polys)


def line_spans(
    polygon: BaseGeometry, point: ArrayLike, direction: ArrayLike
) -> list[tuple[float, float]]:
    """Intervals of the line ``point + s * direction`` inside a polygon.

    Parameters
    ----------
    polygon : shapely geometry
        The area [m].
    point : (2,) array_like
        A point of the line [m].
    direction : (2,) array_like
        Unit vector along the line.

    Returns
    -------
    list of (s0, s1)
        Sorted, disjoint intervals of ``s`` [m]; a line that only touches the area
        (at a corner, or along an edge) gives none.
    """
    p = np.asarray(point, dtype=float)
    d = np.asarray(direction, dtype=float)
    if polygon.is_empty:
        return []
    x0, y0, x1, y1 = polygon.bounds
    corners = np.array([[x0, y0], [x0, y1], [x1, y0], [x1, y1]]) - p
    reach = float(np.max(np.abs(corners @ d))) + 1.0
    line = shapely.LineString([p - reach * d, p + reach * d])
    inside = shapely.intersection(line, polygon)
    spans: list[tuple[float, float]] = []
    for g in getattr(inside, "geoms", [inside]):
        if g.is_empty or g.geom_type != "LineString" or g.length <= 0:
            continue
        s = (np.asarray(g.coords) - p) @ d
        spans.append((float(s.min()), float(s.max())))
    spans.sort()
    merged: list[tuple[float, float]] = []
    for s0, s1 in spans:  # pieces GEOS splits at a vertex are one interval
        if merged and s0 <= merged[-1][1] + 1e-9:
            merged[-1] = (merged[-1][0], max(merged[-1][1], s1))
        else:
            merged.append((s0, s1))
    return merged


def line_positions(
    x_min: float,
    x_max: float,
    spacing_m: float,
    placement: Literal["centred", "inset"] = "centred",
    offset_m: float = 0.0,
) -> F64:
    """Downwind coordinates of the lines over an extent, from the downwind edge upwind.

    Parameters
    ----------
    x_min, x_max : float
        The area's extent along the downwind axis [m].
    spacing_m : float
        Distance between lines [m].
    placement : {"centred", "inset"}
        ``"centred"``: as many lines as cover the extent, centred in it, so no strip
        wider than half a spacing is left at either edge; ``"inset"``: the first
        line half a spacing inside the downwind edge, as many as fit.
    offset_m : float
        Shifts every line upwind [m] (modulo the spacing), e.g. to fly a second
        pass between the lines of the first.

    Returns
    -------
    ndarray
        Positions [m], decreasing (downwind first).
    """
    extent = x_max - x_min
    if placement == "inset":
        n = max(1, math.floor(extent / spacing_m + 1e-9))
        first = x_max - spacing_m / 2.0 - math.fmod(offset_m, spacing_m)
    else:
        n = max(1, math.ceil(extent / spacing_m - 1e-9))
        first = x_max - (extent - (n - 1) * spacing_m) / 2.0 - math.fmod(offset_m, spacing_m)
        if first > x_max:
            first -= spacing_m
        n = math.floor((first - x_min) / spacing_m + 1e-9) + 1
    return first - spacing_m * np.arange(n, dtype=float)


def survey_lines(
    rings: Sequence[ArrayLike],
    wind_from_deg: float,
    spacing_m: float,
    *,
    margin_m: float = 0.0,
    offset_m: float = 0.0,
    placement: Literal["centred", "inset"] = "centred",
    start: Literal["downwind", "upwind"] = "downwind",
    min_piece_m: float = MIN_PIECE_M,
    turn: Literal["nearest", "alternate"] = "nearest",
    where: str = "area",
) -> list[F64]:
    """Crosswind survey line pieces covering an area, in flying order.

    Parameters
    ----------
    rings : sequence of (n, 2) array_like
        The area [east, north m], rings not closed, even-odd rule (holes work).
    wind_from_deg : float
        Wind direction FROM [deg].
    spacing_m : float
        Distance between lines [m].
    margin_m : float
        How far inside the boundary each piece ends [m].
    offset_m : float
        Shift of every line upwind [m] (:func:`line_positions`).
    placement : {"centred", "inset"}
        Where the lines sit in the extent (:func:`line_positions`).
    start : {"downwind", "upwind"}
        The edge flown first.
    min_piece_m : float
        Pieces shorter than this are dropped [m].
    turn : {"nearest", "alternate"}
        ``"nearest"``: each line is flown from the end nearer where the previous one
        ended; ``"alternate"``: the k-th line position (counting lines that miss the
        area) is flown to the crosswind-left when k is even, to the right when odd.
    where : str
        Names the area in errors.

    Returns
    -------
    list of (2, 2) arrays
        Pieces [east, north m] in flying order, each flown from its first row to its
        second, back and forth (boustrophedon, ``turn``).

    Raises
    ------
    OlfatoError
        For a spacing not > 0 or a negative margin (``parameter`` names it), or an
        area too small for one line.
    """
    if not spacing_m > 0:
        raise OlfatoError(f"line spacing must be > 0 m, got {spacing_m}", parameter="spacing_m")
    if margin_m < 0:
        raise OlfatoError(
            f"the boundary margin must be >= 0 m, got {margin_m}", parameter="margin_m"
        )
    arrays = [np.asarray(r, dtype=float) for r in rings]
    area = even_odd_polygon(arrays)
    d, c = wind_axes(wind_from_deg)
    xs = np.concatenate(arrays) @ d
    positions = line_positions(float(xs.min()), float(xs.max()), spacing_m, placement, offset_m)
    if start == "upwind":
        positions = positions[::-1]
    pieces: list[F64] = []
    here: F64 | None = None
    for k, x in enumerate(positions):
        base = x * d
        line = []
        for s0, s1 in line_spans(area, base, c):
            s0, s1 = s0 + margin_m, s1 - margin_m
            if s1 > s0 and s1 - s0 >= min_piece_m:
                line.append(np.array([base + s0 * c, base + s1 * c]))
        if not line:
            continue
        if turn == "alternate":
            flip = k % 2 == 1
        else:  # from the end nearer where the drone is
            a, b = line[0][0], line[-1][1]
            flip = here is not None and bool(np.hypot(*(b - here)) < np.hypot(*(a - here)))
        if flip:
            line = [p[::-1] for p in line[::-1]]
        pieces.extend(line)
        here = line[-1][1]
    if not pieces:
        raise OlfatoError(
            f"{where}: the area is too small for one survey line at {spacing_m:g} m "
            f"spacing and a {margin_m:g} m margin"
        )
    return pieces
