"""i2 Analyst's Notebook Exchange (.anx) charts, written by anxwritter (MIT, maintained),
which checks the chart before it writes it.

Entity and link types become ANB's standard type names (:data:`ANB_ENTITY_TYPES`,
:data:`ANB_LINK_TYPES`); a link's date, time and source reference fill ANB's own fields;
other attributes become ANB attributes. Unreleased personal entities are left out
(see :mod:`olfato.network.privacy`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx

from olfato.errors import NetworkError
from olfato.network.export import Exported
from olfato.network.privacy import Release, shareable
from olfato.output import writing

#: olfato entity type -> ANB icon type
ANB_ENTITY_TYPES = {
    "person": "Person",
    "phone": "Telephone",
    "vehicle": "Vehicle",
    "company": "Organisation",
    "place": "Location",
    "event": "Event",
    "account": "Account",
    "unknown": "Entity",
}
#: olfato link type -> ANB link type
ANB_LINK_TYPES = {
    "call": "Telephone Call",
    "transfer": "Transaction",
    "ownership": "Owner",
    "sighting": "Sighting",
    "co-location": "Co-location",
    "meeting": "Meeting",
    "link": "Link",
}
_NODE_SKIP = {"type", "label", "personal", "released"}
_EDGE_SKIP = {"type", "date", "source_ref"}


def _attr(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False)


def _date_time(text: str | None) -> tuple[str | None, str | None]:
    """ISO 8601 text -> ANB (date, time) in UTC when it has an offset."""
    if not text:
        return None, None
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is not None:
        t = t.astimezone(dt.UTC).replace(tzinfo=None)
    has_time = "T" in text or " " in text.strip()
    return t.date().isoformat(), t.strftime("%H:%M:%S") if has_time else None


def anx_chart(g: nx.Graph, *, release: Release = ()) -> tuple[Any, nx.Graph, list[Any]]:
    """The anxwritter chart of a network, personal entities withheld.

    Parameters
    ----------
    g : networkx.Graph
    release : iterable of str, or "all"
        Personal entities released for this chart.

    Returns
    -------
    (anxwritter.ANXChart, networkx.Graph, list)
        The chart, the graph it shows and the withheld personal ids.
    """
    from anxwritter import ANXChart

    out, gone = shareable(g, release)
    chart = ANXChart()
    for n, d in out.nodes(data=True):
        chart.add_icon(
            id=str(n),
            type=ANB_ENTITY_TYPES.get(str(d.get("type", "unknown")), "Entity"),
            label=str(d.get("label", n)),
            attributes={k: _attr(v) for k, v in d.items() if k not in _NODE_SKIP and v is not None},
        )
    arrow = "->" if out.is_directed() else None
    for u, v, d in out.edges(data=True):
        date, time = _date_time(d.get("date"))
        chart.add_link(
            from_id=str(u),
            to_id=str(v),
            type=ANB_LINK_TYPES.get(str(d.get("type", "link")), "Link"),
            arrow=arrow,
            date=date,
            time=time,
            source_ref=d.get("source_ref"),
            attributes={k: _attr(x) for k, x in d.items() if k not in _EDGE_SKIP and x is not None},
        )
    return chart, out, gone


def write_anx(g: nx.Graph, path: str | Path, *, release: Release = ()) -> Exported:
    """Write an i2 ANB chart (.anx, UTF-16 XML) after anxwritter's validation.

    Parameters
    ----------
    g : networkx.Graph
    path : str or Path
        Ends in ``.anx`` (anxwritter adds it otherwise).
    release : iterable of str, or "all"
        Personal entities released for this export.

    Returns
    -------
    Exported

    Raises
    ------
    NetworkError
        The chart does not pass anxwritter's validation (nothing is written).
    """
    chart, out, gone = anx_chart(g, release=release)
    problems = chart.validate()
    if problems:
        first = problems[0]
        raise NetworkError(
            f"the ANX chart does not validate ({len(problems)} problem(s)); first: "
            f"{first.get('message', first)}"
        )
    p = Path(path) if str(path).lower().endswith(".anx") else Path(f"{path}.anx")
    with writing(p, "ANX chart") as target:
        chart.to_anx(target)
    return Exported(p, out.number_of_nodes(), out.number_of_edges(), gone, [])
