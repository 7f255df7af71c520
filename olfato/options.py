"""Command-line options shared by every command that takes a SURVEY, defined once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    bool, typer.Option("--strict", help="Fail (exit code 2) on any bad row instead of dropping it.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")]
