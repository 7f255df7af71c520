"""What `plan next` starts from: a survey (located here) or a Sources GeoJSON, the frame,
the no-fly zones and the home point, as plain data for :func:`~olfato.plan.nextflight.next_flight`.

One function that the command line, the server and batch runs call alike, so that
none of them decides by itself between a survey and its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from olfato.errors import OlfatoError
from olfato.plan.area import Area, read_no_fly
from olfato.plan.candidates import Candidate, candidates_from_geojson
from olfato.plan.nextflight import load_sources_json
from olfato.survey.model import Survey
from olfato.survey.projection import LocalFrame

#: file suffixes read as a Sources GeoJSON (everything else is a survey)
SOURCES_SUFFIXES = (".geojson", ".json")


@dataclass
class FollowupInputs:
    """The inputs of a follow-up plan, resolved.

    ``candidates``: locate's :class:`~olfato.locate.pipeline.Sources` (from a survey)
    or :class:`~olfato.plan.candidates.Candidate` list (from a Sources GeoJSON);
    ``survey``: the survey for wind, noise and home, or None; ``frame``: the local
    frame everything is in; ``no_fly``: zones in that frame; ``home``: (east, north)
    [m] or None (the survey's take-off then).
    """

    candidates: Any
    survey: Survey | None
    frame: LocalFrame
    no_fly: list[Area] = field(default_factory=list)
    home: tuple[float, float] | None = None


def is_sources_file(path: str | Path) -> bool:
    """Whether a file is read as a Sources GeoJSON, not as a survey.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    bool
        True for the suffixes in :data:`SOURCES_SUFFIXES`.
    """
    return Path(path).suffix.lower() in SOURCES_SUFFIXES


def parse_home(text: str | None, frame: LocalFrame) -> tuple[float, float] | None:
    """A home point given as text, in local metres.

    Parameters
    ----------
    text : str or None
        ``"LAT,LON"`` in decimal degrees [deg], e.g. ``"29.0950,-111.0420"``.
    frame : LocalFrame
        The local frame to project into.

    Returns
    -------
    (east, north) or None
        [m]; None when ``text`` is None.

    Raises
    ------
    OlfatoError
        With ``parameter="home"`` when the text is not a position.
    """
    if text is None:
        return None
    try:
        lat_s, lon_s = text.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise OlfatoError(
            f"the home point must be LAT,LON in decimal degrees (e.g. 29.0950,-111.0420), "
            f"got {text!r}",
            parameter="home",
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OlfatoError(
            f"the home point {text!r} is not a position (lat -90..90, lon -180..180)",
            parameter="home",
        )
    e, n = frame.to_local([lat], [lon])
    return float(e[0]), float(n[0])


def followup_inputs(
    path: str | Path,
    *,
    survey: str | Path | None = None,
    no_fly: Sequence[str | Path] | None = None,
    home: str | None = None,
    mapping: str | Path | None = None,
    wind: str | Path | None = None,
    strict: bool = False,
    quiet: bool = False,
) -> FollowupInputs:
    """Resolve what a follow-up flight is planned from.

    Parameters
    ----------
    path : str or Path
        The last survey (any format :func:`olfato.survey.io.read_survey` reads; its
        sources are located here with :func:`olfato.locate.locate`) or a Sources
        GeoJSON (``.geojson``/``.json``, DESIGN.md contract).
    survey : str or Path, optional
        With a Sources GeoJSON: the survey it came from (wind, noise, home point).
    no_fly : sequence of paths, optional
        No-fly zone polygons (GeoJSON or KML).
    home : str, optional
        Home point ``"LAT,LON"`` [deg] (:func:`parse_home`).
    mapping, wind, strict, quiet
        How surveys are read (:func:`olfato.survey.io.read_survey`).

    Returns
    -------
    FollowupInputs
        Candidates, survey, frame, zones and home, ready for
        :func:`~olfato.plan.nextflight.next_flight`.

    Raises
    ------
    OlfatoError
        For unreadable files, or a ``survey`` given with a survey ``path``.
    """
    from olfato.survey.io import read_survey

    def read(p: str | Path) -> Survey:
        return read_survey(p, mapping=mapping, wind=wind, strict=strict, quiet=quiet)

    sv: Survey | None = None
    given: Any
    if is_sources_file(path):
        given = load_sources_json(Path(path))
        if survey is not None:
            sv = read(survey)
    else:
        if survey is not None:
            raise OlfatoError(
                f"{path} is a survey; a second survey ({survey}) is only for a Sources GeoJSON",
                parameter="survey",
            )
        from olfato.locate import locate

        sv = read(path)
        given = locate(sv)
    frame = sv.frame if sv is not None else candidates_from_geojson(given, str(path))[1]
    zones = read_no_fly([Path(p) for p in no_fly or []], frame)
    if isinstance(given, dict):
        cands: list[Candidate] = candidates_from_geojson(given, str(path), frame)[0]
        given = cands
    return FollowupInputs(given, sv, frame, zones, parse_home(home, frame))
