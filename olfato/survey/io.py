"""Read any survey format into a :class:`Survey`: the one entry point later stages use.

The format comes from the file's extension (``.csv``/``.txt``: Survey CSV v1, or a
vendor CSV when a mapping is given; ``.ulg``: PX4 ULog; ``.tlog``: MAVLink telemetry;
``.bin``: ArduPilot DataFlash; ``.parquet``: a survey written by olfato).
"""

from __future__ import annotations

from pathlib import Path

from olfato.errors import SurveyError
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame

FORMATS = {
    ".csv": "Survey CSV v1 (or a vendor CSV with --mapping)",
    ".txt": "Survey CSV v1 (or a vendor CSV with --mapping)",
    ".ulg": "PX4 ULog",
    ".tlog": "MAVLink telemetry log",
    ".bin": "ArduPilot DataFlash log",
    ".parquet": "olfato survey Parquet",
}


def read_survey(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
    quiet: bool = False,
    frame: LocalFrame | None = None,
) -> Survey:
    """Read, validate and project a survey file.

    Parameters
    ----------
    path : str or Path
        The survey file (``.csv``/``.txt``, ``.ulg``, ``.tlog``, ``.bin``).
    mapping : str or Path or None, default None
        Vendor-CSV mapping, or gas-channel mapping for flight logs (YAML).
    wind : str or Path or None, default None
        A separate wind log joined by time (vendor CSVs; see the mapping's ``wind``).
    strict : bool, default False
        Any bad row is an error (exit code 2) instead of being dropped and reported.
    quiet : bool, default False
        No progress bars.
    frame : LocalFrame or None, default None
        The local projection to use (default: one centred on the survey).

    Returns
    -------
    Survey
        The validated, projected survey (gas channels [ppb], positions [deg] and
        local east/north [m]).

    Raises
    ------
    SurveyError
        When the file does not exist, is a folder, has an unknown format, ``wind``
        is given without a vendor mapping or for a flight log, or the reader finds
        the file unusable.
    """
    path = Path(path)
    if not path.exists():
        raise SurveyError("no such file", path=str(path))
    if path.is_dir():
        raise SurveyError("is a folder, not a survey file", path=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        if mapping is not None:
            from olfato.survey.vendor import read_vendor_csv

            return read_vendor_csv(
                path, mapping, wind=wind, strict=strict, quiet=quiet, frame=frame
            )
        if wind is not None:
            raise SurveyError(
                "--wind needs a vendor mapping (--mapping) that says how to read the wind log",
                path=str(path),
            )
        from olfato.survey.csv_v1 import read_csv_v1

        return read_csv_v1(path, strict=strict, quiet=quiet, frame=frame)
    if wind is not None:
        raise SurveyError("--wind applies to CSV surveys only", path=str(path))
    if suffix == ".ulg":
        from olfato.survey.ulog import read_ulog

        return read_ulog(path, mapping=mapping, strict=strict, frame=frame)
    if suffix in (".tlog", ".bin"):
        from olfato.survey.mavlink import read_mavlink

        return read_mavlink(path, mapping=mapping, strict=strict, frame=frame)
    if suffix == ".parquet":
        return Survey.from_parquet(path)
    raise SurveyError(
        f"unknown survey format '{suffix or '(no extension)'}'",
        path=str(path),
        hint="Known: " + "; ".join(f"{k} {v}" for k, v in FORMATS.items()),
    )
