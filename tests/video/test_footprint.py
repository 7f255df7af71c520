"""Camera model and footprints against closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from olfato.video.footprint import (
    apply_homography,
    camera_rotation,
    ground_corners,
    ground_sample_distance,
    image_to_ground,
)


def test_nadir_footprint_is_h_tan_half_fov() -> None:
    h, hf, vf = 120.0, 60.0, 45.0
    c = ground_corners(camera_rotation(0, 0, 0, 0, -90, 0), h, hf, vf)
    half_w, half_h = h * math.tan(math.radians(hf / 2)), h * math.tan(math.radians(vf / 2))
    # corner 1 upper-left: west and north (image up = heading north)
    np.testing.assert_allclose(
        c, [[-half_w, half_h], [half_w, half_h], [half_w, -half_h], [-half_w, -half_h]], atol=1e-9
    )


def test_heading_rotates_the_footprint_clockwise() -> None:
    c = ground_corners(camera_rotation(90, 0, 0, 0, -90, 0), 100.0, 60.0, 40.0)
    # facing east: the image's top edge is east of the drone, its left side north
    assert c[0, 0] > 0 and c[0, 1] > 0
    assert c[1, 0] > 0 and c[1, 1] < 0


def test_oblique_camera_near_and_far_edges() -> None:
    h, vf = 100.0, 30.0
    c = ground_corners(camera_rotation(0, 0, 0, 0, -45, 0), h, 40.0, vf)
    # boresight 45 deg down; the far edge at 45 - vf/2 below the horizon, the near at 45 + vf/2
    assert c[0, 1] == pytest.approx(h / math.tan(math.radians(45 - vf / 2)))
    assert c[3, 1] == pytest.approx(h / math.tan(math.radians(45 + vf / 2)))
    assert c[0, 0] == pytest.approx(-c[1, 0])


def test_a_ray_above_the_horizon_has_no_ground_point() -> None:
    c = ground_corners(camera_rotation(0, 0, 0, 0, -10, 0), 100.0, 40.0, 30.0)
    assert np.isnan(c[0]).all() and np.isfinite(c[3]).all()


def test_platform_pitch_adds_to_sensor_elevation() -> None:
    a = ground_corners(camera_rotation(0, -20, 0, 0, -40, 0), 100.0, 40.0, 30.0)
    b = ground_corners(camera_rotation(0, 0, 0, 0, -60, 0), 100.0, 40.0, 30.0)
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_pixel_to_ground_homography() -> None:
    c = ground_corners(camera_rotation(30, 0, 0, 0, -90, 0), 120.0, 60.0, 45.0)
    H = image_to_ground(c, 640, 480)
    e, n = apply_homography(H, [0, 640, 320], [0, 480, 240])
    np.testing.assert_allclose([e[0], n[0]], c[0], atol=1e-6)
    np.testing.assert_allclose([e[1], n[1]], c[2], atol=1e-6)
    np.testing.assert_allclose([e[2], n[2]], [0, 0], atol=1e-6)  # centre under a nadir camera
    gx = 2 * 120 * math.tan(math.radians(30)) / 640
    gy = 2 * 120 * math.tan(math.radians(22.5)) / 480
    assert ground_sample_distance(c, 640, 480) == pytest.approx(math.sqrt(gx * gy), rel=1e-6)


def test_degenerate_corners_are_refused() -> None:
    with pytest.raises(ValueError, match="corners_en"):
        image_to_ground([[0, 0], [1, 1], [np.nan, 2], [3, 3]], 10, 10)
