"""Degree, closeness and eigenvector centrality, normalised as networkx normalises them.

Each takes any networkx graph of the meta-network (parallel links count once; see
:func:`olfato.network.model.simple_graph`) and returns ``{node: value}``.

References
----------
Freeman, L. C. (1979). Centrality in social networks: conceptual clarification. Social
Networks 1, 215-239. Bonacich, P. (1987). Power and centrality: a family of measures.
American Journal of Sociology 92, 1170-1182.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from olfato.network.igraph_graph import IGRAPH_FROM, to_igraph
from olfato.network.model import simple_graph


def _simple(g: nx.Graph) -> nx.Graph:
    return g if type(g) is nx.Graph else simple_graph(g)


def degree(g: nx.Graph) -> dict[Any, float]:
    """Degree centrality, as :func:`networkx.degree_centrality`.

    Parameters
    ----------
    g : networkx.Graph

    Returns
    -------
    dict
        node -> neighbours / (n - 1) [-].
    """
    return dict(nx.degree_centrality(_simple(g)))


def closeness(g: nx.Graph) -> dict[Any, float]:
    """Closeness centrality [-], Wasserman-Faust scaled for disconnected graphs
    (:func:`networkx.closeness_centrality`, ``wf_improved=True``): (r - 1) / (n - 1) over
    the mean distance to the r - 1 entities the node reaches.

    From :data:`~olfato.network.igraph_graph.IGRAPH_FROM` entities on, igraph computes the
    mean distances (its closeness, over reachable entities) and the same scaling is applied.

    Parameters
    ----------
    g : networkx.Graph

    Returns
    -------
    dict
        node -> closeness [-] (0 for an isolated entity).
    """
    s = _simple(g)
    n = s.number_of_nodes()
    if n < IGRAPH_FROM:
        return dict(nx.closeness_centrality(s))
    h, nodes = to_igraph(s)
    reached = {v: len(c) for c in nx.connected_components(s) for v in c}
    return {
        v: 0.0 if math.isnan(c) else c * (reached[v] - 1) / (n - 1)
        for v, c in zip(nodes, h.closeness(), strict=True)
    }


def eigenvector(g: nx.Graph, *, max_iter: int = 1000, tol: float = 1e-8) -> dict[Any, float]:
    """Eigenvector centrality [-], unit Euclidean norm (:func:`networkx.eigenvector_centrality`).

    Where power iteration does not converge (a bipartite component), the leading eigenvector
    of the adjacency matrix is taken directly (:func:`networkx.eigenvector_centrality_numpy`).

    Parameters
    ----------
    g : networkx.Graph
    max_iter : int
        Power iterations at most.
    tol : float
        Convergence tolerance of the power iteration.

    Returns
    -------
    dict
        node -> eigenvector centrality [-] (all 0 without links).
    """
    s = _simple(g)
    if s.number_of_edges() == 0:
        return dict.fromkeys(s.nodes, 0.0)
    try:
        return dict(nx.eigenvector_centrality(s, max_iter=max_iter, tol=tol))
    except nx.PowerIterationFailedConvergence:
        return dict(nx.eigenvector_centrality_numpy(s))
