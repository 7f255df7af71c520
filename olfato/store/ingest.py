"""Adding a survey to a case: read it, detect, locate, and record it all as new versions.

The slow part (reading, detection, location) runs before anything is written; the
survey's samples go to a content-addressed Parquet file in the workspace; then one
transaction records the survey (once per input file), a new ``detect`` run with its
hits and a new ``locate`` run with its sources and posterior raster, each with its
parameters, the code version and the inputs' SHA-256, and the audit events. A
process killed before that transaction commits leaves the store as it was.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from olfato.store import models as m
from olfato.store.audit import record
from olfato.store.cases import get_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import actor, code_version, sha256_file

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits
    from olfato.locate.pipeline import Sources
    from olfato.survey.model import Survey


@dataclass(frozen=True)
class Added:
    """What adding a survey recorded."""

    case: str
    survey_id: int
    survey_name: str
    new_survey: bool
    detect_version: int
    locate_version: int
    n_hits: int
    n_sources: int
    n_suspect: int
    parquet: Path
    warnings: tuple[str, ...]

    @property
    def message(self) -> str:
        kind = "added" if self.new_survey else "re-run (earlier versions kept)"
        return (
            f"{self.survey_name} {kind} in case {self.case}: detect v{self.detect_version} "
            f"found {self.n_hits} hit(s); locate v{self.locate_version} found "
            f"{self.n_sources} source(s), {self.n_suspect} suspect. "
            "Every candidate needs ground confirmation."
        )


def _jsonable(x: Any) -> Any:
    """Plain JSON values: NaN/inf -> None, NumPy scalars -> Python, tuples -> lists."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _finite(x: float) -> float:
    return float(x) if math.isfinite(float(x)) else float("nan")


def write_parquet(store: Store, survey: Survey) -> tuple[Path, str]:
    """Write the survey's samples into the workspace, named by their SHA-256."""
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


def detect_parameters(hits: Hits) -> dict[str, Any]:
    return _jsonable(
        {
            "false_alarms_per_hour": hits.false_alarms_per_hour,
            "threshold_sd": hits.threshold,
            # by file name and checksum: it identifies the library exactly, and a partner
            # package carries no directory of the analyst's machine
            "signature_library": [
                {"file": Path(p).name, "sha256": sha256_file(p)} for p in hits.library.sources
            ],
            "channels": hits.channels,
        }
    )


def locate_parameters(sources: Sources) -> dict[str, Any]:
    settings = dataclasses.asdict(sources.settings)
    return _jsonable(
        {
            "transport": sources.transport,
            "settings": settings,
            "stability": sources.stability,
            "lag_s": dict(sources.lag_s),
            "domain": dataclasses.asdict(sources.domain),
        }
    )


def _next_version(session: Session, survey_id: int, stage: str) -> int:
    top = session.scalar(
        select(func.max(m.Run.version)).where(m.Run.survey_id == survey_id, m.Run.stage == stage)
    )
    return int(top or 0) + 1


