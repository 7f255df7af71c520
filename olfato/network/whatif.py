"""What if these entities were taken out? Components, largest component and fragmentation
before and after (Borgatti's F; see :mod:`olfato.network.keyplayers`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from olfato.network.keyplayers import fragmentation
from olfato.network.model import require_nodes, simple_graph


@dataclass(frozen=True)
class WhatIf:
    """The network before and after a removal."""

    removed: list[Any]
    components_before: int
    components_after: int
    largest_before: int
    """entities in the largest component"""
    largest_after: int
    fragmentation_before: float
    """Borgatti's F [-]"""
    fragmentation_after: float


def _components(g: nx.Graph) -> tuple[int, int]:
    sizes = [len(c) for c in nx.connected_components(g)]
    return len(sizes), max(sizes, default=0)


def what_if_removed(g: nx.Graph, removed: Iterable[Any]) -> WhatIf:
    """Remove ``removed`` (entity ids) and compare the network's connectivity.

    Parameters
    ----------
    g : networkx.Graph
        Directions are ignored.
    removed : iterable
        Ids of entities in ``g``; an unknown id is a :class:`~olfato.errors.NetworkError`.

    Returns
    -------
    WhatIf
    """
    s = g if type(g) is nx.Graph else simple_graph(g)
    gone = require_nodes(s, removed, parameter="removed")
    after = s.copy()
    after.remove_nodes_from(gone)
    cb, lb = _components(s)
    ca, la = _components(after)
    return WhatIf(
        removed=gone,
        components_before=cb,
        components_after=ca,
        largest_before=lb,
        largest_after=la,
        fragmentation_before=fragmentation(s),
        fragmentation_after=fragmentation(s, gone),
    )
