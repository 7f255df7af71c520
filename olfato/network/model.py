"""The meta-network: typed entities and typed, dated, sourced links, as a networkx graph.

An analyst's chart (i2 Analyst's Notebook, Maltego, ORA) holds *entities* of a few types
(a person, a phone, a vehicle, a company, a place, an event, an account) and *links*
between them, each of a type (a call, a transfer, an ownership, a sighting, a
co-location, a meeting), with the date it happened and the record it came from. Here
they are :class:`Entity` and :class:`Link`, and :func:`build_graph` turns them into a
:class:`networkx.MultiGraph` (one edge per link, so two calls are two edges) whose node
attributes are ``type``, ``label``, ``personal``, ``released`` plus the entity's own,
and whose edge attributes are ``type``, ``date`` (ISO 8601 text), ``source_ref``,
``weight`` plus the link's own. :func:`graph_from_records` reads the same from plain
dicts, as a database table or a JSON body gives them, and :func:`graph_to_records`
writes them back. :func:`simple_graph` collapses the links between a pair into one
weighted edge, which is what the measures use.

Person entities are personal data (``personal=True``); so is an entity of unknown type,
which could be a person. They leave only when an analyst sets ``released``
(see :mod:`olfato.network.privacy`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from olfato.errors import NetworkError

#: entity types, in the words i2 and Maltego use (``unknown``: a graph file said nothing)
ENTITY_TYPES = ("person", "phone", "vehicle", "company", "place", "event", "account", "unknown")
#: link types
LINK_TYPES = ("call", "transfer", "ownership", "sighting", "co-location", "meeting", "link")
#: entity types that are personal data (an unknown entity may be a person)
PERSONAL_TYPES = frozenset({"person", "unknown"})

_ENTITY_KEYS = ("id", "type", "label", "released")
_LINK_KEYS = ("source", "target", "type", "date", "source_ref", "weight")


def _prefix(where: str | None) -> str:
    return f"{where}: " if where else ""


def check_entity_type(value: str, *, where: str | None = None) -> str:
    """Check an entity type.

    Parameters
    ----------
    value : str
        The type as written (any case).
    where : str, optional
        What it belongs to, put before the error message.

    Returns
    -------
    str
        ``value`` lower-cased, one of :data:`ENTITY_TYPES`.

    Raises
    ------
    NetworkError
        Not an entity type.
    """
    t = str(value).strip().lower()
    if t not in ENTITY_TYPES:
        raise NetworkError(
            f"{_prefix(where)}unknown entity type {value!r}; use one of {', '.join(ENTITY_TYPES)}"
        )
    return t


def check_link_type(value: str, *, where: str | None = None) -> str:
    """Check a link type (``co_location`` and ``colocation`` read as ``co-location``).

    Parameters
    ----------
    value : str
        The type as written (any case).
    where : str, optional
        What it belongs to, put before the error message.

    Returns
    -------
    str
        One of :data:`LINK_TYPES`.

    Raises
    ------
    NetworkError
        Not a link type.
    """
    t = str(value).strip().lower().replace("_", "-").replace("colocation", "co-location")
    if t not in LINK_TYPES:
        raise NetworkError(
            f"{_prefix(where)}unknown link type {value!r}; use one of {', '.join(LINK_TYPES)}"
        )
    return t


def iso_date(value: Any, *, where: str = "date") -> str | None:
    """A date or time as ISO 8601 text.

    Parameters
    ----------
    value : str, date, datetime or None
        The date or time.
    where : str
        What it belongs to, put before the error message.

    Returns
    -------
    str or None
        ISO 8601 text (a date alone stays a date); ``None`` for none.

    Raises
    ------
    NetworkError
        Text that is not ISO 8601.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    try:
        if len(text) == 10:  # a date alone stays a date
            return dt.date.fromisoformat(text).isoformat()
        return dt.datetime.fromisoformat(text).isoformat()
    except ValueError:
        raise NetworkError(f"{where}: not an ISO 8601 date or time: {text!r}") from None


