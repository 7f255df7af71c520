"""Adding a survey to a case: read it, detect, locate, and record it all as new versions.

Two steps, so the slow part can run anywhere:

1. :func:`analyse_survey` reads, validates and projects the survey, finds its plume
   hits and locates their sources. It touches no database.
2. :func:`record_survey_analysis` writes the samples to a content-addressed Parquet
   file in the workspace, then in one transaction records the survey (once per input
   file), a new ``detect`` run with its hits and a new ``locate`` run with its
   sources and posterior raster, each with its parameters, the code version, the
   inputs' SHA-256 and the audit events, and an ``analysis`` run whose input key
   (the checksums of the file, mapping and wind log, and the options) lets a batch
   skip work already recorded. A process killed before that transaction commits
   leaves the store as it was.

Between the two, :func:`compact_analysis` reduces an analysis to plain data and bytes
(:class:`CompactAnalysis`): what a Dask worker sends back, and what
:func:`record_compact_analysis` records; :func:`record_survey_analysis` goes the same
way, so there is one recording code.

:func:`add_survey` is the two together, as ``olfato case add`` runs them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import tempfile
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
    n_detections : int, default 0
        Of the findings, how many are detections (plumes seen but not located).
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
    n_detections: int = 0

    @property
    def n_located(self) -> int:
        """Of the findings, how many are located sources (detections apart)."""
        return self.n_sources - self.n_detections

    @property
    def message(self) -> str:
        kind = "added" if self.new_survey else "re-run (earlier versions kept)"
        seen = (
            f" and {self.n_detections} detection(s) (plumes seen, not located)"
            if self.n_detections
            else ""
        )
        return (
            f"{self.survey_name} {kind} in case {self.case}: detect v{self.detect_version} "
            f"found {self.n_hits} hit(s); locate v{self.locate_version} found "
            f"{self.n_located} source(s), {self.n_suspect} suspect{seen}. "
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
    #: the options it was read with (part of the analysis' input key)
    mapping: Path | None = None
    wind: Path | None = None
    strict: bool = False
    #: of a file that holds several flights, the one read (None: the whole file)
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
    return SurveyAnalysis(
        Path(path),
        survey,
        hits,
        sources,
        started,
        mapping=Path(mapping) if mapping is not None else None,
        wind=Path(wind) if wind is not None else None,
        strict=strict,
        flight=flight,
    )


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


# -- a compact analysis: what crosses the wire from a worker ------------------------
#: the stage name of the run that records one whole analysis request (read, detect,
#: locate of one file with given options); its ``input_key`` is what a batch checks
ANALYSIS_STAGE = "analysis"


def analysis_request(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The inputs (checksums) and parameters of analysing one survey file.

    Parameters
    ----------
    path : str or Path
        The survey file.
    mapping, wind : str or Path, optional
        Its vendor mapping and wind log.
    strict : bool
        Any bad row is an error.

    Returns
    -------
    inputs : dict
        SHA-256 of the survey file, the mapping and the wind log (None when absent).
    parameters : dict
        The options that change the result (``strict``).
    """
    inputs = {
        "survey": sha256_file(path),
        "mapping": sha256_file(mapping) if mapping is not None else None,
        "wind": sha256_file(wind) if wind is not None else None,
    }
    return inputs, {"strict": bool(strict)}


def analysis_key(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
) -> str:
    """The :func:`olfato.store.records.input_key` of analysing ``path`` with these options.

    A case holding a done ``analysis`` run with this key already has this work.

    Parameters
    ----------
    path : str or Path
        The survey file.
    mapping, wind : str or Path, optional
        Its vendor mapping and wind log.
    strict : bool
        Any bad row is an error.

    Returns
    -------
    str
        SHA-256, hex, of the stage, the files' checksums and the options.
    """
    inputs, parameters = analysis_request(path, mapping=mapping, wind=wind, strict=strict)
    return records.input_key(ANALYSIS_STAGE, inputs, parameters)


def survey_facts(survey: Survey) -> dict[str, Any]:
    """What the case's survey row says about the samples.

    Parameters
    ----------
    survey : Survey
        The survey read.

    Returns
    -------
    dict
        ``format``, ``n_samples``, ``start_time``, ``end_time`` [s since the epoch],
        ``channels``, ``lat0``, ``lon0`` [deg] (see ``records.find_or_add_survey``).
    """
    t = survey.time
    return {
        "format": survey.format,
        "n_samples": int(survey.n_samples),
        "start_time": float(np.nanmin(t)) if len(t) else 0.0,
        "end_time": float(np.nanmax(t)) if len(t) else 0.0,
        "channels": dict(survey.channels),
        "lat0": float(survey.frame.lat0),
        "lon0": float(survey.frame.lon0),
    }


