"""Write the network for other tools: GraphML (Gephi, yEd, igraph, Cytoscape), GEXF
(Gephi), CSV (entities + links tables), each without unreleased personal data
(see :mod:`olfato.network.privacy`). i2 ANX is in :mod:`olfato.network.anx`.

The files read back with :func:`olfato.network.read.read_network` into the same
entities, links and attributes.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.privacy import Release, shareable
from olfato.output import writing

EXPORT_FORMATS = ("graphml", "gexf", "csv", "anx")


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    path: Path
    entities: int
    links: int
    withheld: list[Any]
    """personal entities left out (not released)"""
    extra: list[Path]
    """other files written beside ``path`` (the CSV entities table)"""


def _scalar(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _plain(g: nx.Graph, *, edge_type_key: str = "type") -> nx.Graph:
    """A copy whose attributes GraphML/GEXF can hold: no None, lists/dicts as JSON text."""
    h = g.__class__()
    for n, d in g.nodes(data=True):
        h.add_node(str(n), **{k: _scalar(v) for k, v in d.items() if v is not None})
    for u, v, d in g.edges(data=True):
        attrs = {k: _scalar(x) for k, x in d.items() if x is not None}
        if edge_type_key != "type" and "type" in attrs:
            attrs[edge_type_key] = attrs.pop("type")
        h.add_edge(str(u), str(v), **attrs)
    return h


def write_graphml(g: nx.Graph, path: str | Path, *, release: Release = ()) -> Exported:
    """Write GraphML (:func:`networkx.write_graphml`), personal entities withheld.

    Parameters
    ----------
    g : networkx.Graph
    path : str or Path
        The file to write (its folder is made).
    release : iterable of str, or "all"
        Personal entities released for this export (see :mod:`olfato.network.privacy`).

    Returns
    -------
    Exported
    """
    out, gone = shareable(g, release)
    with writing(path, "GraphML") as p:
        nx.write_graphml(_plain(out), p)
    return Exported(p, out.number_of_nodes(), out.number_of_edges(), gone, [])


def write_gexf(g: nx.Graph, path: str | Path, *, release: Release = ()) -> Exported:
    """Write GEXF 1.2 (:func:`networkx.write_gexf`); a link's type is ``link_type`` there,
    since a GEXF edge's own ``type`` is its direction.

    Parameters
    ----------
    g : networkx.Graph
    path : str or Path
        The file to write (its folder is made).
    release : iterable of str, or "all"
        Personal entities released for this export (see :mod:`olfato.network.privacy`).

    Returns
    -------
    Exported
    """
    out, gone = shareable(g, release)
    with writing(path, "GEXF") as p:
        nx.write_gexf(_plain(out, edge_type_key="link_type"), p)
    return Exported(p, out.number_of_nodes(), out.number_of_edges(), gone, [])


def entities_path(path: str | Path) -> Path:
    """Where :func:`write_csv` puts the entities table.

    Parameters
    ----------
    path : str or Path
        The links CSV.

    Returns
    -------
    Path
        ``NAME.entities.csv`` beside it.
    """
    p = Path(path)
    return p.with_name(f"{p.stem}.entities.csv")


def write_csv(g: nx.Graph, path: str | Path, *, release: Release = ()) -> Exported:
    """Write the links as an edge-list CSV at ``path`` (columns ``source``, ``target``,
    ``type``, ``date``, ``weight``, ``source_ref``, ``source_type``, ``target_type``,
    ``source_label``, ``target_label``, then other attributes) and the entities as
    ``NAME.entities.csv`` beside it.

    Parameters
    ----------
    g : networkx.Graph
    path : str or Path
        The file to write (its folder is made).
    release : iterable of str, or "all"
        Personal entities released for this export (see :mod:`olfato.network.privacy`).

    Returns
    -------
    Exported
        ``extra`` holds the entities table.
    """
    out, gone = shareable(g, release)
    node_keys = sorted({k for _, d in out.nodes(data=True) for k in d} - {"type", "label"})
    edge_keys = sorted(
        {k for *_, d in out.edges(data=True) for k in d} - {"type", "date", "weight", "source_ref"}
    )
    link_cols = ["source", "target", "type", "date", "weight", "source_ref"]
    link_cols += ["source_type", "target_type", "source_label", "target_label", *edge_keys]
    ent_path = entities_path(path)
    with writing(path, "links CSV") as p, writing(ent_path, "entities CSV") as ep:
        with p.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(link_cols)
            for u, v, d in out.edges(data=True):
                row = {
                    **d,
                    "source": u,
                    "target": v,
                    "source_type": out.nodes[u].get("type"),
                    "target_type": out.nodes[v].get("type"),
                    "source_label": out.nodes[u].get("label"),
                    "target_label": out.nodes[v].get("label"),
                }
                w.writerow(["" if row.get(c) is None else _scalar(row[c]) for c in link_cols])
        with ep.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "type", "label", *node_keys])
            for n, d in out.nodes(data=True):
                row = {**d, "id": n}
                w.writerow(
                    [
                        "" if row.get(c) is None else _scalar(row[c])
                        for c in ["id", "type", "label", *node_keys]
                    ]
                )
    return Exported(p, out.number_of_nodes(), out.number_of_edges(), gone, [ep])


def export_network(g: nx.Graph, path: str | Path, *, to: str, release: Release = ()) -> Exported:
    """Write a network in one of :data:`EXPORT_FORMATS`.

    Parameters
    ----------
    g : networkx.Graph
    path : str or Path
        The file to write.
    to : {"graphml", "gexf", "csv", "anx"}
        The format.
    release : iterable of str, or "all"
        Personal entities released for this export.

    Returns
    -------
    Exported

    Raises
    ------
    NetworkError
        An unknown format, an unknown id in ``release``, or an ANX chart that does not
        validate.
    """
    if to == "graphml":
        return write_graphml(g, path, release=release)
    if to == "gexf":
        return write_gexf(g, path, release=release)
    if to == "csv":
        return write_csv(g, path, release=release)
    if to == "anx":
        from olfato.network.anx import write_anx

        return write_anx(g, path, release=release)
    raise NetworkError(
        f"export format {to!r} is not one of {', '.join(EXPORT_FORMATS)}", parameter="to"
    )
