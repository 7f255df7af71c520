"""Betweenness of entities and of links: who (and which tie) sits on the shortest paths.

Node betweenness is Freeman's, normalised as :func:`networkx.betweenness_centrality`
normalises it (the share of the other pairs' shortest paths through the node: raw /
((n-1)(n-2)/2) on an undirected graph). It is exact up to ``approximate_above`` entities;
above, it is estimated from the shortest paths of ``samples`` source entities drawn at
random (Brandes & Pich 2007), scaled by n / samples, and the result says so. Large graphs
are measured with igraph's C implementation of Brandes' algorithm; the numbers are the
same as networkx's.

References
----------
Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry
40, 35-41. Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of
Mathematical Sociology 25, 163-177. Brandes, U. & Pich, C. (2007). Centrality estimation
in large networks. International Journal of Bifurcation and Chaos 17, 2303-2318.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.igraph_graph import IGRAPH_FROM, to_igraph
from olfato.network.model import simple_graph

#: default size above which node betweenness is estimated from samples [entities]
APPROXIMATE_ABOVE = 20_000
#: default number of sampled sources for the estimate
SAMPLES = 1_000

Engine = Literal["auto", "networkx", "igraph"]


@dataclass(frozen=True)
class Betweenness:
    """Node betweenness and how it was obtained."""

    values: dict[Any, float]
    """node -> normalised betweenness [-]"""
    approximate: bool
    """estimated from sampled sources rather than exact"""
    samples: int | None
    """the number of sampled sources (``None`` when exact)"""


def node_betweenness(
    g: nx.Graph,
    *,
    approximate_above: int = APPROXIMATE_ABOVE,
    samples: int = SAMPLES,
    seed: int = 0,
    engine: Engine = "auto",
) -> Betweenness:
    """Normalised node betweenness, exact or (above a size) sampled.

    Parameters
    ----------
    g : networkx.Graph
        Parallel links count once; directions are ignored.
    approximate_above : int
        Estimate from ``samples`` random sources when the graph has more entities.
    samples : int
        Sources drawn for the estimate (>= 1).
    seed : int
        Seed of the draw, so that a rerun gives the same numbers.
    engine : {"auto", "networkx", "igraph"}
        ``auto``: igraph from :data:`IGRAPH_FROM` entities on, networkx below.

    Returns
    -------
    Betweenness

    Raises
    ------
    NetworkError
        ``samples`` < 1, ``approximate_above`` < 0 or an unknown ``engine``.
    """
    if samples < 1:
        raise NetworkError(f"samples must be at least 1, got {samples}", parameter="samples")
    if approximate_above < 0:
        raise NetworkError(
            f"approximate_above must be >= 0, got {approximate_above}",
            parameter="approximate_above",
        )
    s = g if type(g) is nx.Graph else simple_graph(g)
    n = s.number_of_nodes()
    approximate = n > approximate_above and samples < n
    if engine == "auto":
        engine = "igraph" if n >= IGRAPH_FROM else "networkx"
    if n <= 2:
        return Betweenness(dict.fromkeys(s.nodes, 0.0), False, None)
    if engine == "networkx":
        k = samples if approximate else None
        values = nx.betweenness_centrality(s, k=k, normalized=True, seed=seed)
        return Betweenness(dict(values), approximate, k)
    if engine != "igraph":
        raise NetworkError(
            f"engine must be auto, networkx or igraph, got {engine!r}", parameter="engine"
        )
    h, nodes = to_igraph(s)
    pairs = (n - 1) * (n - 2) / 2
    if approximate:
        sources = random.Random(seed).sample(range(n), samples)
        # igraph's subset betweenness from sources S to all targets is half the sum of the
        # sources' dependencies; (n / |S|) times it estimates the raw pair count.
        raw = [b * n / samples for b in h.betweenness(sources=sources)]
    else:
        raw = h.betweenness()
    return Betweenness(
        {v: r / pairs for v, r in zip(nodes, raw, strict=True)},
        approximate,
        samples if approximate else None,
    )


def link_betweenness(g: nx.Graph) -> dict[tuple[Any, Any], float]:
    """Normalised betweenness of each linked pair [-] (Girvan & Newman 2002), as
    :func:`networkx.edge_betweenness_centrality`: the share of all pairs' shortest paths
    through the tie, raw / (n(n-1)/2).

    Parameters
    ----------
    g : networkx.Graph
        Parallel links are one tie; directions are ignored.

    Returns
    -------
    dict
        (u, v) -> value, one entry per linked pair (parallel links are one tie).
    """
    s = g if type(g) is nx.Graph else simple_graph(g)
    return dict(nx.edge_betweenness_centrality(s, normalized=True))
