"""Merging sightings into sites: the statistics against closed forms, the merge rules."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from olfato.batch.sites import (
    Sighting,
    add_misses,
    bhattacharyya_coefficient,
    fuse,
    inside_hull,
    mahalanobis2,
    merge_sightings,
)
from olfato.locate.posterior import Ellipse, chi2_2_quantile, ellipse_covariance

LAB = {"clandestine_lab": 0.9, "livestock_farm": 0.1}
FARM = {"clandestine_lab": 0.05, "livestock_farm": 0.95}


def sighting(
    flight: int,
    e: float,
    n: float,
    probs: dict[str, float],
    *,
    a: float = 40.0,
    b: float = 20.0,
    az: float = 90.0,
    label: str = "S1",
) -> Sighting:
    return Sighting(
        flight, 1e9 + 86400 * flight, label, e, n, ellipse_covariance(Ellipse(a, b, az)), probs
    )


@pytest.mark.parametrize("level", [0.5, 0.9, 0.95, 0.99])
def test_chi2_quantile_is_the_published_one(level: float) -> None:
    assert chi2_2_quantile(level) == pytest.approx(stats.chi2.ppf(level, 2), rel=1e-12)
    assert chi2_2_quantile(0.95) == pytest.approx(5.991, abs=1e-3)


def test_a_point_on_the_95_ellipse_is_at_the_95_quantile() -> None:
    cov = ellipse_covariance(Ellipse(40.0, 10.0, 30.0))
    # the end of the major axis, 40 m along azimuth 30 deg from north
    end = 40.0 * np.array([np.sin(np.radians(30)), np.cos(np.radians(30))])
    d2 = end @ np.linalg.solve(cov, end)
    assert d2 == pytest.approx(stats.chi2.ppf(0.95, 2), rel=1e-9)
    side = 10.0 * np.array([np.cos(np.radians(30)), -np.sin(np.radians(30))])
    assert side @ np.linalg.solve(cov, side) == pytest.approx(5.991, abs=1e-3)
    # Monte Carlo: 95 % of draws fall inside
    rng = np.random.default_rng(0)
    x = rng.multivariate_normal([0, 0], cov, size=200_000)
    inside = np.einsum("ij,ij->i", x, np.linalg.solve(cov, x.T).T) <= 5.991
    assert inside.mean() == pytest.approx(0.95, abs=0.003)


def test_mahalanobis_of_two_estimates_sums_their_covariances() -> None:
    c = np.diag([4.0, 9.0])
    assert mahalanobis2(np.array([4.0, 0.0]), c, np.zeros(2), c) == pytest.approx(2.0)


def test_bhattacharyya_coefficient() -> None:
    assert bhattacharyya_coefficient(LAB, LAB) == pytest.approx(1.0)
    assert bhattacharyya_coefficient({"a": 1.0}, {"b": 1.0}) == 0.0
    expected = np.sqrt(0.9 * 0.05) + np.sqrt(0.1 * 0.95)
    assert bhattacharyya_coefficient(LAB, FARM) == pytest.approx(expected)
    # unnormalised input is normalised
    assert bhattacharyya_coefficient({"a": 2, "b": 2}, {"a": 0.5, "b": 0.5}) == pytest.approx(1)


def test_fuse_is_the_product_of_gaussians() -> None:
    mu, cov = fuse([np.array([0.0, 0.0]), np.array([10.0, 0.0])], [np.eye(2) * 4, np.eye(2)])
    assert mu == pytest.approx([8.0, 0.0])  # precision-weighted: (0/4 + 10/1) / (1/4 + 1)
    assert cov == pytest.approx(np.eye(2) * 0.8)


def test_same_place_same_chemistry_is_one_site_seen_again() -> None:
    sites = merge_sightings([sighting(1, 0, 0, LAB), sighting(2, 15, 5, LAB)])
    assert len(sites) == 1 and sites[0].flights == [1, 2]
    assert sites[0].status({1: 1e9 + 86400, 2: 1e9 + 2 * 86400}) == "seen again"


def test_same_place_different_chemistry_is_two_sites() -> None:
    # a lab next to a farm: the positions agree, the chemistry does not
    assert len(merge_sightings([sighting(1, 0, 0, LAB), sighting(2, 5, 0, FARM)])) == 2


def test_position_is_judged_by_the_posteriors_not_a_distance() -> None:
    # 60 m apart along a 100 m-long ellipse: the same source
    wide = [sighting(1, 0, 0, LAB, a=100, b=20, az=90), sighting(2, 60, 0, LAB, a=100, b=20, az=90)]
    assert len(merge_sightings(wide)) == 1
    # 60 m apart across it (north): the ellipses do not overlap
    across = [
        sighting(1, 0, 0, LAB, a=100, b=20, az=90),
        sighting(2, 0, 60, LAB, a=100, b=20, az=90),
    ]
    assert len(merge_sightings(across)) == 2
    # 20 m apart, each pinned to 4 m: two sources
    tight = [sighting(1, 0, 0, LAB, a=4, b=4), sighting(2, 20, 0, LAB, a=4, b=4)]
    assert len(merge_sightings(tight)) == 2


def test_two_sources_of_one_flight_are_never_merged() -> None:
    one = [sighting(1, 0, 0, LAB, label="S1"), sighting(1, 10, 0, LAB, label="S2")]
    sites = merge_sightings([*one, sighting(2, 9, 0, LAB)])
    assert len(sites) == 2
    # the later sighting goes to the nearer one (assignment on d²)
    assert [len(s.sightings) for s in sites] == [1, 2]
    assert sites[1].sightings[0].label == "S2"


def test_a_covering_flight_without_it_is_a_miss() -> None:
    sites = merge_sightings([sighting(1, 0, 0, LAB), sighting(2, 5, 0, LAB)])
    square = np.array([[-100.0, -100.0], [100.0, -100.0], [100.0, 100.0], [-100.0, 100.0]])
    far = square + 1000.0
    times = {f: 1e9 + 86400 * f for f in (1, 2, 3, 4)}
    add_misses(sites, {1: square, 2: square, 3: square, 4: far}, times)
    assert sites[0].misses == [3]  # flight 4 was elsewhere
    assert sites[0].status(times) == "not seen again"
    assert inside_hull(square, 0, 0) and not inside_hull(square, 150, 0)
    assert inside_hull(square[::-1], 0, 0)  # either orientation
