"""Vendor CSVs from drone gas payloads, read through a declarative mapping.

Real payload logs have headers with units in parentheses and doubled quotes, a
byte-order mark, decimal commas, timestamps in the vendor's format and local clock,
and wind in a separate log keyed by clock time or by flight time since take-off.
The mapping (:mod:`olfato.survey.mapping`) says how to read each; the result goes
through the same validation as Survey CSV v1.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from olfato.errors import StrictValidationError, SurveyError
from olfato.physics.analytes import KNOWN_ANALYTES, UNIT_TO_PPB, unknown_gas_warning
from olfato.physics.wind import wind_from_vector, wind_vector
from olfato.survey.csv_v1 import drop_lines, parse_epoch_or_iso, read_header, read_table
from olfato.survey.flights import split_flights
from olfato.survey.mapping import (
    FLIGHT_TIME_FORMATS,
    NAV_UNITS,
    REGEX_GROUPS,
    UNIT_SPELLINGS,
    TableMap,
    VendorMapping,
    WindMap,
    load_vendor_mapping,
)
from olfato.survey.model import Problem, Survey, ValidationReport
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import (
    NAV_RANGES,
    TIME_RANGE_S,
    WIND_COLUMNS,
    RowFlags,
    build_survey,
)

#: spaces a spreadsheet or a logger may put in a cell or a header
_SPACES = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\t": " "}
_SPACE_TABLE = str.maketrans(_SPACES)
#: a number, then optionally a unit (``6.6 m``, ``203°``, ``2.10 m/s``, ``-12,5 km/h``)
_VALUE_UNIT = (
    r"^\s*(?P<number>[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*(?P<unit>\S.*?)?\s*$"
)
#: flight-time clocks: ``HH:MM:SS(.f)``, ``MM:SS``, ``MMm SSs`` (either part alone), seconds
_FLIGHT_CLOCK = re.compile(
    r"^(?:(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+(?:\.\d*)?)"
    r"|(?=\d)(?:(?P<m2>\d+)\s*m(?:in)?)?\s*(?:(?P<s2>\d+(?:\.\d*)?)\s*s(?:ec)?)?"
    r"|(?P<sec>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?))$"
)


def _norm_header(name: str) -> str:
    """A header as a person reads it: no quotes around it, spaces collapsed."""
    text = name.translate(_SPACE_TABLE).strip().strip("\"'").strip()
    return " ".join(text.split())


def match_headers(table_map: TableMap, header: list[str], path: Path) -> dict[str, str]:
    """The file's header for each header the mapping names (exact, else as read).

    A header written with doubled quotes (read as ``"Latitude"``) matches ``Latitude``
    or ``'"Latitude"'`` in the mapping; non-breaking spaces count as spaces.

    Parameters
    ----------
    table_map : TableMap
        The mapping of the table: its time column and mapped columns.
    header : list of str
        The file's column names, as read.
    path : Path
        The file, named in errors.

    Returns
    -------
    dict[str, str]
        Header named in the mapping -> the file's header it matches.

    Raises
    ------
    SurveyError
        When a header the mapping names is not in the file (the closest one is
        suggested).
    """
    found: dict[str, str] = {}
    normal: dict[str, str] = {}
    for h in header:
        normal.setdefault(_norm_header(h), h)
    for name in [table_map.time.column, *table_map.columns]:
        if name in header:
            found[name] = name
        elif _norm_header(name) in normal:
            found[name] = normal[_norm_header(name)]
        else:
            close = difflib.get_close_matches(name, header, n=1)
            raise SurveyError(
                f"the mapping names column {name!r}, which the file does not have"
                + (f"; did you mean {close[0]!r}?" if close else ""),
                path=str(path),
                line=1,
                hint=f"The header is: {', '.join(repr(h) for h in header)}",
            )
    return found


def _text(raw: pd.Series) -> pd.Series:
    """Cells as stripped text with odd spaces made plain (NaN stays NA)."""
    return raw.astype("string").str.translate(_SPACE_TABLE).str.strip()


def _spread_ticks(t: np.ndarray, tick_s: float | None) -> np.ndarray:
    """Spread runs of equal consecutive times evenly over one clock tick, in file order.

    A logger that writes whole seconds at 5 Hz gives five rows per time; they become
    t, t+0.2, ..., t+0.8 s. ``tick_s`` None: 1 s when every time is a whole second.
    """
    finite = np.isfinite(t)
    if tick_s is None:
        ft = t[finite]
        tick_s = 1.0 if ft.size and np.all(ft == np.floor(ft)) else 0.0
    if tick_s <= 0 or t.size < 2:
        return t
    idx = np.flatnonzero(finite)
    tf = t[idx]
    new_run = np.concatenate(([True], tf[1:] != tf[:-1]))
    if new_run.all():
        return t
    run = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    length = np.bincount(run)
    k = np.arange(tf.size) - run_start[run]
    out = t.copy()
    out[idx] = tf + tick_s * k / length[run]
    return out


def _clock_regex(text: pd.Series, regex: str) -> pd.Series:
    """Timestamps from the named groups of ``regex`` (matched against whole cells)."""
    parts = text.str.extract(f"^(?:{regex})$")
    num = {
        k: pd.to_numeric(parts[k], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        for k in REGEX_GROUPS[:6]
    }
    year = num["year"]
    num["year"] = np.where(year < 100, year + np.where(year < 69, 2000, 1900), year)  # as %y
    stamp = pd.to_datetime(pd.DataFrame(num, index=text.index), errors="coerce")
    if "fraction" in parts:
        frac = parts["fraction"].fillna("")
        digits = frac.str.len().to_numpy(dtype=float, na_value=0.0)
        seconds = pd.to_numeric(frac, errors="coerce") / 10.0 ** np.maximum(digits, 1.0)
        stamp = stamp + pd.to_timedelta(seconds.fillna(0.0), unit="s")
    return stamp


def flight_clock_seconds(text: pd.Series) -> np.ndarray:
    """Seconds [s] from flight-time clocks (``12m 05s``, ``12:05``, ``01:12:05.5``, ``725``).

    NaN where a cell is not such a clock.

    Parameters
    ----------
    text : Series of str
        Cells of a flight-time column, as stripped text.

    Returns
    -------
    ndarray of float
        Time since the flight's start [s] per cell; NaN where a cell is not a clock.
    """
    parts = text.str.extract(_FLIGHT_CLOCK)

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(parts[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

    h, m, sec = num("h"), num("m"), num("s")
    colon = np.where(np.isnan(sec), np.nan, np.nan_to_num(h) * 3600 + m * 60 + sec)
    m2, s2 = num("m2"), num("s2")
    words = np.where(
        np.isnan(m2) & np.isnan(s2), np.nan, np.nan_to_num(m2) * 60 + np.nan_to_num(s2)
    )
    plain = num("sec")
    return np.where(np.isfinite(colon), colon, np.where(np.isfinite(words), words, plain))


def parse_time(
    raw: pd.Series, table_map: TableMap, flags: RowFlags, path: Path, takeoff_s: float | None
) -> np.ndarray:
    """The time column as seconds since the Unix epoch [s], per the mapping's format.

    Flight-time clocks are counted from ``takeoff_s`` [s since epoch] unless the mapping
    gives its own ``takeoff``. Several rows within one tick of the clock are spread
    over it (see ``tick_s``). Bad values are flagged as the cell holds them (stripped).

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
    t = _parse_time(raw, table_map, flags, path, takeoff_s)
    return _spread_ticks(t, table_map.time.tick_s)


