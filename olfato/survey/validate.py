"""Validation shared by every reader: from a canonical table to a :class:`Survey`.

Each reader turns its format into a *canonical table* (the columns of
:data:`olfato.survey.model.NAV_COLUMNS`, gas channels in ppb named by analyte, and any
extra columns) plus the source line of each row, flags what it could not parse, and
hands both to :func:`build_survey`. Validation here is the same for all formats:

- rows with a missing or unparseable navigation value are dropped;
- latitude/longitude out of range, or exactly (0, 0) (a GPS without fix), dropped;
- wind direction outside 0..360 deg or wind speed outside 0..60 m/s, dropped;
- height above ground outside -50..3000 m, or any infinite value, dropped;
- time that goes backwards, or repeats, dropped (the first sample at a time is kept);
- positions that jump faster than any survey drone flies (default 60 m/s), dropped;
- gaps in time and stretches of NaN in a gas channel are kept and reported;
- a flight with fewer than two good samples is an error.

By default bad rows are dropped and counted by reason in the
:class:`ValidationReport`; with ``strict=True`` any bad row is an error (exit code 2).
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from olfato.errors import StrictValidationError, SurveyError
from olfato.physics.stability import STABILITY_CLASSES
from olfato.survey.model import (
    NAV_COLUMNS,
    Problem,
    Survey,
    ValidationReport,
)
from olfato.survey.projection import LocalFrame

#: fastest horizontal speed a survey drone plausibly flies [m/s]; fixed-wing survey
#: aircraft cruise at 15-30 m/s, so anything faster between two fixes is a GPS glitch
MAX_GROUND_SPEED_MS = 60.0
#: strongest wind a drone survey can report [m/s] (Beaufort 12 starts at 32.7 m/s;
#: small drones cannot fly in half that, so 60 m/s is a units error, e.g. km/h)
MAX_WIND_SPEED_MS = 60.0
#: plausible height above ground [m]: below -50 m or above 3000 m is a units or datum
#: error (feet for metres, height above sea level for above ground)
MIN_AGL_M, MAX_AGL_M = -50.0, 3000.0
#: plausible times [s since the Unix epoch]: 1990-01-01 .. 2100-01-01; anything else
#: is a clock that was never set (time since boot, 1970), or a corrupt value
TIME_RANGE_S = (631_152_000.0, 4_102_444_800.0)
TIME_RANGE_REASON = "time outside 1990..2100 (a clock not set, or a corrupt value)"
#: a step in time this many times the median step, out and back, is a clock glitch
GLITCH_FACTOR = 50.0
#: ... and at least this long [s]
GLITCH_MIN_S = 60.0
#: the columns a survey without wind leaves empty (NaN)
WIND_COLUMNS = ("wind_speed_ms", "wind_dir_deg")
#: what a survey without wind says about itself
NO_WIND_WARNING = "no wind: the survey can be read and detected, not located (give a wind log)"
#: a time step this many times the median is reported as a gap
GAP_FACTOR = 5.0

#: navigation column -> (low, high, reason) of its plausible range
NAV_RANGES = {
    "lat": (-90.0, 90.0, "latitude outside -90..90"),
    "lon": (-180.0, 180.0, "longitude outside -180..180"),
    "alt_agl_m": (
        MIN_AGL_M,
        MAX_AGL_M,
        f"height above ground outside {MIN_AGL_M:g}..{MAX_AGL_M:g} m",
    ),
    "wind_speed_ms": (0.0, MAX_WIND_SPEED_MS, f"wind speed outside 0..{MAX_WIND_SPEED_MS:g} m/s"),
    "wind_dir_deg": (0.0, 360.0, "wind direction outside 0..360 deg"),
}


@dataclass
class RowFlags:
    """Rows a reader or a check found bad, with the reason each was dropped for.

    A row is counted once, under the first reason found for it.
    """

    lines: np.ndarray
    """source line (or record number) of each row"""
    report: ValidationReport = field(default_factory=ValidationReport)
    outside: int = 0
    """rows dropped before the table was built (e.g. lines with too many fields)"""
    bad: np.ndarray = field(init=False)
    # what :meth:`subset` needs: the flag call that dropped each row (0: none), each
    # call's reason, column and values, and the problems found before the table
    _call_of: np.ndarray | None = field(init=False, default=None)
    _calls: list[tuple[str, str | None, pd.Series | np.ndarray | None]] = field(
        init=False, default_factory=list
    )
    _outside: list[Problem] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.bad = np.zeros(len(self.lines), dtype=bool)

    def add_outside(self, reason: str, problems: list[Problem]) -> None:
        """Count lines dropped before the table was built (each a :class:`Problem`).

        Parameters
        ----------
        reason : str
            Why the lines were dropped.
        problems : list of Problem
            One per dropped line, located in the input.
        """
        self.report.add(reason, len(problems), problems)
        self.outside += len(problems)
        self._outside.extend(problems)

    def every_problem(self) -> list[Problem]:
        """Every dropped row as a :class:`Problem` (line, column, value, reason), in the
        order they were flagged; lines dropped before the table was built first.

        Returns
        -------
        list of Problem
            One per dropped row or line, with its value as text (empty for a missing
            value) where the flag gave values.
        """
        out = list(self._outside)
        if self._call_of is None:
            return out
        for k, (reason, column, values) in enumerate(self._calls, start=1):
            for i in np.flatnonzero(self._call_of == k):
                value = None
                if values is not None:
                    v = values.iloc[i] if isinstance(values, pd.Series) else values[i]
                    value = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
                out.append(
                    Problem(reason=reason, line=int(self.lines[i]), column=column, value=value)
                )
        return out

    def subset(self, rows: np.ndarray) -> RowFlags:
        """The flags of the rows ``rows`` (a boolean mask of consecutive rows) alone.

        Counts and examples are those of the selected rows; lines dropped before the
        table was built count when they lie within the selection's lines.

        Parameters
        ----------
        rows : ndarray of bool
            Mask over this table's rows, selecting consecutive rows (e.g. one flight).

        Returns
        -------
        RowFlags
            New flags for the selected rows, with their own report.
        """
        rows = np.asarray(rows, dtype=bool)
        out = RowFlags(self.lines[rows])
        if out.lines.size:
            lo, hi = int(out.lines.min()), int(out.lines.max())
            by_reason: dict[str, list[Problem]] = {}
            for p in self._outside:
                if p.line is not None and lo <= p.line <= hi:
                    by_reason.setdefault(p.reason, []).append(p)
            for reason, ps in by_reason.items():
                out.add_outside(reason, ps)
        if self._call_of is not None:
            calls = self._call_of[rows]
            for k, (reason, column, values) in enumerate(self._calls, start=1):
                picked = None
                if values is not None:
                    picked = values[rows] if isinstance(values, np.ndarray) else values.iloc[rows]
                out.flag(reason, calls == k, column, picked)
        return out

    def flag(
        self,
        reason: str,
        mask: np.ndarray,
        column: str | None = None,
        values: pd.Series | np.ndarray | None = None,
    ) -> None:
        """Mark the rows in ``mask`` bad for ``reason`` (rows already bad are not counted again).

        Parameters
        ----------
        reason : str
            Why the rows are bad.
        mask : ndarray of bool
            The rows to flag.
        column : str or None, default None
            The column at fault, named in examples.
        values : Series or ndarray or None, default None
            The column's raw values, quoted in examples.
        """
        new = np.asarray(mask, dtype=bool) & ~self.bad
        if not new.any():
            return
        idx = np.flatnonzero(new)
        examples = []
        for i in idx[: ValidationReport.MAX_EXAMPLES]:
            value = None
            if values is not None:
                v = values.iloc[i] if isinstance(values, pd.Series) else values[i]
                value = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            examples.append(
                Problem(reason=reason, line=int(self.lines[i]), column=column, value=value)
            )
        self.report.add(reason, int(idx.size), examples)
        self.bad |= new
        if self._call_of is None:
            self._call_of = np.zeros(len(self.lines), dtype=np.int32)
        self._calls.append((reason, column, values))
        self._call_of[new] = len(self._calls)


def as_column(table: pd.DataFrame, values: np.ndarray) -> pd.Series:
    """``values`` as a column of ``table`` without a copy (a bare array is copied).

    Parameters
    ----------
    table : DataFrame
        The table the column goes into.
    values : ndarray
        One value per row.

    Returns
    -------
    Series
        The column, indexed like ``table``.
    """
    return pd.Series(values, index=table.index, copy=False)


def check_numeric(table: pd.DataFrame, columns: list[str], flags: RowFlags) -> None:
    """Convert ``columns`` to float in place, flagging text and empty values.

    Parameters
    ----------
    table : DataFrame
        The survey table, changed in place.
    columns : list of str
        The columns to convert.
    flags : RowFlags
        Collects the rows with text or empty values.
    """
    for col in columns:
        raw = table[col]
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            if raw.dtype != np.float64:
                table[col] = raw.astype(float)
            continue
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        text = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        flags.flag("not a number", text.to_numpy(), col, raw)
        table[col] = num


def _flag_ranges(
    table: pd.DataFrame,
    channels: list[str],
    flags: RowFlags,
    wind: bool = True,
    increasing: bool = False,
) -> set[str]:
    """Flag values out of range; return the gas channels without NaN or inf.

    ``increasing``: every time is larger than the one before (NaN fails that), so the
    first and last are the time range and no pass over the times is needed for it.
    """
    # The usual file is clean, and a pass or two per column proves it: a navigation
    # column's min and max lie in range (a NaN makes both NaN, which fails), and a
    # column's sum is finite only without NaN or inf. Only a column with a problem pays
    # for telling its reasons apart.
    t = table["time"].to_numpy(dtype=float)
    total = t.sum()
    if not np.isfinite(total):
        flags.flag("missing value", np.isnan(t), "time", t)
    lo, hi = TIME_RANGE_S
    if increasing and len(t):
        in_range = bool(t[0] >= lo and t[-1] <= hi)
    else:
        in_range = bool(np.isfinite(total) and t.min() >= lo and t.max() <= hi)
    if not in_range:
        flags.flag(TIME_RANGE_REASON, (t < lo) | (t > hi), "time", t)
    span: dict[str, tuple[float, float]] = {}
    for col, (low, high, reason) in NAV_RANGES.items():
        if not wind and col in WIND_COLUMNS:
            continue
        v = table[col].to_numpy(dtype=float)
        span[col] = (v.min(), v.max())
        if span[col][0] >= low and span[col][1] <= high:
            continue
        flags.flag("missing value", np.isnan(v), col, v)
        flags.flag("infinite value", np.isinf(v), col, v)
        flags.flag(reason, (v < low) | (v > high), col, v)
    finite = set()
    for col in channels:
        v = table[col].to_numpy(dtype=float)
        if np.isfinite(v.sum()):
            finite.add(col)
        else:  # NaN is allowed in gas; inf is not
            flags.flag("infinite value", np.isinf(v), col, v)
    # (0, 0) lies in the survey's box only if it crosses the equator and the prime
    # meridian (or a NaN hides the box)
    (lat_lo, lat_hi), (lon_lo, lon_hi) = span["lat"], span["lon"]
    if not (lat_lo > 0 or lat_hi < 0 or lon_lo > 0 or lon_hi < 0):
        lat = table["lat"].to_numpy(dtype=float)
        lon = table["lon"].to_numpy(dtype=float)
        flags.flag("position (0, 0): GPS without fix", (lat == 0) & (lon == 0), "lat", lat)
    if "stability_class" in table:
        sc = table["stability_class"]
        text = sc.astype("string").str.strip().str.upper()
        bad = text.notna() & (text != "") & ~text.isin(STABILITY_CLASSES)
        flags.flag("stability class not one of A..F", bad.to_numpy(), "stability_class", sc)
        table["stability_class"] = text.where(text.isin(STABILITY_CLASSES))
    return finite


def _flag_time_order(
    t: np.ndarray, keep: np.ndarray, flags: RowFlags, increasing: bool | None = None
) -> None:
    """Flag kept rows whose time does not increase over all kept rows before them.

    ``increasing``: whether every time is larger than the one before, when known.
    """
    if increasing is None:
        increasing = bool((t[1:] > t[:-1]).all())
    if keep.all() and increasing:  # the usual case
        return
    idx = np.flatnonzero(keep)
    glitch = _clock_glitches(t[idx])
    if glitch.any():
        mask = np.zeros_like(keep)
        mask[idx[glitch]] = True
        flags.flag("time far from both neighbours (a clock glitch)", mask, "time", t)
        idx = idx[~glitch]
    tk = t[idx]
    prev_max = np.concatenate(([-np.inf], np.maximum.accumulate(tk)[:-1]))
    back = np.zeros_like(keep)
    dup = np.zeros_like(keep)
    back[idx[tk < prev_max]] = True
    dup[idx[tk == prev_max]] = True
    flags.flag("time goes backwards", back, "time", t)
    flags.flag("duplicate time", dup, "time", t)


def _clock_glitches(t: np.ndarray) -> np.ndarray:
    """Times that jump far away and straight back: one bad clock reading each.

    A sample is a glitch when its time lies more than ``GLITCH_FACTOR`` median steps
    (and ``GLITCH_MIN_S``) from both neighbours while the neighbours lie close to each
    other; the first (last) sample when it lies that far after (before) the next two
    (previous two). Without this, one future time would make every later sample look
    as if it went backwards.
    """
    bad = np.zeros(t.size, dtype=bool)
    if t.size < 3:
        return bad
    d = np.diff(t)
    pos = d[d > 0]
    big = max(GLITCH_MIN_S, GLITCH_FACTOR * float(np.median(pos)) if pos.size else 0.0)
    far_prev = np.abs(d[:-1]) > big  # t[i] vs t[i-1], i = 1..n-2
    far_next = np.abs(d[1:]) > big  # t[i+1] vs t[i]
    close_around = np.abs(t[2:] - t[:-2]) <= big
    bad[1:-1] = far_prev & far_next & close_around
    bad[0] = t[0] - t[1] > big and abs(t[2] - t[1]) <= big
    bad[-1] = t[-2] - t[-1] > big and abs(t[-2] - t[-3]) <= big
    return bad


#: samples per block when stepping through a long track: temporaries of this size stay
#: in the CPU cache, which makes a pass a third as long as one over whole arrays
STEP_BLOCK = 1 << 15


def _any_step_faster(t: np.ndarray, e: np.ndarray, n: np.ndarray, vmax: float) -> bool:
    """Whether any step from one sample to the next is faster than ``vmax`` [m/s]."""
    for i in range(0, len(t) - 1, STEP_BLOCK):
        s = slice(i, i + STEP_BLOCK + 1)
        de, dn, reach = np.diff(e[s]), np.diff(n[s]), vmax * np.diff(t[s])
        if (de * de + dn * dn > reach * reach).any():
            return True
    return False


def _longest_step(t: np.ndarray) -> float:
    """The longest step between consecutive times [s] of ``t`` (two or more)."""
    return max(np.diff(t[i : i + STEP_BLOCK + 1]).max() for i in range(0, len(t) - 1, STEP_BLOCK))


def _jump_mask(t: np.ndarray, e: np.ndarray, n: np.ndarray, vmax: float) -> np.ndarray:
    """Samples that lie farther from the last good sample than ``vmax`` allows.

    Walks the track out from an anchor (the sample nearest the median position, which
    a few wild fixes cannot move) in both directions, keeping the last good fix; the
    allowed distance grows with the time since it, so after a lasting jump (GPS
    re-acquired elsewhere) the track is picked up again once a drone could have got
    there. Only tracks with a fast step pay for the walk.
    """
    if not _any_step_faster(t, e, n, vmax):
        return np.zeros(len(t), dtype=bool)
    bad = np.zeros(len(t), dtype=bool)
    anchor = int(np.argmin(np.hypot(e - np.median(e), n - np.median(n))))
    for order in (range(anchor + 1, len(t)), range(anchor - 1, -1, -1)):
        last = anchor
        for i in order:
            if np.hypot(e[i] - e[last], n[i] - n[last]) > vmax * abs(t[i] - t[last]):
                bad[i] = True
            else:
                last = i
    return bad


def _report_gaps_and_nans(
    survey_t: np.ndarray,
    table: pd.DataFrame,
    channels: list[str],
    lines: np.ndarray,
    report: ValidationReport,
) -> None:
    """Warn of gaps in time and of NaN stretches in the gas ``channels``."""
    if len(survey_t) > 2:
        step = max(1, (len(survey_t) - 1) // 10_000)  # the median of a 10,000-step sample
        med = float(np.median(survey_t[1::step] - survey_t[:-1:step]))
        if _longest_step(survey_t) > GAP_FACTOR * med:
            dt = np.diff(survey_t)
            gaps = np.flatnonzero(dt > GAP_FACTOR * med)
            longest = int(gaps[np.argmax(dt[gaps])])
            report.warnings.append(
                f"{gaps.size} gap(s) in time longer than {GAP_FACTOR:g}x the sample interval; "
                f"longest {dt[longest]:.1f} s after line {int(lines[longest])}"
            )
    for ch in channels:
        isnan = np.isnan(table[ch].to_numpy(dtype=float))
        if not isnan.any():
            continue
        starts = np.flatnonzero(isnan & ~np.concatenate(([False], isnan[:-1])))
        ends = np.flatnonzero(isnan & ~np.concatenate((isnan[1:], [False])))
        longest = int(np.argmax(ends - starts))
        report.warnings.append(
            f"gas channel '{ch}': {int(isnan.sum())} missing value(s) in {starts.size} "
            f"stretch(es), kept as NaN; longest lines {int(lines[starts[longest]])}-"
            f"{int(lines[ends[longest]])}"
        )


def build_survey(
    table: pd.DataFrame,
    *,
    channels: dict[str, str],
    flags: RowFlags,
    source: str,
    format: str,
    strict: bool = False,
    max_speed_ms: float = MAX_GROUND_SPEED_MS,
    frame: LocalFrame | None = None,
    projected: Future[tuple[np.ndarray, np.ndarray]] | None = None,
    wind: bool = True,
) -> Survey:
    """Validate a canonical table and project it; see the module docstring.

    ``table`` has float ``time`` [s since epoch, UTC] (NaN where unparseable, already
    flagged), the other navigation columns (any dtype; converted here), gas channels
    already in ppb, and extra columns. ``flags`` carries the source line of each row and
    what the reader already found bad. ``frame`` fixes the local projection; by default
    it is centred on the survey. ``projected`` is east, north [m] of every row in
    ``frame`` being projected on another thread while the columns are checked (Survey
    CSV v1 starts it before parsing times; PROJ releases the GIL). ``wind=False``: the
    input has no wind; the wind columns are NaN and the survey says so.

    Parameters
    ----------
    table : DataFrame
        The canonical table.
    channels : dict[str, str]
        Gas channel (analyte) -> the unit it was recorded in (``ppm`` or ``ppb``).
    flags : RowFlags
        Source lines and bad rows found so far.
    source : str
        The survey file, named in errors.
    format : str
        The survey's format name.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    max_speed_ms : float, default MAX_GROUND_SPEED_MS
        Fastest plausible ground speed between fixes [m/s].
    frame : LocalFrame or None, default None
        The local projection; None centres one on the survey.
    projected : Future or None, default None
        East, north [m] of every row, being computed in ``frame``.
    wind : bool, default True
        Whether the input has wind; False sets the wind columns to NaN and notes it.

    Returns
    -------
    Survey
        The validated, projected survey.

    Raises
    ------
    StrictValidationError
        When ``strict`` and any row was bad.
    SurveyError
        When the table has no samples, or fewer than 2 usable ones.
    """
    report = flags.report
    if not wind:
        for col in WIND_COLUMNS:
            table[col] = np.nan
    report.rows_read = len(table) + flags.outside
    if len(table) == 0 and flags.outside == 0:
        raise SurveyError("empty flight: the file has a header but no samples", path=source)
    check_numeric(table, [c for c in NAV_COLUMNS if c != "time"], flags)
    check_numeric(table, list(channels), flags)
    t = table["time"].to_numpy(dtype=float)
    increasing = bool((t[1:] > t[:-1]).all())  # one pass serves the range and order checks
    finite = _flag_ranges(table, list(channels), flags, wind, increasing)
    _flag_time_order(t, ~flags.bad, flags, increasing)

    keep = ~flags.bad
    if keep.any():
        lat = table["lat"].to_numpy(dtype=float)
        lon = table["lon"].to_numpy(dtype=float)
        every = bool(keep.all())  # the usual case: no fancy indexing, no copies

        def kept(a: np.ndarray) -> np.ndarray:
            return a if every else a[keep]

        if projected is not None and frame is not None:
            east, north = projected.result()
        else:
            # every row, bad ones too: cheaper than selecting the good ones first, and
            # the frame is the one Survey CSV v1 picks before validating (centred_on
            # leaves out fixes that cannot be positions)
            frame = frame or LocalFrame.centred_on(lat, lon)
            east, north = frame.to_local(lat, lon)
        if not np.isfinite(kept(east).sum() + kept(north).sum()):  # one pass, no temporaries
            unprojectable = keep & ~(np.isfinite(east) & np.isfinite(north))
            if unprojectable.any():
                flags.flag("position too far from the survey to project", unprojectable, "lon", lon)
                keep = ~flags.bad
                every = False
        jump = _jump_mask(kept(t), kept(east), kept(north), max_speed_ms)
        if not every:  # one flag per row of the table
            jump_kept, jump = jump, np.zeros(len(table), dtype=bool)
            jump[keep] = jump_kept
        flags.flag(
            f"position jumps faster than {max_speed_ms:g} m/s from the previous good fix",
            jump,
            "lat",
            lat,
        )
        table["east_m"] = as_column(table, east)
        table["north_m"] = as_column(table, north)

    keep = ~flags.bad
    n_keep = int(keep.sum())
    if strict and report.dropped:
        raise StrictValidationError(
            f"{report.rows_read - n_keep} bad row(s) in {report.rows_read} (strict reading):\n  "
            + "\n  ".join(report.summary_lines()),
            path=source,
        )
    if n_keep < 2:
        detail = "; ".join(report.summary_lines()) or "no samples"
        raise SurveyError(
            f"empty flight: {n_keep} usable sample(s) of {report.rows_read} ({detail})",
            path=source,
        )
    assert frame is not None
    ordered = ["time", "lat", "lon", "east_m", "north_m", *NAV_COLUMNS[3:]]
    if "stability_class" in table:
        ordered.append("stability_class")
    ordered += list(channels)
    ordered += [c for c in table.columns if c not in ordered]
    every = n_keep == len(table)
    samples = table[ordered] if every else table.loc[keep, ordered].reset_index(drop=True)
    report.rows_kept = n_keep
    _report_gaps_and_nans(
        samples["time"].to_numpy(),
        samples,
        [c for c in channels if c not in finite],  # NaN can only be where it was read
        flags.lines if every else flags.lines[keep],
        report,
    )
    if not wind and NO_WIND_WARNING not in report.warnings:
        report.warnings.append(NO_WIND_WARNING)
    return Survey(
        samples=samples,
        frame=frame,
        channels=dict(channels),
        source=source,
        format=format,
        report=report,
    )
