"""PX4 ULog flight logs (pyulog).

Position from ``vehicle_global_position`` (or ``vehicle_gps_position`` when the log
has no estimator output), height above ground from ``vehicle_local_position``
(``dist_bottom`` when valid, else height above the home point, -z), wind from
``wind`` or ``wind_estimate``, and gas channels from the mapping: by default the
``debug_key_value`` topic (PX4's twin of MAVLink NAMED_VALUE_FLOAT) with keys like
``ch4_ppm``; or any topic/field the mapping names. Log time (microseconds since
boot) is put on UTC through the GPS receiver's ``time_utc_usec``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from olfato.errors import SurveyError
from olfato.physics.analytes import UNIT_TO_PPB
from olfato.survey.flightlog import Streams, assemble, key_value_channels
from olfato.survey.mapping import FlightLogMapping, load_flight_log_mapping
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame


def _topic(ulog: object, name: str, instance: int = 0) -> dict[str, np.ndarray] | None:
    for d in ulog.data_list:  # type: ignore[attr-defined]
        if d.name == name and d.multi_id == instance:
            data: dict[str, np.ndarray] = d.data
            return data
    return None


def _utc_offset_s(ulog: object) -> tuple[float, str | None]:
    """Seconds to add to boot time to get UTC, from the GPS receiver's clock."""
    gps = _topic(ulog, "vehicle_gps_position") or _topic(ulog, "sensor_gps")
    if gps is not None and "time_utc_usec" in gps:
        utc = gps["time_utc_usec"].astype(np.int64)
        ok = utc > 0
        if ok.any():
            off = np.median(utc[ok] - gps["timestamp"].astype(np.int64)[ok]) * 1e-6
            return float(off), None
    return 0.0, "the log has no GPS UTC time: times are seconds since boot, not clock time"


def _position(ulog: object, boot_to_utc: float) -> pd.DataFrame:
    glob = _topic(ulog, "vehicle_global_position")
    if glob is not None:
        t = glob["timestamp"] * 1e-6 + boot_to_utc
        lat, lon = glob["lat"].astype(float), glob["lon"].astype(float)
        alt = glob["alt"].astype(float)
    else:
        gps = _topic(ulog, "vehicle_gps_position") or _topic(ulog, "sensor_gps")
        if gps is None:
            raise ValueError("no vehicle_global_position or vehicle_gps_position topic")
        t = gps["timestamp"] * 1e-6 + boot_to_utc
        lat, lon = gps["lat"] * 1e-7, gps["lon"] * 1e-7
        alt = gps["alt"] * 1e-3 if "alt" in gps else gps["altitude_msl_m"]
    local = _topic(ulog, "vehicle_local_position")
    if local is not None:
        tl = local["timestamp"] * 1e-6 + boot_to_utc
        height = -local["z"].astype(float)
        if "dist_bottom" in local and "dist_bottom_valid" in local:
            valid = local["dist_bottom_valid"].astype(bool)
            height = np.where(valid, local["dist_bottom"], height)
        agl = np.interp(t, tl, height)
    else:
        agl = alt - alt[0]  # height above the take-off point
    return pd.DataFrame({"time": t, "lat": lat, "lon": lon, "alt_agl_m": agl})


def _wind(ulog: object, boot_to_utc: float) -> pd.DataFrame | None:
    w = _topic(ulog, "wind") or _topic(ulog, "wind_estimate")
    if w is None:
        return None
    return pd.DataFrame(
        {
            "time": w["timestamp"] * 1e-6 + boot_to_utc,
            "wind_east_ms": w["windspeed_east"].astype(float),
            "wind_north_ms": w["windspeed_north"].astype(float),
        }
    )


def read_ulog(
    path: str | Path,
    *,
    mapping: str | Path | FlightLogMapping | None = None,
    strict: bool = False,
    frame: LocalFrame | None = None,
) -> Survey:
    """Read a PX4 ULog file into a Survey; see the module docstring.

    Parameters
    ----------
    path : str or Path
        The ``.ulg`` log.
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
        When the file is not a readable ULog, has no position, or a mapped topic or
        field is missing.
    """
    path = Path(path)
    try:
        return _read_ulog(path, mapping=mapping, strict=strict, frame=frame)
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        # a damaged log can define a topic without the fields PX4 gives it
        raise SurveyError(
            f"cannot read the log: a topic lacks a field or holds damaged data ({exc!r})",
            path=str(path),
        ) from exc


def _read_ulog(
    path: Path,
    *,
    mapping: str | Path | FlightLogMapping | None,
    strict: bool,
    frame: LocalFrame | None,
) -> Survey:
    from pyulog import ULog

    path = Path(path)
    fl_map = mapping if isinstance(mapping, FlightLogMapping) else load_flight_log_mapping(mapping)
    try:
        ulog = ULog(str(path))
    except Exception as exc:  # pyulog raises bare Exceptions and struct errors
        raise SurveyError(f"not a readable PX4 ULog file ({exc})", path=str(path)) from exc
    boot_to_utc, warning = _utc_offset_s(ulog)
    try:
        position = _position(ulog, boot_to_utc)
    except (ValueError, KeyError) as exc:
        raise SurveyError(f"cannot read position: {exc}", path=str(path)) from exc
    streams = Streams(position=position, wind=_wind(ulog, boot_to_utc))
    if warning:
        streams.warnings.append(warning)
    wanted: list[str] = []
    if fl_map.channels == "auto" or any(s.key for s in fl_map.channels.values()):
        kv = _topic(ulog, "debug_key_value")
        wanted.append("debug_key_value")
        if kv is not None:
            keys = [bytes(k).split(b"\0")[0].decode("ascii", "replace") for k in _keys(kv)]
            records = pd.DataFrame(
                {"time": kv["timestamp"] * 1e-6 + boot_to_utc, "key": keys, "value": kv["value"]}
            )
            streams.gas, streams.units = key_value_channels(records, fl_map, streams.warnings)
    if isinstance(fl_map.channels, dict):
        for analyte, src in fl_map.channels.items():
            if src.topic is None:
                continue
            wanted.append(f"{src.topic}.{src.field}")
            data = _topic(ulog, src.topic, src.instance)
            if data is None or src.field not in data:
                continue
            streams.gas[analyte] = pd.DataFrame(
                {
                    "time": data["timestamp"] * 1e-6 + boot_to_utc,
                    "value": data[src.field].astype(float) * UNIT_TO_PPB[src.unit],
                }
            )
            streams.units[analyte] = src.unit
    missing = None
    if fl_map.channels == "auto" or fl_map.channels:
        topics = {d.name for d in ulog.data_list}
        missing = (
            f"no gas channel found: the mapping looks for {', '.join(wanted)}, and the log's "
            f"topics are {', '.join(sorted(topics))}"
        )
        if isinstance(fl_map.channels, dict):
            absent = [a for a in fl_map.channels if a not in streams.gas]
            if absent and streams.gas:
                raise SurveyError(
                    f"mapped gas channel(s) {', '.join(absent)} not in the log", path=str(path)
                )
    return assemble(
        streams,
        source=str(path),
        format="px4-ulog",
        strict=strict,
        frame=frame,
        missing_gas=missing,
    )


def _keys(kv: dict[str, np.ndarray]) -> list[np.ndarray]:
    """debug_key_value's char[10] key, which pyulog splits into key[0]..key[9]."""
    cols = sorted((c for c in kv if c.startswith("key[")), key=lambda c: int(c[4:-1]))
    chars = np.stack([kv[c].astype(np.uint8) for c in cols], axis=1)
    return list(chars)
