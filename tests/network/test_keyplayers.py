"""Key players (Borgatti 2006): closed forms, and the heuristic against brute force."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import pytest

from olfato.errors import NetworkError
from olfato.network.keyplayers import (
    _Adjacency,
    distance_fragmentation,
    distance_weighted_reach,
    fragmentation,
    kpp_neg,
    kpp_pos,
    reach,
)


def test_fragmentation_closed_forms() -> None:
    path = nx.path_graph(5)  # 0-1-2-3-4
    assert fragmentation(path) == 0.0
    # without 2: components {0,1}, {3,4}; 4 nodes left: 1 - (2 + 2) / 12
    assert fragmentation(path, [2]) == pytest.approx(2 / 3)
    assert fragmentation(nx.empty_graph(4)) == pytest.approx(1.0)
    # DF of a path of 3: distances 1, 1, 2 -> sum 1/d over ordered pairs 2*(1+1+1/2)
    assert distance_fragmentation(nx.path_graph(3)) == pytest.approx(1 - 5 / 6)
    # a complete graph has DF 0
    assert distance_fragmentation(nx.complete_graph(5)) == pytest.approx(0.0)


def test_reach_closed_forms() -> None:
    path = nx.path_graph(5)
    assert reach(path, [2], m=1) == pytest.approx(2 / 4)
    assert reach(path, [2], m=2) == pytest.approx(1.0)
    # from 0: distances 1,2,3,4 to the four others
    assert distance_weighted_reach(path, [0]) == pytest.approx((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4)


def _brute(g: nx.Graph, k: int, score) -> float:  # type: ignore[no-untyped-def]
    return max(score(g, list(s)) for s in combinations(g.nodes, k))


def _brute_f(g: nx.Graph, k: int) -> float:
    """max F over every k-set (the sparse matrix built once: thousands of sets)."""
    a = _Adjacency(g)
    return max(a.fragmentation(s) for s in combinations(range(a.n), k))


@pytest.mark.parametrize(
    "graph",
    [
        nx.florentine_families_graph(),
        nx.karate_club_graph(),
        nx.barbell_graph(5, 3),
        nx.connected_watts_strogatz_graph(24, 4, 0.2, seed=3),
    ],
    ids=["florentine", "karate", "barbell", "small-world"],
)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_kpp_neg_finds_the_brute_force_optimum(graph: nx.Graph, k: int) -> None:
    found = kpp_neg(graph, k)
    best = _brute_f(graph, k)
    assert found.score == pytest.approx(best)
    assert fragmentation(graph, found.players) == pytest.approx(found.score)
    assert len(set(found.players)) == k


def test_kpp_neg_distance_and_kpp_pos_match_brute_force() -> None:
    g = nx.florentine_families_graph()
    assert kpp_neg(g, 2, measure="distance").score == pytest.approx(
        _brute(g, 2, distance_fragmentation)
    )
    assert kpp_pos(g, 2).score == pytest.approx(_brute(g, 2, lambda h, s: reach(h, s, m=1)))
    assert kpp_pos(g, 2, measure="distance").score == pytest.approx(
        _brute(g, 2, distance_weighted_reach)
    )


def test_barbell_bridge_is_the_key_player() -> None:
    # two cliques of 5 joined by a path of one node: removing it splits 5 | 5
    g = nx.barbell_graph(5, 1)
    kp = kpp_neg(g, 1)
    assert kp.players == [5]
    assert kp.score == pytest.approx(1 - 2 * 5 * 4 / (10 * 9))


def test_k_out_of_range_is_named() -> None:
    with pytest.raises(NetworkError, match="k must be between 1 and 4"):
        kpp_neg(nx.path_graph(5), 5)
    with pytest.raises(NetworkError, match="not in the graph"):
        fragmentation(nx.path_graph(5), ["nobody"])
