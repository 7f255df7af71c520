"""next_flight(): the follow-up sortie from located sources (or their GeoJSON) and a survey."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from olfato.errors import OlfatoError
from olfato.plan.area import Area
from olfato.plan.candidates import (
    Candidate,
    candidates_from_geojson,
    candidates_from_sources,
    read_candidates,
)
from olfato.plan.conditions import Conditions, conditions_from_survey
from olfato.plan.flight_defaults import (
    ENDURANCE_S,
    GOAL_M,
    MAX_ALT_M,
    MIN_ALT_M,
    RESERVE,
    SPEED_MS,
)
from olfato.plan.followup import FollowUp, plan_followup
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame


def _candidates(
    given: Any, survey: Survey | None, frame: LocalFrame | None
) -> tuple[list[Candidate], LocalFrame]:
    fr = survey.frame if survey is not None else frame
    if hasattr(given, "sources") and hasattr(given, "survey"):  # olfato.locate.Sources
        if not given.sources:
            raise OlfatoError(
                f"{given.survey.source}: locate found no sources, so there is nothing to "
                "follow up; fly a wider or denser area survey (olfato plan area)"
            )
        return candidates_from_sources(given)
    if isinstance(given, str | Path):
        return read_candidates(given, fr)
    if isinstance(given, dict):
        return candidates_from_geojson(given, "sources", fr)
    items = list(given)
    if items and all(isinstance(c, Candidate) for c in items):
        if fr is None:
            raise OlfatoError("candidates in local metres need their frame (frame=...)")
        return items, fr
    raise OlfatoError(
        "next_flight needs locate's Sources, a Sources GeoJSON (path or object) or a list "
        "of candidates"
    )


def next_flight(
    candidates_or_sources: Any,
    survey: Survey | None = None,
    *,
    frame: LocalFrame | None = None,
    home: tuple[float, float] | None = None,
    wind_from_deg: float | None = None,
    wind_speed_ms: float | None = None,
    stability: str | None = None,
    min_alt_m: float = MIN_ALT_M,
    max_alt_m: float = MAX_ALT_M,
    speed_ms: float = SPEED_MS,
    endurance_s: float = ENDURANCE_S,
    reserve: float = RESERVE,
    no_fly: Sequence[Area] = (),
    goal_m: float = GOAL_M,
    seed: int = 0,
) -> FollowUp:
    """The next flight that most reduces the candidates' expected uncertainty.

    Parameters
    ----------
    candidates_or_sources : Sources, str, Path, dict or list of Candidate
        :func:`olfato.locate.locate`'s result (its posterior rasters are used), a
        Sources GeoJSON path or object (DESIGN.md contract), or candidates with
        ``frame``.
    survey : Survey, optional
        The last survey, for the wind, stability, sensor noise and home point (its
        take-off); without it give ``wind_from_deg``, ``wind_speed_ms`` and ``home``.
    frame : LocalFrame, optional
        The candidates' frame, when they are given in local metres.
    home : (east, north), optional
        Take-off and landing in the candidates' frame [m].
    wind_from_deg : float, optional
        Wind direction FROM [deg]; overrides the survey's.
    wind_speed_ms : float, optional
        Wind speed [m/s]; overrides the survey's.
    stability : str, optional
        Pasquill class A..F; overrides the survey's.
    min_alt_m, max_alt_m : float
        The altitude band [m].
    speed_ms : float
        Cruise speed [m/s].
    endurance_s : float
        Battery endurance [s].
    reserve : float
        Fraction of the endurance kept [-].
    no_fly : sequence of Area
        Zones kept out of.
    goal_m : float
        The 95% semi-major axis at which a candidate counts as settled [m].
    seed : int
        Seed of the Monte Carlo.

    Returns
    -------
    FollowUp
        Its ``sortie`` is what to fly.

    Raises
    ------
    OlfatoError
        For missing wind or home, or impossible settings; ``parameter`` names the
        parameter at fault.
    """
    if survey is None and hasattr(candidates_or_sources, "survey"):
        survey = candidates_or_sources.survey
    cands, fr = _candidates(candidates_or_sources, survey, frame)
    if survey is not None:
        cond = conditions_from_survey(survey)
        if survey.frame != fr:
            raise OlfatoError("the sources and the survey are in different local frames")
    else:
        if wind_from_deg is None or wind_speed_ms is None:
            missing = "wind_from_deg" if wind_from_deg is None else "wind_speed_ms"
            raise OlfatoError(
                "without a survey the wind must be given: its direction FROM [deg] and its "
                "speed [m/s] (or pass the survey)",
                parameter=missing,
            )
        cond = Conditions(wind_speed_ms=wind_speed_ms, wind_from_deg=wind_from_deg)
    if wind_from_deg is not None:
        cond.wind_from_deg = float(wind_from_deg)
    if wind_speed_ms is not None:
        cond.wind_speed_ms = float(wind_speed_ms)
    if stability is not None:
        cond.stability = stability.upper()
    zones = [z.in_frame(fr) for z in no_fly]
    return plan_followup(
        cands,
        cond,
        fr,
        home=home,
        min_alt_m=min_alt_m,
        max_alt_m=max_alt_m,
        speed_ms=speed_ms,
        endurance_s=endurance_s,
        reserve=reserve,
        no_fly=zones,
        goal_m=goal_m,
        seed=seed,
    )


def load_sources_json(path: Path) -> dict[str, Any]:
    """The parsed Sources GeoJSON in a file.

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    dict
        The parsed object.

    Raises
    ------
    OlfatoError
        For an unreadable file or invalid JSON, naming the file.
    """
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise OlfatoError(f"{path}: cannot read the sources: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise OlfatoError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(obj, dict):
        raise OlfatoError(f"{path}: not a Sources GeoJSON FeatureCollection")
    return obj
