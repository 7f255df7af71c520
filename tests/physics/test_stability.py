"""Solar elevation against NREL's published SPA example; Pasquill's table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from olfato.physics.stability import pasquill_class, solar_elevation


def _epoch(*args, offset_h=0.0):
    tz = dt.timezone(dt.timedelta(hours=offset_h))
    return dt.datetime(*args, tzinfo=tz).timestamp()


def test_solar_elevation_matches_nrel_spa_example():
    # Reda & Andreas (2004), NREL/TP-560-34302, the SPA example: 2003-10-17 12:30:30
    # local (UTC-7), 39.742476 N 105.1786 W: topocentric zenith 50.11162 deg
    t = _epoch(2003, 10, 17, 12, 30, 30, offset_h=-7)
    assert solar_elevation(t, 39.742476, -105.1786) == pytest.approx(90 - 50.11162, abs=0.05)


def test_sun_below_horizon_at_night_and_high_at_noon():
    night = solar_elevation(_epoch(2024, 3, 15, 2, 0, offset_h=-7), 29.1, -111.0)
    noon = solar_elevation(_epoch(2024, 3, 20, 12, 30, offset_h=-7), 29.1, -111.0)
    assert night < -30
    # near the equinox the noon sun stands at about 90 - latitude
    assert noon == pytest.approx(90 - 29.1, abs=1.5)


@pytest.mark.parametrize(
    ("u", "elev", "cloud", "expected"),
    [
        (1.5, 70, 0, "A"),  # < 2 m/s, strong sun
        (2.5, 70, 0, "B"),  # A-B -> the more stable
        (4.0, 45, 0, "C"),  # B-C -> C
        (5.5, 45, 0, "D"),  # C-D -> D
        (7.0, 70, 0, "C"),
        (7.0, 20, 0, "D"),  # slight
        (1.0, 10, 0, "C"),  # weak (low sun), light wind
        (4.0, 10, 0, "D"),
        (2.5, -10, 2, "F"),  # night, clear
        (2.5, -10, 5, "E"),  # night, cloudy
        (4.0, -10, 2, "E"),
        (4.0, -10, 5, "D"),
        (1.0, -10, 0, "F"),  # calm night
        (1.5, 70, 8, "D"),  # overcast
        (1.5, 70, 6, "B"),  # cloud weakens strong -> moderate (A-B -> B)
    ],
)
def test_pasquill_table(u, elev, cloud, expected):
    assert str(pasquill_class(u, elev, cloud)) == expected


def test_pasquill_vectorised():
    out = pasquill_class(np.array([1.5, 7.0, 2.5]), np.array([70, 70, -5]))
    assert out.tolist() == ["A", "C", "F"]
