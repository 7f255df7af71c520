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


def write_dataflash(path: Path, n: int = 40, *, with_gas: bool = True) -> dict:
    """DataFlash log with FMT, GPS (for the clock), POS, XKF2 (wind) and NVF (gas)."""
    t, lat, lon, ch4, acet = track(n)
    types = {
        "GPS": (129, "QBIHBcLLeff", "TimeUS,Status,GMS,GWk,NSats,HDop,Lat,Lng,Alt,Spd,GCrs"),
        "POS": (130, "QLLfff", "TimeUS,Lat,Lng,Alt,RelHomeAlt,RelOriginAlt"),
        "XKF2": (131, "QBff", "TimeUS,C,VWN,VWE"),
        "NVF": (132, "QNf", "TimeUS,Name,Value"),
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
        out += rec(
            "GPS", us, 3, ms, week, 12, 70, int(lat[i] * 1e7), int(lon[i] * 1e7), 25000, 5.0, 90.0
        )
        out += rec("POS", us + 1000, int(lat[i] * 1e7), int(lon[i] * 1e7), 250.0, 30.0, 30.0)
        # air moving towards +east at 4 m/s: wind FROM the west (270 deg)
        out += rec("XKF2", us + 2000, 0, 0.0, 4.0)
        if with_gas:
            out += rec("NVF", us + 3000, b"ch4_ppm", ch4[i])
            out += rec("NVF", us + 3000, b"acet_ppb", acet[i])
    path.write_bytes(bytes(out))
    return {"t": t, "lat": lat, "lon": lon, "ch4_ppm": ch4, "acetone_ppb": acet}
