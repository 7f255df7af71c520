"""Key players (Borgatti 2006): the set of k entities whose removal fragments the network
most (KPP-Neg), or that reach most of it (KPP-Pos).

Measures, on the graph as undirected ties:

- fragmentation ``F = 1 - sum_k s_k (s_k - 1) / (n (n - 1))`` with ``s_k`` the sizes of the
  components and ``n`` the entities left: the share of pairs that cannot reach each
  other (Borgatti 2006, eq. 4);
- distance-weighted fragmentation ``DF = 1 - sum_{i != j} (1 / d_ij) / (n (n - 1))``,
  with ``1 / d = 0`` for unreachable pairs (eq. 9): it also sees how far apart the pairs
  that still connect are;
- reach: the share of the entities outside the set within ``m`` links of it (the m-reach
  of section 4.1, divided by n - k);
- distance-weighted reach ``DR = sum_{j not in K} (1 / d_Kj) / (n - k)``, ``d_Kj`` the
  distance from the set's nearest member (eq. 12 taken over the entities outside K).

Sets are found as Borgatti's KeyPlayer program does, by swaps of a member for a
non-member while the best swap improves the score, from several starts: a greedy one (add
the entity that improves the score most, k times) and random ones (seeded); the best
wins. That is a heuristic (one start alone stalls on the plateaus of F): tests compare it
with the brute-force optimum on small graphs.

References
----------
Borgatti, S. P. (2006). Identifying sets of key players in a social network.
Computational and Mathematical Organization Theory 12, 21-34.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from olfato.errors import NetworkError
from olfato.network.model import require_nodes, simple_graph
from olfato.progress import ProgressCallback

NegMeasure = Literal["fragmentation", "distance"]
PosMeasure = Literal["reach", "distance"]


class _Adjacency:
    """The graph as a sparse matrix, for fast scores of many candidate sets."""

    def __init__(self, g: nx.Graph) -> None:
        s = g if type(g) is nx.Graph else simple_graph(g)
        self.nodes = list(s.nodes)
        self.n = len(self.nodes)
        self.matrix = sparse.csr_matrix(
            nx.to_scipy_sparse_array(s, nodelist=self.nodes, weight=None)
        )

    def index(self, ids: Iterable[Any]) -> list[int]:
        pos = {v: i for i, v in enumerate(self.nodes)}
        return [pos[v] for v in ids]

    def kept(self, removed: Iterable[int]) -> sparse.csr_matrix:
        keep = np.ones(self.n, dtype=bool)
        keep[list(removed)] = False
        return self.matrix[keep][:, keep]

    def fragmentation(self, removed: Iterable[int] = ()) -> float:
        a = self.kept(removed)
        n = a.shape[0]
        if n < 2:
            return 1.0
        _, labels = csgraph.connected_components(a, directed=False)
        sizes = np.bincount(labels).astype(float)
        return float(1.0 - np.sum(sizes * (sizes - 1.0)) / (n * (n - 1.0)))

    def distance_fragmentation(self, removed: Iterable[int] = ()) -> float:
        a = self.kept(removed)
        n = a.shape[0]
        if n < 2:
            return 1.0
        d = csgraph.shortest_path(a, directed=False, unweighted=True)
        with np.errstate(divide="ignore"):
            inv = np.where(np.isfinite(d) & (d > 0), 1.0 / d, 0.0)
        return float(1.0 - inv.sum() / (n * (n - 1.0)))

    def _distance_to(self, players: list[int]) -> np.ndarray:
        d = csgraph.shortest_path(self.matrix, directed=False, unweighted=True, indices=players)
        return np.asarray(d).reshape(len(players), self.n).min(axis=0)

    def reach(self, players: Iterable[int], m: int = 1) -> float:
        p = list(players)
        if self.n == len(p):
            return 1.0
        d = self._distance_to(p)
        outside = np.ones(self.n, dtype=bool)
        outside[p] = False
        return float(np.sum(d[outside] <= m) / outside.sum())

    def distance_reach(self, players: Iterable[int]) -> float:
        p = list(players)
        if self.n == len(p):
            return 1.0
        d = self._distance_to(p)
        outside = np.ones(self.n, dtype=bool)
        outside[p] = False
        do = d[outside]
        return float(np.sum(np.where(np.isfinite(do), 1.0 / do, 0.0)) / outside.sum())


def fragmentation(g: nx.Graph, removed: Iterable[Any] = ()) -> float:
    """Borgatti's fragmentation F after removing entities.

    Parameters
    ----------
    g : networkx.Graph
    removed : iterable
        Entity ids taken out (none: F of ``g`` itself).

    Returns
    -------
    float
        The share of pairs of the remaining entities that cannot reach each other [-]
        (0 connected, 1 all isolated).
    """
    a = _Adjacency(g)
    return a.fragmentation(a.index(require_nodes(g, removed, parameter="removed")))


def distance_fragmentation(g: nx.Graph, removed: Iterable[Any] = ()) -> float:
    """Borgatti's distance-weighted fragmentation DF after removing entities.

    Parameters
    ----------
    g : networkx.Graph
    removed : iterable
        Entity ids taken out.

    Returns
    -------
    float
        1 - mean of 1 / distance over ordered pairs of the remaining entities [-].
    """
    a = _Adjacency(g)
    return a.distance_fragmentation(a.index(require_nodes(g, removed, parameter="removed")))


def reach(g: nx.Graph, players: Iterable[Any], *, m: int = 1) -> float:
    """Borgatti's m-reach of a set, as a share.

    Parameters
    ----------
    g : networkx.Graph
    players : iterable
        Entity ids of the set.
    m : int
        Links counted as reached.

    Returns
    -------
    float
        Share of the entities outside the set within ``m`` links of one of them [-].
    """
    a = _Adjacency(g)
    return a.reach(a.index(require_nodes(g, players, parameter="players")), m)


def distance_weighted_reach(g: nx.Graph, players: Iterable[Any]) -> float:
    """Borgatti's distance-weighted reach DR of a set.

    Parameters
    ----------
    g : networkx.Graph
    players : iterable
        Entity ids of the set.

    Returns
    -------
    float
        Mean over the entities outside the set of 1 / distance to the nearest member
        (0 when unreachable) [-].
    """
    a = _Adjacency(g)
    return a.distance_reach(a.index(require_nodes(g, players, parameter="players")))


@dataclass(frozen=True)
class KeyPlayers:
    """A key-player set and what it achieves."""

    players: list[Any]
    """the set, best first as the greedy start added them"""
    measure: str
    """``fragmentation``/``distance`` (KPP-Neg) or ``reach``/``distance`` (KPP-Pos)"""
    score: float
    """the measure's value for the set [-]"""
    kind: str
    """``neg`` or ``pos``"""


