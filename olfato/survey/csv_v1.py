"""Survey CSV, version 1 (the contract in DESIGN.md), and the CSV plumbing vendors share.

One row per sample, a header, UTF-8, comma-separated. Columns: ``time`` (ISO 8601
with an offset, or seconds since the Unix epoch), ``lat``, ``lon``, ``alt_agl_m``,
``wind_speed_ms``, ``wind_dir_deg``, optional ``stability_class``, and one
``<analyte>_<unit>`` column per gas channel with unit ``ppm`` or ``ppb``. Unknown
extra columns are kept and ignored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from olfato.errors import SurveyError
from olfato.physics.analytes import KNOWN_ANALYTES, UNIT_TO_PPB, unknown_gas_warning
from olfato.progress import ProgressCallback, progress_bar
from olfato.survey.model import NAV_COLUMNS, Problem, Survey
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import (
    TIME_RANGE_REASON,
    TIME_RANGE_S,
    RowFlags,
    as_column,
    build_survey,
    check_numeric,
)

#: files larger than this (several seconds' read) show a progress bar [bytes]; the
#: byte-counting reader that drives it halves the parser's speed, so small files skip it
PROGRESS_BYTES = 256 * 1024 * 1024
#: plausible epoch seconds: 1990-01-01 .. 2100-01-01 [s] (the one definition is in validate)
EPOCH_RANGE_S = TIME_RANGE_S
#: longest header line read [characters]; CSV fields stop at 128 KiB
MAX_HEADER_CHARS = 64 * 1024

_HAS_OFFSET = r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)\s*$"


def read_header(path: Path, *, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[str]:
    """The header row of a CSV file, with clear errors for empty or undecodable files.

    Parameters
    ----------
    path : Path
        The CSV file.
    encoding : str, default "utf-8-sig"
        Text encoding (the default drops a byte-order mark).
    delimiter : str, default ","
        Field separator.

    Returns
    -------
    list of str
        The column names, stripped.

    Raises
    ------
    SurveyError
        When the file cannot be opened or decoded, or is empty.
    """
    try:
        with path.open("r", encoding=encoding, newline="") as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise SurveyError(
            f"line 1 is not valid {encoding} text ({exc.reason} at byte {exc.start})",
            path=str(path),
            hint="Survey CSV v1 is UTF-8; for other encodings give a vendor mapping "
            "with 'encoding:'.",
        ) from exc
    except OSError as exc:
        raise SurveyError(f"cannot open file: {exc.strerror}", path=str(path)) from exc
    if not first.strip():
        raise SurveyError("the file is empty (no header line)", path=str(path))
    if len(first) > MAX_HEADER_CHARS:
        raise SurveyError(
            f"the header line is {len(first):,} characters long (at most "
            f"{MAX_HEADER_CHARS:,}): not a survey header",
            path=str(path),
            line=1,
        )
    try:
        fields = next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error as exc:
        raise SurveyError(f"cannot parse the header: {exc}", path=str(path), line=1) from exc
    return [h.strip() for h in fields]


def classify_columns(
    header: list[str], path: Path, warnings: list[str] | None = None
) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Split a v1 header into gas channels ``{column: (analyte, unit)}`` and extras.

    Errors name the column: a known gas without a unit, or with a unit that is not
    ppm/ppb, and duplicate columns. A ``<name>_ppm``/``<name>_ppb`` column whose name
    is not a known analyte is kept as an extra column, with a warning in ``warnings``.

    Parameters
    ----------
    header : list of str
        The column names.
    path : Path
        The file, named in errors.
    warnings : list of str, optional
        Collects a warning for each ``<name>_ppm``/``<name>_ppb`` column whose analyte
        is unknown (appended in place); None drops those warnings.

    Returns
    -------
    tuple of (dict[str, tuple[str, str]], list of str)
        Gas column -> (analyte, unit: ``"ppm"`` or ``"ppb"``), and the extra columns.

    Raises
    ------
    SurveyError
        When a navigation column is missing, a column is duplicated, a gas has no unit
        or an unknown one, there is no gas channel, or a gas appears twice.
    """
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise SurveyError("duplicate column", path=str(path), line=1, column=name)
        seen.add(name)
    missing = [c for c in NAV_COLUMNS if c not in seen]
    if missing:
        hint = None
        if len(header) == 1 and ";" in header[0]:
            hint = "The header looks semicolon-separated: give a vendor mapping."
        raise SurveyError(
            f"missing required column(s) {', '.join(missing)}; the header has {', '.join(header)}",
            path=str(path),
            line=1,
            column=missing[0],
            hint=hint
            or "Survey CSV v1 needs time, lat, lon, alt_agl_m, wind_speed_ms, "
            "wind_dir_deg; for another layout give a vendor mapping.",
        )
    gas: dict[str, tuple[str, str]] = {}
    extra: list[str] = []
    unknown: list[str] = []
    for name in header:
        if name in NAV_COLUMNS or name == "stability_class":
            continue
        analyte, _, unit = name.rpartition("_")
        if analyte and unit.lower() in UNIT_TO_PPB and analyte.lower() not in KNOWN_ANALYTES:
            extra.append(name)
            unknown.append(name)
            if warnings is not None:
                warnings.append(unknown_gas_warning(name, analyte.lower()))
        elif analyte and unit.lower() in UNIT_TO_PPB:
            gas[name] = (analyte.lower(), unit.lower())
        elif analyte and analyte.lower() in KNOWN_ANALYTES:
            raise SurveyError(
                f"unknown unit '{unit}' for gas '{analyte}'; gas channels are "
                f"<analyte>_ppm or <analyte>_ppb",
                path=str(path),
                line=1,
                column=name,
            )
        elif name.lower() in KNOWN_ANALYTES:
            raise SurveyError(
                f"gas column '{name}' has no unit; name it {name}_ppm or {name}_ppb",
                path=str(path),
                line=1,
                column=name,
            )
        else:
            extra.append(name)
    if not gas:
        raise SurveyError(
            "no gas channels: a survey needs at least one <analyte>_ppm or <analyte>_ppb column"
            + (
                f" of a known analyte ({', '.join(unknown)}: not analytes olfato knows)"
                if unknown
                else ""
            ),
            path=str(path),
            line=1,
            hint="Known analytes: " + ", ".join(sorted(KNOWN_ANALYTES)) if unknown else None,
        )
    analytes = [a for a, _ in gas.values()]
    for name in header:
        if name in analytes:
            col = next(c for c, (a, _) in gas.items() if a == name)
            raise SurveyError(
                f"column '{name}' has the name gas channel '{col}' takes without its "
                "unit; rename one of them",
                path=str(path),
                line=1,
                column=name,
            )
    for a in analytes:
        if analytes.count(a) > 1:
            cols = [c for c, (b, _) in gas.items() if b == a]
            raise SurveyError(
                f"gas '{a}' appears in more than one column ({', '.join(cols)})",
                path=str(path),
                line=1,
                column=cols[1],
            )
    return gas, extra


