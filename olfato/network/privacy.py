"""Personal data in the network: persons (and entities of unknown type) never leave in an
export unless the analyst releases them, each by id or all at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import networkx as nx

from olfato.network.model import PERSONAL_TYPES, require_nodes

Release = Iterable[str] | Literal["all"]


def withheld(g: nx.Graph, release: Release = ()) -> list[Any]:
    """The personal entities of ``g`` that are not released.

    Parameters
    ----------
    g : networkx.Graph
    release : iterable of str, or "all"
        Ids released for this export (they must be in ``g``), or ``"all"``. An entity whose
        ``released`` attribute is true is released too.

    Returns
    -------
    list
        Their ids.

    Raises
    ------
    NetworkError
        An id in ``release`` that is not in ``g``.
    """
    if release == "all":
        return []
    freed = set(require_nodes(g, release, parameter="release"))
    return [
        n
        for n, d in g.nodes(data=True)
        if (d.get("personal") or d.get("type", "unknown") in PERSONAL_TYPES)
        and not d.get("released")
        and n not in freed
    ]


def shareable(g: nx.Graph, release: Release = ()) -> tuple[nx.Graph, list[Any]]:
    """A copy of ``g`` without the personal entities not released, nor their links.

    Parameters
    ----------
    g : networkx.Graph
    release : iterable of str, or "all"
        As for :func:`withheld`.

    Returns
    -------
    (networkx.Graph, list)
        The shareable graph and the withheld entity ids.
    """
    gone = withheld(g, release)
    out = g.copy()
    out.remove_nodes_from(gone)
    return out, gone