def _record_hits(session: Session, run: m.Run, hits: Hits) -> None:
    geo = hits.to_geojson()["features"]
    for row, feat in zip(hits.table.to_dict("records"), geo, strict=True):
        session.add(
            m.Hit(
                run_id=run.id,
                number=int(row["id"]),
                start_time=float(row["start_time"]),
                end_time=float(row["end_time"]),
                peak_time=float(row["peak_time"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                snr=_finite(row["snr"]),
                signature=str(row.get("signature") or ""),
                suspect=bool(row.get("suspect", False)),
                properties=_jsonable(feat["properties"]),
            )
        )


def _record_sources(session: Session, run: m.Run, sources: Sources) -> None:
    for src in sources.sources:
        session.add(
            m.Source(
                run_id=run.id,
                label=src.id,
                lat=float(src.lat),
                lon=float(src.lon),
                east_m=float(src.east_m),
                north_m=float(src.north_m),
                height_m=float(src.height_m),
                analyte=src.analyte,
                rate_g_s=float(src.rate_g_s),
                rate_lo_g_s=float(src.rate_ci95_g_s[0]),
                rate_hi_g_s=float(src.rate_ci95_g_s[1]),
                semi_major_m=float(src.ellipse95.semi_major),
                semi_minor_m=float(src.ellipse95.semi_minor),
                azimuth_deg=float(src.ellipse95.azimuth_deg),
                signature=src.signature,
                signature_probabilities=_jsonable(dict(src.signature_probabilities)),
                suspect=bool(src.suspect),
                hit_numbers=[int(h) for h in src.hit_ids],
                crlb_m=float(src.crlb_m) if math.isfinite(src.crlb_m) else None,
            )
        )


def _raster_npz(sources: Sources) -> bytes:
    e, n, d = sources.raster()
    buf = io.BytesIO()
    np.savez_compressed(buf, east=e, north=n, density=d)
    return buf.getvalue()


def record_analysis(
    store: Store,
    case_name: str,
    input_path: Path,
    survey: Survey,
    hits: Hits,
    sources: Sources,
    *,
    started_at: datetime | None = None,
) -> Added:
    """Record a survey, its hits and its sources in a case as new versions, in one transaction."""
    started_at = started_at or datetime.now(UTC)
    input_sha = sha256_file(input_path)
    with store.read() as s:
        get_case(s, case_name)  # fail before writing files for an unknown case
    parquet, parquet_sha = write_parquet(store, survey)
    t = survey.time
    who = actor()
    code = code_version()
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        row = s.scalar(
            select(m.Survey).where(m.Survey.case_id == case.id, m.Survey.input_sha256 == input_sha)
        )
        new = row is None
        if row is None:
            row = m.Survey(
                case_id=case.id,
                name=Path(input_path).name,
                input_path=str(Path(input_path).resolve()),
                input_sha256=input_sha,
                parquet_path=store.workspace.relative(parquet),
                parquet_sha256=parquet_sha,
                format=survey.format,
                n_samples=survey.n_samples,
                start_time=float(np.nanmin(t)),
                end_time=float(np.nanmax(t)),
                channels=dict(survey.channels),
                lat0=survey.frame.lat0,
                lon0=survey.frame.lon0,
                added_by=who,
            )
            s.add(row)
            s.flush()
            record(s, "survey.add", case.id, {"survey_id": row.id, "sha256": input_sha})
        inputs = {"survey": input_sha, "samples_parquet": parquet_sha}
        det = m.Run(
            case_id=case.id,
            survey_id=row.id,
            stage="detect",
            version=_next_version(s, row.id, "detect"),
            parameters=detect_parameters(hits),
            code_version=code,
            inputs=inputs,
            warnings=list(hits.warnings),
            summary={"n_hits": len(hits)},
            started_at=started_at,
            actor=who,
        )
        s.add(det)
        s.flush()
        _record_hits(s, det, hits)
        loc = m.Run(
            case_id=case.id,
            survey_id=row.id,
            stage="locate",
            version=_next_version(s, row.id, "locate"),
            parameters=locate_parameters(sources),
            code_version=code,
            inputs={**inputs, "detect_run": det.id},
            warnings=[w for w in sources.warnings if w not in hits.warnings],
            summary=_jsonable(
                {
                    "n_sources": len(sources),
                    "n_suspect": sum(x.suspect for x in sources.sources),
                    # until the sources table carries them (issue 12): each source's
                    # kind/probabilities/warnings, and the detections (seen, not located)
                    "source_levels": {
                        x.id: {
                            "kind": x.kind,
                            "probability_exists": x.probability_exists,
                            "p_suspect": x.p_suspect,
                            "warnings": list(x.warnings),
                        }
                        for x in sources.sources
                    },
                    "n_detections": len(getattr(sources, "detections", [])),
                    "detections": [
                        f["properties"] | {"lon_lat": f["geometry"]["coordinates"]}
                        for f in sources.to_geojson()["features"]
                        if f["properties"].get("kind") == "detection"
                    ],
                }
            ),
            raster_npz=_raster_npz(sources),
            started_at=started_at,
            actor=who,
        )
        s.add(loc)
        s.flush()
        _record_sources(s, loc, sources)
        s.flush()
        for run in (det, loc):
            record(
                s,
                f"run.{run.stage}",
                case.id,
                {"run_id": run.id, "survey_id": row.id, "version": run.version},
            )
        return Added(
            case=case_name,
            survey_id=row.id,
            survey_name=row.name,
            new_survey=new,
            detect_version=det.version,
            locate_version=loc.version,
            n_hits=len(hits),
            n_sources=len(sources),
            n_suspect=sum(x.suspect for x in sources.sources),
            parquet=parquet,
            warnings=tuple(sources.warnings),
        )


def add_survey(
    store: Store,
    case_name: str,
    path: Path,
    *,
    mapping: Path | None = None,
    wind: Path | None = None,
    strict: bool = False,
    quiet: bool = True,
) -> Added:
    """Read a survey file, run detect and locate on it, and record the runs in a case."""
    from olfato.detect.pipeline import detect
    from olfato.locate.pipeline import locate
    from olfato.options import load_survey

    with store.read() as s:
        get_case(s, case_name)  # an unknown case fails before the slow work
    started = datetime.now(UTC)
    survey = load_survey(path, mapping, wind, strict, quiet)
    hits = detect(survey)
    sources = locate(survey, hits)
    return record_analysis(store, case_name, path, survey, hits, sources, started_at=started)


def load_survey_samples(store: Store, row: m.Survey) -> Survey:
    """The survey's samples from its Parquet file, after checking its SHA-256."""
    from olfato.errors import OlfatoError
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
