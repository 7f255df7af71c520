"""Sensor model pieces against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from olfato.simulate.sensor import background, dropout_mask, first_order_response, quantise


def test_step_response_reaches_63_percent_after_one_time_constant():
    dt, tau = 0.1, 2.0
    x = np.r_[np.zeros(10), np.ones(200)]
    y = first_order_response(x, dt, tau)
    k = 9 + round(tau / dt)  # tau after the step
    assert y[k] == pytest.approx(1 - np.exp(-1), abs=1e-12)
    assert y[9] == 0.0 and y[-1] == pytest.approx(1 - np.exp(-10), abs=1e-12)


def test_ramp_lags_by_the_time_constant():
    # a first-order sensor follows a ramp at a constant lag of tau (closed form)
    dt, tau = 0.05, 3.0
    t = np.arange(0, 60, dt)
    y = first_order_response(t, dt, tau)
    # the discrete filter's steady lag is dt (1 - a) / a = tau - dt/2 + O(dt^2)
    lag = t[-1] - y[-1]
    assert lag == pytest.approx(tau, abs=dt)


def test_zero_time_constant_is_transparent():
    x = np.array([1.0, 5.0, 2.0])
    assert np.array_equal(first_order_response(x, 1.0, 0.0), x)


def test_quantise_and_background_drift():
    assert np.allclose(quantise([0.04, 0.06, 1.26], 0.1), [0.0, 0.1, 1.3])
    t = np.arange(0.0, 3601.0, 1.0)
    b = background(t, 400.0, 12.0, 0.0, 300.0, np.random.default_rng(0))
    assert b[0] == 400.0 and b[-1] == pytest.approx(412.0)


def test_dropout_fraction_matches_the_renewal_estimate():
    t = np.arange(0.0, 36000.0, 0.5)
    m = dropout_mask(t, 3.0, 4.0, np.random.default_rng(0))
    # covered fraction of a Poisson boolean model: 1 - exp(-rate * mean duration)
    assert m.mean() == pytest.approx(1 - np.exp(-3.0 * 4.0 / 60), abs=0.02)
    assert not dropout_mask(t, 0.0, 4.0, np.random.default_rng(0)).any()


def test_sensor_faults_warm_up_saturation_and_a_stuck_stretch() -> None:
    from olfato.simulate import sensor as sn

    t = np.arange(0.0, 600.0, 1.0)
    w = sn.warmup_offset(t, 40.0, 90.0)
    assert w[0] == 40.0 and w[90] == pytest.approx(40.0 / np.e)
    assert np.all(sn.warmup_offset(t, 0.0, 90.0) == 0.0)
    x = np.linspace(0.0, 300.0, len(t))
    assert sn.saturate(x, 150.0).max() == 150.0 and sn.saturate(x, None).max() == 300.0
    s = sn.stick(t, x, 100.0, 50.0)
    assert np.all(s[100:150] == x[100]) and s[150] == x[150] and s[99] == x[99]
    assert np.all(sn.stick(t, x, 100.0, 50.0, value=7.0)[100:150] == 7.0)


def test_a_lab_cooking_in_batches_emits_its_duty_cycle() -> None:
    from olfato.simulate.core import emission_pattern
    from olfato.simulate.scenario import Source

    src = [
        Source(id="a", east_m=0, north_m=0, signature="clandestine_lab", rate_g_s=1.0),
        Source(
            id="b",
            east_m=0,
            north_m=0,
            signature="clandestine_lab",
            rate_g_s=1.0,
            duty_cycle=0.25,
            period_s=100.0,
        ),
    ]
    t = np.arange(0.0, 10_000.0, 1.0)
    on = emission_pattern(src, t, np.random.default_rng(0))
    assert on is not None
    assert np.all(on[0] == 1.0)
    assert on[1].mean() == pytest.approx(0.25, abs=0.01)
    # on for 25 s of every 100 s: one switch-on per period
    assert np.sum(np.diff(on[1]) > 0) == pytest.approx(100, abs=1)
    assert emission_pattern(src[:1], t, np.random.default_rng(0)) is None
