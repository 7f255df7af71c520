"""A video from file to ground tracks: metadata, footprints, motion, tracks, geolocation.

:func:`read_metadata` decides where the geometry comes from, in this order: the file's
ST 0601 KLV; a telemetry CSV the user gives; the burnt-in HUD (position only: footprint
unknown). :func:`video_footprints` stops there; :func:`analyse_video` also runs motion
detection and tracking over every frame and puts the tracks on the ground.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from olfato.errors import VideoError
from olfato.progress import progress_bar
from olfato.video.container import FrameReader, StreamInfo, frame_times, probe, read_klv
from olfato.video.geolocate import GroundTrack, geolocate_tracks
from olfato.video.klv import KlvSample, KlvStats
from olfato.video.metadata import FrameGeometry, frame_geometry
from olfato.video.motion import MotionDetector
from olfato.video.tracking import Track, Tracker


@dataclass
class VideoMetadata:
    """Where a video's frames look, and where that came from."""

    info: StreamInfo
    geometry: FrameGeometry
    source: str  #: "klv", "telemetry csv", "hud ocr" or "none"
    klv_stats: KlvStats
    samples: list[KlvSample]
    notes: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        g = self.geometry
        return float(g.has_metadata.mean()) if g.n else math.nan

    @property
    def footprint_coverage(self) -> float:
        g = self.geometry
        return float(g.has_footprint.mean()) if g.n else math.nan


def _hud_samples(
    path: str | Path, t: np.ndarray, every_s: float, max_frames: int
) -> list[KlvSample]:
    from olfato.video.hud import HudReader, samples_from_hud

    if t.size == 0:
        return []
    wanted = np.arange(t[0], t[-1] + 1e-9, every_s)
    if wanted.size > max_frames:
        wanted = np.linspace(t[0], t[-1], max_frames)
    targets = set(np.searchsorted(t, wanted).clip(0, t.size - 1).tolist())
    reader = HudReader()
    readings = []
    for f in FrameReader(path, color=True):
        if f.index in targets:
            readings.append(reader.read(f.image, f.t_s))
        if f.index > max(targets):
            break
    return samples_from_hud(readings)


def read_metadata(
    path: str | Path,
    *,
    telemetry: str | Path | None = None,
    hud: bool = True,
    hud_every_s: float = 2.0,
    hud_max_frames: int = 30,
    max_gap_s: float = 2.0,
    ground_elev_m: float | None = None,
) -> VideoMetadata:
    """Read a video's headers and metadata and work out each frame's footprint.

    Parameters
    ----------
    path : path
        The video.
    telemetry : path, optional
        A telemetry CSV (ArcGIS FMV Multiplexer layout), used when the video has no KLV.
    hud : bool
        With neither KLV nor telemetry, read the burnt-in HUD by OCR.
    hud_every_s, hud_max_frames : float, int
        OCR one frame every this many seconds, at most this many frames.
    max_gap_s : float
        Frames further than this from a metadata sample have none [s].
    ground_elev_m : float, optional
        Ground elevation for the camera model when packets lack the frame-centre elevation.

    Returns
    -------
    VideoMetadata

    Raises
    ------
    VideoError
        The file cannot be read, has no video stream or no frames, or the telemetry CSV
        is bad.
    """
    from olfato.video.telemetry import read_fmv_csv

    info = probe(path)
    t = frame_times(path)
    if t.size == 0:
        raise VideoError("has a video stream but no frames", path=str(path))
    notes: list[str] = []
    samples, stats = read_klv(path)
    source = "klv" if samples else "none"
    if stats.skipped:
        notes.append(
            f"{stats.skipped} KLV packet(s) skipped ({stats.bad_checksum} bad checksum, "
            f"{stats.no_timestamp} without time, {stats.undecodable} undecodable)"
        )
    if info.klv_streams == 0:
        notes.append("no KLV data stream")
    if not samples and telemetry is not None:
        samples = read_fmv_csv(telemetry)
        source = "telemetry csv"
    elif samples and telemetry is not None:
        notes.append("the video has KLV; the telemetry CSV was not used")
    if not samples and hud:
        samples = _hud_samples(path, t, hud_every_s, hud_max_frames)
        if samples:
            source = "hud ocr"
            notes.append(
                "position and time read from the burnt-in HUD (OCR); the footprint is unknown, "
                "so nothing in the frames can be placed on the ground"
            )
        else:
            notes.append("no metadata and no readable HUD: the footprint is unknown")
    elif not samples:
        notes.append("no metadata: the footprint is unknown")
    geometry = frame_geometry(
        samples, t, info.width, info.height, max_gap_s=max_gap_s, ground_elev_m=ground_elev_m
    )
    if samples and source != "hud ocr" and not geometry.has_footprint.any():
        notes.append(
            "the metadata has neither corners nor a complete camera model (position, "
            "attitude, fields of view, ground elevation): the footprint is unknown"
        )
    return VideoMetadata(info, geometry, source, stats, samples, notes)


