"""Hand-made surveys for the detection tests: plume crossings, red noise, drift."""

from __future__ import annotations

import numpy as np
import pandas as pd

from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame


def ar1(n: int, rho: float, sd: float, rng: np.random.Generator) -> np.ndarray:
    """A stationary AR(1) series of standard deviation ``sd``."""
    e = rng.standard_normal(n) * sd * np.sqrt(1 - rho**2)
    out = np.empty(n)
    out[0] = rng.standard_normal() * sd
    for i in range(1, n):
        out[i] = rho * out[i - 1] + e[i]
    return out


def make_survey(gas: dict[str, np.ndarray], dt: float = 1.0, source: str = "synthetic") -> Survey:
    """A straight-line flight at 6 m/s, wind 4 m/s from the west, with these channels [ppb]."""
    n = len(next(iter(gas.values())))
    t = 1.7e9 + dt * np.arange(n)
    frame = LocalFrame(29.1, -111.0)
    east = 6.0 * dt * np.arange(n) % 600.0 - 300.0
    north = np.zeros(n)
    lat, lon = frame.to_wgs84(east, north)
    df = pd.DataFrame(
        {
            "time": t,
            "lat": lat,
            "lon": lon,
            "east_m": east,
            "north_m": north,
            "alt_agl_m": 20.0,
            "wind_speed_ms": 4.0,
            "wind_dir_deg": 270.0,
        }
    )
    for a, v in gas.items():
        df[a] = v
    return Survey(df, frame, {a: "ppb" for a in gas}, source, "test")


def crossings(n: int, centres: list[int], width: float, peak: float) -> np.ndarray:
    """Gaussian plume crossings of ``peak`` [ppb] and sd ``width`` [samples]."""
    i = np.arange(n)[:, None]
    return peak * np.exp(-0.5 * ((i - np.array(centres)[None, :]) / width) ** 2).sum(axis=1)
