"""Crossings: a hit's centroid, the drone's velocity there and its integral."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from olfato.locate.crossings import crossings_from_hits
from olfato.locate.likelihood import crossing_speed
from olfato.locate.transport import PlumeCoordinates

from .conftest import Flight


def test_crossing_velocity_is_the_tracks_weighted_by_the_enhancement(one_lab: Flight) -> None:
    hits = one_lab.hits
    ch = hits.channels[0]
    s = hits.survey.samples
    t = hits.survey.time
    e, n = s["east_m"].to_numpy(float), s["north_m"].to_numpy(float)
    # the whole track's velocity, central differences (one-sided at its ends)
    ve, vn = np.gradient(e) / np.gradient(t), np.gradient(n) / np.gradient(t)
    enh = np.maximum(hits.enhancement(ch), 0.0)
    ids = [int(h) for h in hits.table["id"]][::-1]  # asked in another order than the table's
    cr = crossings_from_hits(hits, ids, ch, 0.0)
    assert list(cr.hit_ids) == ids
    by_id = hits.table.set_index("id")
    for k, h in enumerate(ids):
        sl = slice(int(by_id.loc[h, "i_start"]), int(by_id.loc[h, "i_end"]) + 1)
        w = enh[sl]
        assert cr.vel_e[k] == pytest.approx(np.sum(w * ve[sl]) / w.sum(), rel=1e-12, abs=1e-12)
        assert cr.vel_n[k] == pytest.approx(np.sum(w * vn[sl]) / w.sum(), rel=1e-12, abs=1e-12)
        assert cr.time[k] == pytest.approx(np.sum(w * t[sl]) / w.sum())


def test_a_hit_that_is_not_in_the_table_is_named(one_lab: Flight) -> None:
    hits = one_lab.hits
    with pytest.raises(KeyError, match="9999"):
        crossings_from_hits(hits, [int(hits.table["id"].iloc[0]), 9999], hits.channels[0])


def test_crossing_products_are_the_tracks_weighted_by_the_enhancement(one_lab: Flight) -> None:
    hits = one_lab.hits
    ch = hits.channels[0]
    s = hits.survey.samples
    t = hits.survey.time
    ve = np.gradient(s["east_m"].to_numpy(float)) / np.gradient(t)
    vn = np.gradient(s["north_m"].to_numpy(float)) / np.gradient(t)
    enh = np.maximum(hits.enhancement(ch), 0.0)
    ids = [int(h) for h in hits.table["id"]]
    cr = crossings_from_hits(hits, ids, ch, 0.0)
    assert cr.vel_sq is not None and cr.vel_sq.shape == (len(ids), 3)
    for k, (i0, i1) in enumerate(zip(hits.table["i_start"], hits.table["i_end"], strict=True)):
        sl = slice(int(i0), int(i1) + 1)
        w = enh[sl] / enh[sl].sum()
        want = [np.sum(w * ve[sl] ** 2), np.sum(w * ve[sl] * vn[sl]), np.sum(w * vn[sl] ** 2)]
        np.testing.assert_allclose(cr.vel_sq[k], want, rtol=1e-10, atol=1e-10)
    # a subset keeps each crossing's products with it
    sub = cr.subset(np.array([k % 2 == 0 for k in range(len(ids))]))
    np.testing.assert_array_equal(sub.vel_sq, cr.vel_sq[::2])


def _u_turn_on_the_axis(
    sigma_y: float, speed: float, reach: float, dt: float = 0.005
) -> tuple[float, float, float, float]:
    """A drone that flies east across a Gaussian plume blowing north, turns on its
    axis and flies back: (integral [ppb s] of a unit-peak profile, the enhancement-
    weighted mean east velocity [m/s] and mean square [m2/s2], the plume's CIC)."""
    t = np.arange(0.0, 2.0 * reach / speed, dt)
    y = np.where(t < reach / speed, -reach + speed * t, reach - speed * t)
    v = np.where(t < reach / speed, speed, -speed)
    c = np.exp(-0.5 * (y / sigma_y) ** 2)
    w = c / c.sum()
    return (
        float(np.sum(c) * dt),
        float(np.sum(w * v)),
        float(np.sum(w * v * v)),
        (sigma_y * np.sqrt(2.0 * np.pi)),
    )


def test_a_u_turn_on_the_axis_reads_as_a_crossing_at_its_legs_speed() -> None:
    # over its two legs the drone crosses half the plume twice at 6 m/s, so it reads
    # int c dt = 2 (CIC / 2) / v = CIC / v, a whole crossing at the legs' speed
    integral, mean_v, mean_v2, cic = _u_turn_on_the_axis(sigma_y=8.0, speed=6.0, reach=40.0)
    assert integral == pytest.approx(cic / 6.0, rel=1e-3)
    co = PlumeCoordinates(*(np.array([[v]]) for v in (100.0, 0.0, 3.0, 0.0, 1.0)))
    vel_sq = np.array([[mean_v2, 0.0, 0.0]])
    vperp = crossing_speed(co, np.array([mean_v]), np.array([0.0]), vel_sq)
    assert cic / vperp[0, 0] == pytest.approx(integral, rel=1e-3)
    # the legs' velocities cancel in their mean: that speed expects many times the integral
    cancelled = crossing_speed(co, np.array([mean_v]), np.array([0.0]))
    assert cic / cancelled[0, 0] > 5.0 * integral


def test_a_straight_crossing_has_the_same_speed_either_way() -> None:
    rng = np.random.default_rng(3)
    ve, vn = rng.normal(0.0, 5.0, 6), rng.normal(0.0, 5.0, 6)
    ang = rng.uniform(0.0, 2.0 * np.pi, (4, 1))
    co = PlumeCoordinates(
        np.full((4, 6), 50.0),
        np.zeros((4, 6)),
        np.full((4, 6), 3.0),
        np.broadcast_to(np.sin(ang), (4, 6)),
        np.broadcast_to(np.cos(ang), (4, 6)),
    )
    vel_sq = np.stack([ve * ve, ve * vn, vn * vn], axis=1)
    np.testing.assert_allclose(
        crossing_speed(co, ve, vn, vel_sq), crossing_speed(co, ve, vn), rtol=1e-9
    )


def test_a_crossings_integral_is_the_whole_crossing_over_the_level_around_it(
    one_lab: Flight,
) -> None:
    """The strength locate matches is the hit's integral over the level read around the
    hits (``int_whole``), which keeps the plume's wings that the channel's own running
    median takes in: against the simulator's clean plume over each strong hit, within 1%
    and closer than the fingerprint's integral."""
    hits = one_lab.hits
    ch = "acetone"
    ids = [int(h) for h in hits.table["id"]]
    cr = crossings_from_hits(hits, ids, ch, 0.0)
    by_id = hits.table.set_index("id")
    np.testing.assert_array_equal(cr.integral, by_id.loc[ids, f"{ch}_int_whole_ppb_s"])
    np.testing.assert_array_equal(cr.integral_err, by_id.loc[ids, f"{ch}_int_whole_err_ppb_s"])
    clean = one_lab.sim.clean[[c for c in one_lab.sim.clean if c.endswith(":" + ch)]].sum(axis=1)
    t = hits.survey.time
    whole, fingerprint = [], []
    for h in ids:
        sl = slice(int(by_id.loc[h, "i_start"]), int(by_id.loc[h, "i_end"]) + 1)
        truth = float(np.trapezoid(clean.to_numpy()[sl], t[sl]))
        if truth > 10 * by_id.loc[h, f"{ch}_int_whole_err_ppb_s"]:
            whole.append(by_id.loc[h, f"{ch}_int_whole_ppb_s"] / truth - 1.0)
            fingerprint.append(by_id.loc[h, f"{ch}_int_ppb_s"] / truth - 1.0)
    assert len(whole) >= 2
    assert np.max(np.abs(whole)) < 0.01
    assert np.all(np.abs(whole) < np.abs(fingerprint))
    # a table without the whole integrals (an older hits table) gives the fingerprint's
    old = dataclasses.replace(
        hits, table=hits.table.drop(columns=[c for c in hits.table if "_int_whole" in c])
    )
    np.testing.assert_array_equal(
        crossings_from_hits(old, ids, ch, 0.0).integral, by_id.loc[ids, f"{ch}_int_ppb_s"]
    )