@dataclass(frozen=True)
class Entity:
    """One node of the chart.

    Parameters
    ----------
    id : str
        Unique within the graph (a phone number, a plate, a case's person id).
    type : str
        One of :data:`ENTITY_TYPES`.
    label : str, optional
        What a chart shows (default: the id).
    released : bool
        A personal entity the analyst released for sharing (default ``False``).
    attributes : mapping
        Anything else (kept, exported).
    """

    id: str
    type: str
    label: str | None = None
    released: bool = False
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def personal(self) -> bool:
        """Whether the entity is personal data (a person, or of unknown type)."""
        return self.type in PERSONAL_TYPES


@dataclass(frozen=True)
class Link:
    """One edge of the chart: ``source`` to ``target`` (the caller, the payer, the owner).

    Parameters
    ----------
    source, target : str
        Entity ids.
    type : str
        One of :data:`LINK_TYPES`.
    date : str, optional
        When it happened, ISO 8601.
    source_ref : str, optional
        Where it comes from (a record id, ``file.csv:12``).
    weight : float
        Strength (a count, a duration [s], an amount); 1 by default.
    attributes : mapping
        Anything else (kept, exported).
    """

    source: str
    target: str
    type: str = "link"
    date: str | None = None
    source_ref: str | None = None
    weight: float = 1.0
    attributes: Mapping[str, Any] = field(default_factory=dict)


def build_graph(
    entities: Iterable[Entity], links: Iterable[Link], *, directed: bool = False
) -> nx.MultiGraph:
    """The chart as a networkx multigraph, one edge per link.

    Parameters
    ----------
    entities : iterable of Entity
        Every entity a link names must be among them.
    links : iterable of Link
    directed : bool
        A :class:`networkx.MultiDiGraph` (the links' source -> target) instead.

    Returns
    -------
    networkx.MultiGraph or networkx.MultiDiGraph
        Node attributes ``type``, ``label``, ``personal``, ``released`` and the entity's
        own; edge attributes ``type``, ``date``, ``source_ref``, ``weight`` and the link's own.

    Raises
    ------
    NetworkError
        An entity given twice, a link naming an entity that is not given, an unknown type
        or a bad date.
    """
    g: nx.MultiGraph = nx.MultiDiGraph() if directed else nx.MultiGraph()
    for e in entities:
        if e.id in g:
            raise NetworkError(f"entity {e.id!r} is given twice")
        g.add_node(
            e.id,
            **dict(e.attributes),
            type=check_entity_type(e.type, where=f"entity {e.id!r}"),
            label=e.label if e.label is not None else e.id,
            personal=e.personal,
            released=bool(e.released),
        )
    for i, lk in enumerate(links):
        for end in (lk.source, lk.target):
            if end not in g:
                raise NetworkError(
                    f"link {i} ({lk.source!r} -> {lk.target!r}) names entity {end!r}, "
                    "which is not among the entities"
                )
        g.add_edge(
            lk.source,
            lk.target,
            **dict(lk.attributes),
            type=check_link_type(lk.type, where=f"link {i}"),
            date=iso_date(lk.date, where=f"link {i}, date"),
            source_ref=lk.source_ref,
            weight=float(lk.weight),
        )
    return g


def _entity(rec: Mapping[str, Any], i: int) -> Entity:
    if rec.get("id") in (None, ""):
        raise NetworkError(f"entity record {i}: field 'id' is missing")
    return Entity(
        id=str(rec["id"]),
        type=str(rec.get("type") or "unknown"),
        label=None if rec.get("label") is None else str(rec["label"]),
        released=bool(rec.get("released", False)),
        attributes={k: v for k, v in rec.items() if k not in _ENTITY_KEYS and k != "personal"},
    )


