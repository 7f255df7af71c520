"""Telemetry CSV beside a plain video, in the layout of the ArcGIS FMV Multiplexer.

The FMV Multiplexer (ArcGIS Image Analyst) takes a video without metadata and a CSV with
one row per time, whose columns are named after the MISB ST 0601 elements:
``UNIXTimeStamp`` (microseconds since 1970; also read: ``TimeStamp``,
``PrecisionTimeStamp``), ``SensorLatitude``, ``SensorLongitude``, ``SensorTrueAltitude``
(or ``SensorAltitude``, ``SensorEllipsoidHeight``), ``PlatformHeading``,
``PlatformPitch``, ``PlatformRoll``, ``SensorRelativeAzimuth``,
``SensorRelativeElevation``, ``SensorRelativeRoll``, ``HorizontalFOV``, ``VerticalFOV``,
and optionally ``FrameCenterLatitude``/``Longitude``/``Elevation``, ``SlantRange`` and
``CornerLatitudePoint1Full`` .. ``CornerLongitudePoint4Full``. Column names are matched
without regard to case, spaces or underscores; the words ``Angle`` and ``Full`` may be
added or left out. The first row's time is the video's first frame unless the
caller gives ``video_start_us``.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

from olfato.errors import VideoError
from olfato.video.klv import KlvSample

_TIME = ("unixtimestamp", "timestamp", "precisiontimestamp")
#: normalised column name -> KlvSample field
_COLUMNS: dict[str, str] = {
    "sensorlatitude": "sensor_lat",
    "sensorlongitude": "sensor_lon",
    "sensortruealtitude": "sensor_alt_m",
    "sensoraltitude": "sensor_alt_m",
    "sensorellipsoidheight": "sensor_alt_m",
    "platformheading": "platform_heading_deg",
    "platformpitch": "platform_pitch_deg",
    "platformroll": "platform_roll_deg",
    "sensorrelativeazimuth": "sensor_rel_az_deg",
    "sensorrelativeelevation": "sensor_rel_el_deg",
    "sensorrelativeroll": "sensor_rel_roll_deg",
    "horizontalfov": "hfov_deg",
    "sensorhorizontalfieldofview": "hfov_deg",
    "verticalfov": "vfov_deg",
    "sensorverticalfieldofview": "vfov_deg",
    "slantrange": "slant_range_m",
    "framecenterlatitude": "frame_center_lat",
    "framecenterlongitude": "frame_center_lon",
    "framecenterelevation": "frame_center_elev_m",
    **{f"cornerlatitudepoint{k}": f"corner{k}_lat" for k in range(1, 5)},
    **{f"cornerlongitudepoint{k}": f"corner{k}_lon" for k in range(1, 5)},
}
_RANGES = {
    "sensor_lat": (-90.0, 90.0),
    "sensor_lon": (-180.0, 180.0),
    "frame_center_lat": (-90.0, 90.0),
    "frame_center_lon": (-180.0, 180.0),
    "hfov_deg": (0.0, 180.0),
    "vfov_deg": (0.0, 180.0),
}


def _norm(name: str) -> str:
    s = re.sub(r"[^a-z0-9]", "", name.lower())
    return re.sub(r"(angle|full)$", "", s) if s not in _TIME else s


def read_fmv_csv(path: str | Path, *, video_start_us: int | None = None) -> list[KlvSample]:
    """Read a telemetry CSV into :class:`~olfato.video.klv.KlvSample` records.

    Parameters
    ----------
    path : path
        The CSV (UTF-8, header row).
    video_start_us : int, optional
        UTC of the video's first frame [microseconds since 1970]; default the first row.

    Returns
    -------
    list of KlvSample
        ``pts_s`` is each row's time from the video's start [s].

    Raises
    ------
    VideoError
        Missing file or time column, or a row with a value that is not a number or out
        of range (naming the line and column).
    """
    p = Path(path)
    if not p.is_file():
        raise VideoError("no such telemetry CSV", path=str(p))
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise VideoError(f"cannot read the telemetry CSV: {exc}", path=str(p)) from None
    if not rows:
        raise VideoError("the telemetry CSV is empty", path=str(p))
    header = [_norm(h) for h in rows[0]]
    time_col = next((i for i, h in enumerate(header) if h in _TIME), None)
    if time_col is None:
        raise VideoError(
            "the telemetry CSV has no time column (UNIXTimeStamp, microseconds since 1970)",
            path=str(p),
        )
    cols = {i: _COLUMNS[h] for i, h in enumerate(header) if h in _COLUMNS}
    if "sensor_lat" not in cols.values() and "corner1_lat" not in cols.values():
        raise VideoError(
            "the telemetry CSV has neither SensorLatitude nor corner columns", path=str(p)
        )
    samples: list[KlvSample] = []
    t0: int | None = video_start_us
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            time_us = int(float(row[time_col]))
        except (ValueError, IndexError):
            raise VideoError(
                f"line {line}, column '{rows[0][time_col]}': not a time in microseconds "
                f"({row[time_col] if time_col < len(row) else ''!r})",
                path=str(p),
            ) from None
        kw: dict[str, float] = {}
        for i, name in cols.items():
            text = row[i].strip() if i < len(row) else ""
            if not text:
                continue
            try:
                v = float(text)
            except ValueError:
                raise VideoError(
                    f"line {line}, column '{rows[0][i]}': not a number ({text!r})", path=str(p)
                ) from None
            lo, hi = _RANGES.get(name, (-math.inf, math.inf))
            if not (lo <= v <= hi) or not math.isfinite(v):
                raise VideoError(
                    f"line {line}, column '{rows[0][i]}': {v} is out of range [{lo}, {hi}]",
                    path=str(p),
                )
            kw[name] = v
        if t0 is None:
            t0 = time_us
        samples.append(KlvSample(time_us, pts_s=(time_us - t0) / 1e6, **kw))  # type: ignore[arg-type]
    if not samples:
        raise VideoError("the telemetry CSV has a header but no rows", path=str(p))
    return samples
