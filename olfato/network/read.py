"""Read any import format into the meta-network: :func:`read_network`."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.mapping import FORMATS, ImportMapping, load_mapping

_BY_SUFFIX = {".csv": "edges", ".tsv": "edges", ".graphml": "graphml", ".gexf": "gexf"}


def network_format(path: str | Path, format: str | None = None) -> str:
    """The import format of a file.

    Parameters
    ----------
    path : str or Path
        The file.
    format : str, optional
        Given by the user: checked and returned.

    Returns
    -------
    str
        One of ``edges``, ``matrix``, ``graphml``, ``gexf``.

    Raises
    ------
    NetworkError
        An unknown ``format``, or an extension that does not tell.
    """
    if format is not None:
        if format not in FORMATS:
            raise NetworkError(
                f"format {format!r} is not one of {', '.join(FORMATS)}", parameter="format"
            )
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise NetworkError(
            f"cannot tell the format from the extension {suffix or '(none)'!r}",
            path=str(path),
            hint=f"Give format (one of {', '.join(FORMATS)}).",
        )
    return _BY_SUFFIX[suffix]


def read_network(
    path: str | Path,
    *,
    format: str | None = None,
    mapping: ImportMapping | str | Path | None = None,
) -> nx.MultiGraph:
    """Read entities and links from an edge-list/record CSV, an adjacency matrix, GraphML or GEXF.

    Parameters
    ----------
    path : str or Path
    format : {"edges", "matrix", "graphml", "gexf"}, optional
        Default: the mapping's ``format``, else the extension (.csv is an edge list).
    mapping : ImportMapping or path of its YAML, optional
        See :mod:`olfato.network.mapping`.

    Returns
    -------
    networkx.MultiGraph
        See :func:`olfato.network.model.build_graph`.
    """
    m = mapping if isinstance(mapping, ImportMapping) else load_mapping(mapping)
    fmt = network_format(path, format or m.format)
    if fmt == "edges":
        from olfato.network.read_edges import read_edges

        return read_edges(path, m)
    if fmt == "matrix":
        from olfato.network.read_matrix import read_matrix

        return read_matrix(path, m)
    from olfato.network.read_xml import read_xml_graph

    return read_xml_graph(path, m, format=fmt)
