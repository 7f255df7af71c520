"""The simulator: determinism, the CSV contract, truth, physics and sensors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from olfato.physics.dispersion import gaussian_plume
from olfato.physics.units import g_m3_to_ppb, molar_mass
from olfato.physics.wind import downwind_crosswind
from olfato.simulate import scenario_from_dict, simulate
from olfato.simulate.world import make_wind, puff_sigmas, turbulent_field


def test_same_seed_same_files_different_seed_different(base, tmp_path):
    sc = scenario_from_dict(base)
    a = simulate(sc, seed=7).write(tmp_path / "a")
    b = simulate(sc, seed=7).write(tmp_path / "b")
    c = simulate(sc, seed=8).write(tmp_path / "c")
    for key in ("survey", "truth", "clean"):
        assert a[key].read_bytes() == b[key].read_bytes(), key
    assert a["survey"].read_bytes() != c["survey"].read_bytes()


def test_samples_follow_survey_csv_v1(base, tmp_path):
    sim = simulate(scenario_from_dict(base), seed=1)
    assert list(sim.samples.columns) == [
        "time",
        "lat",
        "lon",
        "alt_agl_m",
        "wind_speed_ms",
        "wind_dir_deg",
        "stability_class",
        "acetone_ppb",
        "co2_ppm",
    ]
    s = sim.samples
    assert np.all(np.diff(s["time"]) == pytest.approx(0.5))
    assert s["time"].iloc[0] == pytest.approx(1710455400.0)  # 15:30 at UTC-7
    assert s["lat"].between(29.09, 29.10).all() and s["lon"].between(-111.05, -111.03).all()
    # the anemometer reports the meandering wind FROM the west
    assert s["wind_dir_deg"].median() == pytest.approx(270, abs=15)
    assert s["co2_ppm"].median() == pytest.approx(421, abs=2)
    # a 2 g/s lab 15 m below the drone shows far above the 1 ppb noise
    assert sim.clean["lab1:acetone"].max() > 20
    assert s["acetone_ppb"].max() > 20
    truth = json.loads(sim.write(tmp_path)["truth"].read_text())
    src = truth["sources"][0]
    assert (src["id"], src["category"], src["signature"]) == ("lab1", "suspect", "clandestine_lab")
    assert src["rates_g_s"]["acetone"] == 2.0
    # it emits all the time (a batch source's duty cycle and period are recorded too)
    assert (src["duty_cycle"], src["period_s"]) == (1.0, 120.0)
    assert truth["lat0"] == 29.095 and truth["stability"] == "D" and truth["seed"] == 1
    clean = pd.read_parquet(tmp_path / "clean.parquet")
    assert list(clean.columns) == ["time", "lab1:acetone", "lab1:co2"]


def test_rates_follow_signature_ratios_without_scatter(base):
    base["sources"][0]["scatter"] = False
    sim = simulate(scenario_from_dict(base))
    rates = sim.truth["sources"][0]["rates_g_s"]
    # molar ratio 2.2 voc : 1 acetone -> mass ratio 2.2 x 56.106 / 58.079
    assert rates["voc"] == pytest.approx(2.0 * 2.2 * 56.106 / 58.079)
    assert rates["co2"] == pytest.approx(2.0 * 2.0 * 44.009 / 58.079)


def test_steady_mode_is_the_gaussian_plume(base):
    base["mode"] = "steady"
    base["sensors"][0].update(response_time_s=0)
    sim = simulate(scenario_from_dict(base), seed=3)
    w = sim.world
    x, y = downwind_crosswind(w.east, w.north, -120.0, 0.0, 270.0)
    c = gaussian_plume(x, y, 15.0, 2.0, 4.0, 3.0, "D", "briggs_rural")
    expected = g_m3_to_ppb(c, molar_mass("acetone"), 298.15, 101325.0)
    assert expected.max() > 20
    assert np.allclose(sim.clean["lab1:acetone"], expected, rtol=1e-9, atol=1e-9)


def _snapshot(wind, t, x_down, ys, stability="D"):
    e = np.full(ys.shape, x_down)
    src = np.array([[0.0, 0.0, 2.0]])
    return turbulent_field(
        np.full(ys.shape, t), e, ys, np.full(ys.shape, 2.0), src, wind, stability, 700.0
    )[0][0]


def test_turbulent_flux_through_a_plane_equals_the_rate():
    # no meander, no gusts: puff line density is Q/u, so u * integral(C dy dz) = Q
    rng = np.random.default_rng(0)
    wind = make_wind(-400, 10, 3.0, 270.0, 0.0, 60.0, 0.0, 10.0, rng)
    ys = np.linspace(-80, 80, 161)
    zs = np.linspace(0, 90, 91)
    Y, Z = np.meshgrid(ys, zs)
    e = np.full(Y.size, 300.0)
    c = turbulent_field(
        np.zeros(Y.size), e, Y.ravel(), Z.ravel(), np.array([[0.0, 0.0, 2.0]]), wind, "D", 600.0
    )[0][0].reshape(Y.shape)
    flux = 3.0 * np.trapezoid(np.trapezoid(c, ys, axis=1), zs)
    assert flux == pytest.approx(1.0, rel=0.02)


def test_turbulent_plume_meanders_and_puffs_are_narrower_than_the_average():
    rng = np.random.default_rng(1)
    wind = make_wind(-300, 3600, 4.0, 270.0, 12.0, 60.0, 0.2, 10.0, rng)
    ys = np.linspace(-250, 250, 251)
    x_down = 300.0
    centres, widths, profiles = [], [], []
    for t in np.arange(0.0, 3600.0, 45.0):
        p = _snapshot(wind, t, x_down, ys)
        m = p.sum()
        centres.append((p * ys).sum() / m)
        widths.append(np.sqrt((p * (ys - centres[-1]) ** 2).sum() / m))
        profiles.append(p)
    mean = np.mean(profiles, axis=0)
    mean_centre = (mean * ys).sum() / mean.sum()
    avg_width = np.sqrt((mean * (ys - mean_centre) ** 2).sum() / mean.sum())
    # the centreline wanders tens of metres (meander ~ 300 m x 12 deg)
    assert np.std(centres) > 25
    # instantaneous plumes are much narrower than the time-averaged one
    assert np.median(widths) < 0.6 * avg_width
    # and the puffs are narrower than the steady (time-averaged) Briggs plume
    from olfato.physics.dispersion import sigma_yz

    assert puff_sigmas(np.array(x_down), "D")[0] < 0.5 * sigma_yz(x_down, "D")[0]
    # so hits are intermittent: a fixed receptor on the mean centreline is often clean
    at_axis = np.array([p[125] for p in profiles])
    assert (at_axis < 0.05 * at_axis.max()).mean() > 0.2


def test_wind_shift_turns_the_wind(base):
    base["wind"]["shift"] = {"at_s": 60, "direction_deg": 330, "speed_ms": 6.0, "ramp_s": 30}
    base["wind"]["meander_deg"] = 3
    sim = simulate(scenario_from_dict(base), seed=2)
    t = sim.world.t
    d = sim.samples["wind_dir_deg"].to_numpy()
    assert np.median(d[t < 55]) == pytest.approx(270, abs=8)
    assert np.median(d[t > 100]) == pytest.approx(330, abs=8)
    assert np.median(sim.samples["wind_speed_ms"].to_numpy()[t > 100]) == pytest.approx(
        6.0, abs=0.8
    )


def test_dropouts_blank_readings(base):
    base["sensors"][0]["dropouts"] = {"rate_per_min": 2.0, "mean_duration_s": 5.0}
    sim = simulate(scenario_from_dict(base), seed=4)
    blank = sim.samples["acetone_ppb"].isna().mean()
    # Poisson starts, exponential lengths: about 1 - exp(-2 * 5 / 60) = 15% blank
    assert 0.06 < blank < 0.28
    assert sim.samples["co2_ppm"].notna().all()
    assert sim.clean["lab1:acetone"].notna().all()


def test_no_sources_is_background_and_noise(base):
    base["sources"] = []
    sim = simulate(scenario_from_dict(base), seed=5)
    assert sim.clean.shape[1] == 0
    assert sim.samples["acetone_ppb"].mean() == pytest.approx(3.0, abs=0.3)
    assert sim.samples["acetone_ppb"].std() == pytest.approx(1.0, abs=0.2)


def test_simulated_csv_reads_back_through_the_survey_reader(base, tmp_path):
    io = pytest.importorskip("olfato.survey.io", reason="survey reader (issue 2) not present")
    base["sensors"][0]["dropouts"] = {"rate_per_min": 1.0, "mean_duration_s": 3.0}
    sim = simulate(scenario_from_dict(base), seed=6)
    path = sim.write(tmp_path)["survey"]
    survey = io.read_survey(path, quiet=True)
    assert survey.channels == {"acetone": "ppb", "co2": "ppm"}
    assert survey.n_samples == len(sim.samples)
    assert np.allclose(survey.samples["co2"], sim.samples["co2_ppm"] * 1000, equal_nan=True)
    assert list(survey.samples["stability_class"].unique()) == ["D"]
