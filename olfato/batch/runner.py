"""Fanning a campaign's surveys out to Dask workers and recording what comes back.

The process that calls :func:`run_batch` owns the case database: it checks which
surveys are already recorded (by :func:`olfato.casework.surveys.analysis_key`: the
checksums of the file, its mapping and wind log, and the options), sends the others to
the workers, and records each result as it arrives, in one transaction per survey
(:func:`olfato.casework.surveys.record_compact_analysis`). Workers only compute
(:func:`olfato.batch.work.analyse_on_worker`).

Interrupted in any way (Ctrl-C, the process killed, the scheduler lost), a batch
leaves every survey either recorded whole or not at all; run it again and it does
only what is missing. A worker killed half-way costs nothing but time: the scheduler
gives its survey to another worker. A survey that fails is recorded as a failed
``analysis`` run with its message, and the others go on; it is tried again the next
time (a failed run does not count as recorded).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from olfato.batch.inputs import SURVEY_SUFFIXES, find_surveys, wind_log_for
from olfato.batch.work import Failure, analyse_on_worker, describe
from olfato.casework.surveys import (
    ANALYSIS_STAGE,
    Added,
    CompactAnalysis,
    analysis_request,
    record_compact_analysis,
    record_failed_analysis,
)
from olfato.errors import OlfatoError
from olfato.progress import console, progress_bar, tally_bar
from olfato.store import models as m
from olfato.store import records
from olfato.store.cases import get_case
from olfato.store.db import Store

#: how long to wait for a scheduler, and for its first worker [s]
CONNECT_TIMEOUT_S = 30.0
WORKER_WAIT_S = 60.0


class BatchInterrupted(OlfatoError):
    """The batch stopped before the end (Ctrl-C, the scheduler lost); what was recorded stays."""

    exit_code = 130


@dataclass
class Job:
    """One survey file of the batch, with what identifies its analysis."""

    path: Path
    wind: Path | None
    key: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class BatchResult:
    """What a batch did: surveys recorded, skipped (already recorded) and failed."""

    case: str
    n_files: int
    added: list[Added] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    scheduler: str = ""
    n_workers: int = 0
    elapsed_s: float = 0.0

    @property
    def message(self) -> str:
        rate = len(self.added) / self.elapsed_s * 60 if self.elapsed_s > 0 else 0.0
        text = (
            f"case {self.case}: {self.n_files} survey file(s); {len(self.added)} analysed and "
            f"recorded, {len(self.skipped)} already recorded (skipped), "
            f"{len(self.duplicates)} duplicate(s) of another file, {len(self.failed)} failed; "
        )
        if self.scheduler:
            text += (
                f"{self.n_workers} worker(s) at {self.scheduler}, {self.elapsed_s:.0f} s "
                f"({rate:.1f} surveys/min)."
            )
        else:
            text += "nothing to send to Dask."
        if self.failed:
            text += " Failed surveys are recorded with their errors and tried again next time."
        return text


def _jobs(
    files: Sequence[Path],
    *,
    mapping: Path | None,
    wind_pattern: str | None,
    strict: bool,
    quiet: bool,
) -> list[Job]:
    jobs = []
    with progress_bar(f"checksums of {len(files)} file(s)", len(files), quiet=quiet) as advance:
        for path in files:
            jobs.append(_job(path, mapping=mapping, wind_pattern=wind_pattern, strict=strict))
            advance(1)
    return jobs


def _job(path: Path, *, mapping: Path | None, wind_pattern: str | None, strict: bool) -> Job:
    wind = wind_log_for(path, wind_pattern) if wind_pattern else None
    job = Job(path, wind)
    try:
        if wind is not None and not wind.is_file():
            raise OlfatoError(f"{path}: no wind log {wind} (from the wind pattern)")
        job.inputs, job.parameters = analysis_request(
            path, mapping=mapping, wind=wind, strict=strict
        )
        job.key = records.input_key(ANALYSIS_STAGE, job.inputs, job.parameters)
    except (OlfatoError, OSError) as exc:
        job.error = describe(exc) if isinstance(exc, OlfatoError) else f"{path}: {exc}"
    return job


def recorded_keys(store: Store, case_name: str, keys: Iterable[str]) -> set[str]:
    """Those of ``keys`` that the case holds a done ``analysis`` run for.

    Parameters
    ----------
    store : Store
        The case store.
    case_name : str
        The case.
    keys : iterable of str
        Analysis keys (:func:`olfato.casework.surveys.analysis_key`).

    Returns
    -------
    set of str
    """
    keys = list(keys)
    found: set[str] = set()
    with store.read() as s:
        case = get_case(s, case_name)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            found.update(
                k
                for k in s.scalars(
                    select(m.Run.input_key).where(
                        m.Run.case_id == case.id,
                        m.Run.stage == ANALYSIS_STAGE,
                        m.Run.status == "done",
                        m.Run.input_key.in_(chunk),
                    )
                )
                if k is not None
            )
    return found


def local_cluster(n_workers: int | None = None, *, threads_per_worker: int = 1) -> Any:
    """A Dask LocalCluster sized to this machine, memory shared out evenly.

    Parameters
    ----------
    n_workers : int, optional
        Worker processes (default one per CPU core this process may use).
    threads_per_worker : int
        Threads per worker (1: a worker analyses one survey at a time anyway).

    Returns
    -------
    distributed.LocalCluster

    Raises
    ------
    OlfatoError
        ``n_workers`` below 1 (parameter ``workers``).
    """
    import dask
    from distributed import LocalCluster

    if n_workers is None:
        n_workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if n_workers < 1:
        raise OlfatoError(f"workers must be at least 1, got {n_workers}", parameter="workers")
    with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environ()}):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )


def worker_environ() -> dict[str, Any]:
    """The environment Dask's nannies give new worker processes, without
    ``MALLOC_TRIM_THRESHOLD_``.

    Dask sets it (65536) so that workers hand freed memory back to the system; setting
    it at all turns off glibc's adaptive mmap threshold, so every NumPy temporary over
    128 KiB is mapped and unmapped afresh, and read-detect-locate ran 2 to 2.5 times
    slower in a worker than in a plain process here (``benchmarks/batch.py``). A worker
    holds one survey at a time, so the memory it keeps is bounded anyway. Start the
    workers of your own cluster with the same setting (e.g.
    ``DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON='{"OMP_NUM_THREADS": 1}' dask worker ...``,
    or ``dask worker --no-nanny``).

    Returns
    -------
    dict
        Variable -> value, from ``distributed.nanny.pre-spawn-environ``.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ") or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


