"""Centrality on public networks against published figures and closed forms."""

from __future__ import annotations

import networkx as nx
import pytest

from olfato.network.betweenness import link_betweenness, node_betweenness
from olfato.network.centrality import closeness, degree, eigenvector
from olfato.network.structural_holes import constraint, effective_size

#: Freeman betweenness (raw, unordered pairs) of Padgett's Florentine marriage network as
#: UCINET reports it (e.g. Borgatti, Everett & Johnson 2013, Analyzing Social Networks,
#: ch. 10; Wasserman & Faust 1994 use the same data).
FLORENTINE_BETWEENNESS = {
    "Medici": 47.5,
    "Guadagni": 23.167,
    "Albizzi": 19.333,
    "Salviati": 13.0,
    "Ridolfi": 10.333,
    "Bischeri": 9.5,
    "Strozzi": 9.333,
    "Barbadori": 8.5,
    "Tornabuoni": 8.333,
    "Castellani": 5.0,
    "Peruzzi": 2.0,
    "Acciaiuoli": 0.0,
    "Ginori": 0.0,
    "Lamberteschi": 0.0,
    "Pazzi": 0.0,
}


@pytest.mark.parametrize("engine", ["networkx", "igraph"])
def test_florentine_betweenness_matches_the_published_figures(engine: str) -> None:
    g = nx.florentine_families_graph()
    b = node_betweenness(g, engine=engine)  # type: ignore[arg-type]
    assert not b.approximate
    pairs = (15 - 1) * (15 - 2) / 2
    for family, raw in FLORENTINE_BETWEENNESS.items():
        assert b.values[family] * pairs == pytest.approx(raw, abs=1e-3), family
    assert max(b.values, key=b.values.__getitem__) == "Medici"


def test_florentine_medici_lead_degree_closeness_eigenvector() -> None:
    g = nx.florentine_families_graph()
    for measure in (degree, closeness, eigenvector):
        values = measure(g)
        assert max(values, key=values.__getitem__) == "Medici", measure.__name__
    assert degree(g)["Medici"] == pytest.approx(6 / 14)
    # closeness: 14 others at total distance 25 (UCINET's farness for the Medici)
    assert closeness(g)["Medici"] == pytest.approx(14 / 25)


def test_igraph_and_networkx_agree_on_a_random_graph() -> None:
    g = nx.gnm_random_graph(300, 900, seed=3)
    a = node_betweenness(g, engine="networkx").values
    b = node_betweenness(g, engine="igraph").values
    assert max(abs(a[n] - b[n]) for n in g) < 1e-12


def test_sampled_betweenness_is_flagged_and_close() -> None:
    g = nx.barabasi_albert_graph(1500, 3, seed=1)
    exact = node_betweenness(g).values
    est = node_betweenness(g, approximate_above=1000, samples=400, seed=2)
    assert est.approximate and est.samples == 400
    top = sorted(exact, key=exact.__getitem__, reverse=True)[:20]
    err = [abs(est.values[n] - exact[n]) / exact[n] for n in top]
    assert max(err) < 0.25  # 400 of 1500 sources: the hubs within a quarter
    # the top-ranked node is the same
    assert max(est.values, key=est.values.__getitem__) == top[0]
    # networkx's own sampled estimate is flagged the same way
    nxe = node_betweenness(g, approximate_above=1000, samples=100, engine="networkx")
    assert nxe.approximate and nxe.samples == 100


def test_parallel_links_count_once() -> None:
    g = nx.MultiGraph([("a", "b"), ("a", "b"), ("b", "c")])
    assert node_betweenness(g).values["b"] == pytest.approx(1.0)
    assert degree(g)["b"] == pytest.approx(1.0)


def test_link_betweenness_of_a_path() -> None:
    # path a-b-c: each tie is on 2 of the 3 pairs' shortest paths
    lb = link_betweenness(nx.path_graph(["a", "b", "c"]))
    assert lb[("a", "b")] == pytest.approx(2 / 3)
    assert lb[("b", "c")] == pytest.approx(2 / 3)


def test_constraint_and_effective_size_closed_forms() -> None:
    star = nx.star_graph(4)  # centre 0, four leaves
    c = constraint(star)
    assert c[0] == pytest.approx(1 / 4)  # sum of (1/4)^2 over 4 unlinked contacts
    assert c[1] == pytest.approx(1.0)
    assert effective_size(star)[0] == pytest.approx(4.0)
    tri = nx.complete_graph(3)
    # p_ij = 1/2; c_ij = (1/2 + 1/2 * 1/2)^2 = 9/16, two contacts
    assert constraint(tri)[0] == pytest.approx(9 / 8)
    # Borgatti (1997): n - 2t/n = 2 - 2*1/2 = 1
    assert effective_size(tri)[0] == pytest.approx(1.0)


def test_bad_sampling_parameters_are_named() -> None:
    from olfato.errors import NetworkError

    with pytest.raises(NetworkError, match="samples"):
        node_betweenness(nx.path_graph(4), samples=0)


def test_large_graphs_give_the_same_closeness_and_constraint() -> None:
    # above IGRAPH_FROM entities igraph computes them; compare with networkx directly
    g = nx.gnm_random_graph(700, 1400, seed=8)
    g.add_edge(700, 701)  # a second component and an isolated entity (699 or so)
    close, cons = closeness(g), constraint(g)
    ref_close, ref_cons = nx.closeness_centrality(g), nx.constraint(g)
    assert max(abs(close[n] - ref_close[n]) for n in g) < 1e-12
    finite = [n for n in g if ref_cons[n] == ref_cons[n]]
    assert max(abs(cons[n] - ref_cons[n]) for n in finite) < 1e-12
    assert all(cons[n] != cons[n] for n in g if n not in finite)  # NaN where isolated
