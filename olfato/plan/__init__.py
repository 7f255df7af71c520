"""Where to fly next: survey patterns, information-driven follow-up, mission files.

    from olfato.plan import read_area, cover_area, next_flight, write_qgc_plan
    area = read_area("area.geojson")
    sorties = cover_area(area, wind_from_deg=270, alt_m=20, spacing_m=60,
                         speed_ms=6, endurance_s=1200, reserve=0.2)
    write_qgc_plan(sorties, "survey.plan")         # one .plan per sortie
    follow_up = next_flight(sources, survey)        # locate's Sources, or a GeoJSON path
    write_qgc_plan(follow_up, "next.plan")

Modules, one concept each: :mod:`~olfato.plan.geometry` (polygons, clipping),
:mod:`~olfato.plan.area` (area and no-fly polygons from GeoJSON/KML),
:mod:`~olfato.plan.coverage` (crosswind survey lines), :mod:`~olfato.plan.sortie`
and :mod:`~olfato.plan.sorties` (battery-sized flights), :mod:`~olfato.plan.candidates`
(sources to follow up), :mod:`~olfato.plan.conditions` (wind, noise, home),
:mod:`~olfato.plan.followup` (expected information gain), :mod:`~olfato.plan.nofly`
(no-fly zones), :mod:`~olfato.plan.export_qgc`, :mod:`~olfato.plan.export_kml`,
:mod:`~olfato.plan.export_geojson`, :mod:`~olfato.plan.plot` (preview),
:mod:`~olfato.plan.nextflight` (:func:`next_flight`), :mod:`~olfato.plan.inputs`
(what `plan next` starts from: a survey or its Sources GeoJSON, zones, home),
:mod:`~olfato.plan.flight_defaults` (the default speed, endurance, reserve, altitude
band and goal). The survey lines themselves live in :mod:`olfato.survey.lines`, shared
with the simulator.
"""

from typing import TYPE_CHECKING

from olfato.lazy import exports

if TYPE_CHECKING:
    from olfato.plan.area import Area, read_area, read_no_fly
    from olfato.plan.candidates import (
        Candidate,
        candidates_from_geojson,
        candidates_from_sources,
        read_candidates,
    )
    from olfato.plan.conditions import Conditions, conditions_from_survey
    from olfato.plan.coverage import survey_lines
    from olfato.plan.export_geojson import write_geojson
    from olfato.plan.export_kml import write_kml
    from olfato.plan.export_qgc import QgcMission, read_qgc_plan, write_qgc_plan
    from olfato.plan.followup import FollowUp, plan_followup
    from olfato.plan.inputs import FollowupInputs, followup_inputs
    from olfato.plan.sortie import Sortie
    from olfato.plan.sorties import cover_area

__all__ = [
    "Area",
    "Candidate",
    "Conditions",
    "FollowUp",
    "FollowupInputs",
    "QgcMission",
    "Sortie",
    "candidates_from_geojson",
    "candidates_from_sources",
    "conditions_from_survey",
    "cover_area",
    "followup_inputs",
    "plan_followup",
    "read_area",
    "read_candidates",
    "read_no_fly",
    "read_qgc_plan",
    "survey_lines",
    "write_geojson",
    "write_kml",
    "write_qgc_plan",
]
#: where each export lives; loaded on first use (PEP 562), so that `olfato --help`
#: does not import SciPy
_MODULE = {
    "Area": "area",
    "read_area": "area",
    "read_no_fly": "area",
    "Candidate": "candidates",
    "candidates_from_geojson": "candidates",
    "candidates_from_sources": "candidates",
    "read_candidates": "candidates",
    "Conditions": "conditions",
    "conditions_from_survey": "conditions",
    "survey_lines": "coverage",
    "write_geojson": "export_geojson",
    "write_kml": "export_kml",
    "QgcMission": "export_qgc",
    "read_qgc_plan": "export_qgc",
    "write_qgc_plan": "export_qgc",
    "FollowUp": "followup",
    "plan_followup": "followup",
    "FollowupInputs": "inputs",
    "followup_inputs": "inputs",
    "Sortie": "sortie",
    "cover_area": "sorties",
}

__getattr__ = exports(__name__, _MODULE)
