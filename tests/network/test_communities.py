"""Leiden communities of Zachary's karate club against the known split and optimum."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pytest

from olfato.network.communities import leiden


def _majority_accuracy(g: nx.Graph, membership: dict[int, int]) -> float:
    """Share of members whose community's majority faction is their own faction."""
    votes: dict[int, Counter[str]] = {}
    for n, c in membership.items():
        votes.setdefault(c, Counter())[g.nodes[n]["club"]] += 1
    majority = {c: v.most_common(1)[0][0] for c, v in votes.items()}
    return sum(majority[membership[n]] == g.nodes[n]["club"] for n in g) / len(g)


def test_karate_reaches_the_known_maximum_modularity() -> None:
    # The proven optimum of Newman's modularity for the karate club is 0.4198, four
    # communities (Brandes et al. 2008, IEEE TKDE 20(2), 172-188).
    c = leiden(nx.karate_club_graph(), seed=0)
    assert c.modularity == pytest.approx(0.4198, abs=1e-4)
    assert c.count == 4
    # each community lies within one faction but for one member (Zachary 1977's split)
    assert _majority_accuracy(nx.karate_club_graph(), c.membership) >= 33 / 34


def test_karate_two_factions_at_low_resolution() -> None:
    g = nx.karate_club_graph()
    c = leiden(g, resolution=0.5, seed=0)
    assert c.count == 2
    # Zachary's two factions recovered for all but two members
    assert _majority_accuracy(g, c.membership) >= 32 / 34
    # the two leaders (0: Mr. Hi, 33: the officer) end up apart
    assert c.membership[0] != c.membership[33]


def test_seeded_runs_are_identical_and_largest_first() -> None:
    g = nx.gnm_random_graph(200, 600, seed=4)
    a = leiden(g, seed=7)
    b = leiden(g, seed=7)
    assert a.membership == b.membership
    sizes = Counter(a.membership.values())
    assert [sizes[i] for i in range(a.count)] == sorted(sizes.values(), reverse=True)


def test_modularity_agrees_with_networkx() -> None:
    g = nx.karate_club_graph()
    c = leiden(g, seed=0)
    groups = [{n for n, k in c.membership.items() if k == i} for i in range(c.count)]
    assert nx.community.modularity(g, groups, weight=None) == pytest.approx(c.modularity)
