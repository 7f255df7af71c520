"""What `plan next` starts from: a Sources GeoJSON or a survey, resolved to plain data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from olfato.errors import OlfatoError
from olfato.plan.candidates import Candidate
from olfato.plan.inputs import followup_inputs, is_sources_file, parse_home

from .helpers import FRAME, rect, sources_geojson, write_polygon


def test_a_sources_geojson_gives_candidates_frame_zones_and_home(tmp_path: Path) -> None:
    src = tmp_path / "s.geojson"
    src.write_text(json.dumps(sources_geojson([{"id": "S1", "east_m": 100.0, "north_m": -50.0}])))
    zone = write_polygon(tmp_path / "z.geojson", rect(0, 20, 0, 20))
    inp = followup_inputs(src, no_fly=[zone], home="29.0950,-111.0420")
    assert inp.survey is None
    assert [c.id for c in inp.candidates] == ["S1"]
    assert all(isinstance(c, Candidate) for c in inp.candidates)
    # the frame is centred on the sources, so the one source sits at its origin
    assert inp.candidates[0].east_m == pytest.approx(0.0, abs=0.01)
    assert len(inp.no_fly) == 1 and inp.no_fly[0].frame == inp.frame
    # home is FRAME's origin: 100 m west and 50 m north of the source
    assert inp.home is not None
    assert inp.home[0] == pytest.approx(-100.0, abs=0.01)
    assert inp.home[1] == pytest.approx(50.0, abs=0.01)


def test_bad_home_and_a_second_survey_name_their_parameter(tmp_path: Path) -> None:
    with pytest.raises(OlfatoError, match="home point must be LAT,LON") as err:
        parse_home("north", FRAME)
    assert err.value.parameter == "home"
    with pytest.raises(OlfatoError, match="not a position") as err:
        parse_home("95,10", FRAME)
    assert err.value.parameter == "home"
    survey = tmp_path / "survey.csv"
    survey.write_text("time,lat,lon\n")
    with pytest.raises(OlfatoError, match="only for a Sources GeoJSON") as err:
        followup_inputs(survey, survey=survey)
    assert err.value.parameter == "survey"
    assert is_sources_file("a.GeoJSON") and is_sources_file("b.json")
    assert not is_sources_file("c.csv")
