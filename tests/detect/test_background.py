"""Background and noise: follow a drifting baseline, keep plumes out of it."""

from __future__ import annotations

import numpy as np

from olfato.detect import detect, estimate_background
from tests.detect.synthetic import ar1, crossings, make_survey


def test_one_percent_ch4_drift_is_background_not_a_plume() -> None:
    rng = np.random.default_rng(1)
    n = 3600
    drift = 1950.0 * (1 + 0.01 * np.arange(n) / n)  # +1% (19.5 ppb) over an hour
    ch4 = drift + 4.0 * rng.standard_normal(n)
    bg = estimate_background(np.arange(n, dtype=float), ch4)
    assert np.max(np.abs(bg.level - drift)[200:-200]) < 2.0  # ppb, against a 19.5 ppb drift
    assert abs(bg.noise - 4.0) < 0.3
    # the drift adds no hits: five such flights give what pure noise gives at the
    # user's rate (0.5 per hour: Poisson mean 2.5, P(> 8) < 0.1%)
    total = 0
    for seed in range(5):
        r = np.random.default_rng(100 + seed)
        flight = drift + 4.0 * r.standard_normal(n)
        total += len(detect(make_survey({"ch4": flight}), false_alarms_per_hour=0.5))
    assert total <= 8


def test_plumes_stay_out_of_the_background_and_keep_their_height() -> None:
    rng = np.random.default_rng(2)
    n = 2400
    plume = crossings(n, [300, 700, 1100, 1500, 1900], width=4.0, peak=60.0)
    base = 1950.0 + 10.0 * np.sin(np.arange(n) / 600.0) + ar1(n, 0.5, 0.5, rng)
    ch4 = base + plume + 4.0 * rng.standard_normal(n)
    bg = estimate_background(np.arange(n, dtype=float), ch4)
    enh = bg.enhancement(ch4)
    for c in (300, 700, 1100, 1500, 1900):
        assert abs(enh[c - 1 : c + 2].mean() - 60.0) < 6.0
    assert not bg.background_mask[[300, 700, 1100]].any()
    assert 3.7 < bg.noise < 4.6


def test_noise_of_a_channel_clipped_at_zero() -> None:
    # a gas near zero: background 0.3 ppb, noise 0.5 ppb, the sensor never reads below 0
    rng = np.random.default_rng(3)
    v = np.maximum(0.3 + 0.5 * rng.standard_normal(5000), 0.0)
    bg = estimate_background(np.arange(5000, dtype=float), v)
    assert abs(bg.noise - 0.5) < 0.05
