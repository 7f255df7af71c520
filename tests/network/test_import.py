"""Imports: record CSVs with a mapping, adjacency matrices, GraphML, GEXF, and their errors
(file, line, column)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from olfato.errors import NetworkError
from olfato.network.mapping import load_mapping
from olfato.network.read import read_network

CALLS = """Id registro;Numero A;Numero B;Fecha;Duracion (s);Celda
R1;+52 662 100 0001;+52 662 100 0002;05/01/2025 10:15;62;HMO-14
R2;+52 662 100 0002;+52 662 100 0003;05/01/2025 11:00;15;HMO-14
R3;+52 662 100 0001;+52 662 100 0002;06/01/2025 09:30;120;HMO-02
"""

CALLS_MAPPING = """format: edges
delimiter: ";"
source: {column: "Numero A", type: phone}
target: {column: "Numero B", type: phone}
link_type: call
date: {column: "Fecha", format: "%d/%m/%Y %H:%M"}
weight: "Duracion (s)"
source_ref: "Id registro"
attributes: ["Celda"]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_call_records_with_a_mapping(tmp_path: Path) -> None:
    csv = _write(tmp_path, "calls.csv", CALLS)
    mapping = _write(tmp_path, "calls.yaml", CALLS_MAPPING)
    g = read_network(csv, mapping=mapping)
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 3
    assert g.nodes["+52 662 100 0001"]["type"] == "phone"
    assert not g.nodes["+52 662 100 0001"]["personal"]
    calls = g.get_edge_data("+52 662 100 0001", "+52 662 100 0002")
    assert sorted(d["date"] for d in calls.values()) == [
        "2025-01-05T10:15:00",
        "2025-01-06T09:30:00",
    ]
    assert sorted(d["weight"] for d in calls.values()) == [62.0, 120.0]
    assert {d["source_ref"] for d in calls.values()} == {"R1", "R3"}
    assert {d["Celda"] for d in calls.values()} == {"HMO-14", "HMO-02"}
    assert all(d["type"] == "call" for d in calls.values())


def test_record_types_per_row_and_mapped_values(tmp_path: Path) -> None:
    csv = _write(
        tmp_path,
        "transfers.csv",
        "payer,payer_kind,payer_name,payee,kind,amount\n"
        "P1,person,Juan Pérez,ACC-9,TRANSFERENCIA,1500\n"
        "Quimica SA,company,,ACC-9,DEPOSITO,80000\n",
    )
    mapping = _write(
        tmp_path,
        "m.yaml",
        "source: {column: payer, type_column: payer_kind, label_column: payer_name}\n"
        "target: {column: payee, type: account}\n"
        "link_type_column: kind\n"
        "link_types: {TRANSFERENCIA: transfer, DEPOSITO: transfer}\n"
        "weight: amount\n",
    )
    g = read_network(csv, mapping=mapping)
    assert g.nodes["P1"]["type"] == "person" and g.nodes["P1"]["personal"]
    assert g.nodes["P1"]["label"] == "Juan Pérez"
    assert g.nodes["Quimica SA"]["type"] == "company"
    assert g.nodes["ACC-9"]["type"] == "account"
    assert {d["type"] for *_, d in g.edges(data=True)} == {"transfer"}
    assert sum(d["weight"] for *_, d in g.edges(data=True)) == 81500.0


def test_standard_columns_without_a_mapping(tmp_path: Path) -> None:
    csv = _write(
        tmp_path,
        "links.csv",
        "source,target,type,date,source_type,target_type\n"
        "ABC-123,Rancho El Alamo,sighting,2025-03-01T06:10:00Z,vehicle,place\n",
    )
    g = read_network(csv)
    assert g.nodes["ABC-123"]["type"] == "vehicle"
    (d,) = g.get_edge_data("ABC-123", "Rancho El Alamo").values()
    assert d["type"] == "sighting" and d["date"] == "2025-03-01T06:10:00+00:00"
    assert d["source_ref"] == "links.csv:2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "source,target,date\na,b,2025-01-01\nc,d,yesterday\n",
            r"links\.csv, line 3, column 'date': not a date in the format 'iso8601' "
            r"\(value: 'yesterday'\)",
        ),
        (
            "source,target,weight\na,b,1\nc,d,lots\n",
            r"links\.csv, line 3, column 'weight': the weight is not a number",
        ),
        (
            "source,target,type\na,b,call\nc,d,bribe\n",
            r"links\.csv, line 3, column 'type': unknown link type; map it with 'link_types'",
        ),
        ("source,target\na,b\n,d\n", r"links\.csv, line 3, column 'source': the id is empty"),
        ("source,target\na,b\nc\n", r"links\.csv, line 3, column 'target': the row has 1 fields"),
        ("caller,callee\na,b\n", r"links\.csv, line 1: no column 'source', 'target'"),
        ("", r"links\.csv: the file is empty"),
        (
            "source,target,source_type,target_type\na,b,phone,person\nb,c,vehicle,phone\n",
            r"line 3, column 'source': entity 'b' is a vehicle here but a person on line 2",
        ),
    ],
)
def test_edge_list_errors_name_file_line_column(tmp_path: Path, text: str, message: str) -> None:
    csv = _write(tmp_path, "links.csv", text)
    with pytest.raises(NetworkError, match=message):
        read_network(csv)


