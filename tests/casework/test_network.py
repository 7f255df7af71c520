"""A case's network: records imported into it, read back (audited), and the places and
sightings its sources and video observations give."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from olfato.casework.network import (
    add_case_places,
    distance_m,
    import_network,
    load_case_network,
)
from olfato.casework.surveys import record_analysis
from olfato.errors import OlfatoError
from olfato.network.export import export_network
from olfato.store import models as m
from olfato.store import records
from olfato.store.cases import get_case, load_case, new_case
from olfato.store.db import Store
from tests.store.analysis import Analysis

CALLS = (
    "caller,callee,when,secs,owner\n"
    "+52 662 100 0001,+52 662 100 0002,2025-01-05T10:15:00-07:00,62,\n"
    "+52 662 100 0002,+52 662 100 0003,2025-01-06,15,\n"
    "+52 662 100 0001,+52 662 100 0002,2025-01-07T09:30:00,120,\n"
)
MAPPING = (
    "source: {column: caller, type: phone}\n"
    "target: {column: callee, type: phone}\n"
    "link_type: call\n"
    "date: when\n"
    "weight: secs\n"
)


def _calls(tmp_path: Path) -> tuple[Path, Path]:
    csv = tmp_path / "calls.csv"
    csv.write_text(CALLS, encoding="utf-8")
    yaml = tmp_path / "calls.yaml"
    yaml.write_text(MAPPING, encoding="utf-8")
    return csv, yaml


def test_import_then_load_is_the_same_network(store: Store, tmp_path: Path) -> None:
    new_case(store, "c")
    csv, yaml = _calls(tmp_path)
    first = import_network(store, "c", csv, mapping=yaml)
    assert (first.entities, first.new_entities, first.links, first.version) == (3, 3, 3, 1)
    again = import_network(store, "c", csv, mapping=yaml)
    assert (again.new_entities, again.version) == (0, 2)  # entities merge by key
    g = load_case_network(store, "c")
    assert g.number_of_nodes() == 3 and g.number_of_edges() == 6
    dates = sorted({d["date"] for *_, d in g.edges(data=True)})
    # the offset kept as written, a date alone stays a date, no offset stays without
    assert dates == ["2025-01-05T10:15:00-07:00", "2025-01-06", "2025-01-07T09:30:00"]
    assert {d["source_ref"] for *_, d in g.edges(data=True)} == {
        "calls.csv:2",
        "calls.csv:3",
        "calls.csv:4",
    }
    assert sorted(d["weight"] for *_, d in g.edges(data=True))[:2] == [15.0, 15.0]
    with store.read() as s:
        run = s.get(m.Run, first.run_id)
        assert run is not None and run.stage == "network" and run.subject == "case"
        link = s.scalars(select(m.Link).where(m.Link.provenance == "calls.csv:2")).first()
        assert link is not None
        # 10:15 at UTC-7 is 17:15 UTC
        assert link.start_time == datetime(2025, 1, 5, 17, 15, tzinfo=UTC).timestamp()
    actions = [a.action for a in load_case(store, "c").audit]
    assert actions[-3:] == ["run.network", "run.network", "network.read"]


def test_every_read_is_audited_with_its_personal_count(store: Store, tmp_path: Path) -> None:
    new_case(store, "c")
    csv = tmp_path / "own.csv"
    csv.write_text(
        "source,target,type,source_type,target_type\nP1,ABC-123,ownership,person,vehicle\n",
        encoding="utf-8",
    )
    import_network(store, "c", csv)
    g = load_case_network(store, "c", purpose="export")
    assert g.nodes["P1"]["personal"] and not g.nodes["ABC-123"]["personal"]
    event = load_case(store, "c").audit[-1]
    assert event.action == "network.read"
    assert event.detail == {"purpose": "export", "entities": 2, "personal": 1, "links": 1}
    # and an export of the case's network still withholds the person
    done = export_network(g, tmp_path / "c.graphml", to="graphml")
    assert done.withheld == ["P1"]
    # a vehicle the analyst marks as personal data is withheld too
    with store.write() as s:
        row = s.scalars(select(m.Entity).where(m.Entity.key == "ABC-123")).one()
        row.personal = True
    g = load_case_network(store, "c")
    assert export_network(g, tmp_path / "d.graphml", to="graphml").withheld == ["P1", "ABC-123"]


def test_places_from_sources_and_sightings_from_observations(
    store: Store, analysis: Analysis
) -> None:
    new_case(store, "c")
    record_analysis(store, "c", analysis.csv, analysis.survey, analysis.hits, analysis.sources)
    with store.read() as s:
        src = s.scalars(select(m.Source).where(m.Source.kind == "source")).first()
        assert src is not None
        lat, lon = src.lat, src.lon
    with store.write() as s:
        case = get_case(s, "c")
        run = records.add_run(
            s, case, stage="video", subject="case", parameters={}, inputs={},
            started_at=datetime.now(UTC),
        )  # fmt: skip
        records.add_observations(
            s,
            run,
            [
                # a pickup whose plate the video analyst read, 100 m north of the source
                {"kind": "track", "start_time": 1.7e9, "lat": lat + 100 / 111_195, "lon": lon,
                 "properties": {"entity": "ABC-123", "entity_type": "vehicle"}},
                # activity 50 m east: an event entity
                {"kind": "activity", "start_time": 1.7e9 + 60, "lat": lat,
                 "lon": lon + 50 / (111_195 * 0.874)},
                # a footprint 5 km away: no sighting
                {"kind": "footprint", "lat": lat + 0.045, "lon": lon},
            ],
        )  # fmt: skip
    done = add_case_places(store, "c", radius_m=500)
    assert done.links == 2
    g = load_case_network(store, "c")
    places = [n for n, d in g.nodes(data=True) if d["type"] == "place"]
    assert len(places) >= 1
    assert g.nodes["ABC-123"]["type"] == "vehicle"
    seen = {(u, v) if g.nodes[v]["type"] == "place" else (v, u) for u, v in g.edges()}
    place = f"source:{src.run_id}:{src.label}"
    assert ("ABC-123", place) in seen
    (event,) = [n for n, d in g.nodes(data=True) if d["type"] == "event"]
    assert (event, place) in seen
    dists = sorted(d["distance_m"] for *_, d in g.edges(data=True))
    assert dists == pytest.approx([50.0, 100.0], abs=1.0)
    # rerunning adds nothing twice
    assert add_case_places(store, "c").links == 0
    with pytest.raises(OlfatoError, match="radius_m must be > 0"):
        add_case_places(store, "c", radius_m=0)


def test_haversine_distance() -> None:
    # one degree of latitude on the mean sphere: pi R / 180
    assert distance_m(0, 0, 1, 0) == pytest.approx(111_195.08, abs=0.1)
    assert distance_m(29.1, -111.0, 29.1, -111.0) == 0.0
