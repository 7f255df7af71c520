"""Background jobs: the slow stage work of a request, run on a pool of processes.

A route records the job (queued) in the store and submits :func:`run_job` with plain
arguments (the workspace, the database URL, the job's id); the worker opens its own
store, marks the job running, reports progress through the store and records it done
or failed. A client polls ``/api/jobs/{id}``. Nothing a job makes is recorded until
its final transaction, so a failed job leaves the case as it was. On start the server
marks jobs it did not see finish as failed (:func:`olfato.store.jobs.fail_unfinished`).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from olfato.errors import OlfatoError
from olfato.store.workspace import acting_as

log = logging.getLogger("olfato.server")

#: job kinds and what they do (see :func:`run_job`)
KINDS = ("analyse", "reanalyse", "report", "plan")


def _work(store: Any, job: Any, progress: Any) -> tuple[dict[str, Any], str]:
    from olfato.server import casework
    from olfato.store import models as m

    p = job.parameters
    if job.kind == "analyse":
        res = casework.analyse_survey(
            store,
            p["case"],
            Path(p["path"]),
            Path(p["mapping"]) if p.get("mapping") else None,
            Path(p["wind"]) if p.get("wind") else None,
            progress,
        )
        return res, res.pop("message")
    if job.kind == "reanalyse":
        with store.read() as s:
            row = s.get(m.Survey, p["survey_id"])
        res = casework.reanalyse_survey(store, p["case"], row, progress)
        return res, res.pop("message")
    if job.kind == "report":
        res = casework.make_report(
            store, p["case"], p["lang"], p["format"], p["releasable_to"], progress
        )
        return res, f"{len(res['product_ids'])} product(s) made"
    if job.kind == "plan":
        with store.read() as s:
            row = s.get(m.Survey, p["survey_id"])
        res = casework.plan_next_flight(store, p["case"], row, int(p.get("seed", 0)), progress)
        return res, res.pop("message")
    raise OlfatoError(f"unknown job kind {job.kind!r}")


def run_job(workspace_root: str, database_url: str, job_id: int) -> None:
    """Run job ``job_id`` to the end, recording its progress and outcome in the store."""
    from olfato.store.db import open_store
    from olfato.store.jobs import fail_job, finish_job, get_job, set_progress, start_job

    store = open_store(workspace_root, database_url)
    try:
        job = get_job(store, job_id)
        with acting_as(job.created_by):
            start_job(store, job_id)
            last = [0.0]

            def progress(fraction: float, message: str) -> None:
                now = time.monotonic()
                if now - last[0] > 0.2 or fraction >= 0.9:
                    last[0] = now
                    set_progress(store, job_id, fraction, message)

            try:
                result, message = _work(store, job, progress)
            except OlfatoError as exc:
                fail_job(store, job_id, str(exc))
                return
            except Exception as exc:  # a bug: record it, keep the traceback in the log only
                log.exception("job %s failed", job_id)
                fail_job(store, job_id, f"internal error ({type(exc).__name__}); see the log")
                return
            finish_job(store, job_id, result, message)
    finally:
        store.close()


class JobRunner:
    """Submits jobs to a pool: ``"process"`` (the server), ``"thread"`` or ``"inline"``."""

    def __init__(self, workspace_root: Path, database_url: str, mode: str, workers: int) -> None:
        self.workspace_root = str(workspace_root)
        self.database_url = database_url
        self.mode = mode
        self.pool: Executor | None
        if mode == "process":
            # spawn: a fresh interpreter, never a fork of a threaded server
            ctx = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        elif mode == "thread":
            self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="olfato-job")
        else:
            self.pool = None
        self.futures: dict[int, Future[None]] = {}

    def submit(self, job_id: int) -> None:
        if self.pool is None:
            run_job(self.workspace_root, self.database_url, job_id)
            return
        fut = self.pool.submit(run_job, self.workspace_root, self.database_url, job_id)
        self.futures[job_id] = fut
        fut.add_done_callback(functools.partial(self._done, job_id))

    def _done(self, job_id: int, fut: Future[None]) -> None:
        self.futures.pop(job_id, None)
        exc = fut.exception()
        if exc is not None:  # the worker died (killed, out of memory): mark the job failed
            log.error("job %s: worker failed: %r", job_id, exc)
            try:
                from olfato.store.db import open_store
                from olfato.store.jobs import fail_job

                with open_store(self.workspace_root, self.database_url) as store:
                    fail_job(store, job_id, f"the worker process failed ({type(exc).__name__})")
            except Exception:
                log.exception("could not record the failure of job %s", job_id)

    def wait(self, timeout_s: float = 600.0) -> None:
        """Wait for the jobs submitted so far (tests)."""
        deadline = time.monotonic() + timeout_s
        for fut in list(self.futures.values()):
            fut.result(timeout=max(0.0, deadline - time.monotonic()))

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