def samples_parquet(survey: Survey) -> bytes:
    """The survey's samples as Parquet bytes.

    Parameters
    ----------
    survey : Survey
        The survey read.

    Returns
    -------
    bytes
        What :meth:`Survey.to_parquet` writes (samples and the survey's metadata).
    """
    with tempfile.TemporaryDirectory(prefix="olfato-samples-") as tmp:
        path = survey.to_parquet(Path(tmp) / "samples.parquet")
        return path.read_bytes()


@dataclass(frozen=True)
class CompactAnalysis:
    """A survey analysed, reduced to what the case records: plain data and bytes.

    This is what a Dask worker sends back (tens to hundreds of kB: no Survey, Hits or
    Sources object, no posterior grids but the compressed raster), and the only thing
    :func:`record_compact_analysis` needs.
    """

    input_path: str
    input_sha256: str
    request_inputs: dict[str, Any]
    request_parameters: dict[str, Any]
    samples_parquet: bytes
    survey_facts: dict[str, Any]
    detect_parameters: dict[str, Any]
    detect_warnings: list[str]
    hit_rows: list[dict[str, Any]]
    locate_parameters: dict[str, Any]
    locate_warnings: list[str]
    source_features: list[dict[str, Any]]
    raster_npz: bytes
    started_at: datetime
    compute_s: float
    #: the survey's name in the case (None: the file's name)
    name: str | None = None

    @property
    def key(self) -> str:
        """The ``input_key`` of its ``analysis`` run (see :func:`analysis_key`)."""
        return records.input_key(ANALYSIS_STAGE, self.request_inputs, self.request_parameters)

    @property
    def nbytes(self) -> int:
        """Its size on the wire, roughly [bytes]: the Parquet and raster bytes dominate."""
        import pickle

        return len(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))


def compact_analysis(analysis: SurveyAnalysis) -> CompactAnalysis:
    """Reduce an analysis to plain data and bytes (no database; runs on a worker).

    Parameters
    ----------
    analysis : SurveyAnalysis
        What :func:`analyse_survey` returned.

    Returns
    -------
    CompactAnalysis
        What :func:`record_compact_analysis` records.
    """
    survey, hits, sources = analysis.survey, analysis.hits, analysis.sources
    inputs, parameters = analysis_request(
        analysis.input_path, mapping=analysis.mapping, wind=analysis.wind, strict=analysis.strict
    )
    survey_sha, name = inputs["survey"], None
    if analysis.flight is not None:  # one flight of a file: a survey of its own
        survey_sha = hashlib.sha256(f"{survey_sha}:flight:{analysis.flight}".encode()).hexdigest()
        name = f"{Path(analysis.input_path).name} (flight {analysis.flight})"
        parameters = {**parameters, "flight": analysis.flight}
    return CompactAnalysis(
        input_path=str(analysis.input_path),
        input_sha256=survey_sha,
        name=name,
        request_inputs=inputs,
        request_parameters=parameters,
        samples_parquet=samples_parquet(survey),
        survey_facts=survey_facts(survey),
        detect_parameters=detect_parameters(hits),
        detect_warnings=list(hits.warnings),
        hit_rows=hit_rows(hits),
        locate_parameters=locate_parameters(sources),
        locate_warnings=[w for w in sources.warnings if w not in hits.warnings],
        source_features=source_features(sources),
        raster_npz=raster_npz(sources),
        started_at=analysis.started_at,
        compute_s=(datetime.now(UTC) - analysis.started_at).total_seconds(),
    )


