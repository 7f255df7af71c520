"""Communities: groups of entities more linked among themselves than to the rest (Leiden).

The Leiden algorithm (Traag, Waltman & van Eck 2019) improves on Louvain by guaranteeing
well-connected communities; it runs in leidenalg's C++ on igraph. The quality is
modularity with a resolution parameter (Reichardt & Bornholdt 2006): 1 is Newman's
modularity, lower values give fewer, larger communities. It is seeded, so a rerun gives
the same communities.

References
----------
Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9, 5233. Newman, M. E. J. (2006).
Modularity and community structure in networks. PNAS 103, 8577-8582.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.igraph_graph import to_igraph


@dataclass(frozen=True)
class Communities:
    """A partition of the entities."""

    membership: dict[Any, int]
    """node -> community number, 0 the largest community"""
    modularity: float
    """Newman's modularity of the partition at the given resolution [-]"""

    @property
    def count(self) -> int:
        """How many communities."""
        return len(set(self.membership.values()))


def leiden(
    g: nx.Graph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    weight: str | None = None,
    iterations: int = 2,
) -> Communities:
    """Leiden communities maximising modularity at ``resolution``.

    Parameters
    ----------
    g : networkx.Graph
        Parallel links are one tie (``weight`` summed); directions are ignored.
    resolution : float
        > 0; 1 is standard modularity.
    seed : int
        Random seed of leidenalg.
    weight : str, optional
        Edge attribute used as tie strength; ``None``: every tie counts 1.
    iterations : int
        Leiden passes (leidenalg's default, 2); negative: until the partition no longer
        changes, which finds a little more modularity at many times the cost on large
        graphs with weak structure (benchmarks/network.py: 0.308 against 0.297 in 18x the
        time on 20,000 entities). Both reach the karate club's optimum.

    Returns
    -------
    Communities

    Raises
    ------
    NetworkError
        ``resolution`` not positive.
    """
    import leidenalg

    if resolution <= 0:
        raise NetworkError(f"resolution must be > 0, got {resolution}", parameter="resolution")
    h, nodes = to_igraph(g, weight=weight)
    if h.vcount() == 0:
        return Communities({}, 0.0)
    part = leidenalg.find_partition(
        h,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight" if weight is not None else None,
        resolution_parameter=resolution,
        n_iterations=iterations,
        seed=seed,
    )
    sizes: dict[int, int] = {}
    for c in part.membership:
        sizes[c] = sizes.get(c, 0) + 1
    order = {c: i for i, c in enumerate(sorted(sizes, key=lambda c: (-sizes[c], c)))}
    membership = {n: order[c] for n, c in zip(nodes, part.membership, strict=True)}
    q = h.modularity(
        part.membership,
        weights="weight" if weight is not None else None,
        resolution=resolution,
    )
    return Communities(membership, float(q))
