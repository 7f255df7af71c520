"""Plume hits: false alarms at the user's rate, joint detection, what each hit reports."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.stats import poisson

from olfato.detect import detect
from olfato.detect.hits import integrate_enhancement, threshold_for_rate, upcrossing_probability
from tests.detect.synthetic import ar1, crossings, make_survey


@pytest.mark.parametrize("rho", [0.0, 0.7])
def test_upcrossing_probability_closed_form_matches_simulation(rho: float) -> None:
    rng = np.random.default_rng(5)
    x = ar1(400_000, rho, 1.0, rng)
    u = 2.5
    observed = np.mean((x[:-1] < u) & (x[1:] >= u))
    expected = float(upcrossing_probability(u, rho))
    assert observed == pytest.approx(expected, rel=0.08)


@pytest.mark.parametrize(("rho", "rate"), [(0.0, 3.0), (0.6, 3.0)])
def test_false_alarm_rate_on_pure_noise_matches_the_setting(rho: float, rate: float) -> None:
    """White and red (AR(1)) noise, no plume: hits per hour ~ the user's setting."""
    rng = np.random.default_rng(11)
    hours = 60
    n = hours * 3600
    v = 100.0 + ar1(n, rho, 2.0, rng)
    hits = detect(make_survey({"acetone": v}), false_alarms_per_hour=rate)
    expected = rate * hours  # 180
    # the threshold is a union bound and nearby crossings merge: at most the setting,
    # and not far below it
    assert len(hits) <= poisson.ppf(0.999, expected)
    assert len(hits) >= 0.7 * expected


def test_threshold_rises_as_the_user_allows_fewer_false_alarms() -> None:
    rho = np.array([0.0, 0.6])
    u1 = threshold_for_rate(1.0, 3600.0, rho)
    u01 = threshold_for_rate(0.1, 3600.0, rho)
    assert 3.5 < u1 < u01 < 5.0
    rate = 3600.0 * float(np.sum(upcrossing_probability(u1, rho)))
    assert rate == pytest.approx(1.0, rel=1e-4)


def _three_gas_flight(peak_sd: float, seed: int, n: int = 7200):
    rng = np.random.default_rng(seed)
    centres = list(range(300, n - 200, 400))
    shape = crossings(n, centres, width=3.0, peak=1.0)
    # a clandestine lab: acetone 1, voc 2.2, toluene 0.35 (default library ratios)
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    gas = {
        a: 5.0 + 0.5 * np.arange(n) / 3600 + peak_sd * s * shape + ar1(n, 0.3, s, rng)
        for a, s in noise.items()
    }
    return make_survey(gas), centres


def test_joint_detection_finds_crossings_no_single_channel_would() -> None:
    # each gas peaks at 3.5 sd: below a single channel's ~4 sd threshold, but the three
    # together (matched filter over channels) stand at ~6 sd
    survey, centres = _three_gas_flight(3.5, seed=7)
    hits = detect(survey, false_alarms_per_hour=0.5)
    found = [any(r.i_start <= c <= r.i_end for r in hits.table.itertuples()) for c in centres]
    assert np.mean(found) >= 0.9
    assert len(hits) <= len(centres) + 2
    single = [
        any(
            r.i_start <= c <= r.i_end
            for r in detect(make_survey({"acetone": survey.gas("acetone")})).table.itertuples()
        )
        for c in centres
    ]
    assert np.mean(single) < np.mean(found)


