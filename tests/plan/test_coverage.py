"""Crosswind coverage lines and their split into battery-sized sorties."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.plan import cover_area, read_area, survey_lines
from olfato.plan.geometry import path_length

from .helpers import FRAME, rect, write_polygon


def _area(tmp_path: Path, *rings: list[tuple[float, float]]):  # type: ignore[no-untyped-def]
    return read_area(write_polygon(tmp_path / "area.geojson", *rings), FRAME)


def test_lines_are_crosswind_start_downwind_and_alternate(tmp_path: Path) -> None:
    area = _area(tmp_path, rect(-300, 300, -200, 200))
    lines = survey_lines(area, wind_from_deg=270.0, spacing_m=50.0, margin_m=2.0)
    # wind from the west: lines run north-south, 12 of them across 600 m, east edge first
    assert len(lines) == 12
    east = [float(p[0, 0]) for p in lines]
    assert east == pytest.approx([275.0 - 50.0 * k for k in range(12)], abs=1e-6)
    for p in lines:
        assert p[0, 0] == pytest.approx(p[1, 0])  # crosswind: constant east
        assert abs(p[1, 1] - p[0, 1]) == pytest.approx(396.0, abs=1e-6)  # 2 m margins
    dirs = [np.sign(p[1, 1] - p[0, 1]) for p in lines]
    assert all(a == -b for a, b in itertools.pairwise(dirs))


def test_sorties_fit_the_battery_and_fly_every_line_once(tmp_path: Path) -> None:
    area = _area(tmp_path, rect(-300, 300, -200, 200))
    lines = survey_lines(area, 270.0, 50.0)
    total_lines = sum(path_length(p) for p in lines)
    sorties = cover_area(area, 270.0, alt_m=20, spacing_m=50, speed_ms=6, endurance_s=600)
    usable = 600 * 0.8
    assert len(sorties) >= int(np.ceil(total_lines / 6 / usable))
    assert len(sorties) > 1
    for s in sorties:
        assert s.fits and s.flight_time_s <= usable
        assert bool(np.all(area.contains(s.waypoints[:, 0], s.waypoints[:, 1])))
    flown = np.concatenate([s.waypoints for s in sorties]).reshape(-1, 2, 2)
    assert sum(path_length(p) for p in flown) == pytest.approx(total_lines)
    # the default home point is where the first (downwind) line starts
    assert sorties[0].home == pytest.approx(tuple(lines[0][0]))


def test_a_concave_area_keeps_every_line_piece_inside(tmp_path: Path) -> None:
    u_shape = [
        (0, 0),
        (400, 0),
        (400, 400),
        (280, 400),
        (280, 120),
        (120, 120),
        (120, 400),
        (0, 400),
    ]
    area = _area(tmp_path, u_shape)
    sorties = cover_area(area, 180.0, 25, 40, 6, 1800)  # wind from the south: lines east-west
    wp = np.concatenate([s.waypoints for s in sorties]).reshape(-1, 2, 2)
    for a, b in wp:  # every line piece (not the transits between them) lies in the area
        t = np.linspace(0, 1, 21)[:, None]
        pts = a + t * (b - a)
        assert bool(np.all(area.contains(pts[:, 0], pts[:, 1])))
    # lines in the arms are split in two pieces by the notch
    north_pieces = [p for p in wp if p[0, 1] > 130]
    assert len(north_pieces) == 2 * len({round(float(p[0, 1])) for p in north_pieces})


def test_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    area = _area(tmp_path, rect(-300, 300, -200, 200))
    # library errors name the parameter; the command line shows its flag (test_cli)
    with pytest.raises(OlfatoError, match=r"line spacing must be > 0 m") as err:
        cover_area(area, 270, 20, 0, 6, 1200)
    assert err.value.parameter == "spacing_m"
    with pytest.raises(OlfatoError, match=r"battery endurance too short: survey line 1"):
        cover_area(area, 270, 20, 50, 6, 60)
    far = (20_000.0, 0.0)
    with pytest.raises(OlfatoError, match=r"home point .* is 19700 m from the area"):
        cover_area(area, 270, 20, 50, 6, 1200, home=far)
    with pytest.raises(OlfatoError, match="battery reserve") as err:
        cover_area(area, 270, 20, 50, 6, 1200, reserve=1.0)
    assert err.value.parameter == "reserve"
