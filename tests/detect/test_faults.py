"""Sensor faults (issue 12): warm-up, quantised, stuck and saturated channels, backgrounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from olfato.detect import faults as fl


def test_a_quantisation_step_is_found_with_an_offset_and_with_two_levels() -> None:
    rng = np.random.default_rng(0)
    v = 0.4 + np.round(rng.normal(3.0, 2.0, 500))  # k + 0.4 [ppb]
    assert fl.resolution(v) == pytest.approx(1.0)
    two = np.where(rng.random(500) < 0.5, 0.0, 1000.0)  # a 1-ppm CO cell near a step
    assert fl.resolution(two) == pytest.approx(1000.0)
    assert fl.resolution(rng.normal(0, 1, 500)) == 0.0


def test_a_warm_up_decay_is_found_and_its_end_follows_the_decay() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 1200.0, 1.0)
    a, tau, sd = 40.0, 90.0, 1.0
    v = 3.0 + a * np.exp(-t / tau) + sd * rng.standard_normal(len(t))
    end = fl.warmup_end(t, v, sd)
    assert end is not None
    # the block medians come within SETTLED_SD sd at tau ln(a / (2 sd)) = 270 s, plus a block
    settle = tau * math.log(a / (fl.SETTLED_SD * sd))
    assert settle <= end <= settle + 2 * fl.BLOCK_S + 1
    f = fl.check_channel("acetone", t, v)
    # the start is left out of the hits but feeds the background; the background
    # follows the rest: the smoothed level's curvature error, 40 exp(-t/90) (e^(1/3) -
    # 2 + e^(-1/3)) / 30^2 x 90^2 / 24 sd at block t, is under half an sd from 100 s,
    # and half a 180-s median window before a kept reading must be under it too
    kept = int(np.flatnonzero(~f.excluded)[0])
    assert 180 <= kept <= 270 < end
    assert f.excluded[:kept].all() and not f.excluded[kept:].any()
    assert (f.level_only == f.excluded).all()
    assert any("warm-up" in w and f"first {kept} s are left out" in w for w in f.warnings)
    # a settled sensor has none
    assert fl.warmup_end(t, 3.0 + sd * rng.standard_normal(len(t)), sd) is None


def test_a_crossing_late_in_a_warm_up_is_found_and_the_decay_makes_no_hit() -> None:
    """Three channels settle from 30 sd over 90 s, as the benchmark's warm-up fault: a
    lab crossed at 250 s, inside the warm-up (which ends near 270 s), is still a hit
    with its integral, and the decay alone makes no usable one (one at the edge of
    the left-out start is flagged)."""
    from olfato.detect import detect
    from tests.detect.synthetic import crossings, make_survey

    n = 1500
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    centres = [250, 600, 1000]
    shape = crossings(n, centres, width=3.0, peak=1.0)
    for seed in range(4):
        rng = np.random.default_rng(seed)
        clean = {
            c: s * (3.0 + 30.0 * np.exp(-np.arange(n) / 90.0) + rng.standard_normal(n))
            for c, s in noise.items()
        }
        decay = detect(make_survey(clean)).table
        assert len(decay) <= 1 and not (len(decay) and decay["usable"].any())
        hits = detect(make_survey({c: clean[c] + 10.0 * s * shape for c, s in noise.items()}))
        t = hits.table
        assert len(t) == 3 and t["usable"].all()
        assert np.allclose(t["i_peak"], centres, atol=2)
        true_int = 10.0 * 3.0 * np.sqrt(2 * np.pi)
        z = (t["acetone_int_ppb_s"] - true_int) / t["acetone_int_err_ppb_s"]
        assert (abs(z) < 3.0).all()


def test_a_plume_at_take_off_is_kept_while_a_warm_up_with_later_plumes_is_still_found() -> None:
    """A drone that takes off inside a plume reads a minute of high air that settles, as
    a warm-up does; plumes of that strength later in the flight say it is the air."""
    rng = np.random.default_rng(2)
    t = np.arange(0.0, 1200.0, 1.0)
    sd = 1.0

    def plume(start: float, length: float, level: float) -> np.ndarray:
        inside = (t >= start) & (t < start + length)
        return inside * level * rng.lognormal(0.0, 0.5, len(t))  # turbulent, intermittent

    air = 3.0 + sd * rng.standard_normal(len(t)) + plume(0.0, 60.0, 12.0)
    later = plume(400.0, 60.0, 12.0) + plume(800.0, 40.0, 10.0)
    assert fl.warmup_end(t, air, sd) is not None  # the start alone looks like a warm-up
    assert fl.warmup_end(t, air + later, sd) is None  # the flight says it is the air
    f = fl.check_channel("acetone", t, air + later)
    assert not f.excluded.any() and not any("warm-up" in w for w in f.warnings)
    warm = 3.0 + 40.0 * np.exp(-t / 90.0) + sd * rng.standard_normal(len(t)) + later
    assert fl.warmup_end(t, warm, sd) is not None  # plumes of a third of its departure


def test_a_stuck_stretch_is_left_out_but_clipping_and_a_coarse_step_are_not() -> None:
    rng = np.random.default_rng(2)
    t = np.arange(0.0, 600.0, 1.0)
    v = np.round(3.0 + rng.standard_normal(len(t)), 1)
    v[200:260] = 40.0
    f = fl.check_channel("acetone", t, v)
    assert f.excluded[200:260].all() and f.excluded.sum() == 60
    assert any(("stuck" in w and "60 s" not in w) or "stuck" in w for w in f.warnings)
    # a gas near zero clipped at 0 repeats 0: clipping, not stuck
    clip = np.maximum(np.round(0.2 * rng.standard_normal(len(t)), 2), 0.0)
    assert not fl.check_channel("h2s", t, clip).excluded.any()
    # a 1-ppm step on a quiet CO cell repeats for minutes: expected, and reported as coarse
    co = 1000.0 * np.round(0.3 + 0.05 * rng.standard_normal(len(t)) + np.sin(t / 90.0) * 0.4)
    fc = fl.check_channel("co", t, co)
    assert not fc.excluded.any() and not fc.saturated.any()
    assert any("quantised in steps of 1e+03 ppb" in w for w in fc.warnings)


def test_a_saturated_plume_top_is_kept_and_reported() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 600.0, 1.0)
    v = np.round(3.0 + rng.standard_normal(len(t)), 2)
    v[300:310] += 200.0 * np.exp(-0.5 * ((np.arange(10) - 4.5) / 2.0) ** 2)
    v = np.minimum(v, 150.0)
    f = fl.check_channel("acetone", t, v)
    assert f.saturated.sum() >= 3 and not f.excluded.any()
    assert any("saturates at 150 ppb" in w for w in f.warnings)


def test_a_constant_channel_and_an_implausible_background_are_reported() -> None:
    t = np.arange(0.0, 300.0, 1.0)
    f = fl.check_channel("voc", t, np.full(len(t), 25.0))
    assert f.unusable and "stuck or disconnected" in f.warnings[0]
    rng = np.random.default_rng(4)
    co2 = 100_000.0 + 500.0 * rng.standard_normal(len(t))  # 100 ppm: not open air
    w = fl.check_channel("co2", t, co2).warnings
    assert any("background of 1e+05 ppb" in x for x in w)
    ok = 421_000.0 + 500.0 * rng.standard_normal(len(t))
    assert not any("background" in x for x in fl.check_channel("co2", t, ok).warnings)


def test_a_crossing_at_the_edge_of_a_stuck_stretch_is_used_without_that_channel() -> None:
    """CO2 sticks for 120 s and comes back 5 s before a lab is crossed: the crossing is
    real in the other channels, so it stays usable and only CO2 (whose integral there
    is partial) is left out of it; a step alone at the edge makes no usable hit."""
    from olfato.detect import detect
    from tests.detect.synthetic import crossings, make_survey

    rng = np.random.default_rng(3)
    n = 1500
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35, "co2": 800.0}
    level = {"acetone": 3.0, "voc": 25.0, "toluene": 0.6, "co2": 421_000.0}
    shape = crossings(n, [705], width=3.0, peak=1.0)
    gas = {c: level[c] + s * (rng.standard_normal(n) + 10.0 * shape) for c, s in noise.items()}
    gas["co2"][580:700] = gas["co2"][579]  # stuck at its reading then
    hits = detect(make_survey(gas))
    t = hits.table
    row = t[(t["i_start"] <= 705) & (t["i_end"] >= 705)].iloc[0]
    assert row["usable"]
    assert "'co2' at the edge of readings left out" in row["flags"]
    assert np.isnan(row["co2_int_ppb_s"]) and np.isfinite(row["acetone_int_ppb_s"])
    assert row["signature"] == "clandestine_lab"
    # CO2 alone, stuck high and then back: the step at the edge is no plume
    alone = {c: level[c] + s * rng.standard_normal(n) for c, s in noise.items()}
    alone["co2"][580:700] = level["co2"] + 6 * noise["co2"]
    t2 = detect(make_survey(alone)).table
    assert not (len(t2) and t2["usable"].any())


def test_a_plume_at_the_first_or_last_reading_is_flagged_and_kept_out_of_mixtures() -> None:
    """A drone that takes off inside a lab's plume and lands in it: those two hits have
    no background on one side, so their gases may be partial. They are flagged and
    the survey warns; they stay usable (where they were still says where a plume
    was), but a crossing of the lab's and a solvent store's plumes together is not
    read as the sum of one of them and the store's; crossings in mid-flight are
    untouched."""
    from olfato.detect import detect
    from olfato.detect.pipeline import hits_cut_by_log
    from olfato.locate import multisource as ms
    from tests.detect.synthetic import crossings, make_survey

    rng = np.random.default_rng(4)
    n = 1200
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    level = {"acetone": 3.0, "voc": 25.0, "toluene": 0.6}
    lab = crossings(n, [2, 800, n - 3], width=6.0, peak=1.0)
    gas = {c: level[c] + s * (rng.standard_normal(n) + 15.0 * lab) for c, s in noise.items()}
    store = crossings(n, [400, 800], width=6.0, peak=1.0)  # toluene and VOC, no acetone
    gas["toluene"] += 0.35 * 100.0 * store
    gas["voc"] += 2.2 * 50.0 * store
    hits = detect(make_survey(gas, source="edges.csv"))
    t = hits.table
    assert len(t) == 4 and t["i_start"].is_monotonic_increasing
    assert t["i_start"].iloc[0] == 0 and t["i_end"].iloc[3] == n - 1
    assert t["flags"].iloc[0].startswith("cut by the log's start")
    assert t["flags"].iloc[3].startswith("cut by the log's end")
    assert (t["flags"].iloc[1:3] == "").all() and t["usable"].all()
    assert hits_cut_by_log(t).tolist() == [True, False, False, True]
    assert any(
        w.startswith("edges.csv: 2 hit(s) reach the first or last reading") for w in hits.warnings
    )
    compat = ms.chemistry_compatible(hits)
    assert ms.mixed_crossings(hits, compat) == {}
    # had the same hits been whole, the third would be the sum of a lab's and the store's
    t["flags"] = ""
    mixed = ms.mixed_crossings(hits, compat)
    assert list(mixed) == [2] and 1 in mixed[2].parts


def test_a_log_of_two_flights_is_checked_per_flight_and_no_hit_spans_the_battery_change() -> None:
    """A logger that runs through a battery change: two 900-s flights 300 s apart, the
    sensors warming up from 30 sd over 90 s after each power-on, the first flight
    ending inside a plume. The second flight's warm-up is found (a check of the log's
    start alone reads its decay as a plume), every hit lies in one flight, and the
    one at the first flight's last reading is flagged as cut there."""
    import dataclasses

    from olfato.detect import detect
    from tests.detect.synthetic import crossings, make_survey

    rng = np.random.default_rng(5)
    n1 = 900
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    plume = np.concatenate(
        [crossings(n1, [300, 600, n1 - 3], 3.0, 1.0), crossings(n1, [400, 700], 3.0, 1.0)]
    )
    warm = np.tile(30.0 * np.exp(-np.arange(n1) / 90.0), 2)
    gas = {
        c: s * (3.0 + warm + rng.standard_normal(2 * n1) + 12.0 * plume) for c, s in noise.items()
    }
    one = make_survey(gas, source="two_flights.csv")
    t = one.samples["time"].to_numpy() + np.where(np.arange(2 * n1) >= n1, 300.0, 0.0)
    hits = detect(dataclasses.replace(one, samples=one.samples.assign(time=t)))
    every = hits.table
    assert ((every["i_start"] >= n1) == (every["i_end"] >= n1)).all()
    # what is left of each warm-up makes at most one hit per flight, never usable
    assert (~every["usable"]).sum() <= 2
    tab = every[every["usable"]]
    assert tab["i_peak"].to_numpy() == pytest.approx([300, 600, n1 - 3, n1 + 400, n1 + 700], abs=2)
    assert tab["flags"].iloc[2].startswith("cut by the log's end (a plume at flight 1's last")
    assert (tab["flags"].iloc[[0, 1, 3, 4]] == "").all()
    assert any("the log holds 2 flights" in w for w in hits.warnings)
    for c in noise:
        assert any(f"flight 2 of 2: channel '{c}': warm-up" in w for w in hits.warnings)
