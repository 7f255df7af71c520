"""Tracks on the ground: each image track through its frames' footprints, with speed and heading.

A track point's pixel is taken to the ground by its frame's pixel -> ground homography
(:meth:`olfato.video.metadata.FrameGeometry.pixel_to_ground`, exact for a flat ground).
Speed and heading at each point are the slope of a straight-line fit of east and north
against time over the points within ``window_s`` of it (a local least-squares velocity,
which averages out the detection's pixel noise); heading is the direction of travel,
clockwise from north.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.survey.projection import LocalFrame
from olfato.video.footprint import apply_homography
from olfato.video.metadata import FrameGeometry
from olfato.video.tracking import Track


@dataclass(frozen=True)
class GroundTrack:
    """A track on the ground. Arrays have one entry per observation with a footprint."""

    id: int
    label: str | None
    frame: NDArray[np.int64]
    t_s: NDArray[np.float64]  #: from the start of the video [s]
    time_us: NDArray[np.float64]  #: UTC [microseconds since 1970]; NaN when unknown
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    east_m: NDArray[np.float64]  #: in the analysis' local frame
    north_m: NDArray[np.float64]
    speed_ms: NDArray[np.float64]
    heading_deg: NDArray[np.float64]
    pixel_x: NDArray[np.float64]
    pixel_y: NDArray[np.float64]
    image_points: int  #: observations in the image, with or without a footprint

    @property
    def duration_s(self) -> float:
        return float(self.t_s[-1] - self.t_s[0]) if self.t_s.size else 0.0

    @property
    def distance_m(self) -> float:
        return float(np.hypot(np.diff(self.east_m), np.diff(self.north_m)).sum())

    @property
    def mean_speed_ms(self) -> float:
        return float(np.nanmedian(self.speed_ms)) if self.speed_ms.size else math.nan


def local_velocity(
    t_s: NDArray[np.float64], east: NDArray[np.float64], north: NDArray[np.float64], window_s: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Speed [m/s] and heading [deg, clockwise from north] by local least squares.

    Parameters
    ----------
    t_s, east, north : ndarray
        Times [s] and positions [m], time-ordered.
    window_s : float
        Points within this time either side enter each fit [s].

    Returns
    -------
    speed, heading : ndarray
        [m/s] and [deg]; NaN where fewer than three points are in the window.
    """
    n = t_s.size
    speed = np.full(n, np.nan)
    heading = np.full(n, np.nan)
    for i in range(n):
        sel = np.abs(t_s - t_s[i]) <= window_s
        if sel.sum() < 3:
            continue
        tt = t_s[sel] - t_s[sel].mean()
        den = float(np.dot(tt, tt))
        if den <= 0:
            continue
        ve = float(np.dot(tt, east[sel] - east[sel].mean())) / den
        vn = float(np.dot(tt, north[sel] - north[sel].mean())) / den
        speed[i] = math.hypot(ve, vn)
        heading[i] = math.degrees(math.atan2(ve, vn)) % 360.0
    return speed, heading


def geolocate_tracks(
    tracks: Sequence[Track],
    geometry: FrameGeometry,
    frame: LocalFrame | None = None,
    *,
    window_s: float = 1.0,
) -> list[GroundTrack]:
    """Every track's points on the ground (those in frames with a footprint).

    Parameters
    ----------
    tracks : sequence of Track
        Image tracks from :class:`olfato.video.tracking.Tracker`.
    geometry : FrameGeometry
        Per-frame footprints.
    frame : LocalFrame, optional
        The local frame for east/north (default: centred on the footprints).
    window_s : float
        Half-width of the velocity fit [s].

    Returns
    -------
    list of GroundTrack
        One per track, in the order given; a track without any footprint has empty arrays.
    """
    frame = frame or geometry.local_frame() or LocalFrame(0.0, 0.0)
    cache: dict[int, NDArray[np.float64] | None] = {}
    out = []
    for tr in tracks:
        rows = []
        for p in tr.points:
            if p.frame >= geometry.n:
                continue
            if p.frame not in cache:
                cache[p.frame] = geometry.pixel_to_ground(frame, p.frame)
            H = cache[p.frame]
            if H is None:
                continue
            e, n = apply_homography(H, p.x, p.y)
            rows.append(
                (
                    p.frame,
                    geometry.t_s[p.frame],
                    geometry.time_us[p.frame],
                    float(e),
                    float(n),
                    p.x,
                    p.y,
                )
            )
        arr = np.array(rows, dtype=float).reshape(-1, 7)
        e, n = arr[:, 3], arr[:, 4]
        lat, lon = frame.to_wgs84(e, n) if e.size else (np.zeros(0), np.zeros(0))
        speed, heading = local_velocity(arr[:, 1], e, n, window_s)
        out.append(
            GroundTrack(
                id=tr.id,
                label=tr.label,
                frame=arr[:, 0].astype(np.int64),
                t_s=arr[:, 1],
                time_us=arr[:, 2],
                lat=np.asarray(lat),
                lon=np.asarray(lon),
                east_m=e,
                north_m=n,
                speed_ms=speed,
                heading_deg=heading,
                pixel_x=arr[:, 5],
                pixel_y=arr[:, 6],
                image_points=len(tr.points),
            )
        )
    return out
