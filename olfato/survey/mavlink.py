"""MAVLink telemetry logs (.tlog) and ArduPilot DataFlash logs (.bin), via pymavlink.

Telemetry logs: position from ``GLOBAL_POSITION_INT`` (height above home from
``relative_alt``), or ``GPS_RAW_INT`` when absent (height above the first fix); wind
from ``WIND`` (ArduPilot dialect: direction the wind comes FROM, speed); gas channels
from ``NAMED_VALUE_FLOAT`` names, by default any ``<analyte>_<ppm|ppb>`` name (MAVLink
names hold 10 characters: ``acet_ppb`` and ``tolu_ppb`` are accepted for acetone and
toluene), or as the mapping says.

DataFlash logs: position from ``POS`` (``RelHomeAlt``) or ``GPS``; wind from the EKF's
``XKF2``/``NKF2`` ``VWN``/``VWE`` (the air's velocity towards north/east); gas from
``NVF`` name/value messages (what a Lua script logs with ``logger:write``) or any
message type and field the mapping names (``topic``/``field``).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from olfato.errors import SurveyError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.physics.wind import wind_vector
from olfato.survey.flightlog import Streams, assemble, key_value_channels
from olfato.survey.mapping import FlightLogMapping, load_flight_log_mapping
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame
from olfato.survey.validate import TIME_RANGE_S


def _messages(path: Path, types: list[str]) -> dict[str, list[object]]:
    # pymavlink prints a line per bad byte of a damaged log ("bad header 0x..."), from
    # Python and from its compiled DataFlash indexer (straight to file descriptor 1);
    # what olfato says of the log is in its error or the validation report instead
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
        _quiet_fd(1),
        _quiet_fd(2),
    ):
        return _read_messages(path, types)


@contextlib.contextmanager
def _quiet_fd(fd: int) -> Iterator[None]:
    """Send what is written to file descriptor ``fd`` to /dev/null meanwhile."""
    try:
        saved = os.dup(fd)
    except OSError:  # no such descriptor (e.g. a daemon): nothing to quiet
        yield
        return
    try:
        sys.stdout.flush()
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), fd)
        yield
    finally:
        _flush_c_stdio()  # C code buffers its printf: flush it while it goes nowhere
        os.dup2(saved, fd)
        os.close(saved)


def _flush_c_stdio() -> None:
    import ctypes

    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to flush: nothing buffered there
        pass


def _read_messages(path: Path, types: list[str]) -> dict[str, list[object]]:
    from pymavlink import mavutil

    try:
        conn = mavutil.mavlink_connection(str(path), dialect="ardupilotmega", robust_parsing=True)
    except Exception as exc:  # pymavlink raises assorted errors on bad files
        raise SurveyError(f"not a readable MAVLink/DataFlash log ({exc})", path=str(path)) from exc
    out: dict[str, list[object]] = defaultdict(list)
    try:
        while True:
            msg = conn.recv_match(type=types, blocking=False)
            if msg is None:
                break
            if msg.get_type() == "BAD_DATA":
                continue
            out[msg.get_type()].append(msg)
    except Exception as exc:
        raise SurveyError(f"the log is corrupted ({exc})", path=str(path)) from exc
    finally:
        conn.close()
    return out


class MissingField(ValueError):
    """A message type without a field olfato reads (a firmware that renamed it)."""


def _values(msgs: list[object], attr: str) -> list[object]:
    """``attr`` of every message; :class:`MissingField` naming both when it is absent."""
    try:
        return [getattr(m, attr) for m in msgs]
    except (AttributeError, KeyError, IndexError):  # IndexError: a damaged FMT record
        kind = msgs[0].get_type() if msgs else "?"  # type: ignore[attr-defined]
        have = getattr(msgs[0], "_fieldnames", None) if msgs else None
        raise MissingField(
            f"{kind} messages have no field {attr!r}"
            + (f" (they have {', '.join(have)})" if have else "")
        ) from None


def _frame(msgs: list[object], fields: dict[str, str]) -> pd.DataFrame:
    data = {"time": [m._timestamp for m in msgs]}  # type: ignore[attr-defined]
    for col, attr in fields.items():
        data[col] = _values(msgs, attr)
    try:
        return pd.DataFrame(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise MissingField(f"a field of {', '.join(fields.values())} is not a number") from exc


def _tlog_streams(msgs: dict[str, list[object]], mapping: FlightLogMapping) -> Streams:
    if msgs.get("GLOBAL_POSITION_INT"):
        pos = _frame(
            msgs["GLOBAL_POSITION_INT"], {"lat": "lat", "lon": "lon", "alt": "relative_alt"}
        )
        pos["lat"] *= 1e-7
        pos["lon"] *= 1e-7
        pos["alt_agl_m"] = pos.pop("alt") * 1e-3
    elif msgs.get("GPS_RAW_INT"):
        pos = _frame(msgs["GPS_RAW_INT"], {"lat": "lat", "lon": "lon", "alt": "alt"})
        pos["lat"] *= 1e-7
        pos["lon"] *= 1e-7
        alt = pos.pop("alt") * 1e-3
        pos["alt_agl_m"] = alt - alt.iloc[0]
    else:
        raise ValueError("no GLOBAL_POSITION_INT or GPS_RAW_INT messages")
    wind = None
    if msgs.get("WIND"):
        w = _frame(msgs["WIND"], {"speed": "speed", "direction": "direction"})
        ve, vn = wind_vector(w["speed"].to_numpy(), w["direction"].to_numpy())
        wind = pd.DataFrame({"time": w["time"], "wind_east_ms": ve, "wind_north_ms": vn})
    kv = msgs.get("NAMED_VALUE_FLOAT", [])
    records = pd.DataFrame(
        {
            "time": [m._timestamp for m in kv],  # type: ignore[attr-defined]
            "key": [str(v).rstrip("\0") for v in _values(kv, "name")],
            "value": _values(kv, "value"),
        }
    )
    streams = Streams(position=pos, wind=wind)
    streams.gas, streams.units = key_value_channels(records, mapping, streams.warnings)
    return streams


def _dataflash_streams(msgs: dict[str, list[object]], mapping: FlightLogMapping) -> Streams:
    if msgs.get("POS"):
        pos = _frame(msgs["POS"], {"lat": "Lat", "lon": "Lng", "alt_agl_m": "RelHomeAlt"})
    elif msgs.get("GPS"):
        pos = _frame(msgs["GPS"], {"lat": "Lat", "lon": "Lng", "alt": "Alt"})
        alt = pos.pop("alt")
        pos["alt_agl_m"] = alt - alt.iloc[0]
    else:
        raise ValueError("no POS or GPS messages")
    wind = None
    ekf = msgs.get("XKF2") or msgs.get("NKF2")
    if ekf:
        if hasattr(ekf[0], "C"):  # one XKF2 per EKF core: keep the first core
            ekf = [m for m in ekf if getattr(m, "C", 0) == getattr(ekf[0], "C", 0)]
        wind = _frame(ekf, {"wind_north_ms": "VWN", "wind_east_ms": "VWE"})
    kv = msgs.get("NVF", [])
    records = pd.DataFrame(
        {
            "time": [m._timestamp for m in kv],  # type: ignore[attr-defined]
            "key": [str(v) for v in _values(kv, "Name")],
            "value": _values(kv, "Value"),
        }
    )
    streams = Streams(position=pos, wind=wind)
    streams.gas, streams.units = key_value_channels(records, mapping, streams.warnings)
    if isinstance(mapping.channels, dict):
        for analyte, src in mapping.channels.items():
            if src.topic and msgs.get(src.topic):
                g = _frame(msgs[src.topic], {"value": str(src.field)})
                g["value"] *= UNIT_TO_PPB[src.unit]
                streams.gas[analyte] = g
                streams.units[analyte] = src.unit
    return streams


def read_mavlink(
    path: str | Path,
    *,
    mapping: str | Path | FlightLogMapping | None = None,
    strict: bool = False,
    frame: LocalFrame | None = None,
) -> Survey:
    """Read a MAVLink .tlog or an ArduPilot DataFlash .bin into a Survey.

    Parameters
    ----------
    path : str or Path
        The ``.tlog`` or ``.bin`` log.
    mapping : str or Path or FlightLogMapping or None, default None
        Gas-channel mapping (YAML path or loaded); None reads channels automatically.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    frame : LocalFrame or None, default None
        The local projection; None centres one on the survey.

    Returns
    -------
    Survey
        The validated, projected survey.

    Raises
    ------
    SurveyError
        When the log cannot be read, is corrupted, has no position or no usable
        timestamps.
    """
    path = Path(path)
    fl_map = mapping if isinstance(mapping, FlightLogMapping) else load_flight_log_mapping(mapping)
    dataflash = path.suffix.lower() in (".bin", ".log")
    topics = [
        s.topic
        for s in (fl_map.channels.values() if isinstance(fl_map.channels, dict) else [])
        if s.topic
    ]
    if dataflash:
        types = ["POS", "GPS", "XKF2", "NKF2", "NVF", *topics]
        wanted = "NVF name/value messages" + "".join(f", {t}" for t in topics)
    else:
        types = ["GLOBAL_POSITION_INT", "GPS_RAW_INT", "WIND", "NAMED_VALUE_FLOAT"]
        wanted = "NAMED_VALUE_FLOAT messages"
    msgs = _messages(path, types)
    if not any(msgs.values()):
        raise SurveyError(
            "no position, wind or gas messages in the log (empty, or not a MAVLink log)",
            path=str(path),
        )
    try:
        streams = (_dataflash_streams if dataflash else _tlog_streams)(msgs, fl_map)
    except MissingField as exc:
        raise SurveyError(f"cannot read the log: {exc}", path=str(path)) from exc
    except ValueError as exc:
        raise SurveyError(f"cannot read position: {exc}", path=str(path)) from exc
    times = streams.position["time"].to_numpy()
    if len(times) and not math.isfinite(float(np.nanmax(times))):
        raise SurveyError("the log has no usable timestamps", path=str(path))
    if len(times) and float(np.nanmax(times)) < TIME_RANGE_S[0]:
        raise SurveyError(
            "the log has no GPS clock: its times are seconds since boot (latest "
            f"{float(np.nanmax(times)):.0f} s), so the flight cannot be placed in time",
            path=str(path),
            hint="A survey needs UTC times: fly with a GPS fix, or log GPS week/ms.",
        )
    missing = None
    if fl_map.channels == "auto" or fl_map.channels:
        missing = f"no gas channel found: the mapping looks for {wanted}"
    return assemble(
        streams,
        source=str(path),
        format="ardupilot-dataflash" if dataflash else "mavlink-tlog",
        strict=strict,
        frame=frame,
        missing_gas=missing,
    )
