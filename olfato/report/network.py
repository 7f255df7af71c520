"""The report's counter-network section: who is connected to the case's sites.

A figure of the case's meta-network (entities coloured by type, key players ringed)
and a table of the key players: the entities of highest betweenness, and the KPP-Neg
set (Borgatti 2006) whose removal fragments the network most. A product releasable to
partners leaves out personal entities (every person) unless the analyst released them
(:func:`olfato.network.privacy.shareable`), and says how many were withheld. Reading
the case's network for a report is audited (:func:`olfato.casework.network.load_case_network`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from olfato.report.i18n import N_, Formatter
from olfato.store.db import Store

#: how many entities the key-player table lists by betweenness
TOP = 8
#: the size of the KPP-Neg set shown (fewer on a small network)
KEY_PLAYERS = 3
#: colour per entity type (Okabe-Ito palette, readable by colour-blind readers)
TYPE_COLOURS = {
    "person": "#D55E00",
    "phone": "#0072B2",
    "vehicle": "#009E73",
    "company": "#CC79A7",
    "place": "#E69F00",
    "event": "#56B4E9",
    "account": "#F0E442",
    "unknown": "#999999",
}
DPI = 110
#: the entity types' names, translated in the report's catalogues
TYPE_NAMES = {
    "person": N_("person"),
    "phone": N_("phone"),
    "vehicle": N_("vehicle"),
    "company": N_("company"),
    "place": N_("place"),
    "event": N_("event"),
    "account": N_("account"),
    "unknown": N_("unknown"),
}


def _type(t: str, f: Formatter) -> str:
    return f.gettext(TYPE_NAMES[t]) if t in TYPE_NAMES else t


@dataclass
class NetworkSection:
    """What the report shows of the case's network."""

    figure_png: bytes
    rows: list[dict[str, Any]]
    key_players: list[str]
    fragmentation_before: float
    fragmentation_after: float
    n_entities: int
    n_links: int
    withheld: int


def _figure(g: nx.Graph, key: set[str], f: Formatter) -> bytes:
    fig = Figure(figsize=(7.0, 5.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    pos = nx.spring_layout(g, seed=0)  # seeded: the same figure for the same network
    for u, v in g.edges():
        (x1, y1), (x2, y2) = pos[u], pos[v]
        ax.plot([x1, x2], [y1, y2], color="#BBBBBB", lw=0.8, zorder=1)
    types = sorted({d.get("type", "unknown") for _, d in g.nodes(data=True)})
    for t in types:
        nodes = [n for n, d in g.nodes(data=True) if d.get("type", "unknown") == t]
        ax.scatter(
            [pos[n][0] for n in nodes],
            [pos[n][1] for n in nodes],
            s=60,
            color=TYPE_COLOURS.get(t, TYPE_COLOURS["unknown"]),
            edgecolors=["black" if n in key else "white" for n in nodes],
            linewidths=[2.0 if n in key else 0.5 for n in nodes],
            zorder=2,
            label=_type(t, f),
        )
    for n in g.nodes:
        label = str(g.nodes[n].get("label") or n)
        ax.annotate(label, pos[n], xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_axis_off()
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.set_title(f.gettext("Entities and links (key players ringed in black)"), fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return buf.getvalue()


def network_section(
    store: Store, case_name: str, f: Formatter, *, releasable_to: list[str]
) -> NetworkSection | None:
    """The network section of a case's report, or None when the case has no network.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    f : Formatter
        The report's language.
    releasable_to : list of str
        Partner codes the report may go to; with any, unreleased personal entities are
        left out.

    Returns
    -------
    NetworkSection or None
    """
    from olfato.casework.network import load_case_network
    from olfato.network.keyplayers import fragmentation, kpp_neg
    from olfato.network.measures import network_measures
    from olfato.network.model import simple_graph
    from olfato.network.privacy import shareable

    full = load_case_network(store, case_name, purpose="report")
    if full.number_of_nodes() == 0:
        return None
    g, withheld = shareable(full) if releasable_to else (full, [])
    s = simple_graph(g)
    if s.number_of_nodes() == 0:
        return NetworkSection(b"", [], [], 0.0, 0.0, 0, 0, len(withheld))
    measures = network_measures(s)
    k = min(KEY_PLAYERS, s.number_of_nodes() - 2)
    players = kpp_neg(s, k).players if k >= 1 else []
    rows = [
        {
            "id": r["id"],
            "label": str(s.nodes[r["id"]].get("label") or r["id"]),
            "type": _type(r["type"], f),
            "degree": f.number(r["degree"], 2),
            "betweenness": f.number(r["betweenness"], 3),
            "community": r["community"],
            "key": r["id"] in players,
        }
        for r in measures.nodes[:TOP]
    ]
    return NetworkSection(
        figure_png=_figure(s, set(players), f),
        rows=rows,
        key_players=[str(s.nodes[n].get("label") or n) for n in players],
        fragmentation_before=fragmentation(s),
        fragmentation_after=fragmentation(s, players),
        n_entities=s.number_of_nodes(),
        n_links=g.number_of_edges(),
        withheld=len(withheld),
    )