def test_multiline_quoted_cells_keep_the_right_line(tmp_path: Path) -> None:
    csv = _write(
        tmp_path,
        "links.csv",
        'source,target,note,weight\na,b,"two\nlines",1\nc,d,x,oops\n',
    )
    with pytest.raises(NetworkError, match=r"line 4, column 'weight'"):
        read_network(csv, mapping=_write(tmp_path, "m.yaml", "attributes: [note]\n"))


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("link_type: bribe\n", r"m\.yaml: mapping field 'link_type': unknown link type 'bribe'"),
        ("source: {column: a, type: drone}\n", r"mapping field 'source\.type': unknown entity"),
        ("colums: {}\n", r"mapping field 'colums': Extra inputs are not permitted"),
        ("source: [a, b\n", r"m\.yaml, line 2: not valid YAML"),
        ("- a\n", r"a mapping is a YAML mapping"),
    ],
)
def test_mapping_errors_name_the_field(tmp_path: Path, yaml_text: str, message: str) -> None:
    with pytest.raises(NetworkError, match=message):
        load_mapping(_write(tmp_path, "m.yaml", yaml_text))


MATRIX = """,Ana,Beto,Caro,Dani
Ana,0,1,0,2
Beto,1,0,1,0
Caro,0,1,0,0
Dani,2,0,0,0
"""


def test_ucinet_matrix(tmp_path: Path) -> None:
    m = _write(tmp_path, "m.csv", MATRIX)
    mapping = _write(
        tmp_path, "m.yaml", "format: matrix\nentity_type: person\nlink_type: meeting\n"
    )
    g = read_network(m, mapping=mapping)
    assert not g.is_directed()
    assert sorted(g.nodes) == ["Ana", "Beto", "Caro", "Dani"]
    assert g.number_of_edges() == 3  # symmetric: one link per pair
    assert g.get_edge_data("Ana", "Dani")[0]["weight"] == 2.0
    assert all(d["type"] == "meeting" for *_, d in g.edges(data=True))
    assert g.nodes["Ana"]["type"] == "person"


def test_asymmetric_matrix_is_directed(tmp_path: Path) -> None:
    m = _write(tmp_path, "m.csv", ",a,b,c\na,0,1,0\nb,0,0,3\nc,0,0,0\n")
    g = read_network(m, format="matrix")
    assert g.is_directed() and sorted(g.edges) == [("a", "b", 0), ("b", "c", 0)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (",a,b\na,0,x\nb,1,0\n", r"m\.csv, line 2, column 'b': the cell is not a number"),
        (",a,b\na,0,1\nz,1,0\n", r"m\.csv, line 3: the row's id is not among the column ids"),
        (",a,b\na,0,1\nb,1\n", r"line 3: the row has 1 cells, the header 2 ids"),
        (",a,b\na,0,1\n", r"no row for 'b'"),
    ],
)
def test_matrix_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(NetworkError, match=message):
        read_network(_write(tmp_path, "m.csv", text), format="matrix")


def test_graphml_and_gexf_from_other_tools(tmp_path: Path) -> None:
    g = nx.Graph()
    g.add_node("lab", type="place", label="Rancho")
    g.add_node("truck", type="vehicle")
    g.add_node("x")
    g.add_edge("lab", "truck", type="sighting", date="2025-02-01", weight=2.0)
    g.add_edge("truck", "x")
    nx.write_graphml(g, tmp_path / "g.graphml")
    h = read_network(tmp_path / "g.graphml")
    assert h.nodes["lab"]["type"] == "place" and h.nodes["lab"]["label"] == "Rancho"
    assert h.nodes["x"]["type"] == "unknown" and h.nodes["x"]["personal"]
    (d,) = h.get_edge_data("lab", "truck").values()
    assert (d["type"], d["date"], d["weight"]) == ("sighting", "2025-02-01", 2.0)
    nx.write_gexf(nx.les_miserables_graph(), tmp_path / "lm.gexf")
    lm = read_network(
        tmp_path / "lm.gexf", mapping=_write(tmp_path, "p.yaml", "entity_type: person\n")
    )
    assert lm.number_of_nodes() == 77 and lm.number_of_edges() == 254
    assert lm.nodes["Valjean"]["type"] == "person"


def test_graphml_errors(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.graphml", "<graphml><graph>\n<node id='a'>\n</graph>")
    with pytest.raises(NetworkError, match=r"bad\.graphml, line 3: not valid XML"):
        read_network(bad)
    g = nx.Graph()
    g.add_node("a", type="spaceship")
    nx.write_graphml(g, tmp_path / "t.graphml")
    with pytest.raises(
        NetworkError, match=r"t\.graphml: node 'a', attribute 'type': unknown entity type"
    ):
        read_network(tmp_path / "t.graphml")


def test_format_from_extension(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match=r"cannot tell the format from the extension '\.xlsx'"):
        read_network(tmp_path / "x.xlsx")
    with pytest.raises(NetworkError, match="cannot read"):
        read_network(tmp_path / "absent.csv")
