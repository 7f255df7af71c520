"""The case's network: records imported into a case, the case's graph read back (audited),
and the place entities and sightings the case's own findings give.

- :func:`import_network` reads a records file (any :mod:`olfato.network` import format)
  with no database, then records in one transaction a ``network`` run on the case, its
  entities (merged with the case's by key) and its links.
- :func:`load_case_network` reads the case's entities and links into the graph the
  measures take; every read is audited (``network.read``, with how many personal
  entities it returned).
- :func:`add_case_places` makes a ``place`` entity of each located source of the newest
  locate run of each survey, and a ``sighting`` link for each observation (video
  footprints, tracks, activity) within ``radius_m`` of a place: from the entity the
  observation names (``properties.entity``, e.g. a plate; ``properties.entity_type``
  its type), else from an ``event`` entity of the observation.

Link times are kept as the store keeps them (seconds since the epoch, UTC; a time
without an offset is taken as UTC) and the link's ISO 8601 text in its properties, so a
date alone stays a date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from olfato.store import models as m
from olfato.store import records
from olfato.store.audit import record
from olfato.store.cases import get_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import sha256_file

if TYPE_CHECKING:
    import networkx as nx

    from olfato.network.mapping import ImportMapping

#: mean Earth radius [m] (IUGG), for distances between a place and an observation
EARTH_RADIUS_M = 6_371_008.8
#: default distance within which an observation is a sighting at a place [m]
SIGHTING_RADIUS_M = 500.0


@dataclass(frozen=True)
class NetworkRecorded:
    """What recording into a case's network wrote."""

    case: str
    run_id: int
    version: int
    entities: int
    """entities of the run (new or already in the case)"""
    new_entities: int
    links: int

    @property
    def message(self) -> str:
        return (
            f"network v{self.version} recorded in case {self.case}: {self.entities} entities "
            f"({self.new_entities} new), {self.links} links"
        )


def epoch_s(text: str | None) -> float | None:
    """ISO 8601 text as seconds since the epoch; no offset means UTC.

    Parameters
    ----------
    text : str or None
        A date (its midnight) or a date and time.

    Returns
    -------
    float or None
        Seconds since the Unix epoch [s] (``None`` for no text).
    """
    if not text:
        return None
    t = dt.datetime.fromisoformat(text)  # a date alone is its midnight
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()


