"""A flight-wide wind-direction bias integrated out (locate's direction_bias_sd_deg)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.locate import locate
from olfato.locate.posterior import ellipse_covariance

from .conftest import Flight


def _mahalanobis2(src: object, te: float, tn: float) -> float:
    cov = ellipse_covariance(src.ellipse95)  # type: ignore[attr-defined]
    d = np.array([te - src.east_m, tn - src.north_m])  # type: ignore[attr-defined]
    return float(d @ np.linalg.solve(cov, d))


@pytest.mark.slow
def test_a_biased_wind_log_widens_the_region_towards_the_truth(one_lab: Flight) -> None:
    s = one_lab.survey.samples
    biased = dataclasses.replace(
        one_lab.survey, samples=s.assign(wind_dir_deg=(s["wind_dir_deg"] + 8.0) % 360.0)
    )
    plain = locate(biased, one_lab.hits, direction_bias_sd_deg=0.0)
    nuis = locate(biased, one_lab.hits, direction_bias_sd_deg=5.0)
    assert len(plain.sources) == len(nuis.sources) == 1
    a, b = plain.sources[0], nuis.sources[0]
    te, tn = one_lab.truth()
    # the bias's arc widens the region (it is no longer sure of the wrong direction) and
    # the truth lies closer to it in the region's own metric
    assert b.ellipse95.semi_major * b.ellipse95.semi_minor > a.ellipse95.semi_major * (
        a.ellipse95.semi_minor
    )
    assert _mahalanobis2(b, te, tn) < _mahalanobis2(a, te, tn)


def test_a_negative_bias_sd_names_the_parameter(one_lab: Flight) -> None:
    with pytest.raises(OlfatoError, match="direction_bias_sd_deg") as err:
        locate(one_lab.survey, one_lab.hits, direction_bias_sd_deg=-1.0)
    assert err.value.parameter == "direction_bias_sd_deg"
