"""The wind FROM convention and plume coordinates, which later stages rely on."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.physics.dispersion import gaussian_plume
from olfato.physics.wind import downwind_crosswind, wind_from_vector, wind_vector


def test_wind_from_west_blows_east():
    u, v = wind_vector(5.0, 270.0)
    assert u == pytest.approx(5.0) and v == pytest.approx(0.0, abs=1e-12)


def test_wind_from_north_blows_south():
    u, v = wind_vector(5.0, 0.0)
    assert u == pytest.approx(0.0, abs=1e-12) and v == pytest.approx(-5.0)


def test_vector_round_trip_and_calm():
    dirs = np.array([0.0, 45.0, 90.0, 180.0, 269.0, 359.5])
    s, d = wind_from_vector(*wind_vector(3.0, dirs))
    assert np.allclose(s, 3.0) and np.allclose(d, dirs)
    s0, d0 = wind_from_vector(0.0, 0.0)
    assert s0 == 0.0 and d0 == 0.0


def test_downwind_of_a_west_wind_is_east():
    x, y = downwind_crosswind([100.0, 0.0, -100.0], [0.0, 50.0, 0.0], 0.0, 0.0, 270.0)
    assert np.allclose(x, [100.0, 0.0, -100.0])
    # crosswind is positive to the left looking downwind: north, for an eastward wind
    assert np.allclose(y, [0.0, 50.0, 0.0])


def test_downwind_of_a_northeast_wind_is_southwest():
    x, y = downwind_crosswind(-70.710678, -70.710678, 0.0, 0.0, 45.0)
    assert x == pytest.approx(100.0, abs=1e-4) and y == pytest.approx(0.0, abs=1e-4)


def test_relative_to_a_source_not_the_origin():
    x, y = downwind_crosswind(250.0, 40.0, 50.0, 40.0, 270.0)
    assert (x, y) == (pytest.approx(200.0), pytest.approx(0.0, abs=1e-12))


def test_plume_lies_downwind():
    x, y = downwind_crosswind(
        np.array([300.0, -300.0, 0.0]), np.array([0.0, 0.0, -300.0]), 0, 0, 270.0
    )
    c = gaussian_plume(x, y, 2.0, 1.0, 3.0, 2.0, "D")
    assert c[0] > 1e-5 and c[1] == 0.0 and c[2] == 0.0
