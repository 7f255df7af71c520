"""Time slices: a measure per period (month, week, year) of the links' dates, to see who
became central when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from olfato.errors import NetworkError

Measure = Callable[[nx.Graph], dict[Any, float]]


@dataclass(frozen=True)
class TimeSlices:
    """A measure per period."""

    periods: list[str]
    """the periods in order, as pandas writes them (``2025-03`` for a month)"""
    values: dict[str, dict[Any, float]]
    """period -> node -> value"""
    links: dict[str, int]
    """period -> links dated in it"""
    undated: int
    """links without a date (in no slice)"""


def time_slices(g: nx.Graph, measure: Measure, *, freq: str = "M") -> TimeSlices:
    """Apply ``measure`` to the network of each period's links.

    Every slice has all the entities (so a value of one period compares with another's,
    e.g. degree centrality divides by the same n - 1), and only the links dated in it.

    Parameters
    ----------
    g : networkx.MultiGraph
        Links with a ``date`` attribute (ISO 8601 text).
    measure : callable
        graph -> {node: value}, e.g. :func:`olfato.network.centrality.degree`.
    freq : str
        A pandas period frequency: ``D``, ``W``, ``M``, ``Q``, ``Y``.

    Returns
    -------
    TimeSlices

    Raises
    ------
    NetworkError
        ``freq`` that is not a pandas period.
    """
    try:
        pd.Period("2000-01-01", freq=freq)
    except ValueError:
        raise NetworkError(
            f"freq {freq!r} is not a period (use D, W, M, Q or Y)", parameter="freq"
        ) from None
    multi = g.is_multigraph()
    edges = list(g.edges(keys=True, data=True) if multi else g.edges(data=True))
    by: dict[str, list[tuple[Any, ...]]] = {}
    undated = 0
    for e in edges:
        date = e[-1].get("date")
        if not date:
            undated += 1
            continue
        ts = pd.Timestamp(date)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        by.setdefault(str(ts.to_period(freq)), []).append(e[:-1])
    periods = sorted(by, key=lambda p: pd.Period(p, freq=freq))
    values = {}
    for p in periods:
        h = g.edge_subgraph(by[p]).copy()
        h.add_nodes_from(g.nodes(data=True))
        values[p] = measure(h)
    return TimeSlices(periods, values, {p: len(by[p]) for p in periods}, undated)