def _link(rec: Mapping[str, Any], i: int) -> Link:
    for key in ("source", "target"):
        if rec.get(key) in (None, ""):
            raise NetworkError(f"link record {i}: field {key!r} is missing")
    try:
        weight = float(rec.get("weight", 1.0) if rec.get("weight") is not None else 1.0)
    except (TypeError, ValueError):
        raise NetworkError(
            f"link record {i}: field 'weight' is not a number: {rec.get('weight')!r}"
        ) from None
    return Link(
        source=str(rec["source"]),
        target=str(rec["target"]),
        type=str(rec.get("type") or "link"),
        date=iso_date(rec.get("date"), where=f"link record {i}, field 'date'"),
        source_ref=None if rec.get("source_ref") is None else str(rec["source_ref"]),
        weight=weight,
        attributes={k: v for k, v in rec.items() if k not in _LINK_KEYS},
    )


def graph_from_records(
    entities: Iterable[Mapping[str, Any]],
    links: Iterable[Mapping[str, Any]],
    *,
    directed: bool = False,
) -> nx.MultiGraph:
    """:func:`build_graph` from plain dicts (database rows, JSON).

    Parameters
    ----------
    entities : iterable of mapping
        Each with ``id``, ``type`` and optionally ``label``, ``released`` and any other
        field (kept as an attribute).
    links : iterable of mapping
        Each with ``source``, ``target``, and optionally ``type``, ``date`` (ISO 8601 text
        or a date), ``source_ref``, ``weight`` and others.
    directed : bool
        A directed multigraph.

    Returns
    -------
    networkx.MultiGraph or networkx.MultiDiGraph

    Raises
    ------
    NetworkError
        A record without its id, ends or a number where one is needed (naming the
        record's index and field), or as :func:`build_graph`.
    """
    ents = [_entity(r, i) for i, r in enumerate(entities)]
    lks = [_link(r, i) for i, r in enumerate(links)]
    return build_graph(ents, lks, directed=directed)


def graph_to_records(g: nx.Graph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The inverse of :func:`graph_from_records`.

    Parameters
    ----------
    g : networkx.Graph
        A graph of :func:`build_graph`.

    Returns
    -------
    (list of dict, list of dict)
        Entity records and link records.
    """
    ents = [
        {"id": str(n), **{k: v for k, v in d.items() if k != "personal"}}
        for n, d in g.nodes(data=True)
    ]
    lks = [{"source": str(u), "target": str(v), **d} for u, v, d in g.edges(data=True)]
    return ents, lks


def simple_graph(g: nx.Graph) -> nx.Graph:
    """One undirected edge per linked pair, ``weight`` summed and ``links`` counted.

    Node attributes are kept; self-links (an entity linked to itself) are dropped, as
    the measures ignore them. This is the graph the measures work on.

    Parameters
    ----------
    g : networkx.Graph
        Any graph (multi, directed or not).

    Returns
    -------
    networkx.Graph
    """
    s = nx.Graph()
    s.add_nodes_from(g.nodes(data=True))
    for u, v, d in g.edges(data=True):
        if u == v:
            continue
        w = float(d.get("weight", 1.0))
        if s.has_edge(u, v):
            s[u][v]["weight"] += w
            s[u][v]["links"] += 1
        else:
            s.add_edge(u, v, weight=w, links=1)
    return s


def require_nodes(g: nx.Graph, ids: Iterable[str], *, parameter: str = "ids") -> list[str]:
    """Find entity ids among the nodes of a graph (compared as text).

    Parameters
    ----------
    g : networkx.Graph
    ids : iterable of str
        The ids wanted.
    parameter : str
        The caller's parameter that gave them, named in the error.

    Returns
    -------
    list
        The nodes, in the order of ``ids``.

    Raises
    ------
    NetworkError
        Ids that are not in the graph (all of them named).
    """
    by_text = {str(n): n for n in g.nodes}
    wanted = list(ids)
    missing = [i for i in wanted if str(i) not in by_text]
    if missing:
        raise NetworkError(
            f"{parameter}: {', '.join(repr(m) for m in missing)} not in the graph "
            f"({g.number_of_nodes()} entities)",
            parameter=parameter,
        )
    return [by_text[str(i)] for i in wanted]
