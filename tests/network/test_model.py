"""The meta-network model: entities, links, records, the simple graph."""

from __future__ import annotations

import pytest

from olfato.errors import NetworkError
from olfato.network.model import (
    Entity,
    Link,
    build_graph,
    graph_from_records,
    graph_to_records,
    simple_graph,
)

ENTITIES = [
    {"id": "P1", "type": "person", "label": "Juan"},
    {"id": "555-1", "type": "phone"},
    {"id": "555-2", "type": "Phone", "carrier": "AT&T"},
]
LINKS = [
    {"source": "555-1", "target": "555-2", "type": "call", "date": "2025-01-05T10:15:00"},
    {"source": "555-1", "target": "555-2", "type": "call", "weight": 3},
    {"source": "P1", "target": "555-1", "type": "ownership", "source_ref": "registry:4"},
]


def test_records_round_trip() -> None:
    g = graph_from_records(ENTITIES, LINKS)
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 3
    assert g.nodes["P1"]["personal"] and not g.nodes["555-1"]["personal"]
    assert g.nodes["555-2"]["type"] == "phone" and g.nodes["555-2"]["carrier"] == "AT&T"
    assert g.nodes["555-1"]["label"] == "555-1"
    ents, links = graph_to_records(g)
    h = graph_from_records(ents, links)
    assert graph_to_records(h) == (ents, links)


def test_simple_graph_sums_parallel_links() -> None:
    s = simple_graph(graph_from_records(ENTITIES, LINKS))
    assert s.number_of_edges() == 2
    assert s["555-1"]["555-2"] == {"weight": 4.0, "links": 2}
    assert s.nodes["P1"]["type"] == "person"


@pytest.mark.parametrize(
    ("entities", "links", "message"),
    [
        ([{"type": "phone"}], [], "entity record 0: field 'id' is missing"),
        ([{"id": "a", "type": "drone"}], [], "entity 'a': unknown entity type 'drone'"),
        ([{"id": "a"}, {"id": "a"}], [], "entity 'a' is given twice"),
        ([{"id": "a"}], [{"source": "a"}], "link record 0: field 'target' is missing"),
        ([{"id": "a"}], [{"source": "a", "target": "b"}], "names entity 'b', which is not"),
        (
            [{"id": "a"}, {"id": "b"}],
            [{"source": "a", "target": "b", "type": "bribe"}],
            "link 0: unknown link type 'bribe'",
        ),
        (
            [{"id": "a"}, {"id": "b"}],
            [{"source": "a", "target": "b", "date": "last week"}],
            "link record 0, field 'date': not an ISO 8601 date",
        ),
        (
            [{"id": "a"}, {"id": "b"}],
            [{"source": "a", "target": "b", "weight": "heavy"}],
            "link record 0: field 'weight' is not a number",
        ),
    ],
)
def test_bad_records_are_named(entities: list, links: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(NetworkError, match=message):
        graph_from_records(entities, links)


def test_directed_graph_keeps_direction() -> None:
    g = build_graph(
        [Entity("a", "account"), Entity("b", "account")],
        [Link("a", "b", "transfer")],
        directed=True,
    )
    assert g.is_directed() and g.has_edge("a", "b") and not g.has_edge("b", "a")
