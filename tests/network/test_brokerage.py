"""Gould-Fernandez brokerage roles on small graphs counted by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from olfato.errors import NetworkError
from olfato.network.brokerage import ROLES, brokerage_roles


def _graph(edges: list[tuple[str, str]], groups: dict[str, str], directed: bool) -> nx.Graph:
    g = nx.DiGraph() if directed else nx.Graph()
    for n, grp in groups.items():
        g.add_node(n, group=grp)
    g.add_edges_from(edges)
    return g


def test_hand_counted_directed_example() -> None:
    # x (group B) has in-ties from a1 (A) and b1 (B), out-ties to a2 (A) and c1 (C):
    #   a1->x->a2  A,B,A  itinerant
    #   a1->x->c1  A,B,C  liaison
    #   b1->x->a2  B,B,A  representative
    #   b1->x->c1  closed by the tie b1->c1: no brokerage
    # y (group D) has in-ties from d1 (D) and e1 (E), an out-tie to d2 (D):
    #   d1->y->d2  D,D,D  coordinator
    #   e1->y->d2  E,D,D  gatekeeper
    groups = {
        "x": "B", "a1": "A", "a2": "A", "b1": "B", "c1": "C",
        "y": "D", "d1": "D", "d2": "D", "e1": "E",
    }  # fmt: skip
    edges = [
        ("a1", "x"), ("b1", "x"), ("x", "a2"), ("x", "c1"), ("b1", "c1"),
        ("d1", "y"), ("e1", "y"), ("y", "d2"),
    ]  # fmt: skip
    roles = brokerage_roles(_graph(edges, groups, directed=True), "group")
    assert roles["x"] == {
        "coordinator": 0, "itinerant": 1, "representative": 1, "gatekeeper": 0,
        "liaison": 1, "total": 3,
    }  # fmt: skip
    assert roles["y"] == {
        "coordinator": 1, "itinerant": 0, "representative": 0, "gatekeeper": 1,
        "liaison": 0, "total": 2,
    }  # fmt: skip
    for n in ("a1", "a2", "b1", "c1", "d1", "d2", "e1"):
        assert roles[n]["total"] == 0, n


def test_undirected_ties_count_both_ways() -> None:
    # a(A) - b(B) - c(A): the courier b is itinerant on a->b->c and on c->b->a
    roles = brokerage_roles(
        _graph([("a", "b"), ("b", "c")], {"a": "A", "b": "B", "c": "A"}, False), "group"
    )
    assert roles["b"]["itinerant"] == 2 and roles["b"]["total"] == 2
    # a(A) - b(A) - c(C): representative one way, gatekeeper the other
    roles = brokerage_roles(
        _graph([("a", "b"), ("b", "c")], {"a": "A", "b": "A", "c": "C"}, False), "group"
    )
    assert roles["b"]["representative"] == 1 and roles["b"]["gatekeeper"] == 1
    # a closed triangle brokers nothing
    tri = _graph([("a", "b"), ("b", "c"), ("a", "c")], {"a": "A", "b": "B", "c": "C"}, False)
    assert all(r["total"] == 0 for r in brokerage_roles(tri, "group").values())


def test_total_is_the_open_two_paths() -> None:
    g = nx.gnm_random_graph(40, 90, seed=5, directed=True)
    for n in g:
        g.nodes[n]["group"] = n % 3
    roles = brokerage_roles(g, "group")
    for b in g:
        open_paths = sum(
            1 for a in g.predecessors(b) for c in g.successors(b) if a != c and not g.has_edge(a, c)
        )
        assert roles[b]["total"] == open_paths == sum(roles[b][r] for r in ROLES)


def test_missing_group_attribute_is_named() -> None:
    g = nx.path_graph(3)
    with pytest.raises(NetworkError, match="attribute 'gang' is missing on 3 entities"):
        brokerage_roles(g, "gang")
