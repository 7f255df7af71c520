"""Wind conventions: FROM vs TO, degrees, axes. Ghost sources come from getting these wrong."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.locate.transport import plume_coordinates, wind_history
from olfato.physics.wind import downwind_crosswind


@pytest.mark.parametrize("dir_from", [0.0, 40.0, 90.0, 200.0, 270.0, 333.0])
def test_steady_wind_matches_physics_downwind_crosswind(dir_from: float) -> None:
    t = np.arange(0.0, 600.0, 0.5)
    w = wind_history(t, np.full(t.size, 4.0), np.full(t.size, dir_from))
    rng = np.random.default_rng(1)
    re, rn = rng.uniform(-300, 300, 50), rng.uniform(-300, 300, 50)
    rt = rng.uniform(300, 600, 50)
    se, sn = np.array([10.0, -40.0]), np.array([5.0, 70.0])
    co = plume_coordinates(re, rn, rt, se, sn, w)
    x, y = downwind_crosswind(re[None, :], rn[None, :], se[:, None], sn[:, None], dir_from)
    assert np.allclose(co.x, x, atol=1e-6)
    assert np.allclose(co.y, y, atol=1e-6)
    assert np.allclose(co.dir_from_deg, dir_from, atol=1e-6) or dir_from == 0.0


def test_a_westerly_carries_air_east() -> None:
    # wind FROM 270 deg (west): a receptor 100 m EAST of the source is 100 m downwind,
    # one 100 m WEST is upwind; a receptor to the north is to the LEFT (y > 0)
    t = np.arange(0.0, 300.0, 1.0)
    w = wind_history(t, np.full(t.size, 5.0), np.full(t.size, 270.0))
    co = plume_coordinates(
        np.array([100.0, -100.0, 0.0]),
        np.array([0.0, 0.0, 50.0]),
        np.full(3, 200.0),
        np.array([0.0]),
        np.array([0.0]),
        w,
    )
    assert co.x[0, 0] == pytest.approx(100.0)
    assert co.x[0, 1] == pytest.approx(-100.0)
    assert co.y[0, 2] == pytest.approx(50.0)
    assert co.u[0, 0] == pytest.approx(5.0)


def test_back_trajectory_follows_a_veering_wind() -> None:
    # the wind turns from 270 to 180 deg over two minutes; air released at the source
    # at t0 is where the integrated wind put it: x = path length, y = 0
    t = np.arange(0.0, 400.0, 0.5)
    d = np.interp(t, [0, 100, 220, 400], [270, 270, 180, 180])
    speed = np.full(t.size, 3.0)
    w = wind_history(t, speed, d)
    t_rel, t_obs = 150.0, 260.0
    de, dn, path = w.displacement(np.array([t_rel]), np.array([t_obs]))
    co = plume_coordinates(de, dn, np.array([t_obs]), np.array([0.0]), np.array([0.0]), w)
    assert abs(co.y[0, 0]) < 1.0
    assert co.x[0, 0] == pytest.approx(np.hypot(de[0], dn[0]), abs=1.0)
    # the straight mean-wind plume would put the same air tens of metres off axis
    wm = wind_history(t, speed, d, transport="mean")
    co_m = plume_coordinates(de, dn, np.array([t_obs]), np.array([0.0]), np.array([0.0]), wm)
    assert abs(co_m.y[0, 0]) > 50.0
    assert path[0] == pytest.approx(3.0 * (t_obs - t_rel))


def test_missing_wind_names_the_field() -> None:
    from olfato.errors import OlfatoError

    t = np.arange(10.0)
    with pytest.raises(OlfatoError, match="wind_dir_deg"):
        wind_history(t, np.full(10, 3.0), np.full(10, np.nan), where="f.csv")
