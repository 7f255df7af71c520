"""`olfato network import|places|measures|keyplayers|whatif|export`: counter-network analysis
of a records file (edge list / record CSV, adjacency matrix, GraphML, GEXF) or of a case's
network (entities and links imported into it, places from its sources, sightings from its
video observations)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from olfato.errors import OlfatoError
from olfato.options import CaseArg, WorkspaceOpt
from olfato.progress import console

if TYPE_CHECKING:
    import networkx as nx

network_app = typer.Typer(
    help="Counter-network analysis: centrality, brokers, communities and key players of the "
    "people, phones, vehicles, companies and places in call records, transfers and charts. "
    "Persons are personal data: exports leave them out unless released.",
    no_args_is_help=True,
)

SourceArg = Annotated[
    str,
    typer.Argument(
        help="A records file (edge-list/record CSV, adjacency-matrix CSV with --format matrix, "
        ".graphml, .gexf) or the name of a CASE whose network to use.",
        metavar="FILE|CASE",
    ),
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format", "-f", help="edges, matrix, graphml or gexf (default: from the extension)."
    ),
]
NetMappingOpt = Annotated[
    Path | None,
    typer.Option("--mapping", "-m", help="YAML column mapping (which column is what)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of sampling and Leiden.")]


def load_network(
    source: str,
    format: str | None,
    mapping: Path | None,
    workspace: Path | None,
    *,
    purpose: str = "analysis",
) -> nx.MultiGraph:
    """The FILE|CASE argument as a graph: a file when one is there, else a case's network
    (its read audited with ``purpose``)."""
    path = Path(source)
    if path.is_file():
        from olfato.network.read import read_network

        return read_network(path, format=format, mapping=mapping)
    if path.suffix or len(path.parts) > 1 or path.exists():
        raise OlfatoError(f"{source}: no such file")
    from olfato.casework.network import load_case_network
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        return load_case_network(store, source, purpose=purpose)


def _num(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@network_app.command("measures")
def measures_command(
    source: SourceArg,
    format: FormatOpt = None,
    mapping: NetMappingOpt = None,
    as_json: JsonOpt = False,
    approximate_above: Annotated[
        int,
        typer.Option("--approximate-above", help="Sample betweenness above this many entities."),
    ] = 20_000,
    samples: Annotated[
        int, typer.Option("--samples", help="Sources sampled for approximate betweenness.")
    ] = 1_000,
    resolution: Annotated[
        float, typer.Option("--resolution", help="Leiden resolution (lower: fewer communities).")
    ] = 1.0,
    top: Annotated[int, typer.Option("--top", help="Rows shown in the table (0: all).")] = 30,
    seed: SeedOpt = 0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Per entity: degree, betweenness, closeness, eigenvector, constraint, community."""
    from olfato.network.measures import network_measures

    g = load_network(source, format, mapping, workspace)
    m = network_measures(
        g,
        approximate_above=approximate_above,
        samples=samples,
        seed=seed,
        resolution=resolution,
    )
    if as_json:
        _print_json(m.as_json())
        return
    gi = m.graph
    approx = (
        f" (approximate, {gi['betweenness_samples']} sources)"
        if gi["betweenness_approximate"]
        else ""
    )
    table = Table(
        title=f"{gi['entities']} entities, {gi['links']} links, {gi['components']} component(s), "
        f"{gi['communities']} communities (modularity {gi['modularity']:.3f}); "
        f"sorted by betweenness{approx}",
        title_justify="left",
    )
    for col in ("id", "type", "degree", "betweenness", "closeness", "eigenvector", "constraint"):
        table.add_column(col, justify="left" if col in ("id", "type") else "right")
    table.add_column("community", justify="right")
    rows = m.nodes if top <= 0 else m.nodes[:top]
    for r in rows:
        table.add_row(
            r["id"],
            r["type"],
            *(_num(r[c]) for c in ("degree", "betweenness", "closeness", "eigenvector")),
            _num(r["constraint"]),
            str(r["community"]),
        )
    console.print(table)
    if len(rows) < len(m.nodes):
        console.print(f"({len(m.nodes) - len(rows)} more; --top 0 shows all)", highlight=False)


