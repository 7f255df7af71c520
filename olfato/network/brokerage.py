"""Gould-Fernandez brokerage roles: who brokers between whom, given a group attribute.

Entity ``b`` brokers on the two-path ``a -> b -> c`` when ``a`` has no tie to ``c``. By
the groups of ``a`` (sender), ``b`` (broker) and ``c`` (receiver) the role is:

==============  ========================  ==============================
role            groups                    example
==============  ========================  ==============================
coordinator     a = b = c                 a cell member relaying inside it
itinerant       a = c, b differs          an outside courier between two members
representative  a = b, c differs          a member who speaks for the group outward
gatekeeper      b = c, a differs          a member who lets the outside in
liaison         a, b, c all differ        a go-between of three groups
==============  ========================  ==============================

A directed graph is read as it is; an undirected tie is a tie both ways, so every
unordered two-path counts twice (once each way), and a mixed-group one is then one
representative and one gatekeeper path, as in UCINET and R's sna on symmetric data.
(``itinerant`` is also called *consultant*.)

References
----------
Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal approach to
brokerage in transaction networks. Sociological Methodology 19, 89-126.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from olfato.errors import NetworkError

ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def _role(ga: Any, gb: Any, gc: Any) -> str:
    if ga == gb == gc:
        return "coordinator"
    if ga == gc:
        return "itinerant"
    if ga == gb:
        return "representative"
    if gb == gc:
        return "gatekeeper"
    return "liaison"


def brokerage_roles(g: nx.Graph, attribute: str) -> dict[Any, dict[str, int]]:
    """Count each entity's brokerage two-paths by Gould-Fernandez role.

    Parameters
    ----------
    g : networkx.Graph or DiGraph (or their multigraphs)
        Parallel links and self-links do not count.
    attribute : str
        Node attribute giving each entity's group (a gang, a company, a town, a type).

    Returns
    -------
    dict
        node -> {role: count} with every role of :data:`ROLES` and ``total``.

    Raises
    ------
    NetworkError
        Entities without the ``attribute``.
    """
    missing = [n for n, d in g.nodes(data=True) if d.get(attribute) is None]
    if missing:
        raise NetworkError(
            f"attribute {attribute!r} is missing on {len(missing)} entities "
            f"(first: {missing[0]!r})",
            parameter="attribute",
        )
    d = nx.DiGraph(g) if g.is_directed() else nx.DiGraph(nx.Graph(g))
    d.remove_edges_from(nx.selfloop_edges(d))
    group = nx.get_node_attributes(g, attribute)
    out: dict[Any, dict[str, int]] = {}
    for b in d.nodes:
        counts = dict.fromkeys(ROLES, 0)
        for a in d.predecessors(b):
            for c in d.successors(b):
                if a == c or d.has_edge(a, c):
                    continue
                counts[_role(group[a], group[b], group[c])] += 1
        out[b] = {**counts, "total": sum(counts.values())}
    return out
