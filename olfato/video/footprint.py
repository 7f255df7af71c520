"""Where a frame looks on the ground: the camera model, the four corners, pixel -> ground.

The camera model is the one MISB ST 0601 implies (Tags 5-7 platform heading, pitch, roll;
Tags 18-20 sensor azimuth, elevation, roll relative to the platform; Tags 16-17 the
horizontal and vertical fields of view): a pinhole camera whose boresight is rotated
first by the platform's attitude, then by the sensor's, each as yaw-pitch-roll (z-y-x)
Tait-Bryan angles in a north-east-down frame (MISB ST 0601.19 Appendix; the aircraft
convention of Stevens & Lewis, *Aircraft Control and Simulation*, 3rd ed., sec. 1.3).
Each image ray is intersected with a flat ground at the frame centre's elevation; a ray
at or above the horizon has no ground point (NaN).

Corners are numbered as in ST 0601: 1 upper-left, 2 upper-right, 3 lower-right,
4 lower-left. On a flat ground a pinhole image and the ground are related by a plane
homography (Hartley & Zisserman, *Multiple View Geometry*, 2nd ed., sec. 2.3, 8.1),
so the four corners define pixel -> ground exactly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _rz(a: NDArray[np.float64]) -> NDArray[np.float64]:
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([c, -s, z], -1), np.stack([s, c, z], -1), np.stack([z, z, o], -1)], -2
    )


def _ry(a: NDArray[np.float64]) -> NDArray[np.float64]:
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([c, z, s], -1), np.stack([z, o, z], -1), np.stack([-s, z, c], -1)], -2
    )


def _rx(a: NDArray[np.float64]) -> NDArray[np.float64]:
    c, s = np.cos(a), np.sin(a)
    z, o = np.zeros_like(a), np.ones_like(a)
    return np.stack(
        [np.stack([o, z, z], -1), np.stack([z, c, -s], -1), np.stack([z, s, c], -1)], -2
    )


def camera_rotation(
    heading_deg: ArrayLike,
    pitch_deg: ArrayLike,
    roll_deg: ArrayLike,
    rel_az_deg: ArrayLike,
    rel_el_deg: ArrayLike,
    rel_roll_deg: ArrayLike,
) -> NDArray[np.float64]:
    """Rotation from camera axes (x boresight, y image right, z image down) to north-east-down.

    Parameters
    ----------
    heading_deg, pitch_deg, roll_deg : array_like
        Platform attitude [deg] (ST 0601 Tags 5, 6/90, 7/91); NaN pitch/roll read as 0.
    rel_az_deg, rel_el_deg, rel_roll_deg : array_like
        Sensor angles relative to the platform [deg] (Tags 18, 19, 20); elevation -90 is
        straight down. NaN azimuth/roll read as 0.

    Returns
    -------
    ndarray, shape (..., 3, 3)
    """
    angles = np.broadcast_arrays(
        *(
            np.nan_to_num(np.radians(np.asarray(a, dtype=float)), nan=0.0)
            for a in (heading_deg, pitch_deg, roll_deg, rel_az_deg, rel_el_deg, rel_roll_deg)
        )
    )
    h, p, r, az, el, sr = angles
    platform = _rz(h) @ _ry(p) @ _rx(r)
    sensor = _rz(az) @ _ry(el) @ _rx(sr)
    return platform @ sensor


def ground_corners(
    rotation: ArrayLike,
    height_m: ArrayLike,
    hfov_deg: ArrayLike,
    vfov_deg: ArrayLike,
) -> NDArray[np.float64]:
    """East/north offsets [m] of the four image corners on a flat ground, from the sensor.

    Parameters
    ----------
    rotation : array_like, shape (..., 3, 3)
        From :func:`camera_rotation`.
    height_m : array_like
        Sensor height above the ground [m].
    hfov_deg, vfov_deg : array_like
        Full horizontal and vertical fields of view [deg].

    Returns
    -------
    ndarray, shape (..., 4, 2)
        ``[east, north]`` of corners 1..4 (upper-left, upper-right, lower-right,
        lower-left) relative to the point under the sensor [m]; NaN for a corner whose
        ray does not reach the ground.
    """
    R = np.asarray(rotation, dtype=float)
    th = np.tan(np.radians(np.asarray(hfov_deg, dtype=float)) / 2)
    tv = np.tan(np.radians(np.asarray(vfov_deg, dtype=float)) / 2)
    su = np.array([-1.0, 1.0, 1.0, -1.0])
    sv = np.array([-1.0, -1.0, 1.0, 1.0])
    th, tv = np.broadcast_arrays(th, tv)
    cam = np.stack(
        [np.ones((*th.shape, 4)), th[..., None] * su, tv[..., None] * sv], axis=-1
    )  # (..., 4, 3)
    ned = np.einsum("...ij,...kj->...ki", R, cam)
    down = ned[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.asarray(height_m, dtype=float)[..., None] / down
        t = np.where(down > 1e-9, t, np.nan)
    return np.stack([t * ned[..., 1], t * ned[..., 0]], axis=-1)


def image_to_ground(corners_en: ArrayLike, width: int, height: int) -> NDArray[np.float64]:
    """The homography taking pixel ``(x, y, 1)`` to ground ``(east, north, 1)``.

    Parameters
    ----------
    corners_en : array_like, shape (4, 2)
        Ground east/north [m] of corners 1..4 (upper-left, upper-right, lower-right,
        lower-left).
    width, height : int
        Image size [px]; pixel centres run from 0.5 to width - 0.5 (the corners are the
        image's outer edges, 0 and width).

    Returns
    -------
    ndarray, shape (3, 3)

    Raises
    ------
    ValueError
        A corner is NaN, or three corners are on a line.
    """
    import cv2

    src = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    dst = np.asarray(corners_en, dtype=np.float64)
    if not np.isfinite(dst).all():
        raise ValueError("corners_en has a corner without a ground point")
    H, _ = cv2.findHomography(src, dst, 0)
    if H is None:
        raise ValueError("corners_en are degenerate (three on a line)")
    return np.asarray(H, dtype=np.float64)


def apply_homography(
    H: ArrayLike, x: ArrayLike, y: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(x, y)`` mapped by the 3x3 homography ``H``.

    Parameters
    ----------
    H : array_like, shape (3, 3)
        The homography.
    x, y : array_like
        Points.

    Returns
    -------
    x, y : ndarray
        The mapped points.
    """
    Hm = np.asarray(H, dtype=float)
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    w = Hm[2, 0] * xa + Hm[2, 1] * ya + Hm[2, 2]
    return (Hm[0, 0] * xa + Hm[0, 1] * ya + Hm[0, 2]) / w, (
        Hm[1, 0] * xa + Hm[1, 1] * ya + Hm[1, 2]
    ) / w


def ground_sample_distance(corners_en: ArrayLike, width: int, height: int) -> float:
    """Mean ground size of a pixel over the footprint: sqrt(area / pixels).

    Parameters
    ----------
    corners_en : array_like, shape (4, 2)
        Footprint corners, east/north [m].
    width, height : int
        Image size [px].

    Returns
    -------
    float
        [m].
    """
    c = np.asarray(corners_en, dtype=float)
    x, y = c[:, 0], c[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return float(np.sqrt(area / (width * height)))
