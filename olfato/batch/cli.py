"""`olfato batch ...`: many surveys of a case on Dask, and the campaign across flights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from olfato import CAVEAT
from olfato.options import CaseArg, MappingOpt, QuietOpt, StrictOpt, WorkspaceOpt
from olfato.progress import console

batch_app = typer.Typer(
    help=f"Many flights: every survey of a campaign on Dask, and sites across flights. {CAVEAT}",
    no_args_is_help=True,
)


@batch_app.command("add")
def add_command(
    case: CaseArg,
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Survey files, folders (every survey file below) or quoted glob patterns."
        ),
    ],
    mapping: MappingOpt = None,
    wind_pattern: Annotated[
        str | None,
        typer.Option(
            "--wind-pattern",
            help="Each survey's wind log, e.g. '{stem}_wind.csv' (next to the survey).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="A Dask scheduler's address, tcp://HOST:PORT (default: a local "
            "cluster on this machine).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Local worker processes (default one per CPU core); with --scheduler, how "
            "many workers to wait for.",
        ),
    ] = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Analyse every survey of SOURCES on Dask and record each in CASE.

    Resumable: surveys recorded with the same files and options are skipped; run it again.

    A survey that fails is recorded with its error, the others go on, and the exit code is 3.
    """
    from olfato.batch.runner import print_failures, run_batch
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        result = run_batch(
            store,
            case,
            sources,
            mapping=mapping,
            wind_pattern=wind_pattern,
            strict=strict,
            scheduler=scheduler,
            workers=workers,
            quiet=quiet,
        )
    print_failures(result)
    console.print(result.message, highlight=False, soft_wrap=True)
    console.print(CAVEAT, highlight=False)
    if result.failed:
        raise typer.Exit(3)


@batch_app.command("summary")
def summary_command(
    case: CaseArg,
    map_png: Annotated[
        Path | None, typer.Option("--map", help="Write the campaign map here (PNG).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the sites as JSON on stdout.")
    ] = False,
    min_chemistry: Annotated[
        float,
        typer.Option(
            "--min-chemistry",
            help="Least Bhattacharyya coefficient of two sightings' signature probabilities "
            "to be one site (0..1).",
        ),
    ] = 0.8,
    floor_m: Annotated[
        float,
        typer.Option(
            "--position-floor",
            help="Flight-to-flight position error, in metres, added to every 95% ellipse's "
            "1-sigma before matching.",
        ),
    ] = 3.0,
    workspace: WorkspaceOpt = None,
) -> None:
    """Merge CASE's sources across flights into sites: seen again, not seen again, a map."""
    from rich.table import Table

    from olfato.batch.summary import campaign_map, campaign_summary
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        summary = campaign_summary(store, case, min_chemistry=min_chemistry, floor_m=floor_m)
    if map_png is not None:
        campaign_map(summary, map_png)
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2))
        return
    counts = summary.counts()
    t = Table(
        title=f"Campaign {case}: {len(summary.flights)} flight(s), {len(summary.sites)} site(s) "
        f"({counts['seen again']} seen again, {counts['not seen again']} not seen again)"
    )
    for col in ("site", "lat", "lon", "95% ellipse (m)", "signature", "seen", "missed", "status"):
        t.add_column(col)
    colour = {"seen again": "green", "not seen again": "red", "not revisited": "white"}
    for row in summary.site_rows():
        e = row["ellipse95_m"]
        sig = row["signature"] + (" [red]suspect[/]" if row["suspect_sightings"] else "")
        t.add_row(
            f"S{row['site']}",
            f"{row['lat']:.6f}",
            f"{row['lon']:.6f}",
            f"{e['semi_major']:.0f} x {e['semi_minor']:.0f} @ {e['azimuth_deg']:.0f}°",
            sig,
            ", ".join(s["survey"] for s in row["sightings"]),
            ", ".join(s["survey"] for s in row["missed_by"]) or "-",
            f"[{colour[row['status']]}]{row['status']}[/]",
        )
    console.print(t)
    if map_png is not None:
        console.print(f"campaign map: {map_png}", highlight=False)
    console.print(CAVEAT, highlight=False)
