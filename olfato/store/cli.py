"""`olfato case ...`: make a case, add surveys to it (detect + locate), note, and show it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from olfato import CAVEAT
from olfato.options import (
    CaseArg,
    FlightOpt,
    FormatOpt,
    MappingOpt,
    QuietOpt,
    StrictOpt,
    TableFormat,
    WorkspaceOpt,
)
from olfato.output import print_tables
from olfato.progress import console, say

case_app = typer.Typer(
    help=f"Cases: the surveys, runs, sources, notes and products of one investigation. {CAVEAT}",
    no_args_is_help=True,
)


@case_app.command("new")
def new_command(name: CaseArg, workspace: WorkspaceOpt = None) -> None:
    """Create an empty case called NAME."""
    from olfato.store.cases import new_case
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        new_case(store, name)
        console.print(f"case {name} created in {store.workspace.root}", highlight=False)


@case_app.command("add")
def add_command(
    case: CaseArg,
    surveys: Annotated[
        list[Path], typer.Argument(help="Survey files: .csv (v1 or vendor), .ulg, .tlog, .bin")
    ],
    mapping: MappingOpt = None,
    wind: Annotated[
        list[Path] | None,
        typer.Option(
            "--wind",
            help="A separate wind log (CSV). Once for all surveys, or once per survey file, "
            "or once per flight (in order), repeating --wind.",
        ),
    ] = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    workspace: WorkspaceOpt = None,
    flight: FlightOpt = None,
) -> None:
    """Add SURVEYs to CASE: detect and locate each, recorded as new versions.

    A file that holds several flights adds each flight as a survey of its own (or only
    --flight N)."""
    from olfato.casework.surveys import add_survey, count_flights
    from olfato.errors import OlfatoError
    from olfato.store.db import open_store

    jobs: list[tuple[Path, int | None]] = []
    for path in surveys:
        n = 1 if flight is not None else count_flights(path, mapping=mapping)
        if flight is not None:
            jobs.append((path, flight))
        else:
            jobs.extend((path, k if n > 1 else None) for k in range(1, n + 1))
    winds = list(wind or [])
    if len(winds) in (0, 1):
        pairs = [(p, f, winds[0] if winds else None) for p, f in jobs]
    elif len(winds) == len(jobs):
        pairs = [(p, f, w) for (p, f), w in zip(jobs, winds, strict=True)]
    elif len(winds) == len(surveys):
        by_file = dict(zip(surveys, winds, strict=True))
        pairs = [(p, f, by_file[p]) for p, f in jobs]
    else:
        raise OlfatoError(
            f"{len(winds)} wind logs for {len(surveys)} survey file(s) holding {len(jobs)} "
            "flight(s): give one --wind for all, one per file, or one per flight, in order."
        )
    with open_store(workspace) as store:
        for path, fl, w in pairs:
            added = add_survey(
                store, case, path, mapping=mapping, wind=w, strict=strict, quiet=quiet, flight=fl
            )
            for msg in added.warnings:
                say("warning", msg)
            console.print(added.message, highlight=False, soft_wrap=True)


@case_app.command("note")
def note_command(
    case: CaseArg,
    text: Annotated[str, typer.Argument(help="The note, in English or Spanish.")],
    lang: Annotated[str, typer.Option("--lang", help="The note's language: en or es.")] = "en",
    internal: Annotated[
        bool, typer.Option("--internal", help="Internal: never goes into partner products.")
    ] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add an analyst's note to CASE (shown, machine-translated, in the reports)."""
    from olfato.store.cases import add_note
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        nid = add_note(store, case, text, lang=lang, internal=internal)
        console.print(f"note {nid} added to {case}", highlight=False)


def _when(t: float | datetime) -> str:
    if isinstance(t, datetime):
        return t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


@case_app.command("show")
def show_command(
    case: CaseArg, workspace: WorkspaceOpt = None, table_format: FormatOpt = TableFormat.table
) -> None:
    """Show CASE: surveys and run versions, candidate sources, notes, products, audit trail."""
    from olfato.store.cases import load_case
    from olfato.store.db import open_store

    with open_store(workspace) as store:
        view = load_case(store, case)
    # the tables go to stdout whole (or as CSV/JSON); the lines around them with them
    # as a table, else to stderr so that stdout is the data alone
    out = Console(width=10_000) if table_format is TableFormat.table else console
    tables: list[Table] = []
    c = view.case
    out.print(
        f"[bold]case {c.name}[/] (created {_when(c.created_at)} by {c.created_by}); "
        f"{len(view.surveys)} survey(s), {view.n_runs} run(s) in all",
        highlight=False,
    )
    t = Table(title="Surveys")
    for col in ("id", "survey", "flown (UTC)", "samples", "detect", "locate", "hits", "sources"):
        t.add_column(col)
    for sv in view.surveys:
        s = sv.survey
        t.add_row(
            str(s.id),
            s.name,
            _when(s.start_time),
            str(s.n_samples),
            f"v{sv.detect.version}" if sv.detect else "-",
            f"v{sv.locate.version}" if sv.locate else "-",
            str(len(sv.hits)),
            str(len(sv.sources)),
        )
    tables.append(t)
    t = Table(title="Candidate sources (newest locate run of each survey)")
    for col in ("survey", "id", "lat", "lon", "95% ellipse (m)", "rate g/s [95%]", "signature"):
        t.add_column(col)
    for sv, src in view.sources:
        sig = f"{src.signature} ({src.signature_probabilities.get(src.signature, 0):.2f})"
        t.add_row(
            sv.survey.name,
            src.label + (" [red]suspect[/]" if src.suspect else ""),
            f"{src.lat:.6f}",
            f"{src.lon:.6f}",
            f"{src.semi_major_m:.0f} x {src.semi_minor_m:.0f} @ {src.azimuth_deg:.0f}°",
            f"{src.analyte} {src.rate_g_s:.3g} [{src.rate_lo_g_s:.3g}, {src.rate_hi_g_s:.3g}]",
            sig,
        )
    tables.append(t)
    if view.notes:
        t = Table(title="Notes")
        for col in ("id", "by", "lang", "internal", "text"):
            t.add_column(col)
        for n in view.notes:
            t.add_row(str(n.id), n.author, n.lang, "yes" if n.internal else "", n.text)
        tables.append(t)
    if view.products:
        t = Table(title="Products")
        for col in ("id", "kind", "lang", "version", "releasable to", "sha256", "path"):
            t.add_column(col)
        for p in view.products:
            t.add_row(
                str(p.id),
                f"{p.kind}.{p.format}",
                p.lang or "-",
                f"v{p.version}",
                ", ".join(p.releasable_to) or "internal",
                p.sha256[:12],
                p.path,
            )
        tables.append(t)
    t = Table(title="Audit trail (newest last)")
    for col in ("when (UTC)", "who", "what", "detail"):
        t.add_column(col)
    for a in view.audit:
        t.add_row(
            _when(a.at), a.actor, a.action, ", ".join(f"{k}={v}" for k, v in a.detail.items())
        )
    tables.append(t)
    print_tables(tables, table_format.value)
    out.print(CAVEAT, highlight=False)
