"""Synthetic full-motion video with known truth, for tests and benchmarks.

A nadir camera flies a straight line over a textured ground (multi-scale value noise
plus field-like patches and roads) while vehicles and people drive or walk straight
tracks of known speed and heading. Frames are rendered with the closed-form nadir
geometry (ground sample distance ``2 h tan(FOV/2) / pixels``, image up = the platform's
heading), independent of :mod:`olfato.video.footprint`, so the reader's footprints and
geolocation can be checked against it. The video is encoded with PyAV (H.264) into
MPEG-TS with an asynchronous ST 0601 KLV data stream written by the ST 0601 encoder
(:func:`olfato.video.klv.encode_packet`), or into MP4/TS without metadata, optionally with
a burnt-in HUD line giving position and time as text.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from olfato.survey.projection import LocalFrame
from olfato.video.geolocate import GroundTrack
from olfato.video.klv import encode_packet
from olfato.video.tracking import Track

#: 2026-11-29T20:00:00Z in microseconds: the synthetic clips' start time
T0_US = 1_795_982_400_000_000


@dataclass(frozen=True)
class Mover:
    """A target moving in a straight line at constant speed on the ground."""

    east_m: float  #: position at t = 0 [m, local frame of the clip]
    north_m: float
    speed_ms: float
    heading_deg: float  #: direction of travel, clockwise from north [deg]
    length_m: float = 4.5
    width_m: float = 2.0
    shade: int = 235  #: grey level drawn

    def position(self, t_s: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Where the mover is.

        Parameters
        ----------
        t_s : ndarray
            Times [s].

        Returns
        -------
        east, north : ndarray
            [m].
        """
        h = math.radians(self.heading_deg)
        d = self.speed_ms * np.asarray(t_s, dtype=float)
        return self.east_m + d * math.sin(h), self.north_m + d * math.cos(h)


def default_movers() -> list[Mover]:
    """Three vehicles and a walker crossing the flown area (a scene for tests and benchmarks).

    Returns
    -------
    list of Mover
    """
    return [
        Mover(-30.0, -20.0, 8.0, 75.0),
        Mover(25.0, 30.0, 6.0, 200.0, shade=25),
        Mover(-10.0, 25.0, 10.0, 130.0),
        Mover(15.0, -25.0, 1.5, 320.0, length_m=1.0, width_m=1.0, shade=20),
    ]


@dataclass
class SyntheticClip:
    """A written clip and what it shows."""

    path: Path
    width: int
    height: int
    fps: float
    t_s: NDArray[np.float64]  #: frame times [s]
    frame: LocalFrame  #: the local frame of the truth below
    sensor_en: NDArray[np.float64]  #: (n, 2) east/north under the sensor [m]
    heading_deg: NDArray[np.float64]
    altitude_m: float  #: above the ground
    ground_elev_m: float
    hfov_deg: float
    vfov_deg: float
    corners_en: NDArray[np.float64]  #: (n, 4, 2) true footprint corners [m]
    movers: list[Mover]
    mover_en: NDArray[np.float64]  #: (n, m, 2) true mover positions [m]
    mover_px: NDArray[np.float64]  #: (n, m, 2) their image pixels (x, y)
    visible: NDArray[np.bool_]  #: (n, m) fully inside the image
    klv_packets: int = 0
    notes: list[str] = field(default_factory=list)


def ground_texture(size_px: int, res_m: float, seed: int) -> NDArray[np.uint8]:
    """A square grey ground image: value noise at 1-40 m scales, fields and two roads.

    Parameters
    ----------
    size_px : int
        Side [px].
    res_m : float
        Ground size of a pixel [m].
    seed : int
        Random seed.

    Returns
    -------
    ndarray of uint8, shape (size_px, size_px)
    """
    import cv2

    rng = np.random.default_rng(seed)
    img = np.zeros((size_px, size_px), np.float32)
    for scale_m, amp in ((40.0, 60.0), (10.0, 40.0), (3.0, 30.0), (1.0, 20.0)):
        n = max(2, int(size_px * res_m / scale_m))
        small = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        img += amp * cv2.resize(small, (size_px, size_px), interpolation=cv2.INTER_CUBIC)
    for _ in range(int((size_px * res_m / 25.0) ** 2)):
        x, y = rng.integers(0, size_px, 2)
        w, h = (rng.uniform(5, 25, 2) / res_m).astype(int)
        cv2.rectangle(
            img, (int(x), int(y)), (int(x + w), int(y + h)), float(rng.uniform(-60, 60)), -1
        )
    for k in range(2):
        p = rng.integers(0, size_px, 4)
        cv2.line(
            img, (int(p[0]), 0), (int(p[1]), size_px - 1), 50.0 + 30 * k, max(1, int(4 / res_m))
        )
    return np.clip(img + 128, 0, 255).astype(np.uint8)


