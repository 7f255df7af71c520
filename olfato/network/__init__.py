"""Counter-network analysis: the people, phones, vehicles, companies and places around
the sites, and who matters among them.

    from olfato.network import read_network, network_measures, kpp_neg, export_network
    g = read_network("calls.csv", mapping="calls.yaml")   # or .graphml, .gexf, a matrix
    table = network_measures(g)                            # degree ... community per entity
    players = kpp_neg(g, 3)                                # Borgatti's key players
    export_network(g, "chart.anx", to="anx")               # persons withheld unless released

Modules, one concept each: :mod:`~olfato.network.model` (entities, links, the graph),
:mod:`~olfato.network.mapping` (import mappings), :mod:`~olfato.network.read_edges`,
:mod:`~olfato.network.read_matrix`, :mod:`~olfato.network.read_xml`,
:mod:`~olfato.network.read` (:func:`read_network`), :mod:`~olfato.network.centrality`,
:mod:`~olfato.network.betweenness`, :mod:`~olfato.network.structural_holes`,
:mod:`~olfato.network.brokerage`, :mod:`~olfato.network.communities`,
:mod:`~olfato.network.keyplayers`, :mod:`~olfato.network.whatif`,
:mod:`~olfato.network.timeslices`, :mod:`~olfato.network.measures` (the table),
:mod:`~olfato.network.privacy`, :mod:`~olfato.network.export`, :mod:`~olfato.network.anx`,
:mod:`~olfato.network.igraph_graph`.

A pure stage (layer 6): plain data in and out, never the database.
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.network.anx import write_anx
    from olfato.network.betweenness import Betweenness, link_betweenness, node_betweenness
    from olfato.network.brokerage import ROLES, brokerage_roles
    from olfato.network.centrality import closeness, degree, eigenvector
    from olfato.network.communities import Communities, leiden
    from olfato.network.export import (
        Exported,
        export_network,
        write_csv,
        write_gexf,
        write_graphml,
    )
    from olfato.network.keyplayers import (
        KeyPlayers,
        distance_fragmentation,
        distance_weighted_reach,
        fragmentation,
        kpp_neg,
        kpp_pos,
        reach,
    )
    from olfato.network.mapping import ImportMapping, load_mapping
    from olfato.network.measures import NetworkMeasures, network_measures
    from olfato.network.model import (
        ENTITY_TYPES,
        LINK_TYPES,
        Entity,
        Link,
        build_graph,
        graph_from_records,
        graph_to_records,
        simple_graph,
    )
    from olfato.network.privacy import shareable, withheld
    from olfato.network.read import read_network
    from olfato.network.structural_holes import constraint, effective_size
    from olfato.network.timeslices import TimeSlices, time_slices
    from olfato.network.whatif import WhatIf, what_if_removed

_WHERE = {
    "write_anx": "anx",
    "Betweenness": "betweenness",
    "node_betweenness": "betweenness",
    "link_betweenness": "betweenness",
    "ROLES": "brokerage",
    "brokerage_roles": "brokerage",
    "closeness": "centrality",
    "degree": "centrality",
    "eigenvector": "centrality",
    "Communities": "communities",
    "leiden": "communities",
    "Exported": "export",
    "export_network": "export",
    "write_csv": "export",
    "write_gexf": "export",
    "write_graphml": "export",
    "KeyPlayers": "keyplayers",
    "distance_fragmentation": "keyplayers",
    "distance_weighted_reach": "keyplayers",
    "fragmentation": "keyplayers",
    "kpp_neg": "keyplayers",
    "kpp_pos": "keyplayers",
    "reach": "keyplayers",
    "ImportMapping": "mapping",
    "load_mapping": "mapping",
    "NetworkMeasures": "measures",
    "network_measures": "measures",
    "ENTITY_TYPES": "model",
    "LINK_TYPES": "model",
    "Entity": "model",
    "Link": "model",
    "build_graph": "model",
    "graph_from_records": "model",
    "graph_to_records": "model",
    "simple_graph": "model",
    "shareable": "privacy",
    "withheld": "privacy",
    "read_network": "read",
    "constraint": "structural_holes",
    "effective_size": "structural_holes",
    "TimeSlices": "timeslices",
    "time_slices": "timeslices",
    "WhatIf": "whatif",
    "what_if_removed": "whatif",
}
__getattr__ = exports(__name__, _WHERE)
__all__ = [
    "ENTITY_TYPES",
    "LINK_TYPES",
    "ROLES",
    "Betweenness",
    "Communities",
    "Entity",
    "Exported",
    "ImportMapping",
    "KeyPlayers",
    "Link",
    "NetworkMeasures",
    "TimeSlices",
    "WhatIf",
    "brokerage_roles",
    "build_graph",
    "closeness",
    "constraint",
    "degree",
    "distance_fragmentation",
    "distance_weighted_reach",
    "effective_size",
    "eigenvector",
    "export_network",
    "fragmentation",
    "graph_from_records",
    "graph_to_records",
    "kpp_neg",
    "kpp_pos",
    "leiden",
    "link_betweenness",
    "load_mapping",
    "network_measures",
    "node_betweenness",
    "reach",
    "read_network",
    "shareable",
    "simple_graph",
    "time_slices",
    "what_if_removed",
    "withheld",
    "write_anx",
    "write_csv",
    "write_gexf",
    "write_graphml",
]
