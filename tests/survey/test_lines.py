"""Survey lines: crosswind, downwind first, back and forth, clipped to the area."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.survey.lines import line_positions, rectangle, survey_lines, wind_axes

BOX = rectangle((-200.0, 200.0, -100.0, 100.0))  # 400 m east-west, 200 m north-south


def test_wind_axes_point_downwind_and_to_the_left() -> None:
    d, c = wind_axes(270.0)  # wind from the west blows east
    assert d == pytest.approx([1.0, 0.0]) and c == pytest.approx([0.0, 1.0])


def test_inset_lines_start_half_a_spacing_inside_the_downwind_edge() -> None:
    pieces = survey_lines([BOX], 270.0, 100.0, placement="inset", turn="alternate")
    # 400 m of extent at 100 m: 4 lines at east 150, 50, -50, -150, each north-south
    assert [round(float(p[0, 0])) for p in pieces] == [150, 50, -50, -150]
    assert all(abs(p[1, 1] - p[0, 1]) == pytest.approx(200.0) for p in pieces)
    # back and forth: northwards, then southwards, ...
    assert [float(np.sign(p[1, 1] - p[0, 1])) for p in pieces] == [1.0, -1.0, 1.0, -1.0]
    upwind = survey_lines([BOX], 270.0, 100.0, placement="inset", start="upwind")
    assert [round(float(p[0, 0])) for p in upwind] == [-150, -50, 50, 150]


def test_centred_lines_leave_at_most_half_a_spacing_and_keep_the_margin() -> None:
    pieces = survey_lines([BOX], 270.0, 120.0, margin_m=5.0)
    xs = [float(p[0, 0]) for p in pieces]
    # ceil(400 / 120) = 4 lines centred: 180, 60, -60, -180 (20 m strips at each edge)
    assert xs == pytest.approx([180.0, 60.0, -60.0, -180.0])
    assert all(abs(p[1, 1] - p[0, 1]) == pytest.approx(190.0) for p in pieces)
    assert np.diff(line_positions(-200.0, 200.0, 120.0, offset_m=30.0)) == pytest.approx(-120.0)


def test_a_hole_splits_a_line_in_two() -> None:
    hole = rectangle((-20.0, 20.0, -20.0, 20.0))
    pieces = survey_lines([BOX, hole], 270.0, 400.0, margin_m=0.0)  # one line, east 0
    assert len(pieces) == 2
    assert sorted(float(v) for p in pieces for v in p[:, 1]) == pytest.approx(
        [-100.0, -20.0, 20.0, 100.0]
    )


def test_impossible_lines_are_errors_naming_the_parameter() -> None:
    with pytest.raises(OlfatoError, match="line spacing must be > 0 m") as err:
        survey_lines([BOX], 270.0, 0.0)
    assert err.value.parameter == "spacing_m"
    with pytest.raises(OlfatoError, match="too small for one survey line"):
        survey_lines([BOX], 270.0, 50.0, margin_m=150.0)
