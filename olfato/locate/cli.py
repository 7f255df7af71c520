"""`olfato locate SURVEY`: where each plume comes from, how strong, and how sure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from olfato.detect.defaults import DEFAULT_FALSE_ALARMS_PER_HOUR
from olfato.errors import OlfatoError
from olfato.locate.defaults import (
    AVERAGE_STABILITY,
    DEFAULT_MARGIN_M,
    DIRECTION_BIAS_SD_DEG,
    DISCREPANCY_FACTORS,
    SLOWER_TRAVEL_FACTORS,
    TRANSPORT_ERROR_FACTORS,
    TRAVEL_FACTORS,
    WIDER_DISPERSION_SCALES,
)
from olfato.locate.thresholds import Thresholds
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


def locate_command(
    survey: SurveyArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the sources as GeoJSON (the Sources contract)."),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write a map (PNG): track, hits, posterior, ellipses."),
    ] = None,
    false_alarms_per_hour: Annotated[
        float,
        typer.Option(
            "--false-alarms",
            help="Expected false hits per flight hour on clean air (detection threshold).",
        ),
    ] = DEFAULT_FALSE_ALARMS_PER_HOUR,
    signatures: Annotated[
        Path | None,
        typer.Option("--signatures", help="Signature library YAML added to the default one."),
    ] = None,
    transport: Annotated[
        str,
        typer.Option(
            "--transport",
            help="'trajectory' (plumes follow the logged wind's history; real plumes) or "
            "'mean' (straight time-averaged plumes along the mean wind).",
        ),
    ] = "trajectory",
    margin: Annotated[
        float, typer.Option("--margin", help="How far beyond the track a source may be [m].")
    ] = DEFAULT_MARGIN_M,
    min_probability_exists: Annotated[
        float,
        typer.Option(
            "--min-p-exists",
            help="A source is called suspect only when its probability of existing reaches this.",
        ),
    ] = Thresholds.min_probability_exists,
    min_probability_suspect: Annotated[
        float,
        typer.Option(
            "--min-p-suspect",
            help="... and when the probability of a suspect signature reaches this.",
        ),
    ] = Thresholds.min_probability_suspect,
    grouping: Annotated[
        str,
        typer.Option(
            "--grouping",
            help="How hits become sources: 'greedy' (vote-map groups, pairwise merges) or "
            "'evidence' (forward selection, reassignment, merges and removal by marginal "
            "evidence).",
        ),
    ] = "greedy",
    direction_bias_sd_deg: Annotated[
        float | None,
        typer.Option(
            "--wind-bias-sd",
            help="Prior sd [deg] of a bias of the whole flight's logged wind direction, "
            "integrated out of each source's region (0: none; default "
            f"{DIRECTION_BIAS_SD_DEG:g}).",
        ),
    ] = None,
    average_stability: Annotated[
        bool,
        typer.Option(
            "--stability-averaging/--no-stability-averaging",
            help="Average each source over the survey's stability class and the class on "
            "each side, weighted by how well each explains the crossings.",
        ),
    ] = AVERAGE_STABILITY,
    dispersion_scales: Annotated[
        str | None,
        typer.Option(
            "--dispersion-scales",
            help="Comma-separated factors on the stability class's dispersion (plume "
            "spread and transport error), equally likely, averaged over in each source's "
            f"region, e.g. {','.join(f'{v:g}' for v in WIDER_DISPERSION_SCALES)} where the "
            "class's curves are in doubt (convective air, buildings); default: the class's own.",
        ),
    ] = None,
    transport_error_factors: Annotated[
        str | None,
        typer.Option(
            "--transport-error-factors",
            help="Comma-separated factors on the transport direction error (how far a "
            "crossing strays from the logged wind's path), equally likely, learned from "
            "the crossings in each source's region; 1 keeps the error fixed (default: "
            f"{','.join(f'{v:g}' for v in TRANSPORT_ERROR_FACTORS)}).",
        ),
    ] = None,
    discrepancy_factors: Annotated[
        str | None,
        typer.Option(
            "--discrepancy-factors",
            help="Comma-separated factors on how far a crossing's integral may stray from the "
            "plume model's, equally likely, learned from the crossings' scatter in each "
            "source's rate; 1 keeps it fixed (default: "
            f"{','.join(f'{v:g}' for v in DISCREPANCY_FACTORS)}).",
        ),
    ] = None,
    travel_factors: Annotated[
        str | None,
        typer.Option(
            "--travel-factors",
            help="Comma-separated fractions of the logged wind speed at which a plume's air "
            "may travel (a ground-level plume moves in the slower air below the drone), "
            "equally likely, learned from the crossings in each source's region; 1 takes "
            "the logged speed (default: "
            f"{','.join(f'{v:g}' for v in TRAVEL_FACTORS)}).",
        ),
    ] = None,
    steady_emission: Annotated[
        bool,
        typer.Option(
            "--steady-emission",
            help="Every source emits all the time, so a pass that saw nothing rules a place "
            "out (default: a source may be off during a pass, e.g. a lab cooking in batches).",
        ),
    ] = False,
    mapping: MappingOpt = None,
    wind: WindOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    flight: FlightOpt = None,
    table_format: FormatOpt = TableFormat.table,
) -> None:
    """Locate every source of SURVEY (runs detection first) with 95% regions and rates."""
    from olfato.chemistry.signatures import load_signatures
    from olfato.detect.pipeline import detect
    from olfato.locate.pipeline import check_survey, locate
    from olfato.locate.table import sources_table

    thresholds = Thresholds(
        min_probability_exists=min_probability_exists,
        min_probability_suspect=min_probability_suspect,
    )
    library = load_signatures(extra=signatures)
    s = load_survey(survey, mapping, wind, strict, quiet, flight)
    hits = detect(s, false_alarms_per_hour=false_alarms_per_hour, signatures=library)
    try:
        check_survey(s)
    except OlfatoError:
        for w in hits.warnings:
            say("warning", w)
        console.print(
            f"detection found {len(hits)} hit(s) (`olfato detect` lists them); locating them "
            "is not possible:",
            highlight=False,
            soft_wrap=True,
        )
        raise
    result = locate(
        s,
        hits,
        transport=transport,
        margin_m=margin,
        thresholds=thresholds,
        grouping=grouping,
        direction_bias_sd_deg=direction_bias_sd_deg,
        average_stability=average_stability,
        dispersion_scales=_factors(
            dispersion_scales, "--dispersion-scales", "dispersion_scales", WIDER_DISPERSION_SCALES
        ),
        transport_error_factors=_factors(
            transport_error_factors,
            "--transport-error-factors",
            "transport_error_factors",
            TRANSPORT_ERROR_FACTORS,
        ),
        discrepancy_factors=_factors(
            discrepancy_factors,
            "--discrepancy-factors",
            "discrepancy_factors",
            DISCREPANCY_FACTORS,
        ),
        travel_factors=_factors(
            travel_factors, "--travel-factors", "travel_factors", SLOWER_TRAVEL_FACTORS
        ),
        intermittent=not steady_emission,
    )
    for w in result.warnings:
        say("warning", w)
    if len(result) or result.detections:
        print_table(sources_table(result), table_format.value)
    console.print(result.message, highlight=False, soft_wrap=True)
    if out is not None:
        result.write_geojson(out)
        console.print(f"sources written to {out}", highlight=False)
    if plot is not None:
        from olfato.locate.plot import plot_sources

        written = plot_sources(result, plot)
        console.print(f"map written to {written}", highlight=False)


def _factors(
    text: str | None, option: str, parameter: str, example: tuple[float, ...]
) -> tuple[float, ...] | None:
    """The comma-separated factors of ``option`` (None when not given)."""
    if text is None:
        return None
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise OlfatoError(
            f"{option} takes comma-separated numbers, e.g. "
            f"{','.join(f'{v:g}' for v in example)}; got {text!r}",
            parameter=parameter,
        ) from None
