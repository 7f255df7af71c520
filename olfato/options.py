"""Command-line options shared by the commands (a SURVEY and its readers, a CASE and its
workspace, --quiet), defined once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from olfato.survey.model import Survey

SurveyArg = Annotated[
    Path, typer.Argument(help="Survey file: .csv (v1 or vendor), .ulg, .tlog, .bin, .parquet")
]
MappingOpt = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        "-m",
        help="YAML mapping for a vendor CSV, or the gas-channel mapping of a ULog/MAVLink log.",
    ),
]
WindOpt = Annotated[
    Path | None,
    typer.Option("--wind", help="A separate wind log (CSV), joined to the survey by time."),
]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict",
        help="Fail (exit code 2) on any bad row, of the survey or its wind log, instead of "
        "dropping it.",
        metavar="",  # a flag: `--strict`, not `--strict true` (typer would show <bool>)
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.", metavar="")]
FlightOpt = Annotated[
    int | None,
    typer.Option(
        "--flight",
        min=1,
        help="Read flight N (from 1) of a file that holds several; `survey info` lists them.",
    ),
]

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default $OLFATO_WORKSPACE or ./.olfato); "
        "$OLFATO_DATABASE_URL selects another database, e.g. PostgreSQL.",
    ),
]
CaseArg = Annotated[str, typer.Argument(help="The case's name.")]


class TableFormat(StrEnum):
    """How a command prints its table(s) (see olfato.output.print_table)."""

    table = "table"
    csv = "csv"
    json = "json"


FormatOpt = Annotated[
    TableFormat,
    typer.Option(
        "--format",
        help="How to print the table(s): table (whole, never cut), csv or json (on stdout).",
    ),
]


def load_survey(
    path: Path,
    mapping: Path | None,
    wind: Path | None,
    strict: bool,
    quiet: bool,
    flight: int | None = None,
    *,
    announce: bool = True,
) -> Survey:
    """Read the SURVEY argument with the shared options (see olfato.survey.io.read_survey).

    ``announce``: print what every command must say about the survey it read (gas
    channels left out, no wind) as warnings, so that all commands agree.
    """
    from olfato.progress import say
    from olfato.survey.io import read_survey
    from olfato.survey.validate import NO_WIND_WARNING

    survey = read_survey(
        path, mapping=mapping, wind=wind, strict=strict, quiet=quiet, flight=flight
    )
    if announce:
        for w in survey.report.warnings:
            if w.startswith("gas channel '") or w == NO_WIND_WARNING:
                say("warning", w)
    return survey
