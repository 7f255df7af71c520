"""No-fly zones: keep survey legs out of them and route transits around them.

A leg that runs through a zone is cut where it enters (keeping ``buffer_m`` clear)
and its longest free piece is kept. A transit between two waypoints that would enter
a zone follows the shortest path in the visibility graph of the zones' corners,
each pushed ``buffer_m`` outwards (Lozano-Perez & Wesley 1979, "An algorithm for
planning collision-free paths among polyhedral obstacles", Commun. ACM 22, 560; the
shortest path among polygonal obstacles bends only at their corners), found with
Dijkstra's algorithm.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from olfato.errors import OlfatoError
from olfato.plan import geometry as geo
from olfato.plan.area import Area

F64 = NDArray[np.float64]

#: default clearance from a no-fly zone's boundary [m]
DEFAULT_BUFFER_M = 10.0


def inside_any(zones: Sequence[Area], east: float, north: float) -> bool:
    """Whether a point [m] is inside any zone."""
    return any(bool(z.contains(east, north)) for z in zones)


def free_pieces(
    start: F64, end: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M
) -> list[tuple[F64, F64]]:
    """The parts of segment start-end [m] outside every zone, ``buffer_m`` clear of them."""
    a = np.asarray(start, dtype=float)
    b = np.asarray(end, dtype=float)
    length = float(np.hypot(*(b - a)))
    if length <= 0:
        return []
    u = (b - a) / length
    blocked: list[tuple[float, float]] = []
    for z in zones:
        for s0, s1 in geo.clip_line(z.rings, a, u):
            blocked.append((s0 - buffer_m, s1 + buffer_m))
    # the buffer also applies sideways: a leg passing just beside a zone is cut too
    n = np.array([-u[1], u[0]])
    for z in zones:
        for off in (-buffer_m, buffer_m):
            for s0, s1 in geo.clip_line(z.rings, a + off * n, u):
                blocked.append((s0, s1))
    free = [(0.0, length)]
    for s0, s1 in blocked:
        nxt = []
        for f0, f1 in free:
            if s1 <= f0 or s0 >= f1:
                nxt.append((f0, f1))
                continue
            if s0 > f0:
                nxt.append((f0, s0))
            if s1 < f1:
                nxt.append((s1, f1))
        free = nxt
    return [(a + f0 * u, a + f1 * u) for f0, f1 in free if f1 > f0]


def _corners(zones: Sequence[Area], buffer_m: float) -> list[F64]:
    out = []
    for z in zones:
        for ring in z.rings:
            r = np.asarray(ring, dtype=float)
            if geo.ring_area(r) < 0:
                r = r[::-1]  # counter-clockwise: outward normal of edge a->b is (dy, -dx)
            prev = np.roll(r, 1, axis=0)
            nxt = np.roll(r, -1, axis=0)
            for p, v, q in zip(prev, r, nxt, strict=True):
                n1 = np.array([v[1] - p[1], -(v[0] - p[0])])
                n2 = np.array([q[1] - v[1], -(q[0] - v[0])])
                n1 /= max(float(np.hypot(*n1)), 1e-12)
                n2 /= max(float(np.hypot(*n2)), 1e-12)
                bis = n1 + n2
                norm = float(np.hypot(*bis))
                if norm < 1e-9:
                    continue
                # push far enough that both adjacent edges are buffer_m away
                cos_half = max(norm / 2.0, 0.2)
                c = v + bis / norm * (buffer_m / cos_half)
                if not inside_any(zones, float(c[0]), float(c[1])):
                    out.append(c)
    return out


def _blocked(p: F64, q: F64, zones: Sequence[Area]) -> bool:
    return any(geo.segment_enters(z.rings, p, q) for z in zones)


def detour(start: F64, end: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M) -> F64:
    """Shortest path (k, 2) [m] from ``start`` to ``end`` that enters no zone.

    Returns the two end points when the straight line is clear. Raises
    :class:`OlfatoError` when an end point is inside a zone or no way round exists.
    """
    a = np.asarray(start, dtype=float)
    b = np.asarray(end, dtype=float)
    if not _blocked(a, b, zones):
        return np.array([a, b])
    for name, p in (("start", a), ("end", b)):
        if inside_any(zones, float(p[0]), float(p[1])):
            raise OlfatoError(
                f"a flight {name} point ({p[0]:.0f} E, {p[1]:.0f} N m) is inside a no-fly zone; "
                "move the home point or the zone"
            )
    nodes = [a, b, *_corners(zones, buffer_m)]
    n = len(nodes)
    dist = np.full(n, np.inf)
    prev = np.full(n, -1)
    dist[0] = 0.0
    heap = [(0.0, 0)]
    done = np.zeros(n, dtype=bool)
    while heap:
        d, i = heapq.heappop(heap)
        if done[i]:
            continue
        done[i] = True
        if i == 1:
            break
        for j in range(n):
            if done[j] or _blocked(nodes[i], nodes[j], zones):
                continue
            nd = d + float(np.hypot(*(nodes[j] - nodes[i])))
            if nd < dist[j]:
                dist[j] = nd
                prev[j] = i
                heapq.heappush(heap, (nd, j))
    if not np.isfinite(dist[1]):
        raise OlfatoError("no way around the no-fly zones between two waypoints of the flight")
    path = [1]
    while path[-1] != 0:
        path.append(int(prev[path[-1]]))
    return np.array([nodes[i] for i in path[::-1]])


def clear_route(route: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M) -> F64:
    """``route`` (k, 2) [m] with detours inserted wherever a straight hop enters a zone."""
    r = np.asarray(route, dtype=float)
    if not zones or len(r) < 2:
        return r
    out = [r[0]]
    for p, q in itertools.pairwise(r):
        out.extend(detour(p, q, zones, buffer_m)[1:])
    return np.array(out)
