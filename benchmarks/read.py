"""Survey CSV v1 read throughput: olfato's reader against a bare pandas.read_csv.

Writes a 1,000,000-row Survey CSV v1 (ISO 8601 times with an offset, 6 gas channels,
10 Hz, a lawnmower track) to a temporary folder, then times, in the same process:

- ``pandas.read_csv``: the bare parse, no validation, times left as text;
- ``pandas.read_csv`` + ``pandas.to_datetime``: the least a user needs to get times;
- ``read_survey``: parse + time parsing + validation + projection to local metres;
- ``olfato survey info``: the whole command, summary included, as a user runs it.

Run: ``.venv/bin/python benchmarks/read.py [--rows N] [--repeat K]``. The issue asks
that validation and projection cost at most 50% over the bare read (ratio <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def write_survey_csv(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    t = 1_772_380_800.0 + np.arange(n) / 10.0
    # a continuous lawnmower at 6 m/s: 600 m crosswind lines joined by 80 m transits
    line_len, spacing = 600.0, 80.0
    s = 6.0 * (t - t[0])
    k, r = np.divmod(s, line_len + spacing)
    on_line = r < line_len
    along = np.where(on_line, r, line_len)
    east = np.where(k % 2 == 0, along, line_len - along) - line_len / 2
    north = k * spacing + np.where(on_line, 0.0, r - line_len)
    lat = 29.1 + north / 110_850.0
    lon = -110.9 + east / (111_320.0 * np.cos(np.deg2rad(29.1)))
    stamps = pd.to_datetime(t, unit="s", utc=True).tz_convert("-07:00")
    df = pd.DataFrame(
        {
            "time": stamps.strftime("%Y-%m-%dT%H:%M:%S.%f") + "-07:00",
            "lat": lat.round(7),
            "lon": lon.round(7),
            "alt_agl_m": 30.0 + rng.normal(0, 0.3, n).round(2),
            "wind_speed_ms": (3.0 + rng.normal(0, 0.5, n)).clip(0.1).round(2),
            "wind_dir_deg": (270 + rng.normal(0, 10, n)).round(1) % 360,
            "ch4_ppm": (1.95 + rng.normal(0, 0.005, n)).round(4),
            "co2_ppm": (420 + rng.normal(0, 0.5, n)).round(2),
            "voc_ppb": (5 + rng.normal(0, 1, n)).round(2),
            "acetone_ppb": (2 + rng.normal(0, 0.3, n)).round(3),
            "toluene_ppb": (0.5 + rng.normal(0, 0.1, n)).round(3),
            "nh3_ppb": (8 + rng.normal(0, 1, n)).round(2),
        }
    )
    df.to_csv(path, index=False)


def best_of_interleaved(readers: dict, repeat: int) -> dict[str, float]:
    """Best time [s] of each reader over ``repeat`` rounds that run every reader once.

    Interleaved, so that a busy spell on the machine falls on all of them alike.
    """
    times: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(repeat):
        for name, fn in readers.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: min(ts) for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from typer.testing import CliRunner

    from olfato.cli import app
    from olfato.survey.io import read_survey

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "survey_1M.csv"
        write_survey_csv(path, args.rows)
        mb = path.stat().st_size / 1e6
        runner = CliRunner()
        best = best_of_interleaved(
            {
                "pandas.read_csv (bare parse)": lambda: pd.read_csv(path),
                "pandas.read_csv + to_datetime(time)": lambda: pd.to_datetime(
                    pd.read_csv(path)["time"], format="ISO8601", utc=True
                ),
                "olfato read_survey (validate+project)": lambda: read_survey(path, quiet=True),
                "olfato survey info (whole command)": lambda: runner.invoke(
                    app, ["survey", "info", str(path), "-q"]
                ),
            },
            args.repeat,
        )
        survey = read_survey(path, quiet=True)
        assert survey.n_samples == args.rows, survey.report.summary_lines()

    bare = best["pandas.read_csv (bare parse)"]
    ours = best["olfato read_survey (validate+project)"]
    print(
        f"Survey CSV v1 read, {args.rows:,} rows, {mb:.0f} MB, best of {args.repeat} "
        f"interleaved rounds, {os.cpu_count()} CPUs"
    )
    print(f"{'reader':<38}{'seconds':>9}{'rows/s':>14}{'MB/s':>9}{'ratio':>8}")
    for name, sec in best.items():
        print(f"{name:<38}{sec:>9.3f}{args.rows / sec:>14,.0f}{mb / sec:>9.1f}{sec / bare:>8.2f}")
    overhead = ours / bare - 1
    verdict = "meets" if overhead <= 0.5 else "MISSES"
    print(
        f"validation + projection overhead over the bare read: {overhead:+.0%} "
        f"({verdict} the <= +50% target)"
    )


if __name__ == "__main__":
    main()
