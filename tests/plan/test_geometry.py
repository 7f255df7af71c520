"""Polygon checks, clipping and the point-in-area test."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.plan import geometry as geo

SQUARE = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]])
HOLE = np.array([[40.0, 40.0], [60.0, 40.0], [60.0, 60.0], [40.0, 60.0]])
# a U open to the north: two arms 0..30 and 70..100 east, joined below north 30
U = np.array(
    [[0, 0], [100, 0], [100, 100], [70, 100], [70, 30], [30, 30], [30, 100], [0, 100]], float
)


def test_clip_line_across_a_square_gives_its_width() -> None:
    iv = geo.clip_line([SQUARE], [50.0, -10.0], [0.0, 1.0])
    assert iv == [pytest.approx((10.0, 110.0))]


def test_clip_line_through_a_hole_and_a_concave_notch_gives_two_pieces() -> None:
    iv = geo.clip_line([SQUARE, HOLE], [0.0, 50.0], [1.0, 0.0])
    assert [tuple(round(v, 6) for v in p) for p in iv] == [(0.0, 40.0), (60.0, 100.0)]
    iv = geo.clip_line([U], [0.0, 60.0], [1.0, 0.0])
    assert [tuple(round(v, 6) for v in p) for p in iv] == [(0.0, 30.0), (70.0, 100.0)]


def test_clip_line_through_a_corner_is_neither_lost_nor_doubled() -> None:
    diamond = np.array([[0.0, -50.0], [50.0, 0.0], [0.0, 50.0], [-50.0, 0.0]])
    iv = geo.clip_line([diamond], [-100.0, 0.0], [1.0, 0.0])  # through two corners
    assert iv == [pytest.approx((50.0, 150.0))]
    assert geo.clip_line([diamond], [-100.0, 50.0], [1.0, 0.0]) == []  # touches a corner


def test_contains_uses_the_even_odd_rule_for_holes() -> None:
    inside = geo.contains([SQUARE, HOLE], [10.0, 50.0, 99.0, 150.0], [10.0, 50.0, 50.0, 50.0])
    assert inside.tolist() == [True, False, True, False]


def test_ring_problem_finds_self_intersection_and_degenerate_rings() -> None:
    assert geo.ring_problem(SQUARE) is None
    assert geo.ring_problem(U) is None
    bowtie = np.array([[0.0, 0.0], [100.0, 100.0], [100.0, 0.0], [0.0, 100.0]])
    assert "crosses itself" in (geo.ring_problem(bowtie) or "")
    line = np.array([[0.0, 0.0], [50.0, 0.0], [100.0, 0.0]])
    assert "no area" in (geo.ring_problem(line) or "")


def test_segment_enters_and_distance_to_area() -> None:
    assert geo.segment_enters([SQUARE], [-10.0, 50.0], [110.0, 50.0])
    assert geo.segment_enters([SQUARE], [20.0, 20.0], [80.0, 80.0])  # wholly inside
    assert not geo.segment_enters([SQUARE], [-10.0, -10.0], [110.0, -10.0])
    assert geo.distance_to_area([SQUARE], 130.0, 140.0) == pytest.approx(50.0)
    assert geo.distance_to_area([SQUARE], 50.0, 50.0) == 0.0
