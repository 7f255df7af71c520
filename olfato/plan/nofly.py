"""No-fly zones: keep survey legs out of them and route transits around them.

A leg that runs through a zone, or within ``buffer_m`` of it, is cut there (the
zone grown by ``buffer_m``, a shapely buffer) and its free pieces are kept. A
transit between two waypoints that would enter a zone follows the shortest path in
the visibility graph of the corners of the zones grown by ``buffer_m`` with mitred
joins (Lozano-Perez & Wesley 1979, "An algorithm for planning collision-free paths
among polyhedral obstacles", Commun. ACM 22, 560: the shortest path among polygonal
obstacles bends only at their corners), found with networkx's Dijkstra.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import networkx as nx
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from olfato.errors import OlfatoError
from olfato.plan import geometry as geo
from olfato.plan.area import Area

F64 = NDArray[np.float64]

#: default clearance from a no-fly zone's boundary [m]
DEFAULT_BUFFER_M = 10.0
#: a mitred corner reaches at most this many ``buffer_m`` from the zone's corner
#: (a sharper corner is bevelled), as GEOS's ``mitre_limit``
MITRE_LIMIT = 5.0


def inside_any(zones: Sequence[Area], east: float, north: float) -> bool:
    """Whether a point is inside any zone.

    Parameters
    ----------
    zones : sequence of Area
        The no-fly zones.
    east, north : float
        The point [m].

    Returns
    -------
    bool
    """
    return any(bool(z.contains(east, north)) for z in zones)


def _union(zones: Sequence[Area]) -> BaseGeometry:
    return shapely.union_all([z.polygon for z in zones])


def free_pieces(
    start: F64, end: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M
) -> list[tuple[F64, F64]]:
    """The parts of a segment outside every zone and ``buffer_m`` clear of it.

    Parameters
    ----------
    start, end : (2,) array
        The segment [m].
    zones : sequence of Area
        The no-fly zones.
    buffer_m : float
        Clearance [m] kept in every direction.

    Returns
    -------
    list of (start, end)
        The free pieces [m], in order from ``start``.
    """
    a = np.asarray(start, dtype=float)
    b = np.asarray(end, dtype=float)
    length = float(np.hypot(*(b - a)))
    if length <= 0:
        return []
    u = (b - a) / length
    if not zones:
        return [(a, b)]
    grown = shapely.buffer(_union(zones), buffer_m) if buffer_m > 0 else _union(zones)
    blocked = geo.clip_line_to(grown, a, u)
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
    """Corners of the zones grown by ``buffer_m`` (mitred), outside every zone."""
    grown = shapely.buffer(
        _union(zones), max(buffer_m, 1e-6), join_style="mitre", mitre_limit=MITRE_LIMIT
    )
    out = []
    for poly in getattr(grown, "geoms", [grown]):
        for ring in [poly.exterior, *poly.interiors]:
            for c in np.asarray(ring.coords)[:-1]:
                if not inside_any(zones, float(c[0]), float(c[1])):
                    out.append(c)
    return out


def _blocked(p: F64, q: F64, zones: Sequence[Area]) -> bool:
    return any(geo.segment_enters_polygon(z.polygon, p, q) for z in zones)


def visibility_graph(nodes: Sequence[F64], zones: Sequence[Area]) -> nx.Graph:
    """The graph of straight hops between ``nodes`` that enter no zone.

    Parameters
    ----------
    nodes : sequence of (2,) arrays
        Points [m]; node ``i`` of the graph is ``nodes[i]``.
    zones : sequence of Area
        The obstacles.

    Returns
    -------
    networkx.Graph
        Edges weighted by their length [m] (attribute ``weight``).
    """
    pts = np.asarray(nodes, dtype=float)
    i, j = np.triu_indices(len(pts), k=1)
    hops = shapely.linestrings(np.stack([pts[i], pts[j]], axis=1))
    free = np.ones(len(hops), dtype=bool)
    for z in zones:
        free &= ~shapely.relate_pattern(hops, z.polygon, "T********")
    g = nx.Graph()
    g.add_nodes_from(range(len(pts)))
    length = np.hypot(*(pts[j] - pts[i]).T)
    g.add_weighted_edges_from(
        (int(a), int(b), float(w)) for a, b, w in zip(i[free], j[free], length[free], strict=True)
    )
    return g


def detour(start: F64, end: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M) -> F64:
    """Shortest path from ``start`` to ``end`` that enters no zone.

    Parameters
    ----------
    start, end : (2,) array
        The hop [m].
    zones : sequence of Area
        The no-fly zones.
    buffer_m : float
        How far [m] the detour's corners stay from the zones' corners.

    Returns
    -------
    (k, 2) array
        The path [m]; just the two end points when the straight hop is clear.

    Raises
    ------
    OlfatoError
        When an end point is inside a zone or no way round exists.
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
    g = visibility_graph(nodes, zones)
    try:
        path = nx.shortest_path(g, 0, 1, weight="weight")
    except nx.NetworkXNoPath:
        raise OlfatoError(
            "no way around the no-fly zones between two waypoints of the flight"
        ) from None
    return np.array([nodes[i] for i in path])


def clear_route(route: F64, zones: Sequence[Area], buffer_m: float = DEFAULT_BUFFER_M) -> F64:
    """A route with detours inserted wherever a straight hop enters a zone.

    Parameters
    ----------
    route : (k, 2) array
        Waypoints [m].
    zones : sequence of Area
        The no-fly zones.
    buffer_m : float
        Clearance of the detours' corners [m] (:func:`detour`).

    Returns
    -------
    (m, 2) array
        The route [m], m >= k.
    """
    r = np.asarray(route, dtype=float)
    if not zones or len(r) < 2:
        return r
    out = [r[0]]
    for p, q in itertools.pairwise(r):
        out.extend(detour(p, q, zones, buffer_m)[1:])
    return np.array(out)