@network_app.command("keyplayers")
def keyplayers_command(
    source: SourceArg,
    k: Annotated[int, typer.Option("-k", help="Size of the key-player set.")],
    format: FormatOpt = None,
    mapping: NetMappingOpt = None,
    measure: Annotated[
        str,
        typer.Option(
            "--measure",
            help="fragmentation (F) or distance (DF) to fragment the network (KPP-Neg); "
            "reach or dreach to reach it (KPP-Pos).",
        ),
    ] = "fragmentation",
    m: Annotated[int, typer.Option("--m", help="Links counted as reached, for reach.")] = 1,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Borgatti's key players: the K entities whose removal fragments the network most."""
    from olfato.network.keyplayers import kpp_neg, kpp_pos
    from olfato.network.whatif import what_if_removed

    g = load_network(source, format, mapping, workspace)
    if measure in ("fragmentation", "distance"):
        kp = kpp_neg(g, k, measure="fragmentation" if measure == "fragmentation" else "distance")
    elif measure in ("reach", "dreach"):
        kp = kpp_pos(g, k, measure="reach" if measure == "reach" else "distance", m=m)
    else:
        raise OlfatoError(
            f"measure must be fragmentation, distance, reach or dreach, got {measure!r}",
            parameter="measure",
        )
    w = what_if_removed(g, kp.players)
    players = [str(p) for p in kp.players]
    out = {
        "set": players,
        "measure": measure,
        "score": kp.score,
        "fragmentation": w.fragmentation_after,
        "fragmentation_before": w.fragmentation_before,
        "components": w.components_after,
        "largest": w.largest_after,
    }
    if as_json:
        _print_json(out)
        return
    kind = "KPP-Neg" if kp.kind == "neg" else "KPP-Pos"
    console.print(
        f"{kind} ({measure} = {kp.score:.3f}): {', '.join(players)}\n"
        f"removing them: F {w.fragmentation_before:.3f} -> {w.fragmentation_after:.3f}, "
        f"{w.components_before} -> {w.components_after} component(s), largest "
        f"{w.largest_before} -> {w.largest_after} entities",
        highlight=False,
    )


@network_app.command("whatif")
def whatif_command(
    source: SourceArg,
    removed: Annotated[
        str, typer.Option("--remove", help="Entity ids to take out, comma-separated.")
    ],
    format: FormatOpt = None,
    mapping: NetMappingOpt = None,
    as_json: JsonOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Take entities out: components, largest component and fragmentation before/after."""
    from olfato.network.whatif import what_if_removed

    ids = [i.strip() for i in removed.split(",") if i.strip()]
    if not ids:
        raise OlfatoError("--remove needs at least one entity id")
    g = load_network(source, format, mapping, workspace)
    w = what_if_removed(g, ids)
    gone = [str(r) for r in w.removed]
    out = {
        "removed": gone,
        "components": [w.components_before, w.components_after],
        "largest": [w.largest_before, w.largest_after],
        "fragmentation": [w.fragmentation_before, w.fragmentation_after],
    }
    if as_json:
        _print_json(out)
        return
    table = Table(title=f"without {', '.join(gone)}", title_justify="left")
    for col in ("", "before", "after"):
        table.add_column(col, justify="right")
    table.add_row("components", str(w.components_before), str(w.components_after))
    table.add_row("largest component", str(w.largest_before), str(w.largest_after))
    table.add_row("fragmentation F", _num(w.fragmentation_before), _num(w.fragmentation_after))
    console.print(table)


@network_app.command("export")
def export_command(
    source: SourceArg,
    to: Annotated[str, typer.Option("--to", help="graphml, gexf, anx or csv.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    format: FormatOpt = None,
    mapping: NetMappingOpt = None,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="Personal entities (persons, unknown types) to include, comma-separated, "
            "or 'all'. Without it they are left out.",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the network for Gephi (GraphML/GEXF), i2 Analyst's Notebook (ANX) or a table."""
    from olfato.network.export import export_network

    g = load_network(source, format, mapping, workspace, purpose="export")
    rel: Any = ()
    if release:
        rel = "all" if release.strip() == "all" else [r.strip() for r in release.split(",")]
    done = export_network(g, out, to=to, release=rel)
    extra = "".join(f" and {p}" for p in done.extra)
    console.print(
        f"{done.entities} entities, {done.links} links -> {done.path}{extra}",
        highlight=False,
    )
    if done.withheld:
        console.print(
            f"{len(done.withheld)} personal entities withheld (not released); "
            "--release ID,... or --release all includes them",
            highlight=False,
        )


@network_app.command("import")
def import_command(
    case: CaseArg,
    source: Annotated[
        Path, typer.Argument(help="Records file: CSV (edge list or matrix), .graphml, .gexf.")
    ],
    format: FormatOpt = None,
    mapping: NetMappingOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Import entities and links from a records file into CASE (a new network run)."""
    from olfato.casework.network import import_network
    from olfato.store.db import open_store

    if not source.is_file():
        raise OlfatoError(f"{source}: no such file")
    with open_store(workspace) as store:
        done = import_network(store, case, source, format=format, mapping=mapping)
    console.print(done.message, highlight=False)


@network_app.command("places")
def places_command(
    case: CaseArg,
    radius_m: Annotated[
        float,
        typer.Option("--radius", help="An observation this close to a place is a sighting (m)."),
    ] = 500.0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Make place entities of CASE's located sources and sightings of its video observations."""
    from olfato.casework.network import add_case_places
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        done = add_case_places(store, case, radius_m=radius_m)
    console.print(done.message, highlight=False)