def _swap(
    chosen: list[int], best: float, n: int, score: Callable[[list[int]], float]
) -> tuple[list[int], float]:
    """Swap a member for a non-member while the best such swap improves the score."""
    k = len(chosen)
    while True:
        gain, swap = 1e-12, None
        for i in range(k):
            for v in range(n):
                if v in chosen:
                    continue
                trial = [*chosen[:i], v, *chosen[i + 1 :]]
                s = score(trial)
                if s - best > gain:
                    gain, swap = s - best, trial
        if swap is None:
            return chosen, best
        chosen, best = swap, best + gain


def _greedy_swap(
    n: int,
    k: int,
    score: Callable[[list[int]], float],
    *,
    starts: int,
    seed: int,
    progress: ProgressCallback | None,
) -> tuple[list[int], float]:
    """Maximise ``score`` over k-subsets of range(n): a greedy start and ``starts - 1``
    random ones, each improved by swaps; the best wins."""
    chosen: list[int] = []
    best = -np.inf
    for _ in range(k):
        best, pick = -np.inf, -1
        for v in range(n):
            if v in chosen:
                continue
            s = score([*chosen, v])
            if s > best + 1e-12:
                best, pick = s, v
        chosen.append(pick)
    result = _swap(chosen, float(best), n, score)
    if progress:
        progress(1)
    rng = np.random.default_rng(seed)
    for _ in range(starts - 1):
        start = [int(v) for v in rng.choice(n, size=k, replace=False)]
        trial = _swap(start, score(start), n, score)
        if trial[1] > result[1] + 1e-12:
            result = trial
        if progress:
            progress(1)
    return result[0], float(result[1])