#: continuous pixel coordinates of pixel centres: index + 0.5
_HALF = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])


def _nadir_image_to_ground(
    e: float, n: float, heading_deg: float, gsd_x: float, gsd_y: float, w: int, h: int
) -> NDArray[np.float64]:
    """Affine 3x3 from pixel (x, y) to ground (east, north) for a nadir camera."""
    psi = math.radians(heading_deg)
    right = np.array([math.cos(psi), -math.sin(psi)])  # image +x on the ground
    up = np.array([math.sin(psi), math.cos(psi)])  # image -y on the ground
    A = np.column_stack([right * gsd_x, -up * gsd_y])
    c = np.array([e, n]) - A @ np.array([w / 2, h / 2])
    M = np.eye(3)
    M[:2, :2] = A
    M[:2, 2] = c
    return M


def make_clip(
    path: str | Path,
    *,
    width: int = 320,
    height: int = 240,
    fps: float = 15.0,
    duration_s: float = 4.0,
    altitude_m: float = 120.0,
    ground_elev_m: float = 50.0,
    hfov_deg: float = 60.0,
    platform_speed_ms: float = 6.0,
    platform_heading_deg: float = 20.0,
    heading_wobble_deg: float = 3.0,
    movers: Sequence[Mover] | None = None,
    lat0: float = 4.6,
    lon0: float = -74.1,
    klv: str = "async",
    klv_every: int = 1,
    corners: bool = True,
    bad_checksum_every: int = 0,
    hud: bool = False,
    noise: float = 2.0,
    container: str | None = None,
    seed: int = 0,
) -> SyntheticClip:
    """Render and encode a clip; return its truth.

    Parameters
    ----------
    path : path
        Output file (.ts for MPEG-TS, .mp4 for MP4).
    width, height : int
        Frame size [px].
    fps, duration_s : float
        Frame rate [1/s] and length [s].
    altitude_m, ground_elev_m : float
        Height of the camera above the ground, and the ground's elevation [m].
    hfov_deg : float
        Horizontal field of view [deg]; the vertical follows for square pixels.
    platform_speed_ms, platform_heading_deg, heading_wobble_deg : float
        The platform's straight flight [m/s, deg] and a slow sinusoidal yaw [deg].
    movers : sequence of Mover
        Moving targets (default :func:`default_movers`).
    klv : {"async", "none"}
        An asynchronous ST 0601 data stream, or no metadata.
    klv_every : int
        One KLV packet every this many frames.
    corners : bool
        Put the four corners (Tags 82-89) in the packets; without, readers must use the
        camera model.
    bad_checksum_every : int
        Corrupt the checksum of every n-th packet (0: none).
    hud : bool
        Burn a HUD into the top of each frame: ``LAT .. LON .. ALT ..M`` and
        ``YYYY-MM-DD HH:MM:SSZ``.
    noise : float
        Sensor noise, standard deviation [grey levels].
    lat0, lon0 : float
        Origin of the clip's local frame [deg].
    container : str, optional
        FFmpeg container name (default: from the suffix).
    seed : int
        Random seed of the ground and the noise.

    Returns
    -------
    SyntheticClip
    """
    import av
    import cv2

    path = Path(path)
    movers = list(default_movers() if movers is None else movers)
    n = max(2, round(duration_s * fps))
    t = np.arange(n) / fps
    vfov_deg = math.degrees(2 * math.atan(math.tan(math.radians(hfov_deg) / 2) * height / width))
    gsd_x = 2 * altitude_m * math.tan(math.radians(hfov_deg) / 2) / width
    gsd_y = 2 * altitude_m * math.tan(math.radians(vfov_deg) / 2) / height
    psi0 = math.radians(platform_heading_deg)
    d = platform_speed_ms * (t - t[-1] / 2)
    sensor = np.column_stack([d * math.sin(psi0), d * math.cos(psi0)])
    heading = platform_heading_deg + heading_wobble_deg * np.sin(2 * math.pi * t / 6.0)
    # ground image covering everything seen, finer than a frame pixel
    res = min(0.2, 0.7 * min(gsd_x, gsd_y))
    reach = float(np.abs(sensor).max()) + math.hypot(width * gsd_x, height * gsd_y) / 2 + 10
    size = int(2 * reach / res)
    tex = ground_texture(size, res, seed)
    ground_to_tex = np.array([[1 / res, 0, reach / res], [0, -1 / res, reach / res], [0, 0, 1]])
    frame = LocalFrame(lat0, lon0)
    rng = np.random.default_rng(seed + 1)
    m = len(movers)
    mover_en = np.zeros((n, m, 2))
    for j, mv in enumerate(movers):
        mover_en[:, j, 0], mover_en[:, j, 1] = mv.position(t)
    mover_px = np.zeros((n, m, 2))
    visible = np.zeros((n, m), bool)
    corners_en = np.zeros((n, 4, 2))
    fmt = container or ("mpegts" if path.suffix.lower() == ".ts" else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = av.open(str(path), "w", format=fmt)
    rate = Fraction(fps).limit_denominator(1001)
    vs = out.add_stream("libx264", rate=rate)
    vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
    vs.options = {"preset": "ultrafast", "crf": "16", "g": str(int(fps))}
    ds = out.add_data_stream(codec_name="klv") if klv == "async" else None
    tb = Fraction(1, 90000)
    packets = 0
    la_s, lo_s = frame.to_wgs84(sensor[:, 0], sensor[:, 1])
    for i in range(n):
        M = _nadir_image_to_ground(
            sensor[i, 0], sensor[i, 1], heading[i], gsd_x, gsd_y, width, height
        )
        img = cv2.warpAffine(
            tex,
            (ground_to_tex @ M @ _HALF)[:2],
            (width, height),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT,
        )
        g2i = np.linalg.inv(M)
        for j, mv in enumerate(movers):
            h = math.radians(mv.heading_deg)
            fwd = np.array([math.sin(h), math.cos(h)])
            side = np.array([math.cos(h), -math.sin(h)])
            c = mover_en[i, j]
            poly = np.array(
                [
                    c + s1 * fwd * mv.length_m / 2 + s2 * side * mv.width_m / 2
                    for s1, s2 in ((1, 1), (1, -1), (-1, -1), (-1, 1))
                ]
            )
            px = (g2i[:2, :2] @ poly.T).T + g2i[:2, 2]
            # pixel i covers [i, i + 1) in the continuous coordinates; OpenCV draws at centres
            cv2.fillConvexPoly(
                img, np.round((px - 0.5) * 16).astype(np.int32), mv.shade, cv2.LINE_AA, 4
            )
            mover_px[i, j] = g2i[:2, :2] @ c + g2i[:2, 2]
            visible[i, j] = bool(
                (px[:, 0] >= 0).all()
                and (px[:, 0] < width).all()
                and (px[:, 1] >= 0).all()
                and (px[:, 1] < height).all()
            )
        for k, (u, v) in enumerate(((0, 0), (width, 0), (width, height), (0, height))):
            corners_en[i, k] = M[:2, :2] @ np.array([u, v]) + M[:2, 2]
        if noise > 0:
            img = np.clip(img + rng.normal(0, noise, img.shape), 0, 255).astype(np.uint8)
        time_us = T0_US + round(t[i] * 1e6)
        if hud:
            stamp = datetime.fromtimestamp(time_us // 1_000_000, tz=UTC)
            lines = (
                f"LAT {la_s[i]:.6f} LON {lo_s[i]:.6f} ALT {altitude_m + ground_elev_m:.0f}M",
                stamp.strftime("%Y-%m-%d %H:%M:%SZ"),
            )
            scale = width / 900
            step = int(48 * scale)
            cv2.rectangle(img, (0, 0), (width, 2 * step + 10), 0, -1)
            for k, text in enumerate(lines):
                cv2.putText(
                    img,
                    text,
                    (6, (k + 1) * step),
                    cv2.FONT_HERSHEY_SIMPLEX,
                    scale,
                    255,
                    max(1, round(2 * scale)),
                    cv2.LINE_AA,
                )
        vf = av.VideoFrame.from_ndarray(
            np.asarray(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), dtype=np.uint8), format="bgr24"
        )
        vf.pts = i
        vf.time_base = 1 / rate
        for p in vs.encode(vf):
            out.mux(p)
        if ds is not None and i % klv_every == 0:
            cla, clo = frame.to_wgs84(corners_en[i, :, 0], corners_en[i, :, 1])
            fc_la, fc_lo = frame.to_wgs84(sensor[i, 0], sensor[i, 1])
            values = {
                "sensor_lat": float(la_s[i]),
                "sensor_lon": float(lo_s[i]),
                "sensor_alt_m": altitude_m + ground_elev_m,
                "platform_heading_deg": float(heading[i]),
                "platform_pitch_deg": 0.0,
                "platform_roll_deg": 0.0,
                "hfov_deg": hfov_deg,
                "vfov_deg": vfov_deg,
                "sensor_rel_az_deg": 0.0,
                "sensor_rel_el_deg": -90.0,
                "sensor_rel_roll_deg": 0.0,
                "frame_center_lat": float(fc_la),
                "frame_center_lon": float(fc_lo),
                "frame_center_elev_m": ground_elev_m,
            }
            if corners:
                for k in range(4):
                    values[f"corner{k + 1}_lat"] = float(cla[k])
                    values[f"corner{k + 1}_lon"] = float(clo[k])
            data = encode_packet(values, time_us)
            if bad_checksum_every and packets % bad_checksum_every == bad_checksum_every - 1:
                data = data[:-1] + bytes([(data[-1] + 1) % 256])
            pk = av.Packet(data)
            pk.stream = ds
            pk.pts = pk.dts = round(t[i] * 90000)
            pk.time_base = tb
            out.mux(pk)
            packets += 1
    for p in vs.encode():
        out.mux(p)
    out.close()
    return SyntheticClip(
        path=path,
        width=width,
        height=height,
        fps=fps,
        t_s=t,
        frame=frame,
        sensor_en=sensor,
        heading_deg=heading,
        altitude_m=altitude_m,
        ground_elev_m=ground_elev_m,
        hfov_deg=hfov_deg,
        vfov_deg=vfov_deg,
        corners_en=corners_en,
        movers=movers,
        mover_en=mover_en,
        mover_px=mover_px,
        visible=visible,
        klv_packets=packets,
    )


@dataclass(frozen=True)
class TrackScore:
    """How well tracks found a clip's movers (the figures of benchmarks/video.py)."""

    movers: int
    tracks: int
    recall: float  #: movers tracked for >= 80 % of the frames they are visible in
    id_switches_per_mover: float
    false_tracks: int  #: tracks mostly on no mover
    false_tracks_per_min: float
    geo_errors_m: NDArray[np.float64]  #: ground error of every matched point

    @property
    def median_geo_error_m(self) -> float:
        return float(np.median(self.geo_errors_m)) if self.geo_errors_m.size else math.nan


def score_tracks(
    clip: SyntheticClip,
    tracks: Sequence[Track],
    ground: Sequence[GroundTrack] = (),
    *,
    covered: float = 0.8,
) -> TrackScore:
    """Score image tracks (and their ground tracks) against the clip's truth.

    A track point matches the mover nearest to it in the image if within the mover's
    length (at least 6 px); a track whose points mostly match no mover is false; a mover
    is recalled when points of tracks that follow it cover ``covered`` of its visible
    frames; an identity switch is a change of track id along a mover's frames.

    Parameters
    ----------
    clip : SyntheticClip
        The clip and its truth.
    tracks : sequence of Track
        Image tracks found in it.
    ground : sequence of GroundTrack
        Their ground tracks (for the geolocation error).
    covered : float
        Fraction of a mover's visible frames its tracks must cover to count as recalled.

    Returns
    -------
    TrackScore
    """
    gsd = 2 * clip.altitude_m * math.tan(math.radians(clip.hfov_deg) / 2) / clip.width
    m = len(clip.movers)
    gate = np.array([max(6.0, mv.length_m / gsd) for mv in clip.movers])
    owner: dict[tuple[int, int], int] = {}  # (mover, frame) -> track id
    false_tracks = 0
    geo: list[float] = []
    ground_by_id = {g.id: g for g in ground}
    for tr in tracks:
        pts = tr.points
        hits: list[int] = []
        for p in pts:
            d = np.hypot(*(clip.mover_px[p.frame] - np.array([p.x, p.y])).T)
            j = int(np.argmin(d)) if m else -1
            hits.append(j if m and d[j] <= gate[j] else -1)
        matched = [j for j in hits if j >= 0]
        if len(matched) < 0.5 * len(hits):
            false_tracks += 1
            continue
        major = max(set(matched), key=matched.count)
        for p, j in zip(pts, hits, strict=True):
            if j == major:
                owner.setdefault((j, p.frame), tr.id)
        g = ground_by_id.get(tr.id)
        if g is not None and g.t_s.size:
            e, n = clip.frame.to_local(g.lat, g.lon)
            te = clip.mover_en[g.frame, major]
            geo.extend(np.hypot(e - te[:, 0], n - te[:, 1]).tolist())
    recalled = 0
    switches = 0
    for j in range(m):
        frames = np.flatnonzero(clip.visible[:, j])
        ids = [owner[(j, int(f))] for f in frames if (j, int(f)) in owner]
        if frames.size and len(ids) >= covered * frames.size:
            recalled += 1
        switches += sum(a != b for a, b in itertools.pairwise(ids))
    minutes = (clip.t_s[-1] - clip.t_s[0] + 1 / clip.fps) / 60
    return TrackScore(
        movers=m,
        tracks=len(tracks),
        recall=recalled / m if m else math.nan,
        id_switches_per_mover=switches / m if m else math.nan,
        false_tracks=false_tracks,
        false_tracks_per_min=false_tracks / minutes,
        geo_errors_m=np.array(geo),
    )