@dataclass
class VideoAnalysis:
    """Everything :func:`analyse_video` found."""

    metadata: VideoMetadata
    tracks: list[GroundTrack]
    image_tracks: list[Track]
    frames: int
    unregistered_frames: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def frames_per_second(self) -> float:
        return self.frames / self.seconds if self.seconds > 0 else math.nan


def track_frames(
    path: str | Path,
    fps: float,
    *,
    method: str = "compensated",
    work_width: int = 320,
    gap_s: float = 0.6,
    detector: object | None = None,
    detect_every: int = 5,
    tracker: Tracker | None = None,
    quiet: bool = True,
    total: int | None = None,
) -> tuple[list[Track], int, int, list[str]]:
    """Motion detection and tracking over every frame of ``path`` (image pixels).

    Parameters
    ----------
    path : path
        The video.
    fps : float
        Its frame rate [1/s].
    method, work_width, gap_s
        As for :class:`~olfato.video.motion.MotionDetector`.
    detector : OnnxDetector, optional
        Labels tracks; run every ``detect_every`` frames.
    detect_every : int
        Frames between detector runs.
    tracker : Tracker, optional
        Default: a :class:`~olfato.video.tracking.Tracker` ending tracks unseen for 1 s.
    quiet : bool
        No progress bar.
    total : int, optional
        Frames expected (for the progress bar).

    Returns
    -------
    tracks : list of Track
        Confirmed tracks.
    frames : int
        Frames read.
    unregistered : int
        Frames whose camera motion could not be estimated.
    problems : list of str
        Problems met reading the file (truncation, size change).
    """
    from olfato.video.detector import OnnxDetector, label_detections

    md = MotionDetector(fps=fps, method=method, work_width=work_width, gap_s=gap_s)
    tr = tracker or Tracker(max_missed=max(3, round(1.0 * fps)))
    det = detector if isinstance(detector, OnnxDetector) else None
    reader = FrameReader(path, color=det is not None)
    labelled: dict[int, list] = {}
    compensate = method == "compensated"

    def step(ready: list) -> None:
        for r in ready:
            dets = r.detections
            if r.index in labelled:
                dets = label_detections(dets, labelled.pop(r.index))
            tr.step(r.index, dets, r.H_from_prev if compensate else None)

    import cv2

    with progress_bar("motion and tracks", total, quiet=quiet) as advance:
        for f in reader:
            img = f.image
            if det is not None:
                if f.index % detect_every == 0:
                    labelled[f.index] = det.detect(img)
                img = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
            try:
                step(md.push(f.index, img))
            except ValueError as exc:
                reader.problems.append(f"{path}: {exc}; tracking stopped there")
                break
            advance(1)
        step(md.flush())
    return tr.tracks(), reader.frames_read, md.unregistered_frames, reader.problems


