"""Write small MAVLink telemetry and DataFlash logs with pymavlink's own packer.

The tests use these to check the readers on files laid out exactly as a ground
station (tlog: 8-byte big-endian microsecond timestamp + MAVLink 2 packet) and as
ArduPilot (DataFlash: 0xA3 0x95, message id, packed fields, FMT records first) write.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from pymavlink.dialects.v20 import ardupilotmega as mav2

GPS_EPOCH_S = 315964800  # 1980-01-06T00:00:00Z
LEAP_SECONDS = 18


def track(n: int, t0: float = 1_772_380_800.0, rate_hz: float = 2.0):
    """A straight eastward line at 5 m/s, wind 4 m/s from the west (270 deg)."""
    t = t0 + np.arange(n) / rate_hz
    lat = np.full(n, 29.1)
    lon = -110.9 + (5.0 * (t - t0)) / (111_320.0 * np.cos(np.deg2rad(29.1)))
    ch4_ppm = 1.9 + 0.5 * np.exp(-0.5 * ((t - t[n // 2]) / 2.0) ** 2)
    acetone_ppb = 2.0 + 40.0 * np.exp(-0.5 * ((t - t[n // 2]) / 2.0) ** 2)
    return t, lat, lon, ch4_ppm, acetone_ppb


def write_tlog(path: Path, n: int = 40, *, with_gas: bool = True, with_wind: bool = True) -> dict:
    t, lat, lon, ch4, acet = track(n)
    mav = mav2.MAVLink(None, srcSystem=1, srcComponent=1)
    with path.open("wb") as fh:

        def put(msg, ts: float) -> None:
            fh.write(struct.pack(">Q", int(ts * 1e6)) + msg.pack(mav))

        for i in range(n):
            boot_ms = int((t[i] - t[0]) * 1000)
            put(
                mav2.MAVLink_global_position_int_message(
                    boot_ms, int(lat[i] * 1e7), int(lon[i] * 1e7), 250_000, 30_000, 500, 0, 0, 9000
                ),
                t[i],
            )
            if with_wind:
                put(mav2.MAVLink_wind_message(270.0, 4.0, 0.0), t[i] + 0.01)
            if with_gas:
                put(
                    mav2.MAVLink_named_value_float_message(boot_ms, b"ch4_ppm", ch4[i]), t[i] + 0.02
                )
                put(
                    mav2.MAVLink_named_value_float_message(boot_ms, b"acet_ppb", acet[i]),
                    t[i] + 0.02,
                )
    return {"t": t, "lat": lat, "lon": lon, "ch4_ppm": ch4, "acetone_ppb": acet}


def _fmt(type_id: int, name: str, fmt: str, columns: str, length: int) -> bytes:
    return struct.pack(
        "<BBBBB4s16s64s",
        0xA3,
        0x95,
        128,
        type_id,
        length,
        name.encode(),
        fmt.encode(),
        columns.encode(),
    )


_SIZES = {"Q": 8, "I": 4, "H": 2, "B": 1, "L": 4, "f": 4, "i": 4, "Z": 64, "N": 16, "n": 4, "e": 4}
_PACK = {
    "Q": "Q",
    "I": "I",
    "H": "H",
    "B": "B",
    "L": "i",
    "f": "f",
    "i": "i",
    "Z": "64s",
    "N": "16s",
    "n": "4s",
    "e": "i",
}


def write_dataflash(
    path: Path,
    n: int = 40,
    *,
    with_gas: bool = True,
    gps_clock: bool = True,
    nvf_columns: str = "TimeUS,Name,Value",
) -> dict:
    """DataFlash log with FMT, GPS (for the clock), POS, XKF2 (wind) and NVF (gas).

    ``gps_clock=False``: the GPS never has a fix (no week/ms: no UTC clock in the log);
    ``nvf_columns``: the NVF message's column names (a firmware that renamed them).
    """
    t, lat, lon, ch4, acet = track(n)
    types = {
        "GPS": (129, "QBIHBcLLeff", "TimeUS,Status,GMS,GWk,NSats,HDop,Lat,Lng,Alt,Spd,GCrs"),
        "POS": (130, "QLLfff", "TimeUS,Lat,Lng,Alt,RelHomeAlt,RelOriginAlt"),
        "XKF2": (131, "QBff", "TimeUS,C,VWN,VWE"),
        "NVF": (132, "QNf", nvf_columns),
    }
    _SIZES["c"] = 2
    _PACK["c"] = "h"
    out = bytearray(_fmt(128, "FMT", "BBnNZ", "Type,Length,Name,Format,Columns", 89))
    for name, (tid, fmt, cols) in types.items():
        out += _fmt(tid, name, fmt, cols, 3 + sum(_SIZES[c] for c in fmt))

    def rec(name: str, *values) -> bytes:
        tid, fmt, _ = types[name]
        return struct.pack("<BBB" + "".join(_PACK[c] for c in fmt), 0xA3, 0x95, tid, *values)

    boot0 = 10.0  # seconds since boot at the first sample
    for i in range(n):
        us = int((boot0 + t[i] - t[0]) * 1e6)
        gps_s = t[i] - GPS_EPOCH_S + LEAP_SECONDS
        week, ms = int(gps_s // 604800), round((gps_s % 604800) * 1000)
        status = 3
        if not gps_clock:
            week, ms, status = 0, 0, 1
        out += rec(
            "GPS",
            us,
            status,
            ms,
            week,
            12,
            70,
            int(lat[i] * 1e7),
            int(lon[i] * 1e7),
            25000,
            5.0,
            90.0,
        )
        out += rec("POS", us + 1000, int(lat[i] * 1e7), int(lon[i] * 1e7), 250.0, 30.0, 30.0)
        # air moving towards +east at 4 m/s: wind FROM the west (270 deg)
        out += rec("XKF2", us + 2000, 0, 0.0, 4.0)
        if with_gas:
            out += rec("NVF", us + 3000, b"ch4_ppm", ch4[i])
            out += rec("NVF", us + 3000, b"acet_ppb", acet[i])
    path.write_bytes(bytes(out))
    return {"t": t, "lat": lat, "lon": lon, "ch4_ppm": ch4, "acetone_ppb": acet}


#: ULog field types: C type -> struct code
_ULOG_TYPES = {"uint64_t": "Q", "int32_t": "i", "float": "f", "double": "d", "char": "c"}
ULOG_TOPICS = {
    "vehicle_gps_position": "uint64_t timestamp;uint64_t time_utc_usec;int32_t lat;int32_t lon;"
    "int32_t alt;",
    "vehicle_global_position": "uint64_t timestamp;double lat;double lon;float alt;",
    "vehicle_local_position": "uint64_t timestamp;float z;",
    "wind": "uint64_t timestamp;float windspeed_north;float windspeed_east;",
    "debug_key_value": "uint64_t timestamp;char[10] key;float value;",
}


def _ulog_struct(fields: str) -> str:
    out = "<"
    for f in filter(None, fields.split(";")):
        kind, _ = f.split(" ")
        if kind.startswith("char["):
            out += f"{int(kind[5:-1])}s"
        else:
            out += _ULOG_TYPES[kind]
    return out


def write_ulog(path: Path, n: int = 40, *, gps_clock: bool = True) -> dict:
    """A small PX4 ULog (format version 1): GPS clock, global and local position, wind,
    and gas in debug_key_value (ch4_ppm, acet_ppb), as PX4's logger lays them out."""
    t, lat, lon, ch4, acet = track(n)
    boot0 = 10.0
    out = bytearray(b"ULog\x01\x12\x35\x01" + struct.pack("<Q", int(boot0 * 1e6)))

    def msg(kind: bytes, payload: bytes) -> None:
        out.extend(struct.pack("<HB", len(payload), kind[0]) + payload)

    msg(b"B", bytes(16) + bytes(24))  # flag bits: nothing incompatible, no appended data
    key = b"char[8] sys_name"
    msg(b"I", bytes([len(key)]) + key + b"olfatest")
    ids = {}
    for i, (name, fields) in enumerate(ULOG_TOPICS.items()):
        msg(b"F", f"{name}:{fields}".encode())
        ids[name] = i
    for name, i in ids.items():
        msg(b"A", struct.pack("<BH", 0, i) + name.encode())

    def data(name: str, *values) -> None:
        packed = struct.pack(_ulog_struct(ULOG_TOPICS[name]), *values)
        msg(b"D", struct.pack("<H", ids[name]) + packed)

    for i in range(n):
        us = int((boot0 + t[i] - t[0]) * 1e6)
        utc = int(t[i] * 1e6) if gps_clock else 0
        data("vehicle_gps_position", us, utc, int(lat[i] * 1e7), int(lon[i] * 1e7), 250000)
        data("vehicle_global_position", us + 100, lat[i], lon[i], 250.0)
        data("vehicle_local_position", us + 200, -30.0)
        data("wind", us + 300, 0.0, 4.0)  # air towards +east: wind FROM the west
        data("debug_key_value", us + 400, b"ch4_ppm", float(ch4[i]))
        data("debug_key_value", us + 500, b"acet_ppb", float(acet[i]))
    path.write_bytes(bytes(out))
    return {"t": t, "lat": lat, "lon": lon, "ch4_ppm": ch4, "acetone_ppb": acet}