def connect(scheduler: str, *, workers: int | None = None) -> Any:
    """A Dask client on a running scheduler, once enough workers have joined it.

    Parameters
    ----------
    scheduler : str
        Its address, ``tcp://HOST:PORT``.
    workers : int, optional
        How many workers to wait for (default 1), up to :data:`WORKER_WAIT_S`.

    Returns
    -------
    distributed.Client

    Raises
    ------
    OlfatoError
        No scheduler answers within :data:`CONNECT_TIMEOUT_S`, or no worker joins it
        (parameter ``scheduler``).
    """
    from distributed import Client

    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise OlfatoError(
            f"cannot reach the Dask scheduler at {scheduler}: {exc}",
            hint="Start one with `dask scheduler`, or leave the scheduler out for a local "
            "cluster on this machine.",
            parameter="scheduler",
        ) from None
    try:
        client.wait_for_workers(workers or 1, timeout=WORKER_WAIT_S)
    except TimeoutError:
        client.close()
        raise OlfatoError(
            f"no Dask worker joined the scheduler at {scheduler} within {WORKER_WAIT_S:.0f} s "
            f"(waited for {workers or 1})",
            hint=f"Start workers with `dask worker {scheduler} --nthreads 1`.",
            parameter="scheduler",
        ) from None
    return client


def run_batch(
    store: Store,
    case_name: str,
    sources: Iterable[str | Path],
    *,
    mapping: str | Path | None = None,
    wind_pattern: str | None = None,
    strict: bool = False,
    scheduler: str | None = None,
    workers: int | None = None,
    client: Any = None,
    quiet: bool = True,
    on_recorded: Callable[[Added | Failure], None] | None = None,
) -> BatchResult:
    """Analyse every survey of ``sources`` on Dask and record each in the case.

    Parameters
    ----------
    store : Store
        The case store; only this process writes it.
    case_name : str
        The case to record into (it must exist).
    sources : iterable of str or Path
        Survey files, folders and glob patterns (:func:`olfato.batch.inputs.find_surveys`).
    mapping : str or Path, optional
        The vendor mapping (YAML) every survey is read with.
    wind_pattern : str, optional
        Each survey's wind log, e.g. ``{stem}_wind.csv`` (:func:`wind_log_for`).
    strict : bool
        Any bad row fails the survey.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://HOST:PORT``); default a LocalCluster.
    workers : int, optional
        The LocalCluster's worker processes (default one per CPU core); with a
        scheduler, how many workers to wait for before starting.
    client : distributed.Client, optional
        An open client to use as it is (tests, notebooks); it is not closed.
    quiet : bool
        No progress bar.
    on_recorded : callable, optional
        Called after each survey is recorded (done or failed), in this process.

    Returns
    -------
    BatchResult

    Raises
    ------
    OlfatoError
        An unknown case, a missing mapping, no survey file, no scheduler; and
        :class:`BatchInterrupted` (exit code 130) on Ctrl-C or a lost scheduler, after
        which what was recorded stays and a rerun finishes.
    """
    t0 = time.perf_counter()
    with store.read() as s:
        get_case(s, case_name)  # an unknown case fails before any work
    mapping_path = Path(mapping).resolve() if mapping is not None else None
    if mapping_path is not None and not mapping_path.is_file():
        raise OlfatoError(f"{mapping}: no such mapping file", parameter="mapping")
    sources = list(sources)
    files = find_surveys(sources, wind_pattern=wind_pattern)
    if not files:
        raise OlfatoError(
            f"no survey file in {', '.join(map(str, sources))} (looked for "
            f"{', '.join(SURVEY_SUFFIXES)})",
            parameter="sources",
        )
    result = BatchResult(case_name, len(files))
    jobs = _jobs(files, mapping=mapping_path, wind_pattern=wind_pattern, strict=strict, quiet=quiet)
    done_keys = recorded_keys(store, case_name, [j.key for j in jobs if j.key])
    todo: list[Job] = []
    first: dict[str, Path] = {}
    for job in jobs:
        if job.error is not None:
            record_failed_analysis(store, case_name, job.path, job.error, inputs={"survey": None})
            result.failed.append((job.path, job.error))
        elif job.key in done_keys:
            result.skipped.append(job.path)
        elif job.key in first:
            result.duplicates.append((job.path, first[job.key]))
        else:
            assert job.key is not None
            first[job.key] = job.path
            todo.append(job)

    if not todo:  # nothing to analyse: no cluster to start
        result.elapsed_s = time.perf_counter() - t0
        return result
    own_cluster = None
    if client is None:
        if scheduler:
            client = connect(scheduler, workers=workers)
        else:
            own_cluster = local_cluster(workers)
            from distributed import Client

            client = Client(own_cluster, set_as_default=False)
        own_client = client
    else:
        own_client = None
    try:
        result.scheduler = str(client.scheduler.address)
        result.n_workers = len(client.scheduler_info(n_workers=-1)["workers"])
        _fan_out(store, case_name, todo, client, mapping_path, strict, result, quiet, on_recorded)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
        result.elapsed_s = time.perf_counter() - t0
    return result


