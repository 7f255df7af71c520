"""Per-frame geometry from KLV (or telemetry CSV) samples: time, sensor, centre, footprint.

Samples arrive at their own rate (often 1-30 Hz, not one per frame); each frame gets
values interpolated linearly in time between the two samples around it (headings and
azimuths unwrapped first, so 359 -> 1 degrees passes through 0). A frame further than
``max_gap_s`` from any sample has no metadata: its footprint is unknown, never
extrapolated.

The footprint is the four corners the packets carry (ST 0601 Tags 82-89, or the offset
corners 26-33); when they are absent, it is computed with the camera model of
:mod:`olfato.video.footprint` from the sensor position, attitude and fields of view, on
a flat ground at the frame centre's elevation (Tag 25).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from olfato.survey.projection import LocalFrame
from olfato.video.footprint import camera_rotation, ground_corners, image_to_ground
from olfato.video.klv import NUMERIC_FIELDS, KlvSample

_ANGLES = ("platform_heading_deg", "sensor_rel_az_deg", "sensor_rel_roll_deg")
_CORNER_FIELDS = tuple(f"corner{k}_{c}" for k in range(1, 5) for c in ("lat", "lon"))


@dataclass(frozen=True)
class FrameGeometry:
    """Where each frame looks: arrays with one row per frame (NaN where unknown).

    ``corners_lat``/``corners_lon`` have shape (n, 4): corners 1..4 (upper-left,
    upper-right, lower-right, lower-left). ``source`` says per frame where the footprint
    came from: ``"klv corners"``, ``"camera model"`` or ``"none"``.
    """

    t_s: NDArray[np.float64]  #: frame time from the start of the video [s]
    time_us: NDArray[np.float64]  #: UTC [microseconds since 1970], NaN when unknown
    sensor_lat: NDArray[np.float64]
    sensor_lon: NDArray[np.float64]
    sensor_alt_m: NDArray[np.float64]
    heading_deg: NDArray[np.float64]
    pitch_deg: NDArray[np.float64]
    roll_deg: NDArray[np.float64]
    center_lat: NDArray[np.float64]
    center_lon: NDArray[np.float64]
    corners_lat: NDArray[np.float64]
    corners_lon: NDArray[np.float64]
    source: NDArray[np.str_]
    width: int
    height: int

    @property
    def n(self) -> int:
        return int(self.t_s.size)

    @property
    def has_metadata(self) -> NDArray[np.bool_]:
        return np.asarray(np.isfinite(self.sensor_lat) | np.isfinite(self.center_lat))

    @property
    def has_footprint(self) -> NDArray[np.bool_]:
        ok = np.isfinite(self.corners_lat).all(axis=1) & np.isfinite(self.corners_lon).all(axis=1)
        return np.asarray(ok)

    def local_frame(self) -> LocalFrame | None:
        """A local east/north frame centred on the footprints.

        Returns
        -------
        LocalFrame or None
            None without any footprint or sensor position.
        """
        ok = self.has_footprint
        if not ok.any():
            ok = np.isfinite(self.sensor_lat)
            if not ok.any():
                return None
            return LocalFrame.centred_on(self.sensor_lat[ok], self.sensor_lon[ok])
        return LocalFrame.centred_on(self.center_lat[ok], self.center_lon[ok])

    def pixel_to_ground(self, frame: LocalFrame, index: int) -> NDArray[np.float64] | None:
        """Homography from pixel to ``frame``'s east/north [m] for frame ``index``.

        Parameters
        ----------
        frame : LocalFrame
            The local frame of the east/north.
        index : int
            The frame of the video.

        Returns
        -------
        ndarray (3, 3) or None
            None where the frame has no footprint.
        """
        if not self.has_footprint[index]:
            return None
        e, n = frame.to_local(self.corners_lat[index], self.corners_lon[index])
        try:
            return image_to_ground(np.column_stack([e, n]), self.width, self.height)
        except ValueError:
            return None


def _sample_times(samples: Sequence[KlvSample]) -> NDArray[np.float64]:
    """Each sample's time on the video clock [s]: its stream time when every sample has
    one, else its Precision Time Stamp relative to the first sample (first = frame 0)."""
    pts = np.array([s.pts_s for s in samples], dtype=float)
    if np.isfinite(pts).all():
        return pts
    us = np.array([s.time_us for s in samples], dtype=float)
    base = np.nanmin(pts) if np.isfinite(pts).any() else 0.0
    return base + (us - us[0]) / 1e6


def _interp(
    t: NDArray[np.float64], ts: NDArray[np.float64], v: NDArray[np.float64]
) -> NDArray[np.float64]:
    ok = np.isfinite(v)
    if ok.sum() == 0:
        return np.full(t.shape, np.nan)
    if ok.sum() == 1:
        out = np.full(t.shape, np.nan)
        out[np.abs(t - ts[ok][0]) < 1e-9] = v[ok][0]
        return np.where(np.isfinite(out), out, v[ok][0])
    return np.interp(t, ts[ok], v[ok])


def frame_geometry(
    samples: Sequence[KlvSample],
    frame_t_s: Sequence[float] | NDArray[np.float64],
    width: int,
    height: int,
    *,
    max_gap_s: float = 2.0,
    ground_elev_m: float | None = None,
) -> FrameGeometry:
    """Interpolate ``samples`` to the frames' times and work out each frame's footprint.

    Parameters
    ----------
    samples : sequence of KlvSample
        Verified metadata samples (from KLV or a telemetry CSV), any order.
    frame_t_s : array_like
        Frame times from the start of the video [s].
    width, height : int
        Frame size [px].
    max_gap_s : float
        A frame further than this from the nearest sample has no metadata [s].
    ground_elev_m : float, optional
        Ground elevation [m, same datum as the sensor altitude] for the camera model
        when the packets carry no frame-centre elevation (Tag 25). Without either, a
        frame without corners has an unknown footprint.

    Returns
    -------
    FrameGeometry
    """
    t = np.asarray(frame_t_s, dtype=float)
    n = t.size
    nan = np.full(n, np.nan)
    if not samples:
        return FrameGeometry(
            t,
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            nan.copy(),
            np.full((n, 4), np.nan),
            np.full((n, 4), np.nan),
            np.full(n, "none", dtype="<U12"),
            width,
            height,
        )
    order = sorted(samples, key=lambda s: s.time_us)
    ts = _sample_times(order)
    ts, keep = np.unique(ts, return_index=True)
    order = [order[i] for i in keep]
    near = np.min(np.abs(t[:, None] - ts[None, :]), axis=1) if n else np.zeros(0)
    inside = (t >= ts[0] - max_gap_s) & (t <= ts[-1] + max_gap_s)
    # a frame inside the packets' span but in a long hole between two of them is unknown
    idx = np.clip(np.searchsorted(ts, t), 1, max(1, ts.size - 1))
    gap = ts[idx] - ts[idx - 1] if ts.size > 1 else np.zeros(n)
    known = inside & ((near <= max_gap_s) | (gap <= 2 * max_gap_s))
    vals: dict[str, NDArray[np.float64]] = {}
    for name in (*NUMERIC_FIELDS, "time_us"):
        v = np.array([getattr(s, name) for s in order], dtype=float)
        if name in _ANGLES and np.isfinite(v).sum() > 1:
            ok = np.isfinite(v)
            v[ok] = np.degrees(np.unwrap(np.radians(v[ok])))
        out = _interp(t, ts, v)
        if name in _ANGLES:
            out = np.mod(out, 360.0)
        vals[name] = np.where(known, out, np.nan)
    corners_lat = np.column_stack([vals[f"corner{k}_lat"] for k in range(1, 5)])
    corners_lon = np.column_stack([vals[f"corner{k}_lon"] for k in range(1, 5)])
    source = np.where(
        np.isfinite(corners_lat).all(1) & np.isfinite(corners_lon).all(1), "klv corners", "none"
    ).astype("<U12")
    need = (source == "none") & known & np.isfinite(vals["sensor_lat"])
    if need.any():
        elev = vals["frame_center_elev_m"]
        if ground_elev_m is not None:
            elev = np.where(np.isfinite(elev), elev, ground_elev_m)
        height_m = vals["sensor_alt_m"] - elev
        R = camera_rotation(
            vals["platform_heading_deg"],
            vals["platform_pitch_deg"],
            vals["platform_roll_deg"],
            vals["sensor_rel_az_deg"],
            vals["sensor_rel_el_deg"],
            vals["sensor_rel_roll_deg"],
        )
        en = ground_corners(R, height_m, vals["hfov_deg"], vals["vfov_deg"])
        ok = need & np.isfinite(en).all(axis=(1, 2)) & (height_m > 0)
        if ok.any():
            # one local frame for the whole flight: sensor + offsets, then back to WGS84
            frame = LocalFrame.centred_on(vals["sensor_lat"][ok], vals["sensor_lon"][ok])
            se, sn = frame.to_local(vals["sensor_lat"][ok], vals["sensor_lon"][ok])
            la, lo = frame.to_wgs84(se[:, None] + en[ok, :, 0], sn[:, None] + en[ok, :, 1])
            corners_lat[ok], corners_lon[ok] = la, lo
            source[ok] = "camera model"
            # the centre: where the boresight meets the ground, if the packets had none
            miss = ok & ~np.isfinite(vals["frame_center_lat"])
            vals["frame_center_lat"][miss] = corners_lat[miss].mean(axis=1)
            vals["frame_center_lon"][miss] = corners_lon[miss].mean(axis=1)
    return FrameGeometry(
        t_s=t,
        time_us=vals["time_us"],
        sensor_lat=vals["sensor_lat"],
        sensor_lon=vals["sensor_lon"],
        sensor_alt_m=vals["sensor_alt_m"],
        heading_deg=vals["platform_heading_deg"],
        pitch_deg=vals["platform_pitch_deg"],
        roll_deg=vals["platform_roll_deg"],
        center_lat=vals["frame_center_lat"],
        center_lon=vals["frame_center_lon"],
        corners_lat=corners_lat,
        corners_lon=corners_lon,
        source=source,
        width=width,
        height=height,
    )


def klv_coverage(geometry: FrameGeometry) -> float:
    """Fraction of frames with metadata.

    Parameters
    ----------
    geometry : FrameGeometry
        Per-frame geometry.

    Returns
    -------
    float
        0..1; NaN for a video without frames.
    """
    return float(geometry.has_metadata.mean()) if geometry.n else math.nan
