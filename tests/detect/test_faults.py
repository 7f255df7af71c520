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
    assert f.excluded[: int(settle)].all() and not f.excluded[int(end) + 1 :].any()
    assert any("warm-up" in w for w in f.warnings)
    # a settled sensor has none
    assert fl.warmup_end(t, 3.0 + sd * rng.standard_normal(len(t)), sd) is None


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