# -- step 2: record (one transaction) -------------------------------------------------
def record_compact_analysis(
    store: Store, case_name: str, c: CompactAnalysis, *, skip_recorded: bool = False
) -> Added | None:
    """Record a compact analysis in a case as new versions, in one transaction.

    The transaction adds the survey (once per input file), a ``detect`` run with its
    hits, a ``locate`` run with its sources and raster, and an ``analysis`` run whose
    ``input_key`` covers the input files' checksums and the options
    (:func:`analysis_key`).

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    c : CompactAnalysis
        What :func:`compact_analysis` returned (here or on a worker).
    skip_recorded : bool
        When the case already holds a done ``analysis`` run with the same key, record
        nothing and return None (checked inside the write transaction, so two batches
        racing on one case still record the work once).

    Returns
    -------
    Added or None
        The survey's row, the new runs' versions and what they found; None when
        skipped.

    Raises
    ------
    CaseError
        No case has that name (checked before any file is written).
    StoreError
        The store is busy or failed; nothing was recorded.
    """
    with store.read() as s:
        get_case(s, case_name)  # fail before writing files for an unknown case
    parquet, parquet_sha = records.write_samples_parquet(store, c.samples_parquet)
    features = c.source_features
    n_suspect = _n_suspect(features)
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        if skip_recorded and records.recorded_run(s, case, c.key) is not None:
            return None
        row, new = records.find_or_add_survey(
            s,
            case,
            input_path=Path(c.input_path),
            input_sha256=c.input_sha256,
            parquet_path=store.workspace.relative(parquet),
            parquet_sha256=parquet_sha,
            facts=c.survey_facts,
            name=c.name,
        )
        subject = f"survey:{row.id}"
        inputs = {"survey": c.input_sha256, "samples_parquet": parquet_sha}
        det = records.add_run(
            s,
            case,
            stage="detect",
            subject=subject,
            survey_id=row.id,
            parameters=c.detect_parameters,
            inputs=inputs,
            warnings=c.detect_warnings,
            summary={"n_hits": len(c.hit_rows)},
            started_at=c.started_at,
        )
        records.add_hits(s, det, c.hit_rows)
        loc = records.add_run(
            s,
            case,
            stage="locate",
            subject=subject,
            survey_id=row.id,
            parameters=c.locate_parameters,
            inputs={**inputs, "detect_run": det.id},
            warnings=c.locate_warnings,
            summary={"n_sources": len(features), "n_suspect": n_suspect},
            raster_npz=c.raster_npz,
            started_at=c.started_at,
        )
        records.add_sources(s, loc, features)
        records.add_run(
            s,
            case,
            stage=ANALYSIS_STAGE,
            subject=subject,
            survey_id=row.id,
            parameters=c.request_parameters,
            inputs=c.request_inputs,
            summary={"detect_run": det.id, "locate_run": loc.id, "compute_s": c.compute_s},
            started_at=c.started_at,
        )
        s.flush()
        return Added(
            case=case_name,
            survey_id=row.id,
            survey_name=row.name,
            new_survey=new,
            detect_version=det.version,
            locate_version=loc.version,
            n_hits=len(c.hit_rows),
            n_sources=len(features),
            n_suspect=n_suspect,
            parquet=parquet,
            warnings=(*c.detect_warnings, *c.locate_warnings),
            n_detections=sum(f["properties"].get("kind") == "detection" for f in features),
        )


def record_failed_analysis(
    store: Store,
    case_name: str,
    path: str | Path,
    error: str,
    *,
    inputs: Mapping[str, Any] | None = None,
    parameters: Mapping[str, Any] | None = None,
    started_at: datetime | None = None,
) -> int:
    """Record that analysing ``path`` failed: an ``analysis`` run with status ``failed``.

    Its subject is ``file:<SHA-256>`` (``file:<path>`` when the file could not even be
    read): a survey that fails has no survey row.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    path : str or Path
        The survey file.
    error : str
        Why it failed, as the user reads it.
    inputs, parameters : mapping, optional
        The analysis' inputs (checksums) and options (:func:`analysis_request`).
    started_at : datetime, optional
        When the attempt started (default now).

    Returns
    -------
    int
        The failed run's id.
    """
    inputs = dict(inputs or {"survey": None})
    subject = f"file:{inputs['survey']}" if inputs.get("survey") else f"file:{Path(path)}"
    with store.write() as s:
        case = get_case(s, case_name)
        lock_case(s, case.id)
        run = records.add_run(
            s,
            case,
            stage=ANALYSIS_STAGE,
            subject=subject[:200],
            parameters=dict(parameters or {}),
            inputs=inputs,
            summary={"file": str(path)},
            status="failed",
            error=error,
            started_at=started_at or datetime.now(UTC),
        )
        return run.id


def record_survey_analysis(store: Store, case_name: str, analysis: SurveyAnalysis) -> Added:
    """Record a survey, its hits and its sources in a case as new versions, in one transaction.

    It goes through :func:`compact_analysis` and :func:`record_compact_analysis`, as a
    batch does, so there is one recording code. The samples' Parquet file is written
    first (content-addressed, so a retry rewrites the same file); the rows follow in
    one transaction.

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
    with store.read() as s:
        get_case(s, case_name)  # an unknown case fails before any work
    added = record_compact_analysis(store, case_name, compact_analysis(analysis))
    assert added is not None  # skip_recorded is False
    return added


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
