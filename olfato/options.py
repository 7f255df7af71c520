"""Command-line options shared by the commands (a SURVEY and its readers, a CASE and its
workspace, --quiet), defined once."""

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
