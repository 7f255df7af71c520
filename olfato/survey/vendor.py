"""Vendor CSVs from drone gas payloads, read through a declarative mapping.

Real payload logs have headers with units in parentheses and doubled quotes, a
byte-order mark, decimal commas, timestamps in the vendor's format and local clock,
and wind in a separate log keyed by clock time or by flight time since take-off.
The mapping (:mod:`olfato.survey.mapping`) says how to read each; the result goes
through the same validation as Survey CSV v1.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from olfato.errors import SurveyError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.physics.wind import wind_from_vector, wind_vector
from olfato.survey.csv_v1 import drop_lines, parse_epoch_or_iso, read_header, read_table
from olfato.survey.mapping import NAV_UNITS, TableMap, VendorMapping, WindMap, load_vendor_mapping
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import RowFlags, build_survey, check_numeric


def _match_headers(table_map: TableMap, header: list[str], path: Path) -> None:
    wanted = [table_map.time.column, *table_map.columns]
    for name in wanted:
        if name not in header:
            close = difflib.get_close_matches(name, header, n=1)
            raise SurveyError(
                f"the mapping names column {name!r}, which the file does not have"
                + (f"; did you mean {close[0]!r}?" if close else ""),
                path=str(path),
                line=1,
                hint=f"The header is: {', '.join(repr(h) for h in header)}",
            )


def parse_time(
    raw: pd.Series, table_map: TableMap, flags: RowFlags, path: Path, takeoff_s: float | None
) -> np.ndarray:
    """The time column as seconds since the Unix epoch [s], per the mapping's format.

    Parameters
    ----------
    raw : Series
        The time column as read.
    table_map : TableMap
        The mapping's table section (time column, format, timezone, take-off).
    flags : RowFlags
        Collects the rows with an unusable time.
    path : Path
        The file, named in errors.
    takeoff_s : float or None
        Take-off time [s epoch] for flight times, or None.

    Returns
    -------
    ndarray of float
        Time [s since the Unix epoch, UTC], NaN where unusable.

    Raises
    ------
    SurveyError
        When times since take-off have no take-off clock time, or local times have no
        timezone.
    """
    spec = table_map.time
    fmt = spec.format
    if fmt == "iso8601" and spec.timezone is None:
        return parse_epoch_or_iso(raw, spec.column, flags, path)
    if fmt in ("epoch_s", "epoch_ms", "seconds_since_takeoff"):
        check = pd.DataFrame({"t": raw})
        check_numeric(check, ["t"], flags)
        t = check["t"].to_numpy(dtype=float)
        if fmt == "epoch_ms":
            return t / 1000.0
        if fmt == "seconds_since_takeoff":
            if spec.takeoff is not None:
                takeoff_s = pd.Timestamp(spec.takeoff).timestamp()
            if takeoff_s is None:
                raise SurveyError(
                    f"time column {spec.column!r} is flight time since take-off, but the "
                    "mapping gives no 'takeoff' clock time",
                    path=str(path),
                )
            return t + takeoff_s
        return t
    text = raw.astype("string").str.strip()
    stamp = pd.to_datetime(
        text, format=None if fmt == "iso8601" else fmt, errors="coerce", utc=False
    )
    if stamp.dt.tz is None:
        if spec.timezone is None:
            raise SurveyError(
                f"time column {spec.column!r} has no UTC offset and the mapping gives no "
                "'timezone'",
                path=str(path),
                hint="Add e.g. 'timezone: America/Mexico_City' (or '-06:00') to 'time:'.",
            )
        tz = spec.timezone
        if tz[:1] in "+-":  # a fixed offset like -06:00
            stamp = pd.to_datetime(
                text + tz,
                format=None if fmt == "iso8601" else fmt + "%z",
                errors="coerce",
                utc=True,
            )
        else:
            stamp = stamp.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    since_epoch = stamp.dt.tz_convert("UTC") - pd.Timestamp(0, tz="UTC")
    t_arr = since_epoch.dt.total_seconds().to_numpy(dtype=float)
    bad = np.isnan(t_arr) & text.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    flags.flag(f"not a time in format {fmt!r}", bad, spec.column, raw)
    return t_arr


def _apply_columns(table: pd.DataFrame, table_map: TableMap, flags: RowFlags) -> dict[str, str]:
    """Rename mapped headers to canonical columns, in canonical units; gas channels -> ppb."""
    check_numeric(
        table, [h for h, c in table_map.columns.items() if c.to != "stability_class"], flags
    )
    channels: dict[str, str] = {}
    for header, c in table_map.columns.items():
        values = table.pop(header)
        if c.to in NAV_UNITS:
            values = values * NAV_UNITS[c.to][c.unit or next(iter(NAV_UNITS[c.to]))]
        elif c.to != "stability_class":
            assert c.unit is not None
            values = values * UNIT_TO_PPB[c.unit]
            channels[c.to] = c.unit
        table[c.to] = values
    return channels


def _read_mapped(
    path: Path, table_map: TableMap, quiet: bool, takeoff_s: float | None
) -> tuple[pd.DataFrame, RowFlags, dict[str, str]]:
    header = read_header(path, encoding=table_map.encoding, delimiter=table_map.delimiter)
    _match_headers(table_map, header, path)
    table, lines, skipped = read_table(
        path,
        delimiter=table_map.delimiter,
        decimal=table_map.decimal,
        encoding=table_map.encoding,
        quiet=quiet,
    )
    flags = RowFlags(lines)
    drop_lines(skipped, flags)
    t = parse_time(table.pop(table_map.time.column), table_map, flags, path, takeoff_s)
    channels = _apply_columns(table, table_map, flags)
    table.insert(0, "time", t)
    return table, flags, channels


def join_wind(
    table: pd.DataFrame, wind: pd.DataFrame, flags: RowFlags, max_gap_s: float, source: Path
) -> None:
    """Put wind speed and direction from a separate log onto the survey's samples.

    Speed is interpolated linearly in time; direction through the wind vector, so that
    350 deg and 10 deg average to 0 deg, not 180 deg. A sample farther than
    ``max_gap_s`` from every wind sample gets no wind and is dropped (reported).

    Parameters
    ----------
    table : DataFrame
        The survey table, changed in place.
    wind : DataFrame
        The wind log (``time`` [s epoch], ``wind_speed_ms`` [m/s], ``wind_dir_deg``
        [deg, FROM]).
    flags : RowFlags
        Collects the samples left without wind.
    max_gap_s : float
        Farthest a sample may be from a wind sample [s].
    source : Path
        The wind log, named in errors.

    Raises
    ------
    SurveyError
        When the wind log has no usable samples.
    """
    wind = wind.dropna(subset=["time", "wind_speed_ms", "wind_dir_deg"]).sort_values("time")
    if len(wind) == 0:
        raise SurveyError("the wind log has no usable samples", path=str(source))
    tw = wind["time"].to_numpy(dtype=float)
    ws = wind["wind_speed_ms"].to_numpy(dtype=float)
    # direction through the unit vector, speed on its own: a turning wind keeps its
    # strength instead of shrinking through the vector average
    ue, vn = wind_vector(1.0, wind["wind_dir_deg"].to_numpy(dtype=float))
    t = table["time"].to_numpy(dtype=float)
    speed = np.interp(t, tw, ws)
    _, direction = wind_from_vector(np.interp(t, tw, ue), np.interp(t, tw, vn))
    pos = np.clip(np.searchsorted(tw, t), 1, len(tw) - 1)
    nearest = np.minimum(np.abs(t - tw[pos - 1]), np.abs(tw[pos] - t))
    far = ~(nearest <= max_gap_s)
    flags.flag(f"no wind sample within {max_gap_s:g} s (wind log {source.name})", far, "time", t)
    table["wind_speed_ms"] = np.where(far, np.nan, speed)
    table["wind_dir_deg"] = np.where(far, np.nan, direction)


def read_wind_log(
    path: Path, wind_map: TableMap, takeoff_s: float | None, quiet: bool = False
) -> pd.DataFrame:
    """A wind log as ``time`` [s epoch], ``wind_speed_ms``, ``wind_dir_deg``.

    Parameters
    ----------
    path : Path
        The wind log CSV.
    wind_map : TableMap
        The mapping's ``wind`` section.
    takeoff_s : float or None
        Take-off time [s epoch] for flight times, or None.
    quiet : bool, default False
        No progress bar.

    Returns
    -------
    DataFrame
        Columns ``time`` [s epoch], ``wind_speed_ms`` [m/s], ``wind_dir_deg`` [deg].
    """
    table, flags, _ = _read_mapped(path, wind_map, quiet, takeoff_s)
    bad = flags.bad
    if bad.any():
        table = table.loc[~bad]
    return table[["time", "wind_speed_ms", "wind_dir_deg"]]


#: the wind log layout when no mapping describes it: canonical names, epoch or ISO time
CANONICAL_WIND = WindMap.model_validate(
    {
        "time": {"column": "time"},
        "columns": {"wind_speed_ms": "wind_speed_ms", "wind_dir_deg": "wind_dir_deg"},
    }
)


def read_vendor_csv(
    path: str | Path,
    mapping: str | Path | VendorMapping,
    *,
    wind: str | Path | None = None,
    strict: bool = False,
    quiet: bool = False,
    frame: LocalFrame | None = None,
) -> Survey:
    """Read a vendor CSV through ``mapping``; ``wind`` is a separate wind log to join.

    Parameters
    ----------
    path : str or Path
        The vendor CSV.
    mapping : str or Path or VendorMapping
        The vendor mapping (YAML path or loaded).
    wind : str or Path or None, default None
        A separate wind log joined by time.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    quiet : bool, default False
        No progress bars.
    frame : LocalFrame or None, default None
        The local projection; None centres one on the survey.

    Returns
    -------
    Survey
        The validated, projected survey.

    Raises
    ------
    SurveyError
        When the file or mapping is unusable: the mapping names no gas channel, a
        mapped header is missing, times cannot be placed in UTC, or the mapping takes
        wind from a separate log and ``wind`` is None.
    """
    path = Path(path)
    if not isinstance(mapping, VendorMapping):
        mapping = load_vendor_mapping(mapping)
    table, flags, channels = _read_mapped(path, mapping, quiet, takeoff_s=None)
    if not channels:
        raise SurveyError("the mapping names no gas channel", path=str(path))
    if wind is not None:
        wind_path = Path(wind)
        t = table["time"].to_numpy(dtype=float)
        takeoff = float(np.nanmin(t)) if np.isfinite(t).any() else None
        wind_map: WindMap = mapping.wind or CANONICAL_WIND
        wind_table = read_wind_log(wind_path, wind_map, takeoff, quiet)
        join_wind(table, wind_table, flags, wind_map.max_gap_s, wind_path)
    elif "wind_speed_ms" not in table:
        raise SurveyError(
            "the mapping takes wind from a separate log, but no --wind file was given",
            path=str(path),
        )
    return build_survey(
        table,
        channels=channels,
        flags=flags,
        source=str(path),
        format=f"vendor:{mapping.vendor}",
        strict=strict,
        frame=frame,
    )
