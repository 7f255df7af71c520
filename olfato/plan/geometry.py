"""Plane geometry for flight planning, in local east/north metres.

Small, tested functions over NumPy arrays, so that planning needs no GIS library:
polygon checks, the even-odd point-in-area test, clipping a straight line to an area
(the survey lines), and whether a segment enters a polygon (no-fly zones).

An *area* is a list of rings, each an (n, 2) array of [east, north] [m] vertices,
not repeated at the end. The even-odd rule over all rings (O'Rourke, *Computational
Geometry in C*, 2nd ed., 1998, sec. 7.4) makes holes and multi-part areas work
without telling outer rings from inner ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]
Rings = Sequence[F64]


def ring_area(ring: ArrayLike) -> float:
    """Signed area [m2] of a ring (shoelace formula): > 0 counter-clockwise."""
    r = np.asarray(ring, dtype=float)
    x, y = r[:, 0], r[:, 1]
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _edges(rings: Rings) -> tuple[F64, F64]:
    a = np.concatenate([np.asarray(r, dtype=float) for r in rings])
    b = np.concatenate([np.roll(np.asarray(r, dtype=float), -1, axis=0) for r in rings])
    return a, b


def _segments_cross(p1: F64, p2: F64, q1: F64, q2: F64) -> bool:
    """Whether segments p1-p2 and q1-q2 share a point (touching counts)."""

    def orient(a: F64, b: F64, c: F64) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    def on(a: F64, b: F64, c: F64) -> bool:
        return bool(
            min(a[0], b[0]) - 1e-9 <= c[0] <= max(a[0], b[0]) + 1e-9
            and min(a[1], b[1]) - 1e-9 <= c[1] <= max(a[1], b[1]) + 1e-9
        )

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    eps = 1e-9
    return (
        (abs(d1) < eps and on(q1, q2, p1))
        or (abs(d2) < eps and on(q1, q2, p2))
        or (abs(d3) < eps and on(p1, p2, q1))
        or (abs(d4) < eps and on(p1, p2, q2))
    )


def ring_problem(ring: ArrayLike) -> str | None:
    """Why a ring is not a simple polygon, or None when it is.

    A simple ring has at least three distinct vertices, a non-zero area, and no two
    non-adjacent edges that touch (no self-intersection).
    """
    r = np.asarray(ring, dtype=float)
    if r.ndim != 2 or r.shape[1] != 2 or len(r) < 3:
        return "a polygon ring needs at least three distinct corners"
    if not np.all(np.isfinite(r)):
        return "a polygon corner is not a finite number"
    if len(np.unique(np.round(r, 6), axis=0)) < len(r):
        return "the ring passes through the same corner twice"
    n = len(r)
    for i in range(n):
        for j in range(i + 1, n):
            if j == i + 1 or (i == 0 and j == n - 1):
                continue  # adjacent edges share a corner
            if _segments_cross(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n]):
                return f"the ring crosses itself (edges {i + 1} and {j + 1} intersect)"
    if abs(ring_area(r)) < 1e-6:
        return "the ring encloses no area (its corners are in a line)"
    return None


def contains(rings: Rings, east: ArrayLike, north: ArrayLike) -> NDArray[np.bool_]:
    """Whether points [m] are inside the area (even-odd rule, crossing number).

    Points exactly on an edge may fall either way; callers keep a margin.
    """
    e = np.asarray(east, dtype=float)[..., None]
    n = np.asarray(north, dtype=float)[..., None]
    a, b = _edges(rings)
    ax, ay, bx, by = a[:, 0], a[:, 1], b[:, 0], b[:, 1]
    straddle = (ay > n) != (by > n)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_cross = ax + (n - ay) * (bx - ax) / (by - ay)
    hits = straddle & (e < x_cross)
    out: NDArray[np.bool_] = (np.sum(hits, axis=-1) % 2) == 1
    return out


def clip_line(rings: Rings, point: ArrayLike, direction: ArrayLike) -> list[tuple[float, float]]:
    """Intervals [s0, s1] of the line ``point + s * direction`` inside the area.

    ``point`` [m], ``direction`` a unit vector. Edges are taken half-open (a vertex on
    the line counts for the edge whose other end is strictly on the positive side), so
    a line through a corner is neither lost nor doubled. Intervals are sorted and
    disjoint; touching the area at a single point gives none.
    """
    p = np.asarray(point, dtype=float)
    d = np.asarray(direction, dtype=float)
    normal = np.array([-d[1], d[0]])
    a, b = _edges(rings)
    da = (a - p) @ normal
    db = (b - p) @ normal
    crossing = (da > 0) != (db > 0)
    if not np.any(crossing):
        return []
    t = da[crossing] / (da[crossing] - db[crossing])
    pts = a[crossing] + t[:, None] * (b[crossing] - a[crossing])
    s = np.sort((pts - p) @ d)
    return [(float(s[i]), float(s[i + 1])) for i in range(0, len(s) - 1, 2) if s[i + 1] > s[i]]


def segment_enters(rings: Rings, p: ArrayLike, q: ArrayLike) -> bool:
    """Whether the segment p-q [m] passes through the inside of the area.

    True when it properly crosses an edge, or when a point along it is inside (a
    segment wholly within a zone, or entering through a corner).
    """
    p_ = np.asarray(p, dtype=float)
    q_ = np.asarray(q, dtype=float)
    for ring in rings:
        r = np.asarray(ring, dtype=float)
        for i in range(len(r)):
            a, b = r[i], r[(i + 1) % len(r)]
            if _proper_cross(p_, q_, a, b):
                return True
    # no proper crossing: inside everywhere or nowhere, apart from touching corners
    f = np.linspace(0.0, 1.0, 9)[1:-1]
    mid = p_[None, :] + f[:, None] * (q_ - p_)[None, :]
    return bool(np.any(contains(rings, mid[:, 0], mid[:, 1])))


def _proper_cross(p1: F64, p2: F64, q1: F64, q2: F64) -> bool:
    def orient(a: F64, b: F64, c: F64) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def distance_to_area(rings: Rings, east: float, north: float) -> float:
    """Distance [m] from a point to the area (0 inside)."""
    if bool(contains(rings, east, north)):
        return 0.0
    a, b = _edges(rings)
    p = np.array([east, north])
    ab = b - a
    t = np.clip(np.sum((p - a) * ab, axis=1) / np.maximum(np.sum(ab * ab, axis=1), 1e-12), 0, 1)
    nearest = a + t[:, None] * ab
    return float(np.min(np.hypot(*(nearest - p).T)))


def path_length(points: ArrayLike) -> float:
    """Length [m] of a polyline (k, 2) [m]."""
    pts = np.asarray(points, dtype=float)
    if len(pts) < 2:
        return 0.0
    return float(np.hypot(*np.diff(pts, axis=0).T).sum())
