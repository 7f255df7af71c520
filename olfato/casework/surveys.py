"""Adding a survey to a case: read it, detect, locate, and record it all as new versions.

Two steps, so the slow part can run anywhere:

1. :func:`analyse_survey` reads, validates and projects the survey, finds its plume
   hits and locates their sources. It touches no database.
2. :func:`record_survey_analysis` writes the samples to a content-addressed Parquet
   file in the workspace, then in one transaction records the survey (once per input
   file), a new ``detect`` run with its hits and a new ``locate`` run with its
   sources and posterior raster, each with its parameters, the code version, the
   inputs' SHA-256 and the audit events. A process killed before that transaction
   commits leaves the store as it was.

:func:`add_survey` is the two together, as ``olfato case add`` runs them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from olfato.store import records
from olfato.store.cases import get_case
from olfato.store.db import Store, lock_case
from olfato.store.workspace import sha256_file

if TYPE_CHECKING:
    from olfato.detect.pipeline import Hits
    from olfato.locate.pipeline import Sources
    from olfato.survey.model import Survey


@dataclass(frozen=True)
class Added:
    """What adding a survey recorded.

    Attributes
    ----------
    case : str
        The case's name.
    survey_id : int
        Id of the survey's row.
    survey_name : str
        The survey's name (its input file's name).
    new_survey : bool
        False when the case already held the file and only new runs were recorded.
    detect_version, locate_version : int
        Versions of the new detect and locate runs.
    n_hits : int
        Plume hits the detect run found.
    n_sources : int
        Findings of the locate run (located sources and detections).
    n_suspect : int
        Of those, how many match a suspect signature.
    parquet : pathlib.Path
        The survey's samples in the workspace.
    warnings : tuple of str
        Data-quality and plausibility warnings of the runs.
    """

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


@dataclass
class SurveyAnalysis:
    """A survey read, its hits and its sources: what :func:`analyse_survey` returns.

    Attributes
    ----------
    input_path : pathlib.Path
        The survey file.
    survey : olfato.survey.model.Survey
        The survey read, validated and projected.
    hits : olfato.detect.pipeline.Hits
        Its plume hits.
    sources : olfato.locate.pipeline.Sources
        Its located sources and detections.
    started_at : datetime.datetime
        When the analysis started (UTC).
    flight : int or None
        The flight of a file that holds several, or None for the whole file.
    """

    input_path: Path
    survey: Survey
    hits: Hits
    sources: Sources
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    flight: int | None = None


# -- step 1: compute (no database) ---------------------------------------------------
def analyse_survey(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
    quiet: bool = True,
    flight: int | None = None,
) -> SurveyAnalysis:
    """Read a survey file, find its plume hits and locate their sources.

    Parameters
    ----------
    path : str or Path
        The survey file (Survey CSV v1, vendor CSV with ``mapping``, ULog, tlog,
        DataFlash, Parquet).
    mapping, wind : str or Path, optional
        The vendor mapping (YAML) and a separate wind log.
    strict : bool
        Any bad row is an error instead of being dropped and reported.
    quiet : bool
        No progress bars.
    flight : int, optional
        Of a file that holds several flights, this one (from 1).

    Returns
    -------
    SurveyAnalysis
        The survey, its hits and its sources, with when the analysis started.

    Raises
    ------
    SurveyError
        The file cannot be read, or has bad rows and ``strict`` is set.
    """
    from olfato.detect.pipeline import detect
    from olfato.locate.pipeline import locate
    from olfato.survey.io import read_survey

    started = datetime.now(UTC)
    survey = read_survey(
        path, mapping=mapping, wind=wind, strict=strict, quiet=quiet, flight=flight
    )
    hits = detect(survey)
    sources = locate(survey, hits)
    return SurveyAnalysis(Path(path), survey, hits, sources, started, flight)


# -- what the runs record -----------------------------------------------------------
def detect_parameters(hits: Hits) -> dict[str, Any]:
    """A detect run's parameters, as recorded.

    Parameters
    ----------
    hits : olfato.detect.pipeline.Hits
        What detect found.

    Returns
    -------
    dict
        ``false_alarms_per_hour`` [1/h], ``threshold_sd`` [standard deviations], the
        signature library's files by name and SHA-256, and the channels, JSON-able.
    """
    return records.jsonable(
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
    """A locate run's parameters, as recorded.

    Parameters
    ----------
    sources : olfato.locate.pipeline.Sources
        What locate found.

    Returns
    -------
    dict
        The transport model, likelihood settings, stability class, per-channel lag [s]
        and search domain, JSON-able.
    """
    return records.jsonable(
        {
            "transport": sources.transport,
            "settings": dataclasses.asdict(sources.settings),
            "stability": sources.stability,
            "lag_s": dict(sources.lag_s),
            "domain": dataclasses.asdict(sources.domain),
        }
    )


def hit_rows(hits: Hits) -> list[dict[str, Any]]:
    """The hits as rows for :func:`olfato.store.records.add_hits`.

    Parameters
    ----------
    hits : olfato.detect.pipeline.Hits
        What detect found.

    Returns
    -------
    list of dict
        One row per hit: ``number``, times [s since the epoch], ``lat``/``lon`` [deg],
        ``snr`` [-], ``signature``, ``suspect`` and its GeoJSON ``properties``.
    """
    geo = hits.to_geojson()["features"]
    return [
        {
            "number": int(row["id"]),
            "start_time": row["start_time"],
            "end_time": row["end_time"],
            "peak_time": row["peak_time"],
            "lat": row["lat"],
            "lon": row["lon"],
            "snr": row["snr"],
            "signature": row.get("signature") or "",
            "suspect": bool(row.get("suspect", False)),
            "properties": feat["properties"],
        }
        for row, feat in zip(hits.table.to_dict("records"), geo, strict=True)
    ]


def source_features(sources: Sources) -> list[dict[str, Any]]:
    """The findings as Sources GeoJSON features, positions at full precision, for the store.

    Parameters
    ----------
    sources : olfato.locate.pipeline.Sources
        What locate found.

    Returns
    -------
    list of dict
        GeoJSON Point features, coordinates ``[lon, lat]`` [deg] unrounded, with the
        Sources GeoJSON properties.
    """
    exact = {s.id: (float(s.lon), float(s.lat)) for s in sources.sources}
    features = sources.to_geojson()["features"]
    for feat in features:
        where = exact.get(feat["properties"]["id"])
        if where is not None:
            feat["geometry"] = {"type": "Point", "coordinates": list(where)}
    return features


def raster_npz(sources: Sources) -> bytes:
    """The posterior raster (east, north, density) as compressed NumPy .npz bytes.

    Parameters
    ----------
    sources : olfato.locate.pipeline.Sources
        What locate found.

    Returns
    -------
    bytes
        An ``.npz`` with arrays ``east``, ``north`` (cell centres [m] in the survey's
        local frame) and ``density`` (posterior probability per cell [-]).
    """
    e, n, d = sources.raster()
    buf = io.BytesIO()
    np.savez_compressed(buf, east=e, north=n, density=d)
    return buf.getvalue()


def _n_suspect(features: Iterable[Mapping[str, Any]]) -> int:
    return sum(bool(f["properties"].get("suspect")) for f in features)


# -- step 2: record (one transaction) -------------------------------------------------
def record_survey_analysis(store: Store, case_name: str, analysis: SurveyAnalysis) -> Added:
    """Record a survey, its hits and its sources in a case as new versions, in one transaction.

    The samples' Parquet file is written first (content-addressed, so a retry
    rewrites the same file); the rows follow in one transaction.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    analysis : SurveyAnalysis
        What :func:`analyse_survey` returned.

    Returns
    -------
    Added
        The survey's row, the new runs' versions and what they found.

    Raises
    ------
    CaseError
        No case has that name (checked before any file is written).
    StoreError
        The store is busy or failed; nothing was recorded.
    """
    survey, hits, sources = analysis.survey, analysis.hits, analysis.sources
    input_sha = sha256_file(analysis.input_path)
    name = None
    if analysis.flight is not None:  # one flight of a file: a survey of its own
        input_sha = hashlib.sha256(f"{input_sha}:flight:{analysis.flight}".encode()).hexdigest()
        name = f"{analysis.input_path.name} (flight {analysis.flight})"
    with store.read() as s:
        get_case(s, case_name)  # fail before writing files for an unknown case
    parquet, parquet_sha = records.write_samples(store, survey)
    features = source_features(sources)
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        row, new = records.find_or_add_survey(
            s,
            case,
            input_path=analysis.input_path,
            input_sha256=input_sha,
            parquet_path=store.workspace.relative(parquet),
            parquet_sha256=parquet_sha,
            survey=survey,
            name=name,
        )
        subject = f"survey:{row.id}"
        inputs = {"survey": input_sha, "samples_parquet": parquet_sha}
        det = records.add_run(
            s,
            case,
            stage="detect",
            subject=subject,
            survey_id=row.id,
            parameters=detect_parameters(hits),
            inputs=inputs,
            warnings=list(hits.warnings),
            summary={"n_hits": len(hits)},
            started_at=analysis.started_at,
        )
        records.add_hits(s, det, hit_rows(hits))
        loc = records.add_run(
            s,
            case,
            stage="locate",
            subject=subject,
            survey_id=row.id,
            parameters=locate_parameters(sources),
            inputs={**inputs, "detect_run": det.id},
            warnings=[w for w in sources.warnings if w not in hits.warnings],
            summary={"n_sources": len(features), "n_suspect": _n_suspect(features)},
            raster_npz=raster_npz(sources),
            started_at=analysis.started_at,
        )
        records.add_sources(s, loc, features)
        s.flush()
        return Added(
            case=case_name,
            survey_id=row.id,
            survey_name=row.name,
            new_survey=new,
            detect_version=det.version,
            locate_version=loc.version,
            n_hits=len(hits),
            n_sources=len(features),
            n_suspect=_n_suspect(features),
            parquet=parquet,
            warnings=tuple(sources.warnings),
        )


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
    """Record an analysis made elsewhere (the demo, a test) in a case.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    input_path : pathlib.Path
        The survey file the analysis was made from.
    survey : olfato.survey.model.Survey
        The survey.
    hits : olfato.detect.pipeline.Hits
        Its plume hits.
    sources : olfato.locate.pipeline.Sources
        Its sources.
    started_at : datetime.datetime, optional
        When the analysis started; now when None.

    Returns
    -------
    Added
        As :func:`record_survey_analysis`.

    Raises
    ------
    CaseError
        No case has that name.
    """
    analysis = SurveyAnalysis(
        Path(input_path), survey, hits, sources, started_at or datetime.now(UTC)
    )
    return record_survey_analysis(store, case_name, analysis)


def add_survey(
    store: Store,
    case_name: str,
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
    quiet: bool = True,
    flight: int | None = None,
) -> Added:
    """Read a survey file, run detect and locate on it, and record the runs in a case.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case; checked before the slow work.
    path : str or pathlib.Path
        The survey file (see :func:`analyse_survey`).
    mapping, wind : str or pathlib.Path, optional
        The vendor mapping (YAML) and a separate wind log.
    strict : bool, default False
        Any bad row is an error instead of being dropped and reported.
    quiet : bool, default True
        No progress bars.
    flight : int, optional
        Of a file that holds several flights, this one (from 1): recorded as a survey of
        its own, named ``<file> (flight N)``.

    Returns
    -------
    Added
        The survey's row, the new runs' versions and what they found.

    Raises
    ------
    CaseError
        No case has that name.
    SurveyError
        The file cannot be read, or has bad rows and ``strict`` is set.
    """
    with store.read() as s:
        get_case(s, case_name)  # an unknown case fails before the slow work
    analysis = analyse_survey(
        path, mapping=mapping, wind=wind, strict=strict, quiet=quiet, flight=flight
    )
    return record_survey_analysis(store, case_name, analysis)


def count_flights(path: str | Path, *, mapping: str | Path | None = None) -> int:
    """How many flights a survey file holds (see :mod:`olfato.survey.flights`).

    Parameters
    ----------
    path : str or Path
        The survey file.
    mapping : str or Path, optional
        Its vendor mapping (YAML), when it needs one.

    Returns
    -------
    int
        The number of flights (1 for a file with one).
    """
    from olfato.survey.flights import split_flights
    from olfato.survey.io import read_survey

    survey = read_survey(path, mapping=mapping, quiet=True)  # without wind: only counts
    return len(split_flights(survey.time, survey.samples["alt_agl_m"].to_numpy(dtype=float)))
