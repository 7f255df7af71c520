from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HEADER = "time,lat,lon,alt_agl_m,wind_speed_ms,wind_dir_deg,ch4_ppm,acetone_ppb,battery_v"


def rows(n: int = 20, t0: float = 1_772_380_800.0) -> list[str]:
    """n good rows, 1 Hz, flying north at ~5.6 m/s (0.00005 deg lat per second)."""
    return [
        f"{t0 + i:.1f},{29.1 + i * 5e-5:.6f},-110.9,30,3.2,270,"
        f"{1.9 + 0.01 * i:.3f},{0.5 + i:.2f},22.1"
        for i in range(n)
    ]


@pytest.fixture
def write_csv(tmp_path: Path):
    def _write(
        lines: list[str], name: str = "survey.csv", header: str = HEADER, end: str = "\n"
    ) -> Path:
        p = tmp_path / name
        p.write_text("\n".join([header, *lines]) + end, encoding="utf-8")
        return p

    return _write


@pytest.fixture
def good_csv(write_csv) -> Path:
    return write_csv(rows())


def frame_like(n: int) -> pd.DataFrame:
    t = 1_772_380_800.0 + np.arange(n)
    return pd.DataFrame({"time": t})