def test_each_hit_reports_times_position_wind_and_enhancements() -> None:
    survey, centres = _three_gas_flight(12.0, seed=8)
    hits = detect(survey)
    t = hits.table
    assert len(t) == len(centres)
    assert np.all(np.abs(t["i_peak"].to_numpy() - np.array(centres)) <= 2)
    assert np.all(t["start_time"] < t["peak_time"]) and np.all(t["peak_time"] < t["end_time"])
    assert np.allclose(t["wind_speed_ms"], 4.0) and np.allclose(t["wind_dir_deg"], 270.0)
    # peak ~12 sd of each gas: acetone 12 ppb, voc 26.4 ppb
    assert np.median(t["acetone_peak_ppb"]) == pytest.approx(12.0, abs=1.5)
    assert np.median(t["voc_peak_ppb"]) == pytest.approx(26.4, abs=3.0)
    # integral of a Gaussian crossing: peak * width * sqrt(2 pi) [ppb s]
    true_int = 12.0 * 3.0 * np.sqrt(2 * np.pi)
    z = (t["acetone_int_ppb_s"] - true_int) / t["acetone_int_err_ppb_s"]
    assert abs(z.mean()) < 1.0 and 0.4 < z.std() < 1.6
    assert set(t["signature"]) == {"clandestine_lab"} and t["suspect"].all()


def _pairs_flight(gap: int, seed: int = 3, n: int = 3600):
    """Pairs of 12 sd lab crossings ``gap`` samples (s) apart, a pair every 300 s."""
    rng = np.random.default_rng(seed)
    firsts = list(range(200, n - 200, 300))
    centres = [c + d for c in firsts for d in (0, gap)]
    shape = crossings(n, centres, width=3.0, peak=1.0)
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    gas = {a: 5.0 + 12.0 * s * shape + ar1(n, 0.3, s, rng) for a, s in noise.items()}
    return make_survey(gas), centres


def test_two_crossings_seconds_apart_are_two_hits_each_with_its_own_integral() -> None:
    # 20 s apart the readings fall back to the noise between them, but the 4 s pads
    # for a slow sensor's tail overlap: one hit of both would put its centroid between
    # the crossings and its integral at twice a crossing's
    survey, centres = _pairs_flight(gap=20)
    t = detect(survey).table
    assert len(t) == len(centres)
    assert np.all(np.abs(t["i_peak"].to_numpy() - np.array(centres)) <= 2)
    assert np.all(t["i_end"].to_numpy()[:-1] < t["i_start"].to_numpy()[1:])
    true_int = 12.0 * 3.0 * np.sqrt(2 * np.pi)
    z = (t["acetone_int_ppb_s"] - true_int) / t["acetone_int_err_ppb_s"]
    assert abs(z.mean()) < 1.0 and z.abs().max() < 4.0


def test_one_crossing_with_a_gap_in_its_readings_stays_one_hit() -> None:
    # a 3 s dropout of every channel at a crossing's peak: one crossing, not two
    survey, centres = _pairs_flight(gap=20)
    samples = survey.samples.copy()
    for c in centres[::2]:
        samples.loc[c - 1 : c + 1, ["acetone", "voc", "toluene"]] = np.nan
    t = detect(dataclasses.replace(survey, samples=samples)).table
    assert len(t) == len(centres)


def test_a_crossing_with_a_shoulder_stays_one_hit() -> None:
    # 8 s apart, the second a third as strong: the valley between them stays above
    # half the lower peak, so it is one crossing of a plume with two lobes
    rng = np.random.default_rng(4)
    n = 3600
    firsts = list(range(200, n - 200, 300))
    shape = crossings(n, firsts, 3.0, 1.0) + crossings(n, [c + 8 for c in firsts], 3.0, 0.35)
    noise = {"acetone": 1.0, "voc": 2.2, "toluene": 0.35}
    gas = {a: 5.0 + 12.0 * s * shape + ar1(n, 0.3, s, rng) for a, s in noise.items()}
    t = detect(make_survey(gas)).table
    assert len(t) == len(firsts)


def test_integrated_enhancement_error_matches_its_scatter() -> None:
    rng = np.random.default_rng(9)
    t = np.arange(30.0)
    truth = crossings(30, [15], 3.0, 10.0)
    vals, errs = [], []
    for _ in range(2000):
        e = truth + ar1(30, 0.5, 1.0, rng)
        v, s = integrate_enhancement(t, e, 1.0, 0.5, 0.0)
        vals.append(v)
        errs.append(s)
    assert np.mean(vals) == pytest.approx(truth.sum(), rel=0.02)
    # the AR(1) inflation (1+rho)/(1-rho) slightly overstates a finite window's variance
    assert 0.85 < np.std(vals) / np.mean(errs) <= 1.05