def _parse_time(
    raw: pd.Series, table_map: TableMap, flags: RowFlags, path: Path, takeoff_s: float | None
) -> np.ndarray:
    spec = table_map.time
    fmt = spec.format
    text = _text(raw)
    shown = text.fillna("")
    if spec.regex is None and fmt == "iso8601" and spec.timezone is None:
        return parse_epoch_or_iso(raw, spec.column, flags, path)
    if spec.regex is None and fmt in ("epoch_s", "epoch_ms"):
        t = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(t) & (shown != "").to_numpy()
        flags.flag("not a number", bad, spec.column, shown)
        return t / 1000.0 if fmt == "epoch_ms" else t
    if spec.regex is None and fmt in FLIGHT_TIME_FORMATS:
        t = flight_clock_seconds(text)
        bad = ~np.isfinite(t) & (shown != "").to_numpy()
        flags.flag(
            "not a flight-time clock (MMm SSs, MM:SS, HH:MM:SS or seconds)",
            bad,
            spec.column,
            shown,
        )
        t[bad] = np.nan
        if spec.takeoff is not None:
            takeoff_s = pd.Timestamp(spec.takeoff).timestamp()
        if takeoff_s is None:
            raise SurveyError(
                f"time column {spec.column!r} is flight time since take-off, but the "
                "mapping gives no 'takeoff' clock time",
                path=str(path),
            )
        return t + takeoff_s
    if spec.regex is not None:
        stamp = _clock_regex(text, spec.regex)
        what = f"not a time matching regex {spec.regex!r}"
    else:
        stamp = pd.to_datetime(
            text, format=None if fmt == "iso8601" else fmt, errors="coerce", utc=False
        )
        what = f"not a time in format {fmt!r}"
    if stamp.dt.tz is None:
        if spec.timezone is None:
            raise SurveyError(
                f"time column {spec.column!r} has no UTC offset and the mapping gives no "
                "'timezone'",
                path=str(path),
                hint="Add e.g. 'timezone: America/Mexico_City' (or '-06:00') to 'time:'.",
            )
        tz = spec.timezone
        if tz.upper() in ("UTC", "Z"):
            stamp = stamp.dt.tz_localize("UTC")
        elif tz[:1] in "+-":  # a fixed offset like -06:00
            sign = -1 if tz[0] == "-" else 1
            hh, mm = int(tz[1:3]), int(tz[-2:])
            offset = pd.Timedelta(hours=hh, minutes=mm) * sign
            stamp = (stamp - offset).dt.tz_localize("UTC")
        else:
            stamp = stamp.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    t_arr = _epoch_seconds(stamp)
    bad = np.isnan(t_arr) & (shown != "").to_numpy()
    flags.flag(what, bad, spec.column, shown)
    return t_arr


