"""All the per-entity measures of a network in one table, as the CLI, the report and the
server show them: :func:`network_measures`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from olfato.network.betweenness import APPROXIMATE_ABOVE, SAMPLES, node_betweenness
from olfato.network.centrality import closeness, degree, eigenvector
from olfato.network.communities import leiden
from olfato.network.keyplayers import fragmentation
from olfato.network.model import simple_graph
from olfato.network.structural_holes import constraint

#: the per-entity columns, in order
COLUMNS = (
    "id",
    "type",
    "degree",
    "betweenness",
    "closeness",
    "eigenvector",
    "constraint",
    "community",
)


@dataclass(frozen=True)
class NetworkMeasures:
    """One row per entity (``nodes``) and the whole network's figures (``graph``)."""

    nodes: list[dict[str, Any]]
    graph: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The measures as JSON-able data.

        Returns
        -------
        dict
            ``{"nodes": [...], "graph": {...}}`` with NaN written as ``None`` (null).
        """

        def clean(v: Any) -> Any:
            return None if isinstance(v, float) and math.isnan(v) else v

        return {
            "nodes": [{k: clean(v) for k, v in row.items()} for row in self.nodes],
            "graph": {k: clean(v) for k, v in self.graph.items()},
        }


def network_measures(
    g: nx.Graph,
    *,
    approximate_above: int = APPROXIMATE_ABOVE,
    samples: int = SAMPLES,
    seed: int = 0,
    resolution: float = 1.0,
) -> NetworkMeasures:
    """Degree, betweenness, closeness, eigenvector, constraint and Leiden community of
    every entity, normalised as networkx normalises them, sorted by betweenness.

    Parameters
    ----------
    g : networkx.Graph
        Any graph of the meta-network (parallel links are one tie, directions ignored).
    approximate_above, samples, seed : int
        Betweenness is estimated from ``samples`` sources above ``approximate_above``
        entities (see :func:`olfato.network.betweenness.betweenness`); ``seed`` also seeds
        Leiden.
    resolution : float
        Leiden's modularity resolution.

    Returns
    -------
    NetworkMeasures
        ``graph`` has ``entities``, ``links``, ``ties``, ``density``, ``components``,
        ``largest``, ``fragmentation``, ``communities``, ``modularity``,
        ``betweenness_approximate`` and ``betweenness_samples``.
    """
    s = g if type(g) is nx.Graph else simple_graph(g)
    b = node_betweenness(s, approximate_above=approximate_above, samples=samples, seed=seed)
    deg, clo, eig, con = degree(s), closeness(s), eigenvector(s), constraint(s)
    com = leiden(s, resolution=resolution, seed=seed)
    rows = [
        {
            "id": str(n),
            "type": d.get("type", "unknown"),
            "degree": deg[n],
            "betweenness": b.values[n],
            "closeness": clo[n],
            "eigenvector": eig[n],
            "constraint": con[n],
            "community": com.membership.get(n, -1),
        }
        for n, d in s.nodes(data=True)
    ]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["id"]))
    comps = [len(c) for c in nx.connected_components(s)] if s.number_of_nodes() else []
    graph = {
        "entities": s.number_of_nodes(),
        "links": g.number_of_edges(),
        "ties": s.number_of_edges(),
        "density": nx.density(s) if s.number_of_nodes() > 1 else 0.0,
        "components": len(comps),
        "largest": max(comps, default=0),
        "fragmentation": fragmentation(s) if s.number_of_nodes() > 1 else 0.0,
        "communities": com.count,
        "modularity": com.modularity,
        "betweenness_approximate": b.approximate,
        "betweenness_samples": b.samples,
    }
    return NetworkMeasures(rows, graph)
