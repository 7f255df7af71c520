"""What `olfato survey info` shows: the facts an analyst checks before trusting a flight."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from olfato.survey.flights import split_flights
from olfato.survey.model import Survey
from olfato.survey.validate import GAP_FACTOR


def wind_statistics(speed: np.ndarray, dir_from_deg: np.ndarray) -> dict[str, float]:
    """Mean speed [m/s], vector-mean FROM direction [deg], circular spread [deg].

    The spread is the circular standard deviation sqrt(-2 ln R) of the directions
    (Mardia & Jupp 2000, Directional Statistics, eq. 2.3.11), R the mean resultant length.

    Parameters
    ----------
    speed : ndarray
        Wind speed per sample [m/s].
    dir_from_deg : ndarray
        Direction the wind blows FROM per sample [deg].

    Returns
    -------
    dict[str, float]
        Mean speed [m/s], vector-mean FROM direction [deg] and circular spread [deg].
    """
    rad = np.deg2rad(dir_from_deg)
    s, c = np.nanmean(np.sin(rad)), np.nanmean(np.cos(rad))
    r = float(np.hypot(s, c))
    return {
        "mean_speed_ms": float(np.nanmean(speed)),
        "min_speed_ms": float(np.nanmin(speed)),
        "max_speed_ms": float(np.nanmax(speed)),
        "mean_dir_from_deg": float(np.mod(np.rad2deg(np.arctan2(s, c)), 360.0)),
        # r >= 1 (one direction throughout, or rounding above 1): no spread, and +0.0,
        # not the -0.0 that -2 ln 1 gives (printed "-0 deg")
        "dir_spread_deg": 0.0
        if r >= 1.0
        else float(np.rad2deg(np.sqrt(-2.0 * np.log(max(r, 1e-12))))),
    }


def background_level(values: np.ndarray) -> tuple[float, float]:
    """Robust background [ppb] (median) and noise [ppb] (1.4826 x MAD of differences / sqrt 2).

    Differencing removes slow drift and plumes' broad shape, so the noise estimate is
    that of the sensor; 1.4826 makes the MAD a standard deviation for Gaussian noise.

    Parameters
    ----------
    values : ndarray
        Readings of one channel in time order [ppb], NaN where missing.

    Returns
    -------
    tuple of (float, float)
        Background [ppb] and noise standard deviation [ppb].
    """
    v = values[np.isfinite(values)]  # a copy, so the medians may reorder it in place
    if v.size < 3:
        return float("nan"), float("nan")
    d = np.diff(v)
    spread = np.abs(d - np.median(d))
    noise = 1.4826 * float(np.median(spread, overwrite_input=True)) / np.sqrt(2.0)
    return float(np.median(v, overwrite_input=True)), noise


def describe(survey: Survey) -> dict[str, Any]:
    """The survey's summary as plain data (the CLI prints it; --json dumps it).

    Parameters
    ----------
    survey : Survey
        The survey.

    Returns
    -------
    dict
        Source, format, samples, start and end (UTC), duration [s], sample rate [Hz],
        track length [m], bounding box [deg], altitude [m], wind statistics and per
        channel background, noise and peak [ppb].
    """
    s = survey.samples
    t = survey.time
    dt = np.diff(t)
    med_dt = float(np.median(dt)) if dt.size else float("nan")
    gaps = dt[dt > GAP_FACTOR * med_dt] if dt.size else dt
    start = pd.Timestamp(t[0], unit="s", tz="UTC").round("ms")
    end = pd.Timestamp(t[-1], unit="s", tz="UTC").round("ms")
    channels = []
    # NumPy's medians release the GIL: one channel per core
    with ThreadPoolExecutor() as pool:
        levels = list(pool.map(background_level, map(survey.gas, survey.channels)))
    for (a, unit), (bg, noise) in zip(survey.channels.items(), levels, strict=True):
        channels.append(
            {
                "analyte": a,
                "unit_in_file": unit,
                "background_ppb": bg,
                "noise_ppb": noise,
                "peak_ppb": float(np.nanmax(survey.gas(a))),
                "missing": int(np.isnan(survey.gas(a)).sum()),
            }
        )
    return {
        "source": survey.source,
        "format": survey.format,
        "samples": survey.n_samples,
        "start_utc": start.isoformat(),
        "end_utc": end.isoformat(),
        "duration_s": survey.duration_s,
        "sample_rate_hz": survey.sample_rate_hz,
        "track_length_m": survey.track_length_m,
        "bbox": {
            "lat_min": float(s["lat"].min()),
            "lat_max": float(s["lat"].max()),
            "lon_min": float(s["lon"].min()),
            "lon_max": float(s["lon"].max()),
        },
        "altitude_agl_m": {
            "min": float(s["alt_agl_m"].min()),
            "median": float(s["alt_agl_m"].median()),
            "max": float(s["alt_agl_m"].max()),
        },
        "gaps": {"count": int(gaps.size), "longest_s": float(gaps.max()) if gaps.size else 0.0},
        "frame": {"lat0": survey.frame.lat0, "lon0": survey.frame.lon0},
        "channels": channels,
        "wind": (
            wind_statistics(s["wind_speed_ms"].to_numpy(), s["wind_dir_deg"].to_numpy())
            if np.isfinite(s["wind_speed_ms"].to_numpy(dtype=float)).any()
            else None
        ),
        "flights": [
            {
                "flight": f.number,
                "samples": f.rows,
                "start_utc": pd.Timestamp(f.start_time, unit="s", tz="UTC").round("ms").isoformat(),
                "end_utc": pd.Timestamp(f.end_time, unit="s", tz="UTC").round("ms").isoformat(),
                "duration_s": f.duration_s,
            }
            for f in split_flights(t, s["alt_agl_m"].to_numpy(dtype=float))
        ],
        "stability_classes": (
            s["stability_class"].value_counts().to_dict() if "stability_class" in s else {}
        ),
        "extra_columns": survey.extra_columns,
        "validation": survey.report.to_dict(),
    }
