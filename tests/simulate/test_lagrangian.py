"""The independent Lagrangian stochastic plume model against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from olfato.simulate.lagrangian import (
    boundary_layer,
    lagrangian_field,
    log_profile,
    monin_obukhov_length,
    ou_update,
    psi_m,
    reflect,
    taylor_sigma,
    turbulence,
    vertical_step,
)
from olfato.simulate.world import make_wind


def test_golder_lengths_and_businger_dyer() -> None:
    # Seinfeld & Pandis (2006) Table 16.4 at z0 = 0.1 m: 1/L = a - b
    assert monin_obukhov_length("A", 0.1) == pytest.approx(1 / (-0.096 - 0.029))
    assert monin_obukhov_length("F", 0.1) == pytest.approx(1 / (0.035 + 0.036))
    assert math.isinf(monin_obukhov_length("D", 0.1))
    assert float(psi_m(0.5)) == pytest.approx(-2.5)
    # Paulson's unstable psi_m at z/L = -1: x = 17^(1/4)
    x = 17**0.25
    want = 2 * math.log((1 + x) / 2) + math.log((1 + x * x) / 2) - 2 * math.atan(x) + math.pi / 2
    assert float(psi_m(-1.0)) == pytest.approx(want)
    # neutral log law: u* = kappa U / ln(z/z0)
    bl = boundary_layer("D", 5.0, 10.0, 0.1)
    assert bl.ustar == pytest.approx(0.4 * 5.0 / math.log(100.0))
    assert float(log_profile(10.0, 0.1, math.inf)) == pytest.approx(math.log(100.0))
    # stable air: slower u*, a shallow layer; unstable: faster u*
    assert boundary_layer("F", 5.0, 10.0).ustar < bl.ustar < boundary_layer("B", 5.0, 10.0).ustar
    assert boundary_layer("F", 2.0, 10.0).height < 200.0


def test_taylor_sigma_limits() -> None:
    sig, T = 0.8, 20.0
    assert float(taylor_sigma(sig, T, 0.2)) == pytest.approx(sig * 0.2, rel=1e-2)
    assert float(taylor_sigma(sig, T, 2e4)) == pytest.approx(
        math.sqrt(2 * sig**2 * T * 2e4), rel=1e-2
    )


def test_horizontal_spread_follows_taylor_1921() -> None:
    """Particles from a point in homogeneous turbulence spread as Taylor's closed form:
    sigma_v t for t << T_L, sqrt(2 sigma_v^2 T_L t) for t >> T_L."""
    rng = np.random.default_rng(3)
    n, sig, T, dt = 20000, 0.6, 10.0, 0.1
    v = sig * rng.standard_normal(n)
    y = np.zeros(n)
    checks = {10: None, 50: None, 1000: None, 3000: None}
    for k in range(1, 3001):
        v_new = ou_update(v, np.full(n, sig), np.full(n, T), dt, rng.standard_normal(n))
        y += 0.5 * (v + v_new) * dt
        v = v_new
        if k in checks:
            want = float(taylor_sigma(sig, T, k * dt))
            assert float(np.std(y)) == pytest.approx(want, rel=0.04), k
    # and the two limits themselves
    assert float(np.std(y)) == pytest.approx(math.sqrt(2 * sig**2 * T * 300), rel=0.06)


@pytest.mark.parametrize("stability", ["B", "D", "F"])
def test_well_mixed_tracer_stays_well_mixed(stability: str) -> None:
    """Thomson's (1987) criterion: a tracer uniform over the layer, with the local
    Gaussian velocities, stays uniform under the model with reflection."""
    rng = np.random.default_rng(7)
    bl = boundary_layer(stability, 3.0, 20.0, 0.1, mixing_height_m=60.0)
    n = 40000
    z = rng.uniform(0.0, bl.height, n)
    w = turbulence(z, bl).sigma_w * rng.standard_normal(n)
    for _ in range(600):  # 600 s: several mixing times of the 60 m layer
        z, w = vertical_step(z, w, 1.0, bl, rng)
    counts, _ = np.histogram(z, bins=10, range=(0.0, bl.height))
    assert np.all(np.abs(counts / (n / 10) - 1.0) < 0.06), counts
    # the velocity variance stays the local sigma_w^2
    tb = turbulence(z, bl)
    assert float(np.mean(w**2 / tb.sigma_w**2)) == pytest.approx(1.0, abs=0.05)


def test_without_the_drift_term_the_tracer_unmixes() -> None:
    """The check above can fail: the naive Langevin model (no d sigma_w^2/dz drift) piles
    tracer where sigma_w is small, which is what Thomson's drift prevents."""
    rng = np.random.default_rng(7)
    bl = boundary_layer("F", 3.0, 20.0, 0.1, mixing_height_m=60.0)
    n = 40000
    z = rng.uniform(0.0, bl.height, n)
    w = turbulence(z, bl).sigma_w * rng.standard_normal(n)
    for _ in range(600):
        tb = turbulence(z, bl)
        w = ou_update(w, tb.sigma_w, tb.tl_w, 1.0, rng.standard_normal(n))
        z, w = reflect(z + w * 1.0, w, bl.height)
    counts, _ = np.histogram(z, bins=10, range=(0.0, bl.height))
    assert counts[-1] / (n / 10) > 1.3, counts


