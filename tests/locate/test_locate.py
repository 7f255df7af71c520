"""locate() on simulated turbulent flights: position, region, rate, fingerprint, conventions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.geojson import sources_to_geojson

from .conftest import Flight

CONTRACT = {
    "id",
    "rate_g_s",
    "rate_ci95_g_s",
    "analyte",
    "ellipse95_m",
    "signature",
    "signature_probabilities",
    "suspect",
    "n_hits",
}


@pytest.fixture(scope="module")
def located(one_lab: Flight):
    return locate(one_lab.survey, one_lab.hits)


def test_one_lab_found_once_near_the_truth(one_lab: Flight, located) -> None:
    assert len(one_lab.hits) >= 3
    assert len(located) == 1  # one source, never reported twice
    s = located.sources[0]
    te, tn = one_lab.truth()
    err = float(np.hypot(s.east_m - te, s.north_m - tn))
    assert err < 30.0, err
    assert s.n_hits == len(one_lab.hits)
    assert s.suspect and s.signature == "clandestine_lab"
    truth_rate = one_lab.sim.truth["sources"][0]["rates_g_s"][s.analyte]
    assert s.rate_ci95_g_s[0] < truth_rate < s.rate_ci95_g_s[1]
    assert 0.5 < s.rate_g_s / truth_rate < 2.0
    # the source is upwind (west, for a westerly) of every hit: no ghost downwind
    assert s.east_m < one_lab.hits.table["east_m"].min()


def test_ellipse_is_long_along_the_wind_and_holds_the_truth(one_lab: Flight, located) -> None:
    s = located.sources[0]
    el = s.ellipse95
    # westerly: along-wind is east-west, azimuth ~ 90 deg
    assert abs(el.azimuth_deg - 90.0) < 20.0
    assert el.semi_major > el.semi_minor
    te, tn = one_lab.truth()
    az = np.deg2rad(el.azimuth_deg)
    d = np.array([te - s.east_m, tn - s.north_m])
    m = (d @ [np.sin(az), np.cos(az)] / el.semi_major) ** 2
    m += (d @ [np.cos(az), -np.sin(az)] / el.semi_minor) ** 2
    assert m <= 1.0
    assert s.crlb_m > 0 and s.crlb_m < el.semi_major


def test_wind_from_the_north_east_is_another_quadrant_handled_right(one_lab_ne: Flight) -> None:
    res = locate(one_lab_ne.survey, one_lab_ne.hits)
    te, tn = one_lab_ne.truth()
    best = min(float(np.hypot(s.east_m - te, s.north_m - tn)) for s in res.sources)
    assert best < 35.0, best


def test_a_flipped_wind_convention_gives_a_ghost_far_away(one_lab: Flight) -> None:
    # the classic bug: reading the direction the wind blows TO as FROM. The estimate
    # then lands on the wrong side of the hits, far from the truth
    survey = one_lab.survey
    flipped = type(survey)(
        survey.samples.assign(wind_dir_deg=(survey.samples["wind_dir_deg"] + 180.0) % 360.0),
        survey.frame,
        survey.channels,
        survey.source,
        survey.format,
    )
    res = locate(flipped, one_lab.hits)
    te, tn = one_lab.truth()
    # the ghost's region runs out of the flown area, so it may be a detection: its
    # posterior mean is still far from the truth, and nothing is called suspect
    where = [(s.east_m, s.north_m) for s in res.sources]
    where += [d.posterior.mean for d in res.detections if d.posterior is not None]
    assert where
    best = min(float(np.hypot(x - te, y - tn)) for x, y in where)
    assert best > 100.0
    assert not any(s.suspect for s in res.sources)


def test_geojson_is_the_contract(one_lab: Flight, located) -> None:
    gj = json.loads(json.dumps(sources_to_geojson(located)))
    assert gj["type"] == "FeatureCollection"
    f = gj["features"][0]
    assert f["geometry"]["type"] == "Point"
    lon, lat = f["geometry"]["coordinates"]
    assert -112 < lon < -110 and 28 < lat < 30  # [lon, lat] order (Sonora)
    assert CONTRACT <= set(f["properties"])
    p = f["properties"]
    assert set(p["ellipse95_m"]) == {"semi_major", "semi_minor", "azimuth_deg"}
    lo, hi = p["rate_ci95_g_s"]
    assert lo < p["rate_g_s"] < hi
    assert abs(sum(p["signature_probabilities"].values()) - 1.0) < 1e-3
    assert p["n_hits"] == len(one_lab.hits)
    assert isinstance(p["crlb_m"], float)


def test_no_plume_gives_an_empty_collection(no_plume: Flight) -> None:
    res = locate(no_plume.survey, no_plume.hits)
    assert len(res) == 0
    assert "no plume" in res.message
    gj = sources_to_geojson(res)
    assert gj["features"] == [] and gj["type"] == "FeatureCollection"


def test_survey_without_wind_is_a_clear_error(one_lab: Flight) -> None:
    survey = one_lab.survey
    broken = type(survey)(
        survey.samples.assign(wind_speed_ms=np.nan),
        survey.frame,
        survey.channels,
        "broken.csv",
        survey.format,
    )
    with pytest.raises(OlfatoError, match=r"broken.csv.*wind_speed_ms"):
        locate(broken, one_lab.hits)
    gone = type(survey)(
        survey.samples.drop(columns=["wind_dir_deg"]),
        survey.frame,
        survey.channels,
        "gone.csv",
        survey.format,
    )
    with pytest.raises(OlfatoError, match=r"gone.csv.*wind_dir_deg"):
        locate(gone, one_lab.hits)