class _CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes the CSV parser has taken (progress)."""

    def __init__(self, fh: io.BufferedReader, advance: ProgressCallback) -> None:
        self._fh = fh
        self._advance = advance

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._fh.readinto(buffer)
        self._advance(n)
        return n


def overlong_records(path: Path, delimiter: str, encoding: str) -> list[Problem]:
    """The records with more fields than the header, by file line, read with :mod:`csv`.

    Pandas leaves such lines out (``on_bad_lines="skip"``); this says which they were,
    with the same quoting rules, so the report names each line. Only a file that has
    such lines pays for this pass.

    Parameters
    ----------
    path : Path
        The CSV file.
    delimiter : str
        Field separator.
    encoding : str
        Text encoding.

    Returns
    -------
    list of Problem
        One per overlong record: its line (1-based, the record's last line) and how
        many fields it has.
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 30)  # a header field may be huge; pandas has no such limit
    found: list[Problem] = []
    try:
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            n = len(next(reader, []))
            for record in reader:
                if len(record) > n:
                    found.append(
                        Problem(
                            reason="more fields than the header",
                            line=reader.line_num,
                            value=f"expected {n} fields, saw {len(record)}",
                        )
                    )
    finally:
        csv.field_size_limit(limit)
    return found


def _parse(path: Path, kwargs: dict[str, object], quiet: bool) -> pd.DataFrame:
    size = path.stat().st_size
    if quiet or size < PROGRESS_BYTES:
        # pandas parses a path about twice as fast as a Python file object
        return pd.read_csv(path, **kwargs)  # type: ignore[call-overload]
    with (
        progress_bar(f"reading {path.name}", size) as advance,
        path.open("rb") as fh,
    ):
        stream = io.BufferedReader(_CountingReader(fh, advance), buffer_size=1 << 20)
        return pd.read_csv(stream, **kwargs)  # type: ignore[call-overload]


