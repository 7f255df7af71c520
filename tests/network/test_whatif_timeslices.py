"""What-if removal and time slices."""

from __future__ import annotations

import networkx as nx
import pytest

from olfato.errors import NetworkError
from olfato.network.centrality import degree
from olfato.network.model import Entity, Link, build_graph
from olfato.network.timeslices import time_slices
from olfato.network.whatif import what_if_removed


def test_removing_the_medici() -> None:
    w = what_if_removed(nx.florentine_families_graph(), ["Medici"])
    # the Medici tie Acciaiuoli, Pazzi-Salviati and the rest together
    assert (w.components_before, w.components_after) == (1, 3)
    assert (w.largest_before, w.largest_after) == (15, 11)
    # components of 11, 2, 1 among 14: 1 - (110 + 2) / 182
    assert w.fragmentation_after == pytest.approx(1 - 112 / 182)
    assert w.fragmentation_before == 0.0


def test_unknown_id_is_named() -> None:
    with pytest.raises(NetworkError, match="'Sforza' not in the graph"):
        what_if_removed(nx.florentine_families_graph(), ["Medici", "Sforza"])


def test_degree_per_month() -> None:
    ents = [Entity(i, "phone") for i in "abcd"]
    links = [
        Link("a", "b", "call", "2025-01-05T10:00:00"),
        Link("a", "c", "call", "2025-01-20T10:00:00+02:00"),
        Link("c", "d", "call", "2025-02-02"),
        Link("b", "d", "call", None),
    ]
    ts = time_slices(build_graph(ents, links), degree, freq="M")
    assert ts.periods == ["2025-01", "2025-02"]
    assert ts.links == {"2025-01": 2, "2025-02": 1}
    assert ts.undated == 1
    assert ts.values["2025-01"]["a"] == pytest.approx(2 / 3)
    assert ts.values["2025-01"]["d"] == 0.0
    assert ts.values["2025-02"]["d"] == pytest.approx(1 / 3)


def test_bad_frequency_is_named() -> None:
    with pytest.raises(NetworkError, match="freq"):
        time_slices(nx.MultiGraph(), degree, freq="fortnight")
