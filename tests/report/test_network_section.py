"""The report's network section: key players, and persons withheld from partners."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from olfato.casework.network import import_network
from olfato.casework.surveys import record_analysis
from olfato.report.make import make_report
from olfato.store import models as m
from olfato.store.cases import new_case
from olfato.store.db import Store
from olfato.store.workspace import Workspace
from tests.store.analysis import demo_analysis

# two phone clusters joined only through the broker's phone (a bridge): removing
# P-BROKER fragments the network most, so it is the first key player
GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="type" for="node" attr.name="type" attr.type="string"/>
  <key id="label" for="node" attr.name="label" attr.type="string"/>
  <key id="ltype" for="edge" attr.name="type" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="P-BROKER"><data key="type">phone</data><data key="label">P-BROKER</data></node>
    <node id="A1"><data key="type">phone</data></node>
    <node id="A2"><data key="type">phone</data></node>
    <node id="A3"><data key="type">phone</data></node>
    <node id="B1"><data key="type">phone</data></node>
    <node id="B2"><data key="type">phone</data></node>
    <node id="B3"><data key="type">phone</data></node>
    <node id="Juan Perez"><data key="type">person</data></node>
    <edge source="A1" target="A2"><data key="ltype">call</data></edge>
    <edge source="A2" target="A3"><data key="ltype">call</data></edge>
    <edge source="A1" target="A3"><data key="ltype">call</data></edge>
    <edge source="B1" target="B2"><data key="ltype">call</data></edge>
    <edge source="B2" target="B3"><data key="ltype">call</data></edge>
    <edge source="B1" target="B3"><data key="ltype">call</data></edge>
    <edge source="A1" target="P-BROKER"><data key="ltype">call</data></edge>
    <edge source="P-BROKER" target="B1"><data key="ltype">call</data></edge>
    <edge source="Juan Perez" target="P-BROKER"><data key="ltype">ownership</data></edge>
  </graph>
</graphml>
"""


def test_report_shows_key_players_and_withholds_persons_from_partners(tmp_path: Path) -> None:
    a = demo_analysis(tmp_path / "analysis")
    ws = Workspace.locate(tmp_path / "ws", f"sqlite:///{tmp_path / 'ws' / 'case.db'}")
    graph = tmp_path / "calls.graphml"
    graph.write_text(GRAPHML, encoding="utf-8")
    with Store(ws) as store:
        new_case(store, "net")
        record_analysis(store, "net", a.csv, a.survey, a.hits, a.sources)
        import_network(store, "net", graph)
        internal = make_report(store, "net", lang="en", fmt="html")[0]
        released = make_report(store, "net", lang="es", fmt="html", releasable_to=["MX"])[0]
        inside = store.workspace.resolve(internal.path).read_text(encoding="utf-8")
        partner = store.workspace.resolve(released.path).read_text(encoding="utf-8")
        with store.read() as s:
            reads = [
                e.detail
                for e in s.scalars(
                    select(m.AuditEvent).where(m.AuditEvent.action == "network.read")
                )
            ]
    assert "The network around the sites" in inside
    assert "Key players are the entities whose removal" in inside
    assert "P-BROKER" in inside and "Juan Perez" in inside
    assert "(Borgatti&#39;s KPP-Neg): P-BROKER" in inside or "KPP-Neg): P-BROKER" in inside
    # the partner's Spanish product: the network, without the person, and says so
    assert "La red en torno a los sitios" in partner
    assert "Juan Perez" not in partner
    assert "Se omiten 1 entidades personales" in partner
    assert "P-BROKER" in partner
    # both reads of the case's network for the reports are in the audit trail
    assert [r["purpose"] for r in reads] == ["report", "report"]
    assert all(r["personal"] == 1 for r in reads)