def test_coarsely_quantised_channels_on_clean_air_are_not_a_string_of_plumes() -> None:
    """Channels in steps coarser than their noise sit on one level most of the time: the
    detection statistic's spread on clean air must not collapse to 0 (it did: 73 "lab"
    hits of 3,500 sd in an hour of clean air); steps stay within the rounding noise."""
    rng = np.random.default_rng(4)
    n = 3600
    gas = {}
    for name, level, noise, step in [
        ("co2", 421000.0, 800.0, 2000.0),  # 2 ppm steps on 0.8 ppm of noise
        ("co", 150.0, 20.0, 50.0),
        ("acetone", 3.0, 1.0, 2.5),
    ]:
        gas[name] = np.round((level + noise * rng.standard_normal(n)) / step) * step
    hits = detect(make_survey(gas))
    assert len(hits) <= 3
    assert hits.table["snr"].max() < 10.0 if len(hits) else True
    # a false alarm picked at the threshold is no strong plume in any one channel
    for c in gas:
        z = hits.table[f"{c}_int_ppb_s"] / hits.table[f"{c}_int_err_ppb_s"]
        assert (z < 4.0).all()


def test_quantised_channel_integral_error_matches_its_scatter() -> None:
    """A channel in steps of 2.5 noise sd repeats its reading on most samples, so the
    median of its differences' spread is 0: read as an autocorrelation of 1, it
    inflated every integral's error about tenfold and left a weak lab's crossings
    "smaller than their own uncertainty". The noise dithers the steps (Widrow,
    Kollar & Liu 1996, IEEE Trans. Instrum. Meas. 45, 353), so the integral's error
    is that of white noise of sd sqrt(noise^2 + step^2 / 12)."""
    rng = np.random.default_rng(12)
    n = 7200
    centres = list(range(300, n - 200, 400))
    truth = 8.0 * crossings(n, centres, width=4.0, peak=1.0)
    step, noise = 2.5, 1.0
    v = np.round((20.0 + truth + noise * rng.standard_normal(n)) / step) * step
    hits = detect(make_survey({"acetone": v}))
    t = hits.table
    found = [r for r in t.itertuples() if any(r.i_start <= c <= r.i_end for c in centres)]
    assert len(found) >= 0.9 * len(centres)
    true_int = 8.0 * 4.0 * np.sqrt(2 * np.pi)
    z = np.array([(r.acetone_int_ppb_s - true_int) / r.acetone_int_err_ppb_s for r in found])
    assert abs(z.mean()) < 1.0 and 0.6 < z.std() < 1.6
    assert all(r.usable for r in found)


def test_a_gas_below_its_own_noise_keeps_its_whole_integral() -> None:
    """A gas that a crossing carries below its own noise is never masked out of its own
    background, whose running median then rises under the plume and takes a part of the
    integral (27% here); the whole integral, over the level read with every hit left
    out, keeps it."""
    rng = np.random.default_rng(21)
    n = 9000
    centres = list(range(150, n - 150, 150))
    shape = crossings(n, centres, 6.0, 1.0)
    gas = {
        "acetone": 3.0 + 40.0 * shape + rng.standard_normal(n),  # 40 sd
        "co2": 421000.0 + 480.0 * shape + 800.0 * rng.standard_normal(n),  # 0.6 sd
    }
    table = detect(make_survey(gas)).table
    assert len(table) == len(centres)
    spans = zip(table["i_start"], table["i_end"], strict=True)
    truth = sum(480.0 * shape[a : b + 1].sum() for a, b in spans)
    whole = table["co2_int_whole_ppb_s"].sum()
    err = np.sqrt((table["co2_int_whole_err_ppb_s"] ** 2).sum())
    assert abs(whole - truth) < 3.0 * err
    assert whole / truth == pytest.approx(1.0, abs=0.08)
    assert table["co2_int_ppb_s"].sum() / truth < 0.85  # the fingerprint's integral
