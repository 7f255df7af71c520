"""Recording in a case: surveys, runs of any stage, and what each run found.

Every function here persists plain data into an open write transaction
(:meth:`olfato.store.db.Store.write`); none computes anything. What a stage's result
turns into (hit rows, Sources GeoJSON features, observations, entities and links) is
decided above the store, in :mod:`olfato.casework`, so a server request or a Dask
worker can compute without a database and the store can record without computing.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from olfato.errors import OlfatoError
from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.db import Store
from olfato.store.workspace import actor, code_version, sha256_file

if TYPE_CHECKING:
    from olfato.survey.model import Survey


def jsonable(x: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, NumPy scalars -> Python, tuples -> lists.

    Parameters
    ----------
    x : Any
        A value made of mappings, lists, tuples, NumPy scalars and plain values.

    Returns
    -------
    Any
        The same structure, JSON-serialisable: mapping keys as strings.
    """
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def number(x: Any) -> float | None:
    """A finite float, or None (for a nullable column).

    Parameters
    ----------
    x : Any
        None, or anything ``float`` accepts.

    Returns
    -------
    float or None
        ``float(x)``; None for None, NaN and infinities.
    """
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def input_key(stage: str, inputs: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """SHA-256 of a stage, its inputs' checksums and its parameters (canonical JSON).

    Two runs with the same key did the same work: a batch skips the second.

    Parameters
    ----------
    stage : str
        The stage's name (``detect``, ``locate``, ``plan``...).
    inputs : mapping
        The inputs' checksums (``{"survey": "<sha256>"}``).
    parameters : mapping
        The stage's settings.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    blob = json.dumps(
        {"stage": stage, "inputs": jsonable(inputs), "parameters": jsonable(parameters)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(blob.encode()).hexdigest()


# -- survey samples ------------------------------------------------------------------
def write_samples(store: Store, survey: Survey) -> tuple[Path, str]:
    """Write the survey's samples into the workspace as Parquet, named by their SHA-256.

    Parameters
    ----------
    store : Store
        The open case store; the file goes to its workspace's ``surveys/`` folder.
    survey : olfato.survey.model.Survey
        The survey read from its input file.

    Returns
    -------
    path : pathlib.Path
        ``surveys/<sha256>.parquet``, written atomically.
    sha256 : str
        The file's SHA-256, hex.
    """
    folder = store.workspace.surveys_dir
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".parquet.tmp", dir=folder)
    os.close(fd)
    try:
        survey.to_parquet(tmp)
        digest = sha256_file(tmp)
        final = folder / f"{digest}.parquet"
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return final, digest


def write_samples_parquet(store: Store, data: bytes) -> tuple[Path, str]:
    """Write samples already encoded as Parquet into the workspace, named by their SHA-256.

    Parameters
    ----------
    store : Store
        The open case store.
    data : bytes
        The Parquet file's bytes (``Survey.to_parquet``'s, e.g. sent back by a Dask worker).

    Returns
    -------
    path : pathlib.Path
        The file (already there when the same samples were stored before).
    sha256 : str
        Its SHA-256, hex.
    """
    folder = store.workspace.surveys_dir
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    final = folder / f"{digest}.parquet"
    if final.exists() and sha256_file(final) == digest:
        return final, digest
    fd, tmp = tempfile.mkstemp(suffix=".parquet.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return final, digest


def load_survey_samples(store: Store, row: m.Survey) -> Survey:
    """The survey's samples from its Parquet file, after checking its SHA-256.

    Parameters
    ----------
    store : Store
        The open case store.
    row : olfato.store.models.Survey
        The survey's row.

    Returns
    -------
    olfato.survey.model.Survey
        The samples, as when they were stored.

    Raises
    ------
    OlfatoError
        The Parquet file is missing or its SHA-256 no longer matches.
    """
    from olfato.survey.model import Survey

    path = store.workspace.resolve(row.parquet_path)
    if not path.exists():
        raise OlfatoError(
            f"The samples of survey {row.name} are missing from the workspace ({path}).",
            hint="Restore the workspace's surveys/ folder from backup, or add the survey again.",
        )
    digest = sha256_file(path)
    if digest != row.parquet_sha256:
        raise OlfatoError(
            f"The samples file of survey {row.name} ({path}) has changed since it was stored "
            f"(SHA-256 {digest[:12]}..., expected {row.parquet_sha256[:12]}...); "
            "refusing to use it.",
        )
    return Survey.from_parquet(path)


def find_or_add_survey(
    session: Session,
    case: m.Case,
    *,
    input_path: Path,
    input_sha256: str,
    parquet_path: str,
    parquet_sha256: str,
    facts: Mapping[str, Any],
    name: str | None = None,
) -> tuple[m.Survey, bool]:
    """The case's survey row for this input file (by SHA-256), added when new.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    case : olfato.store.models.Case
        The case.
    input_path : pathlib.Path
        The file the survey was read from.
    input_sha256 : str
        Its SHA-256, hex: the survey's identity within the case.
    parquet_path : str
        Where the samples are stored, relative to the workspace.
    parquet_sha256 : str
        The Parquet file's SHA-256, hex.
    facts : mapping
        What the samples are: ``format``, ``n_samples``, ``start_time`` and
        ``end_time`` [s since the epoch], ``channels`` ({analyte: unit}), ``lat0``,
        ``lon0`` [deg] (the local frame's origin); see
        :func:`olfato.casework.surveys.survey_facts`.
    name : str, optional
        The survey's name in the case (default: the file's name).

    Returns
    -------
    row : olfato.store.models.Survey
        The survey's row.
    added : bool
        True when the row is new (and a ``survey.add`` audit event was added).
    """
    row = session.scalar(
        select(m.Survey).where(m.Survey.case_id == case.id, m.Survey.input_sha256 == input_sha256)
    )
    if row is not None:
        return row, False
    row = m.Survey(
        case_id=case.id,
        name=name or Path(input_path).name,
        input_path=str(Path(input_path).resolve()),
        input_sha256=input_sha256,
        parquet_path=parquet_path,
        parquet_sha256=parquet_sha256,
        format=str(facts["format"]),
        n_samples=int(facts["n_samples"]),
        start_time=float(facts["start_time"]),
        end_time=float(facts["end_time"]),
        channels=dict(facts["channels"]),
        lat0=float(facts["lat0"]),
        lon0=float(facts["lon0"]),
        added_by=actor(),
    )
    session.add(row)
    session.flush()
    record(session, "survey.add", case.id, {"survey_id": row.id, "sha256": input_sha256})
    return row, True


# -- runs -----------------------------------------------------------------------------
def next_version(session: Session, case_id: int, stage: str, subject: str) -> int:
    """The version the next run of ``stage`` on ``subject`` gets (1, 2, ...).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session.
    case_id : int
        The case.
    stage : str
        The stage's name.
    subject : str
        What the stage ran on (``survey:<id>``, ``case``).

    Returns
    -------
    int
        One more than the highest recorded version, 1 for the first run.
    """
    top = session.scalar(
        select(func.max(m.Run.version)).where(
            m.Run.case_id == case_id, m.Run.stage == stage, m.Run.subject == subject
        )
    )
    return int(top or 0) + 1


def add_run(
    session: Session,
    case: m.Case,
    *,
    stage: str,
    subject: str,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, Any],
    started_at: datetime,
    survey_id: int | None = None,
    warnings: Iterable[str] = (),
    summary: Mapping[str, Any] | None = None,
    status: str = "done",
    error: str | None = None,
    raster_npz: bytes | None = None,
) -> m.Run:
    """Record a run of any stage as a new version on its subject, with its audit event.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    case : olfato.store.models.Case
        The case the run belongs to.
    stage : str
        The stage's name (``detect``, ``locate``, ``plan``, ``video``, ``network``...).
    subject : str
        What it ran on: ``survey:<id>``, ``video:<id>``, ``case``.
    parameters, inputs : mapping
        The stage's settings and its inputs' checksums (JSON-able).
    started_at : datetime.datetime
        When the run started (timezone-aware).
    survey_id : int, optional
        The survey it ran on, if any.
    warnings : iterable of str
        Data-quality warnings the run raised.
    summary : mapping, optional
        Figures to show without reading the findings (counts, durations).
    status : str
        ``done``, or ``failed`` with ``error`` saying why.
    error : str, optional
        Why a failed run failed.
    raster_npz : bytes, optional
        A locate run's posterior raster, as written by ``numpy.savez_compressed``.

    Returns
    -------
    olfato.store.models.Run
        The run's row, numbered :func:`next_version` on its stage and subject.

    Raises
    ------
    ValueError
        ``status`` is not one of ``olfato.store.models.RUN_STATES``.
    """
    if status not in m.RUN_STATES:
        raise ValueError(f"status must be one of {m.RUN_STATES}, got {status!r}")
    run = m.Run(
        case_id=case.id,
        survey_id=survey_id,
        stage=stage,
        subject=subject,
        version=next_version(session, case.id, stage, subject),
        status=status,
        error=error,
        input_key=input_key(stage, inputs, parameters),
        parameters=jsonable(dict(parameters)),
        code_version=code_version(),
        inputs=jsonable(dict(inputs)),
        warnings=list(warnings),
        summary=jsonable(dict(summary or {})),
        raster_npz=raster_npz,
        started_at=started_at,
        actor=actor(),
    )
    session.add(run)
    session.flush()
    detail = {"run_id": run.id, "subject": subject, "version": run.version}
    if run.survey_id is not None:
        detail["survey_id"] = run.survey_id
    if status != "done":
        detail["status"] = status
    record(session, f"run.{stage}", case.id, detail)
    return run


def recorded_run(session: Session, case: m.Case, key: str) -> m.Run | None:
    """The newest successful run of the case with this :func:`input_key`, if any.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        An open session.
    case : olfato.store.models.Case
        The case.
    key : str
        The :func:`input_key` of the work about to be done.

    Returns
    -------
    olfato.store.models.Run or None
        That run, or None when the work was never done (or only failed).
    """
    return session.scalar(
        select(m.Run)
        .where(m.Run.case_id == case.id, m.Run.input_key == key, m.Run.status == "done")
        .order_by(m.Run.id.desc())
        .limit(1)
    )


# -- what runs found ----------------------------------------------------------------
def add_hits(session: Session, run: m.Run, rows: Iterable[Mapping[str, Any]]) -> None:
    """Record a detect run's plume hits.

    Each row has ``number``, ``start_time``, ``end_time``, ``peak_time`` [s since the
    epoch], ``lat``, ``lon`` [deg], ``snr``, ``signature``, ``suspect`` and
    ``properties`` (the hit's GeoJSON properties).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    run : olfato.store.models.Run
        The detect run that found them.
    rows : iterable of mapping
        One per hit, with the keys above.
    """
    for row in rows:
        session.add(
            m.Hit(
                run_id=run.id,
                number=int(row["number"]),
                start_time=float(row["start_time"]),
                end_time=float(row["end_time"]),
                peak_time=float(row["peak_time"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                snr=float("nan") if number(row["snr"]) is None else float(row["snr"]),
                signature=str(row.get("signature") or ""),
                suspect=bool(row.get("suspect", False)),
                properties=jsonable(row.get("properties", {})),
            )
        )


def add_sources(session: Session, run: m.Run, features: Iterable[Mapping[str, Any]]) -> None:
    """Record a locate run's findings from their Sources GeoJSON features.

    A feature of ``kind`` ``source`` carries a rate and a 95 % ellipse; one of kind
    ``detection`` a bearing and a wedge instead (DESIGN.md, "Sources GeoJSON").

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    run : olfato.store.models.Run
        The locate run that found them.
    features : iterable of mapping
        GeoJSON Point features, coordinates ``[lon, lat]`` [deg], with the Sources
        GeoJSON properties (``rate_g_s`` [g/s], ``ellipse95_m`` [m], ...).
    """
    for feat in features:
        p = feat["properties"]
        lon, lat = feat["geometry"]["coordinates"][:2]
        ellipse = p.get("ellipse95_m") or {}
        ci = p.get("rate_ci95_g_s") or [None, None]
        session.add(
            m.Source(
                run_id=run.id,
                label=str(p["id"]),
                kind=str(p.get("kind", "source")),
                lat=float(lat),
                lon=float(lon),
                east_m=number(p.get("east_m")) or 0.0,
                north_m=number(p.get("north_m")) or 0.0,
                height_m=number(p.get("height_m")) or 0.0,
                analyte=str(p.get("analyte") or ""),
                rate_g_s=number(p.get("rate_g_s")),
                rate_lo_g_s=number(ci[0]),
                rate_hi_g_s=number(ci[1]),
                semi_major_m=number(ellipse.get("semi_major")),
                semi_minor_m=number(ellipse.get("semi_minor")),
                azimuth_deg=number(ellipse.get("azimuth_deg")),
                bearing_deg=number(p.get("bearing_deg")),
                wedge_deg=number(p.get("wedge_deg")),
                signature=str(p.get("signature") or ""),
                signature_probabilities=jsonable(dict(p.get("signature_probabilities") or {})),
                suspect=bool(p.get("suspect", False)),
                probability_exists=number(p.get("probability_exists")),
                hit_numbers=[int(h) for h in p.get("hit_ids", [])],
                crlb_m=number(p.get("crlb_m")),
                warnings=list(p.get("warnings") or []),
                properties=jsonable(dict(p)),
            )
        )


def add_observations(
    session: Session, run: m.Run, observations: Iterable[Mapping[str, Any]]
) -> int:
    """Record what a run saw (footprints, tracks, activity); returns how many.

    Each observation has ``kind`` and optionally ``start_time``/``end_time`` [s since
    the epoch], ``lat``/``lon`` [deg], ``geometry`` (GeoJSON) and ``properties``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    run : olfato.store.models.Run
        The run that made them; the observations belong to its case.
    observations : iterable of mapping
        One per observation, with the keys above.

    Returns
    -------
    int
        Number of observations recorded.
    """
    n = 0
    for o in observations:
        session.add(
            m.Observation(
                case_id=run.case_id,
                run_id=run.id,
                kind=str(o["kind"]),
                start_time=number(o.get("start_time")),
                end_time=number(o.get("end_time")),
                lat=number(o.get("lat")),
                lon=number(o.get("lon")),
                geometry=jsonable(o.get("geometry")),
                properties=jsonable(dict(o.get("properties") or {})),
            )
        )
        n += 1
    return n


def add_plan(
    session: Session,
    case: m.Case,
    run: m.Run,
    *,
    path: Path,
    format: str,
    parameters: Mapping[str, Any],
    survey_id: int | None = None,
) -> m.Plan:
    """Record a flight-plan file a plan run wrote (kept where it is, checksummed).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The open write transaction.
    case : olfato.store.models.Case
        The case.
    run : olfato.store.models.Run
        The plan run that wrote the file.
    path : pathlib.Path
        The plan file.
    format : str
        Its format (``qgc``, ``kml``, ``geojson``).
    parameters : mapping
        The plan's settings (JSON-able).
    survey_id : int, optional
        The survey the plan follows up.

    Returns
    -------
    olfato.store.models.Plan
        The plan's row, with a ``plan.add`` audit event.
    """
    plan = m.Plan(
        case_id=case.id,
        survey_id=survey_id,
        run_id=run.id,
        format=format,
        path=str(Path(path).resolve()),
        sha256=sha256_file(path),
        parameters=jsonable(dict(parameters)),
        created_by=actor(),
    )
    session.add(plan)
    session.flush()
    record(session, "plan.add", case.id, {"plan_id": plan.id, "run_id": run.id})
    return plan


def add_entities(session: Session, run: m.Run, rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Record a network run's entities, merged with the case's by ``key``.

    An entity the case already has keeps its row (and its release); only an ``unknown``
    type is updated by a known one.

    Parameters
    ----------
    session : Session
        The open write transaction.
    run : Run
        The network run they come from (its case is theirs).
    rows : iterable of mapping
        Each with ``key``, ``type`` and optionally ``label``, ``personal``, ``released``,
        ``provenance`` and ``properties``.

    Returns
    -------
    dict
        key -> entity row id, for every row.
    """
    rows = list(rows)
    keys = [str(r["key"]) for r in rows]
    have = {
        e.key: e
        for e in session.scalars(
            select(m.Entity).where(m.Entity.case_id == run.case_id, m.Entity.key.in_(keys))
        )
    }
    ids: dict[str, int] = {}
    for r in rows:
        key = str(r["key"])
        row = have.get(key)
        if row is None:
            row = m.Entity(
                case_id=run.case_id,
                key=key,
                type=str(r["type"]),
                label=str(r.get("label") or key),
                personal=bool(r.get("personal", False)),
                released=bool(r.get("released", False)),
                provenance=str(r.get("provenance") or ""),
                properties=jsonable(dict(r.get("properties") or {})),
                run_id=run.id,
                created_by=actor(),
            )
            session.add(row)
            have[key] = row
        elif row.type == "unknown" and r["type"] != "unknown":
            row.type = str(r["type"])
            row.personal = bool(r.get("personal", row.personal))
        session.flush()
        ids[key] = row.id
    return ids


def add_links(
    session: Session, run: m.Run, rows: Iterable[Mapping[str, Any]], ids: Mapping[str, int]
) -> int:
    """Record a network run's links.

    Parameters
    ----------
    session : Session
        The open write transaction.
    run : Run
        The network run they come from.
    rows : iterable of mapping
        Each with ``source``, ``target`` (entity keys), ``type`` and optionally
        ``directed``, ``weight``, ``start_time``/``end_time`` [s since the epoch],
        ``provenance`` and ``properties``.
    ids : mapping
        Entity key -> row id (from :func:`add_entities`).

    Returns
    -------
    int
        How many links were added.
    """
    n = 0
    for r in rows:
        session.add(
            m.Link(
                case_id=run.case_id,
                source_id=ids[str(r["source"])],
                target_id=ids[str(r["target"])],
                type=str(r["type"]),
                directed=bool(r.get("directed", False)),
                weight=1.0 if r.get("weight") is None else (number(r["weight"]) or 0.0),
                start_time=number(r.get("start_time")),
                end_time=number(r.get("end_time")),
                provenance=str(r.get("provenance") or ""),
                properties=jsonable(dict(r.get("properties") or {})),
                run_id=run.id,
            )
        )
        n += 1
    return n