def test_turbulence_parameterisation_values() -> None:
    bl = boundary_layer("D", 5.0, 10.0, 0.1)
    tb = turbulence(np.array([10.0]), bl)
    us = bl.ustar
    # Hanna (1982) neutral surface layer
    assert float(tb.sigma_w[0]) == pytest.approx(1.25 * us)
    assert float(tb.sigma_v[0]) == pytest.approx(1.3 * us)
    assert float(tb.tl_w[0]) == pytest.approx(0.5 * 10 / (1.25 * us) / (1 + 15e-4 * 10 / us))
    # unstable: sigma_w grows with height (Panofsky et al. 1977), so the drift is upward
    bu = boundary_layer("B", 3.0, 20.0)
    tu = turbulence(np.array([2.0, 20.0]), bu)
    assert tu.sigma_w[1] > tu.sigma_w[0] and np.all(tu.dsw2_dz > 0)
    # stable: sigma_w falls with height
    bs = boundary_layer("F", 3.0, 20.0)
    ts = turbulence(np.array([2.0, 20.0]), bs)
    assert ts.sigma_w[1] < ts.sigma_w[0] and np.all(ts.dsw2_dz < 0)


def _steady_wind(speed: float, t_start: float, t_end: float):
    return make_wind(t_start, t_end, speed, 270.0, 0.0, 60.0, 0.0, 15.0, np.random.default_rng(0))


def test_mass_flux_through_a_crosswind_plane_is_the_rate() -> None:
    """Mass conservation end to end (release, transport, reflection, kernels): the flux
    of c U(z) through a vertical plane 150 m downwind is the source's 1 g/s."""
    bl = boundary_layer("D", 4.0, 20.0, 0.1)
    wind = _steady_wind(4.0, -300.0, 60.0)
    yy, zz = np.meshgrid(np.arange(-150.0, 151.0, 3.0), np.arange(0.0, 90.0, 2.0))
    times = np.arange(0.0, 60.0, 12.0)
    t = np.repeat(times, yy.size)
    east = np.full(t.size, 150.0)
    north = np.tile(yy.ravel(), len(times))
    up = np.tile(zz.ravel(), len(times))
    src = np.array([[0.0, 0.0, 2.0]])
    c, released = lagrangian_field(
        t, east, north, up, src, wind, bl, 400.0, np.random.default_rng(1), particles_per_s=40
    )
    assert released > 0
    u_z = (
        4.0
        * log_profile(zz.ravel(), bl.roughness, bl.mo_length)
        / float(log_profile(bl.ref_height, bl.roughness, bl.mo_length))
    )
    flux = [
        float(np.sum(c[0, i * yy.size : (i + 1) * yy.size] * u_z) * 3.0 * 2.0)
        for i in range(len(times))
    ]
    assert np.mean(flux) == pytest.approx(1.0, rel=0.12), flux


def test_nothing_upwind_and_emission_off_releases_nothing() -> None:
    bl = boundary_layer("D", 4.0, 20.0, 0.1)
    wind = _steady_wind(4.0, -200.0, 10.0)
    t = np.zeros(40)
    east = np.concatenate([np.full(20, -100.0), np.full(20, 100.0)])
    north = np.tile(np.linspace(-40, 40, 20), 2)
    up = np.full(40, 5.0)
    src = np.array([[0.0, 0.0, 2.0]])
    c, _ = lagrangian_field(t, east, north, up, src, wind, bl, 300.0, np.random.default_rng(2))
    assert np.all(c[0, :20] == 0.0) and c[0, 20:].max() > 0.0
    off = np.zeros((1, len(wind.t)))
    c_off, _ = lagrangian_field(
        t, east, north, up, src, wind, bl, 300.0, np.random.default_rng(2), emission=off
    )
    assert np.all(c_off == 0.0)


def test_scenario_selects_the_model_and_defaults_to_puffs(base: dict) -> None:
    from olfato.errors import OlfatoError
    from olfato.simulate import simulate
    from olfato.simulate.scenario import scenario_from_dict

    base["flight"]["max_duration_s"] = 150
    puffs = simulate(scenario_from_dict(base), seed=4)
    assert puffs.truth["plume_model"] == "puffs"
    assert puffs.truth["dispersion_model"] == "slade_puff"
    lsm_raw = dict(base, plume_model="lagrangian")
    a = simulate(scenario_from_dict(lsm_raw), seed=4)
    b = simulate(scenario_from_dict(lsm_raw), seed=4)
    assert a.truth["dispersion_model"] == "lagrangian_thomson"
    assert a.world.n_particles > 0
    # reproducible, a different plume from the puffs', the same flight and wind log
    assert a.samples.equals(b.samples)
    assert not a.clean.equals(puffs.clean)
    assert a.samples["wind_dir_deg"].equals(puffs.samples["wind_dir_deg"])
    with pytest.raises(OlfatoError, match="plume_model"):
        scenario_from_dict(dict(base, mode="steady", plume_model="lagrangian"))
