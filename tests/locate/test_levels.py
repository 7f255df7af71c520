"""Levels of finding (issue 12): located sources vs detections, and suspect only on evidence."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import levels as lv
from olfato.locate import locate
from olfato.locate.geojson import sources_to_geojson
from olfato.locate.posterior import Domain, Ellipse

from .conftest import Flight


def test_passes_split_at_turns_not_along_a_line() -> None:
    # three 200 m lines flown east, west, east at 5 m/s, joined by 40 m legs north
    pts = [(0.0, 0.0)]
    for leg, (de, dn) in enumerate([(200, 0), (0, 40), (-200, 0), (0, 40), (200, 0)]):
        n_steps = int(math.hypot(de, dn) / 5)
        e0, n0 = pts[-1]
        pts += [(e0 + de * k / n_steps, n0 + dn * k / n_steps) for k in range(1, n_steps + 1)]
        del leg
    e, n = np.array(pts).T
    t = np.arange(len(e), dtype=float)
    p = lv.pass_numbers(t, e, n)
    line1, line2, line3 = p[10], p[60], p[110]
    assert line1 != line2 != line3 and line1 != line3
    assert np.all(p[5:35] == line1)  # one straight line is one pass
    assert np.all(np.diff(p) >= 0)


def test_a_hit_cut_by_the_log_counts_as_no_pass() -> None:
    # hits 1 (cut by the log's start) and 2 on passes 0 and 1, hit 3 on pass 1
    peak_pass = {1: 0, 2: 1, 3: 1}
    assert lv.passes_crossed([1, 2], peak_pass) == 2
    assert lv.passes_crossed([1, 2], peak_pass, partial={1}) == 1
    assert lv.passes_crossed([1, 2, 3], peak_pass, partial={1}) == 1
    assert lv.passes_crossed([1], peak_pass, partial={1}) == 0


def test_noise_probability_is_the_poisson_chance_of_a_noise_hit() -> None:
    # one hit exactly at the threshold, one false hit expected in the flight: 1 - 1/e
    assert lv.noise_probability(np.array([5.0]), 5.0, 1.0) == pytest.approx(1 - math.exp(-1))
    # a strong hit is almost never noise: N = exp(-(8^2 - 5^2)/2) = exp(-19.5)
    assert lv.noise_probability(np.array([8.0]), 5.0, 1.0) == pytest.approx(
        -math.expm1(-math.exp(-19.5)), rel=1e-9
    )
    # two hits: both must be noise
    two = lv.noise_probability(np.array([5.0, 5.0]), 5.0, 1.0)
    assert two == pytest.approx((1 - math.exp(-1)) ** 2)


def test_separate_probability_is_the_bayes_factor() -> None:
    assert lv.separate_probability(0.0) == pytest.approx(0.5)
    assert lv.separate_probability(-math.log(9.0)) == pytest.approx(0.9)
    assert lv.separate_probability(-1e6) == pytest.approx(1.0)


def test_rate_at_the_prior_bound_and_the_ellipse_inside_the_domain() -> None:
    assert lv.rate_at_bound((150.0, 1000.0), (1e-4, 1e3))
    assert lv.rate_at_bound((1e-4, 1.0), (1e-4, 1e3))
    assert not lv.rate_at_bound((0.5, 3.0), (1e-4, 1e3))
    dom = Domain(-100.0, 100.0, -100.0, 100.0)
    assert lv.ellipse_inside(Ellipse(50.0, 10.0, 90.0), 0.0, 0.0, dom)
    assert not lv.ellipse_inside(Ellipse(50.0, 10.0, 90.0), 60.0, 0.0, dom)  # east edge
    assert lv.ellipse_inside(Ellipse(50.0, 10.0, 0.0), 60.0, 0.0, dom)  # north-south, fits


def test_thresholds_must_be_probabilities() -> None:
    with pytest.raises(OlfatoError, match="min_probability_exists"):
        lv.Thresholds(min_probability_exists=1.5)


@pytest.fixture(scope="module")
def located(one_lab: Flight):
    return locate(one_lab.survey, one_lab.hits)


def test_a_lab_crossed_on_several_passes_is_a_located_suspect(one_lab: Flight, located) -> None:
    assert len(located.sources) == 1 and not located.detections
    s = located.sources[0]
    assert s.kind == "source" and s.suspect
    assert s.probability_exists > 0.99
    assert s.p_suspect >= located.thresholds.min_probability_suspect
    props = sources_to_geojson(located)["features"][0]["properties"]
    assert props["kind"] == "source" and props["warnings"] == []
    assert props["probability_exists"] == pytest.approx(s.probability_exists, abs=1e-4)


def test_one_crossing_is_a_detection_with_a_bearing_never_suspect(one_lab: Flight) -> None:
    hits = one_lab.hits
    k = int(np.argmax(hits.table["snr"].to_numpy()))
    one = dataclasses.replace(
        hits, table=hits.table.iloc[[k]].reset_index(drop=True), fingerprints=[hits.fingerprints[k]]
    )
    res = locate(one_lab.survey, one)
    assert res.sources == [] and len(res.detections) == 1
    d = res.detections[0]
    assert d.kind == "detection" and d.suspect is False
    # the wind blows FROM the west (270 deg): the plume came from the west
    assert abs((d.bearing_deg - 270.0 + 180.0) % 360.0 - 180.0) < 25.0
    assert 0.0 < d.wedge_deg < 60.0
    # a Point at the crossing, not somewhere upwind
    assert (
        math.hypot(
            d.east_m - hits.table["east_m"].iloc[k], d.north_m - hits.table["north_m"].iloc[k]
        )
        < 40.0
    )
    assert any("1 pass" in w for w in d.warnings)
    gj = json.loads(json.dumps(sources_to_geojson(res)))
    p = gj["features"][0]["properties"]
    assert p["kind"] == "detection" and p["suspect"] is False
    assert p["ellipse95_m"] is None and p["rate_g_s"] is None
    assert {"bearing_deg", "wedge_deg", "probability_exists", "warnings"} <= set(p)
    assert "1 detection(s)" in res.message


def test_a_detection_in_a_sources_file_is_followed_up_at_its_broad_posterior(
    one_lab: Flight,
) -> None:
    """plan next from the file plans for the detection as it does from the survey: at
    its posterior's mean, with its 95% region and rate, never suspect; a file written
    before the search region existed gets a clear error, not a crash."""
    from olfato.plan.candidates import candidates_from_geojson, candidates_from_sources

    hits = one_lab.hits
    k = int(np.argmax(hits.table["snr"].to_numpy()))
    one = dataclasses.replace(
        hits, table=hits.table.iloc[[k]].reset_index(drop=True), fingerprints=[hits.fingerprints[k]]
    )
    res = locate(one_lab.survey, one)
    gj = json.loads(json.dumps(sources_to_geojson(res)))
    p = gj["features"][0]["properties"]
    assert p["ellipse95_m"] is None and p["rate_g_s"] is None  # not located: the contract
    post = res.detections[0].posterior
    assert p["search_ellipse95_m"]["semi_major"] == pytest.approx(post.ellipse.semi_major, rel=1e-3)
    from_file, frame = candidates_from_geojson(gj, "sources.geojson", one_lab.survey.frame)
    in_memory, _ = candidates_from_sources(res)
    assert len(from_file) == len(in_memory) == 1
    a, b = from_file[0], in_memory[0]
    assert a.id == b.id == res.detections[0].id and not a.suspect
    assert math.hypot(a.east_m - b.east_m, a.north_m - b.north_m) < 0.5
    assert a.semi_major_m == pytest.approx(b.semi_major_m, rel=1e-3)
    assert a.rate_g_s == pytest.approx(b.rate_g_s, rel=1e-3)
    assert a.p_suspect == pytest.approx(b.p_suspect, abs=1e-6)
    for key in [q for q in p if q.startswith("search_")]:
        del p[key]
    with pytest.raises(OlfatoError, match="no detections with a search region"):
        candidates_from_geojson(gj, "old.geojson", frame)


def test_zero_wind_is_refused_with_a_clear_error_and_detect_still_reports_hits(
    one_lab: Flight,
) -> None:
    from olfato.detect import detect

    survey = one_lab.survey
    calm = type(survey)(
        survey.samples.assign(wind_speed_ms=0.0),
        survey.frame,
        survey.channels,
        "calm.csv",
        survey.format,
    )
    hits = detect(calm)
    assert len(hits) >= 3  # the plume is still seen
    with pytest.raises(OlfatoError, match=r"calm.csv.*wind_speed_ms.*too calm"):
        locate(calm, hits)


def test_a_stricter_threshold_removes_the_suspect_and_says_why(one_lab: Flight) -> None:
    res = locate(
        one_lab.survey, one_lab.hits, thresholds=lv.Thresholds(min_probability_suspect=1.0)
    )
    s = res.sources[0]
    assert not s.suspect
    assert any("P(suspect signature)" in w for w in s.warnings)