def graph_rows(g: nx.Graph, provenance: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A network graph as entity and link rows for :mod:`olfato.store.records`.

    Parameters
    ----------
    g : networkx.Graph
        A graph of :func:`olfato.network.model.build_graph`.
    provenance : str
        Where the rows come from, for entities and for links without a ``source_ref``.

    Returns
    -------
    (list of dict, list of dict)
        Entity rows and link rows (a link's ISO 8601 ``date`` also kept in its properties).
    """
    skip_n = {"type", "label", "personal", "released"}
    ents = [
        {
            "key": str(n),
            "type": d.get("type", "unknown"),
            "label": d.get("label", str(n)),
            "personal": bool(d.get("personal", False)),
            "released": bool(d.get("released", False)),
            "provenance": provenance,
            "properties": {k: v for k, v in d.items() if k not in skip_n},
        }
        for n, d in g.nodes(data=True)
    ]
    skip_e = {"type", "weight", "source_ref"}
    links = [
        {
            "source": str(u),
            "target": str(v),
            "type": d.get("type", "link"),
            "directed": g.is_directed(),
            "weight": d.get("weight", 1.0),
            "start_time": epoch_s(d.get("date")),
            "provenance": d.get("source_ref") or provenance,
            "properties": {k: x for k, x in d.items() if k not in skip_e and x is not None},
        }
        for u, v, d in g.edges(data=True)
    ]
    return ents, links


def record_network(
    store: Store,
    case_name: str,
    g: nx.Graph,
    *,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str | Path],
    provenance: str,
) -> NetworkRecorded:
    """Record a graph's entities and links in a case as a ``network`` run, in one transaction.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    g : networkx.Graph
        Entities and links (:func:`olfato.network.model.build_graph`).
    parameters : mapping
        The import's settings, JSON-able.
    inputs : mapping of name to path
        The input files; their SHA-256 is recorded.
    provenance : str
        Where the entities come from (a file name).

    Returns
    -------
    NetworkRecorded
    """
    started = dt.datetime.now(dt.UTC)
    checksums = {name: sha256_file(p) for name, p in inputs.items()}
    ents, links = graph_rows(g, provenance)
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        before = set(s.scalars(select(m.Entity.key).where(m.Entity.case_id == case.id)))
        run = records.add_run(
            s,
            case,
            stage="network",
            subject="case",
            parameters=parameters,
            inputs=checksums,
            summary={"entities": len(ents), "links": len(links)},
            started_at=started,
        )
        ids = records.add_entities(s, run, ents)
        n_links = records.add_links(s, run, links, ids)
        new = sum(e["key"] not in before for e in ents)
        return NetworkRecorded(case_name, run.id, run.version, len(ents), new, n_links)


def import_network(
    store: Store,
    case_name: str,
    path: str | Path,
    *,
    format: str | None = None,
    mapping: ImportMapping | str | Path | None = None,
) -> NetworkRecorded:
    """Read a records file (:func:`olfato.network.read.read_network`) and record it in a case.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    path : str or Path
        The records file (edge list, matrix, GraphML, GEXF).
    format : str, optional
        Its format, when the extension does not say.
    mapping : ImportMapping or path, optional
        The column mapping (:mod:`olfato.network.mapping`).

    Returns
    -------
    NetworkRecorded
    """
    from olfato.network.read import read_network

    g = read_network(path, format=format, mapping=mapping)
    inputs: dict[str, str | Path] = {"records": path}
    if mapping is not None and not hasattr(mapping, "model_dump"):
        inputs["mapping"] = Path(str(mapping))
    return record_network(
        store,
        case_name,
        g,
        parameters={"format": format, "file": Path(path).name},
        inputs=inputs,
        provenance=Path(path).name,
    )


def _iso(t: float | None, text: Any) -> str | None:
    if isinstance(text, str) and text:
        return text
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()


def load_case_network(store: Store, case_name: str, *, purpose: str = "analysis") -> nx.MultiGraph:
    """The case's entities and links as a :func:`olfato.network.model.build_graph` graph.

    The read is audited (``network.read`` with ``purpose`` and the number of personal
    entities returned), in the same transaction.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    purpose : str
        Why it is read (``analysis``, ``export``), written in the audit event.

    Returns
    -------
    networkx.MultiGraph or networkx.MultiDiGraph
        Directed when any of the case's links is.
    """
    from olfato.network.model import Entity, Link, build_graph

    with store.write() as s:
        case = get_case(s, case_name)
        rows = list(s.scalars(select(m.Entity).where(m.Entity.case_id == case.id)))
        key = {e.id: e.key for e in rows}
        lks = list(s.scalars(select(m.Link).where(m.Link.case_id == case.id)))
        directed = any(lk.directed for lk in lks)
        ents = [
            Entity(
                e.key,
                e.type,
                label=e.label or e.key,
                released=e.released,
                attributes=dict(e.properties or {}),
            )
            for e in rows
        ]
        links = [
            Link(
                key[lk.source_id],
                key[lk.target_id],
                lk.type,
                _iso(lk.start_time, (lk.properties or {}).get("date")),
                lk.provenance or None,
                lk.weight,
                {k: v for k, v in (lk.properties or {}).items() if k != "date"},
            )
            for lk in lks
        ]
        record(
            s,
            "network.read",
            case.id,
            {
                "purpose": purpose,
                "entities": len(rows),
                "personal": sum(e.personal for e in rows),
                "links": len(lks),
            },
        )
    g = build_graph(ents, links, directed=directed)
    for e in rows:  # an entity the analyst marked personal stays so, whatever its type
        g.nodes[e.key]["personal"] = bool(g.nodes[e.key]["personal"] or e.personal)
    return g


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two WGS84 points, on a sphere of radius
    :data:`EARTH_RADIUS_M`; within 0.5 % of the ellipsoidal distance.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float
        The two points [deg].

    Returns
    -------
    float
        Distance [m].
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _newest_locate_sources(s: Any, case: m.Case) -> list[m.Source]:
    runs = list(s.scalars(select(m.Run).where(m.Run.case_id == case.id, m.Run.stage == "locate")))
    newest: dict[str, m.Run] = {}
    for r in runs:
        if r.status == "done" and (
            r.subject not in newest or r.version > newest[r.subject].version
        ):
            newest[r.subject] = r
    return [src for r in newest.values() for src in r.sources if src.kind == "source"]


def add_case_places(
    store: Store, case_name: str, *, radius_m: float = SIGHTING_RADIUS_M
) -> NetworkRecorded:
    """Make place entities of the case's located sources and sightings of its observations.

    Parameters
    ----------
    store : Store
    case_name : str
    radius_m : float
        An observation within this distance of a place is a sighting there [m].

    Returns
    -------
    NetworkRecorded
        Recorded as a ``network`` run on the case (``subject`` ``case``); rerunning adds
        no duplicate (entities merge by key, a sighting already recorded is skipped).

    Raises
    ------
    OlfatoError
        ``radius_m`` not positive.
    """
    from olfato.errors import OlfatoError

    if not radius_m > 0:
        raise OlfatoError(f"radius_m must be > 0, got {radius_m}", parameter="radius_m")
    started = dt.datetime.now(dt.UTC)
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        places: list[dict[str, Any]] = []
        for src in _newest_locate_sources(s, case):
            places.append(
                {
                    "key": f"source:{src.run_id}:{src.label}",
                    "type": "place",
                    "label": f"{src.signature or 'source'} {src.label}",
                    "provenance": f"locate run {src.run_id}, source {src.label}",
                    "properties": {
                        "lat": src.lat,
                        "lon": src.lon,
                        "signature": src.signature,
                        "suspect": src.suspect,
                        "probability_exists": src.probability_exists,
                    },
                }
            )
        have = set(
            s.scalars(
                select(m.Link.provenance).where(
                    m.Link.case_id == case.id, m.Link.type == "sighting"
                )
            )
        )
        observed: list[dict[str, Any]] = []
        sightings: list[dict[str, Any]] = []
        for o in s.scalars(select(m.Observation).where(m.Observation.case_id == case.id)):
            if o.lat is None or o.lon is None or not places:
                continue
            lat, lon = o.lat, o.lon
            dists = [
                distance_m(lat, lon, p["properties"]["lat"], p["properties"]["lon"]) for p in places
            ]
            d = min(dists)
            near = places[dists.index(d)]
            prov = f"observation {o.id} (run {o.run_id})"
            if d > radius_m or prov in have:
                continue
            props = dict(o.properties or {})
            who = props.get("entity")
            if who:
                etype = str(props.get("entity_type") or "unknown")
                observed.append({"key": str(who), "type": etype, "provenance": prov})
            else:
                who = f"observation:{o.id}"
                observed.append(
                    {
                        "key": who,
                        "type": "event",
                        "label": f"{o.kind} {o.id}",
                        "provenance": prov,
                        "properties": {"kind": o.kind, "lat": o.lat, "lon": o.lon},
                    }
                )
            sightings.append(
                {
                    "source": str(who),
                    "target": near["key"],
                    "type": "sighting",
                    "start_time": o.start_time,
                    "end_time": o.end_time,
                    "provenance": prov,
                    "properties": {"distance_m": round(d, 1), "kind": o.kind},
                }
            )
        from olfato.network.model import PERSONAL_TYPES

        for e in observed:
            e["personal"] = e["type"] in PERSONAL_TYPES
        before = set(s.scalars(select(m.Entity.key).where(m.Entity.case_id == case.id)))
        run = records.add_run(
            s,
            case,
            stage="network",
            subject="case",
            parameters={"radius_m": radius_m, "from": "sources and observations"},
            inputs={},
            summary={"places": len(places), "sightings": len(sightings)},
            started_at=started,
        )
        ents = places + observed
        ids = records.add_entities(s, run, ents)
        n = records.add_links(s, run, sightings, ids)
        new = sum(k not in before for k in ids)
        return NetworkRecorded(case_name, run.id, run.version, len(ids), new, n)