def _epoch_seconds(stamp: pd.Series) -> np.ndarray:
    """Seconds since the Unix epoch [s] of tz-aware timestamps; NaN for NaT.

    Through microseconds: a year pandas' nanoseconds cannot hold (a mangled 2426) stays
    a number, for the time range check to drop, instead of an overflow error.
    """
    naive = stamp.dt.tz_convert("UTC").dt.tz_localize(None)
    us = naive.to_numpy(dtype="datetime64[us]")
    t = us.astype(np.int64).astype(float) * 1e-6
    t[np.isnat(us)] = np.nan
    return t


def _cell_units(target: str) -> dict[str, float]:
    """Units a cell of a column mapped to ``target`` may carry, with their factor."""
    if target in NAV_UNITS:
        return NAV_UNITS[target]
    return dict(UNIT_TO_PPB)


def column_values(
    raw: pd.Series,
    target: str,
    unit: str | None,
    *,
    decimal: str,
    header: str,
    flags: RowFlags,
    path: Path,
) -> np.ndarray:
    """A mapped column as floats in ``target``'s canonical unit (gas: ppb).

    A cell may carry its own unit (``6.6 m``, ``203°``, ``12 km/h``): it is converted
    from that unit; a cell without one is in the mapped ``unit``. A unit that does not
    fit the column is an error naming its line and column; text that is not a number
    is flagged (the row is dropped).

    Parameters
    ----------
    raw : Series
        The column's cells as read (numbers, or text that may carry a unit).
    target : str
        The canonical column it is mapped to (a navigation column or a gas analyte).
    unit : str or None
        The mapped unit of cells without one; None: ``target``'s canonical unit.
    decimal : str
        The decimal separator of the file (one character, e.g. ``"."`` or ``","``).
    header : str
        The file's header of the column, named in flags and errors.
    flags : RowFlags
        Collects the rows whose cell is not a number (changed in place).
    path : Path
        The file, named in errors.

    Returns
    -------
    ndarray of float
        The values in ``target``'s canonical unit ([m], [m/s], [deg]; gas [ppb]); NaN
        where a cell is empty or not a number.

    Raises
    ------
    SurveyError
        When a cell carries a unit that is not a unit of ``target``.
    """
    units = _cell_units(target)
    default = unit or next(iter(units))
    factor = units[default]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype=float, na_value=np.nan) * factor
    text = _text(raw)
    parts = text.str.extract(_VALUE_UNIT)
    number = parts["number"]
    if decimal != ".":
        number = number.str.replace(decimal, ".", regex=False)
    values = pd.to_numeric(number, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    shown = text.fillna("")
    flags.flag("not a number", np.isnan(values) & (shown != "").to_numpy(), header, shown)
    cell_unit = parts["unit"]
    has_unit = cell_unit.notna().to_numpy() & ~np.isnan(values)
    out = values * factor
    if has_unit.any():
        spelled = cell_unit.str.lower().str.replace(" ", "", regex=False).map(dict(UNIT_SPELLINGS))
        fits = spelled.isin(list(units)).fillna(False).to_numpy(dtype=bool)
        unknown = has_unit & ~fits
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise SurveyError(
                f"unit {cell_unit.iloc[i]!r} in the cell is not a unit of {target} "
                f"(known: {', '.join(units)})",
                path=str(path),
                line=int(flags.lines[i]),
                column=header,
                value=str(shown.iloc[i]),
            )
        for u, f in units.items():
            rows = has_unit & (spelled == u).fillna(False).to_numpy(dtype=bool)
            out[rows] = values[rows] * f
    return out


def _apply_columns(
    table: pd.DataFrame, table_map: TableMap, headers: dict[str, str], flags: RowFlags, path: Path
) -> dict[str, str]:
    """Rename mapped headers to canonical columns, in canonical units; gas channels -> ppb."""
    channels: dict[str, str] = {}
    for name, c in table_map.columns.items():
        if c.to not in NAV_UNITS and c.to != "stability_class" and c.to not in KNOWN_ANALYTES:
            flags.report.warnings.append(unknown_gas_warning(name, c.to))
            continue  # left in the table as an extra column
        raw = table.pop(headers[name])
        if c.to == "stability_class":
            table[c.to] = raw
            continue
        table[c.to] = column_values(
            raw, c.to, c.unit, decimal=table_map.decimal, header=name, flags=flags, path=path
        )
        if c.to not in NAV_UNITS:
            assert c.unit is not None
            channels[c.to] = c.unit
    return channels


def _read_mapped(
    path: Path, table_map: TableMap, quiet: bool, takeoff_s: float | None
) -> tuple[pd.DataFrame, RowFlags, dict[str, str]]:
    header = read_header(path, encoding=table_map.encoding, delimiter=table_map.delimiter)
    headers = match_headers(table_map, header, path)
    table, lines, skipped = read_table(
        path,
        delimiter=table_map.delimiter,
        decimal=table_map.decimal,
        encoding=table_map.encoding,
        quiet=quiet,
    )
    flags = RowFlags(lines)
    drop_lines(skipped, flags)
    missing = [h for h in headers.values() if h not in table.columns]
    if missing:  # read_header and pandas disagree on the header (quotes spanning lines)
        raise SurveyError(
            f"cannot find column {missing[0]!r} in the parsed table", path=str(path), line=1
        )
    t = parse_time(table.pop(headers[table_map.time.column]), table_map, flags, path, takeoff_s)
    channels = _apply_columns(table, table_map, headers, flags, path)
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
    pos = np.clip(np.searchsorted(tw, t), 1, max(len(tw) - 1, 1))
    nearest = np.minimum(np.abs(t - tw[pos - 1]), np.abs(tw[np.minimum(pos, len(tw) - 1)] - t))
    far = ~(nearest <= max_gap_s)
    flags.flag(f"no wind sample within {max_gap_s:g} s (wind log {source.name})", far, "time", t)
    table["wind_speed_ms"] = np.where(far, np.nan, speed)
    table["wind_dir_deg"] = np.where(far, np.nan, direction)


def read_wind_log(
    path: Path,
    wind_map: TableMap,
    takeoff_s: float | None,
    quiet: bool = False,
    *,
    strict: bool = False,
    report: ValidationReport | None = None,
) -> pd.DataFrame:
    """A wind log as ``time`` [s epoch], ``wind_speed_ms``, ``wind_dir_deg`` (and
    ``alt_agl_m`` when it has one).

    Bad rows are dropped and every one is reported in ``report`` (line, column, value)
    under a reason that names the log; ``strict``: any bad row is an error (exit 2).

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
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    report : ValidationReport or None, default None
        Receives a warning listing the dropped rows; None: they are not reported.

    Returns
    -------
    DataFrame
        Columns ``time`` [s epoch], ``wind_speed_ms`` [m/s], ``wind_dir_deg`` [deg],
        and ``alt_agl_m`` [m] when the log has one; bad rows dropped.

    Raises
    ------
    StrictValidationError
        When ``strict`` and any row of the wind log is bad.
    """
    table, flags, _ = _read_mapped(path, wind_map, quiet, takeoff_s)
    for col in WIND_COLUMNS:
        v = table[col].to_numpy(dtype=float)
        low, high, reason = NAV_RANGES[col]
        flags.flag("missing value", np.isnan(v), col, v)
        flags.flag(reason, (v < low) | (v > high) | np.isinf(v), col, v)
    flags.flag("missing value", np.isnan(table["time"].to_numpy(dtype=float)), "time", None)
    bad = flags.bad
    if flags.report.dropped:
        n_bad = int(bad.sum()) + flags.outside
        lines = _describe_bad_rows(flags, wind_map)
        if strict:
            raise StrictValidationError(
                f"{n_bad} bad row(s) in {len(table) + flags.outside} of the wind log "
                "(strict reading):\n  " + "\n  ".join(lines),
                path=str(path),
            )
        if report is not None:
            report.warnings.append(
                f"wind log {path.name}: {n_bad} bad row(s) dropped: " + "; ".join(lines)
            )
    if bad.any():
        table = table.loc[~bad]
    cols = ["time", "wind_speed_ms", "wind_dir_deg"]
    if "alt_agl_m" in table:
        cols.append("alt_agl_m")
    return table[cols]


#: most bad wind-log rows listed one by one in the report
MAX_LISTED_WIND_ROWS = 50


def _describe_bad_rows(flags: RowFlags, wind_map: TableMap) -> list[str]:
    """Every bad row of a wind log as ``line N, column 'C' (value: 'V'): reason``, the
    column named as the log's header."""
    names = {c.to: h for h, c in wind_map.columns.items()}
    names["time"] = wind_map.time.column
    out = [
        Problem(
            reason=p.reason, line=p.line, column=names.get(p.column or "", p.column), value=p.value
        ).describe()
        for p in flags.every_problem()
    ]
    if len(out) > MAX_LISTED_WIND_ROWS:
        out = [*out[:MAX_LISTED_WIND_ROWS], f"... and {len(out) - MAX_LISTED_WIND_ROWS} more"]
    return out


def _plausible(t: np.ndarray) -> np.ndarray:
    """Which times [s since epoch] a clock could show (the rest are dropped later)."""
    return np.isfinite(t) & (t >= TIME_RANGE_S[0]) & (t <= TIME_RANGE_S[1])


def _utc(t: float) -> str:
    """``t`` [s since epoch] as readable UTC; a value no clock shows, as seconds."""
    if not (np.isfinite(t) and TIME_RANGE_S[0] <= t <= TIME_RANGE_S[1]):
        return f"{t:g} s (not a clock time)"
    return pd.Timestamp(t, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M:%S UTC")


def _utc_range(t0: float, t1: float) -> str:
    return f"{_utc(t0)} to {_utc(t1)}"


def altitude_offset(
    t_survey: np.ndarray,
    alt_survey: np.ndarray,
    t_wind: np.ndarray,
    alt_wind: np.ndarray,
    *,
    step_s: float = 0.5,
    min_overlap: float = 0.5,
) -> tuple[float, float] | None:
    """The shift [s] to add to the wind log's times so its altitude matches the survey's.

    Every shift (``step_s`` apart) that leaves at least ``min_overlap`` of the wind
    log's samples inside the survey is scored by the RMS difference [m] of the two
    altitudes (the survey's interpolated to the wind times); the best shift is refined to
    0.1 s. Returns ``(shift_s, rms_m)``, or None when no shift overlaps enough.

    Parameters
    ----------
    t_survey : ndarray
        Times of the survey's samples [s since the Unix epoch]; NaN rows are ignored.
    alt_survey : ndarray
        Height above ground of the survey's samples [m].
    t_wind : ndarray
        Times of the wind log's samples [s since the Unix epoch], in order.
    alt_wind : ndarray
        Height above ground of the wind log's samples [m].
    step_s : float, default 0.5
        Spacing of the coarse search over shifts [s].
    min_overlap : float, default 0.5
        Least fraction of the wind log's samples that must fall inside the survey.

    Returns
    -------
    tuple of (float, float) or None
        The shift to add to the wind times [s] and the RMS altitude difference [m] at
        it, or None when fewer than 2 usable samples or no shift overlaps enough.
    """
    ok = np.isfinite(t_survey) & np.isfinite(alt_survey)
    ts, zs = t_survey[ok], alt_survey[ok]
    okw = np.isfinite(t_wind) & np.isfinite(alt_wind)
    tw, zw = t_wind[okw], alt_wind[okw]
    if ts.size < 2 or tw.size < 2:
        return None
    order = np.argsort(ts, kind="stable")
    ts, zs = ts[order], zs[order]
    lo, hi = ts[0] - tw[-1], ts[-1] - tw[0]
    need = max(2, int(np.ceil(min_overlap * tw.size)))

    def score(shifts: np.ndarray) -> np.ndarray:
        out = np.full(shifts.size, np.inf)
        for i, d in enumerate(shifts):
            tt = tw + d
            inside = (tt >= ts[0]) & (tt <= ts[-1])
            if inside.sum() >= need:
                diff = np.interp(tt[inside], ts, zs) - zw[inside]
                out[i] = float(np.sqrt(np.mean(diff * diff)))
        return out

    coarse = np.arange(lo, hi + step_s, step_s)
    if coarse.size > 200_000:
        coarse = np.linspace(lo, hi, 200_000)
    sc = score(coarse)
    if not np.isfinite(sc).any():
        return None
    best = float(coarse[int(np.argmin(sc))])
    fine = np.arange(best - step_s, best + step_s + 1e-9, 0.1)
    sf = score(fine)
    i = int(np.argmin(sf))
    return float(fine[i]), float(sf[i])


def align_wind(
    wind: pd.DataFrame,
    wind_map: WindMap,
    survey: pd.DataFrame,
    path: Path,
    report: ValidationReport,
) -> pd.DataFrame:
    """Shift the wind log's clock as the mapping says; report the overlap.

    A declared ``offset_s`` is added to every wind time; ``align: altitude`` (the
    default when the log has an altitude column and no offset is declared) finds the
    offset by matching altitudes. No overlap with the survey is an error that gives
    both time ranges in UTC.

    Parameters
    ----------
    wind : DataFrame
        The wind log (:func:`read_wind_log`): ``time`` [s since the Unix epoch],
        ``wind_speed_ms`` [m/s], ``wind_dir_deg`` [deg] and optionally ``alt_agl_m`` [m].
    wind_map : WindMap
        The mapping's ``wind`` section (``offset_s`` [s], ``align``).
    survey : DataFrame
        The survey table: ``time`` [s since the Unix epoch] and ``alt_agl_m`` [m].
    path : Path
        The wind log, named in errors and in the report.
    report : ValidationReport
        Receives a note on the offset and overlap, or a warning when the wind log
        covers only part of the survey (changed in place).

    Returns
    -------
    DataFrame
        The wind log with its times shifted onto the survey's clock.

    Raises
    ------
    SurveyError
        When aligning by altitude finds no offset, or the shifted wind log does not
        overlap the survey in time.
    """
    t_all = survey["time"].to_numpy(dtype=float)
    plausible = _plausible(t_all)
    t = t_all[plausible]
    align = wind_map.align
    if align is None:
        align = "altitude" if "alt_agl_m" in wind and wind_map.offset_s is None else "none"
    shift = wind_map.offset_s or 0.0
    how = f"declared offset {shift:+.1f} s" if wind_map.offset_s is not None else ""
    if align == "altitude":
        found = altitude_offset(
            t_all[plausible],
            survey["alt_agl_m"].to_numpy(dtype=float)[plausible],
            wind["time"].to_numpy(dtype=float) + shift,
            wind["alt_agl_m"].to_numpy(dtype=float),
        )
        if found is None:
            tw = wind["time"].to_numpy(dtype=float)
            raise SurveyError(
                "cannot align the wind log by altitude: it does not overlap the survey by "
                f"half its length at any offset (survey {_utc_range(t.min(), t.max())}; wind "
                f"log {_utc_range(np.nanmin(tw) + shift, np.nanmax(tw) + shift)})",
                path=str(path),
            )
        shift += found[0]
        how = f"offset {shift:+.1f} s found by matching altitude (RMS {found[1]:.2f} m)"
    wind = wind.assign(time=wind["time"] + shift)
    tw = wind["time"].to_numpy(dtype=float)
    if tw.size == 0 or t.size == 0:
        return wind
    w0, w1 = float(tw.min()), float(tw.max())
    s0, s1 = float(t.min()), float(t.max())
    overlap = max(0.0, min(w1, s1) - max(w0, s0))
    if overlap <= 0 and not (w0 <= s0 <= w1):
        raise SurveyError(
            f"the wind log does not overlap the survey in time: survey {_utc_range(s0, s1)}; "
            f"wind log {_utc_range(w0, w1)}" + (f" ({how})" if how else ""),
            path=str(path),
            hint="Declare the wind log's clock offset ('offset_s' under 'wind:'), or map its "
            "altitude column so it can be aligned by altitude.",
        )
    frac = overlap / (s1 - s0) if s1 > s0 else 1.0
    (report.warnings if frac < 1.0 else report.notes).append(
        f"wind log {path.name}: {_utc_range(w0, w1)}"
        + (f", {how}" if how else "")
        + f"; covers {100 * frac:.0f}% of the survey ({_utc_range(s0, s1)})"
    )
    return wind


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
    flight: int | None = None,
) -> Survey:
    """Read a vendor CSV through ``mapping``; ``wind`` is a separate wind log to join.

    ``flight``: the file holds several flights (:mod:`olfato.survey.flights`) and this
    one (from 1) is read; flight-time clocks of the wind log count from its first row.
    Without wind (none mapped and no ``wind`` log) the survey has NaN wind and says so.

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
    flight : int or None, default None
        Which flight to read (from 1) when the file holds several; None reads them all.

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
    flights = split_flights(table["time"].to_numpy(dtype=float), table["alt_agl_m"].to_numpy())
    note = None
    if flight is not None:
        if not 1 <= flight <= len(flights):
            raise SurveyError(
                f"flight {flight} asked for; the file holds {len(flights)} flight(s)",
                path=str(path),
            )
        f = flights[flight - 1]
        rows = np.zeros(len(table), dtype=bool)
        rows[f.start : f.stop] = True
        flags = flags.subset(rows)
        table = table.iloc[f.start : f.stop].reset_index(drop=True)
        note = (
            f"flight {flight} of {len(flights)}: lines {int(flags.lines[0])}-"
            f"{int(flags.lines[-1])}, {_utc_range(f.start_time, f.end_time)}"
        )
    elif len(flights) > 1:
        note = f"the file holds {len(flights)} flights (choose one by its number): " + "; ".join(
            f"{f.number}: {_utc_range(f.start_time, f.end_time)}" for f in flights
        )
    has_wind = True
    if wind is not None:
        wind_path = Path(wind)
        t = table["time"].to_numpy(dtype=float)
        t = t[_plausible(t)]
        takeoff = float(t.min()) if t.size else None
        wind_map: WindMap = mapping.wind or CANONICAL_WIND
        wind_table = read_wind_log(
            wind_path, wind_map, takeoff, quiet, strict=strict, report=flags.report
        )
        wind_table = align_wind(wind_table, wind_map, table, wind_path, flags.report)
        join_wind(table, wind_table, flags, wind_map.max_gap_s, wind_path)
    elif "wind_speed_ms" not in table:
        has_wind = False
    survey = build_survey(
        table,
        channels=channels,
        flags=flags,
        source=str(path),
        format=f"vendor:{mapping.vendor}",
        strict=strict,
        frame=frame,
        wind=has_wind,
    )
    if note:
        survey.report.notes.insert(0, note)
    return survey