def _fan_out(
    store: Store,
    case_name: str,
    todo: list[Job],
    client: Any,
    mapping: Path | None,
    strict: bool,
    result: BatchResult,
    quiet: bool,
    on_recorded: Callable[[Added | Failure], None] | None,
) -> None:
    from distributed import KilledWorker, as_completed
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError

    if not todo:
        return
    jobs = {}
    futures = []
    for job in todo:
        assert job.key is not None
        fut = client.submit(
            analyse_on_worker,
            str(job.path),
            mapping=str(mapping) if mapping is not None else None,
            wind=str(job.wind) if job.wind is not None else None,
            strict=strict,
            expected_key=job.key,
            key=f"olfato-analysis-{job.key[:24]}",
            pure=False,
        )
        jobs[fut.key] = job
        futures.append(fut)
    n_recorded = 0
    try:
        with tally_bar(f"analysing {len(todo)} survey(s)", len(todo), quiet=quiet) as tally:
            ac = as_completed(futures, loop=client.loop)
            del futures  # as_completed holds them; each is released once recorded
            for fut in ac:
                job = jobs.pop(fut.key)
                try:
                    out: CompactAnalysis | Failure = fut.result()
                except KilledWorker as exc:
                    out = Failure(
                        str(job.path),
                        f"{job.path}: every worker that analysed it died ({exc}); out of memory "
                        "or a crash: try again, or on a worker with more memory",
                        datetime.now(UTC),
                    )
                except FutureCancelledError:
                    # nothing here cancels: the scheduler forgot it (lost, or restarted)
                    jobs[fut.key] = job
                    raise
                finally:
                    fut.release()
                if isinstance(out, Failure):
                    record_failed_analysis(
                        store,
                        case_name,
                        job.path,
                        out.error,
                        inputs=job.inputs,
                        parameters=job.parameters,
                        started_at=out.started_at,
                    )
                    result.failed.append((job.path, out.error))
                    tally.failed()
                    if on_recorded:
                        on_recorded(out)
                    continue
                added = record_compact_analysis(store, case_name, out, skip_recorded=True)
                del out
                if added is None:  # another batch recorded it meanwhile
                    result.skipped.append(job.path)
                    tally.skipped()
                    continue
                result.added.append(added)
                n_recorded += 1
                tally.done()
                if on_recorded:
                    on_recorded(added)
        if jobs:  # as_completed ended without them: the scheduler let them go
            raise FutureCancelledError(next(iter(jobs)), reason="the scheduler let it go")
    except KeyboardInterrupt:
        raise BatchInterrupted(
            f"interrupted: {n_recorded} survey(s) recorded in case {case_name}, "
            f"{len(jobs)} not done. Run the same command again to finish; recorded surveys "
            "are skipped."
        ) from None
    except (FutureCancelledError, CommClosedError, TimeoutError) as exc:
        raise BatchInterrupted(
            f"lost the Dask scheduler ({type(exc).__name__}: {exc}) after recording "
            f"{n_recorded} survey(s) in case {case_name}; {len(jobs)} not done. Run the same "
            "command again to finish; recorded surveys are skipped."
        ) from None


def print_failures(result: BatchResult) -> None:
    """Print each failed survey's message (the CLI's report).

    Parameters
    ----------
    result : BatchResult
        What :func:`run_batch` returned.
    """
    for path, error in result.failed:
        console.print(f"[red]failed:[/] {path.name}: {error}", highlight=False, soft_wrap=True)
