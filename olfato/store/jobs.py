"""Background jobs: queued -> running -> done | failed, with progress a client can poll.

The server records a job before it hands the work to a process; the worker moves it
along (:func:`start_job`, :func:`set_progress`, :func:`finish_job`, :func:`fail_job`),
each step one short transaction. A job the server did not see finish, because it
stopped or crashed, is marked failed when the server starts again
(:func:`fail_unfinished`): never silently lost, never left "running" for ever.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.db import Store
from olfato.store.workspace import actor

#: the error of a job that was queued or running when the server stopped
INTERRUPTED = (
    "The server stopped before this job finished; nothing of it was recorded. Run it again."
)


class JobError(OlfatoError):
    """A job that does not exist."""


def new_job(store: Store, kind: str, case_id: int | None, parameters: dict[str, Any]) -> int:
    """Record a queued job.

    Parameters
    ----------
    store : Store
            The open case store.
    kind : str
        What it does, e.g. ``analyse`` (see :data:`olfato.server.jobs.KINDS`).
    case_id : int or None
        The case it works on.
    parameters : dict
        Its arguments, JSON-able.

    Returns
    -------
    int
        The job's id.
    """
    with store.write() as s:
        job = m.Job(
            case_id=case_id, kind=kind, state="queued", parameters=parameters, created_by=actor()
        )
        s.add(job)
        s.flush()
        record(s, "job.new", case_id, {"job_id": job.id, "kind": kind})
        return job.id


def _job(session: Session, job_id: int) -> m.Job:
    job = session.get(m.Job, job_id)
    if job is None:
        raise JobError(f"There is no job {job_id}.")
    return job


def get_job(store: Store, job_id: int) -> m.Job:
    """A job by id.

    Parameters
    ----------
    store : Store
            The open case store.
    job_id : int
        The job.

    Returns
    -------
    olfato.store.models.Job
        The job's row.

    Raises
    ------
    JobError
        There is no such job.
    """
    with store.read() as s:
        job = _job(s, job_id)
        return job


def list_jobs(store: Store, case_id: int, limit: int = 50) -> list[m.Job]:
    """A case's jobs, newest first.

    Parameters
    ----------
    store : Store
            The open case store.
    case_id : int
        The case.
    limit : int, default 50
        At most this many.

    Returns
    -------
    list of olfato.store.models.Job
        The jobs.
    """
    with store.read() as s:
        return list(
            s.scalars(
                select(m.Job).where(m.Job.case_id == case_id).order_by(m.Job.id.desc()).limit(limit)
            )
        )


def _update(store: Store, job_id: int, **values: Any) -> None:
    with store.write() as s:
        job = _job(s, job_id)
        for k, v in values.items():
            setattr(job, k, v)


def start_job(store: Store, job_id: int) -> None:
    """Mark a job running.

    Parameters
    ----------
    store : Store
            The open case store.
    job_id : int
        The job.
    """
    _update(store, job_id, state="running", started_at=datetime.now(UTC), message="started")


def set_progress(store: Store, job_id: int, fraction: float, message: str) -> None:
    """Record how far a running job is and what it is doing.

    Parameters
    ----------
    store : Store
            The open case store.
    job_id : int
        The job.
    fraction : float
        Done so far, 0 to 1 (clipped).
    message : str
        What it is doing.
    """
    _update(store, job_id, progress=min(max(float(fraction), 0.0), 1.0), message=message)


def finish_job(store: Store, job_id: int, result: dict[str, Any], message: str) -> None:
    """Mark a job done with what it made.

    Parameters
    ----------
    store : Store
            The open case store.
    job_id : int
        The job.
    result : dict
        What it made (ids), JSON-able.
    message : str
        A line for the user.

    Raises
    ------
    JobError
        There is no such job.
    """
    with store.write() as s:
        job = _job(s, job_id)
        job.state, job.progress, job.result, job.message = "done", 1.0, result, message
        job.finished_at = datetime.now(UTC)
        record(s, "job.done", job.case_id, {"job_id": job_id, **result})


def fail_job(store: Store, job_id: int, error: str) -> None:
    """Mark a job failed with the reason.

    Parameters
    ----------
    store : Store
            The open case store.
    job_id : int
        The job.
    error : str
        The reason, as the user should read it.

    Raises
    ------
    JobError
        There is no such job.
    """
    with store.write() as s:
        job = _job(s, job_id)
        job.state, job.error, job.finished_at = "failed", error, datetime.now(UTC)
        record(s, "job.failed", job.case_id, {"job_id": job_id, "error": error[:500]})


def fail_unfinished(store: Store) -> list[int]:
    """Mark every queued or running job failed (the server is starting again).

    Parameters
    ----------
    store : Store
            The open case store.

    Returns
    -------
    list of int
        The ids of the jobs marked failed.
    """
    with store.write() as s:
        jobs = list(s.scalars(select(m.Job).where(m.Job.state.in_(("queued", "running")))))
        for job in jobs:
            job.state, job.error, job.finished_at = "failed", INTERRUPTED, datetime.now(UTC)
            record(s, "job.interrupted", job.case_id, {"job_id": job.id})
        return [j.id for j in jobs]