def read_table(
    path: Path,
    *,
    delimiter: str = ",",
    decimal: str = ".",
    encoding: str = "utf-8-sig",
    quiet: bool = False,
) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """Read a CSV into strings/numbers, keeping each row's line number.

    Returns the table (all-empty lines removed), the file line of each row, and the
    lines that had more fields than the header (which are left out of the table).

    Parameters
    ----------
    path : Path
        The CSV file.
    delimiter : str, default ","
        Field separator.
    decimal : str, default "."
        Decimal mark.
    encoding : str, default "utf-8-sig"
        Text encoding.
    quiet : bool, default False
        No progress bar.

    Returns
    -------
    tuple of (DataFrame, ndarray of int, list of Problem)
        The table, the file line of each row, and the lines left out.

    Raises
    ------
    SurveyError
        When the file cannot be decoded or parsed as CSV.
    """
    kwargs: dict[str, object] = dict(
        sep=delimiter, decimal=decimal, encoding=encoding, skip_blank_lines=False
    )
    skipped: list[Problem] = []
    try:
        try:
            table = _parse(path, kwargs, quiet)
        except pd.errors.ParserError as exc:
            if "Expected" not in str(exc):
                raise
            # lines with too many fields: parse again skipping them, and find which
            # they were with the csv module (only bad files pay for this)
            table = _parse(path, {**kwargs, "on_bad_lines": "skip"}, quiet)
            skipped = overlong_records(path, delimiter, encoding)
    except UnicodeDecodeError as exc:
        raise SurveyError(
            f"not valid {encoding} text ({exc.reason} at byte {exc.start})",
            path=str(path),
            hint="Convert the file to UTF-8, or give a vendor mapping with 'encoding:'.",
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise SurveyError(f"cannot parse as CSV: {exc}", path=str(path)) from exc
    table.columns = [str(c).strip() for c in table.columns]  # as read_header does
    lines = np.arange(2, len(table) + 2, dtype=np.int64)
    for p in sorted(skipped, key=lambda p: p.line or 0):
        lines[lines >= (p.line or 0)] += 1
    # a blank line is a row of NaN, so a first column without NaN rules them out cheaply
    empty = np.zeros(len(table), dtype=bool)
    if len(table.columns) and table.iloc[:, 0].isna().any():
        empty = table.isna().all(axis=1).to_numpy()
    if empty.any():
        table = table.loc[~empty].reset_index(drop=True)
        lines = lines[~empty]
    return table, lines, skipped


def truncated_last_line(path: Path, n_fields: int, delimiter: str = ",") -> int | None:
    """The number of fields on the last line when the file ends mid-row, else None.

    Mid-row means no final newline and fewer fields than the header.

    Parameters
    ----------
    path : Path
        The CSV file.
    n_fields : int
        Number of fields in the header.
    delimiter : str, default ","
        Field separator.

    Returns
    -------
    int or None
        Fields on the truncated last line, or None when the file ends cleanly.
    """
    with path.open("rb") as fh:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = fh.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return None
    last = tail.replace(b"\r", b"\n").rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    try:
        fields = next(csv.reader([last], delimiter=delimiter), [])
    except csv.Error:  # e.g. a quote left open: the line is cut short
        return 0
    return len(fields) if len(fields) < n_fields else None


def parse_epoch_or_iso(raw: pd.Series, column: str, flags: RowFlags, path: Path) -> np.ndarray:
    """``time`` as seconds since the Unix epoch [s], UTC; NaN where it is unusable.

    Accepts epoch seconds or ISO 8601 strings with an offset. Text that is not a time,
    and ISO times without an offset (ambiguous: whose clock?), are flagged.

    Parameters
    ----------
    raw : Series
        The time column as read.
    column : str
        Its name, used in flags.
    flags : RowFlags
        Collects the rows with an unusable time.
    path : Path
        The file, named in errors.

    Returns
    -------
    ndarray of float
        Time [s since the Unix epoch, UTC], NaN where unusable.

    Raises
    ------
    SurveyError
        When the epoch numbers are in an implausible unit (e.g. milliseconds).
    """
    if pd.api.types.is_numeric_dtype(raw.dtype):
        t = raw.to_numpy(dtype=float)
        _check_epoch_units(t, column, path)
        return t
    t_iso = _iso_with_offset_to_epoch(raw)
    return t_iso if t_iso is not None else _parse_mixed_times(raw, column, flags, path)


def _iso_with_offset_to_epoch(raw: pd.Series) -> np.ndarray | None:
    """Seconds since the Unix epoch [s] when every value is ISO 8601 with an offset.

    Arrow's parser (which insists on the offset, and releases the GIL); empty values
    are NaN. None when any value is not a time or has no offset: the caller then takes
    the slow path that names them.
    """
    if not isinstance(raw.array, pd.arrays.ArrowStringArray):
        return None
    try:
        stamp = pa.array(raw.array).cast(pa.timestamp("us", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    # chunk by chunk into one array: the chunks' microseconds are read in place
    us = stamp.cast(pa.int64())
    seconds = np.empty(len(us))
    start = 0
    for chunk in us.chunks if isinstance(us, pa.ChunkedArray) else [us]:
        end = start + len(chunk)
        np.multiply(chunk.to_numpy(zero_copy_only=False), 1e-6, out=seconds[start:end])
        start = end
    return seconds


def _parse_mixed_times(raw: pd.Series, column: str, flags: RowFlags, path: Path) -> np.ndarray:
    text = raw.astype("string").str.strip()
    # years pandas cannot hold (before 1678, after 2261) would raise: flag them first
    year = pd.to_numeric(text.str.extract(r"^([+-]?\d{4,})-", expand=False), errors="coerce")
    far = ((year < 1678) | (year > 2261)).fillna(False).to_numpy(dtype=bool)
    if far.any():
        flags.flag(TIME_RANGE_REASON, far, column, text)
        text = text.where(~far)
    number = pd.to_numeric(text, errors="coerce")
    has_offset = text.str.contains(_HAS_OFFSET, regex=True).fillna(False).astype(bool)
    iso = pd.to_datetime(text.where(has_offset), format="ISO8601", utc=True, errors="coerce")
    t = (iso - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float)
    t = np.where(number.notna().to_numpy(), number.to_numpy(dtype=float, na_value=np.nan), t)
    # utc=True: a malformed offset the pattern misses ("+1", "-0") parses as aware, and
    # aware and naive values together would raise; such a row is not a time either way
    naive = pd.to_datetime(
        text.where(~has_offset & number.isna()), format="ISO8601", utc=True, errors="coerce"
    ).notna()
    flags.flag("time without UTC offset (ambiguous)", naive.to_numpy(), column, raw)
    unparsed = np.isnan(t) & text.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    flags.flag("not a time", unparsed, column, raw)
    # a column of numbers must be epoch seconds; a few numbers among ISO times are
    # bad rows (flagged by the time range check), not a reason to refuse the file
    if number.notna().sum() > 0.5 * text.notna().sum():
        _check_epoch_units(number.to_numpy(dtype=float, na_value=np.nan), column, path)
    return t


def _check_epoch_units(t: np.ndarray, column: str, path: Path) -> None:
    finite = t[np.isfinite(t)]
    if finite.size == 0:
        return
    med = float(np.median(finite))
    if med > EPOCH_RANGE_S[1] * 100:
        raise SurveyError(
            f"time looks like milliseconds or microseconds since the epoch (median {med:.6g});"
            " Survey CSV v1 wants seconds",
            path=str(path),
            column=column,
        )
    if med < EPOCH_RANGE_S[0]:
        raise SurveyError(
            f"time is not seconds since the Unix epoch (median {med:.6g} is before 1990); "
            "flight time since take-off needs a vendor mapping with the take-off clock time",
            path=str(path),
            column=column,
        )


def gas_to_ppb(
    table: pd.DataFrame, gas: dict[str, tuple[str, str]], flags: RowFlags
) -> dict[str, str]:
    """Rename gas columns to their analyte and convert them to ppb in place.

    Parameters
    ----------
    table : DataFrame
        The survey table, changed in place.
    gas : dict[str, tuple[str, str]]
        Gas column -> (analyte, unit), from :func:`classify_columns`.
    flags : RowFlags
        Collects rows with a non-numeric or empty gas value.

    Returns
    -------
    dict[str, str]
        Analyte -> the unit it was recorded in (``ppm`` or ``ppb``).
    """
    check_numeric(table, list(gas), flags)
    for col, (_, unit) in gas.items():
        if unit != "ppb":
            table[col] = as_column(table, table[col].to_numpy() * UNIT_TO_PPB[unit])
    table.columns = [gas[c][0] if c in gas else c for c in table.columns]
    return {analyte: unit for analyte, unit in gas.values()}


def drop_lines(problems: Iterable[Problem], flags: RowFlags) -> None:
    """Count lines dropped before the table was built (e.g. too many fields).

    Parameters
    ----------
    problems : Iterable[Problem]
        The lines left out, from :func:`read_table`.
    flags : RowFlags
        The validation flags whose report counts them.
    """
    by_reason: dict[str, list[Problem]] = {}
    for p in problems:
        by_reason.setdefault(p.reason, []).append(p)
    for reason, ps in by_reason.items():
        flags.add_outside(reason, ps)


def read_csv_v1(
    path: str | Path,
    *,
    strict: bool = False,
    quiet: bool = False,
    frame: LocalFrame | None = None,
) -> Survey:
    """Read a Survey CSV v1 file; see the module docstring and DESIGN.md.

    Parameters
    ----------
    path : str or Path
        The Survey CSV v1 file.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    quiet : bool, default False
        No progress bars.
    frame : LocalFrame or None, default None
        The local projection; None centres one on the survey.

    Returns
    -------
    Survey
        The validated, projected survey (gas channels [ppb]).

    Raises
    ------
    SurveyError
        When the file cannot be read or is not a usable survey (the message names the
        file and, where known, the line and field).
    """
    path = Path(path)
    header = read_header(path)
    notes: list[str] = []
    gas, _extra = classify_columns(header, path, notes)
    table, lines, skipped = read_table(path, quiet=quiet)
    flags = RowFlags(lines)
    drop_lines(skipped, flags)
    n_last = truncated_last_line(path, len(header)) if len(table) else None
    if n_last is not None:
        last = np.zeros(len(table), dtype=bool)
        last[-1] = True
        flags.flag(
            f"truncated line: {n_last} of {len(header)} fields, the file ends mid-row",
            last,
            header[max(n_last - 1, 0)],
        )
    # PROJ, Arrow's ISO 8601 parser and NumPy release the GIL: the positions are
    # projected on other threads while the times are parsed and the columns checked
    with ThreadPoolExecutor(max_workers=1) as pool:
        frame, projected = _start_projection(table, frame, pool)
        table["time"] = as_column(table, parse_epoch_or_iso(table["time"], "time", flags, path))
        channels = gas_to_ppb(table, gas, flags)
        survey = build_survey(
            table,
            channels=channels,
            flags=flags,
            source=str(path),
            format="csv-v1",
            strict=strict,
            frame=frame,
            projected=projected,
        )
    survey.report.warnings.extend(notes)
    return survey


def _start_projection(
    table: pd.DataFrame, frame: LocalFrame | None, pool: ThreadPoolExecutor
) -> tuple[LocalFrame | None, Future[tuple[np.ndarray, np.ndarray]] | None]:
    """Start projecting every row when all positions are numbers (the usual file).

    Returns the frame and the projection under way; or the frame given and None when
    a position is text or none is usable (build_survey projects after flagging them).
    """
    lat, lon = table["lat"], table["lon"]
    if lat.dtype != np.float64 or lon.dtype != np.float64:
        return frame, None
    try:
        frame = frame or LocalFrame.centred_on(lat.to_numpy(), lon.to_numpy())
    except ValueError:  # not one usable position: build_survey says so
        return None, None
    return frame, pool.submit(frame.to_local, lat.to_numpy(), lon.to_numpy())
