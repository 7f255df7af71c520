"""Many flights on Dask: throughput, scaling, Dask's overhead, worker memory, a projection.

Simulates N flights of a scenario (default: the packaged demo, two labs in a 640 m x
600 m square, 2 Hz, about 20 minutes of flight) with different seeds, then in this
one process:

- **direct**: for each survey, ``analyse_survey`` + ``record_survey_analysis`` into a
  case, one after another (no Dask): the baseline;
- **dask, 1 worker** and **dask, 2 workers**: ``run_batch`` on a LocalCluster of 1 and
  2 single-threaded worker processes as ``olfato batch add`` starts them
  (``olfato.batch.runner.local_cluster``), and once more with 1 worker in Dask's default
  worker environment (``MALLOC_TRIM_THRESHOLD_`` set; see ``worker_environ``), into
  fresh cases (cluster start not timed; every
  worker, and this process, analyses one flight first, untimed, to load what it loads).

BLAS runs on one thread everywhere (Dask sets that for its workers; the direct run is
given the same), so the runs compare one core's work.

It prints surveys per minute, the scaling efficiency (rate with 2 workers / (2 x rate
with 1)), Dask's overhead per survey (1 worker against direct, both serial), the peak
resident memory of each worker process (``getrusage``), what one result weighs on the
wire (compact against the full analysis pickled), the time to record one result, and
a projection for 10,000 surveys on 50 workers with its assumptions.

Run: ``.venv/bin/python benchmarks/batch.py [--surveys N] [--scenario YAML]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import pickle
import resource
import shutil
import tempfile
import time
from importlib.resources import files
from pathlib import Path
from typing import Any


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _warm(flight: str) -> None:
    """Import the stages and analyse one flight (not timed), in a worker or here."""
    from olfato.casework.surveys import analyse_survey

    analyse_survey(flight)


def simulate_flights(scenario: Path, n: int, folder: Path) -> list[Path]:
    from olfato.simulate import simulate

    out = []
    for i in range(n):
        paths = simulate(scenario, seed=100 + i).write(folder / f"sim{i}")
        dest = folder / "flights" / f"flight_{i:03d}.csv"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(paths["survey"], dest)
        out.append(dest)
    return out


def run_direct(store: Any, flights: list[Path], case: str) -> tuple[float, float]:
    """Wall time of analysing and recording every flight in this process, and the part
    of it spent analysing [s]."""
    from olfato.casework.surveys import analyse_survey, record_survey_analysis
    from olfato.store.cases import new_case

    new_case(store, case)
    analysing = 0.0
    t0 = time.perf_counter()
    for f in flights:
        t = time.perf_counter()
        analysis = analyse_survey(f)
        analysing += time.perf_counter() - t
        record_survey_analysis(store, case, analysis)
    return time.perf_counter() - t0, analysing


def compute_seconds(store: Any, case: str) -> float:
    """The workers' own analysing time, summed over the case's analysis runs [s]."""
    from sqlalchemy import select

    from olfato.store import models as m
    from olfato.store.cases import get_case

    with store.read() as s:
        c = get_case(s, case)
        runs = s.scalars(select(m.Run).where(m.Run.case_id == c.id, m.Run.stage == "analysis"))
        return float(sum(r.summary.get("compute_s", 0.0) for r in runs))


def run_dask(
    store: Any, flights: list[Path], n_workers: int, *, dask_default_env: bool = False
) -> tuple[float, list[float], float]:
    """Wall time of ``run_batch`` on a LocalCluster as ``olfato batch add`` starts it (or
    with Dask's default worker environment), the workers' peak RSS [MiB] and their
    summed analysing time [s]."""
    from distributed import Client, LocalCluster

    from olfato.batch.runner import local_cluster, run_batch
    from olfato.store.cases import new_case

    case = f"dask{n_workers}{'_default_env' if dask_default_env else ''}"
    new_case(store, case)
    if dask_default_env:
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    else:
        cluster = local_cluster(n_workers)
    client = Client(cluster, set_as_default=False)
    try:
        client.run(_warm, str(flights[0]))
        t0 = time.perf_counter()
        result = run_batch(store, case, [str(f) for f in flights], client=client)
        elapsed = time.perf_counter() - t0
        assert len(result.added) == len(flights), result.message
        peaks = sorted(client.run(_peak_rss_mib).values())
    finally:
        client.close()
        cluster.close()
    return elapsed, peaks, compute_seconds(store, case)


def sizes_and_record_time(store: Any, flight: Path) -> tuple[int, int, float]:
    from olfato.casework.surveys import (
        analyse_survey,
        compact_analysis,
        record_compact_analysis,
    )
    from olfato.store.cases import new_case

    analysis = analyse_survey(flight)
    full = len(pickle.dumps(analysis, protocol=pickle.HIGHEST_PROTOCOL))
    compact = compact_analysis(analysis)
    new_case(store, "sizes")
    t0 = time.perf_counter()
    record_compact_analysis(store, "sizes", compact)
    return compact.nbytes, full, time.perf_counter() - t0


def main() -> None:
    # Dask's workers run NumPy's BLAS on one thread (distributed.nanny.pre-spawn-environ);
    # the direct run gets the same, so both compare one core's work. Set before NumPy is
    # imported (nothing above imports it).
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--surveys", type=int, default=8)
    parser.add_argument(
        "--scenario",
        type=Path,
        default=Path(str(files("olfato") / "data" / "scenarios" / "demo.yaml")),
    )
    args = parser.parse_args()

    from rich.console import Console
    from rich.table import Table

    from olfato.store.db import Store
    from olfato.store.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="olfato-bench-batch-") as tmp:
        folder = Path(tmp)
        flights = simulate_flights(args.scenario, args.surveys, folder)
        store = Store(Workspace.locate(folder / "ws"))
        _warm(str(flights[0]))
        n = len(flights)
        load_before = os.getloadavg()
        direct_a, analysing_a = run_direct(store, flights, "direct_a")
        direct_peak = _peak_rss_mib()
        one, peaks1, compute1 = run_dask(store, flights, 1)
        two, peaks2, _ = run_dask(store, flights, 2)
        one_default, _, _ = run_dask(store, flights, 1, dask_default_env=True)
        direct_b, analysing_b = run_direct(store, flights, "direct_b")
        load_after = os.getloadavg()
        compact_b, full_b, record_s = sizes_and_record_time(store, flights[0])
        store.close()

    direct = (direct_a + direct_b) / 2  # before and after the Dask runs: load drifts
    analysing = (analysing_a + analysing_b) / 2
    walls = (("direct", direct), ("1", one), ("2", two), ("1d", one_default))
    rate = {k: n / t * 60 for k, t in walls}
    efficiency = rate["2"] / (2 * rate["1"])
    overhead = (one - direct) / n
    not_analysing_direct = (direct - analysing) / n
    not_analysing_dask = (one - compute1) / n
    per_survey = one / n  # one worker, serial: compute + Dask + recording
    out = Console()
    out.print(
        f"{os.cpu_count()} CPU cores; load average (1 min) {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after (a load above the core count means other work shares them)",
        highlight=False,
    )
    t = Table(title=f"Batch on Dask: {n} flights of {args.scenario.name}, this machine")
    for col in ("run", "wall [s]", "surveys/min", "vs direct", "peak RSS per process [MiB]"):
        t.add_column(col, justify="right")
    rows = [
        (
            "direct (one process, no Dask; mean of a run before and after)",
            direct,
            "direct",
            f"{direct_peak:.0f} (this process)",
        ),
        ("dask, 1 worker", one, "1", ", ".join(f"{p:.0f}" for p in peaks1)),
        ("dask, 2 workers", two, "2", ", ".join(f"{p:.0f}" for p in peaks2)),
        ("dask, 1 worker, Dask's default env (MALLOC_TRIM_THRESHOLD_)", one_default, "1d", ""),
    ]
    for name, wall, key, peak in rows:
        t.add_row(
            name, f"{wall:.1f}", f"{rate[key]:.1f}", f"{rate[key] / rate['direct']:.2f}", peak
        )
    out.print(t)
    t = Table(title="Figures")
    t.add_column("figure")
    t.add_column("value", justify="right")
    t.add_row("direct runs, before / after the Dask runs [s]", f"{direct_a:.1f} / {direct_b:.1f}")
    t.add_row("scaling efficiency, 2 workers: rate2 / (2 x rate1)", f"{efficiency:.2f}")
    t.add_row("Dask overhead per survey (1 worker - direct) / N [s]", f"{overhead:+.2f}")
    t.add_row("  as a share of a survey's direct time", f"{overhead / (direct / n):+.1%}")
    t.add_row("per survey not analysing, direct (recording) [s]", f"{not_analysing_direct:.2f}")
    t.add_row(
        "per survey not analysing, dask 1 worker (dispatch, transfer, recording) [s]",
        f"{not_analysing_dask:.2f}",
    )
    t.add_row("one result on the wire: compact [kB]", f"{compact_b / 1e3:.0f}")
    t.add_row("  the full analysis pickled [kB]", f"{full_b / 1e3:.0f}")
    t.add_row("recording one result (one transaction, SQLite) [s]", f"{record_s:.3f}")
    out.print(t)

    # -- projection: 10,000 surveys on 50 workers ------------------------------------
    n_big, workers = 10_000, 50
    compute_h = n_big * per_survey / (workers * efficiency) / 3600
    record_h = n_big * record_s / 3600
    wire_gb = n_big * compact_b / 1e9
    t = Table(title=f"Projection: {n_big:,} surveys on {workers} workers")
    t.add_column("item")
    t.add_column("value", justify="right")
    t.add_row("compute: N x t_survey / (workers x efficiency) [h]", f"{compute_h:.2f}")
    t.add_row("recording, one writer: N x t_record [h]", f"{record_h:.2f}")
    t.add_row("campaign wall time, the larger of the two [h]", f"{max(compute_h, record_h):.2f}")
    t.add_row("results sent to the client [GB]", f"{wire_gb:.2f}")
    t.add_row("memory: workers x peak per worker [GiB]", f"{workers * max(peaks2) / 1024:.1f}")
    out.print(t)
    out.print(
        "Assumptions: every survey like these (same scenario size and rate); each of the 50 "
        "workers a core as fast as one here, single-threaded; the scaling efficiency measured "
        "with 2 workers holds at 50 (the scheduler's per-task cost, ~1 ms, is negligible "
        "against seconds of compute); recording runs in the one client process while workers "
        "compute, so the campaign takes the larger of the two; survey files on a file system "
        "every worker reads; the surveys-per-minute figures on this shared 2-core machine vary "
        "with the other users' load.",
        highlight=False,
    )


if __name__ == "__main__":
    main()
