"""GraphML and GEXF files (Gephi, yEd, igraph, ORA, networkx) into the meta-network.

Node attribute ``type`` (or the mapping's ``type_attribute``) is the entity type, and
``label`` and ``released`` are kept; an edge's ``type``, ``date``, ``source_ref`` and
``weight`` are the link's (``link_type`` in GEXF, whose edges' own ``type`` is their
direction). Any other attribute is kept as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.mapping import ImportMapping
from olfato.network.model import (
    Entity,
    Link,
    build_graph,
    check_entity_type,
    check_link_type,
    iso_date,
)

_NODE_SKIP = {"type", "label", "released", "personal", "id"}
#: GEXF keeps an edge's own ``type`` for directed/undirected, so links write theirs as ``link_type``
_EDGE_SKIP = {"type", "link_type", "date", "source_ref", "weight", "id", "key"}


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def read_xml_graph(
    path: str | Path, mapping: ImportMapping | None = None, *, format: str = "graphml"
) -> nx.MultiGraph:
    """Read a GraphML (``format="graphml"``) or GEXF (``"gexf"``) file.

    Parameters
    ----------
    path : str or Path
    mapping : ImportMapping, optional
        ``type_attribute`` (node attribute with the entity type, default ``type``),
        ``entity_type`` (for nodes without one), ``link_type`` (for edges without one),
        ``link_types`` (values in the file -> link types).
    format : {"graphml", "gexf"}

    Returns
    -------
    networkx.MultiGraph or networkx.MultiDiGraph
        Directed when the file says so.

    Raises
    ------
    NetworkError
        A file that cannot be read or parsed (naming the line), or a node or edge with an
        unknown type or a bad weight or date.
    """
    path = Path(path)
    where = str(path)
    m = mapping or ImportMapping()
    reader = nx.read_graphml if format == "graphml" else nx.read_gexf
    try:
        g = reader(path)
    except OSError as exc:
        raise NetworkError(f"cannot read: {exc.strerror or exc}", path=where) from None
    except ParseError as exc:
        line, col = exc.position
        raise NetworkError(
            f"not valid XML ({exc.msg if hasattr(exc, 'msg') else exc}), at character {col}",
            path=where,
            line=line,
        ) from None
    except (nx.NetworkXError, KeyError, ValueError, TypeError) as exc:
        raise NetworkError(f"not a readable {format.upper()} file: {exc}", path=where) from None
    ents = []
    for n, d in g.nodes(data=True):
        raw = d.get(m.type_attribute)
        try:
            etype = check_entity_type(raw) if raw not in (None, "") else m.entity_type
        except NetworkError as exc:
            raise NetworkError(
                f"node {n!r}, attribute {m.type_attribute!r}: {exc.message}", path=where
            ) from None
        attrs = {k: v for k, v in d.items() if k not in _NODE_SKIP and k != m.type_attribute}
        label = d.get("label")
        ents.append(
            Entity(
                str(n),
                etype,
                label=None if label is None else str(label),
                released=_truthy(d.get("released", False)),
                attributes=attrs,
            )
        )
    links = []
    for u, v, d in g.edges(data=True):
        raw = d.get("link_type", d.get("type"))
        edge = f"edge {u!r}-{v!r}"
        try:
            ltype = (m.link_types.get(str(raw)) or check_link_type(raw)) if raw else m.link_type
            date = iso_date(d.get("date"))
            weight = float(d.get("weight", 1.0))
        except NetworkError as exc:
            raise NetworkError(f"{edge}: {exc.message}", path=where) from None
        except (TypeError, ValueError):
            raise NetworkError(
                f"{edge}: the weight is not a number", path=where, value=str(d["weight"])
            ) from None
        ref = d.get("source_ref")
        attrs = {k: x for k, x in d.items() if k not in _EDGE_SKIP}
        links.append(
            Link(str(u), str(v), ltype, date, None if ref is None else str(ref), weight, attrs)
        )
    return build_graph(ents, links, directed=g.is_directed() or m.directed)
