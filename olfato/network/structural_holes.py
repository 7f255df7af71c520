"""Burt's structural holes: constraint and effective size of each entity's ego network.

An entity whose contacts are not linked to one another spans structural holes: low
constraint, effective size close to its degree. A broker between otherwise separate
groups (a driver between a supplier and a lab) scores so.

References
----------
Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard
University Press. Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy
measures. Connections 20(1), 35-38 (effective size of an unweighted graph: n - 2t/n).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from olfato.network.igraph_graph import IGRAPH_FROM, to_igraph
from olfato.network.model import simple_graph


def constraint(g: nx.Graph, *, weight: str | None = None) -> dict[Any, float]:
    """Burt's constraint [-] (:func:`networkx.constraint`); NaN for an isolated entity.

    Parameters
    ----------
    g : networkx.Graph
        Parallel links are one tie (with ``weight`` summed).
    weight : str, optional
        Edge attribute for tie strength (e.g. ``"weight"``); ``None``: every tie is 1.

    From :data:`~olfato.network.igraph_graph.IGRAPH_FROM` entities on it runs in igraph
    (the same numbers).

    Returns
    -------
    dict
        node -> constraint [-].
    """
    s = g if type(g) is nx.Graph else simple_graph(g)
    if s.number_of_nodes() < IGRAPH_FROM:
        return dict(nx.constraint(s, weight=weight))
    # igraph's C implementation of the same formula, for large graphs
    h, nodes = to_igraph(s, weight=weight)
    values = h.constraint(weights="weight" if weight is not None else None)
    return dict(zip(nodes, values, strict=True))


def effective_size(g: nx.Graph, *, weight: str | None = None) -> dict[Any, float]:
    """Burt's effective size (:func:`networkx.effective_size`).

    Parameters
    ----------
    g : networkx.Graph
        Parallel links are one tie.
    weight : str, optional
        Edge attribute for tie strength; ``None``: every tie is 1.

    Returns
    -------
    dict
        node -> effective size [entities]; NaN when isolated.
    """
    s = g if type(g) is nx.Graph else simple_graph(g)
    return dict(nx.effective_size(s, weight=weight))
