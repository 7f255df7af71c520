"""Read any survey format into a :class:`Survey`: the one entry point later stages use.

The format comes from the file's extension (``.csv``/``.txt``: Survey CSV v1, or a
vendor CSV when a mapping is given; ``.ulg``: PX4 ULog; ``.tlog``: MAVLink telemetry;
``.bin``: ArduPilot DataFlash; ``.parquet``: a survey written by olfato).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from olfato.errors import SurveyError
from olfato.survey.flights import split_flights
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame

FORMATS = {
    ".csv": "Survey CSV v1 (or a vendor CSV with a mapping)",
    ".txt": "Survey CSV v1 (or a vendor CSV with a mapping)",
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
    flight: int | None = None,
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
    flight : int or None, default None
        When the file holds several flights (:mod:`olfato.survey.flights`), read
        this one (numbered from 1); by default all of them, and the report lists them.

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
    survey = _read(
        path, mapping=mapping, wind=wind, strict=strict, quiet=quiet, frame=frame, flight=flight
    )
    if flight is None or survey.format.startswith("vendor:"):
        return survey
    return select_flight(survey, flight)


def select_flight(survey: Survey, number: int) -> Survey:
    """The survey's flight ``number`` (from 1), in the same local frame.

    Parameters
    ----------
    survey : Survey
        A survey that may hold several flights (:func:`~olfato.survey.flights.split_flights`).
    number : int
        The flight to keep, numbered from 1.

    Returns
    -------
    Survey
        The samples of that flight alone, with a report note naming the flight and its
        sample range.

    Raises
    ------
    SurveyError
        When ``number`` is not between 1 and the number of flights.
    """
    s = survey.samples
    flights = split_flights(s["time"].to_numpy(dtype=float), s["alt_agl_m"].to_numpy(dtype=float))
    if not 1 <= number <= len(flights):
        raise SurveyError(
            f"flight {number} asked for; the survey holds {len(flights)} flight(s)",
            path=survey.source,
        )
    f = flights[number - 1]
    report = replace(survey.report, notes=list(survey.report.notes))
    report.notes.insert(0, f"flight {number} of {len(flights)}: samples {f.start + 1}-{f.stop}")
    return replace(survey, samples=s.iloc[f.start : f.stop].reset_index(drop=True), report=report)


def _read(
    path: str | Path,
    *,
    mapping: str | Path | None,
    wind: str | Path | None,
    strict: bool,
    quiet: bool,
    frame: LocalFrame | None,
    flight: int | None,
) -> Survey:
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
                path, mapping, wind=wind, strict=strict, quiet=quiet, frame=frame, flight=flight
            )
        if wind is not None:
            raise SurveyError(
                "a wind log needs a vendor mapping that says how to read it",
                path=str(path),
                parameter="mapping",
            )
        from olfato.survey.csv_v1 import read_csv_v1

        return read_csv_v1(path, strict=strict, quiet=quiet, frame=frame)
    if wind is not None:
        raise SurveyError(
            "a separate wind log applies to CSV surveys only", path=str(path), parameter="wind"
        )
    if suffix == ".ulg":
        from olfato.survey.ulog import read_ulog

        return read_ulog(path, mapping=mapping, strict=strict, frame=frame)
    if suffix in (".tlog", ".bin"):
        from olfato.survey.mavlink import read_mavlink

        return read_mavlink(path, mapping=mapping, strict=strict, frame=frame)
    if suffix == ".parquet":
        from olfato.survey.parquet import read_parquet

        return read_parquet(path, strict=strict, frame=frame)
    raise SurveyError(
        f"unknown survey format '{suffix or '(no extension)'}'",
        path=str(path),
        hint="Known: " + "; ".join(f"{k} {v}" for k, v in FORMATS.items()),
    )
