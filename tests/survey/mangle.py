"""Mangled survey inputs, one generator for the property tests and benchmarks/fuzz.py.

For each reader (Survey CSV v1, vendor CSV + mapping + wind log, PX4 ULog, MAVLink
.tlog, DataFlash .bin, olfato Parquet) a good input is built once (:func:`seeds`);
:func:`mutate` mangles a copy the way files get mangled (cut short, bytes flipped,
lines swapped or doubled, fields replaced by junk, odd line endings, values made NaN,
inf or absurd, metadata broken), and :func:`outcome` reads it and sorts the result:

- ``error``: a clean :class:`~olfato.errors.OlfatoError` that names the file;
- ``accepted``: a survey in which every kept sample is valid;
- ``crash``: any other exception, or an error that does not name the file;
- ``bad-data``: a survey that kept something it should have dropped.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from olfato.errors import OlfatoError

READERS = ("csv-v1", "vendor", "ulog", "tlog", "dataflash", "parquet")
OUTCOMES = ("error", "accepted", "crash", "bad-data")

#: junk put into text files
JUNK = (
    "",
    ",",
    ",,",
    ";",
    "\n",
    "\r",
    "\r\n",
    '"',
    '""',
    "'",
    " ",
    "\t",
    "\x00",
    "\ufeff",
    "\xa0",
    "ñ",
    "°",
    "abc",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1e300",
    "-1e300",
    "1e400",
    "0",
    "-0",
    "-1",
    "999",
    "9999-12-31T00:00:00Z",
    "2300-01-01T00:00:00+00:00",
    "1970-01-01T00:00:00Z",
    "2026-03-01 16:00:00",
    "12 km/h",
    "6.6 m",
    "3 furlongs",
    "[",
    "{",
    ": ",
    "- ",
    "&a ",
    "*a",
    "!!python/object:os.system",
    "%",
)


@dataclass
class Case:
    """One input: files by name, which one is the survey, and its mapping / wind log."""

    files: dict[str, bytes]
    main: str
    mapping: str | None = None
    wind: str | None = None
    text: tuple[str, ...] = ()
    """files that are text (mangled line- and field-wise as well as byte-wise)"""
    frame: object | None = field(default=None, repr=False)
    """Parquet: (samples DataFrame, metadata dict) the file was written from"""


def _csv_v1() -> Case:
    from tests.survey.conftest import HEADER, rows

    text = "\n".join([HEADER, *rows(40)]) + "\n"
    return Case({"survey.csv": text.encode()}, "survey.csv", text=("survey.csv",))


def _vendor() -> Case:
    from tests.survey.test_vendor import MAPPING, vendor_csv, wind_log

    with tempfile.TemporaryDirectory() as d:
        csv = vendor_csv(Path(d) / "v.csv", n=30).read_bytes()
        wind = wind_log(Path(d) / "w.csv").read_text(encoding="utf-8")
    # a wind log long enough for 30 samples
    lines = wind.strip().split("\n")
    lines += [f"{t},36,10" for t in range(16, 40, 4)]
    files = {
        "vuelo.csv": csv,
        "gasdrone.yaml": MAPPING.encode(),
        "viento.csv": ("\n".join(lines) + "\n").encode(),
    }
    return Case(
        files,
        "vuelo.csv",
        mapping="gasdrone.yaml",
        wind="viento.csv",
        text=("vuelo.csv", "gasdrone.yaml", "viento.csv"),
    )


def _binary(writer: Callable[[Path], object], name: str) -> Case:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        writer(p)
        return Case({name: p.read_bytes()}, name)


def _parquet() -> Case:
    from olfato.survey.io import read_survey
    from tests.survey.conftest import HEADER, rows

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.csv"
        p.write_text("\n".join([HEADER, *rows(40)]) + "\n", encoding="utf-8")
        s = read_survey(p)
        samples = s.samples.copy()
        meta = s.metadata()
    return Case(
        {"survey.parquet": _write_parquet(samples, meta)}, "survey.parquet", frame=(samples, meta)
    )


def _write_parquet(samples: object, meta: object) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(samples, preserve_index=False)  # type: ignore[arg-type]
    raw = meta if isinstance(meta, bytes) else json.dumps(meta).encode()
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata({b"olfato": raw}), buf)
    return buf.getvalue()


def seeds() -> dict[str, Case]:
    """A good input per reader."""
    from tests.survey.logwriters import write_dataflash, write_tlog, write_ulog

    return {
        "csv-v1": _csv_v1(),
        "vendor": _vendor(),
        "ulog": _binary(write_ulog, "flight.ulg"),
        "tlog": _binary(write_tlog, "flight.tlog"),
        "dataflash": _binary(write_dataflash, "flight.bin"),
        "parquet": _parquet(),
    }


# -- mutations --------------------------------------------------------------------------


def _mutate_bytes(data: bytes, rng: np.random.Generator) -> bytes:
    b = bytearray(data)
    op = rng.integers(7)
    n = len(b)
    i = int(rng.integers(0, n + 1))
    if op == 0 and n:  # flip bits of a few bytes
        for j in rng.integers(0, n, size=int(rng.integers(1, 9))):
            b[j] ^= 1 << int(rng.integers(8))
    elif op == 1:  # insert random bytes
        b[i:i] = rng.integers(0, 256, size=int(rng.integers(1, 17)), dtype=np.uint8).tobytes()
    elif op == 2:  # delete a span
        del b[i : i + int(rng.integers(1, 65))]
    elif op == 3:  # cut short
        del b[i:]
    elif op == 4 and n:  # a chunk twice
        j = int(rng.integers(0, n))
        b[i:i] = b[j : j + int(rng.integers(1, 129))]
    elif op == 5:  # zeros or 0xFF over a chunk
        k = int(rng.integers(1, 33))
        b[i : i + k] = bytes([0 if rng.random() < 0.5 else 255]) * k
    else:  # a float32/64 NaN, inf or huge value over 4 or 8 bytes
        pattern = [
            b"\x00\x00\xc0\x7f",
            b"\x00\x00\x80\x7f",
            b"\xff\xff\x7f\x7f",
            b"\x00\x00\x00\x00\x00\x00\xf8\x7f",
            b"\x00\x00\x00\x00\x00\x00\xf0\xff",
        ][int(rng.integers(5))]
        b[i : i + len(pattern)] = pattern
    return bytes(b)


def _mutate_text(data: bytes, rng: np.random.Generator, delimiter: str = ",") -> bytes:
    if rng.random() < 0.2:
        return _mutate_bytes(data, rng)
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    op = rng.integers(8)
    junk = JUNK[int(rng.integers(len(JUNK)))]
    if op == 0:  # insert junk anywhere
        i = int(rng.integers(0, len(text) + 1))
        text = text[:i] + junk + text[i:]
    elif op == 1:  # replace one field of one line
        li = int(rng.integers(len(lines)))
        fields = lines[li].split(delimiter)
        fields[int(rng.integers(len(fields)))] = junk
        lines[li] = delimiter.join(fields)
        text = "\n".join(lines)
    elif op == 2 and len(lines) > 2:  # swap two lines
        a, b = rng.integers(0, len(lines), size=2)
        lines[a], lines[b] = lines[b], lines[a]
        text = "\n".join(lines)
    elif op == 3:  # a line twice, or a blank line
        li = int(rng.integers(len(lines)))
        lines.insert(li, lines[li] if rng.random() < 0.5 else "")
        text = "\n".join(lines)
    elif op == 4:  # line endings: CR only, CRLF, none at the end
        text = [text.replace("\n", "\r"), text.replace("\n", "\r\n"), text.rstrip("\n")][
            int(rng.integers(3))
        ]
    elif op == 5:  # cut short
        text = text[: int(rng.integers(0, len(text) + 1))]
    elif op == 6:  # delete a span
        i = int(rng.integers(0, len(text) + 1))
        text = text[:i] + text[i + int(rng.integers(1, 12)) :]
    else:  # one field of one line made extreme: a future or ancient time, a huge value
        li = int(rng.integers(1, max(len(lines), 2)))
        if li < len(lines):
            fields = lines[li].split(delimiter)
            fields[int(rng.integers(len(fields)))] = ["1e300", "inf", "-1e300", "4e9", "0"][
                int(rng.integers(5))
            ]
            lines[li] = delimiter.join(fields)
        text = "\n".join(lines)
    encoding = "utf-8" if rng.random() < 0.8 else "latin-1"
    return text.encode(encoding, errors="replace")


def _mutate_parquet(case: Case, rng: np.random.Generator) -> bytes:
    assert case.frame is not None
    samples, meta = case.frame  # type: ignore[misc]
    df = samples.copy()
    meta = json.loads(json.dumps(meta))
    for _ in range(int(rng.integers(1, 4))):
        op = rng.integers(6)
        col = df.columns[int(rng.integers(len(df.columns)))]
        row = int(rng.integers(len(df)))
        if op == 0:  # an absurd value
            value = [np.nan, np.inf, -np.inf, 1e300, -1e300, 0.0, 4e9][int(rng.integers(7))]
            if df[col].dtype.kind == "f":
                df.loc[row, col] = value
        elif op == 1 and "time" in df:  # times out of order
            other = int(rng.integers(len(df)))
            t = df["time"].to_numpy().copy()
            t[row], t[other] = t[other], t[row]
            df["time"] = t
        elif op == 2:  # a column dropped or renamed
            df = (
                df.drop(columns=[col])
                if rng.random() < 0.5
                else df.rename(columns={col: f"{col}_x"})
            )
        elif op == 3:  # a column turned to text
            df[col] = df[col].astype(str)
        elif op == 4:  # metadata key gone or wrong
            key = ["frame", "channels", "source", "format", "report"][int(rng.integers(5))]
            if rng.random() < 0.5:
                meta.pop(key, None)
            else:
                meta[key] = [None, "x", 1e300, {}, [], {"lat0": "x"}][int(rng.integers(6))]
        else:  # frame off the map, or channels made up
            meta["frame"] = {"lat0": float(rng.normal(0, 200)), "lon0": float(np.nan)}
    raw: object = meta
    if rng.random() < 0.1:
        raw = [b"{}", b"[]", b"not json", b'{"frame": {"lat0": 1e999}}', b"null"][
            int(rng.integers(5))
        ]
    return _write_parquet(df, raw)


def mutate(case: Case, rng: np.random.Generator) -> Case:
    """A copy of ``case`` with one to four manglings of one of its files."""
    files = dict(case.files)
    if case.frame is not None and rng.random() < 0.7:
        files[case.main] = _mutate_parquet(case, rng)
        return replace(case, files=files)
    name = list(files)[int(rng.integers(len(files)))]
    for _ in range(int(rng.integers(1, 5))):
        if name in case.text:
            delimiter = ";" if name == "vuelo.csv" else ","
            files[name] = _mutate_text(files[name], rng, delimiter)
        else:
            files[name] = _mutate_bytes(files[name], rng)
    return replace(case, files=files)


# -- judging the result ------------------------------------------------------------------


def bad_data(survey: object, strict: bool) -> str | None:
    """What a read survey kept that it should not have; None when it is clean."""
    from olfato.survey.validate import NO_WIND_WARNING, TIME_RANGE_S

    s = survey.samples  # type: ignore[attr-defined]
    t = s["time"].to_numpy(dtype=float)
    if len(t) < 2:
        return "fewer than two samples"
    if not np.all(np.diff(t) > 0):
        return "times not increasing"
    if not (np.isfinite(t).all() and t.min() >= TIME_RANGE_S[0] and t.max() <= TIME_RANGE_S[1]):
        return "time outside 1990..2100"
    for col in ("lat", "lon", "east_m", "north_m", "alt_agl_m"):
        if not np.isfinite(s[col].to_numpy(dtype=float)).all():
            return f"{col} not finite"
    if s["lat"].abs().max() > 90 or s["lon"].abs().max() > 180:
        return "position out of range"
    if not s["alt_agl_m"].between(-50, 3000).all():
        return "height out of range"
    ws, wd = s["wind_speed_ms"].to_numpy(dtype=float), s["wind_dir_deg"].to_numpy(dtype=float)
    no_wind = np.isnan(ws).all() and np.isnan(wd).all()
    if no_wind:
        if NO_WIND_WARNING not in survey.report.warnings:  # type: ignore[attr-defined]
            return "no wind, not said"
    elif not (
        np.isfinite(ws).all()
        and np.isfinite(wd).all()
        and ((ws >= 0) & (ws <= 60)).all()
        and ((wd >= 0) & (wd <= 360)).all()
    ):
        return "wind missing or out of range"
    for a in survey.channels:  # type: ignore[attr-defined]
        if np.isinf(s[a].to_numpy(dtype=float)).any():
            return f"gas {a} infinite"
    report = survey.report  # type: ignore[attr-defined]
    if report.rows_kept != len(t):
        return "report does not count the kept rows"
    if strict and report.dropped:
        return "strict kept a file with bad rows"
    return None


def outcome(case: Case, directory: Path, strict: bool) -> tuple[str, str]:
    """Write ``case`` under ``directory``, read it, and say how it went (and why)."""
    from olfato.survey.io import read_survey

    for name, data in case.files.items():
        (directory / name).write_bytes(data)
    main = directory / case.main
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # pymavlink prints "bad header"
            survey = read_survey(
                main,
                mapping=directory / case.mapping if case.mapping else None,
                wind=directory / case.wind if case.wind else None,
                strict=strict,
                quiet=True,
            )
    except OlfatoError as exc:
        msg = str(exc)
        if not any(str(directory / n) in msg for n in case.files):
            return "crash", f"error without the file's name: {msg[:200]}"
        return "error", msg.splitlines()[0][:200]
    except Exception as exc:
        return "crash", f"{type(exc).__name__}: {str(exc)[:200]}"
    why = bad_data(survey, strict)
    return ("bad-data", why) if why else ("accepted", "")
