"""Exports: GraphML, GEXF, CSV read back identically; ANX validated; persons withheld."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from olfato.errors import NetworkError
from olfato.network.anx import ANB_ENTITY_TYPES, anx_chart
from olfato.network.export import entities_path, export_network
from olfato.network.model import Entity, Link, build_graph
from olfato.network.read import read_network


def _case() -> nx.MultiGraph:
    ents = [
        Entity("P1", "person", label="Juan Pérez"),
        Entity("P2", "person", label="Ana Ruiz", released=True),
        Entity("+52 662 100 0001", "phone"),
        Entity("+52 662 100 0002", "phone", attributes={"carrier": "Telcel"}),
        Entity("ABC-123", "vehicle", label="Pickup ABC-123"),
        Entity("Quimica SA", "company"),
        Entity("site-1", "place", attributes={"lat": 29.095, "lon": -111.042}),
    ]
    links = [
        Link("+52 662 100 0001", "+52 662 100 0002", "call", "2025-01-05T10:15:00", "R1", 62.0),
        Link("+52 662 100 0001", "+52 662 100 0002", "call", "2025-01-06T09:30:00", "R3", 120.0),
        Link("P1", "+52 662 100 0001", "ownership", None, "registry:44"),
        Link("P2", "ABC-123", "ownership", "2024-11-02", "registry:45"),
        Link("ABC-123", "site-1", "sighting", "2025-02-01T06:10:00+00:00", "video:7", 1.0),
        Link("Quimica SA", "P2", "transfer", "2025-01-20", "bank:9", 15000.0, {"currency": "MXN"}),
    ]
    return build_graph(ents, links)


def _records(g: nx.Graph) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    nodes = {str(n): (d["type"], d["label"]) for n, d in g.nodes(data=True)}
    edges = sorted(
        (
            *sorted((str(u), str(v))),
            d["type"],
            d.get("date"),
            d.get("source_ref"),
            float(d["weight"]),
        )
        for u, v, d in g.edges(data=True)
    )
    return nodes, edges


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
def test_round_trip_is_identical(tmp_path: Path, fmt: str) -> None:
    g = _case()
    out = tmp_path / f"case.{fmt}"
    done = export_network(g, out, to=fmt, release="all")
    assert (done.entities, done.links, done.withheld) == (7, 6, [])
    back = read_network(out)
    assert _records(back) == _records(g)
    if fmt != "csv":  # the links table has no entity attributes; the entities table does
        assert back.nodes["site-1"]["lat"] == 29.095
        assert back.nodes["+52 662 100 0002"]["carrier"] == "Telcel"
        (t,) = [d for *_, d in back.edges(data=True) if d["type"] == "transfer"]
        assert t["currency"] == "MXN"
    else:
        ents = entities_path(out).read_text(encoding="utf-8")
        assert "29.095" in ents and "Telcel" in ents


def test_graphml_opens_in_networkx_and_igraph(tmp_path: Path) -> None:
    import igraph as ig

    g = _case()
    export_network(g, tmp_path / "c.graphml", to="graphml", release="all")
    h = nx.read_graphml(tmp_path / "c.graphml")
    assert set(h.nodes) == {str(n) for n in g.nodes}
    assert h.number_of_edges() == 6
    assert nx.get_node_attributes(h, "type") == nx.get_node_attributes(g, "type")
    i = ig.Graph.Read_GraphML(str(tmp_path / "c.graphml"))
    assert i.vcount() == 7 and i.ecount() == 6
    assert dict(zip(i.vs["id"], i.vs["type"], strict=True)) == nx.get_node_attributes(g, "type")
    assert sorted(i.es["type"]) == sorted(d["type"] for *_, d in g.edges(data=True))


def test_gexf_is_valid_gexf(tmp_path: Path) -> None:
    export_network(_case(), tmp_path / "c.gexf", to="gexf", release="all")
    root = ET.parse(tmp_path / "c.gexf").getroot()
    assert root.tag.endswith("gexf") and root.get("version") == "1.2"
    # the GEXF edge "type" is the direction; the link's type travels as an attribute
    edge_types = {e.get("type") for e in root.iter() if e.tag.endswith("}edge")}
    assert edge_types <= {None, "undirected", "directed", "mutual"}


def test_persons_are_withheld_unless_released(tmp_path: Path) -> None:
    g = _case()
    done = export_network(g, tmp_path / "c.graphml", to="graphml")
    # P1 withheld with its ownership link; P2 released by the analyst's flag
    assert done.withheld == ["P1"]
    h = read_network(tmp_path / "c.graphml")
    assert "P1" not in h and "P2" in h and h.number_of_edges() == 5
    done = export_network(g, tmp_path / "c2.graphml", to="graphml", release=["P1"])
    assert done.withheld == []
    with pytest.raises(NetworkError, match="release: 'P9' not in the graph"):
        export_network(g, tmp_path / "c3.graphml", to="graphml", release=["P9"])


def test_anx_validates_and_holds_the_chart(tmp_path: Path) -> None:
    g = _case()
    chart, shown, gone = anx_chart(g)
    assert chart.validate() == []
    assert gone == ["P1"]
    done = export_network(g, tmp_path / "case.anx", to="anx")
    assert done.path.exists() and done.withheld == ["P1"]
    raw = done.path.read_bytes()
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")  # UTF-16 with a byte-order mark, as ANB reads
    root = ET.fromstring(raw.decode("utf-16").split("?>", 1)[1])
    assert root.tag == "Chart"
    ents = {
        e.get("Identity"): e.find("Icon/IconStyle").get("Type")  # type: ignore[union-attr]
        for e in root.iter("Entity")
    }
    assert ents == {str(n): ANB_ENTITY_TYPES[d["type"]] for n, d in shown.nodes(data=True)}
    assert "P1" not in ents
    links = list(root.iter("Link"))
    assert len(links) == 5
    types = sorted(ls.get("Type") for ls in root.iter("LinkStyle"))  # type: ignore[type-var]
    assert types == sorted(["Telephone Call", "Telephone Call", "Owner", "Sighting", "Transaction"])
    dated = {i.get("SourceReference"): i.get("DateTime") for i in root.iter("ChartItem")}
    assert dated["R1"] == "2025-01-05T10:15:00.000"
    assert dated["video:7"] == "2025-02-01T06:10:00.000"  # UTC
