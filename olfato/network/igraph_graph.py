"""The same graph for igraph, whose C core measures large graphs many times faster."""

from __future__ import annotations

from typing import Any

import networkx as nx

#: at or above this many entities the measures igraph also has run there (same numbers)
IGRAPH_FROM = 500


def to_igraph(g: nx.Graph, *, weight: str | None = None) -> tuple[Any, list[Any]]:
    """An undirected :class:`igraph.Graph` of ``g``'s simple structure, and the node order.

    Parameters
    ----------
    g : networkx.Graph
        Parallel links and self-links are dropped (see
        :func:`olfato.network.model.simple_graph`).
    weight : str, optional
        Edge attribute copied as igraph's ``weight`` (summed over parallel links).

    Returns
    -------
    (igraph.Graph, list)
        Vertex ``i`` is ``nodes[i]``.
    """
    import igraph as ig

    from olfato.network.model import simple_graph

    s = g if type(g) is nx.Graph else simple_graph(g)
    nodes = list(s.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in s.edges if u != v]
    h = ig.Graph(n=len(nodes), edges=edges, directed=False)
    if weight is not None:
        h.es["weight"] = [float(d.get(weight, 1.0)) for u, v, d in s.edges(data=True) if u != v]
    return h, nodes