def _check_k(g: nx.Graph, k: int, starts: int) -> None:
    if starts < 1:
        raise NetworkError(f"starts must be at least 1, got {starts}", parameter="starts")
    n = g.number_of_nodes()
    if not 1 <= k < n:
        raise NetworkError(
            f"k must be between 1 and {n - 1} (the graph has {n} entities), got {k}",
            parameter="k",
        )


def kpp_neg(
    g: nx.Graph,
    k: int,
    *,
    measure: NegMeasure = "fragmentation",
    starts: int = 10,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> KeyPlayers:
    """KPP-Neg: the k entities whose removal fragments the network most.

    Parameters
    ----------
    g : networkx.Graph
    k : int
        Size of the set, 1 <= k < n.
    measure : {"fragmentation", "distance"}
        Maximise F, or distance-weighted DF (slower: all shortest paths per trial).
    starts : int
        Optimisation runs: a greedy start and ``starts - 1`` random ones (>= 1).
    seed : int
        Seed of the random starts.
    progress : callable, optional
        Called with 1 after each start.

    Returns
    -------
    KeyPlayers
        ``score`` is F or DF after removing the set.

    Raises
    ------
    NetworkError
        ``k`` out of 1..n-1, ``starts`` < 1 or an unknown ``measure``.
    """
    _check_k(g, k, starts)
    a = _Adjacency(g)
    if measure == "fragmentation":
        fn = a.fragmentation
    elif measure == "distance":
        fn = a.distance_fragmentation
    else:
        raise NetworkError(
            f"measure must be fragmentation or distance, got {measure!r}", parameter="measure"
        )
    chosen, score = _greedy_swap(a.n, k, fn, starts=starts, seed=seed, progress=progress)
    return KeyPlayers([a.nodes[i] for i in chosen], measure, score, "neg")


def kpp_pos(
    g: nx.Graph,
    k: int,
    *,
    measure: PosMeasure = "reach",
    m: int = 1,
    starts: int = 10,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> KeyPlayers:
    """KPP-Pos: the k entities that reach most of the others.

    Parameters
    ----------
    g : networkx.Graph
    k : int
        Size of the set, 1 <= k < n.
    measure : {"reach", "distance"}
        m-reach (share within ``m`` links), or distance-weighted reach DR.
    m : int
        Links counted as reached, for ``reach`` (>= 1).
    starts, seed, progress
        As for :func:`kpp_neg`.

    Returns
    -------
    KeyPlayers

    Raises
    ------
    NetworkError
        ``k`` out of 1..n-1, ``starts`` or ``m`` < 1, or an unknown ``measure``.
    """
    _check_k(g, k, starts)
    if m < 1:
        raise NetworkError(f"m must be at least 1, got {m}", parameter="m")
    a = _Adjacency(g)
    if measure == "reach":
        chosen, score = _greedy_swap(
            a.n, k, lambda p: a.reach(p, m), starts=starts, seed=seed, progress=progress
        )
    elif measure == "distance":
        chosen, score = _greedy_swap(
            a.n, k, a.distance_reach, starts=starts, seed=seed, progress=progress
        )
    else:
        raise NetworkError(
            f"measure must be reach or distance, got {measure!r}", parameter="measure"
        )
    return KeyPlayers([a.nodes[i] for i in chosen], measure, score, "pos")