def analyse_video(
    path: str | Path,
    *,
    telemetry: str | Path | None = None,
    hud: bool = True,
    method: str = "compensated",
    work_width: int = 320,
    gap_s: float = 0.6,
    detector_model: str | Path | None = None,
    labels: list[str] | None = None,
    min_track_s: float = 1.0,
    ground_elev_m: float | None = None,
    quiet: bool = True,
) -> VideoAnalysis:
    """Read, track and geolocate: the whole video stage for one file.

    Parameters
    ----------
    path : path
        The video.
    telemetry, hud, ground_elev_m
        As for :func:`read_metadata`.
    method : {"compensated", "frame_difference"}
        Motion detection (see :class:`olfato.video.motion.MotionDetector`).
    work_width : int
        Processing width [px].
    gap_s : float
        Time between background frames [s]; at most a fifth of the clip.
    detector_model : path, optional
        A user-supplied ONNX detector (see :mod:`olfato.video.detector`): gives tracks a class.
    labels : list of str, optional
        The detector's class names.
    min_track_s : float
        Tracks shorter than this are dropped [s].
    quiet : bool
        No progress bar.

    Returns
    -------
    VideoAnalysis
    """
    from olfato.video.detector import OnnxDetector

    meta = read_metadata(path, telemetry=telemetry, hud=hud, ground_elev_m=ground_elev_m)
    fps = meta.info.fps
    if not (fps > 0 and math.isfinite(fps)):
        t = meta.geometry.t_s
        fps = (t.size - 1) / (t[-1] - t[0]) if t.size > 1 and t[-1] > t[0] else 25.0
    # the background needs frames 2 gaps either side: a short clip gets shorter gaps
    span = meta.geometry.n / fps
    gap_s = min(gap_s, max(1 / fps, span / 5))
    det = OnnxDetector(detector_model, labels) if detector_model is not None else None
    t0 = time.perf_counter()
    tracks, frames, unreg, problems = track_frames(
        path,
        fps,
        method=method,
        work_width=work_width,
        gap_s=gap_s,
        detector=det,
        quiet=quiet,
        total=meta.geometry.n,
    )
    seconds = time.perf_counter() - t0
    min_points = max(3, round(min_track_s * fps))
    tracks = [t for t in tracks if len(t.points) >= min_points]
    ground = geolocate_tracks(tracks, meta.geometry)
    return VideoAnalysis(meta, ground, tracks, frames, unreg, seconds, problems)


def summarise(meta: VideoMetadata) -> dict[str, object]:
    """What ``olfato video info`` shows: the file, its KLV and the platform's track.

    Parameters
    ----------
    meta : VideoMetadata
        From :func:`read_metadata`.

    Returns
    -------
    dict
        JSON-able: sizes, duration, frames, KLV packets used and skipped, coverage,
        platform start/end, distance and altitude range, notes.
    """
    from olfato.video.export import iso_time

    info, g = meta.info, meta.geometry
    out: dict[str, object] = {
        "file": info.path,
        "container": info.format,
        "codec": info.codec,
        "size_px": f"{info.width}x{info.height}",
        "fps": round(info.fps, 3) if math.isfinite(info.fps) else None,
        "duration_s": round(float(g.t_s[-1] - g.t_s[0]) + 1 / info.fps, 2)
        if g.n and info.fps > 0
        else info.duration_s,
        "frames": g.n,
        "klv_streams": info.klv_streams,
        "klv_packets": meta.klv_stats.packets,
        "klv_packets_skipped": meta.klv_stats.skipped,
        "metadata_source": meta.source,
        "metadata_coverage": round(meta.coverage, 4),
        "footprint_coverage": round(meta.footprint_coverage, 4),
    }
    ok = np.isfinite(g.sensor_lat) & np.isfinite(g.sensor_lon)
    if ok.any():
        from olfato.survey.projection import LocalFrame

        la, lo = g.sensor_lat[ok], g.sensor_lon[ok]
        frame = LocalFrame.centred_on(la, lo)
        e, n = frame.to_local(la, lo)
        alt = g.sensor_alt_m[ok]
        out.update(
            {
                "platform_start": iso_time(g.time_us[ok][0]),
                "platform_end": iso_time(g.time_us[ok][-1]),
                "platform_start_latlon": [round(float(la[0]), 6), round(float(lo[0]), 6)],
                "platform_end_latlon": [round(float(la[-1]), 6), round(float(lo[-1]), 6)],
                "platform_distance_m": round(float(np.hypot(np.diff(e), np.diff(n)).sum()), 1),
                "sensor_alt_m": [round(float(np.nanmin(alt)), 1), round(float(np.nanmax(alt)), 1)]
                if np.isfinite(alt).any()
                else None,
            }
        )
    out["notes"] = list(meta.notes)
    return out
