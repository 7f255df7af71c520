"""The stage functions the server calls, in one module (so a move of them is one edit here).

Each function here is what a route or a background job does, and nothing more than
the CLI's command does: read a survey, run detect and locate and record them, make
reports and exports, plan the next flight.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from olfato.casework.plans import record_plan
from olfato.casework.surveys import SurveyAnalysis, record_survey_analysis
from olfato.store import models as m
from olfato.store.db import Store
from olfato.store.records import load_survey_samples

#: progress callback: (fraction 0..1, what is being done)
Progress = Callable[[float, str], None]


def read_survey_file(path: Path, mapping: Path | None, wind: Path | None) -> Any:
    """Read and validate a survey file as ``olfato case add`` does (raises SurveyError)."""
    from olfato.survey.io import read_survey

    return read_survey(path, mapping=mapping, wind=wind, strict=False, quiet=True)


def analyse_survey(
    store: Store,
    case_name: str,
    path: Path,
    mapping: Path | None,
    wind: Path | None,
    progress: Progress,
) -> dict[str, Any]:
    """Read a survey, detect and locate, and record it all in the case (``olfato case add``)."""
    from olfato.detect.pipeline import detect
    from olfato.locate.pipeline import locate

    started = datetime.now(UTC)
    progress(0.05, "reading the survey")
    survey = read_survey_file(path, mapping, wind)
    progress(0.25, "detecting plume crossings")
    hits = detect(survey)
    progress(0.5, "locating sources")
    sources = locate(survey, hits)
    progress(0.9, "recording the runs")
    added = record_survey_analysis(
        store, case_name, SurveyAnalysis(path, survey, hits, sources, started)
    )
    return {
        "survey_id": added.survey_id,
        "detect_version": added.detect_version,
        "locate_version": added.locate_version,
        "n_hits": added.n_hits,
        "n_sources": added.n_located,
        "n_detections": added.n_detections,
        "n_suspect": added.n_suspect,
        "message": added.message,
    }


def reanalyse_survey(
    store: Store, case_name: str, row: m.Survey, progress: Progress
) -> dict[str, Any]:
    """Run detect and locate again on a stored survey (new versions, older ones kept)."""
    from olfato.detect.pipeline import detect
    from olfato.locate.pipeline import locate

    started = datetime.now(UTC)
    progress(0.05, "reading the stored samples")
    survey = load_survey_samples(store, row)
    progress(0.25, "detecting plume crossings")
    hits = detect(survey)
    progress(0.5, "locating sources")
    sources = locate(survey, hits)
    progress(0.9, "recording the runs")
    source_file = Path(row.input_path)
    if not source_file.exists():
        source_file = store.workspace.resolve(row.parquet_path)
    added = record_survey_analysis(
        store, case_name, SurveyAnalysis(source_file, survey, hits, sources, started)
    )
    return {
        "survey_id": added.survey_id,
        "detect_version": added.detect_version,
        "locate_version": added.locate_version,
        "n_hits": added.n_hits,
        "n_sources": added.n_located,
        "n_detections": added.n_detections,
        "message": added.message,
    }


def make_report(
    store: Store, case_name: str, lang: str, fmt: str, releasable_to: list[str], progress: Progress
) -> dict[str, Any]:
    """Render and record the case's report (``olfato report CASE --no-exports``)."""
    from olfato.report.make import make_report as _make

    progress(0.1, "rendering the report")
    products = _make(store, case_name, lang=lang, fmt=fmt, releasable_to=releasable_to)
    return {"product_ids": [p.id for p in products]}


def make_exports(store: Store, case_name: str, releasable_to: list[str]) -> list[m.Product]:
    """Write and record the case's GeoJSON, KML and CSV of candidates."""
    from olfato.report.make import make_exports as _make

    return _make(store, case_name, releasable_to=releasable_to)


def make_package(store: Store, case_name: str, partner: str) -> m.Product:
    """Build the signed partner package (``olfato share CASE --releasable-to CODE``)."""
    from olfato.report.products import default_folder
    from olfato.report.share import build_package

    folder = default_folder(store, case_name)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    out = folder / f"{case_name}.package.{partner}.{stamp}.zip"
    return build_package(store, case_name, partner, out)


def plan_next_flight(
    store: Store, case_name: str, row: m.Survey, seed: int, progress: Progress
) -> dict[str, Any]:
    """The next flight for a stored survey (``olfato plan next SURVEY``): .plan and KML
    files in the workspace, recorded in the case as a ``plan`` run."""
    from olfato.locate import locate
    from olfato.plan import write_kml, write_qgc_plan
    from olfato.plan.nextflight import next_flight

    started = datetime.now(UTC)
    progress(0.05, "reading the stored samples")
    survey = load_survey_samples(store, row)
    progress(0.2, "locating sources")
    sources = locate(survey)
    progress(0.5, "planning the flight")
    fu = next_flight(sources, survey, frame=survey.frame, seed=seed)
    folder = store.workspace.root / "plans" / case_name
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    plan = write_qgc_plan(fu.sortie, folder / f"survey{row.id}.{stamp}.plan")[0]
    kml = write_kml([fu.sortie], plan.with_suffix(".kml"), candidates=fu.candidates)
    progress(0.9, "recording the plan")
    original = Path(row.input_path)
    rec = record_plan(
        store,
        case_name,
        [plan, kml],
        parameters={"seed": seed},
        inputs={"samples_parquet": store.workspace.resolve(row.parquet_path)},
        survey=original if original.exists() else None,
        started_at=started,
        summary={
            "waypoints": len(fu.sortie.waypoints),
            "distance_m": float(fu.sortie.distance_m),
            "flight_time_s": float(fu.sortie.flight_time_s),
        },
    )
    return {"run_id": rec.run_id, "plan_ids": list(rec.plan_ids), "message": rec.message}


def case_network(store: Store, case_name: str, k: int) -> dict[str, Any]:
    """The case's network measures and its ``k`` KPP-Neg key players (``olfato network``).

    The read of the case's entities is audited by
    :func:`olfato.casework.network.load_case_network`.

    Parameters
    ----------
    store : Store
        The open case store.
    case_name : str
        The case.
    k : int
        Size of the key-player set (fewer on a small network).

    Returns
    -------
    dict
        ``nodes`` and ``graph`` as ``olfato network measures --json`` prints them, and
        ``key_players``: ``set``, ``fragmentation_before``, ``fragmentation_after``.
    """
    from olfato.casework.network import load_case_network
    from olfato.network.keyplayers import fragmentation, kpp_neg
    from olfato.network.measures import network_measures
    from olfato.network.model import simple_graph

    g = simple_graph(load_case_network(store, case_name, purpose="server"))
    if g.number_of_nodes() == 0:
        return {"nodes": [], "graph": {}, "key_players": {"set": []}}
    out = network_measures(g).as_json()
    kk = min(k, g.number_of_nodes() - 2)
    players = kpp_neg(g, kk).players if kk >= 1 else []
    out["key_players"] = {
        "set": [str(p) for p in players],
        "fragmentation_before": fragmentation(g),
        "fragmentation_after": fragmentation(g, players),
    }
    return out
