"""Wind conventions: FROM vs TO, degrees, axes. Ghost sources come from getting these wrong."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.locate.transport import (
    PAIR_BLOCK_BYTES,
    pair_coordinates,
    plume_coordinates,
    wind_history,
)
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


def test_displacement_before_the_log_uses_the_mean_wind_and_any_sampling_agrees() -> None:
    # a westerly of 4 m/s: air moves 4 m/s east, so from 50 s before the log starts to
    # 100 s after it, 150 s x 4 m/s = 600 m east, on a uniform or an uneven time base
    t = np.arange(0.0, 300.0, 0.5)
    uneven = np.sort(np.concatenate([t[::3], t[1::3] + 0.1]))
    for times in (t, uneven):
        w = wind_history(times, np.full(times.size, 4.0), np.full(times.size, 270.0))
        assert (w.dt > 0) == (times is t)
        de, dn, path = w.displacement(np.array([-50.0, 20.0]), np.array([100.0, 20.0]))
        assert de == pytest.approx([600.0, 0.0], abs=1e-9)
        assert dn == pytest.approx([0.0, 0.0], abs=1e-9)
        assert path == pytest.approx([600.0, 0.0], abs=1e-9)
    # a veering wind: the index arithmetic of a uniform log matches interpolation
    d = np.interp(t, [0, 100, 220, 300], [270, 270, 180, 200])
    wu = wind_history(t, np.full(t.size, 3.0), d)
    rng = np.random.default_rng(2)
    a, b = rng.uniform(-20, 299, 40), rng.uniform(-20, 299, 40)
    got = wu.displacement(a, b)
    for cum, g in zip((wu.disp_e, wu.disp_n, wu.path), got, strict=True):
        lead = np.minimum(b - t[0], 0.0), np.minimum(a - t[0], 0.0)
        rate = {id(wu.disp_e): wu.mean_e, id(wu.disp_n): wu.mean_n}.get(id(cum), wu.mean_speed_ms)
        want = np.interp(b, t, cum) + lead[0] * rate - np.interp(a, t, cum) - lead[1] * rate
        assert g == pytest.approx(want, abs=1e-9)


def test_pairs_beyond_one_block_get_the_coordinates_of_each_pair_alone() -> None:
    # pair_coordinates works on blocks of PAIR_BLOCK_BYTES of float64 pairs; a veering,
    # gusting wind makes every pair's back-trajectory its own, so a row mixed up between
    # blocks would show
    pairs = PAIR_BLOCK_BYTES // 8
    t = np.arange(0.0, 900.0, 0.5)
    rng = np.random.default_rng(3)
    d = 250.0 + 40.0 * np.sin(t / 90.0)
    w = wind_history(t, 3.0 + np.cos(t / 37.0), d)
    k, m = 3 * pairs // 97 + 5, 97  # (k, m) pairs: three blocks and a part
    re, rn = rng.uniform(-400, 400, m), rng.uniform(-400, 400, m)
    rt = rng.uniform(400, 900, m)
    se, sn = rng.uniform(-500, 500, k), rng.uniform(-500, 500, k)
    whole = pair_coordinates(re[None], rn[None], rt[None], se[:, None], sn[:, None], w)
    assert whole.x.shape == (k, m)
    for i in (0, pairs // m, pairs // m + 1, k - 1):
        one = pair_coordinates(
            re[None], rn[None], rt[None], se[i : i + 1, None], sn[i : i + 1, None], w
        )
        for f in ("x", "y", "u", "to_e", "to_n"):
            assert np.array_equal(getattr(whole, f)[i], getattr(one, f)[0]), (i, f)
    # one pair per row (the probes' layout): the same values as the grid's
    flat = pair_coordinates(
        np.tile(re, k), np.tile(rn, k), np.tile(rt, k), np.repeat(se, m), np.repeat(sn, m), w
    )
    for f in ("x", "y", "u", "to_e", "to_n"):
        assert np.array_equal(getattr(flat, f), getattr(whole, f).ravel()), f
