"""No-fly zones: legs cut with a clearance, transits routed round by the shortest path."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from olfato.errors import OlfatoError
from olfato.plan.area import Area
from olfato.plan.geometry import path_length, segment_enters
from olfato.plan.nofly import clear_route, detour, free_pieces

from .helpers import FRAME

SQUARE = np.array([[-50.0, -50.0], [50.0, -50.0], [50.0, 50.0], [-50.0, 50.0]])


def _zone(*rings: np.ndarray) -> Area:
    return Area(tuple(rings), FRAME, "zone")


def test_a_leg_through_a_zone_is_cut_buffer_m_before_and_after_it() -> None:
    pieces = free_pieces(np.array([-100.0, 0.0]), np.array([100.0, 0.0]), [_zone(SQUARE)], 10.0)
    ends = [(round(float(a[0]), 6), round(float(b[0]), 6)) for a, b in pieces]
    assert ends == [(-100.0, -60.0), (60.0, 100.0)]


def test_a_leg_passing_beside_a_zone_keeps_the_clearance_round_its_corners() -> None:
    # 5 m north of the zone's edge: blocked over the edge and where the 10 m circle round
    # each corner reaches, |east| <= 50 + sqrt(10^2 - 5^2)
    pieces = free_pieces(np.array([-100.0, 55.0]), np.array([100.0, 55.0]), [_zone(SQUARE)], 10.0)
    reach = 50.0 + math.sqrt(100.0 - 25.0)
    assert len(pieces) == 2
    assert float(pieces[0][1][0]) == pytest.approx(-reach, abs=0.05)
    assert float(pieces[1][0][0]) == pytest.approx(reach, abs=0.05)
    far = free_pieces(np.array([-100.0, 70.0]), np.array([100.0, 70.0]), [_zone(SQUARE)], 10.0)
    assert len(far) == 1  # 20 m clear: untouched


def test_the_detour_is_the_shortest_way_round_the_grown_corners() -> None:
    zone = _zone(SQUARE)
    path = detour(np.array([-100.0, 0.0]), np.array([100.0, 0.0]), [zone], 10.0)
    # round the two corners pushed 10 m out along both edges, (+-60, 60) or (+-60, -60)
    assert path_length(path) == pytest.approx(2 * math.hypot(40.0, 60.0) + 120.0, abs=1e-6)
    assert len(path) == 4
    assert not any(segment_enters(zone.rings, p, q) for p, q in itertools.pairwise(path))
    clear = detour(np.array([-100.0, 80.0]), np.array([100.0, 80.0]), [zone], 10.0)
    assert len(clear) == 2  # the straight hop is clear


def test_clear_route_keeps_its_waypoints_and_adds_only_detours() -> None:
    route = np.array([[-100.0, 0.0], [100.0, 0.0], [100.0, 100.0]])
    out = clear_route(route, [_zone(SQUARE)], 10.0)
    assert np.allclose(out[0], route[0]) and np.allclose(out[-1], route[-1])
    assert len(out) == 5


def test_no_way_round_and_a_start_inside_a_zone_are_clear_errors() -> None:
    outer = np.array([[-200.0, -200.0], [200.0, -200.0], [200.0, 200.0], [-200.0, 200.0]])
    walled = _zone(outer, SQUARE)  # a zone with a hole: the hole is walled in
    with pytest.raises(OlfatoError, match="no way around"):
        detour(np.array([0.0, 0.0]), np.array([300.0, 0.0]), [walled], 10.0)
    with pytest.raises(OlfatoError, match="start point .* is inside a no-fly zone"):
        detour(np.array([0.0, 0.0]), np.array([300.0, 0.0]), [_zone(SQUARE)], 10.0)
