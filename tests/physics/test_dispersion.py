"""Gaussian plume and sigma curves against published numbers and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from olfato.physics.dispersion import (
    N_IMAGES,
    U_MIN_MS,
    crosswind_integrated_sigma,
    gaussian_plume,
    gaussian_plume_sigma,
    sigma_yz,
    vertical_factor,
)


def test_briggs_rural_class_d_at_1km():
    # Briggs (1973) open country, class D, x = 1 km (Hanna et al. 1982, Table 4.5)
    sy, sz = sigma_yz(1000.0, "D", "briggs_rural")
    assert sy == pytest.approx(76.28, abs=0.01)
    assert sz == pytest.approx(37.95, abs=0.01)


@pytest.mark.parametrize(
    ("cls", "x", "sy_turner", "sz_turner"),
    [
        # read off Turner (1970) Figs. 3-2 / 3-3 (the Pasquill-Gifford curves)
        ("D", 1000.0, 68.0, 32.0),
        ("F", 1000.0, 34.0, 14.0),
        ("A", 100.0, 27.0, 14.0),
    ],
)
def test_pasquill_gifford_matches_turner_curves(cls, x, sy_turner, sz_turner):
    sy, sz = sigma_yz(x, cls, "pasquill_gifford")
    assert sy == pytest.approx(sy_turner, rel=0.05)
    assert sz == pytest.approx(sz_turner, rel=0.05)


def test_pasquill_gifford_sigma_z_is_capped_at_5000_m():
    _, sz = sigma_yz(5000.0, "A", "pasquill_gifford")
    assert sz == 5000.0


def test_ccps_ground_release_example():
    # CCPS, Guidelines for Consequence Analysis of Chemical Releases (1999), p. 97:
    # Q = 0.1 kg/s, u = 2 m/s, class F, ground release, x = 500 m
    x = 500.0
    sy = 0.0674 * x**0.9  # Spicer & Havens
    sz = 0.01122 * x**1.4024 * np.exp(-0.054 * np.log(x) ** 2)  # Seinfeld
    c = gaussian_plume_sigma(0.0, 0.0, 100.0, 2.0, 0.0, sy, sz)  # g/m3
    assert c / 1000.0 == pytest.approx(1.0346728e-4, rel=1e-6)


def _flux(x, h, cls, model, lid=None):
    u = 3.0
    sy, sz = sigma_yz(x, cls, model)
    ztop = lid if lid is not None else h + 12 * float(sz)

    def f(z, y):
        return gaussian_plume(x, y, z, 1.0, u, h, cls, model, lid)

    val, _ = integrate.dblquad(f, -10 * float(sy), 10 * float(sy), 0.0, ztop, epsabs=1e-12)
    return u * val


@pytest.mark.parametrize(
    ("x", "h", "cls", "model", "lid"),
    [
        (500.0, 0.0, "D", "briggs_rural", None),
        (200.0, 20.0, "B", "briggs_urban", None),
        (300.0, 10.0, "C", "pasquill_gifford", 150.0),  # lid images, sz < 1.6 L
        (3000.0, 10.0, "A", "pasquill_gifford", 300.0),  # well mixed below the lid
    ],
)
def test_crosswind_integrated_flux_equals_rate(x, h, cls, model, lid):
    assert _flux(x, h, cls, model, lid) == pytest.approx(1.0, rel=0.01)


@pytest.mark.parametrize(
    ("z", "h", "u", "cls", "model", "lid"),
    [
        (2.0, 0.0, 3.0, "D", "briggs_rural", None),
        (30.0, 5.0, 0.2, "F", "pasquill_gifford", None),  # calm: raised to U_MIN_MS
        (40.0, 10.0, 2.0, "C", "pasquill_gifford", 150.0),  # lid images
        (40.0, 10.0, 2.0, "A", "pasquill_gifford", 300.0),  # well mixed below the lid
    ],
)
def test_crosswind_integrated_concentration_is_the_plume_integrated_over_y(
    z, h, u, cls, model, lid
):
    x = np.array([150.0, 800.0, 3000.0])
    sy, sz = sigma_yz(x, cls, model)
    got = crosswind_integrated_sigma(z, u, h, sz, lid)
    for j in range(len(x)):
        want, _ = integrate.quad(
            lambda y, j=j: gaussian_plume_sigma(y, z, 1.0, u, h, sy[j], sz[j], lid),
            -12 * sy[j],
            12 * sy[j],
            epsabs=0.0,
            epsrel=1e-10,
        )
        assert got[j] == pytest.approx(want, rel=1e-8)


def test_one_class_for_every_distance_is_the_same_as_one_per_distance():
    x = np.array([0.5, 80.0, 700.0, 12000.0])
    for model in ("briggs_rural", "briggs_urban", "pasquill_gifford"):
        one = sigma_yz(x, "e", model)
        each = sigma_yz(x, np.array(["E"] * len(x)), model)
        assert np.array_equal(one[0], each[0]) and np.array_equal(one[1], each[1])
    sy, sz = sigma_yz(1000.0, "D")
    assert isinstance(sy, np.ndarray) and sy.shape == () and sz.shape == ()


def test_receptors_upwind_and_at_the_source_get_zero():
    c = gaussian_plume([-500.0, -1.0, 0.0], 0.0, 0.0, 1.0, 3.0, 0.0, "D")
    assert np.array_equal(c, [0.0, 0.0, 0.0])


def test_close_receptors_are_finite():
    c = gaussian_plume([1e-9, 0.5, 1.0], 0.0, 2.0, 1.0, 3.0, 2.0, "F")
    assert np.all(np.isfinite(c)) and np.all(c > 0)
    assert c[0] == c[1] == c[2]  # all evaluated at X_MIN_M


def test_calm_wind_is_raised_to_the_minimum_speed():
    c0 = gaussian_plume(300.0, 0.0, 0.0, 1.0, 0.0, 0.0, "F")
    c_tiny = gaussian_plume(300.0, 0.0, 0.0, 1.0, 1e-30, 0.0, "F")
    c_min = gaussian_plume(300.0, 0.0, 0.0, 1.0, U_MIN_MS, 0.0, "F")
    assert np.isfinite(c0) and c0 == c_tiny == c_min
    # above the floor, concentration goes as 1/u
    c4 = gaussian_plume(300.0, 0.0, 0.0, 1.0, 4.0, 0.0, "F")
    assert c4 == pytest.approx(c_min / 4.0)


def test_vectorised_over_receptors_and_classes():
    x = np.array([100.0, 1000.0, 1000.0])
    sy, _ = sigma_yz(x, np.array(["A", "D", "d"]))
    assert sy[1] == pytest.approx(76.28, abs=0.01)
    assert sy[0] == pytest.approx(0.22 * 100 / np.sqrt(1.01))
    assert sy[2] == sy[1]


def test_bad_class_and_model_are_clear_errors():
    with pytest.raises(ValueError, match="stability class 'G'"):
        sigma_yz(100.0, "G")
    with pytest.raises(ValueError, match="dispersion model 'gauss'"):
        sigma_yz(100.0, "D", "gauss")


def test_lid_images_left_out_only_where_they_add_exactly_nothing() -> None:
    # Turner 1970 eq. 5.8 summed over every image pair |n| <= N_IMAGES, against
    # vertical_factor, which leaves out the images too far away to add anything
    rng = np.random.default_rng(3)
    for lid, sz_max in ((1000.0, 10.0), (1000.0, 400.0), (150.0, 60.0), (80.0, 5.0)):
        z = rng.uniform(0.0, min(lid, 150.0), (200, 1))
        h = rng.uniform(0.0, 30.0, (1, 3))
        sz = rng.uniform(0.5, sz_max, (200, 1))
        full = np.zeros((200, 3))
        for n in range(-N_IMAGES, N_IMAGES + 1):
            full = full + np.exp(-((z - h + 2 * n * lid) ** 2) / (2 * sz * sz))
            full = full + np.exp(-((z + h + 2 * n * lid) ** 2) / (2 * sz * sz))
        assert np.array_equal(vertical_factor(z, h, sz, lid), full)
