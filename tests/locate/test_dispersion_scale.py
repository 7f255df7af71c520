"""A factor on the stability class's dispersion: sigma_y, sigma_z and the transport error
scaled together, and averaged over as a nuisance where the class's curves are in doubt."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.defaults import DISPERSION_SCALES, WIDER_DISPERSION_SCALES
from olfato.locate.likelihood import (
    Settings,
    crosswind_integral,
    dispersion_sigmas,
    lateral_loglik,
)
from olfato.locate.transport import plume_coordinates, wind_history
from olfato.physics.dispersion import sigma_yz

from .conftest import Flight, bias_cross, check_factor_option


def test_the_factor_multiplies_both_sigmas_and_the_transport_error() -> None:
    x = np.array([20.0, 150.0, 900.0])
    sy, sz = sigma_yz(x, "D", "pasquill_gifford")
    sy2, sz2 = dispersion_sigmas(x, Settings(stability="D", dispersion_scale=1.6))
    assert sy2 == pytest.approx(1.6 * sy, rel=1e-12)
    assert sz2 == pytest.approx(1.6 * sz, rel=1e-12)
    assert Settings(transport_sd_deg=3.0, dispersion_scale=2.5).transport_sd_rad == (
        pytest.approx(np.deg2rad(7.5))
    )


def test_a_ground_plume_seen_at_the_ground_halves_when_it_spreads_twice_as_fast() -> None:
    # source and receptor at the ground: CIC = 2 Q / (sqrt(2 pi) u sz) (Turner 1970, eq.
    # 3.1 integrated across the wind), so doubling sz halves it; the lateral scale of a
    # crossing 200 m downwind doubles with the transport error once it dominates
    t = np.arange(0.0, 600.0, 1.0)
    wind = wind_history(t, np.full(t.size, 4.0), np.full(t.size, 270.0))
    co = plume_coordinates(
        np.array([200.0]),
        np.array([0.0]),
        np.array([500.0]),
        np.array([0.0]),
        np.array([0.0]),
        wind,
    )
    one, two = Settings(), Settings(dispersion_scale=2.0)
    c1 = crosswind_integral(co, np.array([0.0]), np.array([0.0]), one)
    c2 = crosswind_integral(co, np.array([0.0]), np.array([0.0]), two)
    _, sz = sigma_yz(np.array([200.0]), "D", "pasquill_gifford")
    assert c1[0, 0, 0] == pytest.approx(2.0 / (np.sqrt(2 * np.pi) * 4.0 * sz[0]), rel=1e-9)
    assert c2[0, 0, 0] == pytest.approx(0.5 * c1[0, 0, 0], rel=1e-12)
    no_pos = dataclasses.replace(one, position_sd_m=0.0)
    peak1 = lateral_loglik(co, no_pos)[0, 0]
    peak2 = lateral_loglik(co, dataclasses.replace(no_pos, dispersion_scale=2.0))[0, 0]
    assert peak1 - peak2 == pytest.approx(np.log(2.0), rel=1e-9)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_a_bad_factor_is_a_clear_error(bad: float) -> None:
    # locate's dispersion_scales are checked with its other factors: test_transport_error.py
    with pytest.raises(OlfatoError, match="dispersion_scale") as e:
        Settings(dispersion_scale=bad)
    assert e.value.parameter == "dispersion_scale"


def test_the_cross_of_bias_nodes_and_factors_has_the_product_prior(one_lab: Flight) -> None:
    comps = bias_cross(one_lab, dispersion_scales=dict.fromkeys(WIDER_DISPERSION_SCALES, 1.0))
    # Gauss-Hermite weights 1/6, 2/3, 1/6 times 1/3 per factor, restricted to the cross
    # (no bias with every factor, every bias with the nominal factor): 2/9, 2/9, 2/9,
    # 1/18, 1/18 of 7/9
    w = {(round(c.bias_deg, 3), c.dispersion_scale): float(np.exp(c.log_prior)) for c in comps}
    b = round(np.sqrt(3) * 4, 3)
    expect = {(0.0, 1.0): 2 / 7, (0.0, 1.6): 2 / 7, (0.0, 2.5): 2 / 7, (b, 1.0): 1 / 14}
    expect[(-b, 1.0)] = 1 / 14
    assert w == pytest.approx(expect)
    assert all(
        c.settings is not None and c.settings.dispersion_scale == c.dispersion_scale for c in comps
    )


def test_off_by_default_and_the_mixture_reports_the_factors(one_lab: Flight) -> None:
    assert DISPERSION_SCALES == (1.0,)
    plain = locate(one_lab.survey, one_lab.hits)
    assert plain.sources and all(s.posterior.dispersion_probs == {} for s in plain.sources)
    wide = locate(one_lab.survey, one_lab.hits, dispersion_scales=WIDER_DISPERSION_SCALES)
    for src in wide.sources:
        probs = src.posterior.dispersion_probs
        assert set(probs) == set(WIDER_DISPERSION_SCALES)
        assert sum(probs.values()) == pytest.approx(1.0)
    props = [f["properties"] for f in wide.to_geojson()["features"]]
    props = [p for p in props if p["kind"] == "source"]
    assert props and set(props[0]["dispersion_probabilities"]) == {"1", "1.6", "2.5"}
    # one fixed factor is the class's dispersion times it, with no mixture
    fixed = locate(one_lab.survey, one_lab.hits, dispersion_scales=(1.6,))
    assert fixed.settings.dispersion_scale == 1.6
    assert all(s.posterior.dispersion_probs == {} for s in fixed.sources)


def test_the_cli_option_averages_over_the_factors_and_refuses_words(
    one_lab: Flight, tmp_path: Path
) -> None:
    check_factor_option(
        one_lab,
        tmp_path,
        "--dispersion-scales",
        "1,1.6,2.5",
        "dispersion_probabilities",
        {"1", "1.6", "2.5"},
    )
