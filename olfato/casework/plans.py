"""Recording a follow-up flight plan in a case: a ``plan`` run and the files it wrote.

The plan stage computes and writes its files (QGroundControl .plan, KML, GeoJSON,
preview) with no database; :func:`record_plan` then records, in one transaction, a
``plan`` run with its parameters and inputs' checksums and each file (checksummed,
left where it is). When the plan was made from a survey already in the case, the run
is on that survey; otherwise on the case as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from olfato.store import models as m
from olfato.store import records
from olfato.store.cases import get_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import sha256_file


@dataclass(frozen=True)
class PlanRecorded:
    """What recording a plan wrote: the run's version and the plan rows' ids.

    Attributes
    ----------
    case : str
        The case's name.
    run_id : int
        Id of the ``plan`` run.
    version : int
        The run's version on its subject.
    subject : str
        ``survey:<id>`` when the plan follows a survey in the case, else ``case``.
    plan_ids : tuple of int
        Ids of the plan rows, one per file.
    """

    case: str
    run_id: int
    version: int
    subject: str
    plan_ids: tuple[int, ...]

    @property
    def message(self) -> str:
        return (
            f"plan v{self.version} recorded in case {self.case} ({self.subject}): "
            f"{len(self.plan_ids)} file(s)"
        )


def record_plan(
    store: Store,
    case_name: str,
    files: Sequence[str | Path],
    *,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str | Path],
    survey: str | Path | None = None,
    started_at: datetime | None = None,
    summary: Mapping[str, Any] | None = None,
    warnings: Sequence[str] = (),
) -> PlanRecorded:
    """Record a plan run and the files it wrote in a case, in one transaction.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    files : sequence of path
        The files the plan stage wrote (.plan, .kml, .geojson, .png).
    parameters : mapping
        The plan's settings (flight defaults, goal, wind...), JSON-able.
    inputs : mapping of name to path
        The input files (sources GeoJSON, survey, no-fly zones); their SHA-256 is recorded.
    survey : path, optional
        The survey the plan was made from; when the case holds it (same SHA-256) the
        run is recorded on it.
    started_at : datetime.datetime, optional
        When planning started; now when None.
    summary : mapping, optional
        Figures to record with the run (the file names are added).
    warnings : sequence of str
        Warnings the plan stage raised.

    Returns
    -------
    PlanRecorded
        The run's id, version and subject, and the plan rows' ids.

    Raises
    ------
    CaseError
        No case has that name.
    StoreError
        The store is busy or failed; nothing was recorded.
    """
    paths = [Path(f) for f in files]
    checksums = {name: sha256_file(p) for name, p in inputs.items()}
    survey_sha = sha256_file(survey) if survey is not None else None
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        row = None
        if survey_sha is not None:
            row = s.scalar(
                select(m.Survey).where(
                    m.Survey.case_id == case.id, m.Survey.input_sha256 == survey_sha
                )
            )
        subject = f"survey:{row.id}" if row is not None else "case"
        run = records.add_run(
            s,
            case,
            stage="plan",
            subject=subject,
            survey_id=row.id if row is not None else None,
            parameters=parameters,
            inputs=checksums,
            warnings=warnings,
            summary={**(summary or {}), "files": [p.name for p in paths]},
            started_at=started_at or datetime.now(UTC),
        )
        plans = [
            records.add_plan(
                s,
                case,
                run,
                path=p,
                format=p.suffix.lstrip(".").lower() or "file",
                parameters=parameters,
                survey_id=run.survey_id,
            )
            for p in paths
        ]
        return PlanRecorded(case_name, run.id, run.version, subject, tuple(p.id for p in plans))
