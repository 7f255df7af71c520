"""`olfato detect SURVEY`: find the plume hits of a flight and fingerprint them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from olfato.detect.defaults import DEFAULT_FALSE_ALARMS_PER_HOUR
from olfato.options import (
    FlightOpt,
    FormatOpt,
    MappingOpt,
    QuietOpt,
    StrictOpt,
    SurveyArg,
    TableFormat,
    WindOpt,
    load_survey,
)
from olfato.output import print_table
from olfato.progress import console, say


def detect_command(
    survey: SurveyArg,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the hits as GeoJSON points here.")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a time-series plot (PNG) with the hits.")
    ] = None,
    false_alarms_per_hour: Annotated[
        float,
        typer.Option(
            "--false-alarms",
            help="Expected false hits per flight hour on clean air (sets the threshold).",
        ),
    ] = DEFAULT_FALSE_ALARMS_PER_HOUR,
    signatures: Annotated[
        Path | None,
        typer.Option(
            "--signatures",
            help="Signature library YAML: its signatures are added to the default one, "
            "replacing those of the same name.",
        ),
    ] = None,
    replace_signatures: Annotated[
        bool,
        typer.Option(
            "--replace-signatures",
            help="Use only the --signatures file, not the default library.",
        ),
    ] = False,
    mapping: MappingOpt = None,
    wind: WindOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    flight: FlightOpt = None,
    table_format: FormatOpt = TableFormat.table,
) -> None:
    """Find every plume crossing of SURVEY, its enhancements and chemical fingerprint."""
    from olfato.chemistry.signatures import load_signatures
    from olfato.detect.pipeline import detect
    from olfato.detect.table import hits_table
    from olfato.errors import OlfatoError

    if replace_signatures and signatures is None:
        raise OlfatoError("--replace-signatures needs --signatures FILE")
    library = (
        load_signatures(signatures) if replace_signatures else load_signatures(extra=signatures)
    )
    s = load_survey(survey, mapping, wind, strict, quiet, flight)
    hits = detect(s, false_alarms_per_hour=false_alarms_per_hour, signatures=library)
    for w in hits.warnings:
        say("warning", w)
    print_table(hits_table(hits), table_format.value)
    if out is not None:
        hits.write_geojson(out)
        console.print(f"hits written to {out}", highlight=False)
    if plot is not None:
        from olfato.detect.plot import plot_hits

        written = plot_hits(hits, plot)
        console.print(f"plot written to {written}", highlight=False)
