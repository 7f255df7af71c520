"""Cost of the simulator's turbulent (puff) mode on the 40-minute 10 Hz flight.

    .venv/bin/python benchmarks/simulate.py [SCENARIO.yaml] [--samples-naive N]

Pinned to one core. Rows: the steady Gaussian plume (the baseline, same flight and
sensors), the vectorised puff model, and a naive pure-Python loop over every
sample x live puff, timed on N samples around the strongest hit and scaled to the flight (it also
checks that both puff codes give the same concentrations).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402

from olfato.physics.dispersion import vertical_factor  # noqa: E402
from olfato.simulate import load_scenario, simulate  # noqa: E402
from olfato.simulate.world import ALONG_SMEAR, MIN_GUST_SPEED_MS, puff_sigmas  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def naive_puffs(sim, idx: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-sample, per-source, per-puff Python loop over the samples ``idx``."""
    world = sim.world
    wind = world.wind
    t = world.t[idx]
    ws = wind.at(t)
    out = np.zeros((len(world.sources), len(idx)))
    start = time.perf_counter()
    for j, i in enumerate(idx):
        th = math.radians(ws["direction"][j])
        de, dn = -math.sin(th), -math.cos(th)
        spacing = max(ws["speed"][j], MIN_GUST_SPEED_MS) * (wind.t[1] - wind.t[0])
        for k, (se, sn, sh) in enumerate(world.sources):
            c = 0.0
            for r in range(len(wind.t)):
                if wind.t[r] > t[j]:
                    break
                travel = ws["path"][j] - wind.path[r]
                if travel > world.max_travel_m:
                    continue
                sy, sz = (float(v) for v in puff_sigmas(np.array(travel), world.stability))
                sx2 = sy * sy + (ALONG_SMEAR * spacing) ** 2
                re = world.east[i] - (se + ws["disp_e"][j] - wind.disp_e[r])
                rn = world.north[i] - (sn + ws["disp_n"][j] - wind.disp_n[r])
                a, b = re * de + rn * dn, -re * dn + rn * de
                v = float(vertical_factor(world.up[i], sh, sz, world.mixing_height_m))
                c += (
                    (wind.t[1] - wind.t[0])
                    / (2 * math.pi) ** 1.5
                    / (math.sqrt(sx2) * sy * sz)
                    * math.exp(-0.5 * (a * a / sx2 + b * b / (sy * sy)))
                    * v
                )
            out[k, j] = c
    return out, time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "long_40min_10hz.yaml"))
    ap.add_argument("--samples-naive", type=int, default=30)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)

    steady_sc = sc.model_copy(update={"mode": "steady"})
    steady_sc._path = sc.path
    t0 = time.perf_counter()
    simulate(steady_sc, seed=0)
    t_steady = time.perf_counter() - t0

    t0 = time.perf_counter()
    turb = simulate(sc, seed=0)
    t_turb = time.perf_counter() - t0

    # the naive loop is timed on the samples around the strongest plume hit
    n = min(args.samples_naive, len(turb.world.t))
    peak = int(turb.world.unit_at_samples.sum(axis=0).argmax())
    lo = max(0, min(peak - n // 2, len(turb.world.t) - n))
    idx = np.arange(lo, lo + n)
    ref, t_naive_part = naive_puffs(turb, idx)
    fast = turb.world.unit_at_samples[:, idx]
    scale = np.abs(ref).max() or 1.0
    agree = float(np.abs(fast - ref).max() / scale)
    t_naive = t_naive_part * len(turb.world.t) / n

    n_samples = len(turb.samples)
    n_src = len(turb.world.sources)
    rows = [
        ("steady (baseline)", n_samples, n_src, 0, t_steady, "measured"),
        ("turbulent, vectorised", n_samples, n_src, turb.world.n_puffs, t_turb, "measured"),
        (
            "turbulent, naive loop",
            n_samples,
            n_src,
            turb.world.n_puffs,
            t_naive,
            f"timed on {n} samples, scaled",
        ),
    ]
    print(
        f"scenario: {sc.name} ({Path(args.scenario).name}), "
        f"{turb.truth['duration_s']:.0f} s of flight, one core"
    )
    print(
        f"{'mode':<24}{'samples':>9}{'sources':>9}{'puffs':>9}{'seconds':>10}{'x steady':>10}  note"
    )
    for name, ns, nsrc, puffs, sec, note in rows:
        print(f"{name:<24}{ns:>9}{nsrc:>9}{puffs:>9}{sec:>10.2f}{sec / t_steady:>10.1f}  {note}")
    print(f"sample-puff pairs evaluated per source: {turb.world.pairs:,}")
    print(
        f"vectorised vs naive on {n} samples at the strongest hit: "
        f"max difference {agree:.1e} of the peak"
    )
    print(f"vectorised is {t_naive / t_turb:.0f}x faster than the naive loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
